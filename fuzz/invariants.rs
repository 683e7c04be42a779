//! The invariants the fuzz targets check, shared with `tests/fuzz_regressions.rs` (which
//! includes this file by path) so every input the fuzzers found is re-checked by `cargo test`
//! exactly as the fuzzer checked it. A failed assertion is a bug in zhunru.
//!
//! [`policy`]: policy text → parser, checker, diagnostics and formatter.
//! - loading never panics, and every diagnostic renders (miette reads its spans);
//! - a policy that parses formats, in its own keywords and in both languages, and the
//!   output parses to the same AST (spans and comments aside), loads if the original loaded,
//!   and is a fixed point of the formatter (`zhunru fmt` is idempotent);
//! - a policy that loads decides the example subjects (every kind) without panicking, and
//!   `decide_json` writes exactly the bytes serde_json writes for `decide`.
//!
//! [`subject`]: subject input bytes → readers → decisions under the three shipped policies.
//! - `parse_line` never panics; its errors render (miette reads their snippet and offset);
//! - a subject read decides under every shipped policy, at several dates, without panicking,
//!   and `decide_json` writes exactly `serde_json::to_vec(&decide(..))`;
//! - a subject's JSON is the contract's: serialising it and reading that back gives the same
//!   subject;
//! - the streaming readers (`SubjectReader`, JSON Lines or one document, and `CsvReader`)
//!   never panic on the same bytes, and the subjects they read obey the same invariants.
#![allow(dead_code)] // each fuzz target uses one half

use std::sync::LazyLock;

use zhunru::Lang;
use zhunru::format::format_source;
use zhunru::input::{CsvReader, SubjectReader, parse_line};
use zhunru::{Date, Policy, Severity, Source, Subject, check_source, render};

/// The AST's Debug form with every span blanked (the formatter moves things), comments
/// left out (they are kept as text, not compared as nodes).
fn shape(source: &Source) -> Option<String> {
    let ast = zhunru::parse_policy(source).ok()?;
    let debug = format!("{:?}", (ast.header, ast.lists, ast.rules, ast.asserts));
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span { start: ") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('}').map_or(after.len(), |j| j + 1);
        out.push_str("Span");
        rest = &after[end..];
    }
    out.push_str(rest);
    Some(out)
}

fn loads(source: &Source) -> bool {
    !check_source(source)
        .iter()
        .any(|d| d.severity() == Severity::Error)
}

/// Subjects of every kind, read once from the shipped examples.
static SUBJECTS: LazyLock<Vec<Subject>> = LazyLock::new(|| {
    include_str!("../examples/mixed.jsonl")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| parse_line(l.as_bytes(), i + 1, "mixed.jsonl").unwrap())
        .collect()
});

/// Check one policy text.
pub fn policy(text: &str) {
    let source = Source::new("fuzz.policy", text);

    let diagnostics = check_source(&source);
    for d in &diagnostics {
        let _ = render(d, false);
        let _ = d.location();
    }
    let loaded = !diagnostics.iter().any(|d| d.severity() == Severity::Error);

    if loaded {
        let policy = Policy::from_source(source.clone())
            .expect("check_source found no error, so the policy loads");
        let as_of = Date::new(2020, 6, 1).unwrap();
        for subject in SUBJECTS.iter() {
            let decision = policy.decide(subject, as_of);
            let mut json = Vec::new();
            policy.decide_json(subject, as_of, &mut json);
            assert_eq!(
                String::from_utf8_lossy(&json),
                String::from_utf8_lossy(&serde_json::to_vec(&decision).unwrap()),
                "decide_json differs from decide"
            );
        }
    }

    let Some(original_shape) = shape(&source) else {
        // Does not parse: the formatter must refuse it too.
        assert!(
            format_source(&source, None).is_err(),
            "fmt accepted text the parser refused"
        );
        return;
    };
    for keywords in [None, Some(Lang::Zh), Some(Lang::En)] {
        let formatted = format_source(&source, keywords)
            .unwrap_or_else(|e| panic!("parses but does not format ({keywords:?}): {e:?}"));
        let out = Source::new("fmt.policy", formatted.as_str());
        let out_shape = shape(&out).unwrap_or_else(|| {
            panic!("formatted text ({keywords:?}) does not parse:\n{formatted}")
        });
        assert_eq!(
            original_shape, out_shape,
            "formatting ({keywords:?}) changed the AST:\n{formatted}"
        );
        if loaded {
            assert!(
                loads(&out),
                "formatted text ({keywords:?}) does not load: {:?}\n{formatted}",
                check_source(&out)
            );
        }
        let again = format_source(&out, keywords).expect("formatted text formats");
        assert_eq!(formatted, again, "fmt ({keywords:?}) is not idempotent");
    }
}

static POLICIES: LazyLock<Vec<Policy>> = LazyLock::new(|| {
    [
        ("hefei.policy", include_str!("../policies/hefei.policy")),
        ("nanqiao.policy", include_str!("../policies/nanqiao.policy")),
        (
            "yingjiang.policy",
            include_str!("../policies/yingjiang.policy"),
        ),
        (
            "jiangyuan.policy",
            include_str!("../policies/jiangyuan.policy"),
        ),
        (
            "national.policy",
            include_str!("../policies/national.policy"),
        ),
    ]
    .into_iter()
    .map(|(name, text)| Policy::from_str(&shipped(name), text).expect("shipped policy loads"))
    .collect()
});

/// The path of a shipped policy, so that its parent (`上位 "national.policy"`) is found
/// beside it: this file is compiled both in the fuzz crate (fuzz/) and in the main crate's
/// tests (the repository root).
fn shipped(file: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    [root.join("policies"), root.join("../policies")]
        .iter()
        .map(|dir| dir.join(file))
        .find(|p| p.exists())
        .map_or_else(|| file.to_owned(), |p| p.display().to_string())
}

/// Before, inside and after the periods and dates the examples and policies use.
static DATES: LazyLock<Vec<Date>> = LazyLock::new(|| {
    vec![
        Date::new(2020, 6, 1).unwrap(),
        Date::new(2019, 1, 1).unwrap(),
        Date::new(2031, 12, 31).unwrap(),
    ]
});

fn decide_everywhere(subject: &Subject) {
    let mut json = Vec::new();
    for policy in POLICIES.iter() {
        for &as_of in DATES.iter() {
            let decision = policy.decide(subject, as_of);
            json.clear();
            policy.decide_json(subject, as_of, &mut json);
            let expected = serde_json::to_vec(&decision).expect("a decision serialises");
            assert!(
                json == expected,
                "decide_json differs from decide under {}:\n  decide_json: {}\n  decide:      {}",
                policy.source().name(),
                String::from_utf8_lossy(&json),
                String::from_utf8_lossy(&expected),
            );
        }
    }
}

fn round_trips(subject: &Subject) {
    let json = serde_json::to_vec(subject).expect("a subject serialises");
    match parse_line(&json, 1, "round-trip") {
        Ok(back) => assert_eq!(
            &back,
            subject,
            "the subject's JSON reads back differently: {}",
            String::from_utf8_lossy(&json)
        ),
        Err(e) => panic!(
            "the subject's own JSON does not read back: {e}\n{}",
            String::from_utf8_lossy(&json)
        ),
    }
}

fn check(subject: &Subject) {
    decide_everywhere(subject);
    round_trips(subject);
    let _ = subject.label();
}

/// Check one input's bytes.
pub fn subject(data: &[u8]) {
    match parse_line(data, 1, "fuzz") {
        Ok(subject) => check(&subject),
        Err(e) => {
            let _ = render(&e, false);
        }
    }

    for (_, read) in SubjectReader::new(data, "fuzz.jsonl") {
        match read {
            Ok(subject) => check(&subject),
            Err(e) => {
                let _ = render(&e, false);
            }
        }
    }
    for (_, read) in CsvReader::new(data, "fuzz.csv") {
        match read {
            Ok(subject) => check(&subject),
            Err(e) => {
                let _ = render(&e, false);
            }
        }
    }
}
