//! Checking: names, types and lints over the AST, before any subject is decided.
//!
//! Errors make a policy unusable; warnings are likely mistakes (`check --deny-warnings`
//! turns them into errors). The checker keeps going after an error, to report them all.

mod logic;
mod types;

use std::collections::HashMap;

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic, Severity};
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
    out.sort_by_key(|d| {
        (
            std::cmp::Reverse(d.severity),
            d.labels.first().map_or(0, |l| l.0.start),
        )
    });
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
                self.out.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        self.source,
                        list.name.span,
                        format!("list `{}` is declared twice", list.name.node),
                    )
                    .zh(
                        format!("清单 `{}` 重复声明", list.name.node),
                        Some("每个清单用各自的名称，或把条目合并到一个清单"),
                    )
                    .label("second declaration")
                    .with_label(first.name.span, "first declared here")
                    .help("give each list its own name, or merge the entries into one list"),
                );
            } else {
                self.lists.insert(&list.name.node, list);
            }
            self.cites(&list.cite);
        }
        for rule in &self.ast.rules {
            if let Some(first) = rules.get(rule.name.node.as_str()) {
                self.out.push(
                    Diagnostic::error(
                        Code::DuplicateName,
                        self.source,
                        rule.name.span,
                        format!("rule `{}` is declared twice", rule.name.node),
                    )
.zh(format!("规则 `{}` 重复声明", rule.name.node), Some("决定会写明由哪条规则作出，所以每条规则都要有自己的名称"))
                    .label("second declaration")
                    .with_label(*first, "first declared here")
                    .help("decisions name the rule that decided them, so every rule needs its own name"),
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
                let mut d = Diagnostic::error(
                    Code::UnknownCite,
                    self.source,
                    id.span,
                    format!("`{}` is not a rule id of the source document", id.node),
                )
                .zh(format!("`{}` 不是原文的条款编号", id.node), None)
                .label("unknown rule id");
                d = match closest(&id.node, SEED_RULE_IDS.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`? the ids are H1–H7, N1–N7 and Y1–Y8 (domain.md)")),
                    None => d.help("cite one of H1–H7 (Hefei), N1–N7 (Nanqiao), Y1–Y8 (Yingjiang), as listed in domain.md"),
                };
                self.out.push(d);
            }
        }
    }

    fn list(&mut self, name: &crate::source::Spanned<String>) -> Option<&'a ListDecl> {
        if let Some(list) = self.lists.get(name.node.as_str()) {
            return Some(list);
        }
        let names: Vec<&str> = self.lists.keys().copied().collect();
        let mut d = Diagnostic::error(
            Code::UnknownList,
            self.source,
            name.span,
            format!("no list named `{}`", name.node),
        )
        .zh(format!("没有名为 `{}` 的清单", name.node), None)
        .label("not declared in this policy");
        d = match closest(&name.node, names.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if names.is_empty() => {
                d.help("declare it first: 清单 名称 「标题」 引用 N1 { \"…\" }")
            }
            None => {
                let mut sorted = names.clone();
                sorted.sort();
                d.help(format!("the lists here are: {}", sorted.join(", ")))
            }
        };
        self.out.push(d);
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
                    self.out.push(
                        Diagnostic::error(
                            Code::MixedSubjects,
                            self.source,
                            p.span,
                            format!(
                                "rule `{}` reads a {} field, but it is about a {}",
                                rule.name.node,
                                p.kind.as_str(),
                                k.as_str()
                            ),
                        )
.zh(format!("规则 `{}` 读取了{}的字段，但它是关于{}的", rule.name.node, p.kind.zh(), k.zh()), Some("一条规则只判断一类对象；请按对象拆成几条规则"))
                        .label(format!("a {} field", p.kind.as_str()))
                        .with_label(at, format!("makes the rule about a {}", k.as_str()))
                        .help("a rule decides one kind of subject; split it into one rule per subject"),
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
                    self.out.push(
                        Diagnostic::error(
                            Code::UnknownSubject,
                            self.source,
                            rule.name.span,
                            format!("cannot tell what rule `{}` is about", rule.name.node),
                        )
                        .zh(
                            format!("看不出规则 `{}` 判断的是哪类对象", rule.name.node),
                            Some("在引用之后加上 `关于 社区` 或 `关于 考核`"),
                        )
                        .label("names no field")
                        .help("add `关于 社区` or `关于 考核` after the cite"),
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
                let help = if k == SubjectKind::Task {
                    "a task is decided with 不予准入, 准予准入 or 须经审批"
                } else {
                    "premises and assessments are judged with 违规 「…」"
                };
                self.out.push(
                    Diagnostic::error(
                        Code::WrongOutcome,
                        self.source,
                        rule.outcome.span,
                        format!("this outcome does not apply to a {}", k.as_str()),
                    )
                    .zh(
                        format!("这一结论不适用于{}", k.zh()),
                        Some(if k == SubjectKind::Task {
                            "事项只能用 不予准入、准予准入 或 须经审批 作结论"
                        } else {
                            "社区场所和考核方案用 违规 「…」 作结论"
                        }),
                    )
                    .label("outcome")
                    .help(help),
                );
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
                        self.out.push(
                            Diagnostic::error(
                                Code::BadPlaceholder,
                                self.source,
                                path.span,
                                "only a list of texts can be filtered by a list",
                            )
                            .zh(
                                "只有文本清单类字段才能按清单筛选",
                                Some("去掉筛选，写成 {事项.category}"),
                            )
                            .label("not a list")
                            .help("write {事项.category} without the filter"),
                        );
                    }
                }
            }
        }
    }

    fn assertion(&mut self, a: &'a AssertDecl) {
        let Some(ty) = self.expr(&a.expr) else { return };
        if ty != Ty::Bool {
            self.type_error(a.expr.span, "an assertion must be a condition", ty);
            return;
        }
        if !a.expr.paths().is_empty() {
            self.out.push(
                Diagnostic::error(
                    Code::MixedSubjects,
                    self.source,
                    a.expr.span,
                    "an assertion is about the policy's lists, not a subject",
                )
                .zh(
                    "断言针对政策的清单，而不是某个对象",
                    Some("用 计数(清单名) 和数字，例如 断言 计数(履责清单) <= 62"),
                )
                .help("use 计数(清单名) and numbers, e.g. 断言 计数(履责清单) <= 62"),
            );
            return;
        }
        match logic::assertion_holds(self.ast, &a.expr) {
            Some(true) => {}
            Some(false) => {
                let msg = a.message.as_ref().map_or_else(
                    || "assertion does not hold".to_owned(),
                    |m| format!("assertion does not hold: {}", m.node),
                );
                self.out.push(
                    Diagnostic::error(Code::AssertionFailed, self.source, a.expr.span, msg)
                        .zh(
                            a.message.as_ref().map_or_else(
                                || "断言不成立".to_owned(),
                                |m| format!("断言不成立：{}", m.node),
                            ),
                            Some("修改清单使政策满足自己的断言，或更正断言"),
                        )
                        .label("false for the lists as written")
                        .help("change the lists so the policy meets its own assertion, or correct the assertion"),
                );
            }
            None => {}
        }
    }

    fn type_error(&mut self, span: Span, message: &str, found: Ty) {
        self.out.push(
            Diagnostic::error(Code::TypeMismatch, self.source, span, message.to_owned())
                .zh(zh_of(message), None)
                .label(format!("this is {}", found.describe())),
        );
    }

    /// Check an expression used as a condition. A bare field that is not yes/no means
    /// "is present", so `要求 事项.authorization.until` reads naturally.
    fn boolean(&mut self, e: &Expr) {
        let Some(ty) = self.expr(e) else { return };
        let bare_field = matches!(&*e.kind, ExprKind::Field(_));
        if ty != Ty::Bool && ty != Ty::Any && !bare_field {
            self.type_error(e.span, "expected a condition", ty);
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
                let mut d = Diagnostic::error(
                    Code::UnknownField,
                    self.source,
                    path.span,
                    format!("no {} has a field `{}`", path.kind.as_str(), shown),
                )
                .zh(format!("{}没有字段 `{}`", path.kind.zh(), shown), None)
                .label("unknown field");
                d = match closest(bad, candidates.iter().copied()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if candidates.is_empty() => d.help(format!(
                        "`{}` has no fields inside it",
                        if prefix.is_empty() {
                            bad.to_owned()
                        } else {
                            prefix
                        }
                    )),
                    None => d.help(format!("the fields here are: {}", candidates.join(", "))),
                };
                self.out.push(d);
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
                    self.type_error(path.span, "count needs a list-valued field", ty);
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
                    self.type_error(path.span, "任一/全部 needs a list-valued field", ty);
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
                        self.type_error(x.span, "arithmetic needs numbers", t);
                        return None;
                    }
                }
                ta.and(tb).map(|_| Ty::Number)
            }
            ExprKind::Compare(op, a, b) => {
                let (ta, tb) = (self.expr(a), self.expr(b));
                let (ta, tb) = (ta?, tb?);
                if !ta.comparable(tb) {
                    let mut d = Diagnostic::error(
                        Code::TypeMismatch,
                        self.source,
                        a.span,
                        format!("{} compared with {}", ta.describe(), tb.describe()),
                    )
                    .zh(format!("{}与{}相比较", ta.zh(), tb.zh()), None)
                    .label(format!("this is {}", ta.describe()))
                    .with_label(b.span, format!("this is {}", tb.describe()));
                    d = match (ta, tb) {
                        (Ty::Date, Ty::Text) | (Ty::Text, Ty::Date) => {
                            d.help("write a date without quotes: 2020-06-30")
                        }
                        (Ty::Date, Ty::Number) | (Ty::Number, Ty::Date) => d.help(
                            "write a date as YYYY-MM-DD, e.g. 2020-06-30, or compare with 今天",
                        ),
                        (Ty::Number, Ty::Text) | (Ty::Text, Ty::Number) => {
                            d.help("write numbers in digits without quotes: 3000, 20%")
                        }
                        _ => d.help("compare values of the same type"),
                    };
                    self.out.push(d);
                    return Some(Ty::Bool);
                }
                let ordered = !matches!(op, CompareOp::Eq | CompareOp::Ne);
                let ty = if ta == Ty::Any { tb } else { ta };
                if ordered && !matches!(ty, Ty::Number | Ty::Date | Ty::Any) {
                    self.out.push(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            self.source,
                            e.span,
                            format!(
                                "`{}` needs numbers or dates, not {}",
                                op.as_str(),
                                ty.describe()
                            ),
                        )
                        .zh(
                            format!("`{}` 只能比较数字或日期，不能比较{}", op.as_str(), ty.zh()),
                            Some("文本用 == 或 != 比较，或用 属于 对照清单"),
                        )
                        .label("cannot be ordered")
                        .help("compare texts with == or !=, or test them against a list with 属于"),
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
                        self.out.push(
                            Diagnostic::error(
                                Code::TypeMismatch,
                                self.source,
                                value.span,
                                "a list of texts cannot itself be in a list",
                            )
                            .zh(
                                "文本清单类字段本身不能“属于”清单",
                                Some("说明是哪些元素：任一 … 属于 清单，或 全部 … 属于 清单"),
                            )
                            .label("a list of texts")
                            .help("say which elements: 任一 … 属于 清单 or 全部 … 属于 清单"),
                        );
                    } else if ty == Ty::Text {
                        if let Some(decl) = decl {
                            self.list_of_texts(decl, list.span);
                        }
                    } else if ty != Ty::Any && ty != Ty::Number {
                        self.type_error(
                            value.span,
                            "only texts and numbers can be looked up in a list",
                            ty,
                        );
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
            self.out.push(
                Diagnostic::error(
                    Code::TypeMismatch,
                    self.source,
                    used,
                    format!(
                        "list `{}` holds numbers but is used for categories",
                        decl.name.node
                    ),
                )
                .zh(
                    format!(
                        "清单 `{}` 的条目是数字，却被用来对照事项类别",
                        decl.name.node
                    ),
                    Some("把条目写成带引号的文本：「…」"),
                )
                .label("looked up with a text")
                .with_label(n.value.span, "a number entry")
                .help("write the entries as quoted texts: 「…」"),
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
        let mut d = Diagnostic::error(
            Code::TypeMismatch,
            self.source,
            value.span,
            format!("`{}` is never \"{}\"", path.dotted(), text),
        )
        .zh(format!("`{}` 不可能是 \"{}\"", path.dotted(), text), None)
        .label("not a value of this field");
        let quoted: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
        d = match closest(text, choices.iter().copied()) {
            Some(s) => d.help(format!(
                "did you mean \"{s}\"? the values are {}",
                quoted.join(", ")
            )),
            None => d.help(format!("the values are {}", quoted.join(", "))),
        };
        self.out.push(d);
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
                        self.out.push(
                            Diagnostic::warning(
                                Code::DuplicateEntry,
                                self.source,
                                span,
                                format!("「{key}」 is already in list `{}`", list.name.node),
                            )
                            .zh(
                                format!("「{key}」 已在清单 `{}` 中", list.name.node),
                                Some("删去重复的条目"),
                            )
                            .label("repeated")
                            .with_label(*first, "first here")
                            .help("remove the repetition"),
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
            self.out.push(
                Diagnostic {
                    severity: Severity::Warning,
                    ..Diagnostic::error(
                        Code::NoReferral,
                        self.source,
                        self.ast.header.title.span,
                        "no rule sends unlisted tasks to the admission procedure",
                    )
                }
                .label("this policy")
                .zh("没有规则把清单外事项送交准入审批", Some("加一条 须经审批 规则，例如 规则 清单外事项须经审批 引用 N3 当 事项.category 不属于 … 须经审批 「…」"))
                .help("add a 须经审批 rule, e.g. 规则 清单外事项须经审批 引用 N3 当 事项.category 不属于 … 须经审批 「…」"),
            );
        }
    }
}

/// The Chinese of the type-error messages.
fn zh_of(message: &str) -> &'static str {
    match message {
        "an assertion must be a condition" => "断言必须是一个条件",
        "expected a condition" => "此处应为条件",
        "count needs a list-valued field" => "只能对清单类字段计数",
        "任一/全部 needs a list-valued field" => "任一/全部 只能用于清单类字段",
        "arithmetic needs numbers" => "算术运算只能用于数字",
        "only texts and numbers can be looked up in a list" => "只有文本和数字能对照清单",
        _ => "类型不符",
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
