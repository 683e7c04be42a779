//! Evaluation: a subject and a date in, a decision with its reasons out.
//!
//! Evaluation walks a finite AST once per rule: no recursion through rules, no loops,
//! so it always terminates; it reads no clock and no environment (the date is given).
//! Conditions are three-valued: a comparison with an absent field is *unknown*, and a
//! rule applies, or a requirement holds, only when its condition is *true*.

mod decision;

use std::borrow::Cow;

pub use decision::{Decision, MissingItem, Reason, Verdict};

use crate::Policy;
use crate::ast::*;
use crate::normalize::normalize;
use crate::value::{Date, Subject, Value};

/// A list compiled for lookup: normalised entry or alias → index of its entry.
#[derive(Debug, Default)]
pub(crate) struct ListIndex {
    pub keys: rustc_hash::FxHashMap<String, usize>,
}

impl ListIndex {
    pub(crate) fn build(list: &ListDecl) -> ListIndex {
        let mut keys = rustc_hash::FxHashMap::default();
        for (i, entry) in list.entries.iter().enumerate() {
            keys.entry(crate::normalize::literal_key(&entry.value.node))
                .or_insert(i);
            for alias in &entry.aliases {
                keys.entry(normalize(&alias.node).into_owned()).or_insert(i);
            }
        }
        ListIndex { keys }
    }

    /// The index of the entry a value names, if any.
    fn find(&self, v: &Val) -> Option<Option<usize>> {
        match v {
            Val::Text(t) => Some(self.keys.get(normalize(t).as_ref()).copied()),
            Val::Num(n) => Some(self.keys.get(&n.to_string()).copied()),
            _ => None,
        }
    }
}

/// What a decision touched: the rules that applied and the list entries that matched.
/// Collected only on request (`zhunru test --coverage`).
#[derive(Debug, Default, Clone)]
pub struct Trace {
    /// Indices (in the policy's rule order) of the rules whose condition held.
    pub rules: Vec<usize>,
    /// `(list name, entry index)` of every entry a lookup matched.
    pub entries: Vec<(String, usize)>,
}

/// A value during evaluation.
#[derive(Clone, Debug)]
enum Val<'a> {
    /// The field is not there (or is `null`).
    Absent,
    Bool(bool),
    Num(f64),
    Text(Cow<'a, str>),
    Date(Date),
    List(&'a [Value]),
    Object,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn from(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

struct Env<'a> {
    policy: &'a Policy,
    subject: &'a Subject,
    today: Date,
    trace: Option<&'a std::cell::RefCell<Trace>>,
    /// The last text normalised and its normal form (`None`: already normal). A category
    /// is looked up in several lists; it is normalised once.
    normal: std::cell::RefCell<(String, Option<String>)>,
}

impl<'a> Env<'a> {
    /// The entry a text names: an exact hit first (list keys are normal), else the text's
    /// normal form.
    fn find_text(&self, index: &ListIndex, text: &str) -> Option<usize> {
        if let Some(i) = index.keys.get(text) {
            return Some(*i);
        }
        let mut cache = self.normal.borrow_mut();
        if cache.0 != text {
            let normal = match normalize(text) {
                Cow::Borrowed(b) if b.len() == text.len() => None,
                other => Some(other.into_owned()),
            };
            *cache = (text.to_owned(), normal);
        }
        cache.1.as_deref().and_then(|n| index.keys.get(n).copied())
    }

    /// Look a value up in a named list; `None` when it cannot be looked up (not a text).
    fn lookup(&self, list: &str, v: &Val) -> Option<bool> {
        let index = self.policy.list_index(list)?;
        let found = match v {
            Val::Text(t) => self.find_text(index, t),
            other => index.find(other)?,
        };
        if let (Some(i), Some(trace)) = (found, self.trace) {
            trace.borrow_mut().entries.push((list.to_owned(), i));
        }
        Some(found.is_some())
    }

    fn field(&self, path: &Path) -> Val<'a> {
        match self.subject.get(&path.fields) {
            None | Some(Value::Null) => Val::Absent,
            Some(v) => from_value(v),
        }
    }

    fn value(&self, e: &Expr) -> Val<'a> {
        match &*e.kind {
            ExprKind::Literal(l) => match l {
                Literal::Text(t) => Val::Text(Cow::Owned(t.clone())),
                Literal::Number(n) => Val::Num(*n),
                Literal::Date(d) => Val::Date(*d),
                Literal::Bool(b) => Val::Bool(*b),
            },
            ExprKind::Today => Val::Date(self.today),
            ExprKind::Field(p) => self.field(p),
            ExprKind::CountField { path, filter } => match self.field(path) {
                Val::List(items) => {
                    let n = items
                        .iter()
                        .filter(|item| self.passes(item, filter.as_ref()))
                        .count();
                    Val::Num(n as f64)
                }
                // An absent list has no elements.
                Val::Absent => Val::Num(0.0),
                _ => Val::Absent,
            },
            ExprKind::CountList(name) => self
                .policy
                .list_decl(&name.node)
                .map_or(Val::Absent, |l| Val::Num(l.entries.len() as f64)),
            ExprKind::Arith(op, a, b) => match (self.value(a), self.value(b)) {
                // Division by zero gives no value: the comparison becomes unknown.
                (Val::Num(x), Val::Num(y)) => op.apply(x, y).map_or(Val::Absent, Val::Num),
                _ => Val::Absent,
            },
            _ => match self.truth(e) {
                Truth::True => Val::Bool(true),
                Truth::False => Val::Bool(false),
                Truth::Unknown => Val::Absent,
            },
        }
    }

    fn passes(
        &self,
        item: &Value,
        filter: Option<&(bool, crate::source::Spanned<String>)>,
    ) -> bool {
        let Some((negated, list)) = filter else {
            return true;
        };
        let inside = match item {
            Value::Text(t) => self.lookup(&list.node, &Val::Text(Cow::Borrowed(t))) == Some(true),
            _ => false,
        };
        inside != *negated
    }

    fn truth(&self, e: &Expr) -> Truth {
        match &*e.kind {
            ExprKind::Field(_) => match self.value(e) {
                Val::Bool(b) => Truth::from(b),
                Val::Absent => Truth::Unknown,
                // A bare non-boolean field reads as "is given".
                v => Truth::from(is_given(&v)),
            },
            ExprKind::Literal(Literal::Bool(b)) => Truth::from(*b),
            ExprKind::Literal(_)
            | ExprKind::Today
            | ExprKind::CountField { .. }
            | ExprKind::CountList(_)
            | ExprKind::Arith(..) => Truth::Unknown,
            ExprKind::Quantified {
                quantifier,
                path,
                negated,
                list,
            } => {
                let Val::List(items) = self.field(path) else {
                    // An absent list: nothing in it breaks an `any`, everything satisfies `all`.
                    return Truth::from(*quantifier == Quantifier::All);
                };
                if self.policy.list_index(&list.node).is_none() {
                    return Truth::Unknown;
                }
                let test = |item: &Value| match item {
                    Value::Text(t) => {
                        (self.lookup(&list.node, &Val::Text(Cow::Borrowed(t))) == Some(true))
                            != *negated
                    }
                    _ => false,
                };
                if self.trace.is_some() {
                    // Under test coverage, look every element up: each one is exercised.
                    let results: Vec<bool> = items.iter().map(test).collect();
                    return Truth::from(match quantifier {
                        Quantifier::Any => results.contains(&true),
                        Quantifier::All => !results.contains(&false),
                    });
                }
                Truth::from(match quantifier {
                    Quantifier::Any => items.iter().any(test),
                    Quantifier::All => items.iter().all(test),
                })
            }
            ExprKind::Compare(op, a, b) => compare(*op, &self.value(a), &self.value(b)),
            ExprKind::InList {
                value,
                negated,
                list,
            } => {
                let v = self.value(value);
                match self.lookup(&list.node, &v) {
                    Some(inside) => Truth::from(inside != *negated),
                    None => Truth::Unknown,
                }
            }
            ExprKind::Present { value, negated } => {
                let given = is_given(&self.value(value));
                Truth::from(given != *negated)
            }
            ExprKind::Not(inner) => self.truth(inner).not(),
            ExprKind::And(parts) => {
                let mut out = Truth::True;
                for p in parts {
                    match self.truth(p) {
                        Truth::False => return Truth::False,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::True => {}
                    }
                }
                out
            }
            ExprKind::Or(parts) => {
                let mut out = Truth::False;
                for p in parts {
                    match self.truth(p) {
                        Truth::True => return Truth::True,
                        Truth::Unknown => out = Truth::Unknown,
                        Truth::False => {}
                    }
                }
                out
            }
        }
    }

    fn render(&self, message: &Message) -> String {
        let mut out = String::new();
        for part in &message.parts {
            match part {
                MessagePart::Text(t) => out.push_str(t),
                MessagePart::Field { path, filter } => match self.field(path) {
                    Val::List(items) => {
                        let shown: Vec<&str> = items
                            .iter()
                            .filter(|i| self.passes(i, filter.as_ref()))
                            .filter_map(|i| match i {
                                Value::Text(t) => Some(t.as_str()),
                                _ => None,
                            })
                            .collect();
                        out.push_str(&shown.join("、"));
                    }
                    v => out.push_str(&display(&v)),
                },
            }
        }
        out
    }
}

fn from_value(v: &Value) -> Val<'_> {
    match v {
        Value::Null => Val::Absent,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => Val::Num(*n),
        Value::Text(t) => Val::Text(Cow::Borrowed(t)),
        Value::List(items) => Val::List(items),
        Value::Object(_) => Val::Object,
    }
}

/// Given: present, not null, not an empty text, not an empty list.
fn is_given(v: &Val) -> bool {
    match v {
        Val::Absent => false,
        Val::Text(t) => !t.trim().is_empty(),
        Val::List(items) => !items.is_empty(),
        _ => true,
    }
}

fn display(v: &Val) -> String {
    match v {
        Val::Absent => "（未提供）".to_owned(),
        Val::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Val::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
        Val::Num(n) => format!("{n}"),
        Val::Text(t) => t.to_string(),
        Val::Date(d) => d.to_string(),
        Val::List(_) | Val::Object => String::new(),
    }
}

fn as_date(v: &Val) -> Option<Date> {
    match v {
        Val::Date(d) => Some(*d),
        Val::Text(t) => Date::parse(t),
        _ => None,
    }
}

fn compare(op: CompareOp, a: &Val, b: &Val) -> Truth {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (a, b) {
        (Val::Absent, _) | (_, Val::Absent) => return Truth::Unknown,
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Date(_), _) | (_, Val::Date(_)) => match (as_date(a), as_date(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        (Val::Text(x), Val::Text(y)) => {
            let (x, y) = (normalize(x), normalize(y));
            return match op {
                CompareOp::Eq => Truth::from(x == y),
                CompareOp::Ne => Truth::from(x != y),
                _ => Truth::Unknown,
            };
        }
        (Val::Bool(x), Val::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    };
    let Some(o) = ordering else {
        // Values of different kinds: only "not equal" can be said.
        return match op {
            CompareOp::Eq => Truth::False,
            CompareOp::Ne => Truth::True,
            _ => Truth::Unknown,
        };
    };
    Truth::from(op.holds(o))
}

/// The name a failed requirement is reported under in `missing`.
fn requirement_label(req: &Requirement, rule: &RuleDecl) -> String {
    if let Some(label) = &req.label {
        return label.node.clone();
    }
    req.expr
        .paths()
        .first()
        .and_then(|p| p.fields.first().cloned())
        .unwrap_or_else(|| rule.name.node.clone())
}

/// What evaluation found, before anything is rendered: the verdict, the deciding rules (by
/// index; `None` is the fallback reason) and the failed requirements `(rule, requirement)`.
pub(crate) struct Found {
    pub verdict: Verdict,
    pub reasons: Vec<Option<usize>>,
    pub missing: Vec<(usize, usize)>,
}

/// Per-policy data computed once at load, so deciding allocates little: the `missing` name
/// of each requirement, and each rule's reason as JSON around its message.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    labels: Vec<Vec<String>>,
    json_head: Vec<String>,
    json_tail: Vec<String>,
    fallback_json: String,
}

impl Compiled {
    pub(crate) fn build(ast: &PolicyAst, locations: &[String]) -> Compiled {
        let mut c = Compiled::default();
        for (i, rule) in ast.rules.iter().enumerate() {
            c.labels.push(
                rule.requirements
                    .iter()
                    .map(|r| requirement_label(r, rule))
                    .collect(),
            );
            let reason = Reason::from_rule(
                rule,
                String::new(),
                locations.get(i).cloned().unwrap_or_default(),
            );
            let json = serde_json::to_string(&reason).unwrap_or_default();
            // Split the serialised reason around its (empty) message.
            let marker = "\"message\":\"\"";
            let (head, tail) = json.split_once(marker).unwrap_or((&json, ""));
            c.json_head.push(format!("{head}\"message\":"));
            c.json_tail.push(tail.to_owned());
        }
        c.fallback_json = serde_json::to_string(&Reason::fallback()).unwrap_or_default();
        c
    }
}

/// Decide one subject as of a date.
pub(crate) fn decide(policy: &Policy, subject: &Subject, today: Date) -> Decision {
    let found = find(policy, subject, today, None);
    to_decision(policy, subject, today, &found)
}

/// Decide, recording which rules applied and which list entries matched.
pub(crate) fn decide_traced(policy: &Policy, subject: &Subject, today: Date) -> (Decision, Trace) {
    let trace = std::cell::RefCell::new(Trace::default());
    let found = find(policy, subject, today, Some(&trace));
    (
        to_decision(policy, subject, today, &found),
        trace.into_inner(),
    )
}

/// Decide and append the decision's JSON (exactly what `serde_json` writes for
/// [`Decision`]) to `out`, without building the owned decision.
pub(crate) fn decide_json(policy: &Policy, subject: &Subject, today: Date, out: &mut Vec<u8>) {
    let found = find(policy, subject, today, None);
    let env = Env::new(policy, subject, today, None);
    let c = &policy.compiled;
    out.extend_from_slice(b"{\"subject\":\"");
    out.extend_from_slice(subject.kind.as_str().as_bytes());
    out.push(b'"');
    if let Some(id) = subject.id() {
        out.extend_from_slice(b",\"id\":");
        let _ = serde_json::to_writer(&mut *out, id);
    }
    out.extend_from_slice(b",\"verdict\":\"");
    out.extend_from_slice(found.verdict.as_str().as_bytes());
    out.extend_from_slice(b"\",\"reasons\":[");
    for (n, reason) in found.reasons.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        match reason.and_then(|i| Some((i, policy.ast.rules.get(i)?))) {
            Some((i, rule)) => {
                out.extend_from_slice(c.json_head.get(i).map_or("", String::as_str).as_bytes());
                let message = rule_message(&env, rule);
                let _ = serde_json::to_writer(&mut *out, &message);
                out.extend_from_slice(c.json_tail.get(i).map_or("", String::as_str).as_bytes());
            }
            None => out.extend_from_slice(c.fallback_json.as_bytes()),
        }
    }
    out.extend_from_slice(b"],\"missing\":[");
    for (n, (rule, req)) in found.missing.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let label = c
            .labels
            .get(*rule)
            .and_then(|l| l.get(*req))
            .map_or("", String::as_str);
        let _ = serde_json::to_writer(&mut *out, label);
    }
    out.extend_from_slice(b"]}");
}

fn rule_message(env: &Env, rule: &RuleDecl) -> String {
    match rule.outcome.node.message() {
        Some(m) => env.render(m),
        None => rule.name.node.clone(),
    }
}

fn to_decision(policy: &Policy, subject: &Subject, today: Date, found: &Found) -> Decision {
    let env = Env::new(policy, subject, today, None);
    let reasons = found
        .reasons
        .iter()
        .map(
            |r| match r.and_then(|i| Some((i, policy.ast.rules.get(i)?))) {
                Some((i, rule)) => policy.reason(i, rule, Some(rule_message(&env, rule))),
                None => Reason::fallback(),
            },
        )
        .collect();
    let missing = found
        .missing
        .iter()
        .filter_map(|(r, q)| {
            let rule = policy.ast.rules.get(*r)?;
            let req = rule.requirements.get(*q)?;
            Some(MissingItem {
                name: policy.compiled.labels.get(*r)?.get(*q)?.clone(),
                requirement: policy.source.slice(req.expr.span).to_owned(),
                rule: rule.name.node.clone(),
                span: req.expr.span,
            })
        })
        .collect();
    Decision::new(subject, found.verdict, reasons, missing)
}

impl<'a> Env<'a> {
    fn new(
        policy: &'a Policy,
        subject: &'a Subject,
        today: Date,
        trace: Option<&'a std::cell::RefCell<Trace>>,
    ) -> Env<'a> {
        Env {
            policy,
            subject,
            today,
            trace,
            normal: Default::default(),
        }
    }
}

fn find(
    policy: &Policy,
    subject: &Subject,
    today: Date,
    trace: Option<&std::cell::RefCell<Trace>>,
) -> Found {
    let env = Env::new(policy, subject, today, trace);
    let mut denies = Vec::new();
    let mut admits = Vec::new();
    let mut refers = Vec::new();
    let mut partial = Vec::new();
    let mut violations = Vec::new();
    let mut missing: Vec<(usize, usize)> = Vec::new();
    for &index in policy.rules_for(subject.kind) {
        let Some(rule) = policy.ast.rules.get(index) else {
            continue;
        };
        let applies = rule
            .when
            .as_ref()
            .is_none_or(|w| env.truth(w) == Truth::True);
        if !applies {
            continue;
        }
        if let Some(trace) = trace {
            trace.borrow_mut().rules.push(index);
        }
        match &rule.outcome.node {
            Outcome::Deny(_) => denies.push(Some(index)),
            Outcome::Violation(_) => violations.push(Some(index)),
            Outcome::Admit(_) | Outcome::Refer(_) => {
                let mut all_hold = true;
                for (q, req) in rule.requirements.iter().enumerate() {
                    if env.truth(&req.expr) == Truth::True {
                        continue;
                    }
                    all_hold = false;
                    let labels = policy.compiled.labels.get(index);
                    let label = labels.and_then(|l| l.get(q));
                    let seen = missing.iter().any(|(r, k)| {
                        policy.compiled.labels.get(*r).and_then(|l| l.get(*k)) == label
                    });
                    if !seen {
                        missing.push((index, q));
                    }
                }
                match rule.outcome.node {
                    Outcome::Admit(_) if all_hold => admits.push(Some(index)),
                    Outcome::Refer(_) => refers.push(Some(index)),
                    _ => partial.push(Some(index)),
                }
            }
        }
    }
    let (verdict, reasons, missing) = match subject.kind {
        SubjectKind::Task if !denies.is_empty() => (Verdict::Denied, denies, Vec::new()),
        SubjectKind::Task if !admits.is_empty() => (Verdict::Admitted, admits, Vec::new()),
        SubjectKind::Task => {
            let mut reasons = refers;
            if reasons.is_empty() {
                reasons = partial;
            }
            if reasons.is_empty() {
                reasons.push(None);
            }
            (Verdict::NeedsApproval, reasons, missing)
        }
        _ if violations.is_empty() => (Verdict::Compliant, Vec::new(), Vec::new()),
        _ => (Verdict::NonCompliant, violations, Vec::new()),
    };
    Found {
        verdict,
        reasons,
        missing,
    }
}
