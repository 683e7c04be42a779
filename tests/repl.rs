//! REPL transcripts: scripted sessions piped to `zhunru repl` (plain mode), snapshotted whole.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn session(script: &str, policies: &[&str]) -> String {
    let mut args = vec!["repl", "--as-of", "2020-06-01"];
    args.extend_from_slice(policies);
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const ALL: &[&str] = &[
    "policies/nanqiao.policy",
    "policies/yingjiang.policy",
    "policies/hefei.policy",
];

#[test]
fn transcripts() {
    let mut names: Vec<_> = std::fs::read_dir("tests/repl")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    names.sort();
    assert!(names.len() >= 4);
    for path in names {
        let script = std::fs::read_to_string(&path).unwrap();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = session(&script, ALL);
        insta::assert_snapshot!(name, out);
    }
}

#[test]
fn default_policies_are_the_shipped_ones() {
    let out = session(":districts\n", &[]);
    assert!(out.contains("* hefei"), "{out}");
    assert!(out.contains("nanqiao") && out.contains("yingjiang"));
}

/// A drafter edits the policy while the REPL runs: a broken edit shows its diagnostics and
/// the previous policy stays in force; a fixed edit takes effect.
#[test]
fn reload_keeps_the_previous_policy_when_the_file_is_broken() {
    let dir = std::env::temp_dir().join(format!("zhunru-repl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("draft.policy");
    let good = std::fs::read_to_string("policies/nanqiao.policy").unwrap();
    std::fs::write(&path, &good).unwrap();
    // Its parent, by the same relative path as in policies/.
    std::fs::copy("policies/national.policy", dir.join("national.policy")).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(["repl", "--as-of", "2020-06-01", path.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut transcript = String::new();
    let mut read_until = |marker: &str, transcript: &mut String| loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "REPL ended early:\n{transcript}"
        );
        transcript.push_str(&line);
        if line.contains(marker) {
            break;
        }
    };

    writeln!(stdin, "can 生产安全管理 enter?\n:districts").unwrap();
    read_until("* draft", &mut transcript);

    // A broken edit: the rule loses its cite.
    std::fs::write(
        &path,
        good.replace("规则 负面事项不得下放 引用 N2", "规则 负面事项不得下放"),
    )
    .unwrap();
    writeln!(stdin, ":reload\ncan 生产安全管理 enter?\n:districts").unwrap();
    read_until("* draft", &mut transcript);

    // A fixed edit that also changes the law: 生产安全管理 leaves the negative list (it is
    // not on the national parent's lists, so nothing else bans it).
    std::fs::write(
        &path,
        good.replace("  「生产安全管理」（别名 「安全生产管理」）\n", ""),
    )
    .unwrap();
    writeln!(stdin, ":reload\ncan 生产安全管理 enter?\n:quit").unwrap();
    drop(stdin);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    transcript.push_str(&rest);
    assert_eq!(child.wait().unwrap().code(), Some(0));

    let transcript = transcript.replace(dir.to_str().unwrap(), "<tmp>");
    let verdicts: Vec<&str> = transcript
        .lines()
        .filter(|l| {
            l.starts_with("denied") || l.starts_with("needs_approval") || l.starts_with("admitted")
        })
        .collect();
    assert_eq!(
        verdicts,
        [
            "denied 不予准入",
            "denied 不予准入",
            "needs_approval 须经准入审批"
        ]
    );
    insta::assert_snapshot!(transcript);
}

/// `exit`, `quit`, `退出` typed without a colon end the session: the next line is not read.
#[test]
fn bare_quit_words_end_the_session() {
    for word in ["exit", "quit", "退出", "EXIT", "quit。"] {
        let out = session(&format!("{word}\ncan 招商引资 enter?\n"), ALL);
        assert!(!out.contains("denied"), "{word}: {out}");
        assert!(!out.contains("不在清单"), "{word}: {out}");
    }
}
