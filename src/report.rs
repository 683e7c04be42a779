//! Decisions rendered for people: the verdict on its own line, then each reason as a
//! diagnostic showing the deciding lines of the policy, then what is missing.

use std::fmt;

use miette::{LabeledSpan, SourceCode};

use crate::diagnostic::render;
use crate::eval::{Decision, Reason, Verdict};
use crate::{Lang, Policy};

/// One reason as a miette diagnostic pointing into the policy.
struct ReasonReport<'a> {
    policy: &'a Policy,
    reason: &'a Reason,
    verdict: Verdict,
    /// The language of the engine's own reasons (`None`: both, as in the JSON).
    lang: Option<Lang>,
}

impl fmt::Debug for ReasonReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason.rule())
    }
}

impl fmt::Display for ReasonReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.lang {
            Some(lang) => f.write_str(&self.reason.message_in(lang)),
            None => f.write_str(self.reason.message()),
        }
    }
}

impl std::error::Error for ReasonReport<'_> {}

impl miette::Diagnostic for ReasonReport<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let cites = if self.reason.cites().is_empty() {
            String::new()
        } else {
            format!(" [{}]", self.reason.cites().join(", "))
        };
        Some(Box::new(format!("{}{}", self.reason.rule(), cites)))
    }

    /// The documents the cited clauses come from, so an official can look them up.
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        if self.reason.clauses().is_empty() {
            return None;
        }
        let sources: Vec<String> = self
            .reason
            .clauses()
            .iter()
            .map(|c| {
                let mut s = format!("《{}》", c.document().title());
                if let Some(n) = &c.document().number() {
                    s.push_str(&format!("（{n}）"));
                }
                s.push_str(&format!(" {}", c.id()));
                if c.is_example() {
                    s.push_str("〔示例，未核实〕");
                }
                s
            })
            .collect();
        Some(Box::new(format!("依据 source: {}", sources.join("；"))))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.verdict {
            Verdict::Denied | Verdict::NonCompliant => miette::Severity::Error,
            Verdict::NeedsApproval | Verdict::NotInForce | Verdict::Undecided => {
                miette::Severity::Warning
            }
            Verdict::Admitted | Verdict::Compliant => miette::Severity::Advice,
        })
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.reason
            .span()
            .map(|_| self.policy.source_of(self.reason.origin()) as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let rule = self.policy.rule(self.reason.rule())?;
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some("这条规则 — this rule".to_owned()),
            rule.name.span,
        )];
        if let Some(w) = &rule.when {
            let label = if self.verdict == Verdict::Undecided {
                "无法判定（原因见上） — cannot be told (why: above)"
            } else {
                "条件成立 — applies"
            };
            labels.push(LabeledSpan::new_with_span(Some(label.to_owned()), w.span));
        }
        labels.push(LabeledSpan::new_with_span(
            Some(format!("{} {}", self.verdict.as_str(), self.verdict.zh())),
            rule.outcome.span,
        ));
        Some(Box::new(labels.into_iter()))
    }
}

/// The missing requirements as one diagnostic with a label on each.
struct MissingReport<'a> {
    policy: &'a Policy,
    decision: &'a Decision,
}

impl fmt::Debug for MissingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("missing")
    }
}

impl fmt::Display for MissingReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "尚缺 missing: {}", self.decision.missing().join(", "))
    }
}

impl std::error::Error for MissingReport<'_> {}

impl miette::Diagnostic for MissingReport<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(
            "申请补齐以上材料并经批准后方可准入 — supply these and obtain approval for the task to be admitted",
        ))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.policy.source() as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.decision.missing_items().iter().filter_map(
            |m| {
                let span = m.span()?;
                Some(LabeledSpan::new_with_span(
                    Some(format!("missing: {}", m.name())),
                    span,
                ))
            },
        )))
    }
}

/// The verdict line: the contract's word and the Chinese label, e.g. `denied 不予准入`.
///
/// ```
/// assert_eq!(zhunru::report::verdict_line(zhunru::Verdict::Denied), "denied 不予准入");
/// ```
pub fn verdict_line(verdict: Verdict) -> String {
    format!("{} {}", verdict.as_str(), verdict.zh())
}

/// A decision as text: the verdict line, each reason as a diagnostic, then what is missing.
///
/// ```
/// use zhunru::{Date, Policy, Subject, report};
/// let policy = Policy::from_file("policies/yingjiang.policy")?;
/// let decision = policy.decide(&Subject::task("经济创收"), Date::new(2020, 6, 1).unwrap());
/// let text = report::decision_text(&policy, &decision, false);
/// assert!(text.starts_with("denied 不予准入\n"));
/// assert!(text.contains("policies/national.policy:78:1")); // 民发〔2015〕136号
/// assert!(text.contains("policies/yingjiang.policy:58:1")); // Y3
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
pub fn decision_text(policy: &Policy, decision: &Decision, color: bool) -> String {
    decision_text_with(policy, decision, color, None)
}

/// [`decision_text`] with the engine's own reasons (no rule admits, no rule covers, not in
/// force) in one language; a rule's message is the policy's own words either way.
///
/// ```
/// use zhunru::{Date, Lang, Policy, Subject, report};
/// let policy = Policy::from_file("policies/national.policy")?;
/// let task = Subject::from_json("task", r#"{"category": "创卫迎检"}"#)?;
/// let decision = policy.decide(&task, Date::new(2020, 6, 1)?);
/// let english = report::decision_text_in(&policy, &decision, false, Lang::En);
/// assert!(english.contains("no rule admits this task"));
/// assert!(!english.contains("没有规则准予"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decision_text_in(policy: &Policy, decision: &Decision, color: bool, lang: Lang) -> String {
    decision_text_with(policy, decision, color, Some(lang))
}

fn decision_text_with(
    policy: &Policy,
    decision: &Decision,
    color: bool,
    lang: Option<Lang>,
) -> String {
    let mut out = verdict_line(decision.verdict());
    if color {
        let code = match decision.verdict() {
            Verdict::Admitted | Verdict::Compliant => "32",
            Verdict::Denied | Verdict::NonCompliant => "31",
            Verdict::NeedsApproval | Verdict::NotInForce | Verdict::Undecided => "33",
        };
        out = format!("\x1b[1;{code}m{out}\x1b[0m");
    }
    out.push('\n');
    for reason in decision.reasons() {
        let report = ReasonReport {
            policy,
            reason,
            verdict: decision.verdict(),
            lang,
        };
        out.push_str(&render(&report, color));
        if let Some(at) = reason.position() {
            out.push_str(&format!("  at {at}\n"));
        }
    }
    if !decision.missing().is_empty() {
        out.push_str(&render(&MissingReport { policy, decision }, color));
    }
    out
}
