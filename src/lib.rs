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
//!
//! ## Calling zhunru from another program
//!
//! Case-management systems, approval forms and data jobs use a handful of items:
//!
//! | to | use |
//! |---|---|
//! | load a policy from a file or a string | [`Policy::from_file`], [`Policy::from_str`] |
//! | load several districts at once | [`Policies::from_files`], [`Policies::insert`] |
//! | decide one subject, or many | [`Policy::decide`], [`Policy::decide_all`], [`Policies::decide`] |
//! | build a subject in Rust, or read one from JSON | [`Subject::task`] + [`Subject::with`], [`Subject::from_json`] |
//! | read a file of subjects (JSON Lines or CSV) | [`input::read_subjects`] |
//! | audit a log of tasks actually sent | [`audit()`](audit()), [`AuditReport`] |
//! | show a decision or an error to a person | [`report::decision_text`], [`render`] |
//!
//! [`Subject`], [`Decision`] and [`AuditReport`] are serde types: their JSON is the contract's
//! (`contract.md`). A loaded [`Policy`] is immutable and `Send + Sync`: load it once, share it
//! behind an [`Arc`](std::sync::Arc), and decide from as many threads as you like. Deciding
//! reads no clock and no environment (the date is an argument), allocates only the decision,
//! and never panics, whatever the subject holds.
//!
//! A policy that cannot be loaded is a [`PolicyError`], a [`miette::Diagnostic`] whose
//! related diagnostics each carry the policy's source, so `?` into a [`miette::Result`]
//! prints every error with the lines it points at:
//!
//! ```
//! use zhunru::{Code, Policy};
//! let err = Policy::from_str("broken.policy", "政策 「坏」\n规则 无引用\n  不予准入 「x」\n")
//!     .unwrap_err();
//! assert_eq!(err.diagnostics[0].code, Code::Syntax);
//! assert_eq!(err.diagnostics[0].location(), "broken.policy:3:3");
//! let report: miette::Report = err.into(); // what `?` does in a `miette::Result` function
//! assert!(format!("{report:?}").contains("broken.policy"));
//! ```
//!
//! `examples/embed.rs` (`cargo run --example embed`) is a whole program that loads the three
//! shipped policies and decides a few tasks the way a calling system would.
//!
//! ## Stability
//!
//! The items above, and the types they take and return, are the API. Items hidden from this
//! documentation (the policy's syntax tree in `ast`, and the accessors the `zhunru` binary's
//! own front ends use) may change with the engine.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The syntax tree is public only for the binary's REPL; it changes with the language.
#[doc(hidden)]
pub mod ast;
pub mod audit;
pub(crate) mod check;
pub mod compare;
mod date;
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
#[doc(hidden)]
pub mod suggest;
pub mod testing;
mod value;

use std::fmt;

pub use ast::SubjectKind;
pub use audit::{AuditReport, audit};
pub use check::SEED_RULE_IDS;
use diagnostic::LoadError;
pub use diagnostic::{Code, Diagnostic, InputError, Lang, Severity, Text, render};
pub use eval::{Decision, MissingItem, Reason, Trace, Verdict};
pub use normalize::normalize;
#[doc(hidden)]
pub use source::Spanned;
pub use source::{Source, Span};
pub use value::{Date, Fields, Subject, Value};

use ast::{ListDecl, PolicyAst, RuleDecl};
use eval::ListIndex;

/// A policy, parsed, checked and ready to decide. Immutable and `Send + Sync`: share one
/// across threads behind an `Arc`.
///
/// ```
/// use std::sync::Arc;
/// use zhunru::{Date, Policy, Subject, Verdict};
///
/// let policy = Arc::new(Policy::from_file("policies/yingjiang.policy")?);
/// let as_of = Date::new(2020, 6, 1).unwrap();
/// let workers: Vec<_> = ["招商引资", "居民委员会换届选举"]
///     .into_iter()
///     .map(|category| {
///         let policy = Arc::clone(&policy);
///         std::thread::spawn(move || policy.decide(&Subject::task(category), as_of).verdict)
///     })
///     .collect();
/// let verdicts: Vec<Verdict> = workers.into_iter().map(|w| w.join().unwrap()).collect();
/// assert_eq!(verdicts, [Verdict::Denied, Verdict::Admitted]);
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
pub struct Policy {
    source: Source,
    ast: PolicyAst,
    lists: rustc_hash::FxHashMap<String, ListIndex>,
    by_kind: [Vec<usize>; 3],
    /// `path:line:col` of each rule, computed once: decisions cite it.
    locations: Vec<String>,
    compiled: eval::Compiled,
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
                first.message(),
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

/// Parse and check a policy; every diagnostic (errors and warnings), errors first. This is
/// `zhunru check` for a drafting tool: render each with [`render`].
///
/// ```
/// use zhunru::{Code, Source, check_source, render};
/// let source = Source::new("draft.policy", "
///     policy \"Draft\"
///     rule banned cite N2 when task.category in negativ deny \"banned\"
/// ");
/// let diagnostics = check_source(&source);
/// assert_eq!(diagnostics[0].code, Code::UnknownList);
/// assert!(render(&diagnostics[0], false).contains("draft.policy:3:"));
/// ```
pub fn check_source(source: &Source) -> Vec<Diagnostic> {
    match Policy::from_source(source.clone()) {
        Ok(policy) => policy.warnings,
        Err(e) => e.diagnostics,
    }
}

/// Read a policy file's text: invalid UTF-8 is a diagnostic at the first bad byte.
#[doc(hidden)]
pub fn read_source(path: &std::path::Path) -> Result<Source, PolicyError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PolicyError {
        diagnostics: vec![Diagnostic::new(
            &Source::new(name.clone(), ""),
            Span::default(),
            &LoadError::CannotRead {
                name: name.clone(),
                error: e.to_string(),
            },
        )],
    })?;
    source_from_bytes(&name, bytes)
}

/// A source from raw bytes, which must be UTF-8.
#[doc(hidden)]
pub fn source_from_bytes(name: &str, bytes: Vec<u8>) -> Result<Source, PolicyError> {
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source::new(name, text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text has the same prefix, so the offset stays right.
            let source = Source::new(name, text);
            Err(PolicyError {
                diagnostics: vec![Diagnostic::new(
                    &source,
                    Span::new(valid, valid + 1),
                    &LoadError::NotUtf8,
                )],
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
        let locations: Vec<String> = ast.rules.iter().map(|r| source.location(r.span)).collect();
        let compiled = eval::Compiled::build(&ast, &locations);
        Ok(Policy {
            compiled,
            locations,
            source,
            ast,
            lists,
            by_kind,
            warnings: diagnostics,
        })
    }

    /// Parse and check a policy from text; `name` is used in diagnostics and `at` fields.
    ///
    /// ```
    /// use zhunru::Policy;
    /// let policy = Policy::from_str("mini.policy", "
    ///     policy \"Mini\"
    ///     list negative \"负面清单\" cite N2 { \"招商引资\" }
    ///     rule banned cite N2 when task.category in negative deny \"banned\"
    ///     rule others cite N3 when task.category not in negative refer \"needs approval\"
    /// ")?;
    /// assert_eq!(policy.title(), "Mini");
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(name: &str, text: &str) -> Result<Policy, PolicyError> {
        Policy::from_source(Source::new(name, text))
    }

    /// Read, parse and check a policy file. Its path, as given, names it in diagnostics and
    /// in the `at` of every reason.
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert_eq!(policy.jurisdiction(), "滁州市南谯区");
    /// assert!(zhunru::Policy::from_file("policies/absent.policy").is_err());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn from_file(path: impl AsRef<std::path::Path>) -> Result<Policy, PolicyError> {
        Policy::from_source(read_source(path.as_ref())?)
    }

    /// Decide one subject as of a date (the date that `今天`/`today` means). Never panics;
    /// a subject no rule speaks to `needs_approval` with the reason `no_rule_admits`.
    ///
    /// ```
    /// use zhunru::{Date, Policy, Subject, Verdict};
    /// let policy = Policy::from_file("policies/yingjiang.policy")?;
    /// let survey = Subject::task("企业摸底")
    ///     .with("basis", vec!["安庆市经济普查工作方案"])
    ///     .with("work_plan", true)
    ///     .with("requirements", "走访辖区企业，填报摸底表")
    ///     .with("period.end", "2020-06-30")
    ///     .with("funding.amount", 3000)
    ///     .with("approval.status", "approved")
    ///     .with("approval.by", "区社区建设领导小组");
    /// let june = policy.decide(&survey, Date::new(2020, 6, 1).unwrap());
    /// assert_eq!(june.verdict, Verdict::Admitted);
    /// // A short-term admission lapses after its period (Y5).
    /// let august = policy.decide(&survey, Date::new(2020, 8, 1).unwrap());
    /// assert_eq!((august.verdict, august.missing.as_slice()), (Verdict::NeedsApproval, &["period".to_owned()][..]));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Decision {
        eval::decide(self, subject, as_of)
    }

    /// Decide one subject and report what the decision touched: the rules that applied and
    /// the list entries that matched (for test coverage).
    pub fn decide_traced(&self, subject: &Subject, as_of: Date) -> (Decision, Trace) {
        eval::decide_traced(self, subject, as_of)
    }

    /// Decide one subject and append its decision as JSON (one line, no newline) to `out`:
    /// the same bytes as `serde_json::to_writer(out, &policy.decide(subject, as_of))`,
    /// written without building the owned [`Decision`]. For batch front ends.
    pub fn decide_json(&self, subject: &Subject, as_of: Date, out: &mut Vec<u8>) {
        eval::decide_json(self, subject, as_of, out)
    }

    /// Decide many subjects, in order, lazily.
    ///
    /// ```
    /// use zhunru::{Date, Policy, Subject, Verdict};
    /// let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let tasks = [Subject::task("招商引资"), Subject::task("城管执法")];
    /// let verdicts: Vec<Verdict> = policy
    ///     .decide_all(&tasks, Date::new(2020, 6, 1).unwrap())
    ///     .map(|d| d.verdict)
    ///     .collect();
    /// assert_eq!(verdicts, [Verdict::Denied, Verdict::Denied]); // 城管执法 is an alias of 城市管理
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
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
    #[doc(hidden)]
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
    #[doc(hidden)]
    pub fn rule(&self, name: &str) -> Option<&RuleDecl> {
        self.ast.rules.iter().find(|r| r.name.node == name)
    }

    /// A list by name.
    #[doc(hidden)]
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

    pub(crate) fn reason(&self, index: usize, rule: &RuleDecl, message: Option<String>) -> Reason {
        let message = message.unwrap_or_else(|| rule.name.node.clone());
        let at = self.locations.get(index).cloned().unwrap_or_default();
        Reason::from_rule(rule, message, at)
    }
}

/// Several policies by name — one per district — loaded together and decided side by side.
/// Like [`Policy`], immutable once built and `Send + Sync`.
///
/// ```
/// use zhunru::{Date, Policies, Subject, Verdict};
///
/// let districts = Policies::from_files([
///     "policies/hefei.policy",
///     "policies/nanqiao.policy",
///     "policies/yingjiang.policy",
/// ])?;
/// assert_eq!(districts.names().collect::<Vec<_>>(), ["hefei", "nanqiao", "yingjiang"]);
///
/// // One form, put to every district (contract.md: every policy reads the same shapes).
/// let task = Subject::task("行政执法").with("community_role", "responsible");
/// for (district, decision) in districts.decide(&task, Date::new(2020, 6, 1).unwrap()) {
///     println!("{district}: {}", decision.verdict.as_str());
/// }
/// let yingjiang = districts.get("yingjiang").unwrap();
/// assert_eq!(yingjiang.decide(&task, Date::new(2020, 6, 1).unwrap()).verdict, Verdict::Denied);
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
#[derive(Debug, Default)]
pub struct Policies {
    districts: Vec<(String, Policy)>,
}

impl Policies {
    /// No policies yet; add them with [`Policies::insert`].
    pub fn new() -> Policies {
        Policies::default()
    }

    /// Read, parse and check policy files, each named by its file stem
    /// (`policies/yingjiang.policy` is `yingjiang`), in the order given. Every file is
    /// loaded; if any fails, the error holds the diagnostics of all that failed.
    pub fn from_files<P: AsRef<std::path::Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<Policies, PolicyError> {
        let mut policies = Policies::new();
        let mut diagnostics = Vec::new();
        for path in paths {
            let path = path.as_ref();
            let name = path.file_stem().map_or_else(
                || path.display().to_string(),
                |s| s.to_string_lossy().into_owned(),
            );
            match Policy::from_file(path) {
                Ok(policy) if policies.get(&name).is_some() => diagnostics.push(Diagnostic::new(
                    policy.source(),
                    Span::default(),
                    &LoadError::DuplicateName { name: name.clone() },
                )),
                Ok(policy) => policies.districts.push((name, policy)),
                Err(e) => diagnostics.extend(e.diagnostics),
            }
        }
        if diagnostics.iter().any(|d| d.severity == Severity::Error) {
            diagnostics.sort_by_key(|d| std::cmp::Reverse(d.severity));
            return Err(PolicyError { diagnostics });
        }
        Ok(policies)
    }

    /// Add a policy under a name; a policy already under that name is replaced and returned.
    ///
    /// ```
    /// use zhunru::{Policies, Policy};
    /// let mut districts = Policies::new();
    /// districts.insert("nanqiao", Policy::from_file("policies/nanqiao.policy")?);
    /// assert_eq!(districts.len(), 1);
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn insert(&mut self, name: impl Into<String>, policy: Policy) -> Option<Policy> {
        let name = name.into();
        match self.districts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, slot)) => Some(std::mem::replace(slot, policy)),
            None => {
                self.districts.push((name, policy));
                None
            }
        }
    }

    /// The policy of that name.
    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.districts
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, p)| p)
    }

    /// The names, in the order the policies were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.districts.iter().map(|(n, _)| n.as_str())
    }

    /// Every policy with its name, in the order added.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Policy)> {
        self.districts.iter().map(|(n, p)| (n.as_str(), p))
    }

    /// How many policies there are.
    pub fn len(&self) -> usize {
        self.districts.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.districts.is_empty()
    }

    /// Decide one subject under every policy, in order: how each district would answer.
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Vec<(&str, Decision)> {
        self.iter()
            .map(|(name, policy)| (name, policy.decide(subject, as_of)))
            .collect()
    }
}
