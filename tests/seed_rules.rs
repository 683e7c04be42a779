//! Every rule of domain.md that decides a task, premises or an assessment, shown deciding
//! through the public API on the shipped policies.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use zhunru::{Date, Decision, Policy, Subject, SubjectKind, Value, Verdict};

fn policy(district: &str) -> Policy {
    Policy::from_file(format!("policies/{district}.policy"))
        .unwrap_or_else(|e| panic!("policies/{district}.policy does not load: {e}"))
}

fn decide(district: &str, subject: &Subject) -> Decision {
    policy(district).decide(subject, Date::new(2020, 6, 1).unwrap())
}

/// The clauses a decision cites, the district's own: a national clause the district's
/// parent adds (民发〔2015〕136号 for 招商引资 …) is checked where it matters, below.
fn cites(d: &Decision) -> Vec<&str> {
    d.reasons()
        .iter()
        .flat_map(|r| r.cites().iter().map(String::as_str))
        .filter(|c| !c.starts_with("136-") && !c.starts_with("20-"))
        .collect()
}

/// A task approved by the Yingjiang leading group with every material and funding.
fn complete(category: &str) -> Subject {
    Subject::task(category)
        .with("approval.status", "approved")
        .unwrap()
        .with("approval.by", "区社区建设领导小组")
        .unwrap()
        .with("basis", vec!["安庆市经济普查工作方案"])
        .unwrap()
        .with("work_plan", true)
        .unwrap()
        .with("requirements", "走访辖区企业，填报摸底表")
        .unwrap()
        .with("period.start", "2020-05-01")
        .unwrap()
        .with("period.end", "2020-06-30")
        .unwrap()
        .with("funding.amount", 3000.0)
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
}

// ------------------------------------------------------------------ Hefei

#[test]
fn h1_h2_items_on_the_two_lists_are_admitted() {
    let d = decide("hefei", &Subject::task("居民委员会换届选举"));
    assert_eq!(d.verdict(), Verdict::Admitted);
    assert!(cites(&d).contains(&"H1"));
}

#[test]
fn h2_anything_else_goes_through_the_admission_system() {
    let d = decide("hefei", &Subject::task("创卫迎检"));
    assert_eq!(d.verdict(), Verdict::NeedsApproval);
    assert_eq!(cites(&d), ["H2"]);
    assert_eq!(d.missing(), ["approval"]);
    let d = decide(
        "hefei",
        &Subject::task("创卫迎检")
            .with("approval.status", "approved")
            .unwrap(),
    );
    assert_eq!(d.verdict(), Verdict::Admitted);
}

#[test]
fn h3_the_lists_meet_the_sixty_percent_cut() {
    // The shipped policy proves its assertion; a copy with too many entries fails `check`.
    assert!(policy("hefei").warnings().is_empty());
    let text = std::fs::read_to_string("policies/hefei.policy").unwrap();
    let many: String = (0..70).map(|i| format!("示例 「事项{i}」\n")).collect();
    let text = text.replacen("示例 「居民公约制定」", &many, 1);
    // Named beside the real one, so its parent (national.policy) is found.
    let err = Policy::from_str("policies/hefei-too-many.policy", &text).unwrap_err();
    assert!(
        err.diagnostics()
            .iter()
            .any(|d| d.code() == zhunru::Code::AssertionFailed)
    );
}

#[test]
fn h4_one_vote_vetoes_are_abolished() {
    let plan = Subject::new(SubjectKind::Assessment)
        .with("veto_items", vec!["安全生产"])
        .unwrap();
    let d = decide("hefei", &plan);
    assert_eq!(d.verdict(), Verdict::NonCompliant);
    assert_eq!(cites(&d), ["H4"]);
    // Compliant only when the plan says it has no veto items: a list not given is not
    // read as an empty one.
    let silent = Subject::new(SubjectKind::Assessment)
        .with("indicators", vec!["群众满意度"])
        .unwrap();
    let d = decide("hefei", &silent);
    assert_eq!(d.verdict(), Verdict::Undecided);
    assert!(d.reasons()[0].message().contains("veto_items"));
    let ok = silent.with("veto_items", Value::List(Vec::new())).unwrap();
    assert_eq!(decide("hefei", &ok).verdict(), Verdict::Compliant);
}

// ------------------------------------------------------------------ Nanqiao

#[test]
fn n1_items_on_the_lists_are_admitted() {
    let d = decide("nanqiao", &Subject::task("居民会议组织"));
    assert_eq!(d.verdict(), Verdict::Admitted);
    assert_eq!(cites(&d), ["N1"]);
}

#[test]
fn n2_every_negative_item_is_denied_even_when_approved_and_funded() {
    for item in [
        "招商引资",
        "协税护税",
        "行政执法",
        "拆迁拆违",
        "城市管理",
        "环境整治",
        "生产安全管理",
    ] {
        let d = decide("nanqiao", &complete(item));
        assert_eq!(d.verdict(), Verdict::Denied, "{item}");
        assert_eq!(cites(&d), ["N2"], "{item}");
        assert!(d.reasons().iter().any(|r| r.message().contains(item)));
        assert!(d.missing().is_empty());
    }
    // 行政执法 is banned outright in Nanqiao, whatever the community's role.
    let assist = complete("行政执法")
        .with("community_role", "assist")
        .unwrap();
    assert_eq!(decide("nanqiao", &assist).verdict(), Verdict::Denied);
}

#[test]
fn n2_padding_and_full_width_forms_do_not_slip_past_the_list() {
    for written in ["　招商引资　", " 招商引资\t", "招商引资\u{3000}"] {
        assert_eq!(
            decide("nanqiao", &Subject::task(written)).verdict(),
            Verdict::Denied,
            "{written:?}"
        );
    }
    // An alias names the same item.
    assert_eq!(
        decide("nanqiao", &Subject::task("城管执法")).verdict(),
        Verdict::Denied
    );
}

#[test]
fn n3_unlisted_items_need_approval_and_say_what_is_missing() {
    let d = decide("nanqiao", &Subject::task("企业摸底"));
    assert_eq!(d.verdict(), Verdict::NeedsApproval);
    assert_eq!(d.reasons()[0].cite(), Some("N3"));
    assert_eq!(
        d.missing(),
        [
            "approval",
            "authorization_content",
            "authorization_object",
            "authorization_powers",
            "authorization_until",
            "funding"
        ]
    );
}

#[test]
fn n4_approval_without_funding_or_authorization_does_not_admit() {
    let d = decide("nanqiao", &complete("企业摸底"));
    assert_eq!(d.verdict(), Verdict::Admitted);
    assert_eq!(cites(&d), ["N3", "N4"]);
    let unfunded = complete("企业摸底").with("funding.amount", 0.0).unwrap();
    let d = decide("nanqiao", &unfunded);
    assert_eq!(d.verdict(), Verdict::NeedsApproval);
    assert_eq!(d.missing(), ["funding"]);
    // The authorization's time limit has passed.
    let lapsed = complete("企业摸底")
        .with("authorization.until", "2020-05-31")
        .unwrap();
    assert_eq!(
        decide("nanqiao", &lapsed).missing(),
        ["authorization_until"]
    );
}

#[test]
fn n5_assessment_indicators_vetoes_and_passing_down() {
    let ledgers = Subject::new(SubjectKind::Assessment)
        .with("indicators", vec!["群众满意度", "台账", "报表"])
        .unwrap();
    let d = decide("nanqiao", &ledgers);
    assert_eq!(d.verdict(), Verdict::NonCompliant);
    assert!(
        d.reasons()[0].message().contains("台账、报表"),
        "{}",
        d.reasons()[0].message()
    );
    let all = Subject::new(SubjectKind::Assessment)
        .with("indicators", vec!["挂牌"])
        .unwrap()
        .with("veto_items", vec!["综治"])
        .unwrap()
        .with("passed_down", vec!["文明创建考核"])
        .unwrap();
    let d = decide("nanqiao", &all);
    assert_eq!(d.reasons().len(), 3, "every violation is reported");
    assert_eq!(cites(&d), ["N5", "N5", "N5"]);
    let fine = Subject::new(SubjectKind::Assessment)
        .with("indicators", vec!["群众满意度", "社区服务水平"])
        .unwrap();
    // Its vetoes and what is passed down not given: those two rules cannot be told.
    let d = decide("nanqiao", &fine);
    assert_eq!(d.verdict(), Verdict::Undecided);
    let rules: Vec<&str> = d.reasons().iter().map(|r| r.rule()).collect();
    assert_eq!(rules, ["取消一票否决", "不得转嫁上级考核"]);
    let none = || Value::List(Vec::new());
    let fine = fine
        .with("veto_items", none())
        .unwrap()
        .with("passed_down", none())
        .unwrap();
    assert_eq!(decide("nanqiao", &fine).verdict(), Verdict::Compliant);
}

#[test]
fn n6_signs_and_office_space() {
    let allowed = vec!["社区党组织", "社区居民委员会", "居务监督委员会", "中国社区"];
    let fine = Subject::new(SubjectKind::Community)
        .with("external_signs", allowed.clone())
        .unwrap()
        .with("internal_signs", vec!["议事会", "服务站", "志愿者工作站"])
        .unwrap()
        .with("office_area", 80.0)
        .unwrap()
        .with("activity_area", 400.0)
        .unwrap();
    let d = decide("nanqiao", &fine);
    assert_eq!(d.verdict(), Verdict::Compliant);
    assert!(d.reasons().is_empty());

    let mut signs = allowed.clone();
    signs.push("综治中心");
    let extra = fine.clone().with("external_signs", signs).unwrap();
    let d = decide("nanqiao", &extra);
    assert_eq!(d.verdict(), Verdict::NonCompliant);
    assert!(d.reasons()[0].message().ends_with("综治中心"));

    let rooms: Vec<Value> = (1..=19)
        .map(|i| Value::from(format!("功能室{i}")))
        .collect();
    let crowded = fine
        .clone()
        .with("internal_signs", Value::List(rooms))
        .unwrap();
    assert_eq!(decide("nanqiao", &crowded).verdict(), Verdict::NonCompliant);
    let eighteen: Vec<Value> = (1..=18)
        .map(|i| Value::from(format!("功能室{i}")))
        .collect();
    let at_limit = fine
        .clone()
        .with("internal_signs", Value::List(eighteen))
        .unwrap();
    assert_eq!(decide("nanqiao", &at_limit).verdict(), Verdict::Compliant);

    let office = fine.clone().with("office_area", 81.0).unwrap();
    assert_eq!(decide("nanqiao", &office).verdict(), Verdict::NonCompliant);
    let exactly = fine.clone().with("office_area", 80.0).unwrap();
    assert_eq!(decide("nanqiao", &exactly).verdict(), Verdict::Compliant);
}

// ------------------------------------------------------------------ Yingjiang

#[test]
fn y1_items_on_the_two_lists_are_admitted() {
    let d = decide("yingjiang", &Subject::task("居民委员会换届选举"));
    assert_eq!(d.verdict(), Verdict::Admitted);
    assert_eq!(cites(&d), ["Y1"]);
}

#[test]
fn y2_y7_unlisted_items_need_strict_approval() {
    let d = decide("yingjiang", &Subject::task("创卫迎检"));
    assert_eq!(d.verdict(), Verdict::NeedsApproval);
    assert_eq!(cites(&d), ["Y2", "Y7"]);
    assert_eq!(
        d.missing(),
        [
            "approval",
            "approval_by",
            "basis",
            "work_plan",
            "requirements",
            "period",
            "funding"
        ]
    );
}

#[test]
fn y3_three_items_always_banned_four_when_the_community_is_responsible() {
    for item in ["招商引资", "协税护税", "经济创收"] {
        let d = decide("yingjiang", &complete(item));
        assert_eq!(d.verdict(), Verdict::Denied, "{item}");
        assert_eq!(cites(&d), ["Y3"]);
    }
    for item in ["行政执法", "拆迁拆违", "环境整治", "城市管理"] {
        let responsible = complete(item)
            .with("community_role", "responsible")
            .unwrap();
        assert_eq!(
            decide("yingjiang", &responsible).verdict(),
            Verdict::Denied,
            "{item}"
        );
        // Assisting, with approval and funding, it may enter: unlike Nanqiao.
        let assist = complete(item).with("community_role", "assist").unwrap();
        assert_eq!(
            decide("yingjiang", &assist).verdict(),
            Verdict::Admitted,
            "{item}"
        );
        // The role defaults to assisting.
        let unstated = Subject::task(item);
        assert_eq!(
            decide("yingjiang", &unstated).verdict(),
            Verdict::NeedsApproval,
            "{item}"
        );
    }
}

#[test]
fn y4_the_leading_group_decides_with_basis_and_work_plan() {
    let by_bureau = complete("企业摸底")
        .with("approval.by", "区民政局")
        .unwrap();
    let d = decide("yingjiang", &by_bureau);
    assert_eq!(d.verdict(), Verdict::NeedsApproval);
    assert_eq!(d.missing(), ["approval_by"]);
    let no_plan = complete("企业摸底")
        .with("work_plan", false)
        .unwrap()
        .with("basis", Value::List(vec![]))
        .unwrap();
    assert_eq!(
        decide("yingjiang", &no_plan).missing(),
        ["basis", "work_plan"]
    );
}

#[test]
fn y5_fee_follows_task_and_short_term_admission_lapses() {
    let survey = complete("企业摸底");
    let d = decide("yingjiang", &survey);
    assert_eq!(d.verdict(), Verdict::Admitted);
    assert_eq!(cites(&d), ["Y4", "Y5"]);
    assert!(d.reasons()[0].message().contains("3000元"));
    // After the period ends, the short-term admission lapses.
    let later = policy("yingjiang").decide(&survey, Date::new(2020, 7, 1).unwrap());
    assert_eq!(later.verdict(), Verdict::NeedsApproval);
    assert_eq!(later.missing(), ["period"]);
    // No budget: the fee does not follow the task.
    let unfunded = complete("企业摸底").with("funding.amount", 0.0).unwrap();
    assert_eq!(decide("yingjiang", &unfunded).missing(), ["funding"]);
    // Monthly subsidies, as for 食品安全协管.
    let food = complete("食品安全协管")
        .with("funding.per", "month")
        .unwrap()
        .with("period.end", "2020-12-31")
        .unwrap();
    assert_eq!(decide("yingjiang", &food).verdict(), Verdict::Admitted);
}

#[test]
fn differences_between_districts_stay_visible() {
    // 经济创收 is denied everywhere now (民发〔2015〕136号, the national parent); 生产安全管理
    // is on Nanqiao's negative list only.
    let economy = Subject::task("经济创收");
    assert_eq!(decide("yingjiang", &economy).verdict(), Verdict::Denied);
    assert_eq!(decide("nanqiao", &economy).verdict(), Verdict::Denied);
    assert_eq!(decide("hefei", &economy).verdict(), Verdict::Denied);
    let safety = Subject::task("生产安全管理");
    assert_eq!(decide("nanqiao", &safety).verdict(), Verdict::Denied);
    assert_eq!(
        decide("yingjiang", &safety).verdict(),
        Verdict::NeedsApproval
    );
    let enforcement = complete("行政执法");
    assert_eq!(decide("nanqiao", &enforcement).verdict(), Verdict::Denied);
    assert_eq!(
        decide("yingjiang", &enforcement).verdict(),
        Verdict::Admitted
    );
}

#[test]
fn every_decision_but_compliant_carries_a_reason_with_a_place() {
    for district in ["hefei", "nanqiao", "yingjiang"] {
        for category in ["招商引资", "企业摸底", "居民会议组织", "行政执法"] {
            let d = decide(district, &Subject::task(category));
            assert!(!d.reasons().is_empty(), "{district} {category}");
            for r in d.reasons() {
                let at = r.position().map(ToString::to_string).unwrap_or_default();
                assert!(
                    at.starts_with(&format!("policies/{district}.policy:"))
                        || at.starts_with("policies/national.policy:"),
                    "{at}"
                );
                // Every reason names the document its clause comes from.
                assert!(!r.clauses().is_empty(), "{at}");
                assert!(r.cite().is_some());
            }
        }
    }
}

#[test]
fn n6_an_office_share_of_no_activity_space_is_undecided_not_a_pass() {
    // office_area 10 over activity_area 0 divides by zero: the rule cannot be told.
    let premises = Subject::new(SubjectKind::Community)
        .with("office_area", 10.0)
        .unwrap()
        .with("activity_area", 0.0)
        .unwrap()
        .with("external_signs", vec!["社区党组织"])
        .unwrap()
        .with("internal_signs", Value::List(Vec::new()))
        .unwrap();
    let d = decide("nanqiao", &premises);
    assert_eq!(d.verdict(), Verdict::Undecided);
    assert_eq!(d.reasons()[0].rule(), "办公面积不超过两成");
    assert!(
        d.reasons()[0].message().contains("除数为零"),
        "{}",
        d.reasons()[0].message()
    );
    let json = serde_json::to_string(&d).unwrap();
    let mut fast = Vec::new();
    policy("nanqiao").decide_json(&premises, Date::new(2020, 6, 1).unwrap(), &mut fast);
    assert_eq!(String::from_utf8(fast).unwrap(), json);
    // A broken rule still decides: the premises are non-compliant whatever else is unknown.
    let signs = premises
        .clone()
        .with("external_signs", vec!["综治中心"])
        .unwrap();
    assert_eq!(decide("nanqiao", &signs).verdict(), Verdict::NonCompliant);
}

#[test]
fn premises_under_a_policy_without_premises_rules_say_no_rule_covers_them() {
    // Yingjiang's policy (and its national parent) has no rule about premises.
    let premises = Subject::new(SubjectKind::Community)
        .with("office_area", 300.0)
        .unwrap();
    let d = decide("yingjiang", &premises);
    assert_eq!(d.verdict(), Verdict::Compliant);
    assert_eq!(d.reasons().len(), 1);
    assert_eq!(d.reasons()[0].rule(), "no_rule_covers");
    assert!(d.reasons()[0].message().contains("未作任何检查"));
    let mut fast = Vec::new();
    policy("yingjiang").decide_json(&premises, Date::new(2020, 6, 1).unwrap(), &mut fast);
    assert_eq!(
        String::from_utf8(fast).unwrap(),
        serde_json::to_string(&d).unwrap()
    );
    // Nanqiao has premises rules: compliant premises carry no reason.
    let fine = Subject::new(SubjectKind::Community)
        .with("office_area", 10.0)
        .unwrap()
        .with("activity_area", 100.0)
        .unwrap()
        .with("external_signs", vec!["社区党组织"])
        .unwrap()
        .with("internal_signs", Value::List(Vec::new()))
        .unwrap();
    let d = decide("nanqiao", &fine);
    assert_eq!(d.verdict(), Verdict::Compliant);
    assert!(d.reasons().is_empty());
}

#[test]
fn a_category_matched_through_an_alias_names_the_entry_it_matched() {
    // 户籍证明 is an alias of the national list's 居民身份信息证明: the message must not
    // present the alias as the list's own entry.
    let d = decide("hefei", &Subject::task("户籍证明"));
    assert_eq!(d.verdict(), Verdict::Denied);
    assert!(
        d.reasons()[0]
            .message()
            .starts_with("「户籍证明」（即「居民身份信息证明」）列入《"),
        "{}",
        d.reasons()[0].message()
    );
    let mut fast = Vec::new();
    policy("hefei").decide_json(
        &Subject::task("户籍证明"),
        Date::new(2020, 6, 1).unwrap(),
        &mut fast,
    );
    assert_eq!(
        String::from_utf8(fast).unwrap(),
        serde_json::to_string(&d).unwrap()
    );
    // Mentioned inside a longer name (包含): the entry it mentions is named too.
    let d = decide("hefei", &Subject::task("开具无犯罪记录证明"));
    assert!(
        d.reasons()[0]
            .message()
            .starts_with("「开具无犯罪记录证明」（即「无犯罪记录证明」）列入《"),
        "{}",
        d.reasons()[0].message()
    );
    // The entry itself, or a spelling of it (spaces, full-width forms), gets no note.
    for spelled in ["居民身份信息证明", "　居民身份信息证明 "] {
        let d = decide("hefei", &Subject::task(spelled));
        assert!(
            !d.reasons()[0].message().contains("即「"),
            "{}",
            d.reasons()[0].message()
        );
    }
}
