//! Auditing what was actually pushed down: a log of tasks sent to communities, each decided
//! as of the day it was sent, and every task that entered without admission reported with
//! the rules it broke (Yingjiang's oversight, Y8: "4 violations of admission were found").
//!
//! A task *entered without admission* when its decision is not `admitted`:
//!
//! | class | when | typically |
//! |---|---|---|
//! | [`negative_list`](ViolationClass::NegativeList) | `denied` | a negative-list item (Y3, N2) |
//! | [`no_approval`](ViolationClass::NoApproval) | `needs_approval`, `approval` missing | outside the lists, not approved (Y2, Y7, N3, H2) |
//! | [`no_funding`](ViolationClass::NoFunding) | `needs_approval`, approved but `funding` missing | fee does not follow task (Y5, N4) |
//! | [`incomplete`](ViolationClass::Incomplete) | `needs_approval`, something else missing | approved by the wrong body, period lapsed (Y4, Y5) |
//!
//! Each row is decided as of its `sent_on` date; a row without one as of a default date,
//! which the report states. An approval dated after the task was sent did not exist when it
//! was sent: the row is decided as unapproved (approval `pending`) and the violation carries
//! a note saying so.
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
//! assert_eq!((v.line, v.id.as_deref(), v.class), (2, Some("T-1"), ViolationClass::NegativeList));
//! // The national parent's rule (民发〔2015〕136号) and Yingjiang's own (Y3) both deny it.
//! assert_eq!(v.reasons[0].cite(), Some("136-一"));
//! assert_eq!(v.reasons[1].cite(), Some("Y3"));
//! assert!(report.to_text().contains("区经信局 — 1 violation"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

use crate::Policy;
use crate::ast::SubjectKind;
use crate::diagnostic::InputError;
use crate::eval::{Decision, Reason, Verdict};
use crate::value::{Date, Subject, Value};

/// Why a task that entered a community had no admission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationClass {
    /// Denied: a negative-list item, or one the community may not be responsible for.
    NegativeList,
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
        ViolationClass::NegativeList,
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
        let missing = |name: &str| decision.missing().iter().any(|m| m == name);
        match decision.verdict() {
            Verdict::Denied => Some(ViolationClass::NegativeList),
            // No rule admits it at all (nothing is listed as missing): it had no admission.
            Verdict::NeedsApproval if missing("approval") || decision.missing().is_empty() => {
                Some(ViolationClass::NoApproval)
            }
            Verdict::NeedsApproval if missing("funding") => Some(ViolationClass::NoFunding),
            Verdict::NeedsApproval => Some(ViolationClass::Incomplete),
            Verdict::Admitted | Verdict::Compliant | Verdict::NonCompliant => None,
            // Nothing was decided: the row is reported as an error, not a violation.
            Verdict::NotInForce => None,
        }
    }

    /// The report's word: `negative_list`, `no_approval`, `no_funding`, `incomplete`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationClass::NegativeList => "negative_list",
            ViolationClass::NoApproval => "no_approval",
            ViolationClass::NoFunding => "no_funding",
            ViolationClass::Incomplete => "incomplete",
        }
    }

    /// The Chinese label.
    pub fn zh(self) -> &'static str {
        match self {
            ViolationClass::NegativeList => "负面清单事项",
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
    /// The rules it broke, in policy order: the decision's reasons, then the rules whose
    /// requirements it failed (each with its seed rule id and place in the policy).
    pub reasons: Vec<Reason>,
    /// What its application lacked (the decision's `missing`).
    pub missing: Vec<String>,
    /// Anything else the auditor should know (an approval dated after the task was sent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
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
            Verdict::NotInForce => {}
        }
    }
}

/// Counts of violations by class.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    /// [`ViolationClass::NegativeList`].
    pub negative_list: usize,
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
            ViolationClass::NegativeList => self.negative_list,
            ViolationClass::NoApproval => self.no_approval,
            ViolationClass::NoFunding => self.no_funding,
            ViolationClass::Incomplete => self.incomplete,
        }
    }

    fn add(&mut self, class: ViolationClass) {
        match class {
            ViolationClass::NegativeList => self.negative_list += 1,
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
    /// The seed rule ids it cites.
    pub cites: Vec<String>,
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

    /// The report as text for a person ([`render_text`]).
    pub fn to_text(&self) -> String {
        render_text(self)
    }

    /// The report as Markdown a bureau can file ([`render_markdown`]).
    pub fn to_markdown(&self) -> String {
        render_markdown(self)
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
        let sent_on = match subject.fields().get("sent_on") {
            Some(Value::Text(t)) => Date::parse(t),
            _ => None,
        };
        if let Some(sent) = sent_on {
            summary.first_sent = Some(summary.first_sent.map_or(sent, |d| d.min(sent)));
            summary.last_sent = Some(summary.last_sent.map_or(sent, |d| d.max(sent)));
        } else {
            summary.undated += 1;
        }
        let as_of = sent_on.unwrap_or(default_as_of);
        let (decision, note) = match approved_later(&subject, sent_on) {
            Some((unapproved, note)) => (policy.decide(&unapproved, as_of), Some(note)),
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
            reasons,
            missing: decision.missing().to_vec(),
            note,
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
/// it stood that day (approval `pending`), and a note saying so.
fn approved_later(subject: &Subject, sent_on: Option<Date>) -> Option<(Subject, String)> {
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
    let note = format!(
        "批准日期 {approved} 晚于派发日期 {sent}，派发时尚未批准 — approved on {approved}, after it was sent on {sent}"
    );
    Some((then, note))
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

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn unit_name(requester: Option<&str>) -> &str {
    requester.unwrap_or("（未写明请求单位）")
}

/// Pad to a display width (CJK characters are two columns wide).
fn pad(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(w)))
}

fn pad_left(text: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(text);
    format!("{}{text}", " ".repeat(width.saturating_sub(w)))
}

/// A table of text: columns of counts right-aligned, the others left-aligned.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let numeric: Vec<bool> = (0..header.len())
        .map(|i| {
            i > 0
                && rows
                    .iter()
                    .all(|r| r.get(i).is_some_and(|c| c.parse::<usize>().is_ok()))
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(&numeric)
            .map(|((c, w), n)| if *n { pad_left(c, *w) } else { pad(c, *w) })
            .collect();
        format!("  {}\n", parts.join("  ").trim_end())
    };
    out.push_str(&line(header.to_vec()));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
}

fn cites(cites: &[String]) -> String {
    if cites.is_empty() {
        String::new()
    } else {
        format!("[{}]", cites.join(", "))
    }
}

fn dates(s: &Summary) -> String {
    match (s.first_sent, s.last_sent) {
        (Some(a), Some(b)) if a == b => format!("sent {a}"),
        (Some(a), Some(b)) => format!("sent {a} … {b}"),
        _ => "no sent_on dates".to_owned(),
    }
}

fn verdict_label(v: Verdict) -> String {
    format!("{} {}", v.as_str(), v.zh())
}

/// The item as the report names it: `category 「name」` when the name says more.
fn item(v: &Violation) -> String {
    let category = v.category.as_deref().unwrap_or("");
    match v.name.as_deref() {
        Some(name) if name != category => format!("{category} 「{name}」"),
        _ => category.to_owned(),
    }
}

/// Violations grouped by unit, in the order of the summary's units.
fn grouped(report: &AuditReport) -> Vec<(&UnitSummary, Vec<&Violation>)> {
    report
        .summary
        .by_unit
        .iter()
        .filter(|u| u.violations > 0)
        .map(|u| {
            let vs = report
                .violations
                .iter()
                .filter(|v| v.requester == u.requester)
                .collect();
            (u, vs)
        })
        .collect()
}

/// The report as text for a person: what was audited, the verdicts, the violations by class,
/// every unit (those with violations first), every rule, then each violation under its unit
/// with the rules it broke, and the rows that could not be read.
pub fn render_text(report: &AuditReport) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(out, "zhunru audit 准入审计");
    let _ = writeln!(out, "  policy   {} — {}", s.policy, s.title);
    let _ = writeln!(
        out,
        "  log      {} — {}, {}",
        s.log,
        plural(s.rows, "row"),
        dates(s)
    );
    let _ = writeln!(
        out,
        "  decided  {}, {}",
        plural(s.decided, "task"),
        if s.undated == 0 {
            "each as of the day it was sent (sent_on)".to_owned()
        } else {
            format!(
                "each as of its sent_on; {} without sent_on as of {}",
                s.undated, s.default_as_of
            )
        }
    );
    if s.malformed > 0 {
        let _ = writeln!(
            out,
            "  unread   {} could not be audited (listed at the end): the audit is incomplete",
            plural(s.malformed, "row")
        );
    }
    out.push('\n');
    if s.violations == 0 {
        let _ = writeln!(
            out,
            "No violations 未发现违规: every task decided was admitted."
        );
    } else {
        let units = s.by_unit.iter().filter(|u| u.violations > 0).count();
        let _ = writeln!(
            out,
            "{} 违规 in {}: tasks that entered a community without admission (未经准入)",
            plural(s.violations, "violation"),
            plural(units, "unit")
        );
    }
    out.push('\n');

    out.push_str("verdicts 结论\n");
    table(
        &mut out,
        &["verdict", "tasks"],
        &[
            vec![
                verdict_label(Verdict::Admitted),
                s.by_verdict.admitted.to_string(),
            ],
            vec![
                verdict_label(Verdict::Denied),
                s.by_verdict.denied.to_string(),
            ],
            vec![
                verdict_label(Verdict::NeedsApproval),
                s.by_verdict.needs_approval.to_string(),
            ],
        ],
    );
    out.push('\n');
    out.push_str("violations by class 违规类别\n");
    let classes: Vec<Vec<String>> = ViolationClass::ALL
        .iter()
        .map(|c| {
            vec![
                format!("{} {}", c.as_str(), c.zh()),
                s.by_class.get(*c).to_string(),
            ]
        })
        .collect();
    table(&mut out, &["class", "violations"], &classes);
    out.push('\n');

    out.push_str("units 请求单位 (units with violations first)\n");
    let units: Vec<Vec<String>> = s
        .by_unit
        .iter()
        .map(|u| {
            vec![
                unit_name(u.requester.as_deref()).to_owned(),
                u.tasks.to_string(),
                u.by_verdict.admitted.to_string(),
                u.by_verdict.denied.to_string(),
                u.by_verdict.needs_approval.to_string(),
                u.violations.to_string(),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            "unit",
            "tasks",
            "admitted",
            "denied",
            "needs_approval",
            "violations",
        ],
        &units,
    );
    out.push('\n');

    out.push_str("rules 规则\n");
    let rules: Vec<Vec<String>> = s
        .by_rule
        .iter()
        .map(|r| {
            vec![
                r.rule.clone(),
                cites(&r.cites),
                r.rows.to_string(),
                r.violations.to_string(),
            ]
        })
        .collect();
    table(&mut out, &["rule", "cites", "rows", "violations"], &rules);

    if !report.violations.is_empty() {
        out.push_str("\nviolations 违规事项, by unit\n");
    }
    for (unit, vs) in grouped(report) {
        let _ = writeln!(
            out,
            "\n■ {} — {}",
            unit_name(unit.requester.as_deref()),
            plural(vs.len(), "violation")
        );
        for v in vs {
            let sent = match v.sent_on {
                Some(d) => format!("sent {d}"),
                None => format!("no sent_on, decided as of {}", v.as_of),
            };
            let _ = writeln!(
                out,
                "  line {} · {} · {} · {}",
                v.line,
                v.id.as_deref().unwrap_or("(no id)"),
                item(v),
                sent
            );
            let _ = writeln!(
                out,
                "    {} · {} {}",
                verdict_label(v.verdict),
                v.class.as_str(),
                v.class.zh()
            );
            if let Some(note) = &v.note {
                let _ = writeln!(out, "    ! {note}");
            }
            for r in &v.reasons {
                let at = r.position().map_or(String::new(), |a| format!(" at {a}"));
                let _ = writeln!(out, "    ✗ {} {}{at}", r.rule(), cites(r.cites()));
                let _ = writeln!(out, "      {}", r.message());
            }
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "\nrows that could not be audited 无法审计的行 ({})",
            report.errors.len()
        );
        for e in &report.errors {
            let _ = writeln!(out, "  {}: {}", e.at, e.message);
        }
    }
    out
}

/// Text safe in Markdown, table cells included: no markup, no line breaks.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '|' | '*' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text as a Markdown code span.
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'").replace(['\n', '\r'], " "))
}

/// A Markdown table of cells already escaped: columns of counts right-aligned.
fn md_table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = (0..header.len())
        .map(|i| {
            let numeric = i > 0
                && rows.iter().all(|r| {
                    r.get(i)
                        .is_some_and(|c| c.trim_matches('*').parse::<usize>().is_ok())
                });
            if numeric { "---:" } else { "---" }
        })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// The report as Markdown a bureau can file: a heading, what was audited, summary tables
/// (verdicts, classes, units, rules), one section per unit with violations, and the rows
/// that could not be read.
pub fn render_markdown(report: &AuditReport) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# 社区工作事项准入审计报告 — Admission audit\n");
    let _ = writeln!(out, "- 政策 Policy: {} ({})", md(&s.title), code(&s.policy));
    let _ = writeln!(
        out,
        "- 日志 Log: {}, {}, {}",
        code(&s.log),
        plural(s.rows, "row"),
        dates(s)
    );
    if s.undated == 0 {
        let _ = writeln!(
            out,
            "- 判定日期 Decided as of: the day each task was sent (`sent_on`)"
        );
    } else {
        let _ = writeln!(
            out,
            "- 判定日期 Decided as of: each task's `sent_on`; {} without `sent_on` as of {}",
            plural(s.undated, "row"),
            s.default_as_of
        );
    }
    let units_with = s.by_unit.iter().filter(|u| u.violations > 0).count();
    let _ = writeln!(
        out,
        "- 违规 Violations: **{}** in {} (tasks that entered a community without admission)",
        s.violations,
        plural(units_with, "unit")
    );
    if s.malformed > 0 {
        let _ = writeln!(
            out,
            "- 无法审计 Not audited: **{}** (see the last section); the audit is incomplete",
            plural(s.malformed, "row")
        );
    }

    let _ = writeln!(out, "\n## 结论 Verdicts\n");
    md_table(
        &mut out,
        &["结论 Verdict", "事项 Tasks"],
        &[
            vec![
                verdict_label(Verdict::Admitted),
                s.by_verdict.admitted.to_string(),
            ],
            vec![
                verdict_label(Verdict::Denied),
                s.by_verdict.denied.to_string(),
            ],
            vec![
                verdict_label(Verdict::NeedsApproval),
                s.by_verdict.needs_approval.to_string(),
            ],
        ],
    );
    let _ = writeln!(out, "\n## 违规类别 Violations by class\n");
    let classes: Vec<Vec<String>> = ViolationClass::ALL
        .iter()
        .map(|c| {
            vec![
                format!("{} `{}`", c.zh(), c.as_str()),
                s.by_class.get(*c).to_string(),
            ]
        })
        .collect();
    md_table(&mut out, &["类别 Class", "违规 Violations"], &classes);

    let _ = writeln!(out, "\n## 请求单位 Units\n");
    let units: Vec<Vec<String>> = s
        .by_unit
        .iter()
        .map(|u| {
            vec![
                md(unit_name(u.requester.as_deref())),
                u.tasks.to_string(),
                u.by_verdict.admitted.to_string(),
                u.by_verdict.denied.to_string(),
                u.by_verdict.needs_approval.to_string(),
                if u.violations > 0 {
                    format!("**{}**", u.violations)
                } else {
                    "0".to_owned()
                },
            ]
        })
        .collect();
    md_table(
        &mut out,
        &[
            "请求单位 Unit",
            "事项 Tasks",
            "准予准入",
            "不予准入",
            "须经准入审批",
            "违规 Violations",
        ],
        &units,
    );

    let _ = writeln!(out, "\n## 规则 Rules\n");
    let rules: Vec<Vec<String>> = s
        .by_rule
        .iter()
        .map(|r| {
            vec![
                md(&r.rule),
                md(&r.cites.join(", ")),
                r.at.as_deref().map_or(String::new(), code),
                r.rows.to_string(),
                r.violations.to_string(),
            ]
        })
        .collect();
    md_table(
        &mut out,
        &[
            "规则 Rule",
            "依据 Cites",
            "位置 At",
            "事项 Rows",
            "违规 Violations",
        ],
        &rules,
    );

    if !report.violations.is_empty() {
        let _ = writeln!(out, "\n## 违规事项 Violations");
    }
    for (unit, vs) in grouped(report) {
        let _ = writeln!(
            out,
            "\n### {}（{}）\n",
            md(unit_name(unit.requester.as_deref())),
            vs.len()
        );
        for v in vs {
            let sent = match v.sent_on {
                Some(d) => format!("派发 sent {d}"),
                None => format!("未写派发日期, decided as of {}", v.as_of),
            };
            let _ = writeln!(
                out,
                "- **{}** {} — line {}, {} — {} — {} `{}`",
                md(v.id.as_deref().unwrap_or("(no id)")),
                md(&item(v)),
                v.line,
                sent,
                verdict_label(v.verdict),
                v.class.zh(),
                v.class.as_str()
            );
            if let Some(note) = &v.note {
                let _ = writeln!(out, "  - ⚠ {}", md(note));
            }
            for r in &v.reasons {
                let at = r
                    .position()
                    .map_or(String::new(), |a| format!(" ({})", code(&a.to_string())));
                let _ = writeln!(
                    out,
                    "  - {} {}{at}: {}",
                    md(r.rule()),
                    cites(r.cites()),
                    md(r.message())
                );
            }
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "\n## 无法审计的行 Rows not audited\n");
        for e in &report.errors {
            let _ = writeln!(out, "- {}: {}", code(&e.at), md(&e.message));
        }
    }
    out
}
