//! The short answer, one screen: the verdict, one line per deciding rule with its clause and
//! document, what was set aside, and what to do next — in words a requesting department
//! reads. The full report with the policy's source lines is `:why` (or `--explain`).

use std::fmt::Write as _;

use zhunru::ast::{ExprKind, ListOp, Literal, Outcome};
use zhunru::{
    Date, Decision, Policy, Reason, Subject, SubjectKind, Value, Verdict, normalize, report,
};

use super::understand;

/// A `missing` name in plain words, and the subject field it is about.
pub fn plain(name: &str) -> (&str, Option<&'static [&'static str]>) {
    match zhunru::labels::missing_label(name) {
        Some((label, path)) => (label, Some(path)),
        None => (name, None),
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "有".to_owned(),
        Value::Bool(false) => "无".to_owned(),
        // An empty list was given: there are none (not a blank).
        Value::List(items) if items.is_empty() => "无".to_owned(),
        Value::List(items) => items.iter().map(shown).collect::<Vec<_>>().join("、"),
        _ => String::new(),
    }
}

/// What a requirement asks for, in words: `… == 「区社区建设领导小组」` is 「区社区建设领导小组」,
/// `… 包含 「领导小组」` is 含「领导小组」的名称, alternatives joined by 或; `None` when a
/// part is none of these (the requirement is then quoted as written).
fn required_value(requirement: &str) -> Option<String> {
    let quoted = |text: &str| {
        let text = text.trim().trim_end_matches(['，', ',']).trim();
        text.strip_prefix('「')
            .and_then(|r| r.strip_suffix('」'))
            .or_else(|| text.strip_prefix('"').and_then(|r| r.strip_suffix('"')))
            .map(str::to_owned)
    };
    let words: Option<Vec<String>> = requirement
        .split(" 或 ")
        .flat_map(|part| part.split(" or "))
        .map(|part| {
            if let Some((_, right)) = part.split_once("==") {
                quoted(right).map(|v| format!("「{v}」"))
            } else {
                let (_, right) = part
                    .split_once(" 包含 ")
                    .or_else(|| part.split_once(" contains "))?;
                quoted(right).map(|v| format!("含「{v}」的名称"))
            }
        })
        .collect();
    words.map(|w| w.join("或"))
}

/// One line per missing item: absent, given but not what is required, lapsed.
fn missing_lines(decision: &Decision, subject: &Subject, as_of: Date) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for m in decision.missing_items() {
        if seen.contains(&m.name()) {
            continue;
        }
        seen.push(m.name());
        let (label, path) = plain(m.name());
        let given = path.and_then(|p| subject.fields().get_path(&p.join(".")));
        let line = match given {
            None | Some(Value::Null) => format!("{label}：未提供"),
            Some(v) => {
                let v = shown(v);
                if m.name() == "period" && Date::parse(&v).is_some_and(|d| d < as_of) {
                    format!("{label}：已于 {v} 结束（问的是 {as_of}）")
                } else if m.name() == "approval_date" && Date::parse(&v).is_some_and(|d| d > as_of)
                {
                    format!("{label}：{v} 才审批，问的是 {as_of}：当日尚未批准，批准后方可布置")
                } else if m.name() == "approval" {
                    match v.as_str() {
                        "pending" => "审批：尚在审批中，批准前不得进入".to_owned(),
                        "rejected" => "审批：未通过（驳回）".to_owned(),
                        _ => "审批：未经批准".to_owned(),
                    }
                } else if let Some(want) = required_value(m.requirement()) {
                    format!("{label}：给出的是“{v}”，须为{want}")
                } else {
                    format!("{label}：给出的“{v}”不符合要求（{}）", m.requirement())
                }
            }
        };
        out.push(line);
    }
    out
}

/// The entries of the policy's task lists the item matched, with their 示例 flag.
fn matched_entries(policy: &Policy, item: &str) -> Vec<(String, bool)> {
    let norm = normalize(item);
    let mut out = Vec::new();
    for list_name in understand::task_lists(policy) {
        let Some(list) = policy.list_decl(&list_name) else {
            continue;
        };
        for e in &list.entries {
            let Literal::Text(t) = &e.value.node else {
                continue;
            };
            if normalize(t) == norm || e.aliases.iter().any(|a| normalize(&a.node) == norm) {
                out.push((t.clone(), e.example));
            }
        }
    }
    out
}

/// How many rules are about a kind of subject: by `关于`, or by the fields they read.
fn rules_about(policy: &Policy, kind: SubjectKind) -> usize {
    policy
        .ast()
        .rules
        .iter()
        .filter(|r| match &r.about {
            Some(k) => k.node == kind,
            None => r
                .when
                .iter()
                .chain(r.requirements.iter().map(|q| &q.expr))
                .flat_map(|e| e.paths())
                .any(|p| p.kind == kind),
        })
        .count()
}

/// Whether a rule admits by list membership (`当 事项.category 属于 …`).
fn admits_by_list(policy: &Policy, rule: &str) -> bool {
    policy.rule(rule).is_some_and(|r| {
        matches!(r.outcome.node, Outcome::Admit(_))
            && r.when.iter().any(|w| {
                w.subexpressions()
                    .any(|e| matches!(&*e.kind, ExprKind::InList { op: ListOp::In, .. }))
            })
    })
}

fn is_admit_rule(policy: &Policy, rule: &str) -> bool {
    policy
        .rule(rule)
        .is_some_and(|r| matches!(r.outcome.node, Outcome::Admit(_)))
}

/// 「民发〔2015〕136号 136-一」, or the document's title and the clause; the cites when the
/// policy declares no clause.
fn clauses_of(reason: &Reason) -> String {
    if reason.clauses().is_empty() {
        return reason.cites().join("、");
    }
    // Clauses of one document are named after it once: 《…》 Y2、Y7.
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for c in reason.clauses() {
        let doc = match &c.document().number() {
            Some(n) => n.to_string(),
            None => format!("《{}》", c.document().title()),
        };
        let id = if c.is_example() {
            format!("{}（示例条款）", c.id())
        } else {
            c.id().to_owned()
        };
        match groups.iter_mut().find(|(d, _)| *d == doc) {
            Some((_, ids)) => ids.push(id),
            None => groups.push((doc, vec![id])),
        }
    }
    groups
        .iter()
        .map(|(doc, ids)| format!("{doc} {}", ids.join("、")))
        .collect::<Vec<_>>()
        .join("；")
}

/// A condition as written in the policy, with declared field labels for paths
/// (`事项.community_type == 「城市」` → `社区类型 为 「城市」`).
fn readable(policy: &Policy, condition: &str) -> String {
    let mut out = condition.to_owned();
    for f in &policy.ast().fields {
        if let Some(label) = &f.label {
            let dotted = f.path.fields.join(".");
            for prefix in [
                "事项.",
                "task.",
                "社区.",
                "community.",
                "考核.",
                "assessment.",
            ] {
                out = out.replace(&format!("{prefix}{dotted}"), &label.node);
            }
        }
    }
    out.replace(" == ", " 为 ").replace(" != ", " 不为 ")
}

fn role(subject: &Subject) -> Option<&str> {
    match subject.fields().get_path("community_role") {
        Some(Value::Text(t)) => Some(t.as_str()),
        _ => None,
    }
}

fn approval(subject: &Subject) -> Option<&str> {
    match subject.fields().get_path("approval.status") {
        Some(Value::Text(t)) => Some(t.as_str()),
        _ => None,
    }
}

/// The short answer to a decided subject.
pub fn short(
    policy: &Policy,
    subject: &Subject,
    decision: &Decision,
    as_of: Date,
    color: bool,
) -> String {
    let mut verdict = report::verdict_line(decision.verdict());
    if color {
        let code = match decision.verdict() {
            Verdict::Admitted | Verdict::Compliant => "32",
            Verdict::Denied | Verdict::NonCompliant => "31",
            Verdict::NeedsApproval | Verdict::NotInForce | Verdict::Undecided => "33",
            _ => "0",
        };
        verdict = format!("\x1b[1;{code}m{verdict}\x1b[0m");
    }
    let mut out = format!("{verdict}\n");
    let mark = match decision.verdict() {
        Verdict::Denied | Verdict::NonCompliant => "×",
        Verdict::NeedsApproval | Verdict::NotInForce | Verdict::Undecided => "⚠",
        Verdict::Admitted | Verdict::Compliant => "✓",
        _ => "·",
    };
    for r in decision.reasons() {
        let message = if decision.verdict() != Verdict::Admitted && is_admit_rule(policy, r.rule())
        {
            // An admission that did not happen is not told in its own words.
            format!("{}：准入条件未全部满足", r.rule())
        } else {
            r.message().to_owned()
        };
        let clauses = clauses_of(r);
        if clauses.is_empty() {
            let _ = writeln!(out, "  {mark} {message}");
        } else {
            let _ = writeln!(out, "  {mark} {message} — 依据 {clauses}");
        }
    }
    for e in decision.exceptions() {
        let _ = writeln!(
            out,
            "  ↷ 规则「{}」因例外未适用：{}",
            e.rule(),
            readable(policy, e.unless())
        );
    }
    if decision.reasons().is_empty()
        && matches!(decision.verdict(), Verdict::Compliant | Verdict::Admitted)
    {
        let checked = rules_about(policy, subject.kind());
        if checked == 0 {
            out.push_str(
                "  ⚠ 没有规则涉及此事 — no rule of this policy speaks to it; 不等于经审查合规\n",
            );
        } else {
            let _ = writeln!(
                out,
                "  ✓ 已对照{checked}条规则，均未违反 — checked against {checked} rules, none broken"
            );
        }
    }
    // Undecided: the rules that could be told are not broken (a question about one sign is
    // answered for that sign, while the rules it could not tell stay open).
    if decision.verdict() == Verdict::Undecided {
        let told = rules_about(policy, subject.kind()).saturating_sub(decision.reasons().len());
        let said = match told {
            1 => "其余1条规则未违反 — the other rule checked, not broken".to_owned(),
            n => format!("其余{n}条规则均未违反 — the other {n} rules checked, none broken"),
        };
        if told > 0 {
            let _ = writeln!(out, "  ✓ {said}");
        }
    }

    // What to do next.
    let next = match decision.verdict() {
        Verdict::Denied => {
            let mut s = "不得要求社区承担此事项".to_owned();
            if role(subject) == Some("responsible") {
                let assist = subject.clone().with("community_role", "assist");
                if let Ok(assist) = assist
                    && let d = policy.decide(&assist, as_of)
                    && d.verdict() != Verdict::Denied
                {
                    s.push_str(&format!(
                        "；社区至多协助：以协助身份办理时为「{}」",
                        d.verdict().zh()
                    ));
                }
            }
            s
        }
        Verdict::NeedsApproval => match approval(subject) {
            Some("rejected") => {
                "审批未通过（驳回）：此事项不得进入社区；如确需下放，须重新申请并经批准".to_owned()
            }
            Some("pending") if decision.missing().iter().all(|m| m == "approval") => {
                "尚在审批中：批准前不得进入社区".to_owned()
            }
            _ => {
                let lines = missing_lines(decision, subject, as_of);
                if lines.is_empty() {
                    "按准入程序报批，经批准后方可进入社区".to_owned()
                } else {
                    let mut s = "尚缺或不符：\n".to_owned();
                    for l in &lines {
                        let _ = writeln!(s, "    · {l}");
                    }
                    s.push_str("    补齐后按准入程序报批，经批准方可进入社区");
                    s
                }
            }
        },
        Verdict::Admitted => {
            let mut s = "可以进入社区".to_owned();
            if let Some(item) = subject.category()
                && decision
                    .reasons()
                    .iter()
                    .any(|r| admits_by_list(policy, r.rule()))
            {
                let entries = matched_entries(policy, item);
                if !entries.is_empty() && entries.iter().all(|(_, example)| *example) {
                    let names: Vec<String> =
                        entries.iter().map(|(t, _)| format!("「{t}」")).collect();
                    s.push_str(&format!(
                        "\n  注意：所据清单条目{}为示例（政策原文未列此条目），请以本区正式公布的清单核对",
                        names.join("")
                    ));
                }
            }
            s
        }
        Verdict::NotInForce => {
            "此日不适用本政策；用 :as-of 日期 改问施行期内的日子，或 :district 换用施行中的政策"
                .to_owned()
        }
        Verdict::Compliant => "合规".to_owned(),
        Verdict::NonCompliant => "按上述规则整改".to_owned(),
        Verdict::Undecided => {
            "补上上述规则所需而未提供的字段，或核对其数值（如面积为0），更正后再问".to_owned()
        }
        _ => String::new(),
    };
    let _ = writeln!(out, "下一步：{next}");

    // A task the community only assists with, that would be denied were it responsible.
    if decision.verdict() != Verdict::Denied
        && subject.kind() == zhunru::SubjectKind::Task
        && role(subject) != Some("responsible")
    {
        let responsible = subject.clone().with("community_role", "responsible");
        if let Ok(responsible) = responsible
            && let d = policy.decide(&responsible, as_of)
            && d.verdict() == Verdict::Denied
        {
            let rules: Vec<&str> = d.reasons().iter().map(|r| r.rule()).collect();
            let _ = writeln!(
                out,
                "注意：社区只能协助；以社区为责任主体则不予准入（{}）",
                rules.join("、")
            );
        }
    }
    out.push_str("（:why 看规则原文与完整依据）\n");
    out
}
