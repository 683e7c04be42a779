//! Every shipped example decided under its own district (told by its id: `HF-`, `NQ-`,
//! `YJ-`), one snapshot per example file, and one table of every example's verdict under
//! every district: a message edit in one district rewrites that district's snapshots only
//! (as of 2020-06-01, the examples' year; and 2020-07-15 for the lapsing short-term
//! admission).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use zhunru::input::SubjectReader;
use zhunru::{Date, Policy, Subject};

const DISTRICTS: &[&str] = &["hefei", "nanqiao", "yingjiang"];

static POLICIES: LazyLock<Vec<Policy>> = LazyLock::new(|| {
    DISTRICTS
        .iter()
        .map(|d| Policy::from_file(format!("policies/{d}.policy")).unwrap())
        .collect()
});

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    out
}

fn examples() -> Vec<PathBuf> {
    let mut all = files("examples/tasks", "json");
    all.extend(files("examples/premises", "json"));
    all.extend(files("examples/assessments", "json"));
    all.extend(files("examples", "jsonl"));
    assert!(all.len() >= 20, "examples are missing: {all:?}");
    all
}

/// Every subject of a file with its line.
fn subjects(path: &Path) -> Vec<(usize, Subject)> {
    let reader = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    SubjectReader::new(reader, path.display().to_string())
        .map(|(line, read)| {
            (
                line,
                read.unwrap_or_else(|e| panic!("{}:{line}: {e}", path.display())),
            )
        })
        .collect()
}

/// The district an example belongs to, by its id's prefix.
fn own_district(path: &Path, line: usize, subject: &Subject) -> usize {
    let id = subject.id().unwrap_or("");
    let prefix = ["HF-", "NQ-", "YJ-"].iter().position(|p| id.starts_with(p));
    prefix.unwrap_or_else(|| {
        panic!(
            "{}:{line}: an example names its district by its id (HF-, NQ-, YJ-), not `{id}`",
            path.display()
        )
    })
}

/// The decision's JSON, checked to be what `decide_json` writes too.
fn decide(policy: &Policy, subject: &Subject, as_of: Date) -> String {
    let json = serde_json::to_string(&policy.decide(subject, as_of)).unwrap();
    let mut fast = Vec::new();
    policy.decide_json(subject, as_of, &mut fast);
    assert_eq!(
        String::from_utf8(fast).unwrap(),
        json,
        "decide_json differs"
    );
    json
}

/// Each subject of a file decided under its own district.
fn decide_file(path: &Path, as_of: Date) -> String {
    let mut out = String::new();
    for (line, subject) in subjects(path) {
        let d = own_district(path, line, &subject);
        let json = decide(&POLICIES[d], &subject, as_of);
        let _ = writeln!(out, "{line} ({}): {json}", DISTRICTS[d]);
    }
    out
}

#[test]
fn every_example_is_decided_under_its_own_district() {
    let as_of = Date::new(2020, 6, 1).unwrap();
    for path in examples() {
        let name = path.display().to_string().replace(['/', '.'], "_");
        insta::assert_snapshot!(name, decide_file(&path, as_of));
    }
}

#[test]
fn every_example_under_every_district() {
    // One row an example: its verdict under each district (the differences between the
    // districts at a glance; the reasons are in each example's own snapshot).
    let as_of = Date::new(2020, 6, 1).unwrap();
    let mut table = format!("example | {}\n", DISTRICTS.join(" | "));
    for path in examples() {
        for (line, subject) in subjects(&path) {
            let verdicts: Vec<String> = POLICIES
                .iter()
                .map(|p| {
                    decide(p, &subject, as_of);
                    p.decide(&subject, as_of).verdict().to_string()
                })
                .collect();
            let _ = writeln!(
                table,
                "{}:{line} {} | {}",
                path.display(),
                subject.id().unwrap_or(""),
                verdicts.join(" | ")
            );
        }
    }
    insta::assert_snapshot!(table);
}

#[test]
fn the_short_term_admission_lapses_after_its_period() {
    let path = Path::new("examples/tasks/enterprise-survey.json");
    let before = decide_file(path, Date::new(2020, 6, 1).unwrap());
    let after = decide_file(path, Date::new(2020, 7, 15).unwrap());
    assert!(before.contains("(yingjiang)"));
    assert!(before.contains("\"verdict\":\"admitted\""));
    assert!(after.contains("\"verdict\":\"needs_approval\""));
    assert!(after.contains("\"missing\":[\"period\"]"));
}

#[test]
fn bad_examples_are_reported_and_the_rest_decided() {
    let policy = Policy::from_file("policies/nanqiao.policy").unwrap();
    let as_of = Date::new(2020, 6, 1).unwrap();
    let mut report = String::new();
    for path in files("examples/bad", "jsonl")
        .into_iter()
        .chain(files("examples/bad", "json"))
    {
        report.push_str(&format!("## {}\n", path.display()));
        let reader = std::io::BufReader::new(std::fs::File::open(&path).unwrap());
        for (line, read) in SubjectReader::new(reader, path.display().to_string()) {
            match read {
                Ok(s) => report.push_str(&format!(
                    "{line}: {}\n",
                    policy.decide(&s, as_of).verdict().as_str()
                )),
                Err(e) => report.push_str(&format!("{line}: error {e}\n")),
            }
        }
    }
    insta::assert_snapshot!(report);
}
