//! Checking: names, types and lints over the AST, before any subject is decided.
//!
//! Errors make a policy unusable; warnings are likely mistakes (`check --deny-warnings`
//! turns them into errors). The checker keeps going after an error, to report them all.

mod error;
mod logic;
mod types;

use error::{CheckError, Expected, FieldHint};

use std::collections::HashMap;

use crate::ast::*;
use crate::diagnostic::{Diagnostic, Severity};
use crate::normalize::{literal_key, normalize};
use crate::schema::{self, FieldType};
use crate::source::{Source, Span};

use crate::suggest::closest;
pub(crate) use types::Ty;

/// The rule ids of the source document (domain.md) that a `cite` may name.
pub const SEED_RULE_IDS: &[&str] = &[
    "H1", "H2", "H3", "H4", "H5", "H6", "H7", "N1", "N2", "N3", "N4", "N5", "N6", "N7", "Y1", "Y2",
    "Y3", "Y4", "Y5", "Y6", "Y7", "Y8",
];

/// The subject kind each rule is about, in rule order (`None` when it could not be told).
pub(crate) struct Checked {
    pub kinds: Vec<Option<SubjectKind>>,
}

/// Check a parsed policy. Returns the rule kinds and every diagnostic found.
pub(crate) fn check(source: &Source, ast: &PolicyAst) -> (Checked, Vec<Diagnostic>) {
    let mut c = Checker {
        source,
        ast,
        out: Vec::new(),
        lists: HashMap::new(),
        numeric_reported: Default::default(),
    };
    c.names();
    let kinds: Vec<Option<SubjectKind>> = ast.rules.iter().map(|r| c.rule(r)).collect();
    for a in &ast.asserts {
        c.assertion(a);
    }
    c.lints(&kinds);
    let mut out = c.out;
    if !out.iter().any(|d| d.severity == Severity::Error) {
        out.extend(logic::lints(source, ast, &kinds));
    }
    out.sort_by_key(|d| (std::cmp::Reverse(d.severity), d.span().start));
    (Checked { kinds }, out)
}

struct Checker<'a> {
    source: &'a Source,
    ast: &'a PolicyAst,
    out: Vec<Diagnostic>,
    lists: HashMap<&'a str, &'a ListDecl>,
    /// Lists already reported as holding numbers (one report a list).
    numeric_reported: std::collections::HashSet<String>,
}

impl<'a> Checker<'a> {
    fn names(&mut self) {
        let mut rules: HashMap<&str, Span> = HashMap::new();
        for list in &self.ast.lists {
            if let Some(first) = self.lists.get(list.name.node.as_str()) {
                self.report2(
                    list.name.span,
                    first.name.span,
                    CheckError::DuplicateList {
                        name: list.name.node.clone(),
                    },
                );
            } else {
                self.lists.insert(&list.name.node, list);
            }
            self.cites(&list.cite);
        }
        for rule in &self.ast.rules {
            if let Some(first) = rules.get(rule.name.node.as_str()) {
                self.report2(
                    rule.name.span,
                    *first,
                    CheckError::DuplicateRule {
                        name: rule.name.node.clone(),
                    },
                );
            } else {
                rules.insert(&rule.name.node, rule.name.span);
            }
            self.cites(&rule.cite);
        }
        for a in &self.ast.asserts {
            self.cites(&a.cite);
        }
    }

    fn cites(&mut self, cites: &[crate::source::Spanned<String>]) {
        for id in cites {
            if !SEED_RULE_IDS.contains(&id.node.as_str()) {
                self.report(
                    id.span,
                    CheckError::UnknownCite {
                        id: id.node.clone(),
                        suggestion: closest(&id.node, SEED_RULE_IDS.iter().copied())
                            .map(str::to_owned),
                        known: SEED_RULE_IDS.iter().map(|s| (*s).to_owned()).collect(),
                    },
                );
            }
        }
    }

    fn list(&mut self, name: &crate::source::Spanned<String>) -> Option<&'a ListDecl> {
        if let Some(list) = self.lists.get(name.node.as_str()) {
            return Some(list);
        }
        let names: Vec<&str> = self.lists.keys().copied().collect();
        let mut known: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        known.sort();
        self.report(
            name.span,
            CheckError::UnknownList {
                name: name.node.clone(),
                suggestion: closest(&name.node, names.iter().copied()).map(str::to_owned),
                known,
            },
        );
        None
    }

    /// Which subject a rule is about: from `about`, else from the roots of its fields.
    fn rule(&mut self, rule: &'a RuleDecl) -> Option<SubjectKind> {
        let mut paths: Vec<&Path> = Vec::new();
        if let Some(w) = &rule.when {
            paths.extend(w.paths());
        }
        for r in &rule.requirements {
            paths.extend(r.expr.paths());
        }
        let mut kind = rule.about.as_ref().map(|a| (a.node, a.span));
        for p in &paths {
            match kind {
                None => kind = Some((p.kind, p.span)),
                Some((k, at)) if k != p.kind => {
                    self.report2(
                        p.span,
                        at,
                        CheckError::MixedSubjects {
                            rule: rule.name.node.clone(),
                            field: p.kind,
                            about: k,
                        },
                    );
                }
                Some(_) => {}
            }
        }
        let kind = match kind {
            Some((k, _)) => Some(k),
            None => match &rule.outcome.node {
                // Only tasks are denied, admitted or referred.
                Outcome::Deny(_) | Outcome::Admit(_) | Outcome::Refer(_) => Some(SubjectKind::Task),
                Outcome::Violation(_) => {
                    self.report(
                        rule.name.span,
                        CheckError::UnknownSubject {
                            rule: rule.name.node.clone(),
                        },
                    );
                    None
                }
            },
        };
        if let Some(k) = kind {
            let fits = match rule.outcome.node {
                Outcome::Violation(_) => k != SubjectKind::Task,
                _ => k == SubjectKind::Task,
            };
            if !fits {
                self.report(rule.outcome.span, CheckError::WrongOutcome { kind: k });
            }
        }
        if let Some(w) = &rule.when {
            self.boolean(w);
        }
        for r in &rule.requirements {
            self.boolean(&r.expr);
        }
        if let Some(m) = rule.outcome.node.message() {
            self.message(m);
        }
        kind
    }

    fn message(&mut self, message: &Message) {
        for part in &message.parts {
            if let MessagePart::Field { path, filter } = part {
                let ty = self.path(path);
                if let Some((_, list)) = filter {
                    self.list(list);
                    if ty.is_some_and(|t| t != Ty::TextList && t != Ty::Any) {
                        self.report(path.span, CheckError::FilterNeedsList);
                    }
                }
            }
        }
    }

    fn assertion(&mut self, a: &'a AssertDecl) {
        let Some(ty) = self.expr(&a.expr) else { return };
        if ty != Ty::Bool {
            self.report(
                a.expr.span,
                CheckError::WrongType {
                    expected: Expected::AssertionCondition,
                    found: ty,
                },
            );
            return;
        }
        if !a.expr.paths().is_empty() {
            self.report(a.expr.span, CheckError::AssertionAboutSubject);
            return;
        }
        match logic::assertion_holds(self.ast, &a.expr) {
            Some(true) => {}
            Some(false) => {
                self.report(
                    a.expr.span,
                    CheckError::AssertionFailed {
                        message: a.message.as_ref().map(|m| m.node.clone()),
                    },
                );
            }
            None => {}
        }
    }

    fn report(&mut self, span: Span, problem: CheckError) {
        self.out.push(Diagnostic::new(self.source, span, &problem));
    }

    /// A problem that points at a second place too (where a name was first declared …).
    fn report2(&mut self, span: Span, second: Span, problem: CheckError) {
        let label = problem.second_label();
        self.out
            .push(Diagnostic::new(self.source, span, &problem).with_label(second, label));
    }

    fn type_error(&mut self, span: Span, expected: Expected, found: Ty) {
        self.report(span, CheckError::WrongType { expected, found });
    }

    /// Check an expression used as a condition. A bare field that is not yes/no means
    /// "is present", so `要求 事项.authorization.until` reads naturally.
    fn boolean(&mut self, e: &Expr) {
        let Some(ty) = self.expr(e) else { return };
        let bare_field = matches!(&*e.kind, ExprKind::Field(_));
        if ty != Ty::Bool && ty != Ty::Any && !bare_field {
            self.type_error(e.span, Expected::Condition, ty);
        }
    }

    fn path(&mut self, path: &Path) -> Option<Ty> {
        match schema::resolve(path.kind, &path.fields) {
            Ok(ty) => Some(Ty::of_field(ty)),
            Err((index, candidates)) => {
                // Fields beyond the contract's may be read if the subject carries them, but
                // a path the contract does not know is far more often a typo.
                let bad = path.fields.get(index).map_or("", |s| s.as_str());
                let prefix = path.fields.get(..index).unwrap_or(&[]).join(".");
                let written = self.source.slice(path.span);
                let root = written.split('.').next().unwrap_or(path.kind.zh());
                let shown = if prefix.is_empty() {
                    format!("{root}.{bad}")
                } else {
                    format!("{root}.{prefix}.{bad}")
                };
                let hint = match closest(bad, candidates.iter().copied()) {
                    Some(s) => FieldHint::Suggest(s.to_owned()),
                    None if candidates.is_empty() => {
                        FieldHint::NoFieldsInside(if prefix.is_empty() {
                            bad.to_owned()
                        } else {
                            prefix
                        })
                    }
                    None => {
                        FieldHint::Candidates(candidates.iter().map(|c| (*c).to_owned()).collect())
                    }
                };
                self.report(
                    path.span,
                    CheckError::UnknownField {
                        kind: path.kind,
                        shown,
                        hint,
                    },
                );
                None
            }
        }
    }

    /// The type of an expression; `None` after an error was reported.
    fn expr(&mut self, e: &Expr) -> Option<Ty> {
        match &*e.kind {
            ExprKind::Literal(l) => Some(literal_ty(l)),
            ExprKind::Today => Some(Ty::Date),
            ExprKind::Field(p) => self.path(p),
            ExprKind::CountField { path, filter } => {
                let ty = self.path(path)?;
                if let Some((_, list)) = filter {
                    self.list(list);
                }
                if ty != Ty::TextList && ty != Ty::Any {
                    self.type_error(path.span, Expected::ListForCount, ty);
                    return None;
                }
                Some(Ty::Number)
            }
            ExprKind::CountList(name) => {
                self.list(name)?;
                Some(Ty::Number)
            }
            ExprKind::Quantified { path, list, .. } => {
                let ty = self.path(path);
                let decl = self.list(list);
                if let Some(ty) = ty.filter(|t| *t != Ty::TextList && *t != Ty::Any) {
                    self.type_error(path.span, Expected::ListForQuantifier, ty);
                }
                if let Some(decl) = decl {
                    self.list_of_texts(decl, list.span);
                }
                Some(Ty::Bool)
            }
            ExprKind::Arith(_, a, b) => {
                let (ta, tb) = (self.expr(a), self.expr(b));
                for (t, x) in [(ta, a), (tb, b)] {
                    if let Some(t) = t.filter(|t| *t != Ty::Number && *t != Ty::Any) {
                        self.type_error(x.span, Expected::Number, t);
                        return None;
                    }
                }
                ta.and(tb).map(|_| Ty::Number)
            }
            ExprKind::Compare(op, a, b) => {
                let (ta, tb) = (self.expr(a), self.expr(b));
                let (ta, tb) = (ta?, tb?);
                if !ta.comparable(tb) {
                    self.report2(
                        a.span,
                        b.span,
                        CheckError::Compared {
                            left: ta,
                            right: tb,
                        },
                    );
                    return Some(Ty::Bool);
                }
                let ordered = !matches!(op, CompareOp::Eq | CompareOp::Ne);
                let ty = if ta == Ty::Any { tb } else { ta };
                if ordered && !matches!(ty, Ty::Number | Ty::Date | Ty::Any) {
                    self.report(
                        e.span,
                        CheckError::Unordered {
                            op: op.as_str(),
                            ty,
                        },
                    );
                }
                self.enum_value(a, b);
                self.enum_value(b, a);
                Some(Ty::Bool)
            }
            ExprKind::InList { value, list, .. } => {
                let ty = self.expr(value);
                let decl = self.list(list);
                if let Some(ty) = ty {
                    if ty == Ty::TextList {
                        self.report(value.span, CheckError::ListInList);
                    } else if ty == Ty::Text {
                        if let Some(decl) = decl {
                            self.list_of_texts(decl, list.span);
                        }
                    } else if ty != Ty::Any && ty != Ty::Number {
                        self.type_error(value.span, Expected::Lookupable, ty);
                    }
                }
                Some(Ty::Bool)
            }
            ExprKind::Present { value, .. } => {
                self.expr(value)?;
                Some(Ty::Bool)
            }
            ExprKind::Not(inner) => {
                self.boolean(inner);
                Some(Ty::Bool)
            }
            ExprKind::And(parts) | ExprKind::Or(parts) => {
                for p in parts {
                    self.boolean(p);
                }
                Some(Ty::Bool)
            }
        }
    }

    /// A list looked up with a text value must hold texts.
    fn list_of_texts(&mut self, decl: &ListDecl, used: Span) {
        if !self.numeric_reported.insert(decl.name.node.clone()) {
            return;
        }
        if let Some(n) = decl
            .entries
            .iter()
            .find(|e| matches!(e.value.node, Literal::Number(_)))
        {
            self.report2(
                used,
                n.value.span,
                CheckError::NumbersForCategories {
                    list: decl.name.node.clone(),
                },
            );
        }
    }

    /// `事项.approval.status == "aproved"`: a value the field can never have.
    fn enum_value(&mut self, field: &Expr, value: &Expr) {
        let (ExprKind::Field(path), ExprKind::Literal(Literal::Text(text))) =
            (&*field.kind, &*value.kind)
        else {
            return;
        };
        let Ok(FieldType::Enum(choices)) = schema::resolve(path.kind, &path.fields) else {
            return;
        };
        if choices.contains(&text.as_str()) {
            return;
        }
        self.report(
            value.span,
            CheckError::NeverValue {
                field: path.dotted(),
                value: text.clone(),
                suggestion: closest(text, choices.iter().copied()).map(str::to_owned),
                values: choices.iter().map(|c| (*c).to_owned()).collect(),
            },
        );
    }

    fn lints(&mut self, kinds: &[Option<SubjectKind>]) {
        // A list entry (or alias) written twice.
        for list in &self.ast.lists {
            let mut seen: HashMap<String, Span> = HashMap::new();
            for entry in &list.entries {
                let names = std::iter::once((literal_key(&entry.value.node), entry.value.span))
                    .chain(
                        entry
                            .aliases
                            .iter()
                            .map(|a| (normalize(&a.node).into_owned(), a.span)),
                    );
                for (key, span) in names {
                    if let Some(first) = seen.get(&key) {
                        self.report2(
                            span,
                            *first,
                            CheckError::DuplicateEntry {
                                key: key.clone(),
                                list: list.name.node.clone(),
                            },
                        );
                    } else {
                        seen.insert(key, span);
                    }
                }
            }
        }
        // Task rules but nothing that sends an unlisted task to approval.
        let has_task_rules = kinds.contains(&Some(SubjectKind::Task));
        let refers = self
            .ast
            .rules
            .iter()
            .any(|r| matches!(r.outcome.node, Outcome::Refer(_)));
        if has_task_rules && !refers {
            self.report(self.ast.header.title.span, CheckError::NoReferral);
        }
    }
}

fn literal_ty(l: &Literal) -> Ty {
    match l {
        Literal::Text(_) => Ty::Text,
        Literal::Number(_) => Ty::Number,
        Literal::Date(_) => Ty::Date,
        Literal::Bool(_) => Ty::Bool,
    }
}
