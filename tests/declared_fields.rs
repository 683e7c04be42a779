//! Input is typed by the fields a policy declares (`字段`), as by the contract's (issue 10,
//! part 4): a value of the wrong type, or outside a one-of field's values, is an input error
//! at its line and column naming the field and the allowed values, in JSON (the exact reader
//! and the fast JSON Lines path), in CSV and through the library; a one-of value's Chinese
//! words are read as it; fields nobody declares are kept.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

#[path = "support/run.rs"]
mod run;

use std::process::Command;

use zhunru::input::InputFormat;
use zhunru::{Policy, SubjectKind, Value};

const POLICY: &str = "tests/cases/fields/declared.policy";

fn policy() -> Policy {
    Policy::from_file(POLICY).unwrap()
}

/// `zhunru eval --format json` on `input` (a `.jsonl` file): stdout, stderr, exit code. With
/// `exact`, the fast path is turned off.
fn eval(input: &str, exact: bool) -> (String, String, i32) {
    let dir = std::env::temp_dir().join(format!(
        "zhunru-declared-{}-{exact}-{:x}",
        std::process::id(),
        input.len()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("in.jsonl");
    std::fs::write(&file, input).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zhunru"));
    cmd.args([
        "eval", "--policy", POLICY, "--format", "json", "--lang", "en",
    ])
    .arg(&file)
    .env("NO_COLOR", "1");
    if exact {
        cmd.env("ZHUNRU_EXACT_READER", "1");
    }
    let out = cmd.output().unwrap();
    let dir = dir.display().to_string();
    (
        String::from_utf8(out.stdout).unwrap().replace(&dir, "DIR"),
        String::from_utf8(out.stderr).unwrap().replace(&dir, "DIR"),
        out.status.code().unwrap_or(-1),
    )
}

const LINES: &str = concat!(
    r#"{"id":"ok","category":"环境整治","community_type":"涉农","note":"kept"}"#,
    "\n",
    r#"{"id":"out","category":"环境整治","community_type":"农村"}"#,
    "\n",
    r#"{"id":"num","category":"环境整治","hours":"很多"}"#,
    "\n",
    r#"{"id":"date","category":"环境整治","survey_on":"2020-02-30"}"#,
    "\n",
    r#"{"id":"long","category":"环境整治","hours":120,"community_type":"urban"}"#,
    "\n",
    r#"{"id":"plain","category":"环境整治"}"#,
    "\n",
);

#[test]
fn json_lines_are_typed_by_the_declared_fields_on_both_paths() {
    let fast = eval(LINES, false);
    let exact = eval(LINES, true);
    // The same bytes out and the same exit; stderr differs only in where miette wraps.
    assert_eq!(
        (&fast.0, fast.2),
        (&exact.0, exact.2),
        "the fast path and the exact reader agree"
    );
    let (out, err, code) = fast;
    assert_eq!(code, 1, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    // 涉农 is a word of `rural`: read as it, the rule on `rural` applies.
    assert_eq!(lines[0]["verdict"], "needs_approval");
    assert!(
        out.lines()
            .next()
            .unwrap()
            .contains("涉农社区的事项须经审批")
    );
    let error = |i: usize| lines[i]["error"]["message"].as_str().unwrap().to_owned();
    let at = |i: usize| lines[i]["error"]["at"].as_str().unwrap().to_owned();
    assert_eq!(
        error(1),
        r#"field `community_type` should be one of "urban" (城市), "rural" (涉农), found "农村""#
    );
    assert_eq!(at(1), "DIR/in.jsonl:2:48");
    assert_eq!(
        error(2),
        r#"field `hours` should be a number, found the string "很多""#
    );
    assert_eq!(at(2), "DIR/in.jsonl:3:39");
    assert!(error(3).starts_with("field `survey_on` should be a date"));
    assert_eq!(lines[4]["verdict"], "denied");
    assert_eq!(lines[5]["verdict"], "needs_approval");
    assert!(err.contains("3 subject(s) could not be read"), "{err}");
}

#[test]
fn the_library_reads_declared_fields_and_keeps_undeclared_ones() {
    let policy = policy();
    let rows: Vec<_> = policy
        .read_subjects(LINES.as_bytes(), "in.jsonl", InputFormat::JsonLines)
        .collect();
    let ok = rows[0].1.as_ref().unwrap();
    assert_eq!(ok.get("community_type"), Some(&Value::from("rural")));
    assert_eq!(ok.get("note"), Some(&Value::from("kept")));
    let out = rows[1].1.as_ref().unwrap_err();
    assert_eq!((out.line(), out.column()), (Some(2), Some(48)));
    assert_eq!(out.field(), Some("community_type"));
    // The contract alone does not know the field: kept as given.
    let contract: Vec<_> =
        zhunru::input::read_subjects(LINES.as_bytes(), "in.jsonl", InputFormat::JsonLines)
            .collect();
    assert!(contract.iter().all(|(_, r)| r.is_ok()));
    // One subject, and one line.
    assert!(
        policy
            .subject_from_json("form", r#"{"category":"x","hours":true}"#)
            .is_err()
    );
    assert!(
        policy
            .parse_line(
                r#"{"category":"x","community_type":"城市社区"}"#.as_bytes(),
                9,
                "b"
            )
            .unwrap()
            .get("community_type")
            == Some(&Value::from("urban"))
    );
    // Typed text, as the REPL and CSV give it.
    assert_eq!(
        policy.coerce(SubjectKind::Task, "community_type", "城市"),
        Ok(Value::from("urban"))
    );
    assert!(policy.coerce(SubjectKind::Task, "hours", "八").is_err());
    // A parent's declared fields type a child's input too.
    let child = Policy::from_file("policies/jiangyuan.policy").unwrap();
    let read = child.parse_line(
        r#"{"category":"招商引资","resident_acceptance":"不认可"}"#.as_bytes(),
        1,
        "-",
    );
    assert!(read.unwrap_err().message().contains(r#""群众普遍不认可""#));
}

#[test]
fn csv_columns_follow_the_declared_fields() {
    let policy = policy();
    let csv = "id,category,社区类型,hours,note\n\
               A,环境整治,涉农,3,x\n\
               B,环境整治,农村,3,x\n\
               C,环境整治,urban,三,x\n";
    let rows: Vec<_> = policy
        .read_subjects(csv.as_bytes(), "log.csv", InputFormat::Csv)
        .collect();
    let a = rows[0].1.as_ref().unwrap();
    // A label names its column; the value's word is read as the value.
    assert_eq!(a.get("community_type"), Some(&Value::from("rural")));
    assert_eq!(a.get("hours"), Some(&Value::Number(3.0)));
    assert_eq!(a.get("note"), Some(&Value::from("x")));
    let b = rows[1].1.as_ref().unwrap_err();
    assert_eq!((b.line(), b.column()), (Some(3), Some(8)));
    assert!(
        b.message().contains(r#""urban" (城市), "rural" (涉农)"#),
        "{b}"
    );
    let c = rows[2].1.as_ref().unwrap_err();
    assert_eq!((c.line(), c.column()), (Some(4), Some(14)));
    assert!(c.message().contains("should be a number"), "{c}");
}

#[test]
fn audit_reports_an_out_of_set_value_at_its_cell() {
    let (code, _, stderr) = run::zhunru(
        &["audit", "--policy", POLICY, "--log-format", "csv", "-"],
        &[("NO_COLOR", std::ffi::OsStr::new("1"))],
        "id,category,community_type,sent_on\nA,环境整治,农村,2020-05-01\n",
    ); // miette wraps long messages: read them as one line.
    let stderr = stderr
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("<stdin>:2:8:"), "{stderr}");
    assert!(
        stderr.contains(
            r#"field `community_type` should be one of "urban" (城市), "rural" (涉农), found"#
        ),
        "{stderr}"
    );
}

#[test]
fn the_notice_lists_the_declared_fields() {
    let notice = zhunru::notice::notice(&policy());
    let md = zhunru::notice::render_markdown(&notice);
    assert!(
        md.contains(
            "- 社区类型（事项.community\\_type）：取值「urban」（城市）、「rural」（涉农）"
        ),
        "{md}"
    );
    assert!(md.contains("- 工时（事项.hours）：数字"), "{md}");
    let html = zhunru::notice::render_html(&notice);
    assert!(html.contains("<h2>增设字段</h2>"));
}

/// `默认 「v」`: a declared field that is absent is read as its default — in the library, the
/// fast JSON Lines path and the exact reader alike; given as `null`, it is given (absent, not
/// defaulted). The contract's own defaults are written the same way in its schema file.
#[test]
fn a_declared_default_fills_an_absent_field() {
    let text = "政策 「测试：默认值」\n\
                文件 「本区办法」 {\n  条款 第三条 「城市社区的事项须经审批」\n}\n\
                字段 事项.community_type 「社区类型」 取值 「城市」、「涉农」 默认 「城市」\n\
                规则 城市社区事项 引用 第三条\n  当 事项.community_type == 「城市」\n  须经审批 「城市社区的事项须经审批」\n\
                规则 其他 引用 第三条\n  当 事项.community_type == 「涉农」\n  准予准入 「涉农社区的事项」\n";
    let policy = Policy::from_str("default.policy", text).unwrap();
    let today = zhunru::Date::parse("2024-01-01").unwrap();
    let decide = |json: &str| {
        let subject = policy.subject_from_json("t", json).unwrap();
        let decision = policy.decide(&subject, today);
        let rules: Vec<String> = decision
            .reasons()
            .iter()
            .map(|r| r.rule().to_owned())
            .collect();
        (decision.verdict().as_str().to_owned(), rules)
    };
    let by_default = decide(r#"{"category":"x"}"#);
    assert_eq!(by_default.0, "needs_approval");
    assert_eq!(by_default.1, ["城市社区事项"]);
    assert_eq!(
        decide(r#"{"category":"x","community_type":"涉农"}"#).0,
        "admitted"
    );
    // Given as null: neither rule applies (the engine's own reason: no rule covers it).
    let null = decide(r#"{"category":"x","community_type":null}"#);
    assert!(!null.1.contains(&"城市社区事项".to_owned()), "{null:?}");
    // A JSON Lines line read by the policy decides alike.
    let line = br#"{"category":"x"}"#;
    let fast = policy.parse_line(line, 1, "t").unwrap();
    assert_eq!(
        policy.decide(&fast, today).verdict().as_str(),
        "needs_approval"
    );
    // The contract's defaults come from schema/contract.policy.
    let contract = std::fs::read_to_string("schema/contract.policy").unwrap();
    assert!(contract.contains("默认 「assist」") && contract.contains("默认 「none」"));
    let task = zhunru::Subject::task("x");
    assert_eq!(task.get_str("community_role"), Some("assist"));
    assert_eq!(task.get_str("approval.status"), Some("none"));
}
