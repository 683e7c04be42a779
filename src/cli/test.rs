//! `zhunru test [PATH…]`: run the test cases kept beside each policy.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use zhunru::{Date, Policy};

use super::common::{
    err_color, input_error_text, lang, parse_date, policy_files, print_policy_error, said,
};

/// Arguments of `zhunru test`.
#[derive(Args, Debug)]
pub struct TestArgs {
    /// Policy files or folders of them (default: policies/).
    paths: Vec<PathBuf>,
    /// Also say which rules and list entries no case exercised.
    #[arg(long)]
    coverage: bool,
    /// Date for cases that give none (default today).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
}

/// Run `zhunru test`.
pub fn run(args: TestArgs) -> ExitCode {
    let as_of = args.as_of.unwrap_or_else(Date::today);
    let color = err_color();
    let (mut passed, mut failed, mut errors, mut unreadable) = (0usize, 0usize, 0usize, 0usize);
    // Test files read, whether or not they hold a case (to say which of the two is wrong).
    let mut found = 0usize;
    let mut out = std::io::stdout().lock();
    let files = policy_files(&args.paths);
    if files.is_empty() {
        super::common::report_plain(
            "zhunru::io",
            &said(
                "no policy files (*.policy) to test in the folders given".into(),
                "所给文件夹里没有可测试的政策文件（*.policy）".into(),
            ),
            None,
        );
        return ExitCode::from(1);
    }
    for path in files {
        let policy = match Policy::from_file(&path) {
            Ok(p) => p,
            Err(e) => {
                print_policy_error(&e);
                errors += 1;
                continue;
            }
        };
        let tests = zhunru::testing::tests_path(&path);
        if !tests.exists() {
            let _ = writeln!(
                out,
                "{}",
                said(
                    format!(
                        "{}: no tests ({} not found)",
                        path.display(),
                        tests.display()
                    ),
                    format!("{}：没有测试（未找到 {}）", path.display(), tests.display())
                )
            );
            continue;
        }
        let file = match zhunru::testing::read_tests(&tests, &policy) {
            Ok(f) => f,
            Err(e) => {
                eprint!("{}", input_error_text(&e, color));
                errors += 1;
                continue;
            }
        };
        found += 1;
        let (results, cov) = zhunru::testing::run(&policy, &file, as_of);
        let n = results.len() + file.unreadable.len();
        let _ = writeln!(
            out,
            "{}",
            said(
                format!("{} ({}, {n} cases)", path.display(), tests.display()),
                format!("{}（{}，{n} 个用例）", path.display(), tests.display())
            )
        );
        // A case that cannot be read fails, located, in its place; the others still run.
        let mut bad = file.unreadable.iter().peekable();
        let mut results_in_order = results.iter();
        for index in 0..results.len() + file.unreadable.len() {
            let r = match bad.next_if(|b| b.index == index) {
                Some(b) => {
                    unreadable += 1;
                    let _ = out.flush();
                    eprint!("{}", input_error_text(&b.error, color));
                    let unnamed = said("(no name)".into(), "（无名称）".into());
                    let name = b.name.as_deref().unwrap_or(&unnamed);
                    let _ = writeln!(out, "  ERROR {name} — {}", b.error.location());
                    continue;
                }
                None => match results_in_order.next() {
                    Some(r) => r,
                    None => break,
                },
            };
            if r.passed() {
                passed += 1;
                let verdict = r.decision.verdict();
                let _ = writeln!(
                    out,
                    "  ok    {} — {}",
                    r.name,
                    said(verdict.as_str().into(), verdict.zh().into())
                );
            } else {
                failed += 1;
                let _ = writeln!(out, "  FAIL  {}", r.name);
                for d in &r.differences {
                    let _ = writeln!(out, "        {}", d.get(lang()));
                }
            }
        }
        if args.coverage {
            let rules = format!("{}/{}", cov.rules - cov.rules_missed.len(), cov.rules);
            let entries = format!("{}/{}", cov.entries - cov.entries_missed.len(), cov.entries);
            let _ = writeln!(
                out,
                "{}",
                said(
                    format!("  coverage: rules {rules}, list entries {entries}"),
                    format!("  覆盖：规则 {rules}，清单条目 {entries}")
                )
            );
            for rule in &cov.rules_missed {
                let _ = writeln!(
                    out,
                    "{}",
                    said(
                        format!("    rule not exercised: {rule}"),
                        format!("    未经用例检验的规则：{rule}")
                    )
                );
            }
            for (list, entry, example) in &cov.entries_missed {
                let mark = if *example { " (示例)" } else { "" };
                let _ = writeln!(
                    out,
                    "{}",
                    said(
                        format!("    entry not exercised: {list} 「{entry}」{mark}"),
                        format!("    未经用例检验的条目：{list} 「{entry}」{mark}")
                    )
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "{}",
        said(
            format!("{passed} passed, {failed} failed"),
            format!("{passed} 个通过，{failed} 个未通过")
        )
    );
    if unreadable > 0 {
        let _ = writeln!(
            out,
            "{}",
            said(
                format!("{unreadable} case(s) could not be read"),
                format!("{unreadable} 个用例无法读取")
            )
        );
    }
    // Nothing tested is not a pass: a CI step that names the wrong folder, or a policy whose
    // cases were never written, would otherwise stay green.
    if passed + failed + unreadable == 0 && errors == 0 {
        let _ = out.flush();
        let why = match found {
            0 => (
                "no policy given has cases beside it (write the cases for DIR/NAME.policy in DIR/tests/NAME.json; the README's `zhunru test` shows their shape)",
                "所给政策旁都没有测试用例（DIR/NAME.policy 的用例写在 DIR/tests/NAME.json；其格式见 README 的 `zhunru test`）",
            ),
            _ => (
                "the test files found hold no case (`\"cases\": []`): add cases; the README's `zhunru test` shows their shape",
                "找到的测试文件里没有用例（`\"cases\": []`）：请添加用例；其格式见 README 的 `zhunru test`",
            ),
        };
        super::common::report_plain(
            "zhunru::test::no_cases",
            &said(
                format!("no test case ran: {}", why.0),
                format!("没有运行任何测试用例：{}", why.1),
            ),
            None,
        );
        return ExitCode::from(1);
    }
    if errors > 0 {
        let _ = writeln!(
            out,
            "{}",
            said(
                format!("{errors} file(s) could not be read"),
                format!("{errors} 个文件无法读取")
            )
        );
    }
    if failed > 0 || errors > 0 || unreadable > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
