//! The canonical layout of a policy file, and the same policy in the other keyword language.
//!
//! `format` prints the AST back: items in file order, one blank line between them, two
//! spaces of indentation, one list entry a line, comments kept before the code they preceded.
//! Formatting is idempotent, and parsing the output gives the same AST (property-tested).
//! `Lang::En` / `Lang::Zh` choose the keyword language; nothing else changes, so both
//! forms decide every subject the same.

use std::fmt::Write as _;

use crate::ast::*;
use crate::diagnostic::{Diagnostic, Lang};
use crate::markup::display_width as width;
use crate::source::{Source, Span};

/// The keyword language a policy is written in, told from its first keyword.
///
/// See [`format_source`] for an example.
pub fn keywords_of(source: &Source) -> Lang {
    let text = source.text.trim_start_matches('\u{feff}');
    let first_code_line = text
        .lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with('#'));
    match first_code_line {
        Some(l) if l.starts_with("policy") => Lang::En,
        _ => Lang::Zh,
    }
}

/// A keyword spelled in the printer's language.
trait Spell {
    fn kw(self, zh: &'static str, en: &'static str) -> &'static str;
}

impl Spell for Lang {
    fn kw(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// Parse a policy and print it in canonical layout with the given keywords (or the file's own
/// language when `None`). Fails only when the policy does not parse.
///
/// ```
/// use zhunru::{Source, format::format_source};
/// let source = Source::new("mini.policy", "政策 「小」 文件 「办法」 { 条款 N1 「条文」 }");
/// let zh = format_source(&source, None).unwrap();
/// assert!(zh.starts_with("政策 「小」\n"));
/// ```
pub fn format_source(source: &Source, keywords: Option<Lang>) -> Result<String, Vec<Diagnostic>> {
    let ast = crate::parse::parse(source)?;
    let keywords = keywords.unwrap_or_else(|| keywords_of(source));
    Ok(format_ast(&ast, source, keywords))
}

/// Print a parsed policy. `source` is the text it was parsed from (for comments and the
/// spelling of numbers); an AST built by hand may pass an empty source.
///
/// See [`format_source`] for an example.
pub fn format_ast(ast: &PolicyAst, source: &Source, keywords: Lang) -> String {
    let mut p = Printer {
        k: keywords,
        source,
        out: String::new(),
        comments: &ast.comments,
        next_comment: 0,
        last_end: 0,
    };
    p.policy(ast);
    p.out
}

enum Item<'a> {
    Document(&'a DocumentDecl),
    Field(&'a FieldDecl),
    Variant(&'a VariantDecl),
    List(&'a ListDecl),
    Rule(&'a RuleDecl),
    Assert(&'a AssertDecl),
}

impl Item<'_> {
    fn start(&self) -> usize {
        match self {
            Item::Document(d) => d.span.start,
            Item::Field(f) => f.span.start,
            Item::Variant(v) => v.span.start,
            Item::List(l) => l.span.start,
            Item::Rule(r) => r.span.start,
            Item::Assert(a) => a.span.start,
        }
    }
}

struct Printer<'a> {
    k: Lang,
    source: &'a Source,
    out: String,
    comments: &'a [crate::source::Spanned<String>],
    next_comment: usize,
    /// End of the last thing printed, in the source: to tell where blank lines were.
    last_end: usize,
}

const MAX_LINE: usize = 80;

impl Printer<'_> {
    /// Whether the source had a blank line between two offsets.
    fn blank_between(&self, from: usize, to: usize) -> bool {
        let gap = self.source.text.get(from..to).unwrap_or("");
        let segments: Vec<&str> = gap.split('\n').collect();
        segments.len() > 2
            && segments
                .get(1..segments.len() - 1)
                .is_some_and(|middle| middle.iter().any(|l| l.trim().is_empty()))
    }

    /// A blank line if the source had one before `offset` (and the output has none yet).
    fn keep_blank(&mut self, offset: usize) {
        if !self.out.is_empty()
            && !self.out.ends_with("\n\n")
            && self.blank_between(self.last_end, offset)
        {
            self.out.push('\n');
        }
    }

    /// Print the comments that stand before `offset`, at `indent`. A comment after code on
    /// its line stays at the end of that code's line: on a line of its own it would read as
    /// the note of whatever follows (a source's provenance note on a clause, moved above the
    /// next clause).
    fn comments_before(&mut self, offset: usize, indent: &str) {
        while let Some(c) = self.comments.get(self.next_comment) {
            if c.span.start >= offset {
                break;
            }
            let text = &self.source.text;
            let line_start = text
                .get(..c.span.start)
                .and_then(|before| before.rfind('\n'))
                .map_or(0, |i| i + 1);
            let after_code = text
                .get(line_start..c.span.start)
                .is_some_and(|code| !code.trim().is_empty());
            if after_code && !self.out.trim_end().is_empty() {
                // Printing is always at a line's start here: the code's line is the last
                // one written that is not blank.
                let ends = self.out.trim_end_matches('\n').len();
                let newlines = self.out.split_off(ends);
                let _ = write!(self.out, " {}", c.node.trim_end());
                self.out.push_str(&newlines);
                self.last_end = c.span.end;
                self.next_comment += 1;
                continue;
            }
            if self.blank_between(self.last_end, c.span.start)
                && !self.out.ends_with("\n\n")
                && !self.out.is_empty()
            {
                self.out.push('\n');
            }
            let _ = writeln!(self.out, "{indent}{}", c.node.trim_end());
            self.last_end = c.span.end;
            self.next_comment += 1;
        }
    }

    fn mark(&mut self, span: Span) {
        self.last_end = self.last_end.max(span.end);
    }

    fn policy(&mut self, ast: &PolicyAst) {
        self.header(&ast.header);
        let mut items: Vec<Item> = Vec::new();
        items.extend(ast.documents.iter().map(Item::Document));
        items.extend(ast.fields.iter().map(Item::Field));
        items.extend(ast.variants.iter().map(Item::Variant));
        items.extend(ast.lists.iter().map(Item::List));
        items.extend(ast.rules.iter().map(Item::Rule));
        items.extend(ast.asserts.iter().map(Item::Assert));
        items.sort_by_key(Item::start);
        for item in items {
            self.out.push('\n');
            self.comments_before(item.start(), "");
            self.keep_blank(item.start());
            match item {
                Item::Document(d) => self.document(d),
                Item::Field(f) => self.field(f),
                Item::Variant(v) => self.variant(v),
                Item::List(l) => self.list(l),
                Item::Rule(r) => self.rule(r),
                Item::Assert(a) => self.assertion(a),
            }
        }
        // Comments after the last item.
        let rest = self.comments.len() > self.next_comment;
        if rest {
            self.out.push('\n');
        }
        self.comments_before(usize::MAX, "");
        // A last comment that went to the end of the last line leaves the blank line made
        // for it.
        while self.out.ends_with("\n\n") {
            self.out.pop();
        }
    }

    fn header(&mut self, h: &Header) {
        self.comments_before(h.span.start, "");
        self.keep_blank(h.span.start);
        let k = self.k;
        let _ = writeln!(
            self.out,
            "{} {}",
            k.kw("政策", "policy"),
            self.text(&h.title.node)
        );
        self.mark(h.title.span);
        if let Some(j) = &h.jurisdiction {
            self.comments_before(j.span.start, "  ");
            let _ = writeln!(
                self.out,
                "  {} {}",
                k.kw("辖区", "jurisdiction"),
                self.text(&j.node)
            );
            self.mark(j.span);
        }
        if let Some(s) = &h.source {
            self.comments_before(s.span.start, "  ");
            let _ = writeln!(
                self.out,
                "  {} {}",
                k.kw("来源", "source"),
                self.text(&s.node)
            );
            self.mark(s.span);
        }
        if let Some(e) = &h.effective {
            self.comments_before(e.span.start, "  ");
            let _ = writeln!(self.out, "  {} {}", k.kw("生效", "effective"), e.node);
            self.mark(e.span);
        }
        if let Some(e) = &h.expires {
            self.comments_before(e.span.start, "  ");
            let _ = writeln!(self.out, "  {} {}", k.kw("失效", "expires"), e.node);
            self.mark(e.span);
        }
        if let Some(t) = h.trial {
            self.comments_before(t.start, "  ");
            let _ = writeln!(self.out, "  {}", k.kw("试行", "trial"));
            self.mark(t);
        }
        if let Some(p) = &h.parent {
            self.comments_before(p.span.start, "  ");
            let _ = writeln!(
                self.out,
                "  {} {}",
                k.kw("上位", "parent"),
                self.text(&p.node)
            );
            self.mark(p.span);
        }
        self.mark(h.span);
    }

    fn document(&mut self, d: &DocumentDecl) {
        let k = self.k;
        let _ = writeln!(
            self.out,
            "{} {}",
            k.kw("文件", "document"),
            self.text(&d.title.node)
        );
        self.mark(d.title.span);
        let texts = [
            (&d.issuer, k.kw("发文机关", "issuer")),
            (&d.number, k.kw("文号", "number")),
        ];
        for (field, word) in texts {
            if let Some(v) = field {
                self.comments_before(v.span.start, "  ");
                let _ = writeln!(self.out, "  {word} {}", self.text(&v.node));
                self.mark(v.span);
            }
        }
        if let Some(v) = &d.issued {
            self.comments_before(v.span.start, "  ");
            let _ = writeln!(self.out, "  {} {}", k.kw("成文日期", "issued"), v.node);
            self.mark(v.span);
        }
        let texts = [
            (&d.address, k.kw("网址", "address")),
            (&d.level, k.kw("层级", "level")),
        ];
        for (field, word) in texts {
            if let Some(v) = field {
                self.comments_before(v.span.start, "  ");
                let _ = writeln!(self.out, "  {word} {}", self.text(&v.node));
                self.mark(v.span);
            }
        }
        // `{` ends the title line when nothing stands between them.
        if d.issuer.is_none()
            && d.number.is_none()
            && d.issued.is_none()
            && d.address.is_none()
            && d.level.is_none()
            && self.out.ends_with('\n')
        {
            self.out.pop();
            self.out.push_str(" {\n");
        } else {
            self.out.push_str("{\n");
        }
        for c in &d.clauses {
            self.comments_before(c.id.span.start, "  ");
            let mut line = format!(
                "  {} {} {}",
                k.kw("条款", "clause"),
                c.id.node,
                self.text(&c.text.node)
            );
            if c.funding {
                let _ = write!(line, " {}", k.kw("费随事转", "fee_follows_task"));
            }
            if c.example {
                let _ = write!(line, " {}", k.kw("示例", "example"));
            }
            let _ = writeln!(self.out, "{line}");
            self.mark(c.text.span);
        }
        self.comments_before(d.span.end, "  ");
        self.out.push_str("}\n");
        self.mark(d.span);
    }

    fn field(&mut self, f: &FieldDecl) {
        let k = self.k;
        let mut line = format!("{} {}", k.kw("字段", "field"), self.path(&f.path));
        if let Some(label) = &f.label {
            let _ = write!(line, " {}", self.text(&label.node));
        }
        let ty = match &f.ty.node {
            DeclaredType::OneOf(values) => {
                let values: Vec<String> = values
                    .iter()
                    .map(|v| {
                        let mut out = self.text(&v.value);
                        if !v.words.is_empty() {
                            let words: Vec<String> = v.words.iter().map(|w| self.text(w)).collect();
                            let _ = write!(
                                out,
                                "{}{}{}",
                                k.kw("（", " ("),
                                words.join(k.kw("、", ", ")),
                                k.kw("）", ")")
                            );
                        }
                        out
                    })
                    .collect();
                format!(
                    "{} {}",
                    k.kw("取值", "one_of"),
                    values.join(k.kw("、", ", "))
                )
            }
            DeclaredType::Text => format!("{} {}", k.kw("类型", "type"), k.kw("文本", "text")),
            DeclaredType::Number => format!("{} {}", k.kw("类型", "type"), k.kw("数字", "number")),
            DeclaredType::Date => format!("{} {}", k.kw("类型", "type"), k.kw("日期", "date")),
            DeclaredType::Bool => format!("{} {}", k.kw("类型", "type"), k.kw("是否", "yesno")),
            DeclaredType::Texts => {
                format!("{} {}", k.kw("类型", "type"), k.kw("文本清单", "texts"))
            }
        };
        let _ = write!(self.out, "{line} {ty}");
        if let Some(default) = &f.default {
            let _ = write!(
                self.out,
                " {} {}",
                k.kw("默认", "default"),
                self.text(&default.node)
            );
        }
        self.out.push('\n');
        self.mark(f.span);
    }

    fn variant(&mut self, v: &VariantDecl) {
        let _ = writeln!(
            self.out,
            "{} {} = {}",
            self.k.kw("异体", "variant"),
            self.text(&v.from.node),
            self.text(&v.to.node)
        );
        self.mark(v.span);
    }

    fn cites(&self, cite: &[crate::source::Spanned<String>]) -> String {
        if cite.is_empty() {
            return String::new();
        }
        let ids: Vec<&str> = cite.iter().map(|c| c.node.as_str()).collect();
        format!(" {} {}", self.k.kw("引用", "cite"), ids.join(", "))
    }

    fn list(&mut self, l: &ListDecl) {
        let k = self.k;
        let title = l
            .title
            .as_ref()
            .map(|t| format!(" {}", self.text(&t.node)))
            .unwrap_or_default();
        let extend = if l.extend {
            format!(" {}", k.kw("追加", "extend"))
        } else {
            String::new()
        };
        let _ = writeln!(
            self.out,
            "{} {}{}{}{} {{",
            k.kw("清单", "list"),
            l.name.node,
            extend,
            title,
            self.cites(&l.cite)
        );
        self.mark(l.name.span);
        for e in &l.entries {
            self.comments_before(e.value.span.start, "  ");
            let mut line = String::from("  ");
            if e.example {
                line.push_str(k.kw("示例 ", "example "));
            }
            line.push_str(&self.literal(&e.value.node, e.value.span));
            if !e.aliases.is_empty() {
                let aliases: Vec<String> = e.aliases.iter().map(|a| self.text(&a.node)).collect();
                match k {
                    Lang::Zh => {
                        let _ = write!(line, "（别名 {}）", aliases.join("、"));
                    }
                    Lang::En => {
                        let _ = write!(line, " (alias {})", aliases.join(", "));
                    }
                }
            }
            let _ = writeln!(self.out, "{line}");
            self.mark(e.value.span);
            if let Some(a) = e.aliases.last() {
                self.mark(a.span);
            }
        }
        self.comments_before(l.span.end, "  ");
        self.out.push_str("}\n");
        self.mark(l.span);
    }

    fn rule(&mut self, r: &RuleDecl) {
        let k = self.k;
        let _ = writeln!(
            self.out,
            "{} {}{}",
            k.kw("规则", "rule"),
            r.name.node,
            self.cites(&r.cite)
        );
        self.mark(r.name.span);
        if let Some(a) = &r.about {
            self.comments_before(a.span.start, "  ");
            let _ = writeln!(
                self.out,
                "  {} {}",
                k.kw("关于", "about"),
                self.kind(a.node)
            );
            self.mark(a.span);
        }
        if let Some(w) = &r.when {
            self.comments_before(w.span.start, "  ");
            let head = format!("  {} ", k.kw("当", "when"));
            let line = format!("{head}{}", self.expr(w, 0));
            if width(&line) <= MAX_LINE {
                let _ = writeln!(self.out, "{line}");
            } else {
                let broken = self.broken_condition(w, &head);
                self.out.push_str(&broken);
            }
            self.mark(w.span);
        }
        if let Some(u) = &r.unless {
            self.comments_before(u.span.start, "  ");
            let head = format!("  {} ", k.kw("除非", "unless"));
            let line = format!("{head}{}", self.expr(u, 0));
            if width(&line) <= MAX_LINE {
                let _ = writeln!(self.out, "{line}");
            } else {
                let broken = self.broken_condition(u, &head);
                self.out.push_str(&broken);
            }
            self.mark(u.span);
        }
        let n = r.requirements.len();
        let head = format!("  {} ", k.kw("要求", "require"));
        let pad = " ".repeat(width(&head));
        for (i, req) in r.requirements.iter().enumerate() {
            self.comments_before(req.expr.span.start, "  ");
            let mut line = if i == 0 { head.clone() } else { pad.clone() };
            line.push_str(&self.expr(&req.expr, 0));
            if let Some(label) = &req.label {
                let _ = write!(line, " {} {}", k.kw("记为", "as"), label.node);
                self.mark(label.span);
            }
            if i + 1 < n {
                line.push_str(k.kw("，", ","));
            }
            let _ = writeln!(self.out, "{line}");
            self.mark(req.expr.span);
        }
        self.comments_before(r.outcome.span.start, "  ");
        let outcome = match &r.outcome.node {
            Outcome::Deny(m) => format!("{} {}", k.kw("不予准入", "deny"), self.message(m)),
            Outcome::Admit(Some(m)) => format!("{} {}", k.kw("准予准入", "admit"), self.message(m)),
            Outcome::Admit(None) => k.kw("准予准入", "admit").to_owned(),
            Outcome::Refer(m) => format!("{} {}", k.kw("须经审批", "refer"), self.message(m)),
            Outcome::Violation(m) => format!("{} {}", k.kw("违规", "violation"), self.message(m)),
        };
        let _ = writeln!(self.out, "  {outcome}");
        self.mark(r.span);
    }

    /// A long `且`/`或` chain, one operand a line.
    fn broken_condition(&self, e: &Expr, head: &str) -> String {
        let (parts, word, prec) = match &*e.kind {
            ExprKind::And(parts) => (parts, self.k.kw("且", "and"), 3),
            ExprKind::Or(parts) => (parts, self.k.kw("或", "or"), 2),
            _ => return format!("{head}{}\n", self.expr(e, 0)),
        };
        let mut out = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i == 0 {
                let _ = writeln!(out, "{head}{}", self.expr(p, prec));
            } else {
                let _ = writeln!(out, "    {word} {}", self.expr(p, prec));
            }
        }
        out
    }

    fn assertion(&mut self, a: &AssertDecl) {
        let k = self.k;
        let message = a
            .message
            .as_ref()
            .map(|m| format!(" {}", self.text(&m.node)))
            .unwrap_or_default();
        let _ = writeln!(
            self.out,
            "{} {}{}{}",
            k.kw("断言", "assert"),
            self.expr(&a.expr, 0),
            self.cites(&a.cite),
            message
        );
        self.mark(a.span);
    }

    fn kind(&self, kind: SubjectKind) -> &'static str {
        match kind {
            SubjectKind::Task => self.k.kw("事项", "task"),
            SubjectKind::Community => self.k.kw("社区", "community"),
            SubjectKind::Assessment => self.k.kw("考核", "assessment"),
        }
    }

    fn path(&self, p: &Path) -> String {
        format!("{}.{}", self.kind(p.kind), p.fields.join("."))
    }

    fn in_word(&self, op: ListOp) -> &'static str {
        match op {
            ListOp::In => self.k.kw("属于", "in"),
            ListOp::NotIn => self.k.kw("不属于", "not in"),
            ListOp::Mentions => self.k.kw("包含", "contains"),
            ListOp::NotMentions => self.k.kw("不包含", "not contains"),
        }
    }

    /// Print an expression, in parentheses if it binds less tightly than `min`.
    /// Precedence: or 1, and 2, not 3, comparison 4, sum 5, product 6, atom 7.
    fn expr(&self, e: &Expr, min: u8) -> String {
        let k = self.k;
        let (prec, text) = match &*e.kind {
            ExprKind::Literal(l) => (7, self.literal(l, e.span)),
            ExprKind::Today => (7, k.kw("今天", "today").to_owned()),
            ExprKind::Field(p) => (7, self.path(p)),
            ExprKind::CountField { path, filter } => {
                let filter = filter
                    .as_ref()
                    .map(|(op, l)| format!(" {} {}", self.in_word(*op), l.node))
                    .unwrap_or_default();
                (
                    7,
                    format!("{}({}{})", k.kw("计数", "count"), self.path(path), filter),
                )
            }
            ExprKind::CountList { list, quoted_only } => {
                let quoted = if *quoted_only {
                    format!(" {}", k.kw("原文", "quoted"))
                } else {
                    String::new()
                };
                (
                    7,
                    format!("{}({}{quoted})", k.kw("计数", "count"), list.node),
                )
            }
            ExprKind::DaysBetween(a, b) => (
                7,
                format!(
                    "{}({}{}{})",
                    k.kw("天数", "days_between"),
                    self.expr(a, 0),
                    k.kw("，", ", "),
                    self.expr(b, 0)
                ),
            ),
            ExprKind::Contains { value, needle } => (
                4,
                format!(
                    "{} {} {}",
                    self.expr(value, 5),
                    k.kw("包含", "contains"),
                    self.expr(needle, 5)
                ),
            ),
            ExprKind::Quantified {
                quantifier,
                path,
                op,
                list,
            } => {
                let q = match quantifier {
                    Quantifier::Any => k.kw("任一", "any"),
                    Quantifier::All => k.kw("全部", "all"),
                };
                (
                    7,
                    format!(
                        "{q} {} {} {}",
                        self.path(path),
                        self.in_word(*op),
                        list.node
                    ),
                )
            }
            ExprKind::Arith(op, a, b) => {
                let (prec, sym) = match op {
                    ArithOp::Add => (5, "+"),
                    ArithOp::Sub => (5, "-"),
                    ArithOp::Mul => (6, "*"),
                    ArithOp::Div => (6, "/"),
                };
                (
                    prec,
                    format!("{} {sym} {}", self.expr(a, prec), self.expr(b, prec + 1)),
                )
            }
            ExprKind::Compare(op, a, b) => (
                4,
                format!("{} {} {}", self.expr(a, 5), op.as_str(), self.expr(b, 5)),
            ),
            ExprKind::InList { value, op, list } => (
                4,
                format!(
                    "{} {} {}",
                    self.expr(value, 5),
                    self.in_word(*op),
                    list.node
                ),
            ),
            ExprKind::Present { value, negated } => {
                let word = if *negated {
                    k.kw("未提供", "absent")
                } else {
                    k.kw("已提供", "present")
                };
                (4, format!("{} {word}", self.expr(value, 5)))
            }
            ExprKind::Not(inner) => (3, format!("{} {}", k.kw("非", "not"), self.expr(inner, 4))),
            ExprKind::And(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| self.expr(p, 3)).collect();
                (2, parts.join(&format!(" {} ", k.kw("且", "and"))))
            }
            ExprKind::Or(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| self.expr(p, 2)).collect();
                (1, parts.join(&format!(" {} ", k.kw("或", "or"))))
            }
        };
        if prec < min {
            format!("({text})")
        } else {
            text
        }
    }

    fn literal(&self, l: &Literal, span: Span) -> String {
        match l {
            Literal::Text(t) => self.text(t),
            Literal::Number(n) => {
                // Keep the drafter's spelling (`20%`, `3000`) when it says the same number.
                let written = self.source.slice(span).trim();
                let same = written
                    .trim_end_matches(['%', '％'])
                    .parse::<f64>()
                    .ok()
                    .map(|v| {
                        if written.ends_with(['%', '％']) {
                            v / 100.0
                        } else {
                            v
                        }
                    });
                if !written.is_empty() && same == Some(*n) {
                    written.replace('％', "%")
                } else {
                    format!("{n}")
                }
            }
            Literal::Date(d) => d.to_string(),
            Literal::Duration(d) => {
                let unit = match d.unit {
                    TimeUnit::Days => self.k.kw("天", "days"),
                    TimeUnit::Months => self.k.kw("个月", "months"),
                    TimeUnit::Years => self.k.kw("年", "years"),
                };
                format!("{} {unit}", d.amount)
            }
            Literal::Bool(b) => match (b, self.k) {
                (true, Lang::Zh) => "是".to_owned(),
                (false, Lang::Zh) => "否".to_owned(),
                (true, Lang::En) => "true".to_owned(),
                (false, Lang::En) => "false".to_owned(),
            },
        }
    }

    /// A text literal: 「…」 in Chinese-keyword files when it can be (CJK text, balanced corner
    /// quotes, one line), else "…" with escapes.
    fn text(&self, t: &str) -> String {
        if self.k == Lang::Zh && corner_safe(t) && !t.is_ascii() && !t.contains(['{', '}']) {
            return format!("「{t}」");
        }
        quoted(t, false)
    }

    fn message(&self, m: &Message) -> String {
        let mut body = String::new();
        let mut needs_quotes = false;
        for part in &m.parts {
            match part {
                MessagePart::Text(t) => {
                    if t.contains(['{', '}']) {
                        needs_quotes = true;
                    }
                    body.push_str(t);
                }
                MessagePart::Field { path, filter } => {
                    let filter = filter
                        .as_ref()
                        .map(|(op, l)| format!(" {} {}", self.in_word(*op), l.node))
                        .unwrap_or_default();
                    let _ = write!(body, "{{{}{}}}", self.path(path), filter);
                }
            }
        }
        if self.k == Lang::Zh && !needs_quotes && corner_safe(&body) {
            return format!("「{body}」");
        }
        // Re-escape: literal braces in text parts, quotes and backslashes everywhere.
        let mut out = String::from("\"");
        for part in &m.parts {
            match part {
                MessagePart::Text(t) => out.push_str(&escape(t, true)),
                MessagePart::Field { path, filter } => {
                    let filter = filter
                        .as_ref()
                        .map(|(op, l)| format!(" {} {}", self.in_word(*op), l.node))
                        .unwrap_or_default();
                    let _ = write!(out, "{{{}{}}}", self.path(path), filter);
                }
            }
        }
        out.push('"');
        out
    }
}

/// Whether a text can stand inside 「…」: one line, corner quotes balanced.
fn corner_safe(t: &str) -> bool {
    let mut depth = 0i32;
    for c in t.chars() {
        match c {
            '「' => depth += 1,
            '」' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            '\n' | '\r' => return false,
            _ => {}
        }
    }
    depth == 0
}

/// `"…"` with `\"`, `\\`, `\n`, `\t` (and `\{`, `\}` in messages) escaped.
fn quoted(t: &str, braces: bool) -> String {
    format!("\"{}\"", escape(t, braces))
}

fn escape(t: &str, braces: bool) -> String {
    let mut out = String::new();
    for c in t.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '{' if braces => out.push_str("\\{"),
            '}' if braces => out.push_str("\\}"),
            _ => out.push(c),
        }
    }
    out
}
