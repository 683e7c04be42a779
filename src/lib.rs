//! # zhunru (准入)
//!
//! A rules-as-code engine for community work-item admission: district policies, written in a
//! small bilingual language, decide whether a task may be pushed down to a residential
//! community (`admitted` / `denied` / `needs_approval`), and whether a community's premises
//! or an assessment plan comply. Every decision carries its reasons: the rule, its message,
//! the clause of the source policy it encodes, and where the rule stands in the policy file.
//!
//! ```
//! use zhunru::{Date, Policy, Subject, Verdict};
//!
//! let policy = Policy::from_str("demo.policy", r#"
//!     政策 「示例」
//!     清单 负面清单 「负面事项清单」 引用 N2 { "招商引资", "协税护税" }
//!     规则 负面事项不得下放 引用 N2
//!       当 事项.category 属于 负面清单
//!       不予准入 「「{事项.category}」列入负面事项清单」
//!     规则 清单外事项须经审批 引用 N3
//!       当 事项.category 不属于 负面清单
//!       要求 事项.approval.status == "approved" 记为 approval
//!       须经审批 「清单外事项须经准入审批」
//! "#).unwrap();
//!
//! let decision = policy.decide(&Subject::task("招商引资"), Date::new(2020, 6, 1).unwrap());
//! assert_eq!(decision.verdict, Verdict::Denied);
//! assert_eq!(decision.reasons[0].cite.as_deref(), Some("N2"));
//!
//! let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1).unwrap());
//! assert_eq!(decision.verdict, Verdict::NeedsApproval);
//! assert_eq!(decision.missing, ["approval"]);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod ast;
pub mod audit;
pub(crate) mod check;
pub mod compare;
mod diagnostic;
pub mod diff;
pub(crate) mod eval;
pub mod format;
pub mod input;
mod markup;
mod normalize;
pub mod notice;
pub(crate) mod parse;
pub mod report;
pub(crate) mod schema;
mod source;
pub mod testing;
mod value;

use std::collections::HashMap;
use std::fmt;

pub use ast::SubjectKind;
pub use audit::{AuditReport, audit};
pub use check::SEED_RULE_IDS;
pub use diagnostic::{Code, Diagnostic, InputError, Lang, Severity, render};
pub use eval::{Decision, MissingItem, Reason, Trace, Verdict};
pub use normalize::normalize;
pub use source::{Source, Span, Spanned};
pub use value::{Date, Fields, Subject, Value};

use ast::{ListDecl, PolicyAst, RuleDecl};
use eval::ListIndex;

/// A policy, parsed, checked and ready to decide. Immutable and `Send + Sync`: share one
/// across threads behind an `Arc`.
pub struct Policy {
    source: Source,
    ast: PolicyAst,
    lists: HashMap<String, ListIndex>,
    by_kind: [Vec<usize>; 3],
    warnings: Vec<Diagnostic>,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("name", &self.source.name)
            .field("title", &self.ast.header.title.node)
            .field("rules", &self.ast.rules.len())
            .finish()
    }
}

/// A policy that could not be loaded: every diagnostic found (errors and warnings).
#[derive(Debug)]
pub struct PolicyError {
    /// The diagnostics, errors first.
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        match self.diagnostics.first() {
            Some(first) => write!(
                f,
                "{}: {} ({} error{})",
                first.location(),
                first.message,
                errors,
                if errors == 1 { "" } else { "s" }
            ),
            None => f.write_str("policy could not be loaded"),
        }
    }
}

impl std::error::Error for PolicyError {}

impl miette::Diagnostic for PolicyError {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.diagnostics
                .iter()
                .map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}

fn kind_slot(kind: SubjectKind) -> usize {
    match kind {
        SubjectKind::Task => 0,
        SubjectKind::Community => 1,
        SubjectKind::Assessment => 2,
    }
}

/// Parse a policy without checking it: the AST, or the syntax errors.
pub fn parse_policy(source: &Source) -> Result<PolicyAst, Vec<Diagnostic>> {
    parse::parse(source)
}

/// Parse and check a policy; every diagnostic (errors and warnings), errors first.
pub fn check_source(source: &Source) -> Vec<Diagnostic> {
    match Policy::from_source(source.clone()) {
        Ok(policy) => policy.warnings,
        Err(e) => e.diagnostics,
    }
}

/// Read a policy file's text: invalid UTF-8 is a diagnostic at the first bad byte.
pub fn read_source(path: &std::path::Path) -> Result<Source, PolicyError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PolicyError {
        diagnostics: vec![
            Diagnostic::error(
                Code::Io,
                &Source::new(name.clone(), ""),
                Span::default(),
                format!("cannot read `{name}`: {e}"),
            )
            .help("check the path; policies ship in policies/"),
        ],
    })?;
    source_from_bytes(&name, bytes)
}

/// A source from raw bytes, which must be UTF-8.
pub fn source_from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source, PolicyError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(name, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text has the same prefix, so the offset stays right.
            let source = Source::new(name, text);
            Err(PolicyError {
                diagnostics: vec![
                    Diagnostic::error(
                        Code::Syntax,
                        &source,
                        Span::new(valid, valid + 1),
                        "the policy is not valid UTF-8",
                    )
                    .label("invalid byte here")
                    .help("save the file as UTF-8 (GBK and other encodings are not read)"),
                ],
            })
        }
    }
}

impl Policy {
    /// Parse and check a policy. Warnings are kept ([`Policy::warnings`]); any error fails.
    pub fn from_source(source: Source) -> Result<Policy, PolicyError> {
        let ast = parse::parse(&source).map_err(|diagnostics| PolicyError { diagnostics })?;
        let (checked, diagnostics) = check::check(&source, &ast);
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            return Err(PolicyError { diagnostics });
        }
        let lists = ast
            .lists
            .iter()
            .map(|l| (l.name.node.clone(), ListIndex::build(l)))
            .collect();
        let mut by_kind: [Vec<usize>; 3] = Default::default();
        for (i, kind) in checked.kinds.iter().enumerate() {
            if let Some(slot) = kind.and_then(|k| by_kind.get_mut(kind_slot(k))) {
                slot.push(i);
            }
        }
        Ok(Policy {
            source,
            ast,
            lists,
            by_kind,
            warnings: diagnostics,
        })
    }

    /// Parse and check a policy from text; `name` is used in diagnostics and `at` fields.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(name: &str, text: &str) -> Result<Policy, PolicyError> {
        Policy::from_source(Source::new(name, text))
    }

    /// Read, parse and check a policy file.
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Policy, PolicyError> {
        Policy::from_source(read_source(path.as_ref())?)
    }

    /// Decide one subject as of a date (the date that `今天`/`today` means).
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Decision {
        eval::decide(self, subject, as_of)
    }

    /// Decide one subject and report what the decision touched: the rules that applied and
    /// the list entries that matched (for test coverage).
    pub fn decide_traced(&self, subject: &Subject, as_of: Date) -> (Decision, Trace) {
        eval::decide_traced(self, subject, as_of)
    }

    /// Decide many subjects, in order.
    pub fn decide_all<'a>(
        &'a self,
        subjects: impl IntoIterator<Item = &'a Subject> + 'a,
        as_of: Date,
    ) -> impl Iterator<Item = Decision> + 'a {
        subjects.into_iter().map(move |s| self.decide(s, as_of))
    }

    /// Warnings found when the policy was checked.
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The source the policy was read from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The policy as data.
    pub fn ast(&self) -> &PolicyAst {
        &self.ast
    }

    /// The policy's title (from its header).
    pub fn title(&self) -> &str {
        &self.ast.header.title.node
    }

    /// Its jurisdiction, else its title.
    pub fn jurisdiction(&self) -> &str {
        self.ast
            .header
            .jurisdiction
            .as_ref()
            .map_or(self.title(), |j| j.node.as_str())
    }

    /// A rule by name.
    pub fn rule(&self, name: &str) -> Option<&RuleDecl> {
        self.ast.rules.iter().find(|r| r.name.node == name)
    }

    /// A list by name.
    pub fn list_decl(&self, name: &str) -> Option<&ListDecl> {
        self.ast.lists.iter().find(|l| l.name.node == name)
    }

    /// Whether a category is on a list (after normalisation, aliases included).
    pub fn list_contains(&self, list: &str, category: &str) -> bool {
        self.lists
            .get(list)
            .is_some_and(|l| l.keys.contains_key(normalize(category).as_ref()))
    }

    pub(crate) fn list_index(&self, name: &str) -> Option<&ListIndex> {
        self.lists.get(name)
    }

    pub(crate) fn rules_for(&self, kind: SubjectKind) -> &[usize] {
        self.by_kind
            .get(kind_slot(kind))
            .map_or(&[], |v| v.as_slice())
    }

    pub(crate) fn reason(&self, rule: &RuleDecl, message: Option<String>) -> Reason {
        let message = message.unwrap_or_else(|| rule.name.node.clone());
        Reason::from_rule(rule, message, self.source.location(rule.span))
    }
}
