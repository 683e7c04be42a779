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
use crate::diagnostic::{InputError, Text};
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
    #[serde(deserialize_with = "verdict_word")]
    pub verdict: Verdict,
    /// The names of the deciding rules, in order.
    pub reasons: Option<Vec<String>>,
    /// Every seed rule id the reasons cite, in order.
    pub cites: Option<Vec<String>>,
    /// What is missing, in order.
    pub missing: Option<Vec<String>>,
}

/// Every verdict, by its word in a test file.
const VERDICTS: [Verdict; 7] = [
    Verdict::Admitted,
    Verdict::Denied,
    Verdict::NeedsApproval,
    Verdict::Compliant,
    Verdict::NonCompliant,
    Verdict::Undecided,
    Verdict::NotInForce,
];

/// `expect.verdict`, read so that a wrong one says what it should be, with the verdict
/// meant (serde's own said "expected value" — not valid JSON — for a number, and listed the
/// words without a hint for `admited`).
fn verdict_word<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Verdict, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    if let Some(v) = VERDICTS.iter().find(|v| value.as_str() == Some(v.as_str())) {
        return Ok(*v);
    }
    let words: Vec<&str> = VERDICTS.iter().map(|v| v.as_str()).collect();
    let found = match &value {
        serde_json::Value::String(s) => format!("the string {value}{}", hint(s, &words, "")),
        serde_json::Value::Number(n) => format!("the number `{n}`"),
        serde_json::Value::Array(_) => "an array".to_owned(),
        serde_json::Value::Object(_) => "an object".to_owned(),
        other => format!("`{other}`"),
    };
    let choices = words
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(serde::de::Error::custom(format!(
        "field `expect.verdict` should be one of {choices}, found {found}"
    )))
}

/// "; did you mean `…`?" for the name among `names` that `word` is a likely typo of.
fn hint(word: &str, names: &[&str], prefix: &str) -> String {
    crate::suggest::closest(word, names.iter().copied())
        .map(|m| format!("; did you mean `{prefix}{m}`?"))
        .unwrap_or_default()
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
    /// Each way the decision differs from the expectation (empty when the case passed), in
    /// English and Chinese (`verdict: expected denied, got admitted`).
    pub differences: Vec<Text>,
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
        let (line, mut column, message, shown) = json_error_at(text.as_bytes(), start, e);
        if message.starts_with("field `expect.verdict`") {
            column =
                verdict_value_column(&String::from_utf8_lossy(shown), column).unwrap_or(column);
        }
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

/// The byte column (from 1, as serde_json counts) of the value of the last `"verdict"` key
/// before `column`, the end of `expect`'s object, where serde_json places an error of that
/// value.
fn verdict_value_column(line: &str, column: usize) -> Option<usize> {
    let before = line.get(..column.saturating_sub(1).min(line.len()))?;
    let key = before.rfind("\"verdict\"")? + "\"verdict\"".len();
    let after = line.get(key..)?;
    let colon = after.find(':')?;
    let value = after.get(colon + 1..)?;
    let skipped = value.len() - value.trim_start().len();
    Some(key + colon + 1 + skipped + 1)
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

/// serde's words for this file's shapes ("expected struct Expect") in the file's own terms;
/// a field serde does not know is named with the field meant, as a subject's is.
fn in_words(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((name, expected)) = rest.split_once("`, expected one of ")
    {
        let fields: Vec<&str> = expected.split(", ").map(|f| f.trim_matches('`')).collect();
        let (whose, prefix) = if fields.contains(&"verdict") {
            ("`expect`", "expect.")
        } else if fields.contains(&"subject") {
            ("a case", "")
        } else {
            ("a test file", "")
        };
        let why = match hint(name, &fields, prefix) {
            h if h.is_empty() => format!(" (its fields: {})", fields.join(", ")),
            h => h,
        };
        return format!("field `{prefix}{name}`: {whose} has no field `{name}`{why}");
    }
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

fn compare(expect: &Expect, got: &Decision) -> Vec<Text> {
    let mut out = Vec::new();
    // `what` differs: expected `want`, got `have` (each as the test file writes it).
    let differ = |en: &str, zh: &str, want: String, have: String| {
        Text::new(
            format!("{en}: expected {want}, got {have}"),
            format!("{zh}：应为 {want}，实为 {have}"),
        )
    };
    if expect.verdict != got.verdict() {
        let (want, have) = (expect.verdict, got.verdict());
        out.push(Text::new(
            format!("verdict: expected {want}, got {have}"),
            format!(
                "裁决：应为 {want}（{}），实为 {have}（{}）",
                want.zh(),
                have.zh()
            ),
        ));
    }
    if let Some(reasons) = &expect.reasons {
        let actual: Vec<&str> = got.reasons().iter().map(|r| r.rule()).collect();
        if *reasons != actual {
            out.push(differ(
                "reasons",
                "理由",
                format!("{reasons:?}"),
                format!("{actual:?}"),
            ));
        }
    }
    if let Some(cites) = &expect.cites {
        let actual: Vec<&str> = got
            .reasons()
            .iter()
            .flat_map(|r| r.cites().iter().map(String::as_str))
            .collect();
        if *cites != actual {
            out.push(differ(
                "cites",
                "引用",
                format!("{cites:?}"),
                format!("{actual:?}"),
            ));
        }
    }
    if let Some(missing) = expect.missing.as_ref().filter(|m| **m != got.missing()) {
        out.push(differ(
            "missing",
            "尚缺",
            format!("{missing:?}"),
            format!("{:?}", got.missing()),
        ));
    }
    out
}
