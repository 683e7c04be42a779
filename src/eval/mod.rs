//! Evaluation: a subject and a date in, a decision with its reasons out.
//!
//! Evaluation walks a finite AST once per rule: no recursion through rules, no loops,
//! so it always terminates; it reads no clock and no environment (the date is given).
//! Conditions are three-valued: a comparison with an absent field is *unknown*, and a
//! rule applies, or a requirement holds, only when its condition is *true*.

mod decision;
mod fast;

use std::borrow::Cow;

pub use decision::{
    CitedClause, CitedDocument, DecidedBy, Decision, Exception, MissingItem, Reason, ReasonKind,
    Verdict,
};
pub(crate) use decision::{EngineText, cited_sources, sources_text};

use crate::Policy;
use crate::ast::*;
use crate::normalize::{canonical, normalize};
use crate::value::{Date, Subject, Value};

/// A list compiled for lookup: normalised entry or alias → index of its entry.
#[derive(Debug, Default)]
pub(crate) struct ListIndex {
    pub keys: rustc_hash::FxHashMap<String, usize>,
    /// The text keys in entry order, for `包含 LIST` (a text mentioning an entry).
    texts: Vec<(String, usize)>,
    /// `texts` as one automaton, built the first time the list is asked for a mention (most
    /// lists never are): one pass over a text finds every key it mentions.
    mentions: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl ListIndex {
    pub(crate) fn build(list: &ListDecl, variants: &[(String, String)]) -> ListIndex {
        let mut keys = rustc_hash::FxHashMap::default();
        let mut texts = Vec::new();
        for (i, entry) in list.entries.iter().enumerate() {
            let key = match &entry.value.node {
                Literal::Text(t) => canonical(t, variants).into_owned(),
                other => crate::normalize::literal_key(other),
            };
            if matches!(entry.value.node, Literal::Text(_)) {
                texts.push((key.clone(), i));
            }
            keys.entry(key).or_insert(i);
            for alias in &entry.aliases {
                let alias = canonical(&alias.node, variants).into_owned();
                texts.push((alias.clone(), i));
                keys.entry(alias).or_insert(i);
            }
        }
        // An empty key would be mentioned by every text.
        texts.retain(|(k, _)| !k.is_empty());
        ListIndex {
            keys,
            texts,
            mentions: std::sync::OnceLock::new(),
        }
    }

    /// The first entry (in list order) that a normalised text mentions.
    pub(crate) fn mentioned_in(&self, normal: &str) -> Option<usize> {
        let automaton = self.mentions.get_or_init(|| {
            // The crate picks the kind: a DFA for a list of up to 100 keys (on the shipped
            // Yingjiang policy 305 M instructions for 10k tasks, against 312 M with an NFA
            // and 365 M with a substring search per key), an NFA for longer lists, whose
            // DFA would take much memory.
            aho_corasick::AhoCorasick::new(self.texts.iter().map(|(k, _)| k)).ok()
        });
        match automaton {
            // Every occurrence of every key (overlapping), so that the entry first in the
            // list wins, whichever key appears first in the text.
            Some(ac) => ac
                .find_overlapping_iter(normal)
                .filter_map(|m| self.texts.get(m.pattern().as_usize()))
                .map(|(_, i)| *i)
                .min(),
            // Only a list too large for the automaton's limits comes here.
            None => self
                .texts
                .iter()
                .filter(|(k, _)| normal.contains(k.as_str()))
                .map(|(_, i)| *i)
                .min(),
        }
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
///
/// See [`Policy::decide_traced`](crate::Policy::decide_traced) for an example.
#[derive(Debug, Default, Clone)]
#[non_exhaustive]
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
    Duration(Duration),
    List(&'a [Value]),
    Object,
}

/// A date moved by a duration, `sign` times.
fn shift(date: Date, d: &Duration, sign: i64) -> Date {
    let n = i64::from(d.amount) * sign;
    match d.unit {
        TimeUnit::Days => date.add_days(n),
        TimeUnit::Months => date.add_months(n),
        TimeUnit::Years => date.add_months(n * 12),
    }
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
    /// Look-ups of a text in a list already made for this decision. A category is looked up
    /// in the same list by several rules (`属于 履责清单`, then `不属于 履责清单` twice) and
    /// again for the message; each repeat was a hash of the list's name and of the text
    /// (list tests were 9 % of the instructions on the peer file). See [`Looked`].
    looked: std::cell::RefCell<Looked<'a>>,
    /// Set when an arithmetic expression gave no number (a division by zero), so that an
    /// undecided rule's message can tell that from a field not given (reset by the reader).
    arith_failed: std::cell::Cell<bool>,
}

/// Remembered look-ups: the list's name, the address and length of the text (only texts
/// borrowed from the subject or the policy, which outlive the decision, so an address names
/// one text), and the entry found. A few slots, reused in turn.
#[derive(Default)]
struct Looked<'a> {
    slots: [(&'a str, usize, usize, Option<usize>); 8],
    /// Slots filled, and the one to fill next.
    len: usize,
    next: usize,
}

impl<'a> Looked<'a> {
    fn get(&self, key: (&str, usize, usize)) -> Option<Option<usize>> {
        self.slots
            .iter()
            .take(self.len)
            // `same`, not `==`: most slots hold the same text (the category) for other
            // lists, and `==` called `memcmp` for each.
            .find(|s| {
                (s.1, s.2) == (key.1, key.2)
                    && crate::schema::same(s.0.as_bytes(), key.0.as_bytes())
            })
            .map(|s| s.3)
    }

    fn put(&mut self, key: (&'a str, usize, usize), found: Option<usize>) {
        let n = self.slots.len();
        if let Some(slot) = self.slots.get_mut(self.next) {
            *slot = (key.0, key.1, key.2, found);
        }
        self.next = (self.next + 1) % n;
        self.len = (self.len + 1).min(n);
    }
}

impl<'a> Env<'a> {
    /// The list named `name`: found by the name's address when it is one the rules name
    /// (see [`Compiled::lists`]), else by the name.
    fn list(&self, name: &str) -> Option<&'a ListIndex> {
        let policy = self.policy;
        match policy.compiled.lists.get(name) {
            Some(at) => policy.list_indexes.get(at),
            None => policy.list_index(name),
        }
    }

    /// The entry of list `list` that `text` names (`None`: no such list), remembered for
    /// the decision when `text` is borrowed from the subject or the policy (see [`Looked`]).
    fn find_listed(&self, list: &'a str, text: &str, borrowed: bool) -> Option<Option<usize>> {
        let t = text;
        if !borrowed {
            return Some(self.find_text(self.list(list)?, text));
        }
        // Checked before the list's index is looked up (`Env::list`).
        let key = (list, t.as_ptr() as usize, t.len());
        if let Some(found) = self.looked.borrow().get(key) {
            return Some(found);
        }
        let found = self.find_text(self.list(list)?, t);
        self.looked.borrow_mut().put(key, found);
        Some(found)
    }

    /// The entry a text names: an exact hit first (list keys are normal), else the text's
    /// normal form.
    fn find_text(&self, index: &ListIndex, text: &str) -> Option<usize> {
        if let Some(i) = index.keys.get(text) {
            return Some(*i);
        }
        let mut cache = self.normal.borrow_mut();
        if cache.0 != text {
            let normal = match canonical(text, &self.policy.variants) {
                Cow::Borrowed(b) if b.len() == text.len() => None,
                other => Some(other.into_owned()),
            };
            // The buffer is reused: one allocation a decision, not one a text.
            cache.0.clear();
            cache.0.push_str(text);
            cache.1 = normal;
        }
        cache.1.as_deref().and_then(|n| index.keys.get(n).copied())
    }

    /// Test a value against a named list as `op` says, before negation: `None` when it
    /// cannot be tested (an absent value; a non-text for `包含`). `包含` on a list of texts
    /// holds when any element mentions an entry.
    fn list_test(&self, op: ListOp, list: &'a str, v: &Val) -> Option<bool> {
        if !op.mentions() {
            return self.lookup(list, v);
        }
        let index = self.list(list)?;
        let mention = |t: &str| {
            let found = index.mentioned_in(&canonical(t, &self.policy.variants));
            if let (Some(i), Some(trace)) = (found, self.trace) {
                trace.borrow_mut().entries.push((list.to_owned(), i));
            }
            found.is_some()
        };
        match v {
            Val::Text(t) => Some(mention(t)),
            Val::List(items) => Some(
                items
                    .iter()
                    .filter_map(|i| match i {
                        Value::Text(t) => Some(t),
                        _ => None,
                    })
                    .any(|t| mention(t)),
            ),
            Val::Absent => None,
            _ => Some(false),
        }
    }

    /// Look a value up in a named list; `None` when it cannot be looked up (not a text).
    fn lookup(&self, list: &'a str, v: &Val) -> Option<bool> {
        let found = match v {
            Val::Text(t) => self.find_listed(list, t, matches!(t, Cow::Borrowed(_)))?,
            other => self.list(list)?.find(other)?,
        };
        if let (Some(i), Some(trace)) = (found, self.trace) {
            trace.borrow_mut().entries.push((list.to_owned(), i));
        }
        Some(found.is_some())
    }

    fn field(&self, path: &Path) -> Val<'a> {
        match self.subject.lookup(&path.fields) {
            Err(true) => self.declared_default(path),
            Err(false) | Ok(Value::Null) => Val::Absent,
            Ok(v) => from_value(v),
        }
    }

    /// An absent field a policy declared with `默认`: its default (the contract's own
    /// defaults are the subject's, [`Subject::get`]; a field given as `null` is given).
    fn declared_default(&self, path: &Path) -> Val<'a> {
        self.policy
            .compiled
            .defaults
            .iter()
            .find(|(kind, fields, _)| *kind == path.kind && *fields == path.fields)
            .map_or(Val::Absent, |(_, _, text)| Val::Text(Cow::Borrowed(text)))
    }

    /// The value of `e` (borrowing the policy's texts: no copy a comparison).
    fn value(&self, e: &'a Expr) -> Val<'a> {
        match &*e.kind {
            ExprKind::Literal(l) => match l {
                Literal::Text(t) => Val::Text(Cow::Borrowed(t)),
                Literal::Number(n) => Val::Num(*n),
                Literal::Date(d) => Val::Date(*d),
                Literal::Bool(b) => Val::Bool(*b),
                Literal::Duration(d) => Val::Duration(*d),
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
            ExprKind::CountList { list, quoted_only } => {
                self.policy.list_decl(&list.node).map_or(Val::Absent, |l| {
                    let n = l
                        .entries
                        .iter()
                        .filter(|e| !*quoted_only || !e.example)
                        .count();
                    Val::Num(n as f64)
                })
            }
            ExprKind::DaysBetween(a, b) => {
                match (as_date(&self.value(a)), as_date(&self.value(b))) {
                    (Some(x), Some(y)) => Val::Num((y.to_days() - x.to_days()) as f64),
                    _ => Val::Absent,
                }
            }
            ExprKind::Arith(op, a, b) => match (self.value(a), self.value(b)) {
                // Division by zero gives no value: the comparison becomes unknown, and the
                // rule undecided (not a pass).
                (Val::Num(x), Val::Num(y)) => op.apply(x, y).map_or_else(
                    || {
                        self.arith_failed.set(true);
                        Val::Absent
                    },
                    Val::Num,
                ),
                (date, Val::Duration(d)) if *op == ArithOp::Add || *op == ArithOp::Sub => {
                    let sign = if *op == ArithOp::Sub { -1 } else { 1 };
                    as_date(&date).map_or(Val::Absent, |x| Val::Date(shift(x, &d, sign)))
                }
                (Val::Duration(d), date) if *op == ArithOp::Add => {
                    as_date(&date).map_or(Val::Absent, |x| Val::Date(shift(x, &d, 1)))
                }
                _ => Val::Absent,
            },
            _ => match self.truth(e) {
                Truth::True => Val::Bool(true),
                Truth::False => Val::Bool(false),
                Truth::Unknown => Val::Absent,
            },
        }
    }

    /// Whether a field is typed yes/no, by the contract or by the policy's declaration.
    fn is_yes_no(&self, path: &Path) -> bool {
        let declared = self
            .policy
            .ast
            .fields
            .iter()
            .find(|f| f.path.kind == path.kind && f.path.fields == path.fields);
        match declared {
            Some(f) => f.ty.node == DeclaredType::Bool,
            None => matches!(
                crate::schema::resolve(path.kind, &path.fields),
                Ok(crate::schema::FieldType::Bool)
            ),
        }
    }

    fn passes(
        &self,
        item: &Value,
        filter: Option<&'a (ListOp, crate::source::Spanned<String>)>,
    ) -> bool {
        let Some((op, list)) = filter else {
            return true;
        };
        let inside = match item {
            Value::Text(t) => {
                self.list_test(*op, &list.node, &Val::Text(Cow::Borrowed(t))) == Some(true)
            }
            _ => false,
        };
        inside != op.negated()
    }

    fn truth(&self, e: &'a Expr) -> Truth {
        match &*e.kind {
            ExprKind::Field(path) => match self.value(e) {
                Val::Bool(b) => Truth::from(b),
                // An absent yes/no field is unknown; any other bare field means "given",
                // which an absent field is not (so `非 事项.basis` holds without a basis).
                Val::Absent if self.is_yes_no(path) => Truth::Unknown,
                Val::Absent => Truth::False,
                // A bare non-boolean field reads as "is given".
                v => Truth::from(is_given(&v)),
            },
            ExprKind::Literal(Literal::Bool(b)) => Truth::from(*b),
            ExprKind::Literal(_)
            | ExprKind::Today
            | ExprKind::CountField { .. }
            | ExprKind::CountList { .. }
            | ExprKind::DaysBetween(..)
            | ExprKind::Arith(..) => Truth::Unknown,
            ExprKind::Contains { value, needle } => {
                let Val::Text(needle) = self.value(needle) else {
                    return Truth::Unknown;
                };
                let variants = &self.policy.variants;
                let needle = canonical(&needle, variants);
                let has = |t: &str| canonical(t, variants).contains(needle.as_ref());
                match self.value(value) {
                    Val::Text(t) => Truth::from(has(&t)),
                    Val::List(items) => Truth::from(items.iter().any(|i| match i {
                        Value::Text(t) => has(t),
                        _ => false,
                    })),
                    Val::Absent => Truth::Unknown,
                    _ => Truth::False,
                }
            }
            ExprKind::Quantified {
                quantifier,
                path,
                op,
                list,
            } => {
                let Val::List(items) = self.field(path) else {
                    // An absent list: nothing in it breaks an `any`, everything satisfies `all`.
                    return Truth::from(*quantifier == Quantifier::All);
                };
                if self.list(&list.node).is_none() {
                    return Truth::Unknown;
                }
                let test = |item: &Value| match item {
                    Value::Text(t) => {
                        (self.list_test(*op, &list.node, &Val::Text(Cow::Borrowed(t)))
                            == Some(true))
                            != op.negated()
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
            ExprKind::Compare(op, a, b) => {
                compare(*op, &self.value(a), &self.value(b), &self.policy.variants)
            }
            ExprKind::InList { value, op, list } => {
                let v = self.value(value);
                match self.list_test(*op, &list.node, &v) {
                    Some(inside) => Truth::from(inside != op.negated()),
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

    /// A message with its fields quoted in, appended to `out`. `aliases` holds the fields
    /// whose text matched a list entry through one of its aliases, with that entry: each such
    /// field is followed by `（即「ENTRY」）`, after the `」` that closes it when it is quoted,
    /// so the message never presents an alias as the list's own entry.
    fn render(&self, message: &'a Message, aliases: &[(&Path, String)], out: &mut String) {
        let mut note: Option<&str> = None;
        for part in &message.parts {
            match part {
                MessagePart::Text(t) => match note.take() {
                    Some(entry) => match t.strip_prefix('」') {
                        Some(rest) => {
                            out.push_str(&format!("」（即「{entry}」）"));
                            out.push_str(rest);
                        }
                        None => {
                            out.push_str(&format!("（即「{entry}」）"));
                            out.push_str(t);
                        }
                    },
                    None => out.push_str(t),
                },
                MessagePart::Field { path, filter } => {
                    if let Some(entry) = note.take() {
                        out.push_str(&format!("（即「{entry}」）"));
                    }
                    match self.field(path) {
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
                        // A text as it is, without the copy `display` makes.
                        Val::Text(t) => out.push_str(&t),
                        v => out.push_str(&display(&v)),
                    }
                    note = aliases
                        .iter()
                        .find(|(p, _)| p.kind == path.kind && p.fields == path.fields)
                        .map(|(_, entry)| entry.as_str());
                }
            }
        }
        if let Some(entry) = note {
            out.push_str(&format!("（即「{entry}」）"));
        }
    }

    /// The fields a rule's condition found on a list under another name than the entry's
    /// own: through an alias (`属于`), or mentioned inside a longer text (`包含`: 开具无犯罪记录
    /// 证明 mentions 无犯罪记录证明), each with the entry it matched.
    fn aliases_matched(&self, index: usize) -> Vec<(&'a Path, String)> {
        let mut out = Vec::new();
        let variants = &self.policy.variants;
        let tests = self.policy.compiled.list_tests.get(index);
        for (path, op, list) in tests.into_iter().flatten() {
            let (path, op) = (path, *op);
            let Val::Text(text) = self.field(path) else {
                continue;
            };
            // The entry first (most often remembered from deciding), the list's declaration
            // only for a text found on it.
            let found = match op {
                ListOp::In => self
                    .find_listed(list, &text, matches!(text, Cow::Borrowed(_)))
                    .flatten(),
                ListOp::Mentions => self
                    .list(list)
                    .and_then(|index| index.mentioned_in(&canonical(&text, variants))),
                ListOp::NotIn | ListOp::NotMentions => None,
            };
            let Some(entry) = found.and_then(|i| self.policy.list_decl(list)?.entries.get(i))
            else {
                continue;
            };
            let Literal::Text(entry) = &entry.value.node else {
                continue;
            };
            // The entry itself, as written (the usual case), is no alias.
            if *entry != *text
                && canonical(entry, variants) != canonical(&text, variants)
                && !out
                    .iter()
                    .any(|(p, _): &(&Path, String)| p.fields == path.fields)
            {
                out.push((path, entry.clone()));
            }
        }
        out
    }

    /// The clauses a reason for rule `index` credits beyond the rule's own: those of each
    /// entry added with `追加 引用 …` that its condition matched (see [`credited_tests`]),
    /// in the condition's order, each once.
    fn entry_cites(&self, index: usize) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let Some(tests) = self.policy.compiled.credited_tests.get(index) else {
            return out;
        };
        let own = self
            .policy
            .ast
            .rules
            .get(index)
            .map_or(&[][..], |r| &r.cite);
        for (path, op, list) in tests {
            let (Some(index), Some(decl)) = (self.list(list), self.policy.list_decl(list)) else {
                continue;
            };
            let entry_of = |text: &str| -> Option<usize> {
                match op {
                    ListOp::Mentions => index.mentioned_in(&canonical(text, &self.policy.variants)),
                    _ => self.find_text(index, text),
                }
            };
            let found: Vec<usize> = match self.field(path) {
                Val::Text(t) => entry_of(&t).into_iter().collect(),
                v @ Val::Num(_) if *op == ListOp::In => {
                    index.find(&v).flatten().into_iter().collect()
                }
                Val::List(items) => items
                    .iter()
                    .filter_map(|i| match i {
                        Value::Text(t) => entry_of(t),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for id in found
                .into_iter()
                .filter_map(|i| decl.entries.get(i))
                .flat_map(|e| &e.cite)
            {
                if !own.iter().any(|c| c.node == id.node) && !out.contains(&id.node) {
                    out.push(id.node.clone());
                }
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
        Val::Duration(d) => crate::markup::literal_text(&Literal::Duration(*d)),
        Val::List(_) | Val::Object => String::new(),
    }
}

fn as_date(v: &Val) -> Option<Date> {
    match v {
        Val::Date(d) => Some(*d),
        Val::Text(t) => text_date(t),
        _ => None,
    }
}

/// A text that is a date once trimmed, as input reads dates: a subject built in code may
/// hold `" 2020-06-01 "`, and compares as the date it names.
fn text_date(t: &str) -> Option<Date> {
    Date::parse(t.trim())
}

fn compare(op: CompareOp, a: &Val, b: &Val, variants: &[(String, String)]) -> Truth {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match (a, b) {
        (Val::Absent, _) | (_, Val::Absent) => return Truth::Unknown,
        (Val::Num(x), Val::Num(y)) => x.partial_cmp(y),
        (Val::Date(_), _) | (_, Val::Date(_)) => match (as_date(a), as_date(b)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => None,
        },
        // Two dates read from the subject are texts: ordered as dates when both are.
        (Val::Text(x), Val::Text(y))
            if !matches!(op, CompareOp::Eq | CompareOp::Ne)
                && text_date(x).is_some()
                && text_date(y).is_some() =>
        {
            text_date(x).zip(text_date(y)).map(|(a, b)| a.cmp(&b))
        }
        // The same text: the same canonical form (most `==` against a literal).
        (Val::Text(x), Val::Text(y)) if x == y => {
            return match op {
                CompareOp::Eq => Truth::True,
                CompareOp::Ne => Truth::False,
                _ => Truth::Unknown,
            };
        }
        // NFKC leaves ASCII as it is: two ASCII texts compare trimmed (most `==` against a
        // literal such as `"approved"`), without normalising either.
        (Val::Text(x), Val::Text(y)) if variants.is_empty() && x.is_ascii() && y.is_ascii() => {
            let same = crate::normalize::trim(x) == crate::normalize::trim(y);
            return match op {
                CompareOp::Eq => Truth::from(same),
                CompareOp::Ne => Truth::from(!same),
                _ => Truth::Unknown,
            };
        }
        (Val::Text(x), Val::Text(y)) => {
            let (x, y) = (canonical(x, variants), canonical(y, variants));
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

/// The field a requirement reads, dotted (`approval.by`): the first it names.
fn requirement_field(req: &Requirement) -> Option<String> {
    req.expr.paths().first().map(|p| p.fields.join("."))
}

/// Which outcome a rule that held reached (see `find_in`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hit {
    Deny,
    Admit,
    Refer,
    /// An admit rule whose requirements did not all hold.
    Partial,
    Violation,
    Undecided,
}

/// The buffers a decision fills, kept on each thread between decisions: allocating them
/// afresh was about 3.5 allocations a decision, and reusing them took 1 % of the
/// instructions off `eval` on the 10k peer file (173.0 M -> 171.3 M, callgrind). A decision
/// that does not give its buffers back (any but [`decide_json`]) only leaves the next one
/// to allocate.
#[derive(Default)]
struct Spare {
    hits: Vec<(Hit, Decider)>,
    reasons: Vec<Decider>,
    missing: Vec<(usize, usize)>,
    exceptions: Vec<usize>,
    message: String,
}

/// A buffer grown past this (a long text quoted in a message) is let go rather than held
/// for the thread's life.
const SPARE_AT_MOST: usize = 64 * 1024;

thread_local! {
    static SPARE: std::cell::Cell<Spare> = const {
        std::cell::Cell::new(Spare {
            hits: Vec::new(),
            reasons: Vec::new(),
            missing: Vec::new(),
            exceptions: Vec::new(),
            message: String::new(),
        })
    };
}

thread_local! {
    /// The buffer of [`Env`]'s last normalised text, kept as [`Spare`] is: one allocation a
    /// decision (171.3 M -> 169.7 M instructions on the same file).
    static SPARE_TEXT: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
}

impl Spare {
    /// This thread's buffers (empty ones while the thread is being torn down).
    fn take() -> Spare {
        SPARE.try_with(std::cell::Cell::take).unwrap_or_default()
    }

    fn take_text() -> String {
        SPARE_TEXT
            .try_with(std::cell::Cell::take)
            .unwrap_or_default()
    }

    fn put_back_text(mut text: String) {
        if text.capacity() <= SPARE_AT_MOST {
            text.clear();
            let _ = SPARE_TEXT.try_with(|s| s.set(text));
        }
    }

    fn put_back(self) {
        let _ = SPARE.try_with(|s| s.set(self));
    }

    /// Put `found`'s buffers back with these, emptied (a message buffer past
    /// [`SPARE_AT_MOST`] is let go).
    fn keep(mut self, found: Found) {
        let Found {
            mut reasons,
            mut missing,
            mut exceptions,
            ..
        } = found;
        reasons.clear();
        missing.clear();
        exceptions.clear();
        (self.reasons, self.missing, self.exceptions) = (reasons, missing, exceptions);
        if self.message.capacity() > SPARE_AT_MOST {
            self.message = String::new();
        }
        self.put_back();
    }
}

impl Drop for Env<'_> {
    fn drop(&mut self) {
        Spare::put_back_text(std::mem::take(&mut self.normal.get_mut().0));
    }
}

/// What evaluation found, before anything is rendered: the verdict, the deciding rules (by
/// index; `None` is the fallback reason) and the failed requirements `(rule, requirement)`.
pub(crate) struct Found {
    pub verdict: Verdict,
    pub reasons: Vec<Decider>,
    pub missing: Vec<(usize, usize)>,
    /// Rules whose condition held but whose exception (`除非`) held too.
    pub exceptions: Vec<usize>,
}

/// What a reason stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decider {
    /// A rule, by index.
    Rule(usize),
    /// No rule speaks to the task.
    NoRule,
    /// No version of the policy is in force on the date.
    NotInForce,
    /// An admit rule that applied but whose requirements failed, named when no refer rule
    /// applied: its reason says what failed.
    Unmet(usize),
    /// A rule whose condition could not be told because its arithmetic failed (a division
    /// by zero): reported, never taken for a pass.
    Undecided(usize),
    /// No rule of the policy is about this kind of subject (community, assessment).
    NoRuleCovers,
}

/// Per-policy data computed once at load, so deciding allocates little: the `missing` name
/// of each requirement, and each rule's reason as JSON around its message.
#[derive(Debug, Default)]
pub(crate) struct Compiled {
    labels: Vec<Vec<String>>,
    /// The field each requirement reads (dotted), for [`MissingItem::field`].
    fields: Vec<Vec<Option<String>>>,
    /// Each requirement's [`MissingItem`] as JSON, for `missing_items`.
    missing_json: Vec<Vec<String>>,
    json_head: Vec<String>,
    json_tail: Vec<String>,
    fallback_json: String,
    /// For each rule, the list tests of its condition that can match through an alias
    /// (`属于`/`包含` on a field), in the condition's order: what [`Env::aliases_matched`]
    /// looks at, found once instead of walking the condition for every message.
    list_tests: Vec<Vec<(Path, ListOp, String)>>,
    /// For each rule, the list tests of its condition that may match an entry added with
    /// `追加 引用 …` (see [`credited_tests`]): empty for almost every rule, so only a rule
    /// that reads such a list looks again at what it matched.
    credited_tests: Vec<Vec<(Path, ListOp, String)>>,
    /// The policy's `policy` object as JSON after its name (`,"title":…}`): all of it but
    /// the name is fixed at load, and the name may change (`Policy::named`).
    decided_by_tail: String,
    /// The chain's declared fields with a `默认`: kind, names, value (usually none, so an
    /// absent field costs one empty scan).
    defaults: Vec<(SubjectKind, Vec<String>, String)>,
    /// The position of each list the rules name, by the address of the name in the rules
    /// (and in `list_tests`): found without hashing the name, as each look-up of a text not
    /// yet looked up in a decision did (1.7 % of deciding the peer file).
    lists: NameTable,
}

/// A text's address and length to a number, for names held in the policy's AST or in
/// [`Compiled`], which never move: the AST is shared behind an `Arc` and never changes.
/// Open-addressed; a look-up is a multiplication and, mostly, one comparison. A name not
/// held there (or empty) is not found, and the caller looks it up by its text.
#[derive(Debug, Default)]
struct NameTable {
    /// Address (0: empty slot), length, number; a power of two long, at most half full.
    entries: Vec<(usize, usize, usize)>,
}

impl NameTable {
    fn new(names: &[(&str, usize)]) -> NameTable {
        let size = (names.len() * 2).next_power_of_two().max(8);
        let mut entries = vec![(0, 0, 0); size];
        for &(name, n) in names {
            if name.is_empty() {
                continue;
            }
            let key = (name.as_ptr().addr(), name.len());
            let mut at = NameTable::home(key.0, size);
            while let Some(e) = entries.get_mut(at) {
                if e.0 == 0 || (e.0, e.1) == key {
                    *e = (key.0, key.1, n);
                    break;
                }
                at = (at + 1) & (size - 1);
            }
        }
        NameTable { entries }
    }

    fn home(addr: usize, size: usize) -> usize {
        // Fibonacci hashing: the high bits of the product are the well-mixed ones.
        addr.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (usize::BITS - size.trailing_zeros())
    }

    fn get(&self, name: &str) -> Option<usize> {
        let size = self.entries.len();
        if size == 0 || name.is_empty() {
            return None;
        }
        let key = (name.as_ptr().addr(), name.len());
        let mut at = NameTable::home(key.0, size);
        loop {
            match self.entries.get(at) {
                Some(&(a, len, n)) if (a, len) == key => return Some(n),
                Some(&(a, _, _)) if a != 0 => at = (at + 1) & (size - 1),
                _ => return None,
            }
        }
    }
}

fn exception_of(policy: &Policy, index: usize) -> Option<Exception> {
    let rule = policy.ast.rules.get(index)?;
    let unless = rule.unless.as_ref()?;
    Some(Exception::new(
        rule.name.node.clone(),
        policy.rule_source(index).slice(unless.span).to_owned(),
        policy.rule_position(index),
    ))
}

impl Compiled {
    /// Whether rule `index` may credit clauses of matched entries ([`Env::entry_cites`]).
    fn credits(&self, index: usize) -> bool {
        self.credited_tests
            .get(index)
            .is_some_and(|t| !t.is_empty())
    }

    pub(crate) fn build(policy: &Policy) -> Compiled {
        let mut c = Compiled::default();
        for f in &policy.ast.fields {
            if let Some(default) = &f.default {
                c.defaults
                    .push((f.path.kind, f.path.fields.clone(), default.node.clone()));
            }
        }
        for (i, rule) in policy.ast.rules.iter().enumerate() {
            c.labels.push(
                rule.requirements
                    .iter()
                    .map(|r| requirement_label(r, rule))
                    .collect(),
            );
            c.fields
                .push(rule.requirements.iter().map(requirement_field).collect());
            c.missing_json.push(
                rule.requirements
                    .iter()
                    .map(|r| {
                        let item = MissingItem::new(
                            requirement_label(r, rule),
                            requirement_field(r),
                            policy.rule_source(i).slice(r.expr.span).to_owned(),
                            rule.name.node.clone(),
                            r.expr.span,
                        );
                        serde_json::to_string(&item).unwrap_or_default()
                    })
                    .collect(),
            );
            c.list_tests.push(list_tests(rule));
            c.credited_tests.push(credited_tests(policy, rule));
            let reason = policy.reason(i, rule, Some(String::new()));
            let json = serde_json::to_string(&reason).unwrap_or_default();
            // Split the serialised reason around its (empty) message.
            let marker = "\"message\":\"\"";
            let (head, tail) = json.split_once(marker).unwrap_or((&json, ""));
            c.json_head.push(format!("{head}\"message\":"));
            c.json_tail.push(tail.to_owned());
        }
        c.lists = list_names(policy, &c.list_tests);
        c.fallback_json = serde_json::to_string(&Reason::fallback()).unwrap_or_default();
        let by = DecidedBy::new(
            "",
            policy.title(),
            policy.effective(),
            policy.content_hash(),
        );
        let json = serde_json::to_string(&by).unwrap_or_default();
        c.decided_by_tail = json
            .strip_prefix("{\"name\":\"\"")
            .unwrap_or_default()
            .to_owned();
        c
    }
}

/// [`Compiled::lists`]: each list name in the rules' conditions, requirements and messages,
/// and in `list_tests`, to the list's position.
fn list_names(policy: &Policy, list_tests: &[Vec<(Path, ListOp, String)>]) -> NameTable {
    let mut names: Vec<&str> = policy
        .ast
        .rules
        .iter()
        .flat_map(RuleDecl::lists_read)
        .collect();
    names.extend(
        list_tests
            .iter()
            .flatten()
            .map(|(_, _, list)| list.as_str()),
    );
    let found: Vec<(&str, usize)> = names
        .into_iter()
        .filter_map(|name| Some((name, policy.list_position(name)?)))
        .collect();
    NameTable::new(&found)
}

/// The list tests of a rule's condition that [`Env::aliases_matched`] reads: `属于` and
/// `包含` with a field on the left.
fn list_tests(rule: &RuleDecl) -> Vec<(Path, ListOp, String)> {
    let Some(when) = &rule.when else {
        return Vec::new();
    };
    when.subexpressions()
        .filter_map(|e| match &*e.kind {
            ExprKind::InList { value, op, list } if matches!(op, ListOp::In | ListOp::Mentions) => {
                match &*value.kind {
                    ExprKind::Field(path) => Some((path.clone(), *op, list.node.clone())),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// The list tests of a rule's condition whose matched entries a reason credits: `属于` and
/// `包含` (for each element with `任一`/`所有`) on a field, outside any `非`, on a list with
/// an entry that cites clauses of its own (added with `追加 引用 …`).
fn credited_tests(policy: &Policy, rule: &RuleDecl) -> Vec<(Path, ListOp, String)> {
    fn walk(e: &Expr, out: &mut Vec<(Path, ListOp, String)>) {
        let (path, op, list) = match &*e.kind {
            ExprKind::Not(_) => return,
            ExprKind::InList { value, op, list } => match &*value.kind {
                ExprKind::Field(path) => (path, *op, list),
                _ => return,
            },
            ExprKind::Quantified { path, op, list, .. } => (path, *op, list),
            _ => {
                for child in e.children() {
                    walk(child, out);
                }
                return;
            }
        };
        if matches!(op, ListOp::In | ListOp::Mentions) {
            out.push((path.clone(), op, list.node.clone()));
        }
    }
    let mut out = Vec::new();
    if let Some(when) = &rule.when {
        walk(when, &mut out);
    }
    out.retain(|(_, _, list)| {
        policy
            .list_decl(list)
            .is_some_and(|l| l.entries.iter().any(|e| !e.cite.is_empty()))
    });
    out
}

/// Append `text` as a JSON string, as serde_json writes it: most texts need no escape and
/// are copied whole (the check has no early exit, so it vectorises).
fn write_json_str(out: &mut Vec<u8>, text: &str) {
    let plain = !text.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.reserve(text.len() + 2);
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *out, text);
    }
}

/// Decide as if the policy were in force on `today`, whatever its dates: what `diff`
/// asks of two versions ("what would change if the new one replaced the old").
pub(crate) fn decide_as_if_in_force(policy: &Policy, subject: &Subject, today: Date) -> Decision {
    let found = find_within(policy, subject, today, None, false);
    to_decision(policy, subject, today, &found)
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
/// [`Decision`]) to `out`, without building the owned decision; the verdict is returned
/// for callers that count.
pub(crate) fn decide_json(
    policy: &Policy,
    subject: &Subject,
    today: Date,
    out: &mut Vec<u8>,
) -> Verdict {
    // One environment for deciding and for the messages: a text normalised for a list
    // lookup is not normalised again for the message.
    let env = Env::new(policy, subject, today, None);
    let found = find_in(&env, true);
    let c = &policy.compiled;
    if found.verdict == Verdict::NotInForce {
        // Rare: take the owned path rather than precompute this reason.
        let decision = to_decision(policy, subject, today, &found);
        let _ = serde_json::to_writer(&mut *out, &decision);
        return found.verdict;
    }
    let mut spare = Spare::take();
    out.extend_from_slice(b"{\"subject\":\"");
    out.extend_from_slice(subject.kind().as_str().as_bytes());
    out.push(b'"');
    if let Some(id) = subject.id() {
        out.extend_from_slice(b",\"id\":");
        write_json_str(out, id);
    }
    out.extend_from_slice(b",\"verdict\":\"");
    out.extend_from_slice(found.verdict.as_str().as_bytes());
    out.extend_from_slice(b"\",\"reasons\":[");
    for (n, reason) in found.reasons.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let rule = rule_of(policy, *reason);
        let credited = match (reason, rule) {
            (Decider::Rule(_) | Decider::Unmet(_) | Decider::Undecided(_), Some((i, _)))
                if c.credits(i) =>
            {
                env.entry_cites(i)
            }
            _ => Vec::new(),
        };
        match rule {
            // Rare (an entry added with `追加 引用 …` matched): the reason's clauses are not
            // the precomputed ones.
            Some((i, rule)) if !credited.is_empty() => {
                let message = match reason {
                    Decider::Unmet(_) => unmet_message(&env, i, rule),
                    Decider::Undecided(_) => undecided_message(&env, i, rule),
                    _ => rule_message(&env, i, rule),
                };
                let reason = policy
                    .reason(i, rule, Some(message))
                    .crediting(credited, policy);
                let _ = serde_json::to_writer(&mut *out, &reason);
            }
            Some((i, rule)) => {
                out.extend_from_slice(c.json_head.get(i).map_or("", String::as_str).as_bytes());
                match reason {
                    Decider::Unmet(_) => write_json_str(out, &unmet_message(&env, i, rule)),
                    Decider::Undecided(_) => {
                        write_json_str(out, &undecided_message(&env, i, rule));
                    }
                    _ => {
                        spare.message.clear();
                        rule_message_into(&env, i, rule, &mut spare.message);
                        write_json_str(out, &spare.message);
                    }
                }
                out.extend_from_slice(c.json_tail.get(i).map_or("", String::as_str).as_bytes());
            }
            None if *reason == Decider::NoRuleCovers => {
                let _ = serde_json::to_writer(&mut *out, &Reason::no_rule_covers(subject.kind));
            }
            None => out.extend_from_slice(c.fallback_json.as_bytes()),
        }
    }
    out.extend_from_slice(b"],\"missing\":");
    write_missing(out, &found.missing, &c.labels, true);
    let exceptions: Vec<Exception> = found
        .exceptions
        .iter()
        .filter_map(|i| exception_of(policy, *i))
        .collect();
    if !exceptions.is_empty() {
        out.extend_from_slice(b",\"exceptions\":");
        let _ = serde_json::to_writer(&mut *out, &exceptions);
    }
    if !found.missing.is_empty() {
        out.extend_from_slice(b",\"missing_items\":");
        write_missing(out, &found.missing, &c.missing_json, false);
    }
    out.extend_from_slice(b",\"policy\":{\"name\":");
    out.extend_from_slice(policy.name_json().as_bytes());
    out.extend_from_slice(c.decided_by_tail.as_bytes());
    out.push(b'}');
    let verdict = found.verdict;
    spare.keep(found);
    verdict
}

/// Write a JSON array with one item for each failed `(rule, requirement)`, taken from the
/// per-requirement `table`: quoted as a JSON string, or as it is (already JSON).
fn write_missing(
    out: &mut Vec<u8>,
    missing: &[(usize, usize)],
    table: &[Vec<String>],
    quote: bool,
) {
    out.push(b'[');
    for (n, (rule, req)) in missing.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        let item = table
            .get(*rule)
            .and_then(|l| l.get(*req))
            .map_or("", String::as_str);
        if quote {
            write_json_str(out, item);
        } else {
            out.extend_from_slice(item.as_bytes());
        }
    }
    out.push(b']');
}

fn rule_of(policy: &Policy, decider: Decider) -> Option<(usize, &RuleDecl)> {
    match decider {
        Decider::Rule(i) | Decider::Unmet(i) | Decider::Undecided(i) => {
            Some((i, policy.ast.rules.get(i)?))
        }
        Decider::NoRule | Decider::NotInForce | Decider::NoRuleCovers => None,
    }
}

/// What failed for an admit rule whose requirements did not all hold: never its admit
/// message, which describes an admission that did not happen.
fn unmet_message<'a>(env: &Env<'a>, index: usize, rule: &'a RuleDecl) -> String {
    let labels: Vec<&str> = rule
        .requirements
        .iter()
        .enumerate()
        .filter(|(_, req)| env.truth(&req.expr) != Truth::True)
        .filter_map(|(q, _)| {
            env.policy
                .compiled
                .labels
                .get(index)
                .and_then(|l| l.get(q))
                .map(String::as_str)
        })
        .collect();
    let what = env
        .subject
        .category()
        .map(|c| format!("「{c}」"))
        .unwrap_or_default();
    format!(
        "{what}未满足规则「{}」的准入要求，尚缺：{} — not admitted: the requirements of this rule are not met",
        rule.name.node,
        labels.join("、")
    )
}

/// A violation rule that could not be told: its condition, and why — a division by zero,
/// else the fields it reads that the subject does not give (each once, in the order the
/// condition names them).
fn undecided_message<'a>(env: &Env<'a>, index: usize, rule: &'a RuleDecl) -> String {
    let Some(when) = &rule.when else {
        return String::new();
    };
    let condition = env.policy.rule_source(index).slice(when.span);
    env.arith_failed.set(false);
    let _ = env.truth(when);
    if env.arith_failed.get() {
        return format!(
            "无法判定：条件「{condition}」的计算中除数为零 — cannot be decided: its condition divides by zero"
        );
    }
    let mut absent: Vec<String> = Vec::new();
    for path in when.paths() {
        let dotted = path.dotted();
        if matches!(env.field(path), Val::Absent) && !absent.contains(&dotted) {
            absent.push(dotted);
        }
    }
    if absent.is_empty() {
        return format!(
            "无法判定：条件「{condition}」对这一对象无法判定 — cannot be decided: its condition is unknown for this subject"
        );
    }
    format!(
        "无法判定：条件「{condition}」所需的字段未提供：{} — cannot be decided: its condition reads {}, not given",
        absent.join("、"),
        absent.join(", ")
    )
}

fn rule_message<'a>(env: &Env<'a>, index: usize, rule: &'a RuleDecl) -> String {
    // Room for the message at once: growing it part by part was three reallocations a
    // message.
    let mut out = String::with_capacity(128);
    rule_message_into(env, index, rule, &mut out);
    out
}

/// [`rule_message`] appended to `out`.
fn rule_message_into<'a>(env: &Env<'a>, index: usize, rule: &'a RuleDecl, out: &mut String) {
    match rule.outcome.node.message() {
        Some(m) => env.render(m, &env.aliases_matched(index), out),
        None => out.push_str(&rule.name.node),
    }
}

fn to_decision(policy: &Policy, subject: &Subject, today: Date, found: &Found) -> Decision {
    let env = Env::new(policy, subject, today, None);
    let reasons = found
        .reasons
        .iter()
        .map(|r| match (r, rule_of(policy, *r)) {
            (Decider::Unmet(_), Some((i, rule))) => policy
                .reason(i, rule, Some(unmet_message(&env, i, rule)))
                .crediting(env.entry_cites(i), policy),
            // Credited as every reason is: the README's rule for 追加 has no exception.
            (Decider::Undecided(_), Some((i, rule))) => policy
                .reason(i, rule, Some(undecided_message(&env, i, rule)))
                .crediting(env.entry_cites(i), policy),
            (Decider::NoRuleCovers, None) => Reason::no_rule_covers(subject.kind),
            (_, Some((i, rule))) => policy
                .reason(i, rule, Some(rule_message(&env, i, rule)))
                .crediting(env.entry_cites(i), policy),
            (Decider::NotInForce, None) => policy.not_in_force(today),
            _ => Reason::fallback(),
        })
        .collect();
    let missing = found
        .missing
        .iter()
        .filter_map(|(r, q)| {
            let rule = policy.ast.rules.get(*r)?;
            let req = rule.requirements.get(*q)?;
            Some(MissingItem::new(
                policy.compiled.labels.get(*r)?.get(*q)?.clone(),
                policy.compiled.fields.get(*r)?.get(*q)?.clone(),
                policy.rule_source(*r).slice(req.expr.span).to_owned(),
                rule.name.node.clone(),
                req.expr.span,
            ))
        })
        .collect();
    let exceptions = found
        .exceptions
        .iter()
        .filter_map(|i| exception_of(policy, *i))
        .collect();
    Decision::new(
        subject,
        found.verdict,
        reasons,
        missing,
        exceptions,
        policy.decided_by(),
    )
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
            normal: std::cell::RefCell::new((Spare::take_text(), None)),
            looked: Default::default(),
            arith_failed: Default::default(),
        }
    }
}

fn find(
    policy: &Policy,
    subject: &Subject,
    today: Date,
    trace: Option<&std::cell::RefCell<Trace>>,
) -> Found {
    find_within(policy, subject, today, trace, true)
}

fn find_within(
    policy: &Policy,
    subject: &Subject,
    today: Date,
    trace: Option<&std::cell::RefCell<Trace>>,
    window: bool,
) -> Found {
    find_in(&Env::new(policy, subject, today, trace), window)
}

/// What `env`'s subject meets under its policy (`window`: outside the policy's dates,
/// nothing but "not in force").
fn find_in(env: &Env, window: bool) -> Found {
    let (policy, subject, today) = (env.policy, env.subject, env.today);
    if window && !policy.in_force(today) {
        return Found {
            verdict: Verdict::NotInForce,
            reasons: vec![Decider::NotInForce],
            missing: Vec::new(),
            exceptions: Vec::new(),
        };
    }
    let mut spare = Spare::take();
    let (hits, missing, exceptions) = (&mut spare.hits, &mut spare.missing, &mut spare.exceptions);
    for &index in policy.rules_for(subject.kind()) {
        let Some(rule) = policy.ast.rules.get(index) else {
            continue;
        };
        let truth = rule.when.as_ref().map_or(Truth::True, |w| env.truth(w));
        // A violation rule that cannot be told (a field it reads not given, a division by
        // zero) is no pass: the subject is undecided unless another rule is broken. A
        // condition false only because a field was not given is not told either: an absent
        // list is empty to 任一 and 计数, but the community's signs were never seen.
        if matches!(rule.outcome.node, Outcome::Violation(_))
            && match truth {
                Truth::Unknown => true,
                Truth::False => rule.when.as_ref().is_some_and(|w| {
                    w.paths()
                        .into_iter()
                        .any(|p| matches!(env.field(p), Val::Absent))
                }),
                Truth::True => false,
            }
        {
            hits.push((Hit::Undecided, Decider::Undecided(index)));
        }
        if truth != Truth::True {
            continue;
        }
        if let Some(u) = &rule.unless
            && env.truth(u) == Truth::True
        {
            exceptions.push(index);
            continue;
        }
        if let Some(trace) = env.trace {
            trace.borrow_mut().rules.push(index);
        }
        match &rule.outcome.node {
            Outcome::Deny(_) => hits.push((Hit::Deny, Decider::Rule(index))),
            Outcome::Violation(_) => hits.push((Hit::Violation, Decider::Rule(index))),
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
                hits.push(match rule.outcome.node {
                    Outcome::Admit(_) if all_hold => (Hit::Admit, Decider::Rule(index)),
                    Outcome::Refer(_) => (Hit::Refer, Decider::Rule(index)),
                    _ => (Hit::Partial, Decider::Unmet(index)),
                });
            }
        }
    }
    let any = |h: Hit| hits.iter().any(|(k, _)| *k == h);
    // The outcome whose rules are the reasons, in the order a verdict prefers them.
    let (verdict, chosen) = match subject.kind() {
        SubjectKind::Task if any(Hit::Deny) => (Verdict::Denied, Some(Hit::Deny)),
        SubjectKind::Task if any(Hit::Admit) => (Verdict::Admitted, Some(Hit::Admit)),
        SubjectKind::Task if any(Hit::Refer) => (Verdict::NeedsApproval, Some(Hit::Refer)),
        SubjectKind::Task if any(Hit::Partial) => (Verdict::NeedsApproval, Some(Hit::Partial)),
        SubjectKind::Task => (Verdict::NeedsApproval, None),
        _ if any(Hit::Violation) => (Verdict::NonCompliant, Some(Hit::Violation)),
        _ if any(Hit::Undecided) => (Verdict::Undecided, Some(Hit::Undecided)),
        _ => (Verdict::Compliant, None),
    };
    let mut reasons = std::mem::take(&mut spare.reasons);
    match chosen {
        Some(h) => reasons.extend(hits.iter().filter(|(k, _)| *k == h).map(|(_, d)| *d)),
        None if subject.kind() == SubjectKind::Task => reasons.push(Decider::NoRule),
        // Compliant with nothing to comply with: say that no rule covers the subject.
        None if policy.rules_for(subject.kind).is_empty() => {
            reasons.push(Decider::NoRuleCovers);
        }
        None => {}
    }
    // Only a task that needs approval is told what it lacks.
    if verdict != Verdict::NeedsApproval {
        missing.clear();
    }
    let (missing, exceptions) = (std::mem::take(missing), std::mem::take(exceptions));
    spare.hits.clear();
    spare.put_back();
    Found {
        verdict,
        reasons,
        missing,
        exceptions,
    }
}
