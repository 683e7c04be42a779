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
use crate::source::{Source, Span, Spanned};

use crate::suggest::closest;
pub(crate) use types::Ty;

/// What a policy inherits from its parent chain: the parent's merged policy.
#[derive(Clone, Copy)]
pub(crate) struct Inherited<'a> {
    /// The parent's documents, fields, variants, lists and rules, its own parents' included.
    pub ast: &'a PolicyAst,
    /// `path:line:col` of each of its rules, for messages that point at them.
    pub locations: &'a [String],
}

/// The levels a document may have.
const LEVELS: &[&str] = &[
    "国家", "省", "市", "区县", "街道", "national", "province", "city", "county", "street",
];

/// The subject kind each rule is about, in rule order (`None` when it could not be told).
pub(crate) struct Checked {
    pub kinds: Vec<Option<SubjectKind>>,
}

/// Check a parsed policy. Returns the rule kinds and every diagnostic found.
pub(crate) fn check(
    source: &Source,
    ast: &PolicyAst,
    parent: Option<Inherited<'_>>,
) -> (Checked, Vec<Diagnostic>) {
    let empty = PolicyAst::empty();
    let inherited = parent.map_or(&empty, |p| p.ast);
    // The lists as rules see them: the parent's, extended by this policy's `追加`, then its own.
    let merged = merge_lists(&inherited.lists, &ast.lists);
    let mut c = Checker {
        source,
        ast,
        inherited,
        out: Vec::new(),
        lists: HashMap::new(),
        clauses: HashMap::new(),
        numeric_reported: Default::default(),
    };
    for list in &merged {
        c.lists.insert(&list.name.node, list);
    }
    c.documents();
    c.names();
    let kinds: Vec<Option<SubjectKind>> = ast.rules.iter().map(|r| c.rule(r)).collect();
    for a in &ast.asserts {
        c.assertion(a);
    }
    c.lints(&kinds);
    let clauses = c.clauses.clone();
    let mut out = c.out;
    if !out.iter().any(|d| d.severity() == Severity::Error) {
        out.extend(logic::lints(source, ast, &kinds, &merged, &clauses, parent));
    }
    out.sort_by_key(|d| (std::cmp::Reverse(d.severity()), d.span().start));
    (Checked { kinds }, out)
}

struct Checker<'a> {
    source: &'a Source,
    ast: &'a PolicyAst,
    /// The parent's merged policy (empty without a parent).
    inherited: &'a PolicyAst,
    out: Vec<Diagnostic>,
    /// Every list a rule may name: merged with the parent's.
    lists: HashMap<&'a str, &'a ListDecl>,
    /// Every clause a rule may cite, in this policy and its parents: id → 费随事转.
    clauses: HashMap<String, bool>,
    /// Lists already reported as holding numbers (one report a list).
    numeric_reported: std::collections::HashSet<String>,
}

impl<'a> Checker<'a> {
    /// The documents and clauses: ids unique across the chain, levels known, dates in order.
    fn documents(&mut self) {
        for doc in &self.inherited.documents {
            for clause in &doc.clauses {
                self.clauses.insert(clause.id.node.clone(), clause.funding);
            }
        }
        let mut own: HashMap<String, Span> = HashMap::new();
        for doc in &self.ast.documents {
            if let Some(level) = &doc.level
                && !LEVELS.contains(&level.node.as_str())
            {
                self.report(
                    level.span,
                    CheckError::BadLevel {
                        written: level.node.clone(),
                    },
                );
            }
            for clause in &doc.clauses {
                let id = &clause.id.node;
                if let Some(first) = own.get(id) {
                    self.report2(
                        clause.id.span,
                        *first,
                        CheckError::DuplicateClause {
                            id: id.clone(),
                            in_parent: false,
                        },
                    );
                } else if self.clauses.contains_key(id) {
                    self.report(
                        clause.id.span,
                        CheckError::DuplicateClause {
                            id: id.clone(),
                            in_parent: true,
                        },
                    );
                } else {
                    own.insert(id.clone(), clause.id.span);
                }
            }
        }
        for doc in &self.ast.documents {
            for clause in &doc.clauses {
                self.clauses
                    .entry(clause.id.node.clone())
                    .or_insert(clause.funding);
            }
        }
        let h = &self.ast.header;
        if let (Some(from), Some(to)) = (&h.effective, &h.expires)
            && to.node < from.node
        {
            self.report2(
                to.span,
                from.span,
                CheckError::ExpiresBeforeEffective {
                    effective: from.node.to_string(),
                    expires: to.node.to_string(),
                },
            );
        }
        // Declared fields: not the contract's, not twice in the chain, one-of values given.
        let mut declared: HashMap<String, Span> = HashMap::new();
        for f in &self.inherited.fields {
            declared.insert(field_key(&f.path), Span::default());
        }
        for f in &self.ast.fields {
            let key = field_key(&f.path);
            let in_contract = schema::resolve(f.path.kind, &f.path.fields).is_ok();
            if in_contract || declared.contains_key(&key) {
                let first = declared
                    .get(&key)
                    .copied()
                    .filter(|s| *s != Span::default());
                let problem = CheckError::DuplicateField {
                    field: f.path.dotted(),
                    in_contract,
                };
                match first {
                    Some(first) => self.report2(f.path.span, first, problem),
                    None => self.report(f.path.span, problem),
                }
            } else {
                declared.insert(key, f.path.span);
            }
            if let DeclaredType::OneOf(values) = &f.ty.node
                && values.is_empty()
            {
                self.report(f.ty.span, CheckError::EmptyOneOf);
            }
            self.field_default(f);
        }
    }

    /// `默认 「v」`: a value of a one-of field, or any text of a text field.
    fn field_default(&mut self, f: &FieldDecl) {
        let Some(default) = &f.default else { return };
        match &f.ty.node {
            DeclaredType::Text => {}
            DeclaredType::OneOf(values) => {
                if !values
                    .iter()
                    .any(|v| normalize(&v.value) == normalize(&default.node))
                {
                    self.report(default.span, not_one_of(&f.path, &default.node, values));
                }
            }
            _ => self.report(
                default.span,
                CheckError::DefaultOnlyForText {
                    field: f.path.dotted(),
                },
            ),
        }
    }

    fn names(&mut self) {
        let mut rules: HashMap<&str, Span> = HashMap::new();
        let mut own_lists: HashMap<&str, Span> = HashMap::new();
        for list in &self.ast.lists {
            let name = list.name.node.as_str();
            let in_parent = self.inherited.lists.iter().any(|l| l.name.node == name);
            if let Some(first) = own_lists.get(name) {
                self.report2(
                    list.name.span,
                    *first,
                    CheckError::DuplicateList {
                        name: list.name.node.clone(),
                    },
                );
            } else if list.extend && !in_parent {
                self.report(
                    list.name.span,
                    CheckError::ExtendsNothing {
                        name: list.name.node.clone(),
                    },
                );
            } else if list.extend && list.cite.is_empty() && !list.entries.is_empty() {
                self.report(
                    list.name.span,
                    CheckError::UncitedExtension {
                        name: list.name.node.clone(),
                    },
                );
            } else if !list.extend && in_parent {
                self.report(
                    list.name.span,
                    CheckError::HidesParentList {
                        name: list.name.node.clone(),
                    },
                );
            }
            own_lists.insert(name, list.name.span);
            self.cites(&list.cite);
        }
        for rule in self.inherited.rules.iter() {
            rules.insert(&rule.name.node, Span::default());
        }
        for rule in &self.ast.rules {
            if let Some(first) = rules.get(rule.name.node.as_str()) {
                let problem = CheckError::DuplicateRule {
                    name: rule.name.node.clone(),
                };
                if *first == Span::default() {
                    // A parent's rule: decisions name rules, so names stay unique in a chain.
                    self.report(rule.name.span, problem);
                } else {
                    self.report2(rule.name.span, *first, problem);
                }
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
        for (i, id) in cites.iter().enumerate() {
            if let Some(first) = cites
                .get(..i)
                .and_then(|c| c.iter().find(|c| c.node == id.node))
            {
                self.report2(
                    id.span,
                    first.span,
                    CheckError::DuplicateCite {
                        id: id.node.clone(),
                    },
                );
                continue;
            }
            if self.clauses.contains_key(&id.node) {
                continue;
            }
            let mut known: Vec<String> = self.clauses.keys().cloned().collect();
            known.sort();
            self.report(
                id.span,
                CheckError::UnknownCite {
                    id: id.node.clone(),
                    suggestion: closest(&id.node, known.iter().map(String::as_str))
                        .map(str::to_owned),
                    known,
                },
            );
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
        if let Some(u) = &rule.unless {
            paths.extend(u.paths());
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
        if let Some(u) = &rule.unless {
            self.boolean(u);
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
        match logic::assertion_holds(&self.lists, &a.expr) {
            Some(true) => {}
            Some(false) => {
                let counted = a
                    .expr
                    .subexpressions()
                    .filter_map(|e| match &*e.kind {
                        ExprKind::CountList { list, quoted_only } => {
                            let decl = self.lists.get(list.node.as_str())?;
                            let (kept, left): (Vec<&Entry>, Vec<&Entry>) = decl
                                .entries
                                .iter()
                                .partition(|e| !*quoted_only || !e.example);
                            let names = |es: &[&Entry]| {
                                es.iter()
                                    .map(|e| crate::normalize::literal_key(&e.value.node))
                                    .collect::<Vec<_>>()
                            };
                            Some((list.node.clone(), names(&kept), names(&left)))
                        }
                        _ => None,
                    })
                    .collect();
                self.report(
                    a.expr.span,
                    CheckError::AssertionFailed {
                        message: a.message.as_ref().map(|m| m.node.clone()),
                        counted,
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

    /// A field this policy or a parent declares.
    fn declared(&self, path: &Path) -> Option<&'a FieldDecl> {
        let key = field_key(path);
        self.ast
            .fields
            .iter()
            .chain(self.inherited.fields.iter())
            .find(|f| field_key(&f.path) == key)
    }

    fn path(&mut self, path: &Path) -> Option<Ty> {
        if let Some(f) = self.declared(path) {
            return Some(match &f.ty.node {
                DeclaredType::Text | DeclaredType::OneOf(_) => Ty::Text,
                DeclaredType::Number => Ty::Number,
                DeclaredType::Date => Ty::Date,
                DeclaredType::Bool => Ty::Bool,
                DeclaredType::Texts => Ty::TextList,
            });
        }
        match schema::resolve(path.kind, &path.fields) {
            Ok(ty) => Some(Ty::of_field(ty)),
            Err((index, candidates)) => {
                let mut candidates: Vec<String> =
                    candidates.iter().map(|c| (*c).to_owned()).collect();
                // Declared fields at this depth are candidates too.
                for f in self.ast.fields.iter().chain(self.inherited.fields.iter()) {
                    if f.path.kind == path.kind
                        && f.path.fields.get(..index) == path.fields.get(..index)
                        && let Some(name) = f.path.fields.get(index)
                        && !candidates.contains(name)
                    {
                        candidates.push(name.clone());
                    }
                }
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
                let hint = match closest(bad, candidates.iter().map(String::as_str)) {
                    Some(s) => FieldHint::Suggest(s.to_owned()),
                    None if candidates.is_empty() => {
                        FieldHint::NoFieldsInside(if prefix.is_empty() {
                            bad.to_owned()
                        } else {
                            prefix
                        })
                    }
                    None => FieldHint::Candidates(candidates),
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
            ExprKind::CountList { list, .. } => {
                self.list(list)?;
                Some(Ty::Number)
            }
            ExprKind::DaysBetween(a, b) => {
                for x in [a, b] {
                    if let Some(t) = self.expr(x).filter(|t| *t != Ty::Date && *t != Ty::Any) {
                        self.type_error(x.span, Expected::Date, t);
                    }
                }
                Some(Ty::Number)
            }
            ExprKind::Contains { value, needle } => {
                if let Some(t) = self
                    .expr(value)
                    .filter(|t| !matches!(t, Ty::Text | Ty::TextList | Ty::Any))
                {
                    self.type_error(value.span, Expected::Searchable, t);
                }
                if let Some(t) = self
                    .expr(needle)
                    .filter(|t| !matches!(t, Ty::Text | Ty::Any))
                {
                    self.type_error(needle.span, Expected::Text, t);
                }
                Some(Ty::Bool)
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
            ExprKind::Arith(op, a, b) => {
                let (ta, tb) = (self.expr(a), self.expr(b));
                // Date arithmetic: a date plus or minus a duration is a date.
                match (op, ta, tb) {
                    (ArithOp::Add | ArithOp::Sub, Some(Ty::Date | Ty::Any), Some(Ty::Duration))
                    | (ArithOp::Add, Some(Ty::Duration), Some(Ty::Date | Ty::Any)) => {
                        return Some(Ty::Date);
                    }
                    (_, Some(Ty::Duration), _) | (_, _, Some(Ty::Duration)) => {
                        let (x, t) = if ta == Some(Ty::Duration) {
                            (b, tb)
                        } else {
                            (a, ta)
                        };
                        self.type_error(x.span, Expected::Date, t.unwrap_or(Ty::Any));
                        return None;
                    }
                    _ => {}
                }
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
            ExprKind::InList { value, op, list } if op.mentions() => {
                // `包含 LIST`: a text (or any text of a list) mentions an entry of a text list.
                let ty = self.expr(value);
                let decl = self.list(list);
                if let Some(t) = ty.filter(|t| !matches!(t, Ty::Text | Ty::TextList | Ty::Any)) {
                    self.type_error(value.span, Expected::Searchable, t);
                }
                if let Some(decl) = decl {
                    self.list_of_texts(decl, list.span);
                }
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
        if let Some(FieldDecl {
            ty:
                Spanned {
                    node: DeclaredType::OneOf(values),
                    ..
                },
            ..
        }) = self.declared(path)
        {
            if !values
                .iter()
                .any(|v| normalize(&v.value) == normalize(text))
            {
                self.report(value.span, not_one_of(path, text, values));
            }
            return;
        }
        let Ok(FieldType::Enum(choices)) = schema::resolve(path.kind, &path.fields) else {
            return;
        };
        if choices.iter().any(|c| c.value == *text) {
            return;
        }
        self.report(
            value.span,
            CheckError::NeverValue {
                field: path.dotted(),
                value: text.clone(),
                suggestion: closest(text, choices.iter().map(|c| c.value.as_str()))
                    .map(str::to_owned),
                values: choices.iter().map(|c| c.value.clone()).collect(),
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
        // A policy of bans only (a national baseline) sends nothing anywhere; one that
        // admits listed tasks must say what happens to the others.
        let all_rules = || self.ast.rules.iter().chain(self.inherited.rules.iter());
        let admits = kinds.contains(&Some(SubjectKind::Task))
            && all_rules().any(|r| matches!(r.outcome.node, Outcome::Admit(_)));
        let refers = all_rules().any(|r| matches!(r.outcome.node, Outcome::Refer(_)));
        if admits && !refers {
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
        Literal::Duration(_) => Ty::Duration,
    }
}

/// `kind.a.b`: how declared fields are told apart.
fn field_key(path: &Path) -> String {
    format!("{}.{}", path.kind.as_str(), path.dotted())
}

/// `text` is not one of a declared field's `values`.
fn not_one_of(path: &Path, text: &str, values: &[OneOfValue]) -> CheckError {
    CheckError::NotOneOf {
        field: path.dotted(),
        value: text.to_owned(),
        // A value's word (「城市」 of urban) suggests its value: input reads the word as the
        // value, so rules (and defaults) are written with the value.
        suggestion: values
            .iter()
            .find(|v| v.words.iter().any(|w| normalize(w) == normalize(text)))
            .map(|v| v.value.as_str())
            .or_else(|| closest(text, values.iter().map(|v| v.value.as_str())))
            .map(str::to_owned),
        values: values.iter().map(|v| v.value.clone()).collect(),
    }
}
