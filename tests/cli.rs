//! The binary as a user runs it: exit codes, output formats, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn zhunru(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    // Write the input from another thread while the output is read, so neither pipe fills.
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.map(<[u8]>::to_vec).unwrap_or_default();
    let writer = std::thread::spawn(move || {
        // The program may exit before reading its input (a broken policy): ignore EPIPE.
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    let _ = writer.join();
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_passes_the_shipped_policies() {
    let out = zhunru(
        &[
            "check",
            "--deny-warnings",
            "policies/hefei.policy",
            "policies/nanqiao.policy",
            "policies/yingjiang.policy",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    insta::assert_snapshot!(text(&out.stderr));
}

#[test]
fn eval_json_lines_keeps_order_and_decides_every_good_line() {
    let input = concat!(
        "{\"id\":\"1\",\"category\":\"招商引资\"}\n",
        "{\"id\":\"2\",\"category\":\"企业摸底\",\"funding\":{\"amount\":\"三千\"}}\n",
        "\n",
        "not json\n",
        "{\"id\":\"5\",\"category\":\"企业摸底\",\"community_role\":\"responsable\"}\n",
        "{\"id\":\"6\",\"category\":\"企业摸底\",\"period\":{\"end\":\"2020-02-30\"}}\n",
        "{\"id\":\"7\",\"category\":\"企业摸底\",\"funding\":{\"amount\":1e999}}\n",
        "{\"id\":\"8\"}\n",
        "{\"id\":\"9\",\"category\":\"居民会议组织\"}\n",
    );
    let out = zhunru(
        &[
            "eval",
            "--policy",
            "policies/nanqiao.policy",
            "--format",
            "json",
            "--as-of",
            "2020-06-01",
            "-",
        ],
        Some(input.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 8, "one output line per input subject");
    assert!(lines[0].contains("\"verdict\":\"denied\""));
    assert!(lines[7].contains("\"verdict\":\"admitted\""));
    insta::assert_snapshot!("bad_lines_stdout", stdout);
    insta::assert_snapshot!("bad_lines_stderr", text(&out.stderr));
}

#[test]
fn eval_reads_a_pretty_printed_document() {
    let input = b"{\n  \"category\": \"\xe6\x8b\x9b\xe5\x95\x86\xe5\xbc\x95\xe8\xb5\x84\",\n  \"id\": \"P-1\"\n}\n";
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/yingjiang.policy",
            "-f",
            "json",
            "--as-of",
            "2020-06-01",
            "-",
        ],
        Some(input),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("\"verdict\":\"denied\""));
}

/// A malformed pretty-printed record is one error at its own first line, in JSON as in
/// text (JSON said the line of the wrong value, text the record's): `at` keeps the place
/// that is wrong.
#[test]
fn a_malformed_pretty_record_is_reported_at_its_first_line_in_every_format() {
    let input = "{\"category\":\"招商引资\"}\n\n{\n  \"category\": \"x\",\n  \"funding\": {\n    \"amount\": \"三千\"\n  }\n}\n";
    let run = |format: &str| {
        zhunru(
            &[
                "eval",
                "-p",
                "policies/yingjiang.policy",
                "-f",
                format,
                "--as-of",
                "2020-06-01",
                "-",
            ],
            Some(input.as_bytes()),
        )
    };
    let json = run("json");
    assert_eq!(json.status.code(), Some(1));
    let last = text(&json.stdout).lines().last().unwrap().to_owned();
    let error: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(error["line"], 3, "{last}");
    assert_eq!(error["error"]["at"], "<stdin>:6:15", "{last}");
    assert!(text(&run("text").stdout).contains("── <stdin>:3 · input error ──"));
}

#[test]
fn invalid_utf8_in_a_line_is_located_and_the_rest_decided() {
    let mut input = b"{\"category\":\"x\"}\n{\"category\":\"".to_vec();
    input.extend_from_slice(&[0xff, 0xfe]);
    input.extend_from_slice(b"\"}\n{\"category\":\"\\u0000\"}\n{\"category\":\"y\"}\n");
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/hefei.policy",
            "-f",
            "json",
            "--as-of",
            "2020-06-01",
            "-",
        ],
        Some(&input),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 4);
    assert!(stdout.lines().nth(1).unwrap().contains("\"line\":2"));
    assert!(stdout.lines().nth(3).unwrap().contains("needs_approval"));
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let mut line = String::from("{\"category\":\"x\",\"extra\":");
    line.push_str(&"[".repeat(10_000));
    line.push_str(&"]".repeat(10_000));
    line.push_str("}\n{\"category\":\"招商引资\"}\n");
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/nanqiao.policy",
            "-f",
            "json",
            "--as-of",
            "2020-06-01",
            "-",
        ],
        Some(line.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .lines()
            .next()
            .unwrap()
            .contains("nested more than 128 deep"),
        "{stdout}"
    );
    assert!(stdout.lines().nth(1).unwrap().contains("denied"));
}

#[test]
fn a_broken_policy_exits_1_with_a_located_diagnostic() {
    let dir = std::env::temp_dir().join(format!("zhunru-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.policy");
    std::fs::write(
        &path,
        "政策 「坏」\n规则 无引用\n  当 事项.category 属于 负面清单\n  不予准入 「x」\n",
    )
    .unwrap();
    let out = zhunru(&["check", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("zhunru::parse::syntax"));
    let out = zhunru(&["eval", "-p", path.to_str().unwrap(), "-"], Some(b"{}"));
    assert_eq!(out.status.code(), Some(1));

    std::fs::write(&path, b"\xe6\x94\xbf\xe7\xad\x96 \xff\n").unwrap();
    let out = zhunru(&["check", path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not valid UTF-8"),
        "{}",
        text(&out.stderr)
    );

    let out = zhunru(
        &["check", dir.join("absent.policy").to_str().unwrap()],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read"));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(zhunru(&[], None).status.code(), Some(2));
    assert_eq!(zhunru(&["eval", "-"], None).status.code(), Some(2));
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/hefei.policy",
            "--as-of",
            "2020-02-30",
            "-",
        ],
        Some(b""),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a date"));
    // `--addr` takes a host name (`localhost:8080`); one that is no address says so.
    let out = zhunru(&["serve", "--addr", "no-port"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not an address to listen on"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn text_output_shows_the_deciding_lines() {
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/yingjiang.policy",
            "--as-of",
            "2020-06-01",
            "-",
        ],
        Some("{\"category\":\"行政执法\",\"community_role\":\"responsible\"}".as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(text(&out.stdout));
}

#[test]
fn an_over_long_line_is_reported_and_the_next_line_decided() {
    let mut input = format!(
        "{{\"category\":\"x\",\"note\":\"{}\"}}\n",
        "长".repeat(400_000)
    )
    .into_bytes();
    input.extend_from_slice("{\"category\":\"招商引资\"}\n".as_bytes());
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/nanqiao.policy",
            "-f",
            "json",
            "--as-of",
            "2020-06-01",
            "-",
        ],
        Some(&input),
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains("longer than"), "{}", lines[0]);
    assert!(lines[1].contains("\"verdict\":\"denied\""));
}

#[test]
fn jobs_change_nothing_in_the_output() {
    let mut input = String::new();
    for (i, c) in ["招商引资", "企业摸底", "居民会议组织", "行政执法", "bad"]
        .iter()
        .cycle()
        .take(9000)
        .enumerate()
    {
        if *c == "bad" {
            input.push_str("{\"category\": 3}\n");
        } else {
            input.push_str(&format!("{{\"id\":\"T-{i}\",\"category\":\"{c}\"}}\n"));
        }
    }
    let run = |jobs: &str| {
        zhunru(
            &[
                "eval",
                "-j",
                jobs,
                "-p",
                "policies/nanqiao.policy",
                "-f",
                "json",
                "--as-of",
                "2020-06-01",
                "-",
            ],
            Some(input.as_bytes()),
        )
    };
    let one = run("1");
    assert_eq!(one.status.code(), Some(1));
    assert_eq!(text(&one.stdout).lines().count(), 9000);
    for jobs in ["2", "3", "8"] {
        let many = run(jobs);
        assert_eq!(many.status.code(), Some(1));
        assert_eq!(many.stdout, one.stdout, "jobs={jobs}");
        assert_eq!(many.stderr, one.stderr, "jobs={jobs}");
    }
}

#[test]
fn too_many_rules_is_a_diagnostic() {
    let mut text = String::from("policy \"p\"\n");
    for i in 0..1_001 {
        text.push_str(&format!("rule r{i} cite N3 about task refer \"x\"\n"));
    }
    let err = zhunru::Policy::from_str("many.policy", &text).unwrap_err();
    assert_eq!(err.diagnostics()[0].code(), zhunru::Code::TooLarge);
}

/// A run that tested nothing is not green: a policy without a tests file is reported as
/// such, and when no case ran at all the exit code is 1 — a CI step naming the wrong folder
/// would otherwise pass. Beside a policy that has cases, one without is only reported.
#[test]
fn test_with_no_cases_at_all_fails() {
    let none = zhunru(&["test", "examples/policies/en/national.policy"], None);
    assert_eq!(none.status.code(), Some(1), "{none:?}");
    assert!(
        text(&none.stdout)
            .contains("no tests (examples/policies/en/tests/national.json not found)")
    );
    assert!(
        text(&none.stderr).contains("zhunru::test::no_cases"),
        "{none:?}"
    );
    let some = zhunru(
        &[
            "test",
            "examples/policies/en/national.policy",
            "policies/national.policy",
        ],
        None,
    );
    assert_eq!(some.status.code(), Some(0), "{some:?}");
    assert!(!text(&some.stderr).contains("no_cases"));
    // A tests file that is there but holds no case is named as such, not as absent.
    let dir = std::env::temp_dir().join(format!("zhunru-no-cases-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::copy("policies/national.policy", dir.join("solo.policy")).unwrap();
    std::fs::write(dir.join("tests/solo.json"), r#"{"cases": []}"#).unwrap();
    let empty = zhunru(&["test", dir.join("solo.policy").to_str().unwrap()], None);
    assert_eq!(empty.status.code(), Some(1), "{empty:?}");
    assert!(
        text(&empty.stderr).contains("the test files found hold no case"),
        "{empty:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `zhunru new` writes a skeleton that checks clean, is in canonical layout and passes its
/// own tests with full coverage; it never overwrites, and refuses a name that is a path.
#[test]
fn new_writes_a_skeleton_that_checks_and_passes_its_tests() {
    let dir = std::env::temp_dir().join(format!("zhunru-new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("policies/national.policy", dir.join("national.policy")).unwrap();
    let d = dir.to_str().unwrap();
    let out = zhunru(
        &["new", "erqi", "--dir", d, "--jurisdiction", "郑州市二七区"],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let policy = dir.join("erqi.policy");
    let p = policy.to_str().unwrap();
    let text = std::fs::read_to_string(&policy).unwrap();
    assert!(text.contains("上位 \"national.policy\""), "{text}");
    assert_eq!(
        zhunru(&["check", "--deny-warnings", p], None).status.code(),
        Some(0)
    );
    assert_eq!(zhunru(&["fmt", "--check", p], None).status.code(), Some(0));
    let tested = zhunru(&["test", "--coverage", p], None);
    assert_eq!(tested.status.code(), Some(0), "{tested:?}");
    assert!(String::from_utf8_lossy(&tested.stdout).contains("rules 4/4, list entries 2/2"));
    // Never overwrites; a name is a name, not a path.
    assert_eq!(
        zhunru(&["new", "erqi", "--dir", d], None).status.code(),
        Some(1)
    );
    assert_eq!(
        zhunru(&["new", "../x", "--dir", d], None).status.code(),
        Some(2)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--input-format jsonl` reads one subject a line, strictly; `json` tells values apart
/// across lines. A broken first line never changes how the rest is read.
#[test]
fn input_format_chooses_strict_lines_or_values() {
    let input = b"{\"category\":\"\xe6\x8b\x9b\xe5\x95\x86\n{\"category\":\"x\"}\n  {\"category\":\n\"y\"}\n";
    let run = |kind: &str| {
        zhunru(
            &[
                "eval",
                "-p",
                "policies/yingjiang.policy",
                "-f",
                "json",
                "--as-of",
                "2020-06-01",
                "--input-format",
                kind,
                "-",
            ],
            Some(input),
        )
    };
    let strict = String::from_utf8(run("jsonl").stdout).unwrap();
    let lines: Vec<&str> = strict.lines().collect();
    assert_eq!(lines.len(), 4, "{strict}");
    assert!(lines[0].starts_with("{\"error\""));
    assert!(lines[1].contains("\"verdict\""));
    assert!(lines[2].starts_with("{\"error\"") && lines[3].starts_with("{\"error\""));
    let values = String::from_utf8(run("json").stdout).unwrap();
    let lines: Vec<&str> = values.lines().collect();
    assert_eq!(lines.len(), 3, "{values}");
    assert!(lines[0].starts_with("{\"error\""));
    assert!(lines[2].contains("「y」"), "{values}");
}

#[test]
fn global_options_work_on_every_subcommand() {
    // `--color` and `--lang` are accepted by every command, before or after its name.
    let cases: [&[&str]; 6] = [
        &["--color", "never", "check", "policies/nanqiao.policy"],
        &[
            "check",
            "--color",
            "never",
            "--lang",
            "zh",
            "policies/nanqiao.policy",
        ],
        &[
            "audit",
            "--color",
            "never",
            "--lang",
            "en",
            "-p",
            "policies/nanqiao.policy",
            "-",
        ],
        &[
            "diff",
            "--color",
            "always",
            "policies/nanqiao.policy",
            "policies/nanqiao.policy",
        ],
        &["notice", "--color", "never", "policies/nanqiao.policy"],
        &["fmt", "--lang", "zh", "--stdout", "policies/nanqiao.policy"],
    ];
    for args in cases {
        let out = zhunru(args, Some(b""));
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
    let out = zhunru(
        &["check", "--color", "sometimes", "policies/nanqiao.policy"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = zhunru(&["completions", shell], None);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for word in ["zhunru", "eval", "audit", "policy", "error-format"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    // The bash script is valid bash.
    let out = zhunru(&["completions", "bash"], None);
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("zhunru.bash");
    std::fs::write(&path, &out.stdout).unwrap();
    if let Ok(status) = Command::new("bash").arg("-n").arg(&path).status() {
        assert!(status.success(), "bash -n rejects the completion script");
    }
    assert_eq!(
        zhunru(&["completions", "tcsh"], None).status.code(),
        Some(2)
    );
}

#[test]
fn man_pages_from_the_command_definitions() {
    let out = zhunru(&["man"], None);
    assert_eq!(out.status.code(), Some(0));
    let page = text(&out.stdout);
    assert!(page.contains(".TH zhunru 1"), "{page}");
    for command in ["check", "eval", "audit", "diff", "completions", "man"] {
        assert!(page.contains(command), "zhunru(1) lacks {command}");
    }
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("man");
    let _ = std::fs::remove_dir_all(&dir);
    let out = zhunru(&["man", "--out-dir", dir.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let eval = std::fs::read_to_string(dir.join("zhunru-eval.1")).unwrap();
    assert!(eval.contains(".TH zhunru-eval 1"), "{eval}");
    assert!(eval.contains("\\-\\-policy") && eval.contains("\\-\\-error\\-format"));
    assert!(dir.join("zhunru.1").exists() && dir.join("zhunru-audit.1").exists());
}

/// Every line of standard error is one JSON diagnostic with the fields editors read.
fn json_diagnostics(stderr: &[u8]) -> Vec<serde_json::Value> {
    let lines: Vec<serde_json::Value> = text(stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    for d in &lines {
        for key in [
            "severity", "code", "message", "help", "file", "line", "column", "labels",
        ] {
            assert!(d.get(key).is_some(), "{key} missing in {d}");
        }
    }
    lines
}

#[test]
fn error_format_json_on_every_command_that_prints_diagnostics() {
    let broken = "tests/cases/broken/bad_date.policy";
    let cases: [&[&str]; 8] = [
        &["check", broken],
        &["eval", "-p", broken, "-"],
        &["audit", "-p", broken, "-"],
        &["diff", broken, "policies/nanqiao.policy"],
        &["compare", broken],
        &["notice", broken],
        &["test", broken],
        &["fmt", "--check", broken],
    ];
    for args in cases {
        let mut all = vec!["--error-format", "json"];
        all.extend_from_slice(args);
        let out = zhunru(&all, Some(b""));
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let ds = json_diagnostics(&out.stderr);
        let d = ds
            .iter()
            .find(|d| d["code"] == "zhunru::parse::bad_date")
            .unwrap_or_else(|| panic!("{args:?}: {}", text(&out.stderr)));
        assert_eq!(d["file"], broken, "{args:?}");
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(5), Some(6))
        );
        assert_eq!(d["labels"][0]["message"], "no such day");
        assert!(d["help"].as_str().unwrap().contains("YYYY-MM-DD"));
    }
    // An input error: located in the input, its message without the location.
    let out = zhunru(
        &[
            "eval",
            "--error-format",
            "json",
            "-p",
            "policies/nanqiao.policy",
            "-",
        ],
        Some(b"{\"category\":\"x\"}\n{\"category\": 5}\n"),
    );
    let ds = json_diagnostics(&out.stderr);
    assert_eq!(ds.len(), 1, "{}", text(&out.stderr));
    assert_eq!(ds[0]["code"], "zhunru::input");
    assert_eq!(
        (ds[0]["file"].as_str(), ds[0]["line"].as_u64()),
        (Some("<stdin>"), Some(2))
    );
    assert_eq!(ds[0]["column"], 14);
    assert!(
        ds[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("field `category`")
    );
    // A file that cannot be read, and the language chosen.
    let out = zhunru(
        &[
            "check",
            "--error-format",
            "json",
            "--lang",
            "zh",
            "no/such.policy",
        ],
        None,
    );
    let ds = json_diagnostics(&out.stderr);
    assert_eq!(ds[0]["code"], "zhunru::io");
    // Clean: nothing on standard error at all (the summaries are for people).
    let out = zhunru(
        &["check", "--error-format", "json", "policies/nanqiao.policy"],
        None,
    );
    assert_eq!(
        (out.status.code(), text(&out.stderr)),
        (Some(0), String::new())
    );
}

/// A JSON Lines file large enough for a progress bar.
fn large_input() -> std::path::PathBuf {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("large.jsonl");
    if !path.exists() {
        let line = format!(
            "{{\"category\":\"招商引资\",\"note\":\"{}\"}}\n",
            "x".repeat(200)
        );
        std::fs::write(&path, line.repeat((5 << 20) / line.len())).unwrap();
    }
    path
}

#[test]
fn no_progress_bar_when_standard_error_is_piped() {
    let path = large_input();
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/nanqiao.policy",
            "-f",
            "json",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn a_progress_bar_on_a_terminal_for_a_large_file() {
    // `script` gives the command a terminal; skip where there is none.
    if Command::new("script").arg("--version").output().is_err() {
        return;
    }
    let path = large_input();
    for command in ["eval -f json", "audit"] {
        let line = format!(
            "{} {command} -p policies/nanqiao.policy {} > /dev/null",
            env!("CARGO_BIN_EXE_zhunru"),
            path.display()
        );
        let out = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let shown = text(&out.stdout);
        assert!(
            shown.contains("MiB"),
            "{command}: no progress bar in {shown:?}"
        );
    }
}

/// `eval --format md|html`: a printable record (审核意见) a subject — the policy and date
/// that decided, the task's fields in words, the verdict, each reason with its clause text,
/// what is missing; a bad line becomes its own record and the others are still decided.
#[test]
fn eval_prints_records_for_the_file() {
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/yingjiang.policy",
            "--as-of",
            "2020-06-01",
            "-f",
            "md",
            "examples/tasks/unapproved-outside-lists.json",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("eval_record_md", String::from_utf8(out.stdout).unwrap());

    let lines = b"{\"category\":\"\xe6\x8b\x9b\xe5\x95\x86\xe5\xbc\x95\xe8\xb5\x84\"}\n{\"category\":\n{\"id\":\"T-3\",\"category\":\"\xe4\xbc\x81\xe4\xb8\x9a\xe6\x91\xb8\xe5\xba\x95\"}\n";
    let out = zhunru(
        &[
            "eval",
            "-p",
            "policies/yingjiang.policy",
            "--as-of",
            "2020-06-01",
            "-f",
            "html",
            "--input-format",
            "jsonl",
            "-",
        ],
        Some(lines),
    );
    assert_eq!(out.status.code(), Some(1));
    let page = String::from_utf8(out.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.trim_end().ends_with("</html>"), "{page}");
    assert_eq!(page.matches("<article").count(), 3, "{page}");
    assert!(page.contains(r#"data-verdict="denied""#));
    assert!(page.contains(r#"class="record input-error""#));
    assert!(page.contains(r#"data-verdict="needs_approval""#));
    assert!(page.contains("民发〔2015〕136号"));
}

/// The engine's own reasons (no rule admits, no rule covers) are told in the language asked
/// for in text; the JSON `message` keeps both languages, as the contract has it.
#[test]
fn engine_reasons_follow_the_language_in_text() {
    let input = b"{\"category\":\"zz\"}\n{\"kind\":\"community\",\"office_area\":100}\n";
    let policy = ["-p", "policies/national.policy", "-"];
    let en = text(
        &zhunru(
            &[&["--lang", "en", "eval"][..], &policy].concat(),
            Some(input),
        )
        .stdout,
    );
    assert!(en.contains("no rule admits this task"), "{en}");
    assert!(
        en.contains("no rule of this policy covers community premises"),
        "{en}"
    );
    assert!(
        !en.contains("没有规则准予") && !en.contains("本政策没有关于"),
        "{en}"
    );
    let zh = text(
        &zhunru(
            &[&["--lang", "zh", "eval"][..], &policy].concat(),
            Some(input),
        )
        .stdout,
    );
    assert!(
        zh.contains("没有规则准予此事项准入") && zh.contains("本政策没有关于社区场所的规则"),
        "{zh}"
    );
    assert!(!zh.contains("no rule admits"), "{zh}");
    let json = text(
        &zhunru(
            &[&["--lang", "en", "eval", "-f", "json"][..], &policy].concat(),
            Some(input),
        )
        .stdout,
    );
    assert!(
        json.contains(
            "没有规则准予此事项准入；清单之外的事项须经准入审批 — no rule admits this task"
        ),
        "{json}"
    );
}

/// Nothing to do is said, not passed as success: `check` and `test` on a folder without
/// policies exit 1 saying so; `eval` given a folder for its subjects says it is a folder
/// (it read as a bad line 1, exit 0); `compare` given the folder of districts, which it
/// reads as one district's versions, says how to name them.
#[test]
fn empty_or_misread_folders_are_said() {
    let empty = std::env::temp_dir().join(format!("zhunru-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let folder = empty.to_str().unwrap();
    for command in ["check", "test"] {
        let out = zhunru(&[command, folder], None);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(
            text(&out.stderr).contains("no policy files (*.policy)"),
            "{command}: {}",
            text(&out.stderr)
        );
    }
    let out = zhunru(
        &["eval", "--policy", "policies/nanqiao.policy", folder],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("is a folder"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let out = zhunru(&["notice", "policies/"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("`policies/` is a folder: give one policy file"),
        "{}",
        text(&out.stderr)
    );
    // A CSV log given to eval: one error saying what reads it, not one "not valid JSON" a row.
    let out = zhunru(
        &[
            "eval",
            "--policy",
            "policies/yingjiang.policy",
            "examples/audit/log.csv",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("eval reads JSON and JSON Lines; audit a CSV log"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());
    let out = zhunru(&["compare", "policies/"], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("name them: policies/*.policy"),
        "{}",
        text(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&empty);
}

/// `zhunru --error-format json test` on a copy of the shipped policy `name` (and its parent)
/// whose tests file holds `tests`: the folder (to remove) and the run.
fn tested_with(name: &str, tests: &str) -> (std::path::PathBuf, Output) {
    let dir = std::env::temp_dir().join(format!("zhunru-tests-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    for file in [name, "national"] {
        let file = format!("{file}.policy");
        std::fs::copy(format!("policies/{file}"), dir.join(&file)).unwrap();
    }
    std::fs::write(dir.join(format!("tests/{name}.json")), tests).unwrap();
    let policy = dir.join(format!("{name}.policy"));
    let out = zhunru(
        &["--error-format", "json", "test", policy.to_str().unwrap()],
        None,
    );
    (dir, out)
}

/// A test file's errors are said in its own terms: its shape in the help (not the JSON
/// Lines help of `eval`), and `expect` named as the object it must be (not serde's
/// "struct Expect").
#[test]
fn a_bad_test_file_is_explained_as_a_test_file() {
    let (dir, out) = tested_with(
        "nanqiao",
        r#"{"as_of": "2020-06-01", "cases": [{"name": "x", "subject": {"category": "招商引资"}, "expect": "denied"}]}"#,
    );
    assert_eq!(out.status.code(), Some(1));
    let ds = json_diagnostics(&out.stderr);
    let d = &ds[0];
    assert_eq!(d["code"], "zhunru::input");
    assert_eq!(d["line"].as_u64(), Some(1));
    let message = d["message"].as_str().unwrap();
    assert!(
        message.contains(r#"expected `expect` as an object such as {"verdict": "admitted"}"#),
        "{message}"
    );
    assert!(!message.contains("struct"), "{message}");
    let help = d["help"].as_str().unwrap();
    assert!(help.starts_with("a test file is one JSON object"), "{help}");
    assert!(!help.contains("JSON Lines"), "{help}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A mistyped `expect` names what was meant, placed at the key or value at fault (serde
/// placed it after them, listed the words without a hint, and called a number for the
/// verdict "not valid JSON"); `--lang zh` says a failing case's differences in Chinese.
#[test]
fn a_mistyped_expectation_names_what_was_meant() {
    let cases = [
        r#"{"name": "a", "subject": {"category": "招商引资"}, "expect": {"verdict": "admited"}}"#,
        r#"{"name": "b", "subject": {"category": "招商引资"}, "expect": {"verdit": "denied"}}"#,
        r#"{"name": "c", "subject": {"category": "招商引资"}, "expect": {"verdict": 3}}"#,
        r#"{"name": "d", "subject": {"category": "招商引资"}, "expect": {"verdict": "admitted"}}"#,
    ];
    let (dir, out) = tested_with(
        "yingjiang",
        &format!(
            "{{\"as_of\": \"2020-06-01\", \"cases\": [\n{}\n]}}\n",
            cases.join(",\n")
        ),
    );
    let located: Vec<_> = json_diagnostics(&out.stderr)
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(located.len(), 3, "{located:?}");
    // Columns count characters: 「招商引资」 is four. The verdict's value, and the key.
    let column = |case: &str, token: &str| {
        case.get(..case.find(token).unwrap())
            .unwrap()
            .chars()
            .count() as u64
            + 1
    };
    // Each error: its line, placed on the token at fault, and how its message ends.
    for (i, (line, token, ends)) in [
        (
            2,
            "\"admited\"",
            "found the string \"admited\"; did you mean `admitted`?",
        ),
        (
            3,
            "\"verdit\"",
            "`expect` has no field `verdit`; did you mean `expect.verdict`?",
        ),
        (4, "3}", "found the number `3`"),
    ]
    .into_iter()
    .enumerate()
    {
        let (at_line, at_column, message) = &located[i];
        assert_eq!(
            (*at_line, *at_column),
            (line, column(cases[i], token)),
            "{located:?}"
        );
        assert!(message.ends_with(ends), "{located:?}");
    }
    let policy = dir.join("yingjiang.policy");
    let out = zhunru(&["--lang", "zh", "test", policy.to_str().unwrap()], None);
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(
            "  FAIL  d\n        裁决：应为 admitted（准予准入），实为 denied（不予准入）\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("个用例）"), "{stdout}");
    let out = zhunru(
        &[
            "--lang",
            "zh",
            "--error-format",
            "json",
            "test",
            policy.to_str().unwrap(),
        ],
        None,
    );
    let messages: Vec<_> = json_diagnostics(&out.stderr)
        .iter()
        .map(|d| d["message"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        messages[1].ends_with("`expect` 没有字段 `verdit`，是否应为 `expect.verdict`？"),
        "{messages:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// One bad case does not hide the others: each unreadable case is an error located in the
/// test file and listed in its place (with its name), every other case runs, and the run
/// fails. Subjects are typed by the policy's declared fields, as `eval` types them: a
/// value outside jiangyuan's `resident_acceptance` is an error, not a passing text.
#[test]
fn a_bad_case_is_located_and_the_other_cases_still_run() {
    let cases = [
        r#"{"name": "好", "subject": {"category": "招商引资"}, "expect": {"verdict": "denied"}}"#,
        r#"{"name": "错字段", "subject": {"category": "企业摸底", "funding": {"amout": 3000}}, "expect": {"verdict": "needs_approval"}}"#,
        r#"{"name": "声明字段取值错", "subject": {"category": "企业摸底", "resident_acceptance": "不认可"}, "expect": {"verdict": "denied"}}"#,
        r#"{"subject": {"category": "招商引资"}, "expekt": {"verdict": "denied"}}"#,
        r#"{"name": "好2", "subject": {"category": "招商引资"}, "expect": {"verdict": "admitted"}}"#,
    ];
    let (dir, out) = tested_with(
        "jiangyuan",
        &format!(
            "{{\"as_of\": \"2020-06-01\", \"cases\": [\n{}\n]}}\n",
            cases.join(",\n")
        ),
    );
    let policy = dir.join("jiangyuan.policy");
    assert_eq!(out.status.code(), Some(1));
    let located: Vec<_> = json_diagnostics(&out.stderr)
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(located.len(), 3, "{located:?}");
    assert_eq!(located[0].0, 3);
    assert!(
        located[0].1.contains("did you mean `funding.amount`?"),
        "{located:?}"
    );
    assert_eq!(located[1].0, 4);
    assert!(
        located[1]
            .1
            .contains("should be one of \"认可\", \"群众普遍不认可\", found \"不认可\""),
        "{located:?}"
    );
    assert_eq!(located[2].0, 5);
    assert!(
        located[2]
            .1
            .contains("a case has no field `expekt`; did you mean `expect`?"),
        "{located:?}"
    );
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    let tests = dir.join("tests/jiangyuan.json");
    let tests = tests.display();
    // Each line as expected; the ERROR lines up to their column, which is serde's.
    assert_eq!(lines.len(), 9, "{stdout}");
    assert_eq!(
        lines,
        [
            format!("{} ({tests}, 5 cases)", policy.display()).as_str(),
            "  ok    好 — denied",
            &format!("  ERROR 错字段 — {tests}:3:"),
            &format!("  ERROR 声明字段取值错 — {tests}:4:"),
            &format!("  ERROR (no name) — {tests}:5:"),
            "  FAIL  好2",
            "        verdict: expected admitted, got denied",
            "1 passed, 1 failed",
            "3 case(s) could not be read",
        ]
        .iter()
        .zip(&lines)
        .map(|(want, got)| if got.starts_with(want) { *got } else { want })
        .collect::<Vec<_>>()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An envelope where a bare subject belongs (a line of JSON Lines) is named as such, not
/// only as a task without a category; the lines around it are decided.
#[test]
fn an_envelope_line_is_said_to_be_one() {
    let (ds, out) = hefei_errors(
        "-",
        Some(
            "{\"category\":\"x\"}\n{\"district\":\"hefei\",\"subject\":{\"category\":\"x\"}}\n{\"category\":\"y\"}\n"
                .as_bytes(),
        ),
    );
    let message = ds[0]["message"].as_str().unwrap();
    assert!(
        message.contains("this is an envelope with the task under `subject`"),
        "{message}"
    );
    assert_eq!(ds[0]["line"].as_u64(), Some(2));
    assert_eq!(out.lines().count(), 3, "two decisions and the error object");
}

/// A second byte-order mark (a file saved twice with one, or two files joined) is named, in
/// JSON Lines and in a JSON document alike: it read as "expected value" under an invisible
/// character. The other lines are still decided.
#[test]
fn a_second_byte_order_mark_is_named() {
    for (name, input) in [
        (
            "twice.jsonl",
            &b"\xef\xbb\xbf\xef\xbb\xbf{\"category\":\"x\"}\n{\"category\":\"y\"}\n"[..],
        ),
        (
            "joined.jsonl",
            &b"{\"category\":\"x\"}\n\xef\xbb\xbf{\"category\":\"y\"}\n"[..],
        ),
        (
            "twice.json",
            &b"\xef\xbb\xbf\xef\xbb\xbf{\"category\":\"x\"}\n"[..],
        ),
    ] {
        let path = std::env::temp_dir().join(format!("zhunru-bom-{}-{name}", std::process::id()));
        std::fs::write(&path, input).unwrap();
        let (ds, _) = hefei_errors(path.to_str().unwrap(), None);
        let message = ds[0]["message"].as_str().unwrap();
        assert!(
            message.starts_with("a byte-order mark (U+FEFF) where JSON was expected"),
            "{name}: {message}"
        );
        assert_eq!(ds[0]["column"].as_u64(), Some(1), "{name}");
        let _ = std::fs::remove_file(&path);
    }
}

/// The diagnostics (as `--error-format json`) of `eval` under Hefei's policy of `input`.
fn hefei_errors(input: &str, stdin: Option<&[u8]>) -> (Vec<serde_json::Value>, String) {
    let args = [
        "--error-format",
        "json",
        "eval",
        "-p",
        "policies/hefei.policy",
        "-f",
        "json",
        input,
    ];
    let out = zhunru(&args, stdin);
    (json_diagnostics(&out.stderr), text(&out.stdout))
}
