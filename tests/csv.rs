//! The CSV reader: RFC 4180 quoting, typed cells with located errors, and header checks.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use zhunru::input::CsvReader;
use zhunru::{Subject, Value};

type Row = (usize, Result<Subject, String>);

fn read(csv: &[u8]) -> Vec<Row> {
    CsvReader::new(csv, "log.csv")
        .map(|(line, r)| (line, r.map_err(|e| e.to_string())))
        .collect()
}

fn ok(row: &Row) -> &Subject {
    match &row.1 {
        Ok(s) => s,
        Err(e) => panic!("line {}: {e}", row.0),
    }
}

fn err(row: &Row) -> &str {
    match &row.1 {
        Ok(s) => panic!("line {}: read {s:?}", row.0),
        Err(e) => e,
    }
}

#[test]
fn quoted_cells_hold_commas_quotes_and_line_breaks() {
    let rows = read(
        "id,category,requirements,name\n\
         T-1,企业摸底,\"走访企业, 填报\"\"摸底表\"\"\",\"两行\n名称\"\n\
         T-2,\"招商引资\",,\n"
            .as_bytes(),
    );
    assert_eq!(rows.len(), 2);
    let first = ok(&rows[0]);
    assert_eq!(rows[0].0, 2);
    assert_eq!(
        first.fields().get("requirements"),
        Some(&Value::from("走访企业, 填报\"摸底表\""))
    );
    assert_eq!(first.fields().get("name"), Some(&Value::from("两行\n名称")));
    // The second record starts after the quoted line break.
    assert_eq!(rows[1].0, 4);
    let second = ok(&rows[1]);
    assert_eq!(second.category(), Some("招商引资"));
    assert_eq!(
        second.fields().get("requirements"),
        None,
        "empty cell is absent"
    );
    // The contract's defaults apply, as for JSON.
    assert_eq!(second.get("name"), Some(&Value::from("招商引资")));
}

#[test]
fn crlf_bom_and_blank_lines() {
    let rows = read(b"\xef\xbb\xbfid,category\r\n\r\nT-1,x\r\n\r\nT-2,y\r\n");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, 3);
    assert_eq!(ok(&rows[0]).id(), Some("T-1"));
    assert_eq!(rows[1].0, 5);
    assert_eq!(ok(&rows[1]).category(), Some("y"));
}

#[test]
fn cells_are_typed_by_the_schema() {
    let rows = read(
        "category,funding.amount,funding.per,work_plan,basis,period.end,approval.status,extra,approval.note\n\
         企业摸底,3000,once,TRUE, 文件甲 ; 文件乙 ;,2020-06-30,approved,备注,口头同意\n"
            .as_bytes(),
    );
    let t = ok(&rows[0]);
    let json = serde_json::to_value(t).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "kind": "task",
            "category": "企业摸底",
            "funding": {"amount": 3000, "per": "once"},
            "work_plan": true,
            "basis": ["文件甲", "文件乙"],
            "period": {"end": "2020-06-30"},
            "approval": {"status": "approved", "note": "口头同意"},
            "extra": "备注"
        })
    );
}

#[test]
fn a_bad_cell_is_an_error_at_its_line_and_column_and_the_rest_are_read() {
    let rows = read(
        "id,category,funding.amount,period.end,community_role,work_plan\n\
         T-1,企业摸底,三千,,,\n\
         T-2,企业摸底,,2020-02-30,,\n\
         T-3,企业摸底,,,responsable,\n\
         T-4,企业摸底,,,,yes\n\
         T-5,企业摸底,inf,,,\n\
         T-6,,,,,\n\
         T-7,企业摸底,1e3,,,\n"
            .as_bytes(),
    );
    let errors: Vec<String> = rows.iter().take(6).map(|r| err(r).to_owned()).collect();
    insta::assert_snapshot!(errors.join("\n"), @r#"
    log.csv:2:10: field `funding.amount` should be a number, found "三千"
    log.csv:3:11: field `period.end` should be a date written YYYY-MM-DD that exists on the calendar, found "2020-02-30"
    log.csv:4:12: field `community_role` should be one of "responsible" (责任主体), "assist" (协助), found "responsable"
    log.csv:5:13: field `work_plan` should be `true` or `false`, found "yes"
    log.csv:6:10: field `funding.amount` should be a number, found "inf"
    log.csv:7:5: a task needs a `category` (what the lists are matched against)
    "#);
    let last = ok(&rows[6]);
    assert_eq!(
        last.fields().get_path("funding.amount"),
        Some(&Value::Number(1000.0))
    );
}

#[test]
fn the_wrong_number_of_cells_and_broken_quotes_are_row_errors() {
    let rows = read(
        "id,category\n\
         T-1,企业摸底,多余\n\
         T-2,\"企业\"摸底\n\
         T-3,企业摸底\n\
         T-4,\"never closed\n"
            .as_bytes(),
    );
    assert_eq!(rows.len(), 4);
    assert_eq!(
        err(&rows[0]),
        "log.csv:2:1: the row has 3 cells but the header has 2 (a cell holding `,` must be in double quotes)"
    );
    assert!(
        err(&rows[1]).starts_with("log.csv:3:9: text after the closing quote"),
        "{}",
        err(&rows[1])
    );
    assert_eq!(ok(&rows[2]).id(), Some("T-3"));
    assert_eq!(
        err(&rows[3]),
        "log.csv:5:5: a quoted cell is never closed: the file ends inside quotes"
    );
}

#[test]
fn invalid_utf8_is_located_and_the_next_row_read() {
    let mut csv = b"id,category\nT-1,".to_vec();
    csv.extend_from_slice(&[0xc6, 0xf3, 0xd2, 0xb5]); // 企业 in GBK
    csv.extend_from_slice(b"\nT-2,x\n");
    let rows = read(&csv);
    assert_eq!(rows.len(), 2);
    assert!(
        err(&rows[0]).starts_with("log.csv:2:5: the row is not valid UTF-8"),
        "{}",
        err(&rows[0])
    );
    assert_eq!(ok(&rows[1]).id(), Some("T-2"));
}

#[test]
fn a_bad_header_stops_the_file_with_one_error() {
    for (header, expected) in [
        (
            "id,category,id",
            "log.csv:1:13: column `id` is named twice in the header",
        ),
        (
            "category,funding",
            "log.csv:1:10: column `funding` is an object: give its fields as columns (`funding.amount`, `funding.per`)",
        ),
        (
            "category,,id",
            "log.csv:1:10: a header cell is empty: every column needs a field name",
        ),
        (
            "category,category.x",
            "log.csv:1:10: column `category.x`: `category` is a string, it has no fields",
        ),
        (
            "id,name",
            "log.csv:1:1: the header has no `category` column (what the lists are matched against)",
        ),
    ] {
        let rows = read(format!("{header}\nT-1,x,y\nT-2,x,y\n").as_bytes());
        assert_eq!(rows.len(), 1, "{header}");
        let e = err(&rows[0]);
        assert!(e.starts_with(expected), "{header}: {e}");
        assert!(e.ends_with("no row of this file was read: fix the header"));
    }
}

#[test]
fn the_kind_column_reads_other_subjects() {
    let rows = read(
        "kind,name,external_signs,office_area,activity_area\n\
         community,琥珀社区,社区党组织;社区居民委员会;居务监督委员会;中国社区,60,400\n"
            .as_bytes(),
    );
    let c = ok(&rows[0]);
    assert_eq!(c.kind(), zhunru::SubjectKind::Community);
    assert_eq!(c.fields().get("office_area"), Some(&Value::Number(60.0)));
}

#[test]
fn an_empty_input_has_no_rows() {
    assert!(read(b"").is_empty());
    assert!(read(b"id,category\n").is_empty());
    assert!(read(b"\n\n").is_empty());
}

/// A near miss of a field under a known object (`funding.amout`) is a header error with the
/// field meant: read as an unknown column, the amount was missing from every row and an
/// audit reported `no_funding` for tasks that had funding. A name far from any field of
/// the object is kept, as before.
#[test]
fn a_misspelt_nested_column_is_refused_with_the_field_meant() {
    let rows = read("id,category,funding.amout\nA,企业摸底,3000\n".as_bytes());
    let message = err(&rows[0]);
    assert!(
        message.contains(
            "column `funding.amout`: `funding` has no field `amout`; did you mean `funding.amount`?"
        ),
        "{message}"
    );
    let rows = read("id,category,funding.source\nA,企业摸底,区财政\n".as_bytes());
    assert_eq!(
        ok(&rows[0]).get("funding.source"),
        Some(&zhunru::Value::from("区财政"))
    );
}
