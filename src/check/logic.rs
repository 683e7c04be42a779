//! Lints about what rules mean: an item both banned and admitted, a condition that can never
//! hold, a rule every subject of which an earlier deny already takes, approval without the
//! funding the source demands (费随事转).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::error::CheckError;
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::normalize::normalize;
use crate::source::{Source, Span};

use crate::normalize::literal_key;

/// The conjuncts of a condition (a condition that is not an `and` is one conjunct).
fn conjuncts(e: &Expr) -> Vec<&Expr> {
    match &*e.kind {
        ExprKind::And(parts) => parts.iter().flat_map(conjuncts).collect(),
        _ => vec![e],
    }
}

/// Lists looked up positively (`x 属于 L`, not under `非`) in a condition.
fn positive_lists(e: &Expr, positive: bool, out: &mut Vec<(String, Span)>) {
    match &*e.kind {
        // `包含 L` bans or admits at least the entries themselves.
        ExprKind::InList { op, list, .. } if op.negated() != positive => {
            out.push((list.node.clone(), list.span))
        }
        ExprKind::Not(inner) => positive_lists(inner, !positive, out),
        ExprKind::And(parts) | ExprKind::Or(parts) => {
            parts.iter().for_each(|p| positive_lists(p, positive, out))
        }
        _ => {}
    }
}

/// Every key (entry or alias, normalised) of a list, with the span that wrote it.
fn keys(list: &ListDecl) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    for e in &list.entries {
        out.push((literal_key(&e.value.node), e.value.span));
        for a in &e.aliases {
            out.push((normalize(&a.node).into_owned(), a.span));
        }
    }
    out
}

pub(super) fn lints(
    source: &Source,
    ast: &PolicyAst,
    kinds: &[Option<SubjectKind>],
    merged_lists: &[ListDecl],
    clauses: &HashMap<String, bool>,
    parent: Option<super::Inherited<'_>>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let lists: HashMap<&str, &ListDecl> = merged_lists
        .iter()
        .map(|l| (l.name.node.as_str(), l))
        .collect();
    banned_and_admitted(source, ast, &lists, &mut out);
    if let Some(parent) = parent {
        overrides_parent(source, ast, &lists, parent, &mut out);
    }
    for rule in &ast.rules {
        if let (Some(w), Some(u)) = (&rule.when, &rule.unless) {
            let mut both = conjuncts(w);
            both.extend(conjuncts(u));
            if contradiction(&both).is_some() {
                out.push(Diagnostic::new(
                    source,
                    u.span,
                    &CheckError::ExceptionNeverApplies {
                        rule: rule.name.node.clone(),
                    },
                ));
            }
        }
        if let Some(w) = &rule.when
            && let Some((a, b)) = contradiction(&conjuncts(w))
        {
            out.push(with_second(
                source,
                a,
                b,
                CheckError::NeverApplies {
                    rule: rule.name.node.clone(),
                },
            ));
        }
        let reqs: Vec<&Expr> = rule
            .requirements
            .iter()
            .flat_map(|r| conjuncts(&r.expr))
            .collect();
        if let Some((a, b)) = contradiction(&reqs) {
            out.push(with_second(
                source,
                a,
                b,
                CheckError::RequirementsContradict {
                    rule: rule.name.node.clone(),
                },
            ));
        }
    }
    shadowed(source, ast, &lists, kinds, &mut out);
    admit_without_funding(source, ast, clauses, &mut out);
    out
}

fn banned_and_admitted(
    source: &Source,
    ast: &PolicyAst,
    lists: &HashMap<&str, &ListDecl>,
    out: &mut Vec<Diagnostic>,
) {
    let mut banned: Vec<String> = Vec::new();
    let mut admitting: Vec<String> = Vec::new();
    for rule in &ast.rules {
        let Some(w) = &rule.when else { continue };
        let mut found = Vec::new();
        positive_lists(w, true, &mut found);
        let names = found.into_iter().map(|(n, _)| n);
        match rule.outcome.node {
            // An item a deny lets through by its exception (`除非`) is not banned outright.
            Outcome::Deny(_) if rule.unless.is_none() => banned.extend(names),
            Outcome::Admit(_) => admitting.extend(names),
            _ => {}
        }
    }
    let mut reported = HashSet::new();
    for b in &banned {
        for a in &admitting {
            if a == b {
                continue;
            }
            let (Some(bl), Some(al)) = (lists.get(b.as_str()), lists.get(a.as_str())) else {
                continue;
            };
            let banned_keys: BTreeMap<String, Span> = keys(bl).into_iter().collect();
            for (key, span) in keys(al) {
                if let Some(bspan) = banned_keys.get(&key)
                    && reported.insert((key.clone(), span.start))
                {
                    out.push(with_second(
                        source,
                        span,
                        *bspan,
                        CheckError::BannedAndAdmitted {
                            key: key.clone(),
                            banned: b.clone(),
                            admitted: a.clone(),
                        },
                    ));
                }
            }
        }
    }
}

/// A bound on a number or date: value and whether it is included.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
struct Bound {
    value: f64,
    inclusive: bool,
}

#[derive(Default, Debug)]
struct Range {
    low: Option<(Bound, Span)>,
    high: Option<(Bound, Span)>,
}

fn constant(e: &Expr) -> Option<f64> {
    match &*e.kind {
        ExprKind::Literal(Literal::Number(n)) => Some(*n),
        ExprKind::Literal(Literal::Date(d)) => {
            // Days are ordered like numbers.
            Some(f64::from(d.year()) * 400.0 + f64::from(d.month()) * 32.0 + f64::from(d.day()))
        }
        _ => None,
    }
}

fn field_key(e: &Expr) -> Option<String> {
    match &*e.kind {
        ExprKind::Field(p) => Some(format!("{:?}.{}", p.kind, p.dotted())),
        _ => None,
    }
}

/// Two conjuncts that cannot both hold, if any: numeric or date bounds that leave nothing,
/// two different required values, `x 属于 L` with `x 不属于 L`, `已提供` with `未提供`.
fn contradiction(atoms: &[&Expr]) -> Option<(Span, Span)> {
    let mut ranges: BTreeMap<String, Range> = BTreeMap::new();
    let mut equal: BTreeMap<String, (String, Span)> = BTreeMap::new();
    let mut not_equal: Vec<(String, String, Span)> = Vec::new();
    let mut membership: BTreeMap<(String, String, bool), (bool, Span)> = BTreeMap::new();
    let mut presence: BTreeMap<String, (bool, Span)> = BTreeMap::new();
    for atom in atoms {
        match &*atom.kind {
            ExprKind::Compare(op, a, b) => {
                let (key, value, op) = match (field_key(a), constant(b), field_key(b), constant(a))
                {
                    (Some(k), Some(v), _, _) => (k, v, *op),
                    (_, _, Some(k), Some(v)) => (k, v, flip(*op)),
                    _ => {
                        if let (Some(k), ExprKind::Literal(Literal::Text(t))) =
                            (field_key(a), &*b.kind)
                        {
                            match op {
                                CompareOp::Eq => {
                                    if let Some((other, at)) = equal.get(&k)
                                        && other != t
                                    {
                                        return Some((*at, atom.span));
                                    }
                                    if let Some((_, _, at)) =
                                        not_equal.iter().find(|(nk, nt, _)| *nk == k && nt == t)
                                    {
                                        return Some((*at, atom.span));
                                    }
                                    equal.insert(k, (t.clone(), atom.span));
                                }
                                CompareOp::Ne => {
                                    if let Some((other, at)) = equal.get(&k)
                                        && other == t
                                    {
                                        return Some((*at, atom.span));
                                    }
                                    not_equal.push((k, t.clone(), atom.span));
                                }
                                _ => {}
                            }
                        }
                        continue;
                    }
                };
                let range = ranges.entry(key).or_default();
                let bound = |inclusive| (Bound { value, inclusive }, atom.span);
                match op {
                    CompareOp::Gt => tighten_low(range, bound(false)),
                    CompareOp::Ge => tighten_low(range, bound(true)),
                    CompareOp::Lt => tighten_high(range, bound(false)),
                    CompareOp::Le => tighten_high(range, bound(true)),
                    CompareOp::Eq => {
                        tighten_low(range, bound(true));
                        tighten_high(range, bound(true));
                    }
                    CompareOp::Ne => continue,
                }
                if let (Some((lo, ls)), Some((hi, hs))) = (range.low, range.high) {
                    let empty = lo.value > hi.value
                        || (lo.value == hi.value && !(lo.inclusive && hi.inclusive));
                    if empty {
                        return Some((ls, hs));
                    }
                }
            }
            ExprKind::InList { value, op, list } => {
                let Some(k) = field_key(value) else { continue };
                // `属于 L` and `包含 L` are different tests: only a test and its negation clash.
                let key = (k, list.node.clone(), op.mentions());
                if let Some((other, at)) = membership.get(&key)
                    && *other != op.negated()
                {
                    return Some((*at, atom.span));
                }
                membership.insert(key, (op.negated(), atom.span));
            }
            ExprKind::Present { value, negated } => {
                let Some(k) = field_key(value) else { continue };
                if let Some((other, at)) = presence.get(&k)
                    && other != negated
                {
                    return Some((*at, atom.span));
                }
                presence.insert(k, (*negated, atom.span));
            }
            _ => {}
        }
    }
    None
}

fn flip(op: CompareOp) -> CompareOp {
    match op {
        CompareOp::Lt => CompareOp::Gt,
        CompareOp::Le => CompareOp::Ge,
        CompareOp::Gt => CompareOp::Lt,
        CompareOp::Ge => CompareOp::Le,
        other => other,
    }
}

fn tighten_low(range: &mut Range, new: (Bound, Span)) {
    let tighter = match range.low {
        None => true,
        Some((old, _)) => new.0.value > old.value || (new.0.value == old.value && !new.0.inclusive),
    };
    if tighter {
        range.low = Some(new);
    }
}

fn tighten_high(range: &mut Range, new: (Bound, Span)) {
    let tighter = match range.high {
        None => true,
        Some((old, _)) => new.0.value < old.value || (new.0.value == old.value && !new.0.inclusive),
    };
    if tighter {
        range.high = Some(new);
    }
}

/// Whether conjunct `a` implies conjunct `b`: the same test, or membership of a list whose
/// every entry is on the other list.
fn implies(a: &Expr, b: &Expr, lists: &HashMap<&str, &ListDecl>) -> bool {
    if a.eq_shape(b) {
        return true;
    }
    let (
        ExprKind::InList {
            value: va,
            op: op_a,
            list: la,
        },
        ExprKind::InList {
            value: vb,
            op: op_b,
            list: lb,
        },
    ) = (&*a.kind, &*b.kind)
    else {
        return false;
    };
    let (Some(la), Some(lb)) = (lists.get(la.node.as_str()), lists.get(lb.node.as_str())) else {
        return false;
    };
    if !va.eq_shape(vb) || la.entries.is_empty() {
        return false;
    }
    match (op_a, op_b) {
        (ListOp::In, ListOp::In) => {
            let wider: HashSet<String> = keys(lb).into_iter().map(|(k, _)| k).collect();
            keys(la).iter().all(|(k, _)| wider.contains(k))
        }
        // `包含 B` holds of every text that is (`属于 A`) or mentions (`包含 A`) an entry of A
        // when each of A's names mentions one of B's: the deny rules of the shipped
        // policies are written with `包含`, and an admit rule behind one went unnoticed.
        (ListOp::In | ListOp::Mentions, ListOp::Mentions) => {
            let names = keys(lb);
            keys(la).iter().all(|(k, _)| {
                names
                    .iter()
                    .any(|(n, _)| !n.is_empty() && k.contains(n.as_str()))
            })
        }
        _ => false,
    }
}

fn shadowed(
    source: &Source,
    ast: &PolicyAst,
    lists: &HashMap<&str, &ListDecl>,
    kinds: &[Option<SubjectKind>],
    out: &mut Vec<Diagnostic>,
) {
    for (j, rule) in ast.rules.iter().enumerate() {
        if !matches!(rule.outcome.node, Outcome::Admit(_) | Outcome::Refer(_)) {
            continue;
        }
        let rule_atoms: Vec<&Expr> = rule.when.as_ref().map(conjuncts).unwrap_or_default();
        // Whether `other` (rule `i`, of the same kind, without an exception: `除非` lets
        // through what the exception holds of, and this rule decides those) applies to
        // every subject this rule applies to.
        let covers = |i: usize, other: &RuleDecl| {
            other.unless.is_none()
                && kinds.get(i) == kinds.get(j)
                && other
                    .when
                    .as_ref()
                    .map(conjuncts)
                    .unwrap_or_default()
                    .iter()
                    .all(|o| rule_atoms.iter().any(|r| implies(r, o, lists)))
        };
        let deny =
            ast.rules.iter().enumerate().take(j).find(|&(i, deny)| {
                matches!(deny.outcome.node, Outcome::Deny(_)) && covers(i, deny)
            });
        // A referral every subject of which an admit without requirements takes: the task
        // is admitted, and the referral's reason and requirements never show, wherever the
        // admit stands (the verdict does not depend on rule order).
        let admit = || {
            ast.rules.iter().enumerate().find(|&(i, admit)| {
                i != j
                    && matches!(rule.outcome.node, Outcome::Refer(_))
                    && matches!(admit.outcome.node, Outcome::Admit(_))
                    && admit.requirements.is_empty()
                    && covers(i, admit)
            })
        };
        let (by, error) = if let Some((_, deny)) = deny {
            let by = deny.name.node.clone();
            (
                deny,
                CheckError::Shadowed {
                    rule: rule.name.node.clone(),
                    by,
                },
            )
        } else if let Some((_, admit)) = admit() {
            let by = admit.name.node.clone();
            (
                admit,
                CheckError::ReferralAdmitted {
                    rule: rule.name.node.clone(),
                    by,
                },
            )
        } else {
            continue;
        };
        out.push(with_second(source, rule.name.span, by.name.span, error));
    }
}

/// 费随事转: an admission on approval under a clause the policy marks `费随事转` must
/// require funding.
fn admit_without_funding(
    source: &Source,
    ast: &PolicyAst,
    clauses: &HashMap<String, bool>,
    out: &mut Vec<Diagnostic>,
) {
    for rule in &ast.rules {
        if !matches!(rule.outcome.node, Outcome::Admit(_)) {
            continue;
        }
        let Some(clause) = rule
            .cite
            .iter()
            .find(|c| clauses.get(&c.node).copied().unwrap_or(false))
        else {
            continue;
        };
        let mut reads = rule.requirements.iter().flat_map(|r| r.expr.paths());
        let approval = rule
            .requirements
            .iter()
            .flat_map(|r| r.expr.paths())
            .any(|p| p.fields.first().is_some_and(|f| f == "approval"));
        if approval && !reads.any(|p| p.fields.first().is_some_and(|f| f == "funding")) {
            out.push(with_second(
                source,
                rule.name.span,
                clause.span,
                CheckError::AdmitWithoutFunding {
                    rule: rule.name.node.clone(),
                    clause: clause.node.clone(),
                },
            ));
        }
    }
}

/// Whether a policy-level assertion (over list sizes and numbers) holds; `None` if it
/// cannot be told (it names something that does not exist). Constant folding: only the
/// checker runs it, before any subject is decided.
pub(super) fn assertion_holds(lists: &HashMap<&str, &ListDecl>, e: &Expr) -> Option<bool> {
    type Lists<'a, 'b> = &'a HashMap<&'b str, &'b ListDecl>;
    fn num(ast: Lists, e: &Expr) -> Option<f64> {
        match &*e.kind {
            ExprKind::Literal(Literal::Number(n)) => Some(*n),
            ExprKind::CountList { list, quoted_only } => ast.get(list.node.as_str()).map(|l| {
                l.entries
                    .iter()
                    .filter(|e| !*quoted_only || !e.example)
                    .count() as f64
            }),
            ExprKind::Arith(op, a, b) => op.apply(num(ast, a)?, num(ast, b)?),
            _ => None,
        }
    }
    fn holds(ast: Lists, e: &Expr) -> Option<bool> {
        match &*e.kind {
            ExprKind::Literal(Literal::Bool(b)) => Some(*b),
            ExprKind::Compare(op, a, b) => {
                let ordering = num(ast, a)?.partial_cmp(&num(ast, b)?)?;
                Some(op.holds(ordering))
            }
            ExprKind::Not(inner) => holds(ast, inner).map(|b| !b),
            ExprKind::And(parts) => parts
                .iter()
                .map(|p| holds(ast, p))
                .try_fold(true, |acc, x| Some(acc && x?)),
            ExprKind::Or(parts) => parts
                .iter()
                .map(|p| holds(ast, p))
                .try_fold(false, |acc, x| Some(acc || x?)),
            _ => None,
        }
    }
    holds(lists, e)
}

/// A lint that points at a second place too.
fn with_second(source: &Source, span: Span, second: Span, problem: CheckError) -> Diagnostic {
    let label = problem.second_label();
    Diagnostic::new(source, span, &problem).with_label(second, label)
}

/// 上位政策优先: a child rule that admits or refers an item a parent rule denies is an error.
/// Deny wins at decision time anyway; this tells the drafter before the notice is published.
fn overrides_parent(
    source: &Source,
    ast: &PolicyAst,
    lists: &HashMap<&str, &ListDecl>,
    parent: super::Inherited<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let mut denied: Vec<(String, usize)> = Vec::new();
    for (i, rule) in parent.ast.rules.iter().enumerate() {
        // A deny with an exception (`除非`, 原则上…，…除外) denies nothing outright: a child
        // may admit what the exception lets through.
        if !matches!(rule.outcome.node, Outcome::Deny(_)) || rule.unless.is_some() {
            continue;
        }
        let Some(w) = &rule.when else { continue };
        // Only a deny whose whole condition is list membership denies an item outright.
        let atoms = conjuncts(w);
        let mut found = Vec::new();
        positive_lists(w, true, &mut found);
        if atoms.len() == 1 && found.len() == 1 {
            denied.extend(found.into_iter().map(|(n, _)| (n, i)));
        }
    }
    let mut reported = HashSet::new();
    for rule in &ast.rules {
        if !matches!(rule.outcome.node, Outcome::Admit(_) | Outcome::Refer(_)) {
            continue;
        }
        let Some(w) = &rule.when else { continue };
        let mut admitted = Vec::new();
        positive_lists(w, true, &mut admitted);
        for (a, _) in &admitted {
            let Some(al) = lists.get(a.as_str()) else {
                continue;
            };
            for (b, i) in &denied {
                let Some(bl) = lists.get(b.as_str()) else {
                    continue;
                };
                let banned: HashSet<String> = keys(bl).into_iter().map(|(k, _)| k).collect();
                for (key, _) in keys(al) {
                    if banned.contains(&key)
                        && reported.insert((rule.name.node.clone(), key.clone()))
                    {
                        let parent_rule = parent.ast.rules.get(*i);
                        out.push(Diagnostic::new(
                            source,
                            w.span,
                            &CheckError::OverridesParent {
                                rule: rule.name.node.clone(),
                                item: key.clone(),
                                parent_rule: parent_rule
                                    .map_or_else(String::new, |r| r.name.node.clone()),
                                parent_at: parent.locations.get(*i).cloned().unwrap_or_default(),
                                parent_title: parent.ast.header.title.node.clone(),
                            },
                        ));
                    }
                }
            }
        }
    }
}
