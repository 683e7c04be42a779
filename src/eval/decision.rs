//! The answer: a verdict, the reasons that decided it, and what an application lacks.

use serde::{Deserialize, Serialize};

use crate::ast::{RuleDecl, SubjectKind};
use crate::source::Span;
use crate::value::Subject;

/// The verdict on a subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// The rule's span in the policy source (for rendering; not serialised).
    #[serde(skip)]
    pub span: Option<Span>,
}

impl Reason {
    pub(crate) fn from_rule(rule: &RuleDecl, message: String, at: String) -> Reason {
        Reason {
            rule: rule.name.node.clone(),
            message,
            cite: rule.cite.first().map(|c| c.node.clone()),
            cites: rule.cite.iter().map(|c| c.node.clone()).collect(),
            at: Some(at),
            span: Some(rule.span),
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
            span: None,
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
/// let task = Subject::task("招商引资").with("id", "NQ-2020-0012");
/// let decision = policy.decide(&task, Date::new(2020, 6, 1).unwrap());
/// let json = serde_json::to_value(&decision).unwrap();
/// assert_eq!(json["verdict"], "denied");
/// assert_eq!(json["reasons"][0]["cite"], "N2");
/// assert_eq!(json["reasons"][0]["at"], "policies/nanqiao.policy:35:1");
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
    ) -> Decision {
        Decision {
            subject: subject.kind,
            id: subject.id().map(str::to_owned),
            verdict,
            reasons,
            missing: missing.iter().map(|m| m.name.clone()).collect(),
            missing_detail: missing,
        }
    }
}
