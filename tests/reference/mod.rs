//! A reference evaluator of the policy AST, written for obviousness, not speed: no caches,
//! no precomputation, no list indexes, one function per construct, the README's semantics
//! read literally. `tests/differential.rs` holds the engine to it, decision by decision,
//! byte for byte.
//!
//! What the README leaves open is settled as the engine's own documentation settles it
//! (each such place says so): how a message shows a number, what a quantifier over an absent
//! list is, which rules are the reasons when no refer rule applied, the text of the
//! not-in-force reason.

use serde::Serialize;
use zhunru::Policy;
use zhunru::ast::{
    ArithOp, CompareOp, DeclaredType, Duration, Entry, Expr, ExprKind, ListDecl, ListOp, Literal,
    Message, MessagePart, Outcome, Path, PolicyAst, Quantifier, RuleDecl, TimeUnit,
};
use zhunru::{Date, Subject, SubjectKind, Value};

// ------------------------------------------------------------------ the output

/// A decision, in the contract's JSON shape.
#[derive(Serialize, Debug)]
pub struct RefDecision {
    pub subject: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub verdict: &'static str,
    pub reasons: Vec<RefReason>,
    pub missing: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<RefException>,
    /// One for each name in `missing`: the first requirement that failed under it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_items: Vec<RefMissing>,
    /// Which policy decided (provenance, read from the policy: not a matter of semantics).
    pub policy: RefPolicy,
}

#[derive(Serialize, Debug)]
pub struct RefMissing {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub requirement: String,
    pub rule: String,
}

#[derive(Serialize, Debug)]
pub struct RefPolicy {
    pub name: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<String>,
    pub hash: String,
}

#[derive(Serialize, Debug)]
pub struct RefReason {
    pub rule: String,
    pub message: String,
    pub cite: Option<String>,
    pub cites: Vec<String>,
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clauses: Vec<RefClause>,
}

#[derive(Serialize, Debug)]
pub struct RefClause {
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub example: bool,
    pub document: RefDocument,
}

#[derive(Serialize, Debug)]
pub struct RefDocument {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct RefException {
    pub rule: String,
    pub unless: String,
    pub at: Option<String>,
}

// ------------------------------------------------------------------ values and truth

/// A value during evaluation.
#[derive(Clone, Debug)]
enum V {
    Absent,
    Bool(bool),
    Num(f64),
    Text(String),
    Date(Date),
    Duration(Duration),
    List(Vec<Value>),
    Object,
}

/// Three-valued truth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum T {
    True,
    False,
    Unknown,
}

fn t(b: bool) -> T {
    if b { T::True } else { T::False }
}

/// Everything one decision reads.
struct Ctx<'a> {
    policy: &'a Policy,
    ast: &'a PolicyAst,
    subject: &'a Subject,
    today: Date,
    /// README: a division by zero makes a rule undecided, not a pass; set when arithmetic
    /// gives no number.
    arith_failed: std::cell::Cell<bool>,
}

// ------------------------------------------------------------------ text

/// README: "compared after Unicode NFKC normalisation with surrounding white space trimmed",
/// then every variant spelling (异体) replaced by its standard form, in declaration order.
fn canonical(ast: &PolicyAst, text: &str) -> String {
    let mut out = zhunru::normalize(text).into_owned();
    for v in &ast.variants {
        let from = zhunru::normalize(&v.from.node).into_owned();
        let to = zhunru::normalize(&v.to.node).into_owned();
        if !from.is_empty() {
            out = out.replace(&from, &to);
        }
    }
    out
}

/// The key of a number, as a list entry or as a looked-up value.
fn number_key(n: f64) -> String {
    n.to_string()
}

// ------------------------------------------------------------------ dates

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn month_length(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(year) => 29,
        _ => 28,
    }
}

/// Days since 0001-01-01 (day 1), counted year by year and month by month.
fn day_number(d: Date) -> i64 {
    let y = i64::from(d.year()) - 1;
    let mut n = y * 365 + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400);
    for m in 1..d.month() {
        n += i64::from(month_length(d.year(), m));
    }
    n + i64::from(d.day())
}

/// The next or previous calendar day.
fn step_day(d: Date, forward: bool) -> Date {
    let (year, month, day) = (d.year(), d.month(), d.day());
    let (year, month, day) = if forward {
        if day < month_length(year, month) {
            (year, month, day + 1)
        } else if month < 12 {
            (year, month + 1, 1)
        } else {
            (year + 1, 1, 1)
        }
    } else if day > 1 {
        (year, month, day - 1)
    } else if month > 1 {
        (year, month - 1, month_length(year, month - 1))
    } else {
        (year - 1, 12, 31)
    };
    Date::new(year, month, day).unwrap()
}

/// `n` calendar months later, the day clamped to the month's end.
fn add_months(d: Date, n: i64) -> Date {
    let index = i64::from(d.year()) * 12 + i64::from(d.month()) - 1 + n;
    let year = index.div_euclid(12) as i32;
    let month = (index.rem_euclid(12) + 1) as u32;
    Date::new(year, month, d.day().min(month_length(year, month))).unwrap()
}

/// A date moved by a duration (`sign` is 1 or -1).
fn shift(d: Date, dur: Duration, sign: i64) -> Date {
    let n = i64::from(dur.amount) * sign;
    match dur.unit {
        TimeUnit::Days => {
            let mut out = d;
            for _ in 0..n.unsigned_abs() {
                out = step_day(out, n > 0);
            }
            out
        }
        TimeUnit::Months => add_months(d, n),
        TimeUnit::Years => add_months(d, n * 12),
    }
}

// ------------------------------------------------------------------ fields

/// The contract's date fields (dates travel as texts in a subject).
fn contract_date_field(kind: SubjectKind, fields: &[String]) -> bool {
    let dotted = fields.join(".");
    kind == SubjectKind::Task
        && matches!(
            dotted.as_str(),
            "period.start" | "period.end" | "authorization.until" | "approval.date" | "sent_on"
        )
}

fn declared_type<'a>(ast: &'a PolicyAst, path: &Path) -> Option<&'a DeclaredType> {
    ast.fields
        .iter()
        .find(|f| f.path.kind == path.kind && f.path.fields == path.fields)
        .map(|f| &f.ty.node)
}

fn is_date_field(ast: &PolicyAst, path: &Path) -> bool {
    match declared_type(ast, path) {
        Some(ty) => *ty == DeclaredType::Date,
        None => contract_date_field(path.kind, &path.fields),
    }
}

fn is_yes_no_field(ast: &PolicyAst, path: &Path) -> bool {
    match declared_type(ast, path) {
        Some(ty) => *ty == DeclaredType::Bool,
        None => path.kind == SubjectKind::Task && path.fields == ["work_plan"],
    }
}

/// The raw value at a path, following objects; `null` counts as not there.
fn raw(subject: &Subject, fields: &[String]) -> Option<Value> {
    let (first, rest) = fields.split_first()?;
    let mut value = subject.fields().get(first)?.clone();
    for name in rest {
        let Value::Object(inner) = value else {
            return None;
        };
        value = inner.get(name)?.clone();
    }
    (value != Value::Null).then_some(value)
}

/// README "Defaults": `community_role` assist, `approval.status` none, `name` = `category`,
/// filled in for a task field that is not given. The engine fills `approval.status` only
/// while `approval` itself is absent, `null` or an object (never inside a mistyped one), and
/// a field given as `null` is given: it is not defaulted.
fn with_default(subject: &Subject, fields: &[String]) -> Option<Value> {
    let given = subject.fields().get_path(&fields.join("."));
    if given.is_some() || subject.kind() != SubjectKind::Task {
        return given.filter(|v| **v != Value::Null).cloned();
    }
    match fields {
        [one] if one == "community_role" => Some(Value::Text("assist".into())),
        [one] if one == "name" => raw(subject, &["category".to_owned()]),
        [a, b] if a == "approval" && b == "status" => match subject.fields().get("approval") {
            None | Some(Value::Null) | Some(Value::Object(_)) => Some(Value::Text("none".into())),
            Some(_) => None,
        },
        _ => None,
    }
}

/// README "Declaring fields": a field the policy (or a parent) declares with `默认` is read
/// as that value when it is not given (given as `null`, it is given).
fn declared_default(cx: &Ctx, path: &Path) -> Option<Value> {
    if subject_has(cx.subject, &path.fields) {
        return None;
    }
    let decl = cx
        .ast
        .fields
        .iter()
        .find(|f| f.path.kind == path.kind && f.path.fields == path.fields)?;
    decl.default.as_ref().map(|d| Value::Text(d.node.clone()))
}

/// Whether the subject gives a field at all (`null` included).
fn subject_has(subject: &Subject, fields: &[String]) -> bool {
    subject.fields().get_path(&fields.join(".")).is_some()
}

/// A field's value: absent when not given or `null`; a date field's text that is a date is
/// a date.
fn field(cx: &Ctx, path: &Path) -> V {
    match with_default(cx.subject, &path.fields).or_else(|| declared_default(cx, path)) {
        None => V::Absent,
        Some(Value::Null) => V::Absent,
        Some(Value::Bool(b)) => V::Bool(b),
        Some(Value::Number(n)) => V::Num(n),
        // README "Trimming": dates are read trimmed (a subject built in code may hold
        // " 2020-06-01 " in a date field).
        Some(Value::Text(s)) => match Date::parse(s.trim()) {
            Some(d) if is_date_field(cx.ast, path) => V::Date(d),
            _ => V::Text(s),
        },
        Some(Value::List(items)) => V::List(items),
        Some(_) => V::Object,
    }
}

// ------------------------------------------------------------------ lists

fn list<'a>(cx: &Ctx<'a>, name: &str) -> Option<&'a ListDecl> {
    cx.ast.lists.iter().find(|l| l.name.node == name)
}

/// Whether a value names an entry of a list (or one of its aliases); `None` when the value
/// cannot be looked up (not a text or a number) or there is no such list.
fn on_list(cx: &Ctx, name: &str, v: &V) -> Option<bool> {
    let decl = list(cx, name)?;
    let key = match v {
        V::Text(s) => canonical(cx.ast, s),
        V::Num(n) => number_key(*n),
        _ => return None,
    };
    for entry in &decl.entries {
        let entry_key = match &entry.value.node {
            Literal::Text(s) => canonical(cx.ast, s),
            Literal::Number(n) => number_key(*n),
            _ => continue,
        };
        if entry_key == key {
            return Some(true);
        }
        for alias in &entry.aliases {
            if canonical(cx.ast, &alias.node) == key {
                return Some(true);
            }
        }
    }
    Some(false)
}

/// Whether a text mentions an entry of a list (or one of its aliases) inside it, both
/// read in their standard form; an empty entry mentions nothing. `None`: no such list.
fn mentions_entry(cx: &Ctx, name: &str, text: &str) -> Option<bool> {
    let decl = list(cx, name)?;
    let text = canonical(cx.ast, text);
    let mentioned = |k: &str| {
        let k = canonical(cx.ast, k);
        !k.is_empty() && text.contains(&k)
    };
    Some(decl.entries.iter().any(|entry| {
        matches!(&entry.value.node, Literal::Text(s) if mentioned(s))
            || entry.aliases.iter().any(|a| mentioned(&a.node))
    }))
}

/// README: `属于 L` — the value is an entry; `包含 L` — the text, or any text of a list,
/// mentions an entry. Before negation; `None` when it cannot be tested.
fn list_test(cx: &Ctx, op: ListOp, name: &str, v: &V) -> Option<bool> {
    if !op.mentions() {
        return on_list(cx, name, v);
    }
    list(cx, name)?;
    match v {
        V::Text(s) => mentions_entry(cx, name, s),
        V::List(items) => Some(items.iter().any(|i| match i {
            Value::Text(s) => mentions_entry(cx, name, s) == Some(true),
            _ => false,
        })),
        V::Absent => None,
        _ => Some(false),
    }
}

/// An element of a list field counts (for `计数(x 属于 L)`, messages) when it is a text
/// passing the list test, or, negated, when it does not (a non-text never passes).
fn element_passes(
    cx: &Ctx,
    item: &Value,
    filter: Option<&(ListOp, zhunru::Spanned<String>)>,
) -> bool {
    let Some((op, name)) = filter else {
        return true;
    };
    let inside = match item {
        Value::Text(s) => list_test(cx, *op, &name.node, &V::Text(s.clone())) == Some(true),
        _ => false,
    };
    inside != op.negated()
}

// ------------------------------------------------------------------ expressions: values

fn value(cx: &Ctx, e: &Expr) -> V {
    match &*e.kind {
        ExprKind::Literal(l) => literal(l),
        ExprKind::Today => V::Date(cx.today),
        ExprKind::Field(p) => field(cx, p),
        ExprKind::CountField { path, filter } => count_field(cx, path, filter.as_ref()),
        ExprKind::CountList { list, quoted_only } => count_list(cx, &list.node, *quoted_only),
        ExprKind::DaysBetween(a, b) => days_between(cx, a, b),
        ExprKind::Arith(op, a, b) => arith(cx, *op, a, b),
        _ => match truth(cx, e) {
            T::True => V::Bool(true),
            T::False => V::Bool(false),
            T::Unknown => V::Absent,
        },
    }
}

fn literal(l: &Literal) -> V {
    match l {
        Literal::Text(s) => V::Text(s.clone()),
        Literal::Number(n) => V::Num(*n),
        Literal::Date(d) => V::Date(*d),
        Literal::Bool(b) => V::Bool(*b),
        Literal::Duration(d) => V::Duration(*d),
    }
}

/// `计数(field)`: an absent list has no elements; a value that is not a list has no count.
fn count_field(cx: &Ctx, path: &Path, filter: Option<&(ListOp, zhunru::Spanned<String>)>) -> V {
    match field(cx, path) {
        V::List(items) => V::Num(
            items
                .iter()
                .filter(|i| element_passes(cx, i, filter))
                .count() as f64,
        ),
        V::Absent => V::Num(0.0),
        _ => V::Absent,
    }
}

/// `计数(清单)`, `计数(清单 原文)`: the entries, or only those not marked 示例.
fn count_list(cx: &Ctx, name: &str, quoted_only: bool) -> V {
    match list(cx, name) {
        Some(decl) => V::Num(
            decl.entries
                .iter()
                .filter(|e| !quoted_only || !e.example)
                .count() as f64,
        ),
        None => V::Absent,
    }
}

/// `天数(a, b)`: the days from `a` to `b`.
fn days_between(cx: &Ctx, a: &Expr, b: &Expr) -> V {
    match (value(cx, a), value(cx, b)) {
        (V::Date(x), V::Date(y)) => V::Num((day_number(y) - day_number(x)) as f64),
        _ => V::Absent,
    }
}

/// `+ - * /` on numbers (a result that is not a finite number is no value); a date plus or
/// minus a duration.
fn arith(cx: &Ctx, op: ArithOp, a: &Expr, b: &Expr) -> V {
    match (value(cx, a), value(cx, b), op) {
        (V::Num(x), V::Num(y), _) => {
            let r = match op {
                ArithOp::Add => x + y,
                ArithOp::Sub => x - y,
                ArithOp::Mul => x * y,
                ArithOp::Div => x / y,
            };
            if r.is_finite() {
                V::Num(r)
            } else {
                cx.arith_failed.set(true);
                V::Absent
            }
        }
        (V::Date(d), V::Duration(dur), ArithOp::Add) => V::Date(shift(d, dur, 1)),
        (V::Date(d), V::Duration(dur), ArithOp::Sub) => V::Date(shift(d, dur, -1)),
        (V::Duration(dur), V::Date(d), ArithOp::Add) => V::Date(shift(d, dur, 1)),
        _ => V::Absent,
    }
}

// ------------------------------------------------------------------ expressions: truth

fn truth(cx: &Ctx, e: &Expr) -> T {
    match &*e.kind {
        ExprKind::Field(p) => bare_field(cx, p),
        ExprKind::Literal(Literal::Bool(b)) => t(*b),
        ExprKind::Compare(op, a, b) => compare(cx, *op, &value(cx, a), &value(cx, b)),
        ExprKind::InList { value: v, op, list } => in_list(cx, v, *op, &list.node),
        ExprKind::Present { value: v, negated } => t(is_given(&value(cx, v)) != *negated),
        ExprKind::Quantified {
            quantifier,
            path,
            op,
            list,
        } => quantified(cx, *quantifier, path, *op, &list.node),
        ExprKind::Contains { value: v, needle } => contains(cx, v, needle),
        ExprKind::Not(inner) => not(truth(cx, inner)),
        ExprKind::And(parts) => and(cx, parts),
        ExprKind::Or(parts) => or(cx, parts),
        _ => T::Unknown,
    }
}

/// README: "A bare field in a condition means 'given' (a yes/no field means itself)". A
/// yes/no field that is absent is unknown, as any comparison with an absent field is.
fn bare_field(cx: &Ctx, p: &Path) -> T {
    match field(cx, p) {
        V::Bool(b) => t(b),
        V::Absent if is_yes_no_field(cx.ast, p) => T::Unknown,
        v => t(is_given(&v)),
    }
}

/// README: `已提供` is false for an absent field, `null`, `""` (a blank text) and `[]`.
fn is_given(v: &V) -> bool {
    match v {
        V::Absent => false,
        V::Text(s) => !s.trim().is_empty(),
        V::List(items) => !items.is_empty(),
        _ => true,
    }
}

fn compare(cx: &Ctx, op: CompareOp, a: &V, b: &V) -> T {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (a, b) {
        (V::Absent, _) | (_, V::Absent) => return T::Unknown,
        (V::Num(x), V::Num(y)) => x.partial_cmp(y),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Text(x), V::Text(y)) => {
            let same = canonical(cx.ast, x) == canonical(cx.ast, y);
            return match op {
                CompareOp::Eq => t(same),
                CompareOp::Ne => t(!same),
                _ => T::Unknown,
            };
        }
        _ => None,
    };
    match ordering {
        Some(o) => t(op.holds(o)),
        // Values of different kinds are not equal, and not ordered.
        None => match op {
            CompareOp::Eq => T::False,
            CompareOp::Ne => T::True,
            _ => T::Unknown,
        },
    }
}

fn in_list(cx: &Ctx, v: &Expr, op: ListOp, name: &str) -> T {
    match list_test(cx, op, name, &value(cx, v)) {
        Some(inside) => t(inside != op.negated()),
        None => T::Unknown,
    }
}

/// `任一/全部 field 属于/不属于 L`. The engine's reading where the README is silent: an
/// absent (or non-list) field has no elements, so `任一` is false and `全部` true; an element
/// that is not a text passes neither test.
fn quantified(cx: &Ctx, q: Quantifier, path: &Path, op: ListOp, name: &str) -> T {
    let V::List(items) = field(cx, path) else {
        return t(q == Quantifier::All);
    };
    if list(cx, name).is_none() {
        return T::Unknown;
    }
    let test = |item: &Value| match item {
        Value::Text(s) => {
            (list_test(cx, op, name, &V::Text(s.clone())) == Some(true)) != op.negated()
        }
        _ => false,
    };
    match q {
        Quantifier::Any => t(items.iter().any(test)),
        Quantifier::All => t(items.iter().all(test)),
    }
}

/// `x 包含 y`: the text (or some text element of the list) contains the text, both
/// normalised and with variants read as their standard form.
fn contains(cx: &Ctx, v: &Expr, needle: &Expr) -> T {
    let V::Text(needle) = value(cx, needle) else {
        return T::Unknown;
    };
    let needle = canonical(cx.ast, &needle);
    match value(cx, v) {
        V::Text(s) => t(canonical(cx.ast, &s).contains(&needle)),
        V::List(items) => t(items.iter().any(|i| match i {
            Value::Text(s) => canonical(cx.ast, s).contains(&needle),
            _ => false,
        })),
        V::Absent => T::Unknown,
        _ => T::False,
    }
}

fn not(x: T) -> T {
    match x {
        T::True => T::False,
        T::False => T::True,
        T::Unknown => T::Unknown,
    }
}

fn and(cx: &Ctx, parts: &[Expr]) -> T {
    let all: Vec<T> = parts.iter().map(|p| truth(cx, p)).collect();
    if all.contains(&T::False) {
        T::False
    } else if all.contains(&T::Unknown) {
        T::Unknown
    } else {
        T::True
    }
}

fn or(cx: &Ctx, parts: &[Expr]) -> T {
    let all: Vec<T> = parts.iter().map(|p| truth(cx, p)).collect();
    if all.contains(&T::True) {
        T::True
    } else if all.contains(&T::Unknown) {
        T::Unknown
    } else {
        T::False
    }
}

// ------------------------------------------------------------------ messages

/// A message with its fields quoted in: a list field shows its (filtered) text elements
/// joined by 、; other values as the engine shows them (an absent field is 「（未提供）」, a
/// whole number without decimals).
fn render(cx: &Ctx, m: &Message, aliases: &[(Vec<String>, String)]) -> String {
    // README: a field that matched a list entry through an alias is followed by
    // 「（即「ENTRY」）」, after the 」 that closes it when it is quoted.
    let mut out = String::new();
    let mut note: Option<String> = None;
    for part in &m.parts {
        match part {
            MessagePart::Text(s) => {
                if let Some(entry) = note.take() {
                    if let Some(rest) = s.strip_prefix('」') {
                        out.push_str(&format!("」（即「{entry}」）{rest}"));
                        continue;
                    }
                    out.push_str(&format!("（即「{entry}」）"));
                }
                out.push_str(s);
            }
            MessagePart::Field { path, filter } => {
                if let Some(entry) = note.take() {
                    out.push_str(&format!("（即「{entry}」）"));
                }
                match field(cx, path) {
                    V::List(items) => {
                        let shown: Vec<&str> = items
                            .iter()
                            .filter(|i| element_passes(cx, i, filter.as_ref()))
                            .filter_map(|i| match i {
                                Value::Text(s) => Some(s.as_str()),
                                _ => None,
                            })
                            .collect();
                        out.push_str(&shown.join("、"));
                    }
                    // A message quotes a date field as given.
                    V::Date(d) => match with_default(cx.subject, &path.fields) {
                        Some(Value::Text(given)) => out.push_str(&given),
                        _ => out.push_str(&d.to_string()),
                    },
                    v => out.push_str(&display(&v)),
                }
                note = aliases
                    .iter()
                    .find(|(fields, _)| *fields == path.fields)
                    .map(|(_, e)| e.clone());
            }
        }
    }
    if let Some(entry) = note {
        out.push_str(&format!("（即「{entry}」）"));
    }
    out
}

/// The fields a rule's condition finds on a list under another name than the entry's own:
/// through an alias (`属于`), or mentioned inside a longer text (`包含`), each with the
/// entry's own text (README: 「户籍证明」（即「居民身份信息证明」）).
fn aliases_matched(cx: &Ctx, rule: &RuleDecl) -> Vec<(Vec<String>, String)> {
    let mut out: Vec<(Vec<String>, String)> = Vec::new();
    let Some(when) = &rule.when else {
        return out;
    };
    for e in when.subexpressions() {
        let ExprKind::InList {
            value,
            op,
            list: name,
        } = &*e.kind
        else {
            continue;
        };
        if !matches!(op, ListOp::In | ListOp::Mentions) {
            continue;
        }
        let ExprKind::Field(path) = &*value.kind else {
            continue;
        };
        let V::Text(text) = field(cx, path) else {
            continue;
        };
        let Some(decl) = list(cx, &name.node) else {
            continue;
        };
        let key = canonical(cx.ast, &text);
        // The first entry that matches: its own text or an alias equal to the value (`属于`),
        // or mentioned inside it (`包含`).
        let matches = |k: &str| {
            let k = canonical(cx.ast, k);
            match op {
                ListOp::In => k == key,
                ListOp::Mentions => !k.is_empty() && key.contains(&k),
                ListOp::NotIn | ListOp::NotMentions => false,
            }
        };
        let entry = decl.entries.iter().find(|entry| {
            matches!(&entry.value.node, Literal::Text(s) if matches(s))
                || entry.aliases.iter().any(|a| matches(&a.node))
        });
        if let Some(Literal::Text(own)) = entry.map(|e| &e.value.node)
            && canonical(cx.ast, own) != key
            && !out.iter().any(|(f, _)| *f == path.fields)
        {
            out.push((path.fields.clone(), own.clone()));
        }
    }
    out
}

fn display(v: &V) -> String {
    match v {
        V::Absent => "（未提供）".to_owned(),
        V::Bool(true) => "是".to_owned(),
        V::Bool(false) => "否".to_owned(),
        V::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        V::Num(n) => format!("{n}"),
        V::Text(s) => s.clone(),
        V::Date(d) => d.to_string(),
        V::Duration(_) | V::List(_) | V::Object => String::new(),
    }
}

// ------------------------------------------------------------------ rules

/// README: "A rule is about one kind of subject (told from its fields, or `关于 KIND`)";
/// a rule that names no field and no kind decides tasks.
fn rule_kind(rule: &RuleDecl) -> SubjectKind {
    if let Some(about) = &rule.about {
        return about.node;
    }
    let mut exprs: Vec<&Expr> = Vec::new();
    exprs.extend(rule.when.iter());
    exprs.extend(rule.unless.iter());
    exprs.extend(rule.requirements.iter().map(|r| &r.expr));
    exprs
        .into_iter()
        .find_map(first_path)
        .map_or(SubjectKind::Task, |p| p.kind)
}

/// The first field an expression reads, left to right.
fn first_path(e: &Expr) -> Option<&Path> {
    match &*e.kind {
        ExprKind::Field(p) => Some(p),
        ExprKind::CountField { path, .. } | ExprKind::Quantified { path, .. } => Some(path),
        ExprKind::Literal(_) | ExprKind::Today | ExprKind::CountList { .. } => None,
        ExprKind::DaysBetween(a, b) | ExprKind::Arith(_, a, b) | ExprKind::Compare(_, a, b) => {
            first_path(a).or_else(|| first_path(b))
        }
        ExprKind::Contains { value, needle } => first_path(value).or_else(|| first_path(needle)),
        ExprKind::InList { value, .. } | ExprKind::Present { value, .. } => first_path(value),
        ExprKind::Not(inner) => first_path(inner),
        ExprKind::And(parts) | ExprKind::Or(parts) => parts.iter().find_map(first_path),
    }
}

/// The name a failed requirement is reported under: its `记为`, else the first field it
/// reads (its first name after the subject), else the rule's name.
fn requirement_label(rule: &RuleDecl, index: usize) -> String {
    let Some(req) = rule.requirements.get(index) else {
        return rule.name.node.clone();
    };
    if let Some(label) = &req.label {
        return label.node.clone();
    }
    first_path(&req.expr)
        .and_then(|p| p.fields.first().cloned())
        .unwrap_or_else(|| rule.name.node.clone())
}

/// `file:line:col` as `Position` documents it: a relative path that stays below where it
/// starts as given, any other cut to its folder and file name (no deployment path).
fn at(source: &zhunru::Source, span: zhunru::Span) -> String {
    let name = source.name();
    let path = std::path::Path::new(name);
    let plain = path.components().all(|c| {
        matches!(
            c,
            std::path::Component::Normal(_) | std::path::Component::CurDir
        )
    });
    let file = if plain {
        name.to_owned()
    } else {
        let last = |p: Option<&std::path::Path>| {
            p.and_then(|p| p.file_name())
                .map(|f| f.to_string_lossy().into_owned())
        };
        match (last(path.parent()), last(Some(path))) {
            (Some(folder), Some(file)) => format!("{folder}/{file}"),
            (None, Some(file)) => file,
            _ => name.to_owned(),
        }
    };
    let (line, col) = source.line_col(span.start);
    format!("{file}:{line}:{col}")
}

/// The file a rule is written in (this policy's, or its parent's).
fn rule_source(policy: &Policy, index: usize) -> &zhunru::Source {
    policy.source_of(if policy.is_own_rule(index) { 0 } else { 1 })
}

fn clauses(ast: &PolicyAst, ids: &[String]) -> Vec<RefClause> {
    let mut out = Vec::new();
    for cite in ids {
        'docs: for d in &ast.documents {
            for c in &d.clauses {
                if c.id.node == *cite {
                    out.push(RefClause {
                        id: c.id.node.clone(),
                        text: c.text.node.clone(),
                        example: c.example,
                        document: RefDocument {
                            title: d.title.node.clone(),
                            number: d.number.as_ref().map(|n| n.node.clone()),
                            issuer: d.issuer.as_ref().map(|n| n.node.clone()),
                            level: d.level.as_ref().map(|n| n.node.clone()),
                            issued: d.issued.as_ref().map(|n| n.node.to_string()),
                            address: d.address.as_ref().map(|n| n.node.clone()),
                        },
                    });
                    break 'docs;
                }
            }
        }
    }
    out
}

/// The first entry of a list (in list order) that a value matches: a text equal to the
/// entry or an alias (`属于`), or mentioning one (`包含`); a number equal to a number entry.
fn first_entry<'a>(cx: &Ctx<'a>, decl: &'a ListDecl, op: ListOp, v: &V) -> Option<&'a Entry> {
    decl.entries.iter().find(|entry| {
        let names = std::iter::once(&entry.value.node)
            .cloned()
            .chain(entry.aliases.iter().map(|a| Literal::Text(a.node.clone())));
        names.into_iter().any(|name| match (op, v, &name) {
            (ListOp::In, V::Text(t), Literal::Text(k)) => {
                canonical(cx.ast, k) == canonical(cx.ast, t)
            }
            (ListOp::In, V::Num(n), Literal::Number(k)) => number_key(*n) == number_key(*k),
            (ListOp::Mentions, V::Text(t), Literal::Text(k)) => {
                let k = canonical(cx.ast, k);
                !k.is_empty() && canonical(cx.ast, t).contains(&k)
            }
            _ => false,
        })
    })
}

/// README (追加): a reason cites the rule's clauses, then those of each entry added with
/// `追加 引用 …` that a `属于`/`包含` test on a field in the rule's condition matched — not
/// under `非`; for a list of texts, or `任一`/`所有`, each element's entry — each once.
fn credited(cx: &Ctx, rule: &RuleDecl) -> Vec<String> {
    fn tests<'e>(e: &'e Expr, out: &mut Vec<(&'e Path, ListOp, &'e str)>) {
        match &*e.kind {
            ExprKind::Not(_) => {}
            ExprKind::InList { value, op, list } => {
                if let ExprKind::Field(path) = &*value.kind {
                    out.push((path, *op, &list.node));
                }
            }
            ExprKind::Quantified { path, op, list, .. } => out.push((path, *op, &list.node)),
            _ => {
                for child in e.children() {
                    tests(child, out);
                }
            }
        }
    }
    let mut found = Vec::new();
    if let Some(when) = &rule.when {
        tests(when, &mut found);
    }
    let mut out: Vec<String> = rule.cite.iter().map(|c| c.node.clone()).collect();
    for (path, op, name) in found {
        if !matches!(op, ListOp::In | ListOp::Mentions) {
            continue;
        }
        let Some(decl) = list(cx, name) else {
            continue;
        };
        let values: Vec<V> = match field(cx, path) {
            V::List(items) => items
                .iter()
                .filter_map(|i| match i {
                    Value::Text(t) => Some(V::Text(t.clone())),
                    _ => None,
                })
                .collect(),
            v => vec![v],
        };
        for v in &values {
            if let Some(entry) = first_entry(cx, decl, op, v) {
                for id in &entry.cite {
                    if !out.contains(&id.node) {
                        out.push(id.node.clone());
                    }
                }
            }
        }
    }
    out
}

fn reason(cx: &Ctx, index: usize, rule: &RuleDecl) -> RefReason {
    let message = match rule.outcome.node.message() {
        Some(m) => render(cx, m, &aliases_matched(cx, rule)),
        None => rule.name.node.clone(),
    };
    let cites = credited(cx, rule);
    RefReason {
        rule: rule.name.node.clone(),
        message,
        cite: rule.cite.first().map(|c| c.node.clone()),
        clauses: clauses(cx.ast, &cites),
        cites,
        at: Some(at(rule_source(cx.policy, index), rule.span)),
    }
}

/// An admit rule that applied but whose requirements failed, when no refer rule applied: the
/// reason says what failed, never the admit message of an admission that did not happen.
fn unmet_reason(cx: &Ctx, index: usize, rule: &RuleDecl) -> RefReason {
    let mut labels: Vec<String> = Vec::new();
    for (q, req) in rule.requirements.iter().enumerate() {
        if truth(cx, &req.expr) != T::True {
            labels.push(requirement_label(rule, q));
        }
    }
    let what = cx
        .subject
        .category()
        .map(|c| format!("「{c}」"))
        .unwrap_or_default();
    RefReason {
        message: format!(
            "{what}未满足规则「{}」的准入要求，尚缺：{} — not admitted: the requirements of this rule are not met",
            rule.name.node,
            labels.join("、")
        ),
        ..reason(cx, index, rule)
    }
}

fn fallback() -> RefReason {
    RefReason {
        rule: "no_rule_admits".to_owned(),
        message: "没有规则准予此事项准入；清单之外的事项须经准入审批 — no rule admits this task"
            .to_owned(),
        cite: None,
        cites: Vec::new(),
        at: None,
        clauses: Vec::new(),
    }
}

// ------------------------------------------------------------------ the policy window

fn in_force(ast: &PolicyAst, today: Date) -> bool {
    let after_start = ast
        .header
        .effective
        .as_ref()
        .is_none_or(|d| today >= d.node);
    let before_end = ast.header.expires.as_ref().is_none_or(|d| today <= d.node);
    after_start && before_end
}

fn not_in_force(policy: &Policy, ast: &PolicyAst, today: Date) -> RefReason {
    let effective = ast.header.effective.as_ref().map(|d| d.node);
    let expires = ast.header.expires.as_ref().map(|d| d.node);
    let window = match (effective, expires) {
        (Some(a), Some(b)) => format!("{a} 至 {b}"),
        (Some(a), None) => format!("{a} 起"),
        (None, Some(b)) => format!("至 {b}"),
        (None, None) => String::new(),
    };
    RefReason {
        rule: "not_in_force".to_owned(),
        message: format!(
            "《{}》的施行期为 {window}，{today} 不在其内，未作判断 — no version of this policy is in force on {today}",
            ast.header.title.node
        ),
        cite: None,
        cites: Vec::new(),
        at: Some(at(policy.source(), ast.header.span)),
        clauses: Vec::new(),
    }
}

// ------------------------------------------------------------------ deciding

fn kind_name(kind: SubjectKind) -> &'static str {
    match kind {
        SubjectKind::Task => "task",
        SubjectKind::Community => "community",
        SubjectKind::Assessment => "assessment",
        _ => unreachable!("a subject kind the reference evaluator does not know"),
    }
}

fn subject_id(subject: &Subject) -> Option<String> {
    match subject.fields().get("id") {
        Some(Value::Text(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Decide one subject as of `today`, as the README says.
pub fn decide(policy: &Policy, subject: &Subject, today: Date) -> RefDecision {
    let ast = policy.ast();
    let cx = Ctx {
        policy,
        ast,
        subject,
        today,
        arith_failed: std::cell::Cell::new(false),
    };
    let mut decision = RefDecision {
        subject: kind_name(subject.kind()),
        id: subject_id(subject),
        verdict: "",
        reasons: Vec::new(),
        missing: Vec::new(),
        exceptions: Vec::new(),
        missing_items: Vec::new(),
        policy: RefPolicy {
            name: policy.name().to_owned(),
            title: policy.title().to_owned(),
            effective: policy.effective().map(|d| d.to_string()),
            hash: policy.content_hash().to_owned(),
        },
    };
    if !in_force(ast, today) {
        decision.verdict = "not_in_force";
        decision.reasons.push(not_in_force(policy, ast, today));
        return decision;
    }

    let mut denies = Vec::new();
    let mut full_admits = Vec::new();
    let mut failed_admits = Vec::new();
    let mut refers = Vec::new();
    let mut violations = Vec::new();
    let mut undecided = Vec::new();
    let mut covered = false;
    let mut missing: Vec<String> = Vec::new();
    let mut missing_items: Vec<RefMissing> = Vec::new();
    for (index, rule) in ast.rules.iter().enumerate() {
        if rule_kind(rule) != subject.kind() {
            continue;
        }
        covered = true;
        cx.arith_failed.set(false);
        let t = match &rule.when {
            None => T::True,
            Some(w) => truth(&cx, w),
        };
        // README: a violation rule whose condition cannot be told — a field it reads not
        // given, a division by zero — is undecided, never a pass; "give every field the
        // rules read to be told `compliant`".
        let reads_absent = rule
            .when
            .as_ref()
            .is_some_and(|w| w.paths().iter().any(|p| matches!(field(&cx, p), V::Absent)));
        if matches!(rule.outcome.node, Outcome::Violation(_))
            && (t == T::Unknown || (t == T::False && reads_absent))
        {
            undecided.push((index, cx.arith_failed.get()));
        }
        if t != T::True {
            continue;
        }
        if let Some(u) = &rule.unless
            && truth(&cx, u) == T::True
        {
            decision.exceptions.push(RefException {
                rule: rule.name.node.clone(),
                unless: rule_source(policy, index).slice(u.span).to_owned(),
                at: Some(at(rule_source(policy, index), rule.span)),
            });
            continue;
        }
        match &rule.outcome.node {
            Outcome::Deny(_) => denies.push(index),
            Outcome::Violation(_) => violations.push(index),
            Outcome::Admit(_) | Outcome::Refer(_) => {
                let mut all_hold = true;
                for (q, req) in rule.requirements.iter().enumerate() {
                    if truth(&cx, &req.expr) != T::True {
                        all_hold = false;
                        let label = requirement_label(rule, q);
                        if !missing.contains(&label) {
                            missing_items.push(RefMissing {
                                name: label.clone(),
                                field: first_path(&req.expr).map(|p| p.fields.join(".")),
                                requirement: rule_source(policy, index)
                                    .slice(req.expr.span)
                                    .to_owned(),
                                rule: rule.name.node.clone(),
                            });
                            missing.push(label);
                        }
                    }
                }
                match (&rule.outcome.node, all_hold) {
                    (Outcome::Refer(_), _) => refers.push(index),
                    (_, true) => full_admits.push(index),
                    (_, false) => failed_admits.push(index),
                }
            }
        }
    }

    let reasons_of = |indices: &[usize]| -> Vec<RefReason> {
        indices
            .iter()
            .filter_map(|i| ast.rules.get(*i).map(|r| reason(&cx, *i, r)))
            .collect()
    };
    if subject.kind() == SubjectKind::Task {
        if !denies.is_empty() {
            decision.verdict = "denied";
            decision.reasons = reasons_of(&denies);
        } else if !full_admits.is_empty() {
            decision.verdict = "admitted";
            decision.reasons = reasons_of(&full_admits);
        } else {
            decision.verdict = "needs_approval";
            decision.missing = missing;
            decision.missing_items = missing_items;
            // The refer rules; where none applied, the engine names the admit rules whose
            // requirements failed; where no rule spoke at all, the fallback.
            decision.reasons = if !refers.is_empty() {
                reasons_of(&refers)
            } else if !failed_admits.is_empty() {
                failed_admits
                    .iter()
                    .filter_map(|i| ast.rules.get(*i).map(|r| unmet_reason(&cx, *i, r)))
                    .collect()
            } else {
                vec![fallback()]
            };
        }
    } else if !violations.is_empty() {
        decision.verdict = "non_compliant";
        decision.reasons = reasons_of(&violations);
    } else if !undecided.is_empty() {
        decision.verdict = "undecided";
        decision.reasons = undecided
            .iter()
            .filter_map(|&(i, divided_by_zero)| {
                let rule = ast.rules.get(i)?;
                let when = rule.when.as_ref()?;
                let condition = rule_source(policy, i).slice(when.span);
                // README: the message says why — a division by zero, else the fields the
                // condition reads that are not given, each once, in the order it names them.
                let mut absent: Vec<String> = Vec::new();
                for path in when.paths() {
                    if matches!(field(&cx, path), V::Absent) && !absent.contains(&path.dotted()) {
                        absent.push(path.dotted());
                    }
                }
                let message = if divided_by_zero {
                    format!(
                        "无法判定：条件「{condition}」的计算中除数为零 — cannot be decided: its condition divides by zero"
                    )
                } else if absent.is_empty() {
                    format!(
                        "无法判定：条件「{condition}」对这一对象无法判定 — cannot be decided: its condition is unknown for this subject"
                    )
                } else {
                    format!(
                        "无法判定：条件「{condition}」所需的字段未提供：{} — cannot be decided: its condition reads {}, not given",
                        absent.join("、"),
                        absent.join(", ")
                    )
                };
                Some(RefReason {
                    message,
                    ..reason(&cx, i, rule)
                })
            })
            .collect();
    } else {
        decision.verdict = "compliant";
        if !covered {
            // README: compliant with nothing to comply with says so.
            let (zh, en) = match subject.kind() {
                SubjectKind::Assessment => ("考核", "assessment plans"),
                _ => ("社区场所", "community premises"),
            };
            decision.reasons = vec![RefReason {
                rule: "no_rule_covers".to_owned(),
                message: format!(
                    "本政策没有关于{zh}的规则，未作任何检查 — no rule of this policy covers {en}: nothing was checked"
                ),
                ..fallback()
            }];
        }
    }
    decision
}

/// The reference decision as JSON text.
pub fn decide_json(policy: &Policy, subject: &Subject, today: Date) -> String {
    serde_json::to_string(&decide(policy, subject, today)).unwrap_or_default()
}
