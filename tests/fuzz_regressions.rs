//! Inputs the fuzzers (`fuzz/`) found to break an invariant, kept as tests through the
//! public API. Each named test holds the minimised input inline and says what went wrong;
//! `tests/cases/fuzz/{policy,subject}/` hold the fuzzers' own artifacts, re-checked against
//! every invariant the fuzz targets assert (`fuzz/invariants.rs`, included here by path).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

#[path = "../fuzz/invariants.rs"]
mod invariants;

use zhunru::format::format_source;
use zhunru::{Policy, Source};

fn cases(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        // `.gitkeep` keeps an empty folder in git; it is not a case.
        .filter(|p| {
            p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn every_policy_artifact_holds_the_invariants() {
    let artifacts = cases("tests/cases/fuzz/policy");
    assert!(
        !artifacts.is_empty(),
        "tests/cases/fuzz/policy holds no case"
    );
    for (name, bytes) in artifacts {
        let text = String::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: not UTF-8"));
        eprintln!("{name}");
        invariants::policy(&text);
    }
}

#[test]
fn every_subject_artifact_holds_the_invariants() {
    let artifacts = cases("tests/cases/fuzz/subject");
    // The folder must hold cases, or this test checks nothing.
    assert!(
        !artifacts.is_empty(),
        "tests/cases/fuzz/subject holds no case"
    );
    for (name, bytes) in artifacts {
        eprintln!("{name}");
        invariants::subject(&bytes);
    }
}

/// A `#` (or `//`) after a nested corner quote inside a message was taken for a comment:
/// the comment finder ended the text at the first `」` though corner quotes nest, so `fmt`
/// printed `#b」` again as a comment line after the rule, one more copy on every run.
#[test]
fn hash_after_nested_corner_quote_is_text_not_a_comment() {
    let text = "政策 「示例」\n\n文件 「依据」 {\n  条款 N2 「条款」\n}\n\n规则 r 引用 N2\n  当 事项.category == \"x\"\n  不予准入 「「a」#b」\n";
    let source = Source::new("nested.policy", text);
    assert!(zhunru::parse_policy(&source).unwrap().comments.is_empty());
    assert_eq!(format_source(&source, None).unwrap(), text);
    let slashes = text.replace('#', "//");
    let source = Source::new("nested.policy", slashes.as_str());
    assert_eq!(format_source(&source, None).unwrap(), slashes);
    let policy = Policy::from_str("nested.policy", text).unwrap();
    assert_eq!(policy.rule("r").map(|r| r.name.node.as_str()), Some("r"));
    invariants::policy(text);
}
