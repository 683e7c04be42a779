//! Diagnostics for broken policies (tests/cases/broken/*.policy), rendered whole and
//! snapshotted. Each file's first line says which code it must raise first.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use zhunru::{Code, Source, check_source, render};

/// One test a case file (as nickel generates one per annotated input), so every failing
/// file is reported, not only the first; `every_case_file_has_a_test` keeps this list and the
/// folder the same.
macro_rules! broken_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                broken_case(stringify!($name));
            }
        )*

        /// The case files this test file runs, by stem.
        const CASES: &[&str] = &[$(stringify!($name)),*];
    };
}

broken_cases!(
    admit_without_funding,
    assertion_failed,
    bad_date,
    bad_level,
    bad_placeholder,
    banned_and_admitted,
    date_arithmetic_on_number,
    duplicate_clause,
    duplicate_clause_in_parent,
    duplicate_entry,
    duplicate_cite,
    duplicate_field,
    duplicate_list_name,
    duplicate_rule_name,
    english_deny_on_community,
    exception_never_applies,
    expires_before_effective,
    field_default_not_one_of,
    field_default_on_number,
    field_redeclares_contract,
    field_unknown_type,
    field_value_is_a_word,
    field_value_not_one_of,
    mixed_subjects,
    never_applies,
    no_referral,
    overrides_parent,
    parent_broken,
    parent_cycle,
    parent_missing,
    parent_not_policy,
    referral_admitted,
    repeated_document_number,
    repeated_header,
    shadowed,
    shadowed_by_mentions,
    syntax_chinese_keyword_typo,
    syntax_control_character,
    syntax_english_keyword_typo,
    syntax_missing_cite,
    syntax_missing_outcome,
    syntax_second_outcome,
    syntax_second_when,
    syntax_single_equals,
    syntax_unclosed_nested_string,
    syntax_unclosed_string,
    too_deep,
    type_date_vs_number,
    type_enum_misspelt,
    type_list_field_in_list,
    type_list_field_in_list_negated,
    type_number_list_as_categories,
    type_number_vs_text,
    type_text_ordering,
    uncited_extension,
    unclosed_placeholder,
    unknown_cite_n9,
    unknown_cite_x1,
    unknown_field,
    unknown_field_lone_cr,
    unknown_list,
    unknown_subject,
    wrong_outcome_deny_on_community,
    wrong_outcome_violation_on_task,
);

/// The case `tests/cases/broken/NAME.policy`: its first diagnostic has the code its first
/// line expects, and every diagnostic it raises is snapshotted whole.
fn broken_case(name: &str) {
    let path = format!("tests/cases/broken/{name}.policy");
    let text = std::fs::read_to_string(&path).unwrap();
    // Split at `\r` too: one case file has only old Mac line ends.
    let expect = text
        .split(['\n', '\r'])
        .next()
        .and_then(|l| l.strip_prefix("// expect: "))
        .unwrap_or_else(|| panic!("{path} has no `// expect:` line"))
        .trim()
        .to_owned();
    let source = Source::new(path.clone(), text);
    let diagnostics = check_source(&source);
    let first = diagnostics
        .first()
        .unwrap_or_else(|| panic!("{name}: no diagnostic"));
    assert_eq!(first.code().as_str(), expect, "{name}");
    let rendered: String = diagnostics.iter().map(|d| render(d, false)).collect();
    insta::assert_snapshot!(name, rendered);
}

#[test]
fn every_case_file_has_a_test() {
    let mut files: Vec<String> = std::fs::read_dir("tests/cases/broken")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut listed: Vec<String> = CASES.iter().map(|c| (*c).to_owned()).collect();
    listed.sort();
    assert_eq!(
        files, listed,
        "tests/cases/broken and the broken_cases! list differ: add the file's stem to the list"
    );
}

/// Codes no policy file can raise as a case, and why.
const NO_CASE: &[(Code, &str)] = &[
    (
        Code::TooLarge,
        "a case would be megabytes or thousands of rules: cli::too_many_rules_is_a_diagnostic",
    ),
    (
        Code::Internal,
        "a grammar/builder mismatch, a bug by definition: parse::tests::every_grammar_rule_has_a_builder_case_and_every_builder_case_a_policy",
    ),
    (
        Code::Input,
        "about subjects, not policies: tests/readers.rs",
    ),
    (
        Code::Io,
        "an unreadable file: cli::a_broken_policy_exits_1_with_a_located_diagnostic",
    ),
];

#[test]
fn every_error_code_has_a_broken_policy() {
    // Generated from the code enum: a new code without a case file fails here.
    let all: String = std::fs::read_dir("tests/cases")
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !NO_CASE.iter().any(|(n, _)| n == *c))
        .map(|c| c.as_str())
        .filter(|code| !all.contains(&format!("// expect: {code}")))
        .collect();
    assert!(missing.is_empty(), "no broken policy for {missing:?}");
    assert!(NO_CASE.iter().all(|(c, _)| Code::ALL.contains(c)));
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

/// A policy on one long line (generated, minified, or hostile): the diagnostic shows the
/// place and a stretch around it, not the whole line, and never fails to render (miette's
/// renderer panics when asked to pad past column 65,535).
#[test]
fn a_diagnostic_on_a_long_line_shows_a_window_of_it() {
    let text = format!("政策 「x」{}@\n", " ".repeat(70_000));
    let source = Source::new("long.policy", text);
    let diagnostics = check_source(&source);
    let rendered = render(&diagnostics[0], false);
    assert!(rendered.contains("[long.policy:1:70007]"), "{rendered}");
    assert!(rendered.contains("@\n"), "the place is shown: {rendered}");
    assert!(rendered.len() < 2_000, "{} bytes", rendered.len());

    // A label over a long stretch is cut to its start.
    let text = format!("政策 「x」\n{}\n", "(".repeat(100_000));
    let source = Source::new("deep.policy", text);
    let diagnostics = check_source(&source);
    let rendered = render(&diagnostics[0], false);
    assert_eq!(diagnostics[0].code(), Code::TooDeep);
    assert!(rendered.contains("[deep.policy:2:33]"), "{rendered}");
    assert!(rendered.len() < 2_000, "{} bytes", rendered.len());
    insta::assert_snapshot!(rendered);
}

/// An input error far along a long line keeps its column and shows the text around it.
#[test]
fn an_input_error_on_a_long_line_shows_a_window_of_it() {
    let line = format!(
        r#"{{"category":"行政执法","note":"{}","funding":{{"amount":"三千"}}}}"#,
        "x".repeat(100_000)
    );
    let error = zhunru::Subject::from_json("long.jsonl", &line).unwrap_err();
    assert_eq!(error.location(), "long.jsonl:1:100050");
    let rendered = render(&error, false);
    assert!(rendered.contains("[long.jsonl:1:100050]"), "{rendered}");
    assert!(
        rendered.contains(r#""amount": "三千""#) || rendered.contains(r#""amount":"三千""#),
        "{rendered}"
    );
    assert!(rendered.len() < 2_000, "{} bytes", rendered.len());
}

/// A date's label says which part does not exist: `2024-13-01` has no such month.
#[test]
fn a_bad_month_is_not_called_a_bad_day() {
    for (date, label) in [
        ("2024-13-01", "no such month"),
        ("2020-02-30", "no such day"),
    ] {
        let source = Source::new("d.policy", format!("政策 「x」\n  生效 {date}\n"));
        let diagnostics = check_source(&source);
        let labels: Vec<_> = diagnostics[0].labels().filter_map(|(_, t)| t).collect();
        assert_eq!(labels, [label], "{date}");
    }
}

/// A deny with an exception (`除非`: 原则上…，…除外) lets through what the exception holds
/// of. It shadows no later rule, bans nothing outright beside an admitting list, and a child
/// policy may admit what it lets through: none of these is reported (each was, wrongly).
#[test]
fn a_deny_with_an_exception_takes_nothing_outright() {
    let parent = "政策 「上位」\n\
        文件 「办法」 {\n  条款 A1 「执法事项原则上不得下派，经审批的除外」\n}\n\
        清单 执法事项 「执法事项」 引用 A1 { 「行政执法」 }\n\
        规则 执法事项不得下派 引用 A1\n  当 事项.category 属于 执法事项\n  \
        除非 事项.approval.status == 「approved」\n  不予准入 「不得下派」\n";
    let own = format!(
        "{parent}规则 经审批的执法事项 引用 A1\n  当 事项.category 属于 执法事项\n  准予准入\n\
         规则 其他 引用 A1\n  当 事项.category 不属于 执法事项\n  须经审批 「须经审批」\n"
    );
    let policy = zhunru::Policy::from_str("own.policy", &own).unwrap();
    assert!(policy.warnings().is_empty(), "{:?}", policy.warnings());
    // The rule the lint called shadowed decides what the exception lets through.
    let approved = policy
        .subject_from_json(
            "t",
            r#"{"category":"行政执法","approval":{"status":"approved"}}"#,
        )
        .unwrap();
    let decision = policy.decide(&approved, zhunru::Date::new(2020, 6, 1).unwrap());
    assert_eq!(decision.verdict(), zhunru::Verdict::Admitted);

    let dir = std::env::temp_dir().join(format!("zhunru-exception-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("parent.policy"), parent).unwrap();
    let child = "政策 「下级」\n  上位 「parent.policy」\n\
        文件 「细则」 {\n  条款 B1 「经审批的执法事项准予准入」\n}\n\
        清单 经审批事项 「经审批事项」 引用 B1 { 「行政执法」 }\n\
        规则 经审批准入 引用 B1\n  当 事项.category 属于 经审批事项\n  \
        要求 事项.approval.status == 「approved」\n  准予准入\n\
        规则 其他 引用 B1\n  当 事项.category 不属于 经审批事项\n  须经审批 「须经审批」\n";
    std::fs::write(dir.join("child.policy"), child).unwrap();
    let loaded = zhunru::Policy::from_file(dir.join("child.policy"));
    assert!(loaded.is_ok(), "{:?}", loaded.err());
    assert!(loaded.unwrap().warnings().is_empty());
}

/// A referral is called shadowed by an admit only when the admit takes every task the
/// referral applies to and requires nothing (nor has an exception): then the task is
/// admitted, and the referral's reason and requirements never show.
#[test]
fn a_referral_is_shadowed_only_by_an_admit_that_requires_nothing() {
    let head = "政策 「审批」\n文件 「办法」 {\n  条款 A1 「清单外事项须经审批」\n}\n\
        清单 履责清单 「履责清单」 引用 A1 { 「食品安全协管」 }\n";
    let referral = "规则 须审批 引用 A1\n  当 事项.category 不属于 履责清单 且 事项.approval.status == 「approved」\n  \
        要求 事项.funding.amount > 0 记为 funding\n  须经审批 「须经审批」\n";
    let shadowed_at = |admit: &str, after: bool| {
        let text = if after {
            format!("{head}{referral}{admit}")
        } else {
            format!("{head}{admit}{referral}")
        };
        let policy = zhunru::Policy::from_str("a.policy", &text).unwrap();
        let codes: Vec<_> = policy.warnings().iter().map(|w| w.code()).collect();
        codes.contains(&Code::Shadowed)
    };
    let shadowed = |admit: &str| shadowed_at(admit, false);
    // Requires nothing, and applies to every approved task: shadows (before or after it).
    assert!(shadowed(
        "规则 经审批 引用 A1\n  当 事项.approval.status == 「approved」\n  准予准入\n"
    ));
    assert!(shadowed_at(
        "规则 经审批 引用 A1\n  当 事项.approval.status == 「approved」\n  准予准入\n",
        true
    ));
    assert!(shadowed("规则 一律 引用 A1\n  准予准入\n"));
    // Requires something: a task that lacks it goes to the referral.
    assert!(!shadowed(
        "规则 经审批 引用 A1\n  当 事项.approval.status == 「approved」\n  要求 事项.basis 已提供\n  准予准入\n"
    ));
    // An exception lets tasks through to the referral.
    assert!(!shadowed(
        "规则 经审批 引用 A1\n  当 事项.approval.status == 「approved」\n  除非 事项.funding.amount > 0\n  准予准入\n"
    ));
    // Narrower than the referral: not every task it refers.
    assert!(!shadowed(
        "规则 经审批 引用 A1\n  当 事项.approval.status == 「approved」 且 事项.work_plan == 是\n  准予准入\n"
    ));
    // The shipped policies are clear of it.
    for file in ["hefei", "nanqiao", "yingjiang", "jiangyuan", "national"] {
        let policy = zhunru::Policy::from_file(format!("policies/{file}.policy")).unwrap();
        assert!(
            policy.warnings().iter().all(|w| w.code() != Code::Shadowed),
            "{file}"
        );
    }
}
