//! Auditing what was actually pushed down: a log of tasks sent to communities, each decided
//! as of the day it was sent, and every task that entered without admission reported with
//! the rules it broke (Yingjiang's oversight, Y8: "4 violations of admission were found").
//!
//! A task *entered without admission* when its decision is not `admitted`:
//!
//! | class | when | typically |
//! |---|---|---|
//! | [`denied`](ViolationClass::Denied) | `denied` | an item a deny rule bans: a negative list (Y3, N2), certificates a community may not issue … |
//! | [`no_approval`](ViolationClass::NoApproval) | `needs_approval`, `approval` missing | outside the lists, not approved (Y2, Y7, N3, H2) |
//! | [`no_funding`](ViolationClass::NoFunding) | `needs_approval`, approved but `funding` missing | fee does not follow task (Y5, N4) |
//! | [`incomplete`](ViolationClass::Incomplete) | `needs_approval`, something else missing | approved by the wrong body, period lapsed (Y4, Y5) |
//!
//! A denied task names the lists of the policy its deny rules matched it on (their titles):
//! the class comes from the policy, so a certificate a community may not issue is not
//! reported as a negative-list item.
//!
//! Each row is decided as of its `sent_on` date; a row without one as of a default date,
//! which the report states. An approval dated after the task was sent did not exist when it
//! was sent: the row is decided as unapproved (approval `pending`) and the violation carries
//! the approval's date (`approved_on`), which the renderers explain.
//!
//! Computing is here; [`render`] writes the report as text and Markdown.
//!
//! ```
//! use zhunru::{Date, Policy, audit::{audit, ViolationClass}, input::CsvReader};
//!
//! let policy = Policy::from_file("policies/yingjiang.policy")?;
//! let log = "id,sent_on,requester,category,community_role\n\
//!            T-1,2020-03-02,区经信局,招商引资,assist\n\
//!            T-2,2020-03-05,宜城路街道办事处,垃圾分类入户宣传,assist\n";
//! let rows = CsvReader::new(log.as_bytes(), "log.csv");
//! let report = audit(&policy, "log.csv", rows, Date::new(2020, 12, 31).unwrap());
//!
//! assert_eq!(report.summary.rows, 2);
//! assert_eq!(report.summary.by_verdict.admitted, 1);
//! let v = &report.violations[0];
//! assert_eq!((v.line, v.id.as_deref(), v.class), (2, Some("T-1"), ViolationClass::Denied));
//! // The class comes from the policy: the lists the deny rules matched it on.
//! assert_eq!(v.lists, ["社区承担的任务指标（原则上一律取消）", "负面清单（严禁要求社区承担）"]);
//! // The national parent's rule (民发〔2015〕136号) and Yingjiang's own (Y3) both deny it.
//! assert_eq!(v.reasons[0].cite(), Some("136-一"));
//! assert_eq!(v.reasons[1].cite(), Some("Y3"));
//! assert!(report.to_text().contains("区经信局 — 1 violation"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub mod render;
pub use render::{render_markdown, render_text};

use crate::ast::{ExprKind, ListOp, SubjectKind};
use crate::diagnostic::InputError;
use crate::eval::{Decision, Reason, Verdict};
use crate::value::{Date, Subject, Value};
use crate::{Policy, Versions};

/// Why a task that entered a community had no admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationClass {
    /// Denied: a deny rule of the policy applies (a negative-list item, one the community may
    /// not be responsible for, a certificate it may not issue …); the violation names the
    /// lists.
    Denied,
    /// Not approved (or not yet approved when it was sent).
    NoApproval,
    /// Approved, but without the funding that must follow the task (费随事转).
    NoFunding,
    /// Approved and funded, but the application lacks something else (the approving body,
    /// basis, work plan, a period still running …).
    Incomplete,
}

impl ViolationClass {
    /// Every class, in report order.
    pub const ALL: [ViolationClass; 4] = [
        ViolationClass::Denied,
        ViolationClass::NoApproval,
        ViolationClass::NoFunding,
        ViolationClass::Incomplete,
    ];

    /// The class of a decision on a task that entered a community, or `None` if it was
    /// admitted (or is not a task decision).
    ///
    /// ```
    /// use zhunru::{Date, Policy, Subject, audit::ViolationClass};
    /// let policy = Policy::from_file("policies/yingjiang.policy").unwrap();
    /// let as_of = Date::new(2020, 6, 1).unwrap();
    /// let approved = Subject::task("食品安全协管").with("approval.status", "approved").unwrap();
    /// let d = policy.decide(&approved, as_of);
    /// assert_eq!(ViolationClass::of(&d), Some(ViolationClass::NoFunding));
    /// let d = policy.decide(&Subject::task("居民委员会换届选举"), as_of);
    /// assert_eq!(ViolationClass::of(&d), None);
    /// ```
    pub fn of(decision: &Decision) -> Option<ViolationClass> {
        let missing = |name: &str| decision.missing.iter().any(|m| m == name);
        match decision.verdict {
            Verdict::Denied => Some(ViolationClass::Denied),
            // No rule admits it at all (nothing is listed as missing): it had no admission.
            Verdict::NeedsApproval if missing("approval") || decision.missing().is_empty() => {
                Some(ViolationClass::NoApproval)
            }
            Verdict::NeedsApproval if missing("funding") => Some(ViolationClass::NoFunding),
            Verdict::NeedsApproval => Some(ViolationClass::Incomplete),
            Verdict::Admitted | Verdict::Compliant | Verdict::NonCompliant => None,
            // Nothing was decided: the row is reported as an error, not a violation.
            Verdict::NotInForce | Verdict::Undecided => None,
        }
    }

    /// The report's word: `denied`, `no_approval`, `no_funding`, `incomplete`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationClass::Denied => "denied",
            ViolationClass::NoApproval => "no_approval",
            ViolationClass::NoFunding => "no_funding",
            ViolationClass::Incomplete => "incomplete",
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ViolationClass::Denied => "不予准入事项",
            ViolationClass::NoApproval => "未经准入审批",
            ViolationClass::NoFunding => "经费未落实",
            ViolationClass::Incomplete => "准入要件不全",
        }
    }
}

/// A task that entered a community without admission.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    /// The line of the log the row starts on.
    pub line: usize,
    /// The task's `id`.
    pub id: Option<String>,
    /// Who sent it (`requester`).
    pub requester: Option<String>,
    /// Its `name`.
    pub name: Option<String>,
    /// Its `category`.
    pub category: Option<String>,
    /// When it was sent (`sent_on`), if the log says.
    pub sent_on: Option<Date>,
    /// The date it was decided as of: `sent_on`, else the audit's default date.
    pub as_of: Date,
    /// `denied` or `needs_approval`.
    pub verdict: Verdict,
    /// Why it had no admission.
    pub class: ViolationClass,
    /// For a denied task: the titles (else names) of the policy's lists its deny rules
    /// matched it on, in policy order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<String>,
    /// The rules it broke, in policy order: the decision's reasons, then the rules whose
    /// requirements it failed (each with its seed rule id and place in the policy).
    pub reasons: Vec<Reason>,
    /// What its application lacked (the decision's `missing`).
    pub missing: Vec<String>,
    /// The approval's date, when it is after the task was sent: the task was decided as
    /// unapproved, as it stood the day it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_on: Option<Date>,
}

/// A row of the log that could not be audited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowError {
    /// The line of the log.
    pub line: usize,
    /// The column (in characters), 0 when it is the whole row.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// `log:line:column`.
    pub at: String,
}

/// Counts of verdicts on the tasks of a log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictCounts {
    /// `admitted`.
    pub admitted: usize,
    /// `denied`.
    pub denied: usize,
    /// `needs_approval`.
    pub needs_approval: usize,
}

impl VerdictCounts {
    fn add(&mut self, verdict: Verdict) {
        match verdict {
            Verdict::Admitted => self.admitted += 1,
            Verdict::Denied => self.denied += 1,
            // Only tasks are audited; other kinds are row errors.
            Verdict::NeedsApproval | Verdict::Compliant | Verdict::NonCompliant => {
                self.needs_approval += 1
            }
            Verdict::NotInForce | Verdict::Undecided => {}
        }
    }
}

/// Counts of violations by class.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    /// [`ViolationClass::Denied`].
    pub denied: usize,
    /// [`ViolationClass::NoApproval`].
    pub no_approval: usize,
    /// [`ViolationClass::NoFunding`].
    pub no_funding: usize,
    /// [`ViolationClass::Incomplete`].
    pub incomplete: usize,
}

impl ClassCounts {
    /// The count for one class.
    pub fn get(&self, class: ViolationClass) -> usize {
        match class {
            ViolationClass::Denied => self.denied,
            ViolationClass::NoApproval => self.no_approval,
            ViolationClass::NoFunding => self.no_funding,
            ViolationClass::Incomplete => self.incomplete,
        }
    }

    fn add(&mut self, class: ViolationClass) {
        match class {
            ViolationClass::Denied => self.denied += 1,
            ViolationClass::NoApproval => self.no_approval += 1,
            ViolationClass::NoFunding => self.no_funding += 1,
            ViolationClass::Incomplete => self.incomplete += 1,
        }
    }
}

/// One requesting unit's tasks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitSummary {
    /// The unit (`requester`); `None` for rows that do not say.
    pub requester: Option<String>,
    /// Tasks it sent (rows decided).
    pub tasks: usize,
    /// Their verdicts.
    pub by_verdict: VerdictCounts,
    /// How many entered without admission.
    pub violations: usize,
}

/// One rule's part in the audit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleSummary {
    /// The rule's name (or `no_rule_admits`).
    pub rule: String,
    /// The clause ids it cites.
    pub cites: Vec<String>,
    /// The cites with their documents, as printed (「民发〔2015〕136号 136-一」; the title
    /// where a document has no 文号; clauses of one document share it).
    #[serde(default)]
    pub sources: String,
    /// Where it stands in the policy.
    pub at: Option<String>,
    /// Rows it decided (was a reason of).
    pub rows: usize,
    /// Violations it is a reason of.
    pub violations: usize,
}

/// The audit at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The policy's file (its source name).
    pub policy: String,
    /// The policy's title.
    pub title: String,
    /// The log's name.
    pub log: String,
    /// Rows in the log (decided and malformed).
    pub rows: usize,
    /// Rows decided.
    pub decided: usize,
    /// Rows that could not be read or are not tasks.
    pub malformed: usize,
    /// Rows without `sent_on`, decided as of `default_as_of`.
    pub undated: usize,
    /// The date rows without `sent_on` were decided as of.
    pub default_as_of: Date,
    /// The earliest `sent_on`.
    pub first_sent: Option<Date>,
    /// The latest `sent_on`.
    pub last_sent: Option<Date>,
    /// Tasks that entered without admission.
    pub violations: usize,
    /// Verdicts of the rows decided.
    pub by_verdict: VerdictCounts,
    /// Violations by class.
    pub by_class: ClassCounts,
    /// Every requesting unit: those with violations first (most first), then by tasks sent.
    pub by_unit: Vec<UnitSummary>,
    /// Every rule that decided a row, in policy order.
    pub by_rule: Vec<RuleSummary>,
}

/// An audit: its summary, every violation in log order, every row that could not be read.
///
/// Its JSON (`serde_json::to_string`) is `{"summary": {…}, "violations": [{"line": N, "id":
/// …, "requester": …, "verdict": …, "reasons": […], …}, …], "errors": […]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    /// Counts.
    pub summary: Summary,
    /// Tasks that entered without admission, in log order.
    pub violations: Vec<Violation>,
    /// Rows that could not be audited, in log order.
    pub errors: Vec<RowError>,
}

impl AuditReport {
    /// Whether any task entered without admission.
    pub fn has_violations(&self) -> bool {
        !self.violations.is_empty()
    }

    /// The report as text for a person ([`render::render_text`]).
    pub fn to_text(&self) -> String {
        render::render_text(self)
    }

    /// The report as Markdown a bureau can file ([`render::render_markdown`]).
    pub fn to_markdown(&self) -> String {
        render::render_markdown(self)
    }
}

/// Audit a log: decide each task as of its `sent_on` (else `default_as_of`) and report every
/// one that entered without admission. `log` names the log in the report; `rows` are what a
/// reader ([`crate::input::read_subjects`]) yields: a line and a subject or an input error.
/// A row that could not be read, or that is not a task, is reported as an error; every other
/// row is still audited.
pub fn audit(
    policy: &Policy,
    log: &str,
    rows: impl IntoIterator<Item = (usize, Result<Subject, InputError>)>,
    default_as_of: Date,
) -> AuditReport {
    audit_by_date(policy, |_| policy, log, rows, default_as_of)
}

/// Audit a log against a district's dated versions: each row is decided by the version in
/// force on its `sent_on` (else `default_as_of`), so a task sent in 2020 is judged by the
/// 2020 lists and one sent in 2021 by the 2021 lists. The report names the newest version.
pub fn audit_versions(
    versions: &Versions,
    log: &str,
    rows: impl IntoIterator<Item = (usize, Result<Subject, InputError>)>,
    default_as_of: Date,
) -> AuditReport {
    audit_by_date(
        versions.latest(),
        |date| versions.in_force(date),
        log,
        rows,
        default_as_of,
    )
}

fn audit_by_date<'p>(
    head: &'p Policy,
    pick: impl Fn(Date) -> &'p Policy,
    log: &str,
    rows: impl IntoIterator<Item = (usize, Result<Subject, InputError>)>,
    default_as_of: Date,
) -> AuditReport {
    let policy = head;
    let mut summary = Summary {
        policy: policy.source().name.to_string(),
        title: policy.title().to_owned(),
        log: log.to_owned(),
        rows: 0,
        decided: 0,
        malformed: 0,
        undated: 0,
        default_as_of,
        first_sent: None,
        last_sent: None,
        violations: 0,
        by_verdict: VerdictCounts::default(),
        by_class: ClassCounts::default(),
        by_unit: Vec::new(),
        by_rule: Vec::new(),
    };
    let mut violations = Vec::new();
    let mut errors = Vec::new();
    let mut units: HashMap<Option<String>, UnitSummary> = HashMap::new();
    let mut rules: HashMap<String, RuleSummary> = HashMap::new();

    for (line, row) in rows {
        summary.rows += 1;
        let subject = match row {
            Ok(subject) if subject.kind() == SubjectKind::Task => subject,
            Ok(subject) => {
                summary.malformed += 1;
                errors.push(RowError {
                    line,
                    column: 0,
                    message: format!(
                        "the row is a {} subject, not a task: an audit log lists tasks sent to communities",
                        subject.kind().as_str()
                    ),
                    at: format!("{log}:{line}"),
                });
                continue;
            }
            Err(e) => {
                summary.malformed += 1;
                errors.push(RowError {
                    line: e.line().unwrap_or(line),
                    column: e.column().unwrap_or(0),
                    message: e.message().to_owned(),
                    at: e.location(),
                });
                continue;
            }
        };
        summary.decided += 1;
        let sent_on = subject.sent_on();
        if let Some(sent) = sent_on {
            summary.first_sent = Some(summary.first_sent.map_or(sent, |d| d.min(sent)));
            summary.last_sent = Some(summary.last_sent.map_or(sent, |d| d.max(sent)));
        } else {
            summary.undated += 1;
        }
        let as_of = sent_on.unwrap_or(default_as_of);
        let policy = pick(as_of);
        let (decision, approved_on) = match approved_later(&subject, sent_on) {
            Some((unapproved, approved)) => (policy.decide(&unapproved, as_of), Some(approved)),
            None => (policy.decide(&subject, as_of), None),
        };
        summary.by_verdict.add(decision.verdict());
        let requester = text_field(&subject, "requester");
        let unit = units
            .entry(requester.clone())
            .or_insert_with(|| UnitSummary {
                requester: requester.clone(),
                tasks: 0,
                by_verdict: VerdictCounts::default(),
                violations: 0,
            });
        unit.tasks += 1;
        unit.by_verdict.add(decision.verdict());

        let class = ViolationClass::of(&decision);
        let reasons = match class {
            Some(_) => broken_rules(policy, &decision),
            None => decision.reasons().to_vec(),
        };
        for reason in &reasons {
            let entry = rules
                .entry(reason.rule().to_owned())
                .or_insert_with(|| RuleSummary {
                    rule: reason.rule().to_owned(),
                    cites: reason.cites().to_vec(),
                    sources: crate::eval::cited_sources(reason),
                    at: reason.position().map(ToString::to_string),
                    rows: 0,
                    violations: 0,
                });
            entry.rows += 1;
            entry.violations += usize::from(class.is_some());
        }
        let Some(class) = class else {
            continue;
        };
        unit.violations += 1;
        summary.violations += 1;
        summary.by_class.add(class);
        violations.push(Violation {
            line,
            id: subject.id().map(str::to_owned),
            requester,
            name: text_field(&subject, "name"),
            category: subject.category().map(str::to_owned),
            sent_on,
            as_of,
            verdict: decision.verdict(),
            class,
            lists: denying_lists(policy, &decision, subject.category()),
            reasons,
            missing: decision.missing,
            approved_on,
        });
    }

    let mut by_unit: Vec<UnitSummary> = units.into_values().collect();
    by_unit.sort_by(|a, b| {
        b.violations
            .cmp(&a.violations)
            .then(b.tasks.cmp(&a.tasks))
            // Named units before rows that name none.
            .then(a.requester.is_none().cmp(&b.requester.is_none()))
            .then(a.requester.cmp(&b.requester))
    });
    summary.by_unit = by_unit;
    let order = |name: &str| {
        policy
            .ast()
            .rules
            .iter()
            .position(|r| r.name.node == name)
            .unwrap_or(usize::MAX)
    };
    let mut by_rule: Vec<RuleSummary> = rules.into_values().collect();
    by_rule.sort_by(|a, b| {
        order(&a.rule)
            .cmp(&order(&b.rule))
            .then(a.rule.cmp(&b.rule))
    });
    summary.by_rule = by_rule;
    AuditReport {
        summary,
        violations,
        errors,
    }
}

fn text_field(subject: &Subject, name: &str) -> Option<String> {
    // Through `Subject::get`, so the contract's defaults (name = category) apply.
    match subject.get(name) {
        Some(Value::Text(t)) if !t.trim().is_empty() => Some(t.clone()),
        _ => None,
    }
}

/// A task approved only after it was sent was unapproved when it was sent: the subject as
/// it stood that day (approval `pending`), and the approval's date.
fn approved_later(subject: &Subject, sent_on: Option<Date>) -> Option<(Subject, Date)> {
    let sent = sent_on?;
    let Some(Value::Object(approval)) = subject.fields().get("approval") else {
        return None;
    };
    if !matches!(approval.get("status"), Some(Value::Text(s)) if s == "approved") {
        return None;
    }
    let approved = match approval.get("date") {
        Some(Value::Text(t)) => Date::parse(t)?,
        _ => return None,
    };
    if approved <= sent {
        return None;
    }
    let then = subject.clone().with("approval.status", "pending").ok()?;
    Some((then, approved))
}

/// The lists a denied task was denied on: every list a deciding deny rule tests membership
/// of (`属于`, or `包含` mentioned inside it; not negated) that holds the category, by title
/// (else name), in rule order.
fn denying_lists(policy: &Policy, decision: &Decision, category: Option<&str>) -> Vec<String> {
    let Some(category) = category else {
        return Vec::new();
    };
    if decision.verdict != Verdict::Denied {
        return Vec::new();
    }
    let mut lists: Vec<String> = Vec::new();
    for reason in &decision.reasons {
        let Some(when) = policy.rule(&reason.rule).and_then(|r| r.when.as_ref()) else {
            continue;
        };
        for e in when.subexpressions() {
            let ExprKind::InList { op, list, .. } = &*e.kind else {
                continue;
            };
            let on_list = match op {
                ListOp::In => policy.list_contains(&list.node, category),
                ListOp::Mentions => policy.list_mentions(&list.node, category),
                ListOp::NotIn | ListOp::NotMentions => false,
            };
            if !on_list {
                continue;
            }
            let title = policy
                .list_decl(&list.node)
                .and_then(|l| l.title.as_ref())
                .map_or_else(|| list.node.clone(), |t| t.node.clone());
            if !lists.contains(&title) {
                lists.push(title);
            }
        }
    }
    lists
}

/// The rules a task broke: the decision's reasons, then each rule whose requirements it
/// failed (the fee rule behind a missing `funding`, Y5), with what it lacked.
fn broken_rules(policy: &Policy, decision: &Decision) -> Vec<Reason> {
    let mut reasons = decision.reasons().to_vec();
    for item in decision.missing_items() {
        if reasons.iter().any(|r| r.rule() == item.rule()) {
            continue;
        }
        let Some((index, rule)) = policy
            .ast()
            .rules
            .iter()
            .enumerate()
            .find(|(_, r)| r.name.node == item.rule())
        else {
            continue;
        };
        let lacking: Vec<String> = decision
            .missing_items()
            .iter()
            .filter(|m| m.rule() == item.rule())
            .map(|m| format!("{}（{}）", m.name(), m.requirement()))
            .collect();
        reasons.push(policy.reason(
            index,
            rule,
            Some(format!("尚缺 missing: {}", lacking.join("；"))),
        ));
    }
    reasons
}
