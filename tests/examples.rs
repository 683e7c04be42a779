//! Every shipped example decided by every district, snapshotted (as of 2020-06-01, the
//! examples' year; and 2020-07-15 for the lapsing short-term admission).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::path::{Path, PathBuf};

use zhunru::input::SubjectReader;
use zhunru::{Date, Policy};

const DISTRICTS: &[&str] = &["hefei", "nanqiao", "yingjiang"];

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    out.sort();
    out
}

fn decide_file(path: &Path, as_of: Date) -> String {
    let mut out = String::new();
    for district in DISTRICTS {
        let policy = Policy::from_file(format!("policies/{district}.policy")).unwrap();
        out.push_str(&format!("## {district}\n"));
        let reader = std::io::BufReader::new(std::fs::File::open(path).unwrap());
        for (line, read) in SubjectReader::new(reader, path.display().to_string()) {
            let subject = read.unwrap_or_else(|e| panic!("{}:{line}: {e}", path.display()));
            let d = policy.decide(&subject, as_of);
            let json = serde_json::to_string(&d).unwrap();
            let mut fast = Vec::new();
            policy.decide_json(&subject, as_of, &mut fast);
            assert_eq!(
                String::from_utf8(fast).unwrap(),
                json,
                "decide_json differs"
            );
            out.push_str(&format!("{line}: {json}\n"));
        }
    }
    out
}

#[test]
fn every_example_is_decided() {
    let as_of = Date::new(2020, 6, 1).unwrap();
    let mut all = files("examples/tasks", "json");
    all.extend(files("examples/premises", "json"));
    all.extend(files("examples/assessments", "json"));
    all.extend(files("examples", "jsonl"));
    assert!(all.len() >= 20, "examples are missing: {all:?}");
    for path in all {
        let name = path.display().to_string().replace(['/', '.'], "_");
        insta::assert_snapshot!(name, decide_file(&path, as_of));
    }
}

#[test]
fn the_short_term_admission_lapses_after_its_period() {
    let path = Path::new("examples/tasks/enterprise-survey.json");
    let before = decide_file(path, Date::new(2020, 6, 1).unwrap());
    let after = decide_file(path, Date::new(2020, 7, 15).unwrap());
    let yingjiang = |s: &str| s.split("## yingjiang").nth(1).unwrap().to_owned();
    assert!(yingjiang(&before).contains("\"verdict\":\"admitted\""));
    assert!(yingjiang(&after).contains("\"verdict\":\"needs_approval\""));
    assert!(yingjiang(&after).contains("\"missing\":[\"period\"]"));
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
