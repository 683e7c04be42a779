//! Policy tests: cases that state a subject and the decision expected of it, kept beside the
//! policy (`policies/tests/<name>.json` for `policies/<name>.policy`), run by `zhunru test`.
//!
//! ```json
//! {"as_of": "2020-06-01",
//!  "cases": [{"name": "招商引资不得下放",
//!             "subject": {"category": "招商引资"},
//!             "expect": {"verdict": "denied", "reasons": ["负面事项不得下放"], "cites": ["N2"]}}]}
//! ```
//! `reasons` (rule names), `cites` and `missing` are optional; when given they must match
//! exactly, in order.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::ast::Literal;
use crate::diagnostic::InputError;
use crate::input::json_error_at;
use crate::value::{Date, Subject};
use crate::{Decision, Policy, Verdict};

/// A file of test cases for one policy.
///
/// See [`run`] for an example.
#[derive(Debug)]
#[non_exhaustive]
pub struct TestFile {
    /// The date cases are decided as of, unless a case says otherwise.
    pub as_of: Option<Date>,
    /// The cases read, in order.
    pub cases: Vec<TestCase>,
    /// The cases that could not be read (a mistyped subject, a misspelt key), each located
    /// in the file: one bad case does not keep the others from running.
    pub unreadable: Vec<UnreadableCase>,
}

/// A case that could not be read.
///
/// See [`run`] for an example.
#[derive(Debug)]
#[non_exhaustive]
pub struct UnreadableCase {
    /// Its place among the file's cases, from 0.
    pub index: usize,
    /// Its name, when it gives one.
    pub name: Option<String>,
    /// What is wrong, and where.
    pub error: InputError,
}

/// One case.
///
/// See [`run`] for an example.
#[derive(Debug)]
#[non_exhaustive]
pub struct TestCase {
    /// What it shows, e.g. 「招商引资不得下放」.
    pub name: String,
    /// This case's date, overriding the file's.
    pub as_of: Option<Date>,
    /// The subject decided, typed by the policy's fields as `eval` types it.
    pub subject: Subject,
    /// What the decision must be.
    pub expect: Expect,
}

/// The file as written: its cases kept as text, to be read one by one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText<'a> {
    as_of: Option<Date>,
    #[serde(borrow)]
    cases: Vec<&'a RawValue>,
}

/// A case as written: its subject kept as text, to be typed by the policy.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseText<'a> {
    name: String,
    as_of: Option<Date>,
    #[serde(borrow)]
    subject: &'a RawValue,
    expect: Expect,
}

/// The expected decision.
///
/// See [`run`] for an example.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Expect {
    /// The verdict.
    pub verdict: Verdict,
    /// The names of the deciding rules, in order.
    pub reasons: Option<Vec<String>>,
    /// Every seed rule id the reasons cite, in order.
    pub cites: Option<Vec<String>>,
    /// What is missing, in order.
    pub missing: Option<Vec<String>>,
}

/// The outcome of one case.
///
/// See [`run`] for an example.
#[derive(Debug)]
#[non_exhaustive]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// The decision made.
    pub decision: Decision,
    /// Each way the decision differs from the expectation (empty when the case passed).
    pub differences: Vec<String>,
}

impl CaseResult {
    /// Whether the decision met the expectation.
    ///
    /// See [`run`] for an example.
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }
}

/// What no case exercised.
///
/// See [`run`] for an example.
#[derive(Debug, Default)]
#[non_exhaustive]
pub struct Coverage {
    /// Rules in the policy.
    pub rules: usize,
    /// Names of the rules no case applied.
    pub rules_missed: Vec<String>,
    /// List entries in the policy.
    pub entries: usize,
    /// `(list, entry, is example)` of the entries no case matched.
    pub entries_missed: Vec<(String, String, bool)>,
}

/// The file of tests for a policy: `DIR/tests/NAME.json` for `DIR/NAME.policy`.
///
/// See [`run`] for an example.
pub fn tests_path(policy: &Path) -> PathBuf {
    let dir = policy.parent().unwrap_or(Path::new("."));
    let stem = policy
        .file_stem()
        .map_or_else(|| "policy".into(), |s| s.to_owned());
    let mut name = stem;
    name.push(".json");
    dir.join("tests").join(name)
}

/// Read the test file of `policy`, its subjects typed by the policy's fields (as `eval`
/// reads them). A file that is not a test file is an error at its line and column; a case
/// that cannot be read is one of [`TestFile::unreadable`], and the others are read.
///
/// See [`run`] for an example.
pub fn read_tests(path: &Path, policy: &Policy) -> Result<TestFile, InputError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| InputError::io(&origin, &e))?;
    let error = |start: usize, e: &serde_json::Error| {
        let (line, column, message, shown) = json_error_at(text.as_bytes(), start, e);
        InputError::new(
            &origin,
            line + 1,
            column,
            in_words(&message),
            &String::from_utf8_lossy(shown),
        )
        .with_help(TESTS_HELP)
    };
    let file: FileText = serde_json::from_str(&text).map_err(|e| error(0, &e))?;
    let mut cases = Vec::new();
    let mut unreadable = Vec::new();
    for (index, case) in file.cases.into_iter().enumerate() {
        match read_case(&text, case.get(), policy) {
            Ok(case) => cases.push(case),
            Err((start, e)) => unreadable.push(UnreadableCase {
                index,
                // The name, if the case has a readable one, to say which case it is.
                name: serde_json::from_str::<serde_json::Value>(case.get())
                    .ok()
                    .and_then(|v| v.get("name")?.as_str().map(str::to_owned)),
                error: error(start, &e),
            }),
        }
    }
    Ok(TestFile {
        as_of: file.as_of,
        cases,
        unreadable,
    })
}

/// One case from its text `case` (a slice of the file's `text`); an error with the offset
/// in `text` its position counts from.
fn read_case(
    text: &str,
    case: &str,
    policy: &Policy,
) -> Result<TestCase, (usize, serde_json::Error)> {
    let at = |part: &str| (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let read: CaseText = serde_json::from_str(case).map_err(|e| (at(case), e))?;
    let subject = read.subject.get();
    let subject = crate::value::subject_from_slice(Some(&policy.schema), subject.as_bytes())
        .map_err(|e| (at(subject), e))?;
    Ok(TestCase {
        name: read.name,
        as_of: read.as_of,
        subject,
        expect: read.expect,
    })
}

/// What a test file looks like (the help of its errors: not the JSON Lines help of `eval`).
const TESTS_HELP: crate::diagnostic::Help = (
    r#"a test file is one JSON object: {"as_of": "2020-06-01", "cases": [{"name": "…", "subject": {"category": "…"}, "expect": {"verdict": "denied"}}]}; `expect` may also give `reasons`, `cites` and `missing`"#,
    r#"测试文件是一个 JSON 对象：{"as_of": "2020-06-01", "cases": [{"name": "…", "subject": {"category": "…"}, "expect": {"verdict": "denied"}}]}；`expect` 还可写 `reasons`、`cites` 和 `missing`"#,
);

/// serde's words for this file's shapes ("expected struct Expect") in the file's own terms.
fn in_words(message: &str) -> String {
    message
        .replace(
            "expected struct FileText",
            r#"expected the test file's object {"as_of": …, "cases": […]}"#,
        )
        .replace(
            "expected struct CaseText",
            r#"expected a case {"name": …, "subject": {…}, "expect": {…}}"#,
        )
        .replace(
            "expected struct Expect",
            r#"expected `expect` as an object such as {"verdict": "admitted"}"#,
        )
}

/// Run every case of a file against a policy; with the coverage of the whole file.
///
/// ```
/// use std::path::Path;
/// use zhunru::{Date, Policy, testing};
/// let policy = Policy::from_file("policies/nanqiao.policy")?;
/// let path = testing::tests_path(Path::new("policies/nanqiao.policy"));
/// assert_eq!(path, Path::new("policies/tests/nanqiao.json"));
/// let file = testing::read_tests(&path, &policy)?;
/// assert!(file.unreadable.is_empty());
/// assert!(!file.cases.is_empty() && !file.cases[0].name.is_empty());
/// let _expected = &file.cases[0].expect.verdict;
/// let (results, coverage) = testing::run(&policy, &file, Date::new(2020, 6, 1)?);
/// assert!(results.iter().all(|r| r.passed()), "{:?}", results.iter().map(|r| &r.differences).collect::<Vec<_>>());
/// assert!(coverage.rules > 0 && coverage.entries > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(policy: &Policy, file: &TestFile, default_as_of: Date) -> (Vec<CaseResult>, Coverage) {
    let mut applied = BTreeSet::new();
    let mut matched = BTreeSet::new();
    let mut results = Vec::new();
    for case in &file.cases {
        let as_of = case.as_of.or(file.as_of).unwrap_or(default_as_of);
        let (decision, trace) = policy.decide_traced(&case.subject, as_of);
        applied.extend(trace.rules);
        matched.extend(trace.entries);
        let differences = compare(&case.expect, &decision);
        results.push(CaseResult {
            name: case.name.clone(),
            decision,
            differences,
        });
    }
    // Coverage counts what this file writes; a parent's rules and entries are its own
    // tests' business.
    let ast = policy.ast();
    let mut coverage = Coverage::default();
    for (i, rule) in ast.rules.iter().enumerate() {
        if !policy.is_own_rule(i) {
            continue;
        }
        coverage.rules += 1;
        if !applied.contains(&i) {
            coverage.rules_missed.push(rule.name.node.clone());
        }
    }
    for list in &ast.lists {
        for (i, entry) in list.entries.iter().enumerate() {
            if !policy.is_own_entry(&list.name.node, i) {
                continue;
            }
            coverage.entries += 1;
            if !matched.contains(&(list.name.node.clone(), i)) {
                let text = match &entry.value.node {
                    Literal::Text(t) => t.clone(),
                    other => format!("{other:?}"),
                };
                coverage
                    .entries_missed
                    .push((list.name.node.clone(), text, entry.example));
            }
        }
    }
    (results, coverage)
}

fn compare(expect: &Expect, got: &Decision) -> Vec<String> {
    let mut out = Vec::new();
    if expect.verdict != got.verdict() {
        out.push(format!(
            "verdict: expected {}, got {}",
            expect.verdict.as_str(),
            got.verdict().as_str()
        ));
    }
    if let Some(reasons) = &expect.reasons {
        let actual: Vec<&str> = got.reasons().iter().map(|r| r.rule()).collect();
        if *reasons != actual {
            out.push(format!("reasons: expected {reasons:?}, got {actual:?}"));
        }
    }
    if let Some(cites) = &expect.cites {
        let actual: Vec<&str> = got
            .reasons()
            .iter()
            .flat_map(|r| r.cites().iter().map(String::as_str))
            .collect();
        if *cites != actual {
            out.push(format!("cites: expected {cites:?}, got {actual:?}"));
        }
    }
    if let Some(missing) = expect.missing.as_ref().filter(|m| **m != got.missing()) {
        out.push(format!(
            "missing: expected {missing:?}, got {:?}",
            got.missing()
        ));
    }
    out
}
