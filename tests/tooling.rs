//! Drafters' tooling through the binary: `zhunru test` and `zhunru fmt --check`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::process::Command;

fn zhunru(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn shipped_policies_pass_their_tests_with_full_coverage() {
    let (code, stdout, _) = zhunru(&["test", "--coverage", "policies"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("coverage: rules 10/10, list entries 22/22"),
        "{stdout}"
    );
    assert!(!stdout.contains("not exercised"), "{stdout}");
    insta::assert_snapshot!(stdout);
}

#[test]
fn a_failing_draft_shows_each_difference_and_what_is_untested() {
    let (code, stdout, _) = zhunru(&["test", "--coverage", "tests/cases/test/draft.policy"]);
    assert_eq!(code, Some(1));
    assert!(stdout.ends_with("2 passed, 2 failed\n"));
    insta::assert_snapshot!(stdout);
}

#[test]
fn fmt_check_fails_on_a_file_out_of_layout_and_passes_on_the_shipped_ones() {
    let (code, _, stderr) = zhunru(&[
        "fmt",
        "--check",
        "policies/hefei.policy",
        "policies/nanqiao.policy",
        "policies/yingjiang.policy",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    // The same draft, laid out carelessly: entries on one line, odd indentation.
    let messy = std::fs::read_to_string("tests/cases/test/draft.policy")
        .unwrap()
        .replace("「招商引资」\n  「协税护税」", "「招商引资」，「协税护税」")
        .replace(
            "  当 事项.category 属于 自治清单",
            "      当   事项.category 属于 自治清单",
        );
    let dir = std::env::temp_dir().join(format!("zhunru-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("messy.policy");
    std::fs::write(&path, &messy).unwrap();
    let path = path.to_str().unwrap();
    let (code, _, stderr) = zhunru(&["fmt", "--check", path]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("not in canonical layout"));
    let (code, _, _) = zhunru(&["fmt", path]);
    assert_eq!(code, Some(0));
    assert_eq!(
        std::fs::read_to_string(path).unwrap(),
        std::fs::read_to_string("tests/cases/test/draft.policy").unwrap()
    );
    let (code, stdout, _) = zhunru(&[
        "fmt",
        "--stdout",
        "--keywords",
        "en",
        "tests/cases/test/draft.policy",
    ]);
    assert_eq!(code, Some(0));
    insta::assert_snapshot!(stdout);
}
