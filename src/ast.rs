//! The policy as data: what the parser produces and the checker and evaluator read.
//! No pest types here; every node that a diagnostic may point at keeps its span.

pub use crate::date::Date;
pub use crate::schema::SubjectKind;
use crate::source::{Span, Spanned};

/// A whole policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyAst {
    /// The header: name, jurisdiction, source, effective date.
    pub header: Header,
    /// The documents the policy rests on, with their clauses, in file order.
    pub documents: Vec<DocumentDecl>,
    /// Subject fields the policy declares beyond the contract's.
    pub fields: Vec<FieldDecl>,
    /// Variant spellings read as one (异体字/同义).
    pub variants: Vec<VariantDecl>,
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
    /// The last day it is in force.
    pub expires: Option<Spanned<Date>>,
    /// Marked `试行`/`trial`: measures on trial.
    pub trial: Option<Span>,
    /// The policy it implements (上位政策), by path relative to this file.
    pub parent: Option<Spanned<String>>,
    /// The span of the whole header.
    pub span: Span,
}

/// A document a policy rests on: `文件 「…」 文号 「民发〔2015〕136号」 … { 条款 … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct DocumentDecl {
    /// Its title.
    pub title: Spanned<String>,
    /// Who issued it (发文机关).
    pub issuer: Option<Spanned<String>>,
    /// Its document number (文号), e.g. 民发〔2015〕136号.
    pub number: Option<Spanned<String>>,
    /// The date it was issued (成文日期).
    pub issued: Option<Spanned<Date>>,
    /// Where it is published.
    pub address: Option<Spanned<String>>,
    /// 国家, 省, 市, 区县 or 街道.
    pub level: Option<Spanned<String>>,
    /// Its clauses that rules cite.
    pub clauses: Vec<ClauseDecl>,
    /// The whole declaration.
    pub span: Span,
}

/// A clause of a document: `条款 第三条 「…」`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClauseDecl {
    /// The id rules cite it by, chosen by the drafter.
    pub id: Spanned<String>,
    /// Its text or a short summary.
    pub text: Spanned<String>,
    /// Marked `费随事转`: an admission under it must carry funding.
    pub funding: bool,
    /// Marked `示例`: not confirmed from the source.
    pub example: bool,
}

/// A subject field the policy declares: `字段 事项.community_type 「社区类型」 取值 「城市」、「涉农」`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDecl {
    /// The field.
    pub path: Path,
    /// Its label in the source's own words.
    pub label: Option<Spanned<String>>,
    /// Its type.
    pub ty: Spanned<DeclaredType>,
    /// The value it is read as when absent (`默认 「assist」`): a one-of value or a text.
    pub default: Option<Spanned<String>>,
    /// The whole declaration.
    pub span: Span,
}

/// The type of a declared field.
#[derive(Clone, Debug, PartialEq)]
pub enum DeclaredType {
    /// 文本/text.
    Text,
    /// 数字/number.
    Number,
    /// 日期/date.
    Date,
    /// 是否/yesno.
    Bool,
    /// 文本清单/texts.
    Texts,
    /// 取值 「a」、「b」: one of these texts.
    OneOf(Vec<OneOfValue>),
}

/// A value of a one-of field, `「responsible」（「责任主体」、「负责」）`: the value, and the
/// words input may give for it (the first is its label).
#[derive(Clone, Debug, PartialEq)]
pub struct OneOfValue {
    /// The value as rules compare it.
    pub value: String,
    /// The words read as it; the first is its label.
    pub words: Vec<String>,
}

/// `异体 「台帐」 = 「台账」`: the first is read as the second.
#[derive(Clone, Debug, PartialEq)]
pub struct VariantDecl {
    /// The variant form.
    pub from: Spanned<String>,
    /// The standard form.
    pub to: Spanned<String>,
    /// The whole declaration.
    pub span: Span,
}

/// A named list such as 负面事项清单.
#[derive(Clone, Debug, PartialEq)]
pub struct ListDecl {
    /// The name rules refer to it by.
    pub name: Spanned<String>,
    /// Marked `追加`/`extend`: adds entries to the parent policy's list of this name.
    pub extend: bool,
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
    /// The clauses this entry answers to beyond its list's own: the `引用` of the
    /// `清单 NAME 追加 引用 … {…}` that added it to a parent's list (see [`merge_lists`]).
    /// Empty for a list's own entries, and as parsed.
    pub cite: Vec<Spanned<String>>,
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
    /// `除非`/`unless`: the exception that sets the rule aside (原则上…，…除外).
    pub unless: Option<Expr>,
    /// What an application must meet; each failure becomes a `missing` entry.
    pub requirements: Vec<Requirement>,
    /// What the rule decides.
    pub outcome: Spanned<Outcome>,
    /// The whole rule.
    pub span: Span,
}

impl RuleDecl {
    /// The names of the lists the rule reads, in its conditions, its requirements and its
    /// message's filters, in that order (a name as often as it is written); each borrowed
    /// from the rule itself.
    pub(crate) fn lists_read(&self) -> Vec<&str> {
        let mut names = Vec::new();
        let exprs = self
            .when
            .iter()
            .chain(&self.unless)
            .chain(self.requirements.iter().map(|r| &r.expr));
        for e in exprs.flat_map(Expr::subexpressions) {
            match &*e.kind {
                ExprKind::CountList { list, .. }
                | ExprKind::Quantified { list, .. }
                | ExprKind::InList { list, .. }
                | ExprKind::CountField {
                    filter: Some((_, list)),
                    ..
                } => names.push(list.node.as_str()),
                _ => {}
            }
        }
        for part in self
            .outcome
            .node
            .message()
            .into_iter()
            .flat_map(|m| &m.parts)
        {
            if let MessagePart::Field {
                filter: Some((_, list)),
                ..
            } = part
            {
                names.push(list.node.as_str());
            }
        }
        names
    }
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
        filter: Option<(ListOp, Spanned<String>)>,
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
    /// `30 天`, `3 个月`, `1 年`: a span of calendar time, added to or taken from a date.
    Duration(Duration),
}

/// A span of calendar time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Duration {
    /// How many units (may be negative).
    pub amount: i32,
    /// Days, months or years.
    pub unit: TimeUnit,
}

/// The unit of a [`Duration`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// 天/days.
    Days,
    /// 个月/months: calendar months, the day clamped to the month's end.
    Months,
    /// 年/years.
    Years,
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
    /// Whether two values ordered `ordering` satisfy the operator.
    ///
    /// ```
    /// # use std::cmp::Ordering;
    /// # use zhunru::ast::CompareOp;
    /// assert!(CompareOp::Le.holds(Ordering::Equal));
    /// assert!(!CompareOp::Gt.holds(Ordering::Less));
    /// ```
    pub fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        match self {
            CompareOp::Eq => ordering == Equal,
            CompareOp::Ne => ordering != Equal,
            CompareOp::Lt => ordering == Less,
            CompareOp::Le => ordering != Greater,
            CompareOp::Gt => ordering == Greater,
            CompareOp::Ge => ordering != Less,
        }
    }

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

impl ArithOp {
    /// `x op y`; `None` when the result is not a finite number (a division by zero), which
    /// the evaluator reports as unknown rather than as a pass.
    ///
    /// ```
    /// # use zhunru::ast::ArithOp;
    /// assert_eq!(ArithOp::Div.apply(60.0, 400.0), Some(0.15));
    /// assert_eq!(ArithOp::Div.apply(10.0, 0.0), None);
    /// ```
    pub fn apply(self, x: f64, y: f64) -> Option<f64> {
        let r = match self {
            ArithOp::Add => x + y,
            ArithOp::Sub => x - y,
            ArithOp::Mul => x * y,
            ArithOp::Div => x / y,
        };
        r.is_finite().then_some(r)
    }
}

/// How a text is tested against a named list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListOp {
    /// `in`/`属于`: the text is an entry (or one of its aliases).
    In,
    /// `not in`/`不属于`.
    NotIn,
    /// `contains`/`包含` with a list: the text mentions an entry (or alias) inside it, as
    /// 「招商引资任务分解」 mentions 招商引资.
    Mentions,
    /// `not contains`/`不包含` with a list: the text mentions no entry.
    NotMentions,
}

impl ListOp {
    /// The negative forms (`不属于`, `不包含`).
    pub fn negated(self) -> bool {
        matches!(self, ListOp::NotIn | ListOp::NotMentions)
    }

    /// The forms that look inside the text (`包含`, `不包含`) rather than at the whole.
    pub fn mentions(self) -> bool {
        matches!(self, ListOp::Mentions | ListOp::NotMentions)
    }

    /// The positive form of the same test.
    pub fn positive(self) -> ListOp {
        match self {
            ListOp::In | ListOp::NotIn => ListOp::In,
            ListOp::Mentions | ListOp::NotMentions => ListOp::Mentions,
        }
    }

    /// The opposite test.
    pub fn flipped(self) -> ListOp {
        match self {
            ListOp::In => ListOp::NotIn,
            ListOp::NotIn => ListOp::In,
            ListOp::Mentions => ListOp::NotMentions,
            ListOp::NotMentions => ListOp::Mentions,
        }
    }
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
        filter: Option<(ListOp, Spanned<String>)>,
    },
    /// `count(LIST)`: the number of entries of a named list (in assertions); with
    /// `quoted_only` (`计数(清单 原文)`), only the entries quoted from the source.
    CountList {
        /// The list.
        list: Spanned<String>,
        /// Leave out the 示例 entries.
        quoted_only: bool,
    },
    /// `天数(a, b)`: the days from date `a` to date `b`.
    DaysBetween(Expr, Expr),
    /// `x 包含 y`: the text `x` (or an element of the list `x`) contains the text `y`.
    Contains {
        /// The text or list of texts searched.
        value: Expr,
        /// The text looked for.
        needle: Expr,
    },
    /// `any/all path in/not in/contains/not contains LIST`.
    Quantified {
        /// any or all.
        quantifier: Quantifier,
        /// The list-valued field.
        path: Path,
        /// How each element is tested against the list.
        op: ListOp,
        /// The list.
        list: Spanned<String>,
    },
    /// `a op b` for arithmetic.
    Arith(ArithOp, Expr, Expr),
    /// `a op b` for comparison.
    Compare(CompareOp, Expr, Expr),
    /// `x in LIST` / `x not in LIST` / `x contains LIST` / `x not contains LIST`.
    InList {
        /// The value looked up (a text, or for `contains` also a list of texts).
        value: Expr,
        /// How it is tested against the list.
        op: ListOp,
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
        self.subexpressions()
            .filter_map(|e| match &*e.kind {
                ExprKind::Field(p)
                | ExprKind::CountField { path: p, .. }
                | ExprKind::Quantified { path: p, .. } => Some(p),
                _ => None,
            })
            .collect()
    }
}

// ------------------------------------------------------------------ shape equality

/// Equality of meaning, ignoring where things were written (spans) and comments: what the
/// checker's lints, `diff` and the formatter's round-trip tests compare. The derived
/// `PartialEq` compares spans too (as cedar keeps `eq_shape` apart from `==`).
///
/// ```
/// use zhunru::ast::ShapeEq;
/// let a = zhunru::parse_policy(&zhunru::Source::new("a", "政策 「x」 文件 「d」 { 条款 N2 「c」 }\n规则 r 引用 N2 当 事项.category == 「甲」 不予准入 「m」")).unwrap();
/// let b = zhunru::parse_policy(&zhunru::Source::new("b", "政策 「x」 文件 「d」 { 条款 N2 「c」 } 规则 r 引用 N2\n\n  当 事项.category == 「甲」\n  不予准入 「m」")).unwrap();
/// assert!(a.eq_shape(&b));
/// assert_ne!(a, b);
/// ```
pub trait ShapeEq {
    /// Whether `self` and `other` mean the same, spans aside.
    fn eq_shape(&self, other: &Self) -> bool;
}

impl<T: ShapeEq> ShapeEq for Spanned<T> {
    fn eq_shape(&self, other: &Self) -> bool {
        self.node.eq_shape(&other.node)
    }
}

impl<T: ShapeEq> ShapeEq for Option<T> {
    fn eq_shape(&self, other: &Self) -> bool {
        match (self, other) {
            (Some(a), Some(b)) => a.eq_shape(b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl<T: ShapeEq> ShapeEq for [T] {
    fn eq_shape(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a.eq_shape(b))
    }
}

impl<T: ShapeEq> ShapeEq for Vec<T> {
    fn eq_shape(&self, other: &Self) -> bool {
        self.as_slice().eq_shape(other.as_slice())
    }
}

impl<A: ShapeEq, B: ShapeEq> ShapeEq for (A, B) {
    fn eq_shape(&self, other: &Self) -> bool {
        self.0.eq_shape(&other.0) && self.1.eq_shape(&other.1)
    }
}

/// Span-free leaves compare with `==`.
macro_rules! shape_by_value {
    ($($t:ty),*) => {$(
        impl ShapeEq for $t {
            fn eq_shape(&self, other: &Self) -> bool {
                self == other
            }
        }
    )*};
}
shape_by_value!(
    String,
    bool,
    Date,
    SubjectKind,
    Literal,
    CompareOp,
    ArithOp,
    Quantifier,
    ListOp
);

impl ShapeEq for PolicyAst {
    /// Comments are layout, not meaning.
    fn eq_shape(&self, other: &Self) -> bool {
        self.header.eq_shape(&other.header)
            && self.documents.eq_shape(&other.documents)
            && self.fields.eq_shape(&other.fields)
            && self.variants.eq_shape(&other.variants)
            && self.lists.eq_shape(&other.lists)
            && self.rules.eq_shape(&other.rules)
            && self.asserts.eq_shape(&other.asserts)
    }
}

impl ShapeEq for Header {
    fn eq_shape(&self, other: &Self) -> bool {
        self.title.eq_shape(&other.title)
            && self.jurisdiction.eq_shape(&other.jurisdiction)
            && self.source.eq_shape(&other.source)
            && self.effective.eq_shape(&other.effective)
            && self.expires.eq_shape(&other.expires)
            && self.trial.is_some() == other.trial.is_some()
            && self.parent.eq_shape(&other.parent)
    }
}

impl ShapeEq for DocumentDecl {
    fn eq_shape(&self, other: &Self) -> bool {
        self.title.eq_shape(&other.title)
            && self.issuer.eq_shape(&other.issuer)
            && self.number.eq_shape(&other.number)
            && self.issued.eq_shape(&other.issued)
            && self.address.eq_shape(&other.address)
            && self.level.eq_shape(&other.level)
            && self.clauses.eq_shape(&other.clauses)
    }
}

impl ShapeEq for ClauseDecl {
    fn eq_shape(&self, other: &Self) -> bool {
        self.id.eq_shape(&other.id)
            && self.text.eq_shape(&other.text)
            && self.funding == other.funding
            && self.example == other.example
    }
}

impl ShapeEq for FieldDecl {
    fn eq_shape(&self, other: &Self) -> bool {
        self.path.eq_shape(&other.path)
            && self.label.eq_shape(&other.label)
            && self.ty.node == other.ty.node
            && self.default.eq_shape(&other.default)
    }
}

impl ShapeEq for VariantDecl {
    fn eq_shape(&self, other: &Self) -> bool {
        self.from.eq_shape(&other.from) && self.to.eq_shape(&other.to)
    }
}

impl ShapeEq for ListDecl {
    fn eq_shape(&self, other: &Self) -> bool {
        self.name.eq_shape(&other.name)
            && self.extend == other.extend
            && self.title.eq_shape(&other.title)
            && self.cite.eq_shape(&other.cite)
            && self.entries.eq_shape(&other.entries)
    }
}

impl ShapeEq for Entry {
    fn eq_shape(&self, other: &Self) -> bool {
        self.value.eq_shape(&other.value)
            && self.aliases.eq_shape(&other.aliases)
            && self.example == other.example
            && self.cite.eq_shape(&other.cite)
    }
}

impl ShapeEq for RuleDecl {
    fn eq_shape(&self, other: &Self) -> bool {
        self.name.eq_shape(&other.name)
            && self.cite.eq_shape(&other.cite)
            && self.about.eq_shape(&other.about)
            && self.when.eq_shape(&other.when)
            && self.unless.eq_shape(&other.unless)
            && self.requirements.eq_shape(&other.requirements)
            && self.outcome.eq_shape(&other.outcome)
    }
}

impl ShapeEq for Requirement {
    fn eq_shape(&self, other: &Self) -> bool {
        self.expr.eq_shape(&other.expr) && self.label.eq_shape(&other.label)
    }
}

impl ShapeEq for Outcome {
    fn eq_shape(&self, other: &Self) -> bool {
        match (self, other) {
            (Outcome::Deny(a), Outcome::Deny(b))
            | (Outcome::Refer(a), Outcome::Refer(b))
            | (Outcome::Violation(a), Outcome::Violation(b)) => a.eq_shape(b),
            (Outcome::Admit(a), Outcome::Admit(b)) => a.eq_shape(b),
            _ => false,
        }
    }
}

impl ShapeEq for Message {
    fn eq_shape(&self, other: &Self) -> bool {
        self.parts.eq_shape(&other.parts)
    }
}

impl ShapeEq for MessagePart {
    fn eq_shape(&self, other: &Self) -> bool {
        match (self, other) {
            (MessagePart::Text(a), MessagePart::Text(b)) => a == b,
            (
                MessagePart::Field { path, filter },
                MessagePart::Field {
                    path: p2,
                    filter: f2,
                },
            ) => path.eq_shape(p2) && filter.eq_shape(f2),
            _ => false,
        }
    }
}

impl ShapeEq for AssertDecl {
    fn eq_shape(&self, other: &Self) -> bool {
        self.expr.eq_shape(&other.expr)
            && self.cite.eq_shape(&other.cite)
            && self.message.eq_shape(&other.message)
    }
}

impl ShapeEq for Path {
    fn eq_shape(&self, other: &Self) -> bool {
        self.kind == other.kind && self.fields == other.fields
    }
}

impl ShapeEq for Expr {
    fn eq_shape(&self, other: &Self) -> bool {
        use ExprKind as K;
        match (&*self.kind, &*other.kind) {
            (K::Literal(a), K::Literal(b)) => a == b,
            (K::Today, K::Today) => true,
            (K::Field(a), K::Field(b)) => a.eq_shape(b),
            (
                K::CountField { path, filter },
                K::CountField {
                    path: p2,
                    filter: f2,
                },
            ) => path.eq_shape(p2) && filter.eq_shape(f2),
            (
                K::CountList { list, quoted_only },
                K::CountList {
                    list: l2,
                    quoted_only: q2,
                },
            ) => list.eq_shape(l2) && quoted_only == q2,
            (K::DaysBetween(a, b), K::DaysBetween(a2, b2)) => a.eq_shape(a2) && b.eq_shape(b2),
            (
                K::Contains { value, needle },
                K::Contains {
                    value: v2,
                    needle: n2,
                },
            ) => value.eq_shape(v2) && needle.eq_shape(n2),
            (
                K::Quantified {
                    quantifier,
                    path,
                    op,
                    list,
                },
                K::Quantified {
                    quantifier: q2,
                    path: p2,
                    op: o2,
                    list: l2,
                },
            ) => quantifier == q2 && path.eq_shape(p2) && op == o2 && list.eq_shape(l2),
            (K::Arith(o, a, b), K::Arith(o2, a2, b2)) => {
                o == o2 && a.eq_shape(a2) && b.eq_shape(b2)
            }
            (K::Compare(o, a, b), K::Compare(o2, a2, b2)) => {
                o == o2 && a.eq_shape(a2) && b.eq_shape(b2)
            }
            (
                K::InList { value, op, list },
                K::InList {
                    value: v2,
                    op: o2,
                    list: l2,
                },
            ) => value.eq_shape(v2) && op == o2 && list.eq_shape(l2),
            (
                K::Present { value, negated },
                K::Present {
                    value: v2,
                    negated: n2,
                },
            ) => value.eq_shape(v2) && negated == n2,
            (K::Not(a), K::Not(b)) => a.eq_shape(b),
            (K::And(a), K::And(b)) | (K::Or(a), K::Or(b)) => a.eq_shape(b),
            _ => false,
        }
    }
}

// ------------------------------------------------------------------ walking expressions

impl Expr {
    /// This expression and every expression inside it, parents before children, left to
    /// right (as cedar's `expr_iterator`): lints and collectors walk this instead of
    /// matching every form themselves.
    pub fn subexpressions(&self) -> SubExpressions<'_> {
        SubExpressions { stack: vec![self] }
    }

    /// The expressions directly inside this one, left to right.
    pub fn children(&self) -> Vec<&Expr> {
        match &*self.kind {
            ExprKind::Literal(_)
            | ExprKind::Today
            | ExprKind::Field(_)
            | ExprKind::CountField { .. }
            | ExprKind::CountList { .. }
            | ExprKind::Quantified { .. } => Vec::new(),
            ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) | ExprKind::DaysBetween(a, b) => {
                vec![a, b]
            }
            ExprKind::Contains { value, needle } => vec![value, needle],
            ExprKind::InList { value, .. } | ExprKind::Present { value, .. } => vec![value],
            ExprKind::Not(e) => vec![e],
            ExprKind::And(es) | ExprKind::Or(es) => es.iter().collect(),
        }
    }
}

/// The iterator of [`Expr::subexpressions`].
#[derive(Debug)]
pub struct SubExpressions<'a> {
    stack: Vec<&'a Expr>,
}

impl<'a> Iterator for SubExpressions<'a> {
    type Item = &'a Expr;

    fn next(&mut self) -> Option<&'a Expr> {
        let next = self.stack.pop()?;
        self.stack.extend(next.children().into_iter().rev());
        Some(next)
    }
}

// ------------------------------------------------------------------ parent and child

impl PolicyAst {
    /// A policy with nothing in it: what a policy without a parent inherits.
    pub fn empty() -> PolicyAst {
        PolicyAst {
            header: Header {
                title: Spanned::new(String::new(), Span::default()),
                jurisdiction: None,
                source: None,
                effective: None,
                expires: None,
                trial: None,
                parent: None,
                span: Span::default(),
            },
            documents: Vec::new(),
            fields: Vec::new(),
            variants: Vec::new(),
            lists: Vec::new(),
            rules: Vec::new(),
            asserts: Vec::new(),
            comments: Vec::new(),
        }
    }
}

/// The lists a child policy's rules see: the parent's, each extended by the child's `追加`
/// list of that name, then the child's own new lists. Each added entry keeps, as its
/// [`Entry::cite`], the clauses its `追加` cites: the parent's list cites the parent's
/// document, and a decision on the entry must also cite the child's.
pub fn merge_lists(parent: &[ListDecl], child: &[ListDecl]) -> Vec<ListDecl> {
    let mut out: Vec<ListDecl> = parent.to_vec();
    for list in child {
        match out
            .iter_mut()
            .find(|l| list.extend && l.name.node == list.name.node)
        {
            Some(base) => base.entries.extend(list.entries.iter().map(|e| Entry {
                cite: list.cite.clone(),
                ..e.clone()
            })),
            None => out.push(list.clone()),
        }
    }
    out
}
