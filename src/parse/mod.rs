//! Parsing: policy text → pest pairs → the typed AST of [`crate::ast`], spans on every node.
//!
//! One function a grammar rule. Children are matched by their rule, never by position
//! alone; a shape the grammar cannot produce is reported as an internal error diagnostic
//! rather than a panic.

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};

use crate::ast::*;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Source, Span, Spanned};
use crate::value::Date;

mod errors;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/zhunru.pest"]
pub(crate) struct Grammar;

/// Largest policy file accepted (bytes).
pub const MAX_POLICY_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of parentheses accepted.
pub const MAX_NESTING: usize = 32;
/// Most rules in one policy (a district policy has a dozen).
pub const MAX_RULES: usize = 1_000;
/// Most operands in one chain of `+`/`-` or `*`/`/`.
pub const MAX_CHAIN: usize = 64;

/// Parse a policy. On failure, the diagnostics say where and what was expected.
pub fn parse(source: &Source) -> std::result::Result<PolicyAst, Vec<Diagnostic>> {
    if let Some(d) = errors::precheck(source) {
        return Err(vec![d]);
    }
    let mut pairs = Grammar::parse(Rule::policy, &source.text)
        .map_err(|e| vec![errors::from_pest(source, e)])?;
    let policy = pairs
        .next()
        .ok_or_else(|| vec![internal(source, Span::default(), "empty parse")])?;
    let mut b = Builder {
        source,
        errors: Vec::new(),
    };
    let ast = b.policy(policy);
    match ast {
        Some(ast) if b.errors.is_empty() => Ok(ast),
        _ => Err(b.errors),
    }
}

fn internal(source: &Source, span: Span, what: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Syntax,
        source,
        span,
        format!("internal error: unexpected parse shape ({what})"),
    )
    .zh(
        format!("内部错误：意外的解析结构（{what}）"),
        Some("这是 zhunru 的缺陷，请连同政策文件一起报告"),
    )
    .help("this is a bug in zhunru; please report it with the policy file")
}

struct Builder<'s> {
    source: &'s Source,
    errors: Vec<Diagnostic>,
}

/// A pair's span without the white space pest's implicit skipping leaves at its end.
fn span(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    let trimmed = pair.as_str().trim_end().len();
    Span::new(s.start(), s.start() + trimmed)
}

impl Builder<'_> {
    fn bad(&mut self, pair: &Pair<Rule>, what: &str) {
        self.errors.push(internal(self.source, span(pair), what));
    }

    fn policy(&mut self, pair: Pair<Rule>) -> Option<PolicyAst> {
        let mut header = None;
        let mut lists = Vec::new();
        let mut rules = Vec::new();
        let mut asserts = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::header => header = self.header(child),
                Rule::list_decl => lists.extend(self.list_decl(child)),
                Rule::rule_decl => rules.extend(self.rule_decl(child)),
                Rule::assert_decl => asserts.extend(self.assert_decl(child)),
                Rule::EOI => {}
                _ => self.bad(&child, "policy item"),
            }
        }
        if rules.len() > MAX_RULES {
            let at = rules
                .get(MAX_RULES)
                .map_or(Span::default(), |r: &RuleDecl| r.name.span);
            self.errors.push(
                Diagnostic::error(
                    Code::TooLarge,
                    self.source,
                    at,
                    format!("more than {MAX_RULES} rules"),
                )
                .zh(
                    format!("规则超过 {MAX_RULES} 条"),
                    Some("一个区的政策只有十几条规则；请检查文件"),
                )
                .label("this rule is one too many")
                .help("a district policy holds a dozen rules; check the file is the right one"),
            );
        }
        Some(PolicyAst {
            header: header?,
            lists,
            rules,
            asserts,
            comments: errors::comments(self.source),
        })
    }

    fn header(&mut self, pair: Pair<Rule>) -> Option<Header> {
        let whole = span(&pair);
        let mut title = None;
        let mut header = Header {
            title: Spanned::new(String::new(), whole),
            jurisdiction: None,
            source: None,
            effective: None,
            span: whole,
        };
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_policy => {}
                Rule::string => title = Some(self.string(child)),
                Rule::header_field => {
                    for field in child.into_inner() {
                        let rule = field.as_rule();
                        let value = field
                            .into_inner()
                            .find(|p| matches!(p.as_rule(), Rule::string | Rule::date));
                        let Some(value) = value else { continue };
                        match rule {
                            Rule::jurisdiction => header.jurisdiction = Some(self.string(value)),
                            Rule::source_field => header.source = Some(self.string(value)),
                            Rule::effective => {
                                header.effective =
                                    self.date(&value).map(|d| Spanned::new(d, span(&value)))
                            }
                            _ => {}
                        }
                    }
                }
                _ => self.bad(&child, "header"),
            }
        }
        header.title = title?;
        Some(header)
    }

    fn list_decl(&mut self, pair: Pair<Rule>) -> Option<ListDecl> {
        let whole = span(&pair);
        let mut name = None;
        let mut title = None;
        let mut cite = Vec::new();
        let mut entries = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_list => {}
                Rule::name => name = Some(self.name(&child)),
                Rule::string => title = Some(self.string(child)),
                Rule::cite => cite = self.cite(child),
                Rule::entry => entries.extend(self.entry(child)),
                _ => self.bad(&child, "list"),
            }
        }
        Some(ListDecl {
            name: name?,
            title,
            cite,
            entries,
            span: whole,
        })
    }

    fn entry(&mut self, pair: Pair<Rule>) -> Option<Entry> {
        let mut value = None;
        let mut aliases = Vec::new();
        let mut example = false;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::example_mark => example = true,
                Rule::string => {
                    let s = self.string(child);
                    value = Some(Spanned::new(Literal::Text(s.node), s.span));
                }
                Rule::number => {
                    let sp = span(&child);
                    value = Some(Spanned::new(Literal::Number(self.number(&child)?), sp));
                }
                Rule::aliases => {
                    for alias in child.into_inner() {
                        if alias.as_rule() == Rule::string {
                            aliases.push(self.string(alias));
                        }
                    }
                }
                _ => self.bad(&child, "entry"),
            }
        }
        Some(Entry {
            value: value?,
            aliases,
            example,
        })
    }

    fn cite(&mut self, pair: Pair<Rule>) -> Vec<Spanned<String>> {
        pair.into_inner()
            .filter(|p| p.as_rule() == Rule::rule_id)
            .map(|p| Spanned::new(p.as_str().to_owned(), span(&p)))
            .collect()
    }

    fn rule_decl(&mut self, pair: Pair<Rule>) -> Option<RuleDecl> {
        let whole = span(&pair);
        let mut name = None;
        let mut cite = Vec::new();
        let mut about = None;
        let mut when = None;
        let mut requirements = Vec::new();
        let mut outcome = None;
        for child in pair.into_inner() {
            let sp = span(&child);
            match child.as_rule() {
                Rule::kw_rule => {}
                Rule::name => name = Some(self.name(&child)),
                Rule::cite => cite = self.cite(child),
                Rule::about => {
                    about = child
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::subject_kind)
                        .and_then(|p| self.subject_kind(p))
                        .map(|k| Spanned::new(k, sp))
                }
                Rule::when_clause => {
                    when = child
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::expr)
                        .and_then(|p| self.expr(p))
                }
                Rule::require_clause => {
                    for req in child.into_inner() {
                        if req.as_rule() == Rule::requirement {
                            requirements.extend(self.requirement(req));
                        }
                    }
                }
                Rule::deny | Rule::admit | Rule::refer | Rule::violation => {
                    let rule = child.as_rule();
                    let message = child
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::string)
                        .map(|p| self.message(p));
                    let o = match (rule, message) {
                        (Rule::admit, m) => Outcome::Admit(m),
                        (Rule::deny, Some(m)) => Outcome::Deny(m),
                        (Rule::refer, Some(m)) => Outcome::Refer(m),
                        (Rule::violation, Some(m)) => Outcome::Violation(m),
                        _ => {
                            self.errors.push(internal(self.source, sp, "outcome"));
                            continue;
                        }
                    };
                    outcome = Some(Spanned::new(o, sp));
                }
                _ => self.bad(&child, "rule"),
            }
        }
        Some(RuleDecl {
            name: name?,
            cite,
            about,
            when,
            requirements,
            outcome: outcome?,
            span: whole,
        })
    }

    fn requirement(&mut self, pair: Pair<Rule>) -> Option<Requirement> {
        let mut expr = None;
        let mut label = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::expr => expr = self.expr(child),
                Rule::name => label = Some(self.name(&child)),
                Rule::kw_as => {}
                _ => self.bad(&child, "requirement"),
            }
        }
        Some(Requirement { expr: expr?, label })
    }

    fn assert_decl(&mut self, pair: Pair<Rule>) -> Option<AssertDecl> {
        let whole = span(&pair);
        let mut expr = None;
        let mut cite = Vec::new();
        let mut message = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_assert => {}
                Rule::expr => expr = self.expr(child),
                Rule::cite => cite = self.cite(child),
                Rule::string => message = Some(self.string(child)),
                _ => self.bad(&child, "assert"),
            }
        }
        Some(AssertDecl {
            expr: expr?,
            cite,
            message,
            span: whole,
        })
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let inner = pair.into_inner().next()?;
        self.disjunction(inner)
    }

    fn disjunction(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let sp = span(&pair);
        let parts: Vec<Expr> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::conjunction)
            .map(|p| self.conjunction(p))
            .collect::<Option<_>>()?;
        Some(join(parts, sp, ExprKind::Or))
    }

    fn conjunction(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let sp = span(&pair);
        let parts: Vec<Expr> = pair
            .into_inner()
            .filter(|p| p.as_rule() == Rule::negation)
            .map(|p| self.negation(p))
            .collect::<Option<_>>()?;
        Some(join(parts, sp, ExprKind::And))
    }

    fn negation(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let sp = span(&pair);
        let mut nots = 0usize;
        let mut inner = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_not => nots += 1,
                Rule::comparison => inner = self.comparison(child),
                _ => self.bad(&child, "negation"),
            }
        }
        let inner = inner?;
        // `not not x` is `x`: keep the AST shallow however many are written.
        Some(if nots % 2 == 1 {
            Expr {
                kind: Box::new(ExprKind::Not(inner)),
                span: sp,
            }
        } else {
            inner
        })
    }

    fn comparison(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let sp = span(&pair);
        let mut children = pair.into_inner();
        let left = self.sum(children.next()?)?;
        let Some(test) = children.next() else {
            return Some(left);
        };
        let kind = match test.as_rule() {
            Rule::compare => {
                let mut it = test.into_inner();
                let op = compare_op(it.next()?.as_str());
                let right = self.sum(it.next()?)?;
                ExprKind::Compare(op, left, right)
            }
            Rule::in_list | Rule::not_in_list => {
                let negated = test.as_rule() == Rule::not_in_list;
                let list = test.into_inner().find(|p| p.as_rule() == Rule::name)?;
                ExprKind::InList {
                    value: left,
                    negated,
                    list: self.name(&list),
                }
            }
            Rule::is_present => ExprKind::Present {
                value: left,
                negated: false,
            },
            Rule::is_absent => ExprKind::Present {
                value: left,
                negated: true,
            },
            _ => {
                self.bad(&test, "comparison");
                return None;
            }
        };
        Some(Expr {
            kind: Box::new(kind),
            span: sp,
        })
    }

    fn chain(
        &mut self,
        pair: Pair<Rule>,
        operand: fn(&mut Self, Pair<Rule>) -> Option<Expr>,
    ) -> Option<Expr> {
        let mut children = pair.into_inner();
        let mut acc = operand(self, children.next()?)?;
        let mut count = 1;
        while let Some(op) = children.next() {
            let right = operand(self, children.next()?)?;
            count += 1;
            if count > MAX_CHAIN {
                self.errors.push(
                    Diagnostic::error(
                        Code::TooDeep,
                        self.source,
                        right.span,
                        format!("more than {MAX_CHAIN} operands in one arithmetic chain"),
                    )
                    .zh(
                        format!("一个算式中超过 {MAX_CHAIN} 个运算数"),
                        Some("拆分计算；政策只需要简单的比例和加总"),
                    )
                    .help("split the calculation; policies state simple ratios and sums"),
                );
                return None;
            }
            let arith = match op.as_str() {
                "+" => ArithOp::Add,
                "-" => ArithOp::Sub,
                "*" | "×" => ArithOp::Mul,
                _ => ArithOp::Div,
            };
            let sp = acc.span.to(right.span);
            acc = Expr {
                kind: Box::new(ExprKind::Arith(arith, acc, right)),
                span: sp,
            };
        }
        Some(acc)
    }

    fn sum(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        self.chain(pair, Self::product)
    }

    fn product(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        self.chain(pair, Self::atom)
    }

    fn atom(&mut self, pair: Pair<Rule>) -> Option<Expr> {
        let sp = span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::path => ExprKind::Field(self.path(pair)?),
            Rule::date => ExprKind::Literal(Literal::Date(self.date(&pair)?)),
            Rule::number => ExprKind::Literal(Literal::Number(self.number(&pair)?)),
            Rule::string => ExprKind::Literal(Literal::Text(self.string(pair).node)),
            Rule::boolean => {
                let value = pair.into_inner().next()?.as_rule() == Rule::kw_true;
                ExprKind::Literal(Literal::Bool(value))
            }
            Rule::today => ExprKind::Today,
            Rule::count => {
                let mut path = None;
                let mut filter = None;
                let mut list = None;
                for child in pair.into_inner() {
                    match child.as_rule() {
                        Rule::kw_count => {}
                        Rule::path => path = self.path(child),
                        Rule::name => list = Some(self.name(&child)),
                        Rule::filter => filter = self.filter(child),
                        _ => self.bad(&child, "count"),
                    }
                }
                match (path, list) {
                    (Some(path), _) => ExprKind::CountField { path, filter },
                    (None, Some(list)) => ExprKind::CountList(list),
                    _ => return None,
                }
            }
            Rule::quantified => {
                let mut quantifier = Quantifier::Any;
                let mut path = None;
                let mut negated = false;
                let mut list = None;
                for child in pair.into_inner() {
                    match child.as_rule() {
                        Rule::kw_any => quantifier = Quantifier::Any,
                        Rule::kw_all => quantifier = Quantifier::All,
                        Rule::path => path = self.path(child),
                        Rule::kw_not_in => negated = true,
                        Rule::kw_in => negated = false,
                        Rule::name => list = Some(self.name(&child)),
                        _ => self.bad(&child, "quantified"),
                    }
                }
                ExprKind::Quantified {
                    quantifier,
                    path: path?,
                    negated,
                    list: list?,
                }
            }
            _ => {
                self.bad(&pair, "atom");
                return None;
            }
        };
        Some(Expr {
            kind: Box::new(kind),
            span: sp,
        })
    }

    fn filter(&mut self, pair: Pair<Rule>) -> Option<(bool, Spanned<String>)> {
        let mut negated = false;
        let mut list = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_not_in => negated = true,
                Rule::kw_in => negated = false,
                Rule::name => list = Some(self.name(&child)),
                _ => self.bad(&child, "filter"),
            }
        }
        Some((negated, list?))
    }

    fn path(&mut self, pair: Pair<Rule>) -> Option<Path> {
        let sp = span(&pair);
        let mut kind = None;
        let mut fields = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::subject_kind => kind = self.subject_kind(child),
                Rule::field => fields.push(child.as_str().to_owned()),
                _ => self.bad(&child, "path"),
            }
        }
        Some(Path {
            kind: kind?,
            fields,
            span: sp,
        })
    }

    fn subject_kind(&mut self, pair: Pair<Rule>) -> Option<SubjectKind> {
        match pair.into_inner().next()?.as_rule() {
            Rule::kw_task => Some(SubjectKind::Task),
            Rule::kw_community => Some(SubjectKind::Community),
            Rule::kw_assessment => Some(SubjectKind::Assessment),
            _ => None,
        }
    }

    // ------------------------------------------------------------ tokens

    fn name(&mut self, pair: &Pair<Rule>) -> Spanned<String> {
        Spanned::new(pair.as_str().to_owned(), span(pair))
    }

    fn number(&mut self, pair: &Pair<Rule>) -> Option<f64> {
        let text = pair.as_str();
        let percent = text.ends_with('%') || text.ends_with('％');
        let digits = text.trim_end_matches(['%', '％']);
        match digits.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(if percent { n / 100.0 } else { n }),
            _ => {
                self.errors.push(
                    Diagnostic::error(Code::Syntax, self.source, span(pair), "number out of range")
                        .zh("数字超出范围", None)
                        .label("too large to represent"),
                );
                None
            }
        }
    }

    fn date(&mut self, pair: &Pair<Rule>) -> Option<Date> {
        let date = Date::parse(pair.as_str());
        if date.is_none() {
            self.errors.push(
                Diagnostic::error(
                    Code::BadDate,
                    self.source,
                    span(pair),
                    format!("`{}` is not a date on the calendar", pair.as_str()),
                )
                .zh(
                    format!("`{}` 不是日历上存在的日期", pair.as_str()),
                    Some("日期写作 YYYY-MM-DD，月份为 01–12，日为该月存在的日子"),
                )
                .label("no such day")
                .help("write dates as YYYY-MM-DD with a month of 01–12 and a day that month has"),
            );
        }
        date
    }

    /// The text of a string literal, escapes resolved.
    fn string(&mut self, pair: Pair<Rule>) -> Spanned<String> {
        let sp = span(&pair);
        Spanned::new(string_text(pair.as_str()), sp)
    }

    /// A message: a string whose `{path}` pieces are placeholders.
    fn message(&mut self, pair: Pair<Rule>) -> Message {
        let sp = span(&pair);
        let raw = pair.as_str();
        let open = raw.chars().next().map_or(1, char::len_utf8);
        let mut parts = Vec::new();
        let mut text = String::new();
        let body = raw
            .get(open..raw.len().saturating_sub(close_len(raw)))
            .unwrap_or("");
        let base = sp.start + open;
        let mut chars = body.char_indices().peekable();
        let quoted = raw.starts_with('"');
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' if quoted => {
                    if let Some((_, e)) = chars.next() {
                        text.push(match e {
                            'n' => '\n',
                            't' => '\t',
                            other => other,
                        });
                    }
                }
                '{' => {
                    let rest = body.get(i + 1..).unwrap_or("");
                    let Some(end) = rest.find('}') else {
                        text.push(c);
                        continue;
                    };
                    let inner = rest.get(..end).unwrap_or("");
                    let inner_span = Span::new(base + i + 1, base + i + 1 + end);
                    match self.placeholder(inner, inner_span) {
                        Some(part) => {
                            if !text.is_empty() {
                                parts.push(MessagePart::Text(std::mem::take(&mut text)));
                            }
                            parts.push(part);
                        }
                        None => {
                            self.errors.push(
                                Diagnostic::error(
                                    Code::BadPlaceholder,
                                    self.source,
                                    inner_span,
                                    format!("`{{{inner}}}` is not a field placeholder"),
                                )
.zh(format!("`{{{inner}}}` 不是字段占位符"), Some("写字段，如 {事项.category}，或 {社区.external_signs 不属于 对外标识}；字面的花括号写作 \\{"))
                                .label("expected a field path here")
                                .help("write a field such as {事项.category}, optionally {社区.external_signs 不属于 对外标识}; write \\{ for a literal brace"),
                            );
                        }
                    }
                    // Skip past the closing brace.
                    while let Some((j, _)) = chars.peek() {
                        if *j > i + 1 + end {
                            break;
                        }
                        chars.next();
                    }
                }
                _ => text.push(c),
            }
        }
        if !text.is_empty() {
            parts.push(MessagePart::Text(text));
        }
        Message { parts, span: sp }
    }

    fn placeholder(&mut self, inner: &str, at: Span) -> Option<MessagePart> {
        let trimmed_start = inner.len() - inner.trim_start().len();
        let inner_trim = inner.trim();
        let mut pairs: Pairs<Rule> = Grammar::parse(Rule::placeholder_body, inner_trim).ok()?;
        let body = pairs.next()?;
        let offset = at.start + trimmed_start;
        let mut path = None;
        let mut filter = None;
        for child in body.into_inner() {
            match child.as_rule() {
                Rule::path => {
                    let mut p = self.path(child)?;
                    p.span = Span::new(p.span.start + offset, p.span.end + offset);
                    path = Some(p);
                }
                Rule::filter => {
                    let (negated, mut list) = self.filter(child)?;
                    list.span = Span::new(list.span.start + offset, list.span.end + offset);
                    filter = Some((negated, list));
                }
                _ => {}
            }
        }
        Some(MessagePart::Field {
            path: path?,
            filter,
        })
    }
}

fn join(mut parts: Vec<Expr>, sp: Span, make: fn(Vec<Expr>) -> ExprKind) -> Expr {
    if parts.len() == 1
        && let Some(only) = parts.pop()
    {
        return only;
    }
    Expr {
        kind: Box::new(make(parts)),
        span: sp,
    }
}

fn compare_op(text: &str) -> CompareOp {
    match text {
        "==" | "＝" => CompareOp::Eq,
        "!=" | "≠" => CompareOp::Ne,
        "<=" | "≤" => CompareOp::Le,
        ">=" | "≥" => CompareOp::Ge,
        "<" => CompareOp::Lt,
        _ => CompareOp::Gt,
    }
}

fn close_len(raw: &str) -> usize {
    raw.chars().last().map_or(0, char::len_utf8)
}

/// The text inside a string literal, escapes resolved.
pub(crate) fn string_text(raw: &str) -> String {
    let open = raw.chars().next().map_or(0, char::len_utf8);
    let body = raw
        .get(open..raw.len().saturating_sub(close_len(raw)))
        .unwrap_or("");
    if !raw.starts_with('"') {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}
