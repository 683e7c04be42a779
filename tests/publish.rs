//! Comparing and publishing: `zhunru diff`, `compare` and `notice`, snapshotted on the
//! shipped policies and on a last-year/this-year pair of Yingjiang's (tests/cases/diff/).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::io::BufReader;
use std::process::{Command, Output};

use zhunru::input::SubjectReader;
use zhunru::{Date, Policy, Subject, Verdict, compare, diff, notice};

const DISTRICTS: &[&str] = &["hefei", "nanqiao", "yingjiang"];
const OLD: &str = "tests/cases/diff/yingjiang-2020.policy";
const NEW: &str = "tests/cases/diff/yingjiang-2021.policy";
const SUBJECTS: &str = "tests/cases/diff/subjects.jsonl";

fn as_of() -> Date {
    Date::new(2020, 6, 1).unwrap()
}

fn policy(path: &str) -> Policy {
    Policy::from_file(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn shipped() -> Vec<Policy> {
    DISTRICTS
        .iter()
        .map(|d| policy(&format!("policies/{d}.policy")))
        .collect()
}

fn subjects(path: &str) -> Vec<(usize, Subject)> {
    let reader = BufReader::new(std::fs::File::open(path).unwrap());
    SubjectReader::new(reader, path)
        .map(|(line, read)| (line, read.unwrap_or_else(|e| panic!("{e}"))))
        .collect()
}

fn zhunru(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn yearly_review() -> diff::PolicyDiff {
    let (old, new) = (policy(OLD), policy(NEW));
    diff::diff(&old, &new).with_subjects(&old, &new, &subjects(SUBJECTS), as_of())
}

// ------------------------------------------------------------------ diff

#[test]
fn diff_of_the_yearly_review() {
    let d = yearly_review();
    insta::assert_snapshot!("diff_text", diff::render_text(&d));
    insta::assert_snapshot!("diff_md", diff::render_markdown(&d));
    insta::assert_snapshot!("diff_json", diff::render_json(&d));
}

#[test]
fn diff_names_each_kind_of_change() {
    let d = yearly_review();
    assert_eq!(d.header.len(), 1, "only the effective date was added");
    let admitted = d.lists.iter().find(|l| l.name == "准入清单").unwrap();
    assert_eq!(admitted.entries_added.len(), 2);
    assert_eq!(admitted.entries_removed[0].value, "垃圾分类入户宣传");
    assert!(admitted.title_change.is_some());
    let added = d.lists.iter().find(|l| l.name == "退出事项").unwrap();
    assert_eq!(added.change, diff::Change::Added);
    let changed: Vec<(&str, diff::Change)> = d
        .rules
        .iter()
        .map(|r| (r.name.as_str(), r.change))
        .collect();
    assert_eq!(
        changed,
        [
            ("审批准入费随事转", diff::Change::Changed),
            ("退出事项须重新审批", diff::Change::Added)
        ],
        "re-laid-out rules are not changes; only the rule with a new requirement is"
    );
    let s = d.subjects.as_ref().unwrap();
    assert_eq!(s.decided, 9);
    let lines: Vec<usize> = s.changed.iter().map(|c| c.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 6]);
    let enforcement = s.changed.iter().find(|c| c.line == 6).unwrap();
    assert_eq!(enforcement.old.verdict, Verdict::NeedsApproval);
    assert_eq!(
        enforcement.new.verdict,
        Verdict::Denied,
        "城管执法 became an alias"
    );
}

#[test]
fn a_policy_against_itself_has_no_differences() {
    for p in shipped() {
        let d = diff::diff(&p, &p);
        assert!(d.is_empty(), "{}", diff::render_text(&d));
    }
    let out = zhunru(&[
        "diff",
        "--exit-code",
        "policies/yingjiang.policy",
        "policies/yingjiang.policy",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("no differences in the policy"));
}

#[test]
fn the_english_keyword_versions_mean_the_same() {
    for d in DISTRICTS {
        let zh = policy(&format!("policies/{d}.policy"));
        let en = policy(&format!("examples/policies/en/{d}.policy"));
        let diff = diff::diff(&zh, &en);
        assert!(diff.is_empty(), "{}", diff::render_text(&diff));
    }
}

#[test]
fn diff_from_the_command_line() {
    let args = [
        "diff",
        OLD,
        NEW,
        "--subjects",
        SUBJECTS,
        "--as-of",
        "2020-06-01",
    ];
    let out = zhunru(&args);
    assert_eq!(out.status.code(), Some(0), "differences are not errors");
    assert_eq!(stdout(&out), diff::render_text(&yearly_review()));

    let mut with_exit_code = args.to_vec();
    with_exit_code.push("--exit-code");
    assert_eq!(zhunru(&with_exit_code).status.code(), Some(1));

    let mut json = args.to_vec();
    json.extend(["--format", "json"]);
    let out = zhunru(&json);
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["subjects"]["changed"].as_array().unwrap().len(), 5);

    let out = zhunru(&["diff", "policies/nope.policy", NEW]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zhunru::io"));
}

#[test]
fn diff_with_bad_subject_lines_decides_the_rest_and_exits_1() {
    let out = zhunru(&[
        "diff",
        OLD,
        NEW,
        "--subjects",
        "examples/bad/bad-lines.jsonl",
        "--as-of",
        "2020-06-01",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("subjects: "));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be read"));
}

// ------------------------------------------------------------------ compare

fn shipped_comparison() -> compare::Comparison {
    let policies = shipped();
    let refs: Vec<&Policy> = policies.iter().collect();
    compare::compare(&refs, &["文明城市创建入户调查".to_owned()], as_of())
}

#[test]
fn compare_the_three_districts() {
    let c = shipped_comparison();
    insta::assert_snapshot!("compare_text", compare::render_text(&c));
    insta::assert_snapshot!("compare_md", compare::render_markdown(&c));
    insta::assert_snapshot!("compare_csv", compare::render_csv(&c));
}

#[test]
fn compare_shows_what_the_seed_says() {
    let c = shipped_comparison();
    let row = |label: &str| {
        c.rows
            .iter()
            .find(|r| r.label() == label)
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    let column = |name: &str| {
        c.districts
            .iter()
            .position(|d| d.name.contains(name))
            .unwrap()
    };
    let (hefei, nanqiao, yingjiang) = (column("合肥"), column("南谯"), column("迎江"));
    // 经济创收: banned in Yingjiang (Y3) and, through the national parent (民发〔2015〕136号),
    // in Nanqiao too, though Nanqiao's own lists do not name it.
    assert_eq!(row("经济创收").cells[yingjiang].verdict, Verdict::Denied);
    assert_eq!(row("经济创收").cells[nanqiao].verdict, Verdict::Denied);
    // 生产安全管理: on Nanqiao's negative list (N2) only.
    assert_eq!(row("生产安全管理").cells[nanqiao].verdict, Verdict::Denied);
    assert_eq!(
        row("生产安全管理").cells[yingjiang].verdict,
        Verdict::NeedsApproval
    );
    // 行政执法: always banned in Nanqiao (N2); in Yingjiang only as responsible party (Y3).
    assert_eq!(row("行政执法").cells[nanqiao].verdict, Verdict::Denied);
    assert_eq!(
        row("行政执法").cells[yingjiang].verdict,
        Verdict::NeedsApproval
    );
    let responsible = row("行政执法（作为责任主体）");
    assert_eq!(responsible.role, compare::Role::Responsible);
    assert_eq!(responsible.cells[yingjiang].verdict, Verdict::Denied);
    // Categories that no district decides differently by role get no second row.
    assert!(
        c.rows
            .iter()
            .all(|r| r.label() != "招商引资（作为责任主体）")
    );
    // Hefei names no negative list of its own, but its national parent (民发〔2015〕136号)
    // cancels 招商引资 as a task quota; other items outside its lists go to approval (H2).
    assert_eq!(row("招商引资").cells[hefei].verdict, Verdict::Denied);
    assert_eq!(
        row("生产安全管理").cells[hefei].verdict,
        Verdict::NeedsApproval
    );
    // Example entries are marked; the quoted negative items are not.
    assert!(row("居民会议组织").cells[nanqiao].example);
    assert!(!row("招商引资").cells[nanqiao].example);
    // Signage and assessment-indicator lists are not task categories.
    assert!(
        c.rows
            .iter()
            .all(|r| r.category != "台账" && r.category != "中国社区")
    );
    // The extra category comes last.
    assert_eq!(c.rows.last().unwrap().category, "文明城市创建入户调查");
}

#[test]
fn compare_csv_is_rfc_4180() {
    let policies = shipped();
    let refs: Vec<&Policy> = policies.iter().collect();
    let c = compare::compare(&refs, &["a,\"quoted\"\nline".to_owned()], as_of());
    let csv = compare::render_csv(&c);
    assert!(csv.ends_with("\r\n"));
    assert!(csv.contains("\"a,\"\"quoted\"\"\nline\",assist,"));
    // Every record has the header's number of fields (none of the others is quoted).
    let header_fields = csv.lines().next().unwrap().split(',').count();
    assert_eq!(header_fields, 2 + 4 * DISTRICTS.len());
    for line in csv
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.contains('"'))
    {
        assert_eq!(line.split(',').count(), header_fields, "{line}");
    }
}

#[test]
fn compare_from_the_command_line() {
    let out = zhunru(&[
        "compare",
        "--as-of",
        "2020-06-01",
        "--format",
        "md",
        "--category",
        "文明城市创建入户调查",
        "policies/hefei.policy",
        "policies/nanqiao.policy",
        "policies/yingjiang.policy",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        compare::render_markdown(&shipped_comparison())
    );
    // Categories from a subjects file: the tasks' categories join the table.
    let out = zhunru(&[
        "compare",
        "--as-of",
        "2020-06-01",
        "--format",
        "csv",
        "--subjects",
        SUBJECTS,
        "policies/yingjiang.policy",
    ]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("\r\n消防安全入户宣传,assist,needs_approval,"));
}

// ------------------------------------------------------------------ notice

#[test]
fn notices_of_the_shipped_policies() {
    for (district, p) in DISTRICTS.iter().zip(shipped()) {
        let n = notice::notice(&p);
        insta::assert_snapshot!(format!("notice_{district}_md"), notice::render_markdown(&n));
        insta::assert_snapshot!(format!("notice_{district}_html"), notice::render_html(&n));
    }
}

#[test]
fn a_notice_never_presents_an_example_as_quoted() {
    for p in shipped() {
        let n = notice::notice(&p);
        let examples: usize = p
            .ast()
            .lists
            .iter()
            .flat_map(|l| &l.entries)
            .filter(|e| e.example)
            .count();
        assert_eq!(n.examples(), examples);
        let md = notice::render_markdown(&n);
        let tagged = md
            .lines()
            .filter(|l| l.ends_with(&format!("*〔{}〕*", notice::EXAMPLE_TAG)))
            .count();
        assert_eq!(tagged, examples, "{md}");
        let html = notice::render_html(&n);
        assert_eq!(html.matches("<li class=\"example\">").count(), examples);
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
        let effective = p.ast().header.effective.is_some();
        assert_eq!(!effective, md.contains(notice::NO_EFFECTIVE_DATE));
    }
}

#[test]
fn notice_from_the_command_line() {
    let out = zhunru(&["notice", "policies/hefei.policy", "--format", "html"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout(&out),
        notice::render_html(&notice::notice(&policy("policies/hefei.policy")))
    );
    let out = zhunru(&["notice", "tests/cases/broken/unknown_list.policy"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
}
