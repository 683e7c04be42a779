//! Several dated versions of one district side by side (Y6's yearly review): the version in
//! force on the date decides — in the library, `eval`, `audit` (per row's `sent_on`) and
//! `compare` — and overlapping versions are a located `bad_dates` error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::process::{Command, Stdio};

use zhunru::{Code, Date, Policy, Subject, Verdict, Versions};

const YINGJIANG: &str = "tests/cases/versions/yingjiang";

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn the_version_in_force_on_the_date_decides() {
    let versions = Versions::from_dir(YINGJIANG).unwrap();
    assert_eq!(versions.name(), "yingjiang");
    assert_eq!(versions.versions().count(), 2);
    // 2020.policy has no 生效: in force from the beginning until 2021.policy takes over.
    assert_eq!(versions.in_force(date("2019-01-01")).effective(), None);
    assert_eq!(versions.in_force(date("2020-12-31")).effective(), None);
    assert_eq!(
        versions.in_force(date("2021-01-01")).effective(),
        Some(date("2021-01-01"))
    );
    assert_eq!(versions.latest().effective(), Some(date("2021-01-01")));
    // 食品安全协管 joined the 准入清单 in the 2021 version (an example entry).
    let task = Subject::task("食品安全协管");
    assert_eq!(
        versions.decide(&task, date("2020-06-01")).verdict(),
        Verdict::NeedsApproval
    );
    assert_eq!(
        versions.decide(&task, date("2021-06-01")).verdict(),
        Verdict::Admitted
    );
}

#[test]
fn overlapping_versions_are_a_located_error() {
    let err = Versions::from_dir("tests/cases/versions/overlap").unwrap_err();
    assert_eq!(err.diagnostics().len(), 1);
    let d = &err.diagnostics()[0];
    assert_eq!(d.code(), Code::BadDates);
    assert!(d.message().contains("2020.policy"), "{}", d.message());
    assert!(d.message().contains("2021-06-30"), "{}", d.message());
    // It points at the later version's 生效.
    let at = zhunru::render(d, false);
    assert!(at.contains("overlap/2021.policy:9:6"), "{at}");

    let a = Policy::from_str("a.policy", "政策 「某区」\n  生效 2021-01-01\n").unwrap();
    let b = Policy::from_str("b.policy", "政策 「某区」\n  生效 2021-01-01\n").unwrap();
    let err = Versions::new("某区", vec![a, b]).unwrap_err();
    assert_eq!(err.diagnostics()[0].code(), Code::BadDates);
    assert!(
        err.diagnostics()[0]
            .message()
            .contains("both in force from 2021-01-01")
    );

    // An earlier version ending before the next begins is fine.
    let a = Policy::from_str("a.policy", "政策 「某区」\n  失效 2020-12-31\n").unwrap();
    let b = Policy::from_str("b.policy", "政策 「某区」\n  生效 2021-01-01\n").unwrap();
    assert!(Versions::new("某区", vec![b, a]).is_ok());
}

fn zhunru(args: &[&str], stdin: &str) -> (i32, String, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_command_line_takes_a_folder_of_versions() {
    // check: each file, then the folder's versions together.
    let (code, _, err) = zhunru(&["check", YINGJIANG], "");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = zhunru(&["check", "tests/cases/versions/overlap"], "");
    assert_eq!(code, 1);
    assert!(err.contains("zhunru::check::bad_dates"), "{err}");

    // eval: the version in force on --as-of.
    let task = "{\"category\":\"食品安全协管\"}\n";
    for (as_of, verdict) in [("2020-06-01", "needs_approval"), ("2021-06-01", "admitted")] {
        let (code, out, err) = zhunru(
            &["eval", "-p", YINGJIANG, "-f", "json", "--as-of", as_of, "-"],
            task,
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains(&format!("\"verdict\":\"{verdict}\"")),
            "{as_of}: {out}"
        );
    }

    // audit: each row by the version in force when it was sent.
    let log = "{\"id\":\"A\",\"category\":\"食品安全协管\",\"sent_on\":\"2020-06-01\"}\n\
               {\"id\":\"B\",\"category\":\"食品安全协管\",\"sent_on\":\"2021-06-01\"}\n";
    let (code, out, _) = zhunru(
        &[
            "audit",
            "-p",
            YINGJIANG,
            "-f",
            "json",
            "--log-format",
            "jsonl",
            "-",
        ],
        log,
    );
    assert_eq!(code, 3);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{out}");
    assert_eq!(violations[0]["id"], "A");

    // compare: a folder is one column, decided by the version in force.
    let (code, out, _) = zhunru(
        &[
            "compare",
            YINGJIANG,
            "-c",
            "食品安全协管",
            "--as-of",
            "2021-06-01",
            "-f",
            "csv",
        ],
        "",
    );
    assert_eq!(code, 0);
    let row = out.lines().find(|l| l.starts_with("食品安全协管")).unwrap();
    assert!(row.contains("admitted"), "{row}");
}

/// The REPL takes a folder as one district: the version in force on the session's date
/// decides, and `:as-of` moves to the version in force on the new date.
#[test]
fn the_repl_takes_a_folder_of_versions() {
    let script = "食品安全协管能否准入？\n:as-of 2021-06-01\n食品安全协管能否准入？\n";
    let (code, out, err) = zhunru(&["repl", "--as-of", "2020-06-01", YINGJIANG], script);
    assert_eq!(code, 0, "{err}");
    let first = out.find("needs_approval").unwrap();
    assert!(out.contains("yingjiang: the version in force is"), "{out}");
    let second = out.find("admitted 准予准入").unwrap();
    assert!(first < second, "{out}");
}
