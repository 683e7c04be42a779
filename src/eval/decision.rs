//! The answer: a verdict, the reasons that decided it, and what an application lacks.

use serde::{Deserialize, Serialize};

use crate::ast::{RuleDecl, SubjectKind};
use crate::source::Span;
use crate::value::Subject;

/// The verdict on a subject. Ordered as declared; `Display` is the contract's word.
///
/// ```
/// use zhunru::Verdict;
/// assert_eq!(Verdict::NeedsApproval.to_string(), "needs_approval");
/// assert!(Verdict::Admitted < Verdict::Denied);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The task may enter the community (准予准入).
    Admitted,
    /// The task may not enter: a negative list or a ban applies (不予准入).
    Denied,
    /// The task enters only through the admission procedure (须经准入审批).
    NeedsApproval,
    /// The premises or assessment plan break no rule (合规).
    Compliant,
    /// Some rule is broken (不合规).
    NonCompliant,
    /// No rule is broken, but some rule could not be told either way (a division by zero
    /// in its condition): nothing is certified (无法判定).
    Undecided,
    /// No version of the policy is in force on the date asked about (不在施行期): before
    /// it takes effect (`生效`) or after it lapses (`失效`). Nothing was decided.
    NotInForce,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Verdict {
    /// The contract's word: `admitted`, `denied`, `needs_approval`, `compliant`, `non_compliant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Admitted => "admitted",
            Verdict::Denied => "denied",
            Verdict::NeedsApproval => "needs_approval",
            Verdict::Compliant => "compliant",
            Verdict::NonCompliant => "non_compliant",
            Verdict::Undecided => "undecided",
            Verdict::NotInForce => "not_in_force",
        }
    }

    /// The Chinese label: 准予准入, 不予准入, 须经准入审批, 合规, 不合规.
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Admitted => "准予准入",
            Verdict::Denied => "不予准入",
            Verdict::NeedsApproval => "须经准入审批",
            Verdict::Compliant => "合规",
            Verdict::NonCompliant => "不合规",
            Verdict::Undecided => "无法判定",
            Verdict::NotInForce => "不在施行期",
        }
    }
}

/// One rule that decided a verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule's name in the policy.
    pub rule: String,
    /// Its message, fields quoted in.
    pub message: String,
    /// The seed rule id it encodes (the first, when it cites several).
    pub cite: Option<String>,
    /// Every seed rule id it cites.
    #[serde(default)]
    pub cites: Vec<String>,
    /// Where the rule stands: `path:line:col`.
    pub at: Option<String>,
    /// The clauses it cites, with the document of each (added to the contract's fields).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<CitedClause>,
    /// The rule's span in the policy source (for rendering; not serialised).
    #[serde(skip)]
    pub span: Option<Span>,
    /// Which file of the policy chain the rule is written in (0: the policy itself; a
    /// parent's rules count from 1). For rendering; not serialised.
    #[serde(skip)]
    pub origin: usize,
}

/// A clause a reason cites, with its document: what a district official looks up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedClause {
    /// The clause id the policy declares (`第三条`, `Y3`).
    pub id: String,
    /// The clause's text or summary, as the policy gives it.
    pub text: String,
    /// Marked 示例: not confirmed from the source.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub example: bool,
    /// The document it belongs to.
    pub document: CitedDocument,
}

/// The document of a [`CitedClause`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedDocument {
    /// Its title.
    pub title: String,
    /// Its document number (文号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// Who issued it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// 国家, 省, 市, 区县 or 街道.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The date it was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    /// Where it is published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl CitedClause {
    /// 「民发〔2015〕136号 第三条」: the document number (else title) and the clause id.
    pub fn label(&self) -> String {
        match &self.document.number {
            Some(n) => format!("{n} {}", self.id),
            None => format!("《{}》 {}", self.document.title, self.id),
        }
    }
}

/// A rule set aside by its exception (`除非`): its condition held, so it would have
/// decided, but the exception held too (原则上…，…除外).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// The rule set aside.
    pub rule: String,
    /// Its exception as written in the policy.
    pub unless: String,
    /// Where the rule stands: `path:line:col`.
    pub at: Option<String>,
}

impl Reason {
    pub(crate) fn from_rule(
        rule: &RuleDecl,
        message: String,
        at: String,
        clauses: Vec<CitedClause>,
        origin: usize,
    ) -> Reason {
        Reason {
            rule: rule.name.node.clone(),
            message,
            cite: rule.cite.first().map(|c| c.node.clone()),
            cites: rule.cite.iter().map(|c| c.node.clone()).collect(),
            at: Some(at),
            clauses,
            span: Some(rule.span),
            origin,
        }
    }

    /// The reason given when no version of the policy is in force on the date.
    pub(crate) fn not_in_force(message: String, at: String) -> Reason {
        Reason {
            rule: "not_in_force".to_owned(),
            message,
            cite: None,
            cites: Vec::new(),
            at: Some(at),
            clauses: Vec::new(),
            span: None,
            origin: 0,
        }
    }

    /// The reason given when no rule of the policy speaks to a task at all.
    pub(crate) fn fallback() -> Reason {
        Reason {
            rule: "no_rule_admits".to_owned(),
            message:
                "没有规则准予此事项准入；清单之外的事项须经准入审批 — no rule admits this task"
                    .to_owned(),
            cite: None,
            cites: Vec::new(),
            at: None,
            clauses: Vec::new(),
            span: None,
            origin: 0,
        }
    }

    /// The reason given when no rule of the policy is about a community or an assessment:
    /// the verdict `compliant` then certifies nothing, and says so.
    pub(crate) fn no_rule_covers(kind: SubjectKind) -> Reason {
        let (zh, en) = match kind {
            SubjectKind::Community => ("社区场所", "community premises"),
            SubjectKind::Assessment => ("考核", "assessment plans"),
            SubjectKind::Task => ("工作事项", "tasks"),
        };
        Reason {
            rule: "no_rule_covers".to_owned(),
            message: format!(
                "本政策没有关于{zh}的规则，未作任何检查 — no rule of this policy covers {en}: nothing was checked"
            ),
            cite: None,
            cites: Vec::new(),
            at: None,
            clauses: Vec::new(),
            span: None,
            origin: 0,
        }
    }
}

/// A requirement an application failed, with the requirement's text.
#[derive(Clone, Debug, PartialEq)]
pub struct MissingItem {
    /// The name reported in `missing` (`funding`, `basis` …).
    pub name: String,
    /// The requirement as written in the policy.
    pub requirement: String,
    /// The rule that requires it.
    pub rule: String,
    /// Where the requirement is written.
    pub span: Span,
}

/// A decision: the JSON of contract.md is its serialisation.
///
/// ```
/// use zhunru::{Date, Decision, Policy, Subject, Verdict};
/// let policy = Policy::from_file("policies/nanqiao.policy")?;
/// let task = Subject::task("行政执法").with("id", "NQ-2020-0012");
/// let decision = policy.decide(&task, Date::new(2020, 6, 1).unwrap());
/// let json = serde_json::to_value(&decision).unwrap();
/// assert_eq!(json["verdict"], "denied");
/// assert_eq!(json["reasons"][0]["cite"], "N2");
/// assert_eq!(json["reasons"][0]["at"], "policies/nanqiao.policy:52:1");
/// // Each reason names the clause and its document.
/// assert_eq!(json["reasons"][0]["clauses"][0]["id"], "N2");
///
/// // And back: a tool can read the contract's JSON into a Decision.
/// let read: Decision = serde_json::from_value(json).unwrap();
/// assert_eq!((read.verdict, read.id.as_deref()), (Verdict::Denied, Some("NQ-2020-0012")));
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// `task`, `community` or `assessment`.
    pub subject: SubjectKind,
    /// The subject's `id`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Every rule that decided the verdict, in policy order.
    pub reasons: Vec<Reason>,
    /// For `needs_approval`: what the application still lacks.
    pub missing: Vec<String>,
    /// Rules set aside by their exception (`除非`), when one was what kept a rule from
    /// deciding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<Exception>,
    /// The failed requirements behind `missing` (for rendering; not serialised).
    #[serde(skip)]
    pub missing_detail: Vec<MissingItem>,
}

impl Decision {
    pub(crate) fn new(
        subject: &Subject,
        verdict: Verdict,
        reasons: Vec<Reason>,
        missing: Vec<MissingItem>,
        exceptions: Vec<Exception>,
    ) -> Decision {
        Decision {
            subject: subject.kind,
            id: subject.id().map(str::to_owned),
            verdict,
            reasons,
            missing: missing.iter().map(|m| m.name.clone()).collect(),
            exceptions,
            missing_detail: missing,
        }
    }
}
