//! The policy as data: what the parser produces and the checker and evaluator read.
//! No pest types here; every node that a diagnostic may point at keeps its span.

use crate::source::{Span, Spanned};
use crate::value::Date;

/// A whole policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyAst {
    /// The header: name, jurisdiction, source, effective date.
    pub header: Header,
    /// Named lists, in file order.
    pub lists: Vec<ListDecl>,
    /// Rules, in file order.
    pub rules: Vec<RuleDecl>,
    /// Assertions the checker proves about the lists.
    pub asserts: Vec<AssertDecl>,
    /// Comments, with their spans, so a formatter can keep them.
    pub comments: Vec<Spanned<String>>,
}

/// The policy header.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The policy's title.
    pub title: Spanned<String>,
    /// Who it applies to (a city or district).
    pub jurisdiction: Option<Spanned<String>>,
    /// The document it encodes.
    pub source: Option<Spanned<String>>,
    /// The date it takes effect.
    pub effective: Option<Spanned<Date>>,
    /// The span of the whole header.
    pub span: Span,
}

/// A named list such as 负面事项清单.
#[derive(Clone, Debug, PartialEq)]
pub struct ListDecl {
    /// The name rules refer to it by.
    pub name: Spanned<String>,
    /// Its published title, e.g. 「负面事项清单」.
    pub title: Option<Spanned<String>>,
    /// The seed rule ids it encodes.
    pub cite: Vec<Spanned<String>>,
    /// Its entries, in file order.
    pub entries: Vec<Entry>,
    /// The whole declaration.
    pub span: Span,
}

/// One list entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The entry as written.
    pub value: Spanned<Literal>,
    /// Other names for the same item.
    pub aliases: Vec<Spanned<String>>,
    /// Marked `示例`/`example`: illustrative, not quoted from the source.
    pub example: bool,
}

/// The kind of subject a rule is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubjectKind {
    /// A work item pushed down to a community.
    Task,
    /// A community's premises.
    Community,
    /// An assessment plan.
    Assessment,
}

impl SubjectKind {
    /// The contract's name: `task`, `community`, `assessment`.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Task => "task",
            SubjectKind::Community => "community",
            SubjectKind::Assessment => "assessment",
        }
    }

    /// The Chinese keyword: 事项, 社区, 考核.
    pub fn zh(self) -> &'static str {
        match self {
            SubjectKind::Task => "事项",
            SubjectKind::Community => "社区",
            SubjectKind::Assessment => "考核",
        }
    }
}

/// A rule.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    /// Its name, unique in the policy.
    pub name: Spanned<String>,
    /// The seed rule ids it encodes (at least one).
    pub cite: Vec<Spanned<String>>,
    /// An explicit `about KIND`, when the rule names no field.
    pub about: Option<Spanned<SubjectKind>>,
    /// When the rule applies; absent means always.
    pub when: Option<Expr>,
    /// What an application must meet; each failure becomes a `missing` entry.
    pub requirements: Vec<Requirement>,
    /// What the rule decides.
    pub outcome: Spanned<Outcome>,
    /// The whole rule.
    pub span: Span,
}

/// A requirement of a rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Requirement {
    /// The condition that must hold.
    pub expr: Expr,
    /// The name reported in `missing` (`记为 NAME`); defaults to the first field named.
    pub label: Option<Spanned<String>>,
}

/// What a rule decides when it applies.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The task may not enter (不予准入).
    Deny(Message),
    /// The task may enter, if every requirement holds (准予准入).
    Admit(Option<Message>),
    /// The task goes to the admission procedure (须经审批).
    Refer(Message),
    /// Premises or an assessment break the policy (违规).
    Violation(Message),
}

impl Outcome {
    /// The message, if any.
    pub fn message(&self) -> Option<&Message> {
        match self {
            Outcome::Deny(m) | Outcome::Refer(m) | Outcome::Violation(m) => Some(m),
            Outcome::Admit(m) => m.as_ref(),
        }
    }
}

/// A message with `{field.path}` placeholders.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Text and placeholders in order.
    pub parts: Vec<MessagePart>,
    /// The string literal.
    pub span: Span,
}

/// A piece of a message.
#[derive(Clone, Debug, PartialEq)]
pub enum MessagePart {
    /// Literal text.
    Text(String),
    /// A field quoted into the message, optionally filtered by a list.
    Field {
        /// The field.
        path: Path,
        /// `{社区.external_signs 不属于 对外标识}`: only the elements (not) in a list.
        filter: Option<(bool, Spanned<String>)>,
    },
}

/// A policy-level assertion, proved by `check`.
#[derive(Clone, Debug, PartialEq)]
pub struct AssertDecl {
    /// The condition.
    pub expr: Expr,
    /// The seed rule ids it encodes.
    pub cite: Vec<Spanned<String>>,
    /// What it says, for the diagnostic when it fails.
    pub message: Option<Spanned<String>>,
    /// The whole assertion.
    pub span: Span,
}

/// A field path such as `task.funding.amount`.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// The subject kind named by the root (`task`/`事项` …).
    pub kind: SubjectKind,
    /// The field names after the root.
    pub fields: Vec<String>,
    /// The whole path.
    pub span: Span,
}

impl Path {
    /// `funding.amount`: the path without its root.
    pub fn dotted(&self) -> String {
        self.fields.join(".")
    }
}

/// A literal value.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// A string.
    Text(String),
    /// A number; `20%` is written as 0.2.
    Number(f64),
    /// A calendar date.
    Date(Date),
    /// `true`/`是` or `false`/`否`.
    Bool(bool),
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The ASCII spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "==",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Quantifiers over list-valued fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    /// `any`/`任一`
    Any,
    /// `all`/`全部`
    All,
}

/// An expression with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: Box<ExprKind>,
    /// Where it was written.
    pub span: Span,
}

/// The forms of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// `today`/`今天`: the evaluation date.
    Today,
    /// A field of the subject.
    Field(Path),
    /// `count(path)`, optionally only the elements (not) in a list.
    CountField {
        /// The list-valued field.
        path: Path,
        /// `(negated, list)`: count only elements in (or not in) the list.
        filter: Option<(bool, Spanned<String>)>,
    },
    /// `count(LIST)`: the number of entries of a named list (in assertions).
    CountList(Spanned<String>),
    /// `any/all path in/not in LIST`.
    Quantified {
        /// any or all.
        quantifier: Quantifier,
        /// The list-valued field.
        path: Path,
        /// `not in` rather than `in`.
        negated: bool,
        /// The list.
        list: Spanned<String>,
    },
    /// `a op b` for arithmetic.
    Arith(ArithOp, Expr, Expr),
    /// `a op b` for comparison.
    Compare(CompareOp, Expr, Expr),
    /// `x in LIST` / `x not in LIST`.
    InList {
        /// The value looked up.
        value: Expr,
        /// `not in`.
        negated: bool,
        /// The list.
        list: Spanned<String>,
    },
    /// `x present` / `x absent`.
    Present {
        /// The value tested.
        value: Expr,
        /// `absent` rather than `present`.
        negated: bool,
    },
    /// `not e`.
    Not(Expr),
    /// `a and b and …`.
    And(Vec<Expr>),
    /// `a or b or …`.
    Or(Vec<Expr>),
}

impl Expr {
    /// Every field path in the expression, in reading order.
    pub fn paths(&self) -> Vec<&Path> {
        let mut out = Vec::new();
        self.collect_paths(&mut out);
        out
    }

    fn collect_paths<'a>(&'a self, out: &mut Vec<&'a Path>) {
        match &*self.kind {
            ExprKind::Literal(_) | ExprKind::Today | ExprKind::CountList(_) => {}
            ExprKind::Field(p) => out.push(p),
            ExprKind::CountField { path, .. } | ExprKind::Quantified { path, .. } => out.push(path),
            ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) => {
                a.collect_paths(out);
                b.collect_paths(out);
            }
            ExprKind::InList { value, .. } | ExprKind::Present { value, .. } => {
                value.collect_paths(out)
            }
            ExprKind::Not(e) => e.collect_paths(out),
            ExprKind::And(es) | ExprKind::Or(es) => es.iter().for_each(|e| e.collect_paths(out)),
        }
    }
}
