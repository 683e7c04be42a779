//! Invariants over generated subjects: deny overrides admit, decisions are deterministic
//! (across runs and threads) and independent of the order of list entries.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use proptest::prelude::*;
use zhunru::{Date, Policy, Subject, Value, Verdict};

const CATEGORIES: &[&str] = &[
    "招商引资",
    "协税护税",
    "经济创收",
    "行政执法",
    "拆迁拆违",
    "环境整治",
    "城市管理",
    "生产安全管理",
    "企业摸底",
    "食品安全协管",
    "居民会议组织",
    "居民委员会换届选举",
    "社会救助对象走访",
    "创卫迎检",
    "　招商引资　",
];

fn task() -> impl Strategy<Value = Subject> {
    (
        prop::sample::select(CATEGORIES),
        prop::option::of(prop::sample::select(&["responsible", "assist"][..])),
        prop::option::of(prop::sample::select(
            &["none", "pending", "approved", "rejected"][..],
        )),
        prop::option::of(0u32..5000),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(0u32..400),
    )
        .prop_map(|(category, role, status, amount, basis, plan, days)| {
            let mut t = Subject::task(category);
            if let Some(role) = role {
                t = t.with("community_role", role).unwrap();
            }
            if let Some(status) = status {
                t = t
                    .with("approval.status", status)
                    .unwrap()
                    .with("approval.by", "区社区建设领导小组")
                    .unwrap();
            }
            if let Some(amount) = amount {
                t = t.with("funding.amount", f64::from(amount)).unwrap();
            }
            if basis {
                t = t.with("basis", vec!["某文件"]).unwrap();
            }
            t = t
                .with("work_plan", plan)
                .unwrap()
                .with("requirements", "入户走访")
                .unwrap();
            if let Some(days) = days {
                let end = Date::from_days(18_262 + i64::from(days)); // from 2020-01-01
                t = t
                    .with("period.end", end.to_string())
                    .unwrap()
                    .with("authorization.until", end.to_string())
                    .unwrap()
                    .with("authorization.content", "信息采集")
                    .unwrap()
                    .with("authorization.object", "辖区居民")
                    .unwrap()
                    .with("authorization.powers", "入户走访")
                    .unwrap();
            }
            t
        })
}

fn policies() -> Vec<Policy> {
    ["hefei", "nanqiao", "yingjiang"]
        .iter()
        .map(|d| Policy::from_file(format!("policies/{d}.policy")).unwrap())
        .collect()
}

fn as_of() -> Date {
    Date::new(2020, 6, 1).unwrap()
}

proptest! {
    /// Whatever else a task carries, a category on a negative list is denied, with no
    /// `missing`, and only deny rules are given as reasons.
    #[test]
    fn deny_overrides_admit(t in task()) {
        for policy in policies() {
            let d = policy.decide(&t, as_of());
            let banned = policy.list_contains("负面清单", t.category().unwrap_or(""));
            if banned {
                prop_assert_eq!(d.verdict(), Verdict::Denied);
                prop_assert!(d.missing().is_empty());
            }
            if d.verdict() == Verdict::Denied {
                for r in d.reasons() {
                    let rule = policy.rule(r.rule()).unwrap();
                    prop_assert!(matches!(rule.outcome.node, zhunru::ast::Outcome::Deny(_)));
                }
            }
            prop_assert!(!d.reasons().is_empty());
            if d.verdict() != Verdict::NeedsApproval {
                prop_assert!(d.missing().is_empty());
            }
        }
    }

    /// Adding a rule that admits everything unconditionally changes no denial.
    #[test]
    fn an_admit_everything_rule_cannot_override_a_deny(t in task()) {
        for policy in policies() {
            let text = format!("{}\ndocument \"test\" {{ clause T-1 \"test\" }}\nrule admit_everything cite T-1 about task admit\n", policy.source().text());
            let lax = Policy::from_str(policy.source().name(), &text).unwrap();
            let (strict, loose) = (policy.decide(&t, as_of()), lax.decide(&t, as_of()));
            if strict.verdict() == Verdict::Denied {
                prop_assert_eq!(loose.verdict(), Verdict::Denied);
                prop_assert_eq!(strict.reasons(), loose.reasons());
            } else {
                prop_assert_eq!(loose.verdict(), Verdict::Admitted);
            }
        }
    }

    /// The same policy and subject give the same decision, byte for byte.
    #[test]
    fn decisions_are_deterministic(t in task()) {
        for policy in policies() {
            let a = serde_json::to_string(&policy.decide(&t, as_of())).unwrap();
            let again = Policy::from_str(policy.source().name(), policy.source().text()).unwrap();
            let b = serde_json::to_string(&again.decide(&t, as_of())).unwrap();
            prop_assert_eq!(a, b);
        }
    }

    /// The fast JSON writer writes exactly what serde writes for the owned decision.
    #[test]
    fn decide_json_matches_the_serde_form(t in task()) {
        for policy in policies() {
            let mut fast = Vec::new();
            policy.decide_json(&t, as_of(), &mut fast);
            let slow = serde_json::to_vec(&policy.decide(&t, as_of())).unwrap();
            prop_assert_eq!(String::from_utf8(fast).unwrap(), String::from_utf8(slow).unwrap());
        }
    }

    /// Reversing the order of the rules changes no verdict and no set of reasons or
    /// `missing` items; only their order follows the policy (documented in the README).
    #[test]
    fn rule_order_does_not_matter(t in task()) {
        for d in ["hefei", "nanqiao", "yingjiang"] {
            let text = std::fs::read_to_string(format!("policies/{d}.policy")).unwrap();
            let blocks: Vec<&str> = text.split("\n\n").collect();
            let (rules, rest): (Vec<&str>, Vec<&str>) =
                blocks.iter().partition(|b| b.lines().any(|l| l.starts_with("规则 ")));
            let mut reversed: Vec<&str> = rest.clone();
            reversed.extend(rules.iter().rev());
            let name = format!("policies/{d}.policy");
            let a = Policy::from_str(&name, &text).unwrap();
            let b = Policy::from_str(&name, &reversed.join("\n\n")).unwrap();
            let (da, db) = (a.decide(&t, as_of()), b.decide(&t, as_of()));
            prop_assert_eq!(da.verdict(), db.verdict());
            let set = |v: Vec<String>| { let mut v = v; v.sort(); v };
            prop_assert_eq!(set(da.missing().to_vec()), set(db.missing().to_vec()));
            prop_assert_eq!(
                set(da.reasons().iter().map(|r| r.message().to_owned()).collect()),
                set(db.reasons().iter().map(|r| r.message().to_owned()).collect())
            );
        }
    }

    /// Reordering a list's entries changes no decision.
    #[test]
    fn list_order_does_not_matter(t in task()) {
        let text = std::fs::read_to_string("policies/nanqiao.policy").unwrap();
        let original = "「招商引资」\n  「协税护税」\n  「行政执法」";
        let reordered = "「行政执法」\n  「招商引资」\n  「协税护税」";
        prop_assert!(text.contains(original));
        let a = Policy::from_str("policies/nanqiao.policy", &text).unwrap();
        let b = Policy::from_str("policies/nanqiao.policy", &text.replace(original, reordered)).unwrap();
        let (da, db) = (a.decide(&t, as_of()), b.decide(&t, as_of()));
        prop_assert_eq!(da.verdict(), db.verdict());
        prop_assert_eq!(da.missing(), db.missing());
        prop_assert_eq!(
            da.reasons().iter().map(|r| r.message()).collect::<Vec<_>>(),
            db.reasons().iter().map(|r| r.message()).collect::<Vec<_>>()
        );
    }

    /// A subject survives a JSON round trip unchanged, and decides the same.
    #[test]
    fn subjects_round_trip_through_json(t in task()) {
        let json = serde_json::to_string(&t).unwrap();
        let back: Subject = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&back, &t);
    }

    /// Any number the builder takes is written so that the reader reads the same number
    /// back, to the last bit (serde_json without `float_roundtrip` read
    /// `9007199254740991.0` as …990).
    #[test]
    fn numbers_round_trip_exactly(
        n in prop_oneof![any::<u64>().prop_map(f64::from_bits), 0.0f64..9.1e15, 0.0f64..1.0]
    ) {
        if let Ok(t) = Subject::task("x").with("funding.amount", n.abs()) {
            let json = serde_json::to_string(&t).unwrap();
            let back = Subject::from_json("built", &json).unwrap();
            prop_assert_eq!(back.get_number("funding.amount").map(f64::to_bits), Some(n.abs().to_bits()));
        }
    }
}

#[test]
fn decisions_agree_across_threads() {
    let policy = std::sync::Arc::new(Policy::from_file("policies/yingjiang.policy").unwrap());
    let subjects: Vec<Subject> = CATEGORIES
        .iter()
        .map(|c| {
            Subject::task(*c)
                .with("funding.amount", Value::Number(3000.0))
                .unwrap()
        })
        .collect();
    let expected: Vec<String> = subjects
        .iter()
        .map(|s| serde_json::to_string(&policy.decide(s, as_of())).unwrap())
        .collect();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let policy = policy.clone();
            let subjects = subjects.clone();
            std::thread::spawn(move || {
                subjects
                    .iter()
                    .map(|s| serde_json::to_string(&policy.decide(s, as_of())).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), expected);
    }
}
