//! The library as another crate sees it: only public `zhunru::` items, no test helpers.
//! Serde round trips of subjects and decisions, thread safety, loading several policies,
//! errors as miette diagnostics, and deciding odd subjects without panicking.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::sync::Arc;

use zhunru::audit::AuditReport;
use zhunru::{
    Date, Decision, InputError, Policies, Policy, PolicyError, Subject, SubjectKind, Value, Verdict,
};

const CONTRACT_TASK: &str = r#"{
  "kind": "task",
  "id": "T-2020-0007",
  "name": "企业摸底",
  "category": "企业摸底",
  "requester": "区经信局",
  "requester_level": "district_department",
  "community_role": "assist",
  "basis": ["安庆市经济普查工作方案"],
  "work_plan": true,
  "requirements": "走访辖区企业，填报摸底表",
  "period": {"start": "2020-05-01", "end": "2020-06-30"},
  "funding": {"amount": 3000, "per": "once"},
  "authorization": {"content": "企业信息采集", "object": "辖区企业", "powers": "入企走访", "until": "2020-06-30"},
  "approval": {"status": "approved", "by": "区社区建设领导小组", "date": "2020-04-20"}
}"#;

const CONTRACT_DECISION: &str = r#"{"subject": "task", "verdict": "denied",
 "reasons": [{"rule": "negative_list", "message": "…", "cite": "N2", "at": "policies/nanqiao.policy:14:5"}],
 "missing": []}"#;

fn june() -> Date {
    Date::new(2020, 6, 1).unwrap()
}

fn load(district: &str) -> Policy {
    Policy::from_file(format!("policies/{district}.policy")).unwrap()
}

#[test]
fn the_public_types_are_send_and_sync() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Policy>();
    send_sync::<Policies>();
    send_sync::<PolicyError>();
    send_sync::<Subject>();
    send_sync::<Decision>();
    send_sync::<InputError>();
    send_sync::<AuditReport>();
}

#[test]
fn a_subject_round_trips_through_the_contract_json() {
    let subject: Subject = serde_json::from_str(CONTRACT_TASK).unwrap();
    let json = serde_json::to_value(&subject).unwrap();
    // Every field of the contract's example comes back as it was.
    let original: serde_json::Value = serde_json::from_str(CONTRACT_TASK).unwrap();
    assert_eq!(json, original);
    let again: Subject = serde_json::from_str(&serde_json::to_string(&subject).unwrap()).unwrap();
    assert_eq!(again, subject, "fields in the same order too");
    // Defaults apply when reading a field, but are not stored: a subject serialises as it
    // was given, and a second trip changes nothing.
    let bare = Subject::from_json("bare", r#"{"category": "招商引资"}"#).unwrap();
    assert_eq!(
        bare.get("community_role"),
        Some(&zhunru::Value::from("assist"))
    );
    assert_eq!(
        bare.get("approval.status"),
        Some(&zhunru::Value::from("none"))
    );
    assert_eq!(bare.get("name"), Some(&zhunru::Value::from("招商引资")));
    let text = serde_json::to_string(&bare).unwrap();
    assert_eq!(text, r#"{"kind":"task","category":"招商引资"}"#);
    let twice: Subject = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&twice).unwrap(), text);
}

#[test]
fn a_subject_built_in_rust_is_the_subject_read_from_json() {
    let built = Subject::task("企业摸底")
        .with("id", "T-2020-0007")
        .unwrap()
        .with("name", "企业摸底")
        .unwrap()
        .with("requester", "区经信局")
        .unwrap()
        .with("requester_level", "district_department")
        .unwrap()
        .with("community_role", "assist")
        .unwrap()
        .with("basis", vec!["安庆市经济普查工作方案"])
        .unwrap()
        .with("work_plan", true)
        .unwrap()
        .with("requirements", "走访辖区企业，填报摸底表")
        .unwrap()
        .with("period.start", Date::new(2020, 5, 1).unwrap())
        .unwrap()
        .with("period.end", "2020-06-30")
        .unwrap()
        .with("funding.amount", 3000)
        .unwrap()
        .with("funding.per", "once")
        .unwrap()
        .with("authorization.content", "企业信息采集")
        .unwrap()
        .with("authorization.object", "辖区企业")
        .unwrap()
        .with("authorization.powers", "入企走访")
        .unwrap()
        .with("authorization.until", "2020-06-30")
        .unwrap()
        .with("approval.status", "approved")
        .unwrap()
        .with("approval.by", "区社区建设领导小组")
        .unwrap()
        .with("approval.date", "2020-04-20")
        .unwrap();
    let read: Subject = serde_json::from_str(CONTRACT_TASK).unwrap();
    // Same fields and values (object fields may be in another order).
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        serde_json::to_value(&read).unwrap()
    );
    for district in ["hefei", "nanqiao", "yingjiang"] {
        let policy = load(district);
        assert_eq!(
            policy.decide(&built, june()),
            policy.decide(&read, june()),
            "{district}"
        );
    }
}

#[test]
fn a_decision_round_trips_through_the_contract_json() {
    let policy = load("yingjiang");
    let tasks = [
        Subject::task("招商引资").with("id", "A").unwrap(),
        Subject::task("企业摸底")
            .with("approval.status", "approved")
            .unwrap(),
        serde_json::from_str(CONTRACT_TASK).unwrap(),
    ];
    for task in &tasks {
        let decision = policy.decide(task, june());
        let json = serde_json::to_string(&decision).unwrap();
        let back: Decision = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        // Everything survives: the decision read back is the decision (spans, kept for
        // rendering, are not compared).
        assert_eq!(back, decision);
        assert_eq!(back.kind(), decision.kind());
        assert_eq!(back.missing_items(), decision.missing_items());
        for (b, d) in back.reasons().iter().zip(decision.reasons()) {
            assert_eq!(
                (b.rule(), b.kind(), b.cites(), b.position()),
                (d.rule(), d.kind(), d.cites(), d.position())
            );
        }
    }
    // The contract's own example reads, and every key it has is written back unchanged.
    let decision: Decision = serde_json::from_str(CONTRACT_DECISION).unwrap();
    assert_eq!(decision.verdict(), Verdict::Denied);
    assert_eq!(decision.kind(), SubjectKind::Task);
    let written = serde_json::to_value(&decision).unwrap();
    let original: serde_json::Value = serde_json::from_str(CONTRACT_DECISION).unwrap();
    for key in ["subject", "verdict", "missing"] {
        assert_eq!(written[key], original[key], "{key}");
    }
    for key in ["rule", "message", "cite", "at"] {
        assert_eq!(
            written["reasons"][0][key], original["reasons"][0][key],
            "{key}"
        );
    }
}

#[test]
fn one_policy_decides_from_four_threads_as_from_one() {
    let policy = Arc::new(load("yingjiang"));
    let categories = [
        "招商引资",
        "协税护税",
        "经济创收",
        "行政执法",
        "企业摸底",
        "居民委员会换届选举",
        "垃圾分类入户宣传",
        "创卫迎检",
    ];
    let subjects: Arc<Vec<Subject>> = Arc::new(
        (0..400)
            .map(|i| {
                let mut t = Subject::task(categories[i % categories.len()])
                    .with("id", format!("T-{i}"))
                    .unwrap();
                if i % 3 == 0 {
                    t = t.with("community_role", "responsible").unwrap();
                }
                if i % 5 == 0 {
                    t = t
                        .with("approval.status", "approved")
                        .unwrap()
                        .with("funding.amount", i as f64)
                        .unwrap();
                }
                t
            })
            .collect(),
    );
    let expected: Vec<Decision> = policy.decide_all(subjects.iter(), june()).collect();
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let policy = Arc::clone(&policy);
            let subjects = Arc::clone(&subjects);
            std::thread::spawn(move || {
                // Each thread walks the subjects from a different start, so they overlap.
                let n = subjects.len();
                (0..n)
                    .map(|i| (i + w * 97) % n)
                    .map(|i| (i, policy.decide(&subjects[i], june())))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for worker in workers {
        for (i, decision) in worker.join().unwrap() {
            assert_eq!(decision, expected[i], "subject {i}");
        }
    }
}

#[test]
fn several_policies_load_together_and_answer_side_by_side() {
    let districts = Policies::from_files([
        "policies/hefei.policy",
        "policies/nanqiao.policy",
        "policies/yingjiang.policy",
    ])
    .unwrap();
    assert_eq!(districts.len(), 3);
    let verdicts: Vec<(String, Verdict)> = districts
        .decide(&Subject::task("招商引资"), june())
        .into_iter()
        .map(|(name, d)| (name, d.verdict()))
        .collect();
    assert_eq!(
        verdicts,
        [
            // 民发〔2015〕136号, the national parent, cancels 招商引资 as a task quota.
            ("hefei".to_owned(), Verdict::Denied),
            ("nanqiao".to_owned(), Verdict::Denied),
            ("yingjiang".to_owned(), Verdict::Denied)
        ]
    );
    let more = Policies::new();
    assert!(more.is_empty());
    let text = "policy \"Mini\"\ndocument \"d\" { clause H2 \"c\" }\nrule everything cite H2 about task refer \"ask\"\n";
    assert!(
        more.insert("mini", Policy::from_str("mini.policy", text).unwrap())
            .is_none()
    );
    assert!(
        more.insert("mini", Policy::from_str("mini2.policy", text).unwrap())
            .is_some()
    );
    assert_eq!(more.names(), ["mini"]);
    assert_eq!(more.get("mini").unwrap().source().name(), "mini2.policy");
}

#[test]
fn errors_from_every_file_come_back_as_miette_diagnostics_with_their_source() {
    let err = Policies::from_files([
        "policies/hefei.policy",
        "tests/cases/broken/unknown_list.policy",
        "policies/absent.policy",
        "tests/cases/broken/syntax_missing_cite.policy",
    ])
    .unwrap_err();
    let codes: Vec<String> = err
        .diagnostics()
        .iter()
        .map(|d| d.code().to_string())
        .collect();
    assert!(codes.contains(&"zhunru::check::unknown_list".to_owned()));
    assert!(codes.contains(&"zhunru::io".to_owned()));
    assert!(codes.contains(&"zhunru::parse::syntax".to_owned()));
    // Each related diagnostic carries its policy's text, so a report shows the lines.
    let diagnostic: &dyn miette::Diagnostic = &err;
    let related: Vec<_> = diagnostic.related().unwrap().collect();
    assert_eq!(related.len(), err.diagnostics().len());
    assert!(related.iter().all(|d| d.source_code().is_some()));
    let rendered = zhunru::render(&err.diagnostics()[0], false);
    assert!(rendered.contains("tests/cases/broken/"), "{rendered}");

    let dup = Policies::from_files(["policies/hefei.policy", "./policies/hefei.policy"]);
    assert!(
        dup.unwrap_err().diagnostics()[0]
            .message()
            .contains("two policies are named `hefei`")
    );
}

#[test]
fn deciding_odd_subjects_never_panics() {
    let odd = vec![
        Subject::task(""),
        Subject::task("　"),
        Subject::task("招".repeat(10_000)),
        Subject::task("企业摸底")
            .with("approval", Value::Null)
            .unwrap(),
        Subject::task("企业摸底")
            .with("basis", Value::List(vec![Value::Null]))
            .unwrap(),
        Subject::task("企业摸底")
            .with("x.y.z", vec![Value::Null])
            .unwrap(),
        Subject::new(SubjectKind::Community),
        Subject::new(SubjectKind::Community)
            .with("office_area", 10)
            .unwrap()
            .with("activity_area", 0)
            .unwrap(),
    ];
    for district in ["hefei", "nanqiao", "yingjiang"] {
        let policy = load(district);
        for subject in &odd {
            for as_of in [
                Date::new(1, 1, 1).unwrap(),
                june(),
                Date::new(9999, 12, 31).unwrap(),
            ] {
                let d = policy.decide(subject, as_of);
                assert!(!d.reasons().is_empty() || d.verdict() == Verdict::Compliant);
            }
        }
    }
}

/// The builder checks what the contract types: a mistyped value is an error naming its
/// path, never a field that silently reads as absent (issue 14).
#[test]
fn the_builder_refuses_what_json_input_refuses() {
    let task = || Subject::task("企业摸底");
    let refused = [
        ("funding.amount", task().with("funding.amount", f64::NAN)),
        (
            "funding.amount",
            task().with("funding.amount", f64::INFINITY),
        ),
        ("funding.amount", task().with("funding.amount", "三千")),
        ("funding.amount", task().with("funding.amount", "3000")),
        ("funding", task().with("funding", vec!["a", "b"])),
        ("period.end", task().with("period.end", "not a date")),
        ("period.end", task().with("period.end", "2020-02-30")),
        ("period", task().with("period", 7)),
        ("community_role", task().with("community_role", "boss")),
        ("category.x", task().with("category.x", 1)),
        ("", task().with("", "empty path")),
        ("a..b", task().with("a..b", 1)),
        (
            "external_signs",
            Subject::new(SubjectKind::Community).with("external_signs", vec![1i64, 2]),
        ),
        (
            "veto_items",
            Subject::new(SubjectKind::Assessment).with("veto_items", "not a list"),
        ),
    ];
    for (path, result) in refused {
        let error = result.expect_err(path);
        assert_eq!(error.path(), path);
    }
    // What JSON accepts, the builder accepts, and the two agree.
    let built = task()
        .with("funding.amount", 3000u16)
        .unwrap()
        .with("period.end", " 2020-06-30 ")
        .unwrap()
        .with("basis", &[" 甲 ", "　"][..])
        .unwrap()
        .with("requester", Some(&"区民政局".to_owned()))
        .unwrap()
        .with("approval.by", None::<&str>)
        .unwrap();
    let read = Subject::from_json(
        "form",
        r#"{"category": "企业摸底", "funding": {"amount": 3000}, "period": {"end": " 2020-06-30 "},
            "basis": [" 甲 ", "　"], "requester": "区民政局", "approval": {"by": null}}"#,
    )
    .unwrap();
    assert_eq!(built, read);
    assert_eq!(built.get_date("period.end"), Date::new(2020, 6, 30).ok());
}

/// An admission that did not happen is never described by the admit rule's message: the
/// reason says what failed (issue 9: 「经费（未提供）元」 was rendered for a task without funding).
#[test]
fn a_failed_admission_says_what_failed() {
    let policy = Policy::from_str(
        "unmet.policy",
        "政策 「测试」\n文件 「办法」 { 条款 A1 「清单内事项配套经费后准入」 }\n\
         清单 准入清单 「准入清单」 引用 A1 { 「社区养老服务站运营」 }\n\
         规则 清单内事项 引用 A1\n  当 事项.category 属于 准入清单\n\
         \x20 要求 事项.funding.amount > 0 记为 funding\n\
         \x20 准予准入 「「{事项.category}」准入，经费{事项.funding.amount}元」\n",
    )
    .unwrap();
    let d = policy.decide(&Subject::task("社区养老服务站运营"), june());
    assert_eq!(d.verdict(), Verdict::NeedsApproval);
    assert_eq!(d.missing(), ["funding"]);
    let message = &d.reasons()[0].message();
    assert!(!message.contains("未提供"), "{message}");
    assert!(message.contains("尚缺：funding"), "{message}");
    let mut fast = Vec::new();
    policy.decide_json(&Subject::task("社区养老服务站运营"), june(), &mut fast);
    assert_eq!(
        String::from_utf8(fast).unwrap(),
        serde_json::to_string(&d).unwrap()
    );
}
