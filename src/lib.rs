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
//!     文件 「某区社区工作事项准入办法」 文号 「某民发〔2020〕1号」 {
//!       条款 N2 「招商引资、协税护税等列入负面清单」
//!       条款 N3 「清单以外的事项须经准入审批」
//!     }
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
//! assert_eq!(decision.verdict(), Verdict::Denied);
//! assert_eq!(decision.reasons()[0].cite(), Some("N2"));
//!
//! let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1).unwrap());
//! assert_eq!(decision.verdict(), Verdict::NeedsApproval);
//! assert_eq!(decision.missing(), ["approval"]);
//! ```
//!
//! ## Calling zhunru from another program
//!
//! Case-management systems, approval forms and data jobs use a handful of items:
//!
//! | to | use |
//! |---|---|
//! | load a policy from a file or a string | [`Policy::from_file`], [`Policy::from_str`] |
//! | load many districts, keep the good files, report the bad | [`Policies::load_dir`], [`Policies::load`], [`PolicySet::failures`] |
//! | swap one district while other threads decide | [`Policies::insert`], [`Policies::reload`], [`Policies::snapshot`] |
//! | decide one subject, or many | [`Policy::decide`], [`Policy::decide_all`], [`Policies::decide_in`] |
//! | read the answer | [`Decision::verdict`], [`Reason::kind`], [`Reason::position`], [`Reason::clauses`], [`MissingItem::field`], [`Decision::policy`] |
//! | build a subject in Rust (checked as JSON is) | [`Subject::task`] + [`Subject::with`] |
//! | read a subject from JSON, or one line of JSON Lines | [`Subject::from_json`], [`input::parse_line`] |
//! | read a file of subjects (JSON, JSON Lines, CSV) | [`input::read_subjects`], [`input::InputFormat`] |
//! | read a subject's fields | [`Subject::get_str`], [`Subject::get_number`], [`Subject::get_date`] |
//! | tell errors apart | [`InputError::kind`], [`Diagnostic::code`], [`Code::family`] |
//! | audit a log of tasks actually sent | [`audit()`](audit()), [`AuditReport`] |
//! | show a decision or an error to a person | [`report::decision_text`], [`render`] |
//!
//! [`Subject`], [`Decision`] and [`AuditReport`] are serde types: their JSON is the contract's
//! (`contract.md`), and a decision reads back as it was written. A loaded [`Policy`] is
//! immutable, `Send + Sync` and cheap to clone (its parts are shared): load it once and
//! decide from as many threads as you like. Deciding reads no clock and no environment (the
//! date is an argument), allocates only the decision, and never panics, whatever the
//! subject holds.
//!
//! A policy that cannot be loaded is a [`PolicyError`], a
//! `miette::Diagnostic` whose related diagnostics each carry the
//! policy's source, so `?` into a `miette::Result` prints every
//! error with the lines it points at (zhunru re-exports `miette`, so the versions agree):
//!
//! ```
//! use zhunru::{Code, Policy};
//! let err = Policy::from_str("broken.policy", "政策 「坏」\n规则 无引用\n  不予准入 「x」\n")
//!     .unwrap_err();
//! assert_eq!(err.diagnostics()[0].code(), Code::Syntax);
//! assert_eq!(err.diagnostics()[0].location(), "broken.policy:3:3");
//! let report: zhunru::miette::Report = err.into(); // what `?` does in a `miette::Result` function
//! assert!(format!("{report:?}").contains("broken.policy"));
//! ```
//!
//! `examples/embed.rs` (`cargo run --example embed`) is a whole program that loads the
//! shipped policies and decides a few tasks the way a calling system would;
//! `examples/service` is an outside crate (built with `default-features = false`) that
//! routes tasks to districts, reloads one live and reads every answer typed.
//!
//! ## Stability
//!
//! The items documented here, and the types they take and return, are the API; the
//! snapshot in `tests/snapshots/public_api__public_api.snap` records it, so any change to
//! it is a visible diff. Enums and structs that will grow (a new check code, verdict, input
//! error kind, subject kind) are `#[non_exhaustive]`: match them with a `_` arm. Answers
//! keep their fields private behind accessors, so fields can be added. Items hidden from
//! this documentation (the policy's syntax tree in `ast`, and what the `zhunru` binary's own
//! front ends use) may change with the engine.
//!
//! ## Features
//!
//! `cli` (the `zhunru` command: clap, rustyline) and `server` (`zhunru serve`: axum, tokio)
//! are on by default for the binary; an embedder takes the engine alone with
//! `default-features = false`.
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
mod district;
pub(crate) mod eval;
pub mod format;
pub mod input;
pub mod labels;
mod markup;
mod normalize;
pub mod notice;
pub(crate) mod parse;
pub mod record;
mod registry;
pub mod report;
pub(crate) mod schema;
mod source;
#[doc(hidden)]
pub mod suggest;
pub mod testing;
mod value;
mod versions;

use std::fmt;
use std::sync::Arc;

pub use ast::SubjectKind;
pub use audit::{AuditReport, audit};
pub use date::DateError;
use diagnostic::LoadError;
#[doc(hidden)]
pub use diagnostic::json_message;
pub use diagnostic::{
    Code, CodeFamily, Diagnostic, InputError, InputErrorKind, Lang, Severity, Text, render,
};
pub use district::District;
pub use eval::{
    CitedClause, CitedDocument, DecidedBy, Decision, Exception, MissingItem, Reason, ReasonKind,
    Trace, Verdict,
};
/// The diagnostics library of [`PolicyError`], [`Diagnostic`] and [`InputError`], re-exported
/// so a caller's `miette::Result` is the same type.
pub use miette;
pub use normalize::normalize;
pub use registry::{LoadFailure, Policies, PolicySet};
#[doc(hidden)]
pub use source::Spanned;
use source::Spanned as SpannedNode;
pub use source::{Position, Source, Span};
pub use value::{Date, FieldError, Fields, Subject, Value};
pub use versions::Versions;

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
///         std::thread::spawn(move || policy.decide(&Subject::task(category), as_of).verdict())
///     })
///     .collect();
/// let verdicts: Vec<Verdict> = workers.into_iter().map(|w| w.join().unwrap()).collect();
/// assert_eq!(verdicts, [Verdict::Denied, Verdict::Admitted]);
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
#[derive(Clone)]
pub struct Policy {
    // Every field is shared: a clone is a handful of reference counts (issue 14: a service
    // keeps policies in a registry and hands them to threads).
    /// The name decisions give it ([`Policy::name`]): the file stem, or the registry's name.
    name: Arc<str>,
    /// `name` as a JSON string, which every decision written as JSON repeats.
    name_json: Arc<str>,
    source: Source,
    /// Every file of the chain: this policy's first, then its parent's, and so on.
    sources: Arc<[Source]>,
    /// The name each file of the chain is cited by in positions (see [`Position`]).
    display: Arc<[String]>,
    /// The policy as rules see it: its parents' documents, fields, variants, lists (with
    /// this policy's `追加` entries) and rules, then its own. Spans point into the file of
    /// `rule_origin`.
    ast: Arc<PolicyAst>,
    /// The file (index into `sources`) each rule is written in.
    rule_origin: Arc<[usize]>,
    /// The subject kind of each rule.
    kinds: Arc<[Option<SubjectKind>]>,
    /// Variant spellings, normalised: (variant, standard).
    pub(crate) variants: Arc<[(String, String)]>,
    /// How many entries of each list come from the parents (the rest are this file's).
    inherited_entries: Arc<rustc_hash::FxHashMap<String, usize>>,
    /// Each list of `ast.lists` compiled for look-up, in the same order.
    pub(crate) list_indexes: Arc<[ListIndex]>,
    /// A list's position in `ast.lists` by its name.
    list_positions: Arc<rustc_hash::FxHashMap<String, usize>>,
    by_kind: Arc<[Vec<usize>; 3]>,
    /// Where each rule stands, computed once: decisions cite it.
    locations: Arc<[Position]>,
    compiled: Arc<eval::Compiled>,
    warnings: Arc<[Diagnostic]>,
    /// FNV-1a of the texts of the chain, hex ([`Policy::content_hash`]).
    hash: Arc<str>,
    /// The subject fields input is typed by: the contract's and the chain's `字段`.
    schema: Arc<schema::Schema>,
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

/// A policy that could not be loaded: every diagnostic found (errors and warnings), errors
/// first. A `miette::Diagnostic` whose related diagnostics each carry
/// their source, so `?` into a `miette::Result` shows them all.
///
/// ```
/// use zhunru::{Code, Policy, Severity};
/// let error = Policy::from_str("broken.policy", "政策 「坏」\n规则 无引用\n  不予准入 「x」\n").unwrap_err();
/// let first = &error.diagnostics()[0];
/// assert_eq!((first.code(), first.severity()), (Code::Syntax, Severity::Error));
/// assert_eq!(error.errors().count(), 1);
/// let copy = error.clone(); // errors are values: keep one, send one on
/// assert_eq!(copy.to_string(), error.to_string());
/// ```
#[derive(Clone, Debug)]
pub struct PolicyError {
    diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
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

impl PolicyError {
    /// The diagnostics, errors first.
    ///
    /// See [`PolicyError`] for an example.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics, taken out.
    ///
    /// ```
    /// let error = zhunru::Policy::from_file("policies/absent.policy").unwrap_err();
    /// assert_eq!(error.into_diagnostics().len(), 1);
    /// ```
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// The errors among the diagnostics (not the warnings).
    ///
    /// See [`PolicyError`] for an example.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
    }

    /// A file that could not be read (`zhunru::io`): about the whole file, so without a
    /// line. A missing file, a folder and a file without permission are said in words, in
    /// both languages; another error as the system says it.
    ///
    /// ```
    /// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "not found");
    /// let error = zhunru::PolicyError::cannot_read("policies/x.policy", &io);
    /// assert_eq!(error.to_string(), "policies/x.policy: cannot read `policies/x.policy`: no such file (1 error)");
    /// let zh = error.diagnostics()[0].localized(zhunru::Lang::Zh);
    /// assert_eq!(zh.message(), "无法读取 `policies/x.policy`：没有这个文件");
    /// ```
    pub fn cannot_read(name: &str, error: &std::io::Error) -> PolicyError {
        PolicyError {
            diagnostics: vec![Diagnostic::unlocated(
                &Source::new(name, ""),
                &LoadError::CannotRead {
                    name: name.to_owned(),
                    error: Text::io_error(error),
                },
            )],
        }
    }

    /// Two policies loaded under one district name (`zhunru::check::duplicate_name`).
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// let error = zhunru::PolicyError::duplicate_name(&policy, "hefei");
    /// assert_eq!(error.diagnostics()[0].code(), zhunru::Code::DuplicateName);
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn duplicate_name(policy: &Policy, name: &str) -> PolicyError {
        PolicyError {
            diagnostics: vec![Diagnostic::unlocated(
                policy.source(),
                &LoadError::DuplicateName {
                    name: name.to_owned(),
                },
            )],
        }
    }
}

/// The error of these diagnostics (as [`format::format_source`] returns them), errors first.
///
/// ```
/// let source = zhunru::Source::new("x.policy", "政策");
/// let diagnostics = zhunru::format::format_source(&source, None).unwrap_err();
/// let error = zhunru::PolicyError::from(diagnostics);
/// assert_eq!(error.diagnostics()[0].code(), zhunru::Code::Syntax);
/// ```
impl From<Vec<Diagnostic>> for PolicyError {
    fn from(mut diagnostics: Vec<Diagnostic>) -> PolicyError {
        diagnostics.sort_by_key(|d| std::cmp::Reverse(d.severity()));
        PolicyError { diagnostics }
    }
}

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

/// Parse a policy without checking it: the AST, or the syntax errors. The AST is the
/// binary's, not part of the API.
#[doc(hidden)]
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
///     document \"Draft measures\" { clause N2 \"banned items\" }
///     rule banned cite N2 when task.category in negativ deny \"banned\"
/// ");
/// let diagnostics = check_source(&source);
/// assert_eq!(diagnostics[0].code(), Code::UnknownList);
/// assert!(render(&diagnostics[0], false).contains("draft.policy:4:"));
/// ```
pub fn check_source(source: &Source) -> Vec<Diagnostic> {
    match Policy::from_source(source.clone()) {
        Ok(policy) => policy.warnings.to_vec(),
        Err(e) => e.diagnostics,
    }
}

/// The name a policy file is cited by in positions: relative to the policy root, never the
/// folder a service is deployed in (see [`Position`]). A relative path that stays below
/// where it starts is kept as given; any other is cut to its folder and file name.
///
/// What a service shows its clients of a policy file's path (a failed reload, the districts
/// it serves, a public notice), so that they read the same name as in decisions.
///
/// ```
/// assert_eq!(zhunru::cited_path("policies/hefei.policy"), "policies/hefei.policy");
/// assert_eq!(zhunru::cited_path("/srv/zhunru/policies/hefei.policy"), "policies/hefei.policy");
/// assert_eq!(zhunru::cited_path("../hefei.policy"), "hefei.policy");
/// ```
pub fn cited_path(path: &str) -> String {
    use std::path::{Component, Path};
    let p = Path::new(path);
    let leaves = p
        .components()
        .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
    if !leaves {
        return path.to_owned();
    }
    let file = p.file_name().map(|f| f.to_string_lossy());
    let folder = p
        .parent()
        .and_then(|d| d.file_name())
        .map(|f| f.to_string_lossy());
    match (folder, file) {
        (Some(folder), Some(file)) => format!("{folder}/{file}"),
        (None, Some(file)) => file.into_owned(),
        _ => path.to_owned(),
    }
}

/// A text as a JSON string (quoted, escaped).
fn json_string(text: &str) -> Arc<str> {
    serde_json::to_string(text).unwrap_or_default().into()
}

/// A policy's name from its path: the file stem (`policies/hefei.policy` is `hefei`).
fn file_stem(path: &str) -> String {
    let p = std::path::Path::new(path);
    p.file_stem()
        .map_or_else(|| path.to_owned(), |s| s.to_string_lossy().into_owned())
}

/// FNV-1a, 64 bits, of the texts of a policy chain: stable across builds and platforms
/// (std's hasher is not), and cheap.
fn content_hash(sources: &[Source]) -> String {
    let mut h = source::Fnv::default();
    for source in sources {
        h.write(source.text.as_bytes());
        // 0xff never occurs in UTF-8: it keeps "ab" + "c" apart from "a" + "bc".
        h.write(&[0xff]);
    }
    format!("{:016x}", h.finish())
}

/// Policy chains longer than this are refused (a province, a city, a district and a street
/// make four).
const MAX_PARENT_DEPTH: usize = 16;

/// Load the parent a policy names, relative to the policy's own file.
fn load_parent(
    child: &Source,
    path: &SpannedNode<String>,
    chain: &mut Vec<std::path::PathBuf>,
) -> Result<Policy, PolicyError> {
    let dir = std::path::Path::new(&*child.name)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    let file = dir.join(&path.node);
    let fail = |problem: LoadError, mut more: Vec<Diagnostic>| {
        let mut diagnostics = vec![Diagnostic::new(child, path.span, &problem)];
        diagnostics.append(&mut more);
        PolicyError { diagnostics }
    };
    let me = std::fs::canonicalize(&*child.name).unwrap_or_else(|_| (*child.name).into());
    let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
    if canonical == me || chain.contains(&canonical) {
        return Err(fail(
            LoadError::ParentCycle {
                path: file.display().to_string(),
            },
            Vec::new(),
        ));
    }
    if chain.len() >= MAX_PARENT_DEPTH {
        return Err(fail(LoadError::ParentTooDeep, Vec::new()));
    }
    // Only a policy file is read: `上位 「/etc/passwd」` in a policy text from elsewhere
    // must not read the file and show its lines in a diagnostic (a new-user trial did).
    if file.extension().is_none_or(|e| e != "policy") {
        return Err(fail(
            LoadError::ParentNotPolicy {
                path: file.display().to_string(),
            },
            Vec::new(),
        ));
    }
    // Read here, not by `read_source`, so that an unreadable file is said once ("cannot be
    // read: no such file", not "cannot be read: cannot read `…`: …").
    let bytes = match std::fs::read(&file) {
        Ok(bytes) => bytes,
        Err(e) => {
            return Err(fail(
                LoadError::ParentMissing {
                    path: file.display().to_string(),
                    error: Text::io_error(&e),
                },
                Vec::new(),
            ));
        }
    };
    let source = match source_from_bytes(&file.display().to_string(), bytes) {
        Ok(s) => s,
        Err(e) => {
            // Why, in both languages (the message shown is the language's own).
            let error = e
                .diagnostics
                .first()
                .map_or_else(|| Text::new("", ""), |d| d.message_text().clone());
            return Err(fail(
                LoadError::ParentMissing {
                    path: file.display().to_string(),
                    error,
                },
                Vec::new(),
            ));
        }
    };
    chain.push(me);
    let loaded = Policy::load(source, chain);
    chain.pop();
    loaded.map_err(|e| {
        let first = e
            .diagnostics
            .iter()
            .find(|d| d.severity() == Severity::Error)
            .map_or_else(
                || Text::new("", ""),
                |d| {
                    let said = d.message_text();
                    Text::new(
                        format!("{}: {}", d.location(), said.get(Lang::En)),
                        format!("{}：{}", d.location(), said.get(Lang::Zh)),
                    )
                },
            );
        fail(
            LoadError::ParentBroken {
                path: file.display().to_string(),
                first,
            },
            e.diagnostics,
        )
    })
}

/// Read a policy file's text: invalid UTF-8 is a diagnostic at the first bad byte.
#[doc(hidden)]
pub fn read_source(path: &std::path::Path) -> Result<Source, PolicyError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| PolicyError::cannot_read(&name, &e))?;
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

/// The contract's schema with a policy chain's declared fields (checked: none repeats the
/// contract's or another; one that still cannot be added is left untyped).
fn declared_schema(fields: &[ast::FieldDecl]) -> schema::Schema {
    let mut schema = schema::contract().clone();
    for f in fields {
        let _ = schema.add(&declared(f));
    }
    schema
}

/// A `字段` declaration as the schema holds it.
pub(crate) fn declared(f: &ast::FieldDecl) -> schema::Declared {
    use ast::DeclaredType as D;
    use schema::FieldType as F;
    schema::Declared {
        default: f.default.as_ref().map(|d| d.node.clone()),
        kind: f.path.kind,
        path: f.path.fields.clone(),
        label: f.label.as_ref().map(|l| l.node.clone()),
        ty: match &f.ty.node {
            D::Text => F::Text,
            D::Number => F::Number,
            D::Date => F::Date,
            D::Bool => F::Bool,
            D::Texts => F::TextList,
            D::OneOf(values) => F::Enum(
                values
                    .iter()
                    .map(|v| schema::Choice {
                        value: v.value.clone(),
                        words: v.words.clone(),
                    })
                    .collect(),
            ),
        },
    }
}

/// Reading input typed by a policy: the contract's fields and those the policy and its
/// parents declare (`字段`). A declared field of the wrong type, or outside a one-of field's
/// values, is an input error at its line and column; fields nobody declares are kept.
impl Policy {
    /// Read subjects as [`input::read_subjects`] does, typed by this policy's fields.
    ///
    /// ```
    /// use zhunru::{Policy, input::InputFormat};
    /// let policy = Policy::from_file("policies/jiangyuan.policy")?;
    /// let log = "{\"category\": \"招商引资\", \"resident_acceptance\": \"不认可\"}\n";
    /// let rows: Vec<_> = policy.read_subjects(log.as_bytes(), "log.jsonl", InputFormat::JsonLines).collect();
    /// let error = rows[0].1.as_ref().unwrap_err();
    /// assert_eq!(error.field(), Some("resident_acceptance"));
    /// assert!(error.message().contains("\"认可\""));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn read_subjects<'a, R: std::io::BufRead + 'a>(
        &self,
        reader: R,
        origin: impl Into<String>,
        format: input::InputFormat,
    ) -> Box<dyn Iterator<Item = input::Read> + 'a> {
        input::read_typed(Some(self.schema.clone()), reader, origin, format)
    }

    /// A [`input::SubjectReader`] typed by this policy's fields.
    ///
    /// See [`Policy::read_subjects`] for an example.
    pub fn subject_reader<R: std::io::BufRead>(
        &self,
        reader: R,
        origin: impl Into<String>,
    ) -> input::SubjectReader<R> {
        input::SubjectReader::new(reader, origin).typed_by(self.schema.clone())
    }

    /// One JSON Lines line, as [`input::parse_line`] reads it, typed by this policy's fields.
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/jiangyuan.policy")?;
    /// let line = r#"{"category": "招商引资", "resident_acceptance": 3}"#;
    /// assert!(policy.parse_line(line.as_bytes(), 4, "batch").is_err());
    /// assert!(zhunru::input::parse_line(line.as_bytes(), 4, "batch").is_ok()); // the contract alone
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn parse_line(&self, buf: &[u8], line: usize, origin: &str) -> Result<Subject, InputError> {
        input::parse_line_typed(Some(&self.schema), buf, line, origin)
    }

    /// One subject from JSON text, as [`Subject::from_json`] reads it, typed by this
    /// policy's fields.
    ///
    /// See [`Policy::parse_line`] for an example.
    pub fn subject_from_json(&self, origin: &str, text: &str) -> Result<Subject, InputError> {
        Subject::from_json_typed(Some(&self.schema), origin, text)
    }

    /// A field's value from typed text, as [`input::coerce`] reads it, typed by this
    /// policy's fields (a one-of value by its value or any of its words).
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/jiangyuan.policy")?;
    /// let task = zhunru::SubjectKind::Task;
    /// assert!(policy.coerce(task, "resident_acceptance", "认可").is_ok());
    /// assert!(policy.coerce(task, "resident_acceptance", "不认可").is_err());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn coerce(&self, kind: SubjectKind, path: &str, text: &str) -> Result<Value, String> {
        input::coerce_in(&self.schema, kind, path, text)
    }

    /// The fields the policy and its parents declare, each with its dotted path, label and
    /// allowed values (empty unless one-of), in declaration order.
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/jiangyuan.policy")?;
    /// let (path, label, values) = &policy.declared_fields()[0];
    /// assert_eq!((path.as_str(), label.as_deref()), ("resident_acceptance", Some("群众认可情况")));
    /// assert!(values.contains(&"认可".to_owned()));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn declared_fields(&self) -> Vec<(String, Option<String>, Vec<String>)> {
        self.ast
            .fields
            .iter()
            .map(|f| {
                let values = match &f.ty.node {
                    ast::DeclaredType::OneOf(values) => {
                        values.iter().map(|v| v.value.clone()).collect()
                    }
                    _ => Vec::new(),
                };
                (
                    f.path.dotted(),
                    f.label.as_ref().map(|l| l.node.clone()),
                    values,
                )
            })
            .collect()
    }
}

impl Policy {
    /// Parse and check a policy. Warnings are kept ([`Policy::warnings`]); any error fails.
    /// A policy that names a parent (`上位 「../national.policy」`) loads it first, by path
    /// relative to its own file, and builds on it.
    ///
    /// ```
    /// use zhunru::{Policy, Source};
    /// let text = std::fs::read_to_string("policies/jiangyuan.policy").unwrap();
    /// // Named by its path, so its parent (上位 "national.policy") is found beside it.
    /// let policy = Policy::from_source(Source::new("policies/jiangyuan.policy", text))?;
    /// assert!(policy.has_parent());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn from_source(source: Source) -> Result<Policy, PolicyError> {
        Policy::load(source, &mut Vec::new())
    }

    /// Load with `chain` holding the files below this one (to find cycles).
    fn load(source: Source, chain: &mut Vec<std::path::PathBuf>) -> Result<Policy, PolicyError> {
        if let Some(e) = schema::contract_error() {
            // The shipped schema file is tested; should it still not read, nothing is typed.
            return Err(PolicyError {
                diagnostics: vec![Diagnostic::new(
                    &source,
                    Span::new(0, 0),
                    &parse::ParseError::Internal {
                        what: format!("the shipped field schema cannot be read: {e}"),
                    },
                )],
            });
        }
        let ast = parse::parse(&source).map_err(|diagnostics| PolicyError { diagnostics })?;
        let parent = match &ast.header.parent {
            None => None,
            Some(path) => Some(load_parent(&source, path, chain)?),
        };
        // Diagnostics name the parent's files as they were given (they are for the person
        // loading the policy), not as decisions cite them.
        let parent_locations: Vec<String> = parent.as_ref().map_or_else(Vec::new, |p| {
            p.ast
                .rules
                .iter()
                .enumerate()
                .map(|(i, r)| p.rule_source(i).location(r.span))
                .collect()
        });
        let inherited = parent.as_ref().map(|p| check::Inherited {
            ast: &p.ast,
            locations: &parent_locations,
        });
        let (checked, diagnostics) = check::check(&source, &ast, inherited);
        if diagnostics.iter().any(|d| d.severity() == Severity::Error) {
            return Err(PolicyError { diagnostics });
        }
        let own_display = cited_path(&source.name);
        let own_locations: Vec<Position> = ast
            .rules
            .iter()
            .map(|r| {
                let (line, col) = source.line_col(r.span.start);
                Position::new(&own_display, line, col)
            })
            .collect();
        let inherited_entries = parent
            .as_ref()
            .map(|p| {
                p.ast
                    .lists
                    .iter()
                    .map(|l| (l.name.node.clone(), l.entries.len()))
                    .collect()
            })
            .unwrap_or_default();
        let (sources, display, merged, rule_origin, kinds, locations) = match parent {
            None => (
                vec![source.clone()],
                vec![own_display],
                ast,
                vec![0; own_locations.len()],
                checked.kinds,
                own_locations,
            ),
            Some(p) => {
                let mut sources = vec![source.clone()];
                sources.extend(p.sources.iter().cloned());
                let mut display = vec![own_display];
                display.extend(p.display.iter().cloned());
                let mut merged = (*p.ast).clone();
                merged.header = ast.header.clone();
                merged.documents.extend(ast.documents.iter().cloned());
                merged.fields.extend(ast.fields.iter().cloned());
                merged.variants.extend(ast.variants.iter().cloned());
                merged.lists = ast::merge_lists(&p.ast.lists, &ast.lists);
                merged.rules.extend(ast.rules.iter().cloned());
                merged.asserts = ast.asserts.clone();
                merged.comments = ast.comments.clone();
                let mut rule_origin: Vec<usize> = p.rule_origin.iter().map(|o| o + 1).collect();
                rule_origin.extend(std::iter::repeat_n(0, ast.rules.len()));
                let mut kinds = p.kinds.to_vec();
                kinds.extend(checked.kinds);
                let mut locations = p.locations.to_vec();
                locations.extend(own_locations);
                (sources, display, merged, rule_origin, kinds, locations)
            }
        };
        let variants: Vec<(String, String)> = merged
            .variants
            .iter()
            .map(|v| {
                (
                    normalize(&v.from.node).into_owned(),
                    normalize(&v.to.node).into_owned(),
                )
            })
            .collect();
        let list_indexes: Vec<ListIndex> = merged
            .lists
            .iter()
            .map(|l| ListIndex::build(l, &variants))
            .collect();
        let list_positions = merged
            .lists
            .iter()
            .enumerate()
            .map(|(i, l)| (l.name.node.clone(), i))
            .collect();
        let mut by_kind: [Vec<usize>; 3] = Default::default();
        for (i, kind) in kinds.iter().enumerate() {
            if let Some(slot) = kind.and_then(|k| by_kind.get_mut(kind_slot(k))) {
                slot.push(i);
            }
        }
        let hash = content_hash(&sources);
        let schema = Arc::new(declared_schema(&merged.fields));
        let name = file_stem(&source.name);
        let mut policy = Policy {
            name_json: json_string(&name),
            name: name.into(),
            compiled: Arc::default(),
            locations: locations.into(),
            source,
            sources: sources.into(),
            display: display.into(),
            ast: Arc::new(merged),
            rule_origin: rule_origin.into(),
            kinds: kinds.into(),
            variants: variants.into(),
            inherited_entries: Arc::new(inherited_entries),
            list_indexes: list_indexes.into(),
            list_positions: Arc::new(list_positions),
            by_kind: Arc::new(by_kind),
            warnings: diagnostics.into(),
            hash: hash.into(),
            schema,
        };
        policy.compiled = Arc::new(eval::Compiled::build(&policy));
        Ok(policy)
    }

    /// Parse and check a policy from text; `name` is used in diagnostics and `at` fields.
    ///
    /// A `上位` (parent) line is the one way a policy reaches a file: the parent is read
    /// relative to `name`'s folder (the current directory for a bare name), and only a
    /// `.policy` file is read (`上位 「/etc/passwd」` is a `bad_parent` diagnostic, the file
    /// untouched). Text from untrusted hands can still name any `.policy` file it can guess.
    ///
    /// ```
    /// use zhunru::Policy;
    /// let policy = Policy::from_str("mini.policy", "
    ///     policy \"Mini\"
    ///     document \"Mini measures\" { clause N2 \"banned items\" clause N3 \"approval\" }
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
    ///     .with("basis", ["安庆市经济普查工作方案"])?
    ///     .with("work_plan", true)?
    ///     .with("requirements", "走访辖区企业，填报摸底表")?
    ///     .with("period.end", "2020-06-30")?
    ///     .with("funding.amount", 3000)?
    ///     .with("approval.status", "approved")?
    ///     .with("approval.by", "区社区建设领导小组")?;
    /// let june = policy.decide(&survey, Date::new(2020, 6, 1)?);
    /// assert_eq!(june.verdict(), Verdict::Admitted);
    /// // A short-term admission lapses after its period (Y5).
    /// let august = policy.decide(&survey, Date::new(2020, 8, 1)?);
    /// assert_eq!((august.verdict(), august.missing()), (Verdict::NeedsApproval, &["period".to_owned()][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Decision {
        eval::decide(self, subject, as_of)
    }

    /// Decide as if the policy were in force on `as_of`, whatever its own dates say: for
    /// comparing versions ([`diff`]) and trying a draft before it takes effect.
    ///
    /// ```
    /// use zhunru::{Date, Policy, Subject, Verdict};
    /// let hefei = Policy::from_file("policies/hefei.policy")?; // in force from 2019-08-31
    /// let early = Date::new(2018, 1, 1)?;
    /// assert_eq!(hefei.decide(&Subject::task("招商引资"), early).verdict(), Verdict::NotInForce);
    /// assert_eq!(hefei.decide_as_if_in_force(&Subject::task("招商引资"), early).verdict(), Verdict::Denied);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide_as_if_in_force(&self, subject: &Subject, as_of: Date) -> Decision {
        eval::decide_as_if_in_force(self, subject, as_of)
    }

    /// Decide one subject and report what the decision touched: the rules that applied and
    /// the list entries that matched (for test coverage).
    ///
    /// ```
    /// use zhunru::{Date, Policy, Subject};
    /// let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let (decision, trace) = policy.decide_traced(&Subject::task("招商引资"), Date::new(2020, 6, 1)?);
    /// assert!(!trace.rules.is_empty());
    /// assert!(trace.entries.iter().any(|(list, _)| list == "负面清单"));
    /// assert_eq!(decision, policy.decide(&Subject::task("招商引资"), Date::new(2020, 6, 1)?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide_traced(&self, subject: &Subject, as_of: Date) -> (Decision, Trace) {
        eval::decide_traced(self, subject, as_of)
    }

    /// Decide one subject and append its decision as JSON (one line, no newline) to `out`:
    /// the same bytes as `serde_json::to_writer(out, &policy.decide(subject, as_of))`,
    /// written without building the owned [`Decision`]. For batch front ends; the verdict
    /// is returned so that they can count without reading the JSON back.
    ///
    /// ```
    /// use zhunru::{Date, Policy, Subject, Verdict};
    /// let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let (task, as_of) = (Subject::task("招商引资"), Date::new(2020, 6, 1).unwrap());
    /// let mut out = Vec::new();
    /// assert_eq!(policy.decide_json(&task, as_of, &mut out), Verdict::Denied);
    /// assert_eq!(out, serde_json::to_vec(&policy.decide(&task, as_of)).unwrap());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn decide_json(&self, subject: &Subject, as_of: Date, out: &mut Vec<u8>) -> Verdict {
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
    ///     .map(|d| d.verdict())
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
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// assert!(policy.warnings().iter().all(|w| w.severity() != zhunru::Severity::Error));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn warnings(&self) -> &[Diagnostic] {
        &self.warnings
    }

    /// The source the policy was read from (its own file, not its parents').
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// assert_eq!(policy.source().name(), "policies/hefei.policy");
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The policy as data.
    #[doc(hidden)]
    pub fn ast(&self) -> &PolicyAst {
        &self.ast
    }

    /// The policy's title (from its header).
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/jiangyuan.policy")?;
    /// assert!(policy.title().ends_with("（试行）"));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn title(&self) -> &str {
        &self.ast.header.title.node
    }

    /// Its jurisdiction (`辖区`), else its title.
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/jiangyuan.policy")?;
    /// assert_eq!(policy.jurisdiction(), "吉林省白山市江源区");
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
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
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(policy.list_contains("负面清单", "招商引资"));
    /// assert!(!policy.list_contains("负面清单", "居民会议组织"));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn list_contains(&self, list: &str, category: &str) -> bool {
        self.list_index(list)
            .is_some_and(|l| l.keys.contains_key(normalize(category).as_ref()))
    }

    /// Whether a text mentions an entry of a list (or an alias) inside it, as `包含 LIST`
    /// tests: 「招商引资任务分解」 mentions 招商引资.
    ///
    /// ```
    /// use zhunru::Policy;
    /// let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(policy.list_mentions("负面清单", "招商引资任务分解"));
    /// assert!(!policy.list_contains("负面清单", "招商引资任务分解"));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn list_mentions(&self, list: &str, text: &str) -> bool {
        self.list_index(list).is_some_and(|l| {
            l.mentioned_in(&normalize::canonical(text, &self.variants))
                .is_some()
        })
    }

    pub(crate) fn list_index(&self, name: &str) -> Option<&ListIndex> {
        self.list_indexes.get(self.list_position(name)?)
    }

    /// The position in `ast.lists` of the list named `name`.
    pub(crate) fn list_position(&self, name: &str) -> Option<usize> {
        self.list_positions.get(name).copied()
    }

    pub(crate) fn rules_for(&self, kind: SubjectKind) -> &[usize] {
        self.by_kind
            .get(kind_slot(kind))
            .map_or(&[], |v| v.as_slice())
    }

    pub(crate) fn reason(&self, index: usize, rule: &RuleDecl, message: Option<String>) -> Reason {
        let message = message.unwrap_or_else(|| rule.name.node.clone());
        let at = self
            .locations
            .get(index)
            .cloned()
            .unwrap_or_else(|| Position::new("", 0, 0));
        let clauses = rule
            .cite
            .iter()
            .filter_map(|c| self.clause(&c.node))
            .collect();
        let origin = self.rule_origin.get(index).copied().unwrap_or(0);
        Reason::from_rule(rule, message, at, clauses, origin)
    }

    /// Where rule `index` is written, as decisions cite it: in this policy's file, or in a
    /// parent's for an inherited rule. Rules are numbered in the chain's order, the
    /// farthest parent's first and this policy's last, each file's in the order written;
    /// `None` past the last.
    ///
    /// ```
    /// let nanqiao = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// let first = nanqiao.rule_position(0).unwrap();
    /// assert_eq!(first.to_string(), "policies/national.policy:78:1"); // the national rule
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn rule_position(&self, index: usize) -> Option<Position> {
        self.locations.get(index).cloned()
    }

    /// A clause this policy (or a parent) declares, with its document.
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/yingjiang.policy")?;
    /// let clause = policy.clause("Y3").unwrap();
    /// assert_eq!(clause.id(), "Y3");
    /// assert!(policy.clause("Z9").is_none());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn clause(&self, id: &str) -> Option<CitedClause> {
        self.ast.documents.iter().find_map(|d| {
            let c = d.clauses.iter().find(|c| c.id.node == id)?;
            Some(CitedClause::new(
                c.id.node.clone(),
                c.text.node.clone(),
                c.example,
                CitedDocument::new(
                    d.title.node.clone(),
                    d.number.as_ref().map(|n| n.node.clone()),
                    d.issuer.as_ref().map(|n| n.node.clone()),
                    d.level.as_ref().map(|n| n.node.clone()),
                    d.issued.as_ref().map(|n| n.node),
                    d.address.as_ref().map(|n| n.node.clone()),
                ),
            ))
        })
    }

    /// The policy's name, which decisions give ([`Decision::policy`]): the file stem
    /// (`policies/hefei.policy` is `hefei`), or the name it was registered under in
    /// [`Policies`].
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// assert_eq!(policy.name(), "hefei");
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same policy under another name (what [`Policies`] does when it registers one).
    pub(crate) fn named(mut self, name: &str) -> Policy {
        if *self.name != *name {
            self.name = name.into();
            self.name_json = json_string(name);
        }
        self
    }

    /// [`Policy::name`] as a JSON string.
    pub(crate) fn name_json(&self) -> &str {
        &self.name_json
    }

    /// A hash of the policy's text and its parents' (FNV-1a, 64 bits, 16 hex digits):
    /// which version decided. Stable across builds and platforms; not a cryptographic
    /// digest.
    ///
    /// ```
    /// let a = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// let b = zhunru::Policy::from_file("./policies/hefei.policy")?;
    /// assert_eq!(a.content_hash().len(), 16);
    /// assert_eq!(a.content_hash(), b.content_hash());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn content_hash(&self) -> &str {
        &self.hash
    }

    /// Which policy decided, as decisions say it.
    pub(crate) fn decided_by(&self) -> DecidedBy {
        DecidedBy::new(&self.name, self.title(), self.effective(), &self.hash)
    }

    /// Whether the policy builds on a parent (`上位`).
    ///
    /// ```
    /// assert!(zhunru::Policy::from_file("policies/jiangyuan.policy")?.has_parent());
    /// assert!(!zhunru::Policy::from_file("policies/national.policy")?.has_parent());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn has_parent(&self) -> bool {
        self.sources.len() > 1
    }

    /// Whether rule `index` is written in this policy's own file (not a parent's).
    #[doc(hidden)]
    pub fn is_own_rule(&self, index: usize) -> bool {
        self.rule_origin.get(index) == Some(&0)
    }

    /// Whether entry `index` of list `list` is written in this policy's own file.
    #[doc(hidden)]
    pub fn is_own_entry(&self, list: &str, index: usize) -> bool {
        index >= self.inherited_entries.get(list).copied().unwrap_or(0)
    }

    /// The file rule `index` is written in: this policy's, or a parent's.
    pub(crate) fn rule_source(&self, index: usize) -> &Source {
        self.source_of(self.rule_origin.get(index).copied().unwrap_or(0))
    }

    /// A file of the chain by origin (0: this policy).
    #[doc(hidden)]
    pub fn source_of(&self, origin: usize) -> &Source {
        self.sources.get(origin).unwrap_or(&self.source)
    }

    /// The date the policy takes effect (`生效`), if it says.
    ///
    /// ```
    /// let hefei = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// assert_eq!(hefei.effective(), zhunru::Date::new(2019, 8, 31).ok());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn effective(&self) -> Option<Date> {
        self.ast.header.effective.as_ref().map(|d| d.node)
    }

    /// The last day the policy is in force (`失效`), if it says.
    ///
    /// ```
    /// let hefei = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// assert_eq!(hefei.expires(), None);
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn expires(&self) -> Option<Date> {
        self.ast.header.expires.as_ref().map(|d| d.node)
    }

    /// Whether the policy is on trial (`试行`).
    ///
    /// ```
    /// assert!(zhunru::Policy::from_file("policies/jiangyuan.policy")?.is_trial());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn is_trial(&self) -> bool {
        self.ast.header.trial.is_some()
    }

    /// Whether the policy is in force on `date`: on or after `生效`, on or before `失效`.
    ///
    /// ```
    /// use zhunru::{Date, Policy};
    /// let hefei = Policy::from_file("policies/hefei.policy")?;
    /// assert!(!hefei.in_force(Date::new(2019, 8, 30)?));
    /// assert!(hefei.in_force(Date::new(2019, 8, 31)?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_force(&self, date: Date) -> bool {
        self.effective().is_none_or(|from| date >= from)
            && self.expires().is_none_or(|to| date <= to)
    }

    pub(crate) fn not_in_force(&self, date: Date) -> Reason {
        let (line, col) = self.source.line_col(self.ast.header.span.start);
        let at = Position::new(self.display.first().map_or("", String::as_str), line, col);
        let text = eval::EngineText::NotInForce {
            title: self.title().to_owned(),
            from: self.effective(),
            to: self.expires(),
            date,
        };
        Reason::not_in_force(text, at)
    }
}
