//! Entries added to a parent's list with `追加 引用 …` answer to their own clause: a decision
//! on one cites the parent's rule and the clause it was added under, with that clause's
//! document; the notice marks it. Three levels: `tests/cases/parents/baseline.policy` (a
//! province), `tests/cases/extend/city.policy` (adds 违章建筑拆除 under M1) and
//! `tests/cases/extend/district.policy` (adds 安全生产检查 under D1).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

#[path = "support/run.rs"]
mod support;

use support::zhunru;
use zhunru::{Date, Policy, notice};

const DISTRICT: &str = "tests/cases/extend/district.policy";

fn june() -> Date {
    Date::new(2020, 6, 1).unwrap()
}

/// The subjects of the tests, as JSON Lines: an added entry by its alias, an entry added
/// one level down, the parent's own entry, a list of texts mentioning two added entries, and
/// one mentioning the parent's.
const SUBJECTS: &str = r#"{"category":"拆违"}
{"category":"安全生产检查"}
{"category":"招商引资"}
{"category":"居民会议组织","duties":["配合开展拆违","每月安全生产检查"]}
{"category":"居民会议组织","duties":["协助招商引资"]}
"#;

fn cites(policy: &Policy, line: &str) -> Vec<Vec<String>> {
    let subject = policy.subject_from_json("test", line).unwrap();
    let decision = policy.decide(&subject, june());
    decision
        .reasons()
        .iter()
        .map(|r| r.cites().to_vec())
        .collect()
}

#[test]
fn a_reason_on_an_added_entry_cites_the_clause_it_was_added_under() {
    let policy = Policy::from_file(DISTRICT).unwrap();
    let lines: Vec<&str> = SUBJECTS.lines().collect();
    // The province's rule decides; the city's clause (and document) is cited beside it.
    assert_eq!(cites(&policy, lines[0]), [["P1", "M1"]]);
    assert_eq!(cites(&policy, lines[1]), [["P1", "D1"]]);
    // The province's own entry: the province's clause only.
    assert_eq!(cites(&policy, lines[2]), [["P1"]]);
    // Each text of a list credits the entry it mentions, in order, each clause once.
    assert_eq!(cites(&policy, lines[3]), [["D2", "M1", "D1"]]);
    assert_eq!(cites(&policy, lines[4]), [["D2"]]);

    let decision = policy.decide(&policy.subject_from_json("test", lines[0]).unwrap(), june());
    let reason = &decision.reasons()[0];
    assert_eq!(
        reason.cite(),
        Some("P1"),
        "the rule's own clause stays first"
    );
    let documents: Vec<&str> = reason
        .clauses()
        .iter()
        .map(|c| c.document().title())
        .collect();
    assert_eq!(documents, ["示例省社区减负通知", "示例市社区减负清单"]);
}

#[test]
fn the_city_alone_credits_its_own_addition() {
    let city = Policy::from_file("tests/cases/extend/city.policy").unwrap();
    assert_eq!(
        cites(&city, r#"{"category":"违章建筑拆除"}"#),
        [["P1", "M1"]]
    );
    // The district's addition is not the city's: no rule of the city speaks to it.
    let none: Vec<Vec<String>> = vec![Vec::new()];
    assert_eq!(cites(&city, r#"{"category":"安全生产检查"}"#), none);
}

/// `eval --format json` writes decisions by the fast writer: the credited clauses must be
/// there too, byte for byte what the library's decision serialises to.
#[test]
fn eval_writes_the_same_decisions_as_the_library() {
    let policy = Policy::from_file(DISTRICT).unwrap();
    let (code, out, err) = zhunru(
        &[
            "eval",
            "--policy",
            DISTRICT,
            "--as-of",
            "2020-06-01",
            "--format",
            "json",
            "-",
        ],
        &[],
        SUBJECTS,
    );
    assert_eq!(code, 0, "{err}");
    let expected: Vec<String> = SUBJECTS
        .lines()
        .map(|l| {
            let decision = policy.decide(&policy.subject_from_json("test", l).unwrap(), june());
            serde_json::to_string(&decision).unwrap()
        })
        .collect();
    let written: Vec<&str> = out.lines().collect();
    assert_eq!(written, expected);
    insta::assert_snapshot!(out);
}

/// The text report names both documents under the reason.
#[test]
fn the_text_report_names_both_documents() {
    let (code, out, err) = zhunru(
        &["eval", "--policy", DISTRICT, "--as-of", "2020-06-01", "-"],
        &[],
        r#"{"category":"拆违"}"#,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        // (the line may wrap after the second title)
        out.contains("《示例省社区减负通知》（示民发〔2020〕9号） P1；《示例市社区减负清单》"),
        "{out}"
    );
}

#[test]
fn the_notice_marks_each_added_entry() {
    let policy = Policy::from_file(DISTRICT).unwrap();
    let n = notice::notice(&policy);
    let list = n.lists.iter().find(|l| l.name == "取消事项").unwrap();
    let tags: Vec<(&str, Option<String>)> = list
        .entries
        .iter()
        .map(|e| (e.text.as_str(), e.added_tag()))
        .collect();
    assert_eq!(
        tags,
        [
            ("招商引资", None),
            ("违章建筑拆除", Some("追加，依据 M1".to_owned())),
            ("安全生产检查", Some("追加，依据 D1".to_owned())),
        ]
    );
    let md = notice::render_markdown(&n);
    assert!(
        md.contains("2. 违章建筑拆除（别名：拆违） *〔追加，依据 M1〕*"),
        "{md}"
    );
    assert!(notice::render_html(&n).contains("<span class=\"tag\">追加，依据 D1</span>"));
    // In the lists' JSON only where there is something to say.
    let json = serde_json::to_value(&list.entries).unwrap();
    assert_eq!(json[0].get("cite"), None);
    assert_eq!(json[1]["cite"], serde_json::json!(["M1"]));
}

/// An undecided reason credits an added entry its condition matched, as every reason does
/// (found by the differential test: the undecided reasons alone left the clause out).
#[test]
fn an_undecided_reason_credits_the_added_entry_too() {
    let dir = std::env::temp_dir().join(format!("zhunru-extend-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("parent.policy"),
        "政策 「上位」\n文件 「上位文件」 {\n  条款 P1 「P1的条文」\n}\n清单 标识 「上位清单」 引用 P1 {\n  「招商引资」\n}\n规则 挂牌 引用 P1\n  当 任一 社区.external_signs 包含 标识 且 社区.office_area > 100\n  违规 「不应悬挂」\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("child.policy"),
        "政策 「本区」\n  上位 「parent.policy」\n文件 「本区文件」 {\n  条款 C1 「C1的条文」\n}\n清单 标识 追加 引用 C1 {\n  「城管执法」\n}\n",
    )
    .unwrap();
    let policy = Policy::from_file(dir.join("child.policy")).unwrap();
    // The sign matches the added entry; the office area is not given: undecided.
    let line = r#"{"kind":"community","external_signs":["城管执法"]}"#;
    let subject = policy.subject_from_json("test", line).unwrap();
    let decision = policy.decide(&subject, june());
    assert_eq!(decision.verdict(), zhunru::Verdict::Undecided);
    assert_eq!(cites(&policy, line), [["P1", "C1"]]);
    let mut json = Vec::new();
    policy.decide_json(&subject, june(), &mut json);
    assert_eq!(
        String::from_utf8(json).unwrap(),
        serde_json::to_string(&decision).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
