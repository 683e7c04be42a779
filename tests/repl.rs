//! REPL transcripts: scripted sessions piped to `zhunru repl` (plain mode), snapshotted whole.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

#[path = "support/run.rs"]
mod run;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn session(script: &str, policies: &[&str]) -> String {
    // No config file: a developer's own defaults must not change a transcript.
    static EMPTY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let home = EMPTY.get_or_init(|| config_home("empty", None));
    let (code, out, err) = run_with(script, policies, home);
    assert_eq!(code, 0, "{err}");
    out
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

/// Under `--lang zh` the session's own words are Chinese too: the banner, help, errors and
/// their hints, the lists' counts (the answers are Chinese in either language).
#[test]
fn the_session_speaks_chinese_under_lang_zh() {
    let script = ":as-of 2020-13-01\n:as-of\nfoo=bar\n:lists\n:list 无此\n:bogus\n:district 无\n\
                  :compare {\"category\":1}\n招商引资 经费=三千\n能否准入\n:save\n:why\n\
                  招商引资 能否准入？\n{\"category\":\n";
    let out = session(script, &["--lang", "zh", "policies/nanqiao.policy"]);
    insta::assert_snapshot!(out);
    // Nothing of the session's own is left in English.
    for english in ["error:", "help:", "entries", "as of", "nothing asked"] {
        assert!(!out.contains(english), "`{english}` in {out}");
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

/// Run the REPL with a config home and extra arguments; (status, stdout, stderr).
fn run_with(script: &str, args: &[&str], config_home: &std::path::Path) -> (i32, String, String) {
    let args: Vec<&str> = ["repl", "--as-of", "2020-06-01"]
        .into_iter()
        .chain(args.iter().copied())
        .collect();
    run::zhunru(
        &args,
        // The language is the flags' (else English), never the machine's locale.
        &[
            ("XDG_CONFIG_HOME", config_home.as_os_str()),
            ("LC_ALL", std::ffi::OsStr::new("C")),
        ],
        script,
    )
}

fn config_home(name: &str, config: Option<&str>) -> std::path::PathBuf {
    let home = std::env::temp_dir().join(format!("zhunru-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(home.join("zhunru")).unwrap();
    if let Some(text) = config {
        std::fs::write(home.join("zhunru/config.toml"), text).unwrap();
    }
    home
}

/// The district a session starts in: `--district`, else the config file's, else the first.
#[test]
fn the_starting_district_comes_from_the_flag_or_the_config_file() {
    let none = config_home("none", None);
    let (code, out, _) = run_with(":districts\n", &["--district", "yingjiang"], &none);
    assert_eq!(code, 0);
    assert!(out.contains("准入[yingjiang]>"), "{out}");

    let (code, _, err) = run_with("", &["--district", "erqi"], &none);
    assert_eq!(code, 2);
    assert!(err.contains("no loaded district is called `erqi`"), "{err}");
    assert!(err.contains("hefei") && err.contains("nanqiao"), "{err}");

    let chosen = config_home("chosen", Some("district = \"nanqiao\"\nlang = \"en\"\n"));
    let (code, out, _) = run_with("招商引资能否准入？\n", &[], &chosen);
    assert_eq!(code, 0);
    assert!(out.contains("准入[nanqiao]>"), "{out}");
    // The flag wins over the file.
    let (_, out, _) = run_with(":districts\n", &["--district", "hefei"], &chosen);
    assert!(out.contains("准入[hefei]>"), "{out}");

    let missing = config_home("missing", Some("district = \"erqi\"\n"));
    let (code, out, err) = run_with(":districts\n", &[], &missing);
    assert_eq!(code, 0);
    assert!(
        err.contains("the config file's district `erqi` is not loaded"),
        "{err}"
    );
    assert!(out.contains("准入[hefei]>"), "{out}");

    let broken = config_home("broken", Some("district = \"nanqiao\"\ncolour = 1\n"));
    let (code, _, err) = run_with("", &[], &broken);
    assert_eq!(code, 2);
    assert!(err.contains("config.toml:2:1"), "{err}");
    assert!(err.contains("colour"), "{err}");
    for home in [none, chosen, missing, broken] {
        let _ = std::fs::remove_dir_all(home);
    }
}

/// `:save FILE` writes the last answer as a record for the file: Markdown, or an HTML page.
#[test]
fn save_writes_the_last_answer_as_a_record() {
    let dir = config_home("save", None);
    let md = dir.join("意见.md");
    let html = dir.join("意见.html");
    let script = format!(
        ":save {}\n:district yingjiang\n区经信局要求社区协助企业摸底，已批准，能否准入？\n:save {}\n:save {}\n:save\n",
        md.display(),
        md.display(),
        html.display()
    );
    let (code, out, _) = run_with(&script, &[], &dir);
    assert_eq!(code, 0);
    assert!(out.contains("nothing asked yet"), "{out}");
    assert_eq!(out.matches("saved the last answer to").count(), 2, "{out}");
    assert!(out.contains("error: where to?"), "{out}");
    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# 社区工作事项准入审核意见\n"), "{text}");
    assert!(
        text.contains("提问：区经信局要求社区协助企业摸底，已批准，能否准入？"),
        "{text}"
    );
    assert!(
        text.contains("## 结论：须经准入审批（needs_approval）"),
        "{text}"
    );
    assert!(text.contains("| 审核日期 | 2020-06-01 |"), "{text}");
    assert!(text.contains("- 文件依据：未提供"), "{text}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains(r#"data-verdict="needs_approval""#), "{page}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Two districts of one name are refused as `serve` refuses them: the second is not loaded,
/// and `:compare` shows each district once (it showed `yingjiang` twice, with two verdicts).
#[test]
fn two_districts_of_one_name_are_refused() {
    let home = config_home("dup", None);
    let (code, out, err) = run_with(
        ":compare 垃圾分类入户宣传\n",
        &[
            "policies/nanqiao.policy",
            "tests/cases/versions/yingjiang",
            "policies/yingjiang.policy",
        ],
        &home,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("two policies are named `yingjiang`"), "{err}");
    assert!(
        err.contains("policies/yingjiang.policy is not loaded"),
        "{err}"
    );
    assert_eq!(out.matches("\nyingjiang ").count(), 1, "{out}");
}
