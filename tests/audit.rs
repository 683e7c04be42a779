//! The audit: the shipped example log in every format (snapshots), CSV and JSON Lines giving
//! the same report, malformed rows, undated rows, late approvals, and the command's exit codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::io::Write;
use std::process::{Command, Output, Stdio};

use zhunru::audit::{AuditReport, ViolationClass};
use zhunru::input::{InputFormat, read_subjects};
use zhunru::{Date, Policy, Verdict, audit};

const AS_OF: &str = "2020-12-31";

fn as_of() -> Date {
    Date::parse(AS_OF).unwrap()
}

fn yingjiang() -> Policy {
    Policy::from_file("policies/yingjiang.policy").unwrap()
}

fn audit_file(path: &str) -> AuditReport {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let rows = read_subjects(file, path, InputFormat::from_path(path.as_ref()));
    audit(&yingjiang(), path, rows, as_of())
}

fn audit_text(log: &str, format: InputFormat) -> AuditReport {
    let rows = read_subjects(log.as_bytes(), "log", format);
    audit(&yingjiang(), "log", rows, as_of())
}

fn zhunru(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(input) = stdin {
        // The program may exit before reading its input (a broken policy): ignore EPIPE.
        let _ = child.stdin.take().unwrap().write_all(input);
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_example_log_in_every_format() {
    let report = audit_file("examples/audit/log.jsonl");
    assert_eq!(report.summary.rows, 312);
    assert_eq!(report.summary.malformed, 0);
    assert_eq!(report.summary.violations, 8);
    for class in ViolationClass::ALL {
        assert!(report.summary.by_class.get(class) > 0, "{class:?}");
    }
    // Units with violations come first.
    let firsts: Vec<usize> = report
        .summary
        .by_unit
        .iter()
        .map(|u| u.violations)
        .collect();
    assert!(firsts.windows(2).all(|w| w[0] >= w[1]), "{firsts:?}");
    insta::assert_snapshot!("example_text", report.to_text());
    insta::assert_snapshot!("example_md", report.to_markdown());
    insta::assert_snapshot!(
        "example_json",
        serde_json::to_string_pretty(&report).unwrap()
    );
}

#[test]
fn csv_and_json_lines_logs_give_the_same_report() {
    let jsonl = audit_file("examples/audit/log.jsonl");
    let mut csv = audit_file("examples/audit/log.csv");
    // The same rows, one a line: the CSV's lines are one further on, for its header.
    csv.summary.log = jsonl.summary.log.clone();
    for v in &mut csv.violations {
        v.line -= 1;
    }
    assert_eq!(csv, jsonl);
    assert_eq!(csv.to_text(), jsonl.to_text());
    assert_eq!(csv.to_markdown(), jsonl.to_markdown());
}

/// The same small log in both formats: a late approval, an undated row, a bad amount, a
/// community among the tasks, and a task without a requester.
const SMALL_JSONL: &str = r#"{"id":"S-1","sent_on":"2020-03-02","requester":"区经信局","category":"招商引资"}
{"id":"S-2","sent_on":"2020-03-05","requester":"宜城路街道办事处","category":"垃圾分类入户宣传"}
{"id":"S-3","sent_on":"2020-03-09","requester":"区应急管理局","category":"安全隐患排查","basis":["安徽省安全生产条例"],"work_plan":true,"requirements":"排查","period":{"start":"2020-03-01","end":"2020-05-31"},"funding":{"amount":1500,"per":"once"},"approval":{"status":"approved","by":"区社区建设领导小组","date":"2020-03-20"}}
{"id":"S-4","requester":"区卫健委","category":"创卫迎检"}
{"id":"S-5","sent_on":"2020-04-01","requester":"区人社局","category":"灵活就业人员信息采集","funding":{"amount":"三千"}}
{"kind":"community","name":"琥珀社区"}
{"id":"S-7","sent_on":"2020-04-03","category":"协税护税"}
"#;

const SMALL_CSV: &str = "kind,id,sent_on,requester,category,basis,work_plan,requirements,period.start,period.end,funding.amount,funding.per,approval.status,approval.by,approval.date,name
,S-1,2020-03-02,区经信局,招商引资,,,,,,,,,,,
,S-2,2020-03-05,宜城路街道办事处,垃圾分类入户宣传,,,,,,,,,,,
,S-3,2020-03-09,区应急管理局,安全隐患排查,安徽省安全生产条例,true,排查,2020-03-01,2020-05-31,1500,once,approved,区社区建设领导小组,2020-03-20,
,S-4,,区卫健委,创卫迎检,,,,,,,,,,,
,S-5,2020-04-01,区人社局,灵活就业人员信息采集,,,,,,三千,,,,,
community,,,,,,,,,,,,,,,琥珀社区
,S-7,2020-04-03,,协税护税,,,,,,,,,,,
";

#[test]
fn a_small_log_with_every_kind_of_row_in_every_format() {
    let report = audit_text(SMALL_JSONL, InputFormat::Json);
    let s = &report.summary;
    assert_eq!((s.rows, s.decided, s.malformed, s.undated), (7, 5, 2, 1));
    let late = report
        .violations
        .iter()
        .find(|v| v.id.as_deref() == Some("S-3"))
        .unwrap();
    assert_eq!(late.class, ViolationClass::NoApproval);
    assert!(late.approved_on == Date::parse("2020-03-20"));
    let undated = report
        .violations
        .iter()
        .find(|v| v.id.as_deref() == Some("S-4"))
        .unwrap();
    assert_eq!((undated.sent_on, undated.as_of), (None, as_of()));
    let errors: Vec<usize> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(errors, [5, 6]);
    insta::assert_snapshot!("small_text", report.to_text());
    insta::assert_snapshot!("small_md", report.to_markdown());
    insta::assert_snapshot!("small_json", serde_json::to_string_pretty(&report).unwrap());
}

#[test]
fn the_small_log_as_csv_gives_the_same_report() {
    let jsonl = audit_text(SMALL_JSONL, InputFormat::Json);
    let mut csv = audit_text(SMALL_CSV, InputFormat::Csv);
    for v in &mut csv.violations {
        v.line -= 1;
    }
    for e in &mut csv.errors {
        e.line -= 1;
        e.at.clear();
    }
    let mut jsonl_errors = jsonl.errors.clone();
    for e in &mut jsonl_errors {
        e.at.clear();
    }
    assert_eq!(csv.summary, jsonl.summary);
    assert_eq!(csv.violations, jsonl.violations);
    // The same rows fail for the same reasons (columns differ between the formats, and a
    // CSV cell is always text where JSON says "the string").
    let messages = |errors: &[zhunru::audit::RowError]| -> Vec<String> {
        errors
            .iter()
            .map(|e| e.message.split(", found").next().unwrap_or("").to_owned())
            .collect()
    };
    assert_eq!(messages(&csv.errors), messages(&jsonl_errors));
}

#[test]
fn the_report_round_trips_through_json() {
    let report = audit_text(SMALL_JSONL, InputFormat::Json);
    let json = serde_json::to_string(&report).unwrap();
    let back: AuditReport = serde_json::from_str(&json).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    assert_eq!(back.summary, report.summary);
    assert_eq!(back.violations.len(), report.violations.len());
    assert_eq!(back.violations[0].verdict, Verdict::Denied);
}

#[test]
fn the_command_exits_3_on_violations_and_prints_the_library_report() {
    for format in ["text", "json", "md"] {
        let out = zhunru(
            &[
                "audit",
                "--policy",
                "policies/yingjiang.policy",
                "--as-of",
                AS_OF,
                "--format",
                format,
                "examples/audit/log.csv",
            ],
            None,
        );
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        assert_eq!(text(&out.stderr), "");
        let report = audit_file("examples/audit/log.csv");
        let expected = match format {
            "text" => report.to_text(),
            "md" => report.to_markdown(),
            _ => serde_json::to_string_pretty(&report).unwrap() + "\n",
        };
        assert_eq!(text(&out.stdout), expected, "{format}");
    }
}

#[test]
fn the_command_exits_0_without_violations() {
    let log = "{\"id\":\"A\",\"sent_on\":\"2020-05-01\",\"requester\":\"区民政局\",\"category\":\"社会救助申请受理\"}\n";
    let out = zhunru(
        &["audit", "-p", "policies/yingjiang.policy", "-"],
        Some(log.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("No violations 未发现违规"));
}

#[test]
fn malformed_rows_exit_1_are_shown_on_stderr_and_the_rest_is_audited() {
    let out = zhunru(
        &[
            "audit",
            "-p",
            "policies/yingjiang.policy",
            "--as-of",
            AS_OF,
            "--log-format",
            "csv",
            "-",
        ],
        Some(SMALL_CSV.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("■ 区经信局 — 1 violation"), "{stdout}");
    assert!(
        stdout.contains("rows that could not be audited"),
        "{stdout}"
    );
    insta::assert_snapshot!("small_csv_stderr", text(&out.stderr));
}

#[test]
fn a_broken_policy_or_a_missing_log_exits_1() {
    let out = zhunru(
        &["audit", "-p", "tests/cases/broken/unknown_list.policy", "-"],
        Some(b""),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("zhunru::check::unknown_list"));
    let out = zhunru(
        &[
            "audit",
            "-p",
            "policies/yingjiang.policy",
            "no/such/log.csv",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read `no/such/log.csv`"));
    assert_eq!(
        zhunru(
            &["audit", "-p", "policies/yingjiang.policy", "-f", "pdf", "-"],
            None
        )
        .status
        .code(),
        Some(2)
    );
}

#[test]
fn the_readme_shows_the_example_report_as_it_is() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let command = "$ zhunru audit --policy policies/yingjiang.policy --as-of 2020-12-31 examples/audit/log.jsonl\n";
    let start = readme.find(command).expect("the README shows the audit") + command.len();
    let shown = &readme[start..];
    let shown = &shown[..shown.find("```").unwrap()];
    assert_eq!(shown, audit_file("examples/audit/log.jsonl").to_text());
}

#[test]
fn a_denied_certificate_is_classed_by_its_list_not_as_a_negative_list_item() {
    // 户籍证明 is an alias on the national list of certificates a community may not issue.
    let log = "id,sent_on,requester,category\nC-1,2021-03-02,某派出所,户籍证明\n";
    let rows = read_subjects(log.as_bytes(), "log.csv", InputFormat::Csv);
    let report = audit(
        &Policy::from_file("policies/hefei.policy").unwrap(),
        "log.csv",
        rows,
        as_of(),
    );
    let v = &report.violations[0];
    assert_eq!(v.class, ViolationClass::Denied);
    assert_eq!(
        v.lists,
        ["不应由基层群众性自治组织出具证明事项清单（第一批）"]
    );
    let text = report.to_text();
    assert!(
        text.contains("denied 不予准入 · 《不应由基层群众性自治组织出具证明事项清单（第一批）》"),
        "{text}"
    );
    assert!(!text.contains("负面清单"), "{text}");
    assert!(!report.to_markdown().contains("负面清单"));
}

#[test]
fn the_markdown_report_escapes_through_the_one_escaper() {
    // What a unit writes is escaped as every other Markdown renderer escapes it: `<` stays a
    // character (backslash-escaped, not an HTML entity), `_ # ~` are escaped too.
    let log = "id,sent_on,requester,category\nM-1,2020-03-02,<b>区_局#~</b>,招商引资\n";
    let report = audit_text(log, InputFormat::Csv);
    let md = report.to_markdown();
    assert!(md.contains(r"\<b\>区\_局\#\~\</b\>"), "{md}");
    assert!(!md.contains("&lt;"), "{md}");
}

/// A CSV log piped in is read as JSON (stdin has no name to tell): every row fails, and the
/// report says nothing was audited (not "no violations") and how to read the log as CSV.
#[test]
fn a_csv_log_read_as_json_is_said() {
    let log = "id,category,sent_on\nA,招商引资,2020-06-01\n";
    let out = zhunru(
        &["audit", "--policy", "policies/nanqiao.policy", "-"],
        Some(log.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert_eq!(
        stderr.matches("pass --log-format csv").count(),
        1,
        "{stderr}"
    );
    // On the last line, after every row's error, where it is read.
    assert!(
        stderr
            .trim_end()
            .lines()
            .last()
            .unwrap()
            .contains("pass --log-format csv"),
        "{stderr}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("Nothing audited 未审计任何事项"),
        "{stdout}"
    );
    assert!(!stdout.contains("No violations"), "{stdout}");
    let out = zhunru(
        &[
            "audit",
            "--policy",
            "policies/nanqiao.policy",
            "--log-format",
            "csv",
            "-",
        ],
        Some(log.as_bytes()),
    );
    assert!(!text(&out.stderr).contains("pass --log-format csv"));
    assert!(
        text(&out.stdout).contains("decided  1 task"),
        "{}",
        text(&out.stdout)
    );
}
