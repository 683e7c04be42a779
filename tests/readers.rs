//! The readers lose nothing and invent nothing (issue 13): every reproduction of the issue
//! as a regression test, and differential tests against reference parsers — CSV against
//! the `csv` crate record by record and cell by cell, JSON Lines against `serde_json` line
//! by line, with bad lines anywhere.
//!
//! The differential tests are seeded and bounded so `cargo test` stays fast. A long run:
//!
//! ```text
//! ZHUNRU_DIFF_CASES=20000 ZHUNRU_DIFF_SEED=7 cargo test --release --test readers differential
//! ```
//!
//! (`ZHUNRU_DIFF_CASES` files of each kind, default 150; `ZHUNRU_DIFF_SEED` picks another
//! stream of files, default 1. A failure prints the seed and the file.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::process::Command;

use zhunru::input::{InputFormat, csv_records, read_subjects};
use zhunru::{Subject, Value};

type Row = (usize, Result<Subject, zhunru::InputError>);

fn read(text: &[u8], origin: &str, format: InputFormat) -> Vec<Row> {
    read_subjects(text, origin, format).collect()
}

fn summary(rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|(line, r)| match r {
            Ok(s) => format!("{line}: ok {}", s.label()),
            Err(e) => format!("{line}: error {e}"),
        })
        .collect()
}

fn zhunru(args: &[&str], input: &[u8], name: &str) -> (String, String, Option<i32>) {
    let dir = std::env::temp_dir().join(format!("zhunru-readers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, input).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(args)
        .arg(&path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

const EVAL: &[&str] = &[
    "eval",
    "--policy",
    "policies/yingjiang.policy",
    "--format",
    "json",
    "--as-of",
    "2020-06-01",
];
const AUDIT: &[&str] = &[
    "audit",
    "--policy",
    "policies/yingjiang.policy",
    "--format",
    "json",
    "--as-of",
    "2020-06-01",
];

// ---- 1. A broken first JSON Lines line loses nothing ----

#[test]
fn a_broken_first_json_lines_line_is_one_error_and_every_other_line_is_decided() {
    let input = "{\"id\":\"T-1\",\"category\":\"招商\n{\"id\":\"T-2\",\"category\":\"招商引资\"}\n{\"id\":\"T-3\",\"category\":\"创卫迎检\"}\n";
    let (stdout, stderr, code) = zhunru(EVAL, input.as_bytes(), "t.jsonl");
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert!(lines[0].contains("\"line\":1"), "{}", lines[0]);
    assert!(lines[0].contains("t.jsonl:1:"), "{}", lines[0]);
    assert!(!lines[0].contains("t.jsonl:1:0"), "{}", lines[0]);
    assert!(lines[1].contains("\"id\":\"T-2\""));
    assert!(lines[2].contains("\"id\":\"T-3\""));
    assert!(stderr.contains("1 subject(s) could not be read; every other subject was decided"));
}

#[test]
fn five_kinds_of_broken_first_line_never_switch_the_mode() {
    let rest =
        "{\"id\":\"T-2\",\"category\":\"招商引资\"}\n{\"id\":\"T-3\",\"category\":\"创卫迎检\"}\n";
    for first in [
        "{\"id\":\"T-1\",\"category\":\"招商",
        "{\"id\":\"T-1\",\"category\":\"招商\"",
        "{\"id\":\"T-1\",\"category\":",
        "{\"id\":\"T-1\",\"category\":[",
        "{",
        "[",
        "{\"id\": \"T-1\",, }",
        "\u{c}",
    ] {
        let input = format!("{first}\n{rest}");
        for format in [InputFormat::Json, InputFormat::JsonLines] {
            let mut rows = read(input.as_bytes(), "t.jsonl", format);
            // A document that starts with `[` is an array; one never closed is reported
            // once its end is known (its elements are records of their own).
            rows.sort_by_key(|(line, _)| *line);
            let s = summary(&rows);
            assert_eq!(rows.len(), 3, "{first:?} {format:?}: {s:#?}");
            let e = rows[0].1.as_ref().unwrap_err();
            assert_eq!((rows[0].0, e.line()), (1, Some(1)), "{first:?}: {s:#?}");
            assert!(e.column() > Some(0), "{s:#?}");
            assert_eq!(rows[1].1.as_ref().unwrap().id(), Some("T-2"), "{s:#?}");
            assert_eq!(rows[2].1.as_ref().unwrap().id(), Some("T-3"), "{s:#?}");
        }
    }
}

#[test]
fn a_type_error_in_a_pretty_printed_object_drops_nothing_after_it() {
    let doc = "{\n  \"id\": \"T-1\",\n  \"category\": \"招商引资\"\n}\n{\n  \"id\": \"T-2\",\n  \"category\": \"招商引资\",\n  \"funding\": {\"amount\": \"三千\"}\n}\n{\n  \"id\": \"T-3\",\n  \"category\": \"创卫迎检\"\n}\n";
    let rows = read(doc.as_bytes(), "doc.json", InputFormat::Json);
    assert_eq!(
        summary(&rows),
        [
            "1: ok T-1",
            "5: error doc.json:8:25: field `funding.amount` should be a number, found the string \"三千\"",
            "10: ok T-3",
        ]
    );
    let (stdout, stderr, code) = zhunru(EVAL, doc.as_bytes(), "doc.json");
    assert_eq!(code, Some(1));
    assert_eq!(stdout.lines().count(), 3);
    assert!(stderr.contains("1 subject(s) could not be read; every other subject was decided"));
}

#[test]
fn a_syntax_error_in_a_pretty_printed_object_is_one_error() {
    // A line break inside a string in the 2nd object: its own lines are not read, the 3rd is.
    let doc = "{\n  \"id\": \"T-1\",\n  \"category\": \"招商引资\"\n}\n{\n  \"id\": \"T-2,\n  \"category\": \"x\"\n}\n{\n  \"id\": \"T-3\",\n  \"category\": \"创卫迎检\"\n}\n";
    let rows = read(doc.as_bytes(), "doc.json", InputFormat::Json);
    let s = summary(&rows);
    assert_eq!(rows.len(), 3, "{s:#?}");
    assert_eq!(rows[1].0, 5);
    assert_eq!(rows[1].1.as_ref().unwrap_err().line(), Some(6), "{s:#?}");
    assert_eq!(rows[2].1.as_ref().unwrap().id(), Some("T-3"));
}

#[test]
fn arrays_are_read_element_by_element() {
    let pretty = "[\n  {\"id\": \"A\", \"category\": \"a\"},\n  {\n    \"id\": \"B\",\n    \"category\": 5\n  },\n  {\"id\": \"C\", \"category\": \"c\"}\n]\n";
    let one_line = "[{\"id\": \"A\", \"category\": \"a\"}, {\"id\": \"B\", \"category\": 5}, {\"id\": \"C\", \"category\": \"c\"}]";
    for (doc, b_line) in [(pretty, 5), (one_line, 1)] {
        let rows = read(doc.as_bytes(), "a.json", InputFormat::Json);
        let s = summary(&rows);
        assert_eq!(rows.len(), 3, "{s:#?}");
        assert_eq!(rows[0].1.as_ref().unwrap().id(), Some("A"));
        let e = rows[1].1.as_ref().unwrap_err();
        assert_eq!(e.line(), Some(b_line), "{s:#?}");
        assert!(
            e.message().contains("`category` should be a string"),
            "{s:#?}"
        );
        assert_eq!(rows[2].1.as_ref().unwrap().id(), Some("C"));
    }
}

#[test]
fn json_lines_read_strictly_refuse_a_value_across_lines() {
    assert_eq!(
        InputFormat::from_path("x.ndjson".as_ref()),
        InputFormat::JsonLines
    );
    let doc = "{\n\"category\": \"a\"}\n";
    let rows = read(doc.as_bytes(), "x.jsonl", InputFormat::JsonLines);
    assert_eq!(rows.len(), 2, "{:#?}", summary(&rows));
    assert!(rows.iter().all(|(_, r)| r.is_err()));
}

// ---- 2. CRLF inside a quoted CSV cell stays CRLF ----

#[test]
fn crlf_inside_a_quoted_cell_stays_crlf_and_csv_and_json_lines_agree() {
    let csv = "id,requester,category\r\nT-1,\"区民政局\r\n二科\",创卫迎检\r\nT-2,\"区民政局\n二科\",创卫迎检\r\n";
    let rows = read(csv.as_bytes(), "c.csv", InputFormat::Csv);
    let requester = |i: usize| {
        rows[i]
            .1
            .as_ref()
            .unwrap()
            .fields()
            .get("requester")
            .cloned()
    };
    assert_eq!(requester(0), Some(Value::from("区民政局\r\n二科")));
    assert_eq!(requester(1), Some(Value::from("区民政局\n二科")));

    let jsonl = "{\"id\":\"T-1\",\"requester\":\"区民政局\\r\\n二科\",\"category\":\"创卫迎检\"}\r\n{\"id\":\"T-2\",\"requester\":\"区民政局\\n二科\",\"category\":\"创卫迎检\"}\r\n";
    let (from_csv, _, a) = zhunru(AUDIT, csv.as_bytes(), "c.csv");
    let (from_jsonl, _, b) = zhunru(AUDIT, jsonl.as_bytes(), "c.jsonl");
    assert_eq!(a, b);
    // The reports name their log; otherwise they are the same, byte for byte (CSV rows
    // are one line further on, for the header).
    let from_csv = from_csv
        .replace("c.csv", "LOG")
        .replace("\"line\": 3", "\"line\": 2");
    let from_csv = from_csv.replace("\"line\": 2,\n", "\"line\": 1,\n");
    let from_jsonl = from_jsonl.replace("c.jsonl", "LOG");
    assert_eq!(
        from_csv
            .lines()
            .filter(|l| !l.contains("\"line\""))
            .collect::<Vec<_>>(),
        from_jsonl
            .lines()
            .filter(|l| !l.contains("\"line\""))
            .collect::<Vec<_>>()
    );
    assert!(from_jsonl.contains("区民政局\\r\\n二科"), "{from_jsonl}");
}

// ---- 3. Text after a closing quote swallows nothing ----

#[test]
fn text_after_a_closing_quote_is_one_error_and_the_next_rows_are_read() {
    let csv = "id,category,requirements\nT-1,\"创卫\"x,\"多行\n\"\nT-2,招商引资,\nT-3,创卫迎检,\n";
    let rows = read(csv.as_bytes(), "aq.csv", InputFormat::Csv);
    let s = summary(&rows);
    assert_eq!(rows.len(), 3, "{s:#?}");
    assert!(
        s[0].starts_with("2: error aq.csv:2:9: text after the closing quote"),
        "{s:#?}"
    );
    assert_eq!(&s[1..], ["4: ok T-2", "5: ok T-3"]);
    // Python's csv and the csv crate see three records too.
    let reference = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(csv.as_bytes())
        .into_byte_records()
        .count();
    assert_eq!(reference, 3);
}

// ---- 4. The row limit invents nothing ----

#[test]
fn a_cell_over_the_limit_is_one_error_and_no_row_is_made_from_inside_it() {
    let mut csv = String::from("id,category,requirements\nT-1,创卫迎检,\"");
    csv.push_str(&"T-9,协税护税,\n".repeat(60_000));
    csv.push_str("\"\nT-2,招商引资,\n");
    let rows = read(csv.as_bytes(), "p.csv", InputFormat::Csv);
    let s = summary(&rows);
    assert_eq!(
        s,
        [
            "2: error p.csv:2:1: a row is longer than 1048576 bytes (lines 2–60002, not read)",
            "60003: ok T-2"
        ]
    );
    let (stdout, _, code) = zhunru(AUDIT, csv.as_bytes(), "p.csv");
    assert_eq!(code, Some(1));
    assert!(!stdout.contains("T-9"));
    assert!(stdout.contains("T-2"));
}

#[test]
fn an_unclosed_quote_is_reported_where_it_opened() {
    let mut csv = String::from("id,category\nT-1,创卫迎检\nT-2,\"招商引资\n");
    csv.push_str(&"T-9,协税护税\n".repeat(50_000));
    let rows = read(csv.as_bytes(), "u.csv", InputFormat::Csv);
    let s = summary(&rows);
    assert_eq!(
        s,
        [
            "2: ok T-1",
            "3: error u.csv:3:5: a quoted cell is never closed: the file ends inside quotes (50000 lines below, none of them read as a row)"
        ]
    );
}

#[test]
fn a_json_line_over_the_limit_is_one_error() {
    let mut jsonl = String::from("{\"id\":\"T-1\",\"category\":\"a\",\"requirements\":\"");
    jsonl.push_str(&"x".repeat(1 << 20));
    jsonl.push_str("\"}\n{\"id\":\"T-2\",\"category\":\"b\"}\n");
    let s = summary(&read(jsonl.as_bytes(), "l.jsonl", InputFormat::Json));
    assert_eq!(
        s,
        [
            "1: error l.jsonl:1:1: the line is longer than 1048576 bytes",
            "2: ok T-2"
        ]
    );
}

// ---- 5. A missing category is an error in JSON as in CSV ----

#[test]
fn a_blank_or_null_category_is_an_error_in_json_and_csv() {
    for value in ["null", "\"\"", "\"  \"", "\"\u{3000}\"", "\"\\t\""] {
        let line = format!("{{\"id\":\"T-1\",\"category\":{value}}}");
        let rows = read(line.as_bytes(), "c.jsonl", InputFormat::Json);
        let e = rows[0].1.as_ref().unwrap_err();
        assert!(
            e.message().contains("a task needs a `category`"),
            "{value}: {e}"
        );
    }
    for cell in ["", "  ", "\u{3000}", "\"\""] {
        let csv = format!("id,category\nT-1,{cell}\n");
        let rows = read(csv.as_bytes(), "c.csv", InputFormat::Csv);
        let e = rows[0].1.as_ref().unwrap_err();
        assert!(
            e.message().contains("a task needs a `category`"),
            "{cell:?}: {e}"
        );
    }
}

// ---- 6. The smaller inconsistencies ----

#[test]
fn csv_and_json_read_the_same_values() {
    let csv = "category,community_role,period.end,basis,requester,work_plan\n创卫迎检, assist , 2020-06-30 , ,  ,是\n";
    let json = "{\"category\":\"创卫迎检\",\"community_role\":\" assist \",\"period\":{\"end\":\" 2020-06-30 \"},\"basis\":[\" \"],\"requester\":\"  \",\"work_plan\":true}";
    let from_csv = read(csv.as_bytes(), "s.csv", InputFormat::Csv);
    let from_json = read(json.as_bytes(), "s.jsonl", InputFormat::Json);
    let a = from_csv[0].1.as_ref().unwrap();
    let b = from_json[0].1.as_ref().unwrap();
    assert_eq!(a.get("community_role"), Some(&Value::from("assist")));
    assert_eq!(b.get("community_role"), Some(&Value::from("assist")));
    assert_eq!(a.get("period.end"), b.get("period.end"));
    assert_eq!(a.get("requester"), None);
    assert_eq!(b.get("requester"), None);
    // `basis` is not given in either (no item that is not blank).
    let given =
        |s: &Subject| matches!(s.get("basis"), Some(Value::List(items)) if !items.is_empty());
    assert!(!given(a) && !given(b));
    let policy = zhunru::Policy::from_file("policies/yingjiang.policy").unwrap();
    let as_of = zhunru::Date::new(2020, 6, 1).unwrap();
    let mut one = Vec::new();
    let mut two = Vec::new();
    policy.decide_json(a, as_of, &mut one);
    policy.decide_json(b, as_of, &mut two);
    assert_eq!(String::from_utf8_lossy(&one), String::from_utf8_lossy(&two));
}

#[test]
fn a_bom_is_skipped_in_json_lines_too_and_a_second_one_is_refused() {
    let jsonl = "\u{feff}{\"id\":\"T-1\",\"category\":\"a\"}\n";
    assert_eq!(
        summary(&read(jsonl.as_bytes(), "b.jsonl", InputFormat::Json)),
        ["1: ok T-1"]
    );
    let two = "\u{feff}\u{feff}id,category\nT-1,a\n";
    let s = summary(&read(two.as_bytes(), "b.csv", InputFormat::Csv));
    assert_eq!(s.len(), 1);
    assert!(
        s[0].contains("b.csv:1:1: the header starts with a second byte-order mark"),
        "{s:?}"
    );
    let two = "\u{feff}\u{feff}{\"id\":\"T-1\",\"category\":\"a\"}\n{\"id\":\"T-2\",\"category\":\"a\"}\n";
    let s = summary(&read(two.as_bytes(), "b.jsonl", InputFormat::Json));
    assert!(s[0].starts_with("1: error b.jsonl:1:1:"), "{s:?}");
    assert_eq!(s[1], "2: ok T-2");
}

#[test]
fn a_duplicate_kind_is_an_error() {
    let line = "{\"kind\":\"task\",\"kind\":\"community\",\"category\":\"a\"}";
    let rows = read(line.as_bytes(), "k.jsonl", InputFormat::Json);
    assert!(
        rows[0]
            .1
            .as_ref()
            .unwrap_err()
            .message()
            .contains("field `kind` is given twice")
    );
}

#[test]
fn a_form_feed_line_is_not_blank() {
    let jsonl = "{\"id\":\"T-1\",\"category\":\"a\"}\n\u{c}\n{\"id\":\"T-2\",\"category\":\"a\"}\n";
    let s = summary(&read(jsonl.as_bytes(), "f.jsonl", InputFormat::Json));
    assert_eq!(s.len(), 3, "{s:?}");
    assert!(s[1].starts_with("2: error f.jsonl:2:1:"), "{s:?}");
    let csv = "id,category\nT-1,a\n\u{c}\nT-2,b\n";
    let s = summary(&read(csv.as_bytes(), "f.csv", InputFormat::Csv));
    assert_eq!(s.len(), 3, "{s:?}");
    assert!(s[1].starts_with("3: error f.csv:3:1:"), "{s:?}");
}

#[test]
fn cr_only_line_ends_are_line_ends_in_both_readers() {
    let csv = "id,category\rT-1,a\rT-2,\"b\rc\"\rT-3,\r";
    let s = summary(&read(csv.as_bytes(), "r.csv", InputFormat::Csv));
    assert_eq!(
        s,
        [
            "2: ok T-1",
            "3: ok T-2",
            "5: error r.csv:5:5: a task needs a `category` (what the lists are matched against)"
        ]
    );
    let jsonl = "{\"id\":\"T-1\",\"category\":\"a\"}\r{\"id\":\"T-2\"}\r";
    let s = summary(&read(jsonl.as_bytes(), "r.jsonl", InputFormat::Json));
    assert_eq!(
        s,
        [
            "1: ok T-1",
            "2: error r.jsonl:2:12: a task needs a `category` (what the lists are matched against)"
        ]
    );
}

#[test]
fn integers_beyond_2_pow_53_are_out_of_exact_range() {
    let line = "{\"category\":\"a\",\"funding\":{\"amount\":9007199254740993}}";
    let e = read(line.as_bytes(), "n.jsonl", InputFormat::Json)
        .remove(0)
        .1
        .unwrap_err();
    assert!(
        e.message().contains(
            "field `funding.amount` is 9007199254740993, beyond the range of exact numbers"
        ),
        "{e}"
    );
    let ok = "{\"category\":\"a\",\"funding\":{\"amount\":9007199254740992}}";
    assert!(
        read(ok.as_bytes(), "n.jsonl", InputFormat::Json)[0]
            .1
            .is_ok()
    );
    // Past 64 bits serde_json reads an integer as the nearest f64: refused all the same, as
    // are a fraction or an exponent beyond the range.
    for written in [
        "123456789012345678901",
        "1e300",
        "-1e17",
        "9007199254740993.5",
    ] {
        let line = format!("{{\"category\":\"a\",\"funding\":{{\"amount\":{written}}}}}");
        let e = read(line.as_bytes(), "n.jsonl", InputFormat::Json)
            .remove(0)
            .1
            .unwrap_err();
        assert_eq!(
            e.kind(),
            zhunru::InputErrorKind::WrongType,
            "{written}: {e}"
        );
        assert_eq!(e.field(), Some("funding.amount"), "{written}: {e}");
        assert!(
            e.message().contains("beyond the range of exact numbers"),
            "{written}: {e}"
        );
    }
    for written in ["9007199254740993", "1e17"] {
        let csv = format!("category,funding.amount\na,{written}\n");
        let e = read(csv.as_bytes(), "n.csv", InputFormat::Csv)
            .remove(0)
            .1
            .unwrap_err();
        assert!(
            e.message().contains("beyond the range of exact numbers"),
            "{written}: {e}"
        );
    }
}

#[test]
fn json_nested_128_deep_is_a_limit_not_invalid_json() {
    let deep = format!(
        "{{\"category\":\"a\",\"x\":{}{}}}",
        "[".repeat(130),
        "]".repeat(130)
    );
    let e = read(deep.as_bytes(), "d.jsonl", InputFormat::Json)
        .remove(0)
        .1
        .unwrap_err();
    assert!(
        e.message().contains("nested more than 128 deep: a limit"),
        "{e}"
    );
    assert!(!e.message().contains("not valid JSON"), "{e}");
}

// ---- 7. Differential tests ----

/// A small seeded generator (xorshift64*): the same seed gives the same files everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

fn cases() -> (u64, usize) {
    let seed = std::env::var("ZHUNRU_DIFF_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1u64);
    let n = std::env::var("ZHUNRU_DIFF_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    (seed, n)
}

/// A cell's text: every RFC 4180 edge case.
fn cell_text(rng: &mut Rng) -> String {
    match rng.below(14) {
        0 => String::new(),
        1 => "T-1".to_owned(),
        2 => "琥珀社区，创卫迎检".to_owned(),
        3 => "a,b".to_owned(),
        4 => "say \"hi\"".to_owned(),
        5 => "two\nlines".to_owned(),
        6 => "crlf\r\nlines".to_owned(),
        7 => "cr\ronly".to_owned(),
        8 => "\"".to_owned(),
        9 => " padded ".to_owned(),
        10 => "全角　空格".to_owned(),
        11 => "x".repeat(1 + rng.below(20_000)),
        12 => "\n".to_owned(),
        _ => "a\"b".to_owned(),
    }
}

fn write_cell(out: &mut String, text: &str, rng: &mut Rng) {
    let needs = text.contains([',', '"', '\r', '\n']) || text.is_empty() && rng.chance(30);
    if needs || rng.chance(20) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// One generated CSV file: its bytes, and which records were written malformed.
fn csv_file(rng: &mut Rng) -> (Vec<u8>, usize) {
    let columns = 2 + rng.below(4);
    let records = rng.below(25);
    let mut out = String::new();
    if rng.chance(20) {
        out.push('\u{feff}');
    }
    let mut malformed = 0;
    for r in 0..records {
        for c in 0..columns {
            if c > 0 {
                out.push(',');
            }
            if rng.chance(3) {
                // Text after a closing quote: malformed, but the record ends where the
                // reference reader's does.
                out.push_str("\"ab\"cd");
                malformed += 1;
            } else {
                let text = cell_text(rng);
                write_cell(&mut out, &text, rng);
            }
        }
        let last = r + 1 == records;
        if !last || rng.chance(60) {
            out.push_str(["\n", "\r\n", "\r"][rng.below(3)]);
        }
        if !last && rng.chance(10) {
            out.push('\n');
        }
    }
    (out.into_bytes(), malformed)
}

#[test]
fn differential_csv_against_the_csv_crate() {
    let (seed, n) = cases();
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    for case in 0..n {
        let (file, _) = csv_file(&mut rng);
        let without_bom = file.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&file);
        let reference: Vec<csv::ByteRecord> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(without_bom)
            .into_byte_records()
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("seed {seed} case {case}: csv crate: {e}"));
        let ours: Vec<_> = csv_records(file.as_slice(), "d.csv").collect();
        let context = || {
            let text = String::from_utf8_lossy(&file);
            let short: String = text.split("xxxxxxxxxx").collect::<Vec<_>>().join("x…");
            format!("seed {seed} case {case}: {short:?}")
        };
        assert_eq!(ours.len(), reference.len(), "{}", context());
        for (i, ((line, record), expected)) in ours.iter().zip(&reference).enumerate() {
            let fields: Vec<&[u8]> = expected.iter().collect();
            let malformed = fields.iter().any(|f| f.windows(4).any(|w| w == b"abcd"));
            match record {
                Ok(cells) => {
                    assert!(
                        !malformed,
                        "record {i} read though malformed: {}",
                        context()
                    );
                    let cells: Vec<&[u8]> = cells.iter().map(|c| c.as_bytes()).collect();
                    assert_eq!(cells, fields, "record {i}: {}", context());
                }
                Err(e) => {
                    assert!(malformed, "record {i}: {e}: {}", context());
                    assert!(e.column() > Some(0));
                }
            }
            // The record's first line, from the byte offset the csv crate gives (its own
            // line count counts `\n` only, and may stand before the `\n` of a `\r\n` or
            // before blank lines): line ends are `\n`, `\r\n` and a lone `\r`.
            let start = {
                let mut at = expected.position().map_or(0, |p| p.byte() as usize);
                while matches!(without_bom.get(at), Some(b'\r' | b'\n')) {
                    at += 1;
                }
                let prefix = without_bom.get(..at).unwrap_or(without_bom);
                1 + prefix
                    .iter()
                    .enumerate()
                    .filter(|&(i, &b)| {
                        b == b'\r' || (b == b'\n' && (i == 0 || prefix[i - 1] != b'\r'))
                    })
                    .count()
            };
            {
                assert_eq!(*line, start, "record {i} line: {}", context());
            }
        }
    }
}

#[test]
fn differential_json_lines_against_serde_json() {
    let (seed, n) = cases();
    let mut rng = Rng(seed.wrapping_mul(0xd1b5_4a32_d192_ed03) | 1);
    for case in 0..n {
        let count = 1 + rng.below(30);
        let mut lines: Vec<String> = Vec::new();
        for i in 0..count {
            let category = ["招商引资", "创卫迎检", "a\"b", "两行\n文本"][rng.below(4)];
            let good = serde_json::json!({
                "id": format!("T-{i}"),
                "category": category,
                "funding": {"amount": rng.below(10_000)},
            })
            .to_string();
            // Bad lines at random places, the first and the last included.
            let bad =
                rng.chance(20) || (i == 0 && rng.chance(40)) || (i + 1 == count && rng.chance(40));
            let line = if bad {
                match rng.below(7) {
                    0 => good
                        .get(..1 + rng.below(good.len() - 1))
                        .map_or(String::new(), |s| {
                            // Cut on a char boundary.
                            let mut s = s.to_owned();
                            while !good.is_char_boundary(s.len()) {
                                s.pop();
                            }
                            s
                        }),
                    1 => format!("{good}}}"),
                    2 => format!("{good},"),
                    3 => "{\"id\": \"T-x\", \"category\": \"x\",}".to_owned(),
                    4 => "[".to_owned(),
                    5 => "{\"id\":".to_owned(),
                    _ => "not json".to_owned(),
                }
            } else {
                good
            };
            lines.push(line);
        }
        let mut text = String::new();
        for line in &lines {
            text.push_str(line);
            text.push_str(["\n", "\r\n"][rng.below(2)]);
        }
        let reference: Vec<(usize, Option<String>)> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                let id = serde_json::from_str::<serde_json::Value>(l)
                    .ok()
                    .filter(|v| v.is_object())
                    .and_then(|v| v["id"].as_str().map(str::to_owned));
                (i + 1, id)
            })
            .collect();
        for format in [InputFormat::Json, InputFormat::JsonLines] {
            let ours: Vec<(usize, Option<String>)> = read(text.as_bytes(), "d.jsonl", format)
                .into_iter()
                .map(|(line, r)| (line, r.ok().and_then(|s| s.id().map(str::to_owned))))
                .collect();
            if format == InputFormat::Json && lines.first().map(String::as_str) == Some("[") {
                // A file that starts with a bare `[` is an array, its elements may end
                // with `,`: not JSON Lines, so serde_json's line by line verdict does not
                // apply (`arrays_are_read_element_by_element` covers it).
                continue;
            }
            if format == InputFormat::Json {
                // Without being told it is JSON Lines, a line cut short may go on over a
                // next line that could continue it (`{"a":` then `not json`): those lines
                // are then one error, not two. What is decided is the same, and every error
                // stands at a line serde_json refuses.
                let decided = |rows: &[(usize, Option<String>)]| {
                    rows.iter()
                        .filter(|r| r.1.is_some())
                        .cloned()
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    decided(&ours),
                    decided(&reference),
                    "seed {seed} case {case} Json: {text:?}"
                );
                for (line, id) in &ours {
                    if id.is_none() {
                        assert!(
                            reference.contains(&(*line, None)),
                            "line {line}: seed {seed} case {case}: {text:?}"
                        );
                    }
                }
                assert_eq!(
                    ours.iter().any(|r| r.1.is_none()),
                    reference.iter().any(|r| r.1.is_none())
                );
                continue;
            }
            assert_eq!(
                ours, reference,
                "seed {seed} case {case} {format:?}: {text:?}"
            );
        }
    }
}

/// Enumerated fields take the Chinese wordings a form writes (负责, 已批准, 一次性) in JSON
/// and in CSV, read as the contract's values; anything else is still an error that lists
/// the values with their labels.
#[test]
fn enumerated_values_in_chinese_words() {
    use zhunru::input::{InputFormat, read_subjects};
    let json = "{\"category\":\"行政执法\",\"community_role\":\"负责\",\"approval\":{\"status\":\"已批准\"},\"funding\":{\"per\":\"每月\"},\"requester_level\":\"街道\"}\n\
                {\"category\":\"x\",\"community_role\":\"领导\"}\n";
    let csv = "category,community_role,approval.status,funding.per,requester_level\n行政执法,负责,已批准,每月,街道\nx,领导,,,\n";
    for (text, format) in [(json, InputFormat::JsonLines), (csv, InputFormat::Csv)] {
        let rows: Vec<_> =
            read_subjects(std::io::Cursor::new(text), "t".to_owned(), format).collect();
        assert_eq!(rows.len(), 2);
        let subject = rows[0].1.as_ref().unwrap();
        for (path, value) in [
            ("community_role", "responsible"),
            ("approval.status", "approved"),
            ("funding.per", "month"),
            ("requester_level", "street"),
        ] {
            assert_eq!(
                subject.get(path),
                Some(&zhunru::Value::Text(value.to_owned())),
                "{format:?} {path:?}"
            );
        }
        let e = rows[1].1.as_ref().unwrap_err();
        assert!(
            e.message()
                .contains(r#""responsible" (责任主体), "assist" (协助)"#),
            "{}",
            e.message()
        );
    }
}

/// A near miss of a field inside a contract object (`funding.amout`) is refused with the
/// field meant, in JSON as in a CSV header: kept as an unknown field, the amount was
/// missing and the decision asked for funding the task had. So is a near miss at the top
/// (`fundng`, `comunity_role`: absent, the role reads as `assist`, which turns a denial into
/// an approval procedure). A name far from every field, a short one, or a field's plural (the
/// subject's own fields) is kept.
#[test]
fn a_misspelt_key_is_refused_with_the_field_meant() {
    let rows = read(
        concat!(
            r#"{"category":"企业摸底","funding":{"amout":3000,"per":"once"}}"#,
            "\n",
            r#"{"category":"企业摸底","funding":{"amount":3000,"source":"区财政"}}"#,
            "\n",
            r#"{"category":"企业摸底","fundng":{"amount":3000}}"#,
            "\n",
            r#"{"category":"行政执法","comunity_role":"responsible"}"#,
            "\n",
            r#"{"category":"企业摸底","names":["甲"],"note":"n","community_name":"x","kinds":1}"#,
            "\n",
        )
        .as_bytes(),
        "t.jsonl",
        InputFormat::JsonLines,
    );
    assert_eq!(
        summary(&rows),
        [
            "1: error t.jsonl:1:31: field `funding.amout`: `funding` has no field `amout`; did you mean `funding.amount`?",
            "2: ok 企业摸底",
            "3: error t.jsonl:3:20: field `fundng`: a subject has no field `fundng`; did you mean `funding`?",
            "4: error t.jsonl:4:20: field `comunity_role`: a subject has no field `comunity_role`; did you mean `community_role`?",
            "5: ok 企业摸底",
        ]
    );
    let Ok(kept) = &rows[1].1 else { unreachable!() };
    assert_eq!(kept.get("funding.source"), Some(&Value::from("区财政")));
    // The builder and the REPL's typed text refuse it alike.
    let error = Subject::task("企业摸底")
        .with("funding.amout", 3000)
        .unwrap_err();
    assert!(
        error.to_string().contains("did you mean `funding.amount`?"),
        "{error}"
    );
    let typed = zhunru::input::coerce(zhunru::SubjectKind::Task, "funding.amout", "3000");
    assert!(
        typed
            .unwrap_err()
            .contains("did you mean `funding.amount`?")
    );
    let error = Subject::task("企业摸底").with("aproval", "x").unwrap_err();
    assert!(
        error.to_string().contains("did you mean `approval`?"),
        "{error}"
    );
    let typed = zhunru::input::coerce(zhunru::SubjectKind::Task, "requestr", "区经信局");
    assert!(typed.unwrap_err().contains("did you mean `requester`?"));
    let typed = zhunru::input::coerce(zhunru::SubjectKind::Task, "remarks", "x");
    assert_eq!(typed, Ok(Value::from("x")));
}

/// Every form of input error the readers write, as `--lang zh` shows it beside its English:
/// reviewers read Chinese, and a form left untranslated shows in English (none here should).
#[test]
fn input_errors_in_chinese() {
    let deep = format!(
        "{{\"category\":\"x\",\"extra\":{}{}}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let long = format!(
        "{{\"category\":\"{}\"}}\n",
        "x".repeat(zhunru::input::MAX_LINE_BYTES)
    );
    let json: Vec<(&str, Vec<u8>)> = vec![
        (
            "number",
            r#"{"category":"x","funding":{"amount":"三千"}}"#.as_bytes().to_vec(),
        ),
        (
            "one of",
            br#"{"category":"x","approval":{"status":"ok"}}"#.to_vec(),
        ),
        (
            "date",
            br#"{"category":"x","period":{"end":"2020-02-30"}}"#.to_vec(),
        ),
        (
            "one of, not a string",
            br#"{"category":"x","requester_level":5}"#.to_vec(),
        ),
        (
            "control character",
            br#"{"category":"\u001b[31mx"}"#.to_vec(),
        ),
        (
            "control character in an unknown field",
            br#"{"category":"x","extra":["a\u0007"]}"#.to_vec(),
        ),
        ("not an object", b"null".to_vec()),
        ("not an object, a list", b"[1]".to_vec()),
        ("bool", br#"{"category":"x","work_plan":"yes"}"#.to_vec()),
        ("list", br#"{"category":"x","basis":"a"}"#.to_vec()),
        ("object", br#"{"category":"x","funding":[1]}"#.to_vec()),
        ("string", br#"{"category":"x","requester":3}"#.to_vec()),
        ("twice", br#"{"category":"x","category":"y"}"#.to_vec()),
        ("no category", br#"{"id":"T-1"}"#.to_vec()),
        (
            "envelope",
            br#"{"district":"hefei","subject":{"category":"x"}}"#.to_vec(),
        ),
        (
            "near miss",
            br#"{"category":"x","funding":{"amout":3000}}"#.to_vec(),
        ),
        (
            "near miss at the top",
            br#"{"category":"x","comunity_role":"responsible"}"#.to_vec(),
        ),
        (
            "exact field",
            br#"{"category":"x","funding":{"amount":9007199254740993}}"#.to_vec(),
        ),
        (
            "exact any",
            br#"{"category":"x","extra":9007199254740993}"#.to_vec(),
        ),
        (
            "span",
            br#"{"category":"x","period":{"start":"2020-07-01","end":"2020-06-30"}}"#.to_vec(),
        ),
        (
            "span, start given later",
            br#"{"category":"x","period":{"end":"2020-06-30","start":"2020-07-01"}}"#.to_vec(),
        ),
        ("syntax", br#"{"category":"x",}"#.to_vec()),
        ("too early", br#"{"category":"x""#.to_vec()),
        ("deep", deep.into_bytes()),
        ("utf-8", b"{\"category\":\"\xff\"}".to_vec()),
        ("too long", long.into_bytes()),
        (
            "bom",
            "\u{feff}{\"category\":\"x\"}\n\u{feff}{\"category\":\"y\"}"
                .as_bytes()
                .to_vec(),
        ),
    ];
    let csv: Vec<(&str, Vec<u8>)> = vec![
        (
            "csv bool",
            "category,work_plan\nx,maybe\n".as_bytes().to_vec(),
        ),
        (
            "csv column",
            "category,funding.amout\nx,1\n".as_bytes().to_vec(),
        ),
        (
            "csv column at the top",
            "category,requestr\nx,区经信局\n".as_bytes().to_vec(),
        ),
        (
            "csv span",
            "category,period.start,period.end\nx,2020-07-01,2020-06-30\n"
                .as_bytes()
                .to_vec(),
        ),
        ("csv twice", "category,category\nx,y\n".as_bytes().to_vec()),
        (
            "csv control character",
            "category\nx\x07\n".as_bytes().to_vec(),
        ),
        ("csv empty header", "category,\nx,y\n".as_bytes().to_vec()),
        ("csv quote", "category\n\"x\n".as_bytes().to_vec()),
        ("csv utf-8", b"category\n\xff\n".to_vec()),
    ];
    let mut shown = String::new();
    let cases = json
        .into_iter()
        .map(|(n, t)| (n, t, InputFormat::JsonLines))
        .chain(csv.into_iter().map(|(n, t)| (n, t, InputFormat::Csv)));
    for (name, text, format) in cases {
        let error = read(&text, "in", format)
            .into_iter()
            .find_map(|(_, r)| r.err())
            .unwrap_or_else(|| panic!("{name}: no error"));
        let zh = error.localized(zhunru::Lang::Zh);
        let message = zh.message_shown();
        // Translated: not the English text, and none of its words left.
        assert_ne!(message, error.message(), "{name}: not translated");
        for word in ["should", "field ", "found", "column ", "not valid", "twice"] {
            assert!(!message.contains(word), "{name}: {message}");
        }
        shown.push_str(&format!("{name}\n  {}\n  {message}\n", error.message()));
    }
    // An unknown form is shown as it is.
    let other = zhunru::InputError::new("in", 1, 1, "something else".to_owned(), "x");
    assert_eq!(
        other.localized(zhunru::Lang::Zh).message_shown(),
        "something else"
    );
    insta::assert_snapshot!(shown);
}

// ---- A period that ends before it starts ----

/// The one refusal of every reader: a `period` (any object whose `start` and `end` are
/// dates) that ends before it starts is an input error naming the end given later, located
/// there; a period of one day, or with an end absent or `null`, is read.
#[test]
fn a_period_that_ends_before_it_starts_is_refused_by_every_reader() {
    let jsonl = concat!(
        r#"{"id":"T-1","category":"企业摸底","period":{"start":"2020-07-01","end":"2020-06-30"}}"#,
        "\n",
        r#"{"id":"T-2","category":"企业摸底","period":{"end":"2020-06-30","start":" 2020-07-01 "}}"#,
        "\n",
        r#"{"id":"T-3","category":"企业摸底","period":{"start":"2020-06-30","end":"2020-06-30"}}"#,
        "\n",
        r#"{"id":"T-4","category":"企业摸底","period":{"start":"2020-07-01","end":null}}"#,
        "\n",
        r#"{"id":"T-5","category":"企业摸底","period":{"end":"2020-06-30"}}"#,
        "\n",
    );
    let rows = read(jsonl.as_bytes(), "p.jsonl", InputFormat::JsonLines);
    let located: Vec<_> = rows
        .iter()
        .filter_map(|(_, r)| r.as_ref().err())
        .map(|e| (e.location(), e.field().map(str::to_owned), e.kind()))
        .collect();
    assert_eq!(
        located,
        [
            // The whole `period` object is underlined, from where it starts.
            (
                "p.jsonl:1:40".to_owned(),
                Some("period.end".to_owned()),
                zhunru::InputErrorKind::WrongType
            ),
            (
                "p.jsonl:2:40".to_owned(),
                Some("period.start".to_owned()),
                zhunru::InputErrorKind::WrongType
            ),
        ]
    );
    assert_eq!(
        summary(&rows)[..2],
        [
            "1: error p.jsonl:1:40: field `period.end` should be a date no earlier than `period.start` (2020-07-01), found \"2020-06-30\"",
            "2: error p.jsonl:2:40: field `period.start` should be a date no later than `period.end` (2020-06-30), found \"2020-07-01\"",
        ]
    );
    assert_eq!(summary(&rows)[2..], ["3: ok T-3", "4: ok T-4", "5: ok T-5"]);

    // CSV: at the later of the two cells, whichever column comes first.
    for (csv, column, field) in [
        (
            "id,category,period.start,period.end\nT-1,企业摸底,2020-07-01,2020-06-30\nT-2,企业摸底,2020-06-01,2020-06-30\n",
            21,
            "period.end",
        ),
        (
            "id,category,period.end,period.start\nT-1,企业摸底,2020-06-30,２０２０－０７－０１\nT-2,企业摸底,2020-06-30,2020-06-01\n",
            21,
            "period.start",
        ),
    ] {
        let rows = read(csv.as_bytes(), "p.csv", InputFormat::Csv);
        let e = rows[0].1.as_ref().unwrap_err();
        assert_eq!(e.location(), format!("p.csv:2:{column}"), "{e}");
        assert_eq!(e.field(), Some(field), "{e}");
        assert!(rows[1].1.is_ok(), "{:?}", rows[1]);
    }

    // The library's builder: the end set last is refused, in either order.
    let task = Subject::task("企业摸底");
    let e = task
        .clone()
        .with("period.end", "2020-06-30")
        .unwrap()
        .with("period.start", "2020-07-01")
        .unwrap_err();
    assert_eq!(e.path(), "period.start");
    let fine = task
        .with("period.start", "2020-05-01")
        .unwrap()
        .with("period.end", "2020-06-30")
        .unwrap();
    let e = fine.clone().with("period.start", "2020-07-01").unwrap_err();
    assert_eq!(e.path(), "period.start");
    assert!(fine.with("period.start", "2020-06-30").is_ok());

    // A span a policy declares is held to the same rule, by the policy's reader.
    let policy = zhunru::Policy::from_str(
        "span.policy",
        "政策 「最小」\n文件 「文件」 { 条款 C1 「条文」 }\n字段 事项.subsidy.start 「补贴开始」 类型 日期\n字段 事项.subsidy.end 「补贴结束」 类型 日期\n规则 一 引用 C1\n  当 事项.subsidy.end 已提供\n  准予准入 「有补贴」\n",
    )
    .unwrap();
    let e = policy
        .subject_from_json(
            "s",
            r#"{"category":"x","subsidy":{"start":"2020-07-01","end":"2020-06-30"}}"#,
        )
        .unwrap_err();
    assert_eq!(e.field(), Some("subsidy.end"), "{e}");
    assert!(
        policy
            .subject_from_json(
                "s",
                r#"{"category":"x","subsidy":{"start":"2020-06-01","end":"2020-06-30"}}"#,
            )
            .is_ok()
    );
}

/// `eval` decides every other line and reports the refused one in its place.
#[test]
fn eval_reports_a_period_ending_before_it_starts_in_its_place() {
    let input = concat!(
        r#"{"id":"T-1","category":"企业摸底","period":{"start":"2020-05-01","end":"2020-06-30"}}"#,
        "\n",
        r#"{"id":"T-2","category":"企业摸底","period":{"start":"2020-07-01","end":"2020-06-30"}}"#,
        "\n",
        r#"{"id":"T-3","category":"企业摸底"}"#,
        "\n",
    );
    for jobs in ["1", "2"] {
        let (out, _, code) = zhunru(
            &[
                "eval",
                "--policy",
                "policies/yingjiang.policy",
                "--as-of",
                "2020-06-01",
                "--format",
                "json",
                "--jobs",
                jobs,
            ],
            input.as_bytes(),
            "span.jsonl",
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[0].contains("\"id\":\"T-1\""), "{out}");
        assert!(
            lines[1].starts_with("{\"error\":") && lines[1].contains("period.end"),
            "{out}"
        );
        assert!(lines[2].contains("\"id\":\"T-3\""), "{out}");
        assert_eq!(code, Some(1));
    }
}
