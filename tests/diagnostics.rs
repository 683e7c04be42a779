//! Diagnostics for broken policies (tests/cases/broken/*.policy), rendered whole and
//! snapshotted. Each file's first line says which code it must raise first.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use zhunru::{Source, check_source, render};

#[test]
fn broken_policies() {
    let mut paths: Vec<_> = std::fs::read_dir("tests/cases/broken")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 20);
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("// expect: "))
            .unwrap_or_else(|| panic!("{} has no `// expect:` line", path.display()))
            .trim()
            .to_owned();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = Source::new(format!("tests/cases/broken/{name}.policy"), text);
        let diagnostics = check_source(&source);
        let first = diagnostics
            .first()
            .unwrap_or_else(|| panic!("{name}: no diagnostic"));
        assert_eq!(first.code().as_str(), expect, "{name}");
        let rendered: String = diagnostics.iter().map(|d| render(d, false)).collect();
        insta::assert_snapshot!(name, rendered);
    }
}

#[test]
fn every_error_code_has_a_broken_policy() {
    let all: String = std::fs::read_dir("tests/cases/broken")
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for code in [
        "zhunru::parse::syntax",
        "zhunru::parse::too_deep",
        "zhunru::parse::bad_date",
        "zhunru::check::duplicate_name",
        "zhunru::check::unknown_list",
        "zhunru::check::unknown_cite",
        "zhunru::check::unknown_field",
        "zhunru::check::type_mismatch",
        "zhunru::check::mixed_subjects",
        "zhunru::check::wrong_outcome",
        "zhunru::check::bad_placeholder",
        "zhunru::check::assertion_failed",
        "zhunru::lint::duplicate_entry",
        "zhunru::lint::no_referral",
        "zhunru::lint::banned_and_admitted",
        "zhunru::lint::never_applies",
        "zhunru::lint::shadowed",
        "zhunru::lint::admit_without_funding",
    ] {
        assert!(
            all.contains(&format!("// expect: {code}")),
            "no broken policy for {code}"
        );
    }
}

/// The same diagnostics in Chinese (`--lang zh`): every message and help has a translation.
#[test]
fn broken_policies_in_chinese() {
    let mut paths: Vec<_> = std::fs::read_dir("tests/cases/broken")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    let mut all = String::new();
    for path in paths {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = Source::new(
            format!("tests/cases/broken/{name}"),
            std::fs::read_to_string(&path).unwrap(),
        );
        for d in check_source(&source) {
            let zh = d.localized(zhunru::Lang::Zh);
            let has_chinese = |t: &str| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
            assert!(
                has_chinese(zh.message()),
                "{name}: no Chinese for `{}`",
                d.message()
            );
            if let Some(help) = zh.help() {
                // Advice may quote keywords; it must still be written in Chinese.
                assert!(has_chinese(help), "{name}: help not in Chinese: {help}");
            }
            all.push_str(&format!(
                "{}: {}\n  help: {}\n",
                zh.code(),
                zh.message(),
                zh.help().unwrap_or_default()
            ));
        }
    }
    insta::assert_snapshot!(all);
}
