//! Parsing: policy text → pest pairs → the typed AST of [`crate::ast`], spans on every node.
//!
//! One function a grammar rule. Children are matched by their rule, never by position
//! alone; a shape the grammar cannot produce is reported as an internal error diagnostic
//! rather than a panic.

use pest::Parser as _;
use pest::iterators::Pair;

use crate::ast::*;
use crate::diagnostic::{Diagnostic, Text};
use crate::source::{Source, Span, Spanned};
use crate::value::Date;

mod error;
mod errors;

pub(crate) use error::ParseError;

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

/// Parse a policy. On failure, the diagnostics say where and what was expected; a failure
/// always carries at least one diagnostic.
pub fn parse(source: &Source) -> std::result::Result<PolicyAst, Vec<Diagnostic>> {
    if let Some(d) = errors::precheck(source) {
        return Err(vec![d]);
    }
    let mut pairs = Grammar::parse(Rule::policy, &source.text)
        .map_err(|e| vec![errors::from_pest(source, e)])?;
    let mut b = Builder {
        source,
        errors: Vec::new(),
    };
    let ast = match pairs.next() {
        Some(policy) => b.policy(policy),
        None => Err(b.bad_at(Span::default(), "empty parse")),
    };
    match ast {
        Ok(ast) if b.errors.is_empty() => Ok(ast),
        // INVARIANT: `Reported` is only made by pushing a diagnostic, so `errors` is not
        // empty here; the fallback keeps the promise even if that ever changes.
        _ if b.errors.is_empty() => Err(vec![internal(source, Span::default(), "no diagnostic")]),
        _ => Err(b.errors),
    }
}

fn internal(source: &Source, span: Span, what: &str) -> Diagnostic {
    Diagnostic::new(
        source,
        span,
        &ParseError::Internal {
            what: what.to_owned(),
        },
    )
}

/// Proof that a diagnostic was recorded. It is the only way a builder step can fail, so a
/// clause can never be dropped silently: whatever is left out, an error says so.
#[derive(Debug)]
struct Reported(());

type Built<T> = std::result::Result<T, Reported>;

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
    /// Record a diagnostic; the proof that one was recorded.
    fn report(&mut self, diagnostic: Diagnostic) -> Reported {
        self.errors.push(diagnostic);
        Reported(())
    }

    /// A shape the grammar should not produce, at `span`.
    fn bad_at(&mut self, span: Span, what: &str) -> Reported {
        let d = internal(self.source, span, what);
        self.report(d)
    }

    /// A child of an unexpected rule.
    fn bad(&mut self, pair: &Pair<Rule>, what: &str) -> Reported {
        self.bad_at(span(pair), what)
    }

    /// The value, or an internal error at `at` saying what was missing.
    fn need<T>(&mut self, value: Option<T>, at: Span, what: &str) -> Built<T> {
        match value {
            Some(v) => Ok(v),
            None => Err(self.bad_at(at, what)),
        }
    }

    /// The one child of `pair` with rule `rule`, or an internal error.
    fn child<'i>(&mut self, pair: Pair<'i, Rule>, rule: Rule, what: &str) -> Built<Pair<'i, Rule>> {
        let at = span(&pair);
        let found = pair.into_inner().find(|p| p.as_rule() == rule);
        self.need(found, at, what)
    }

    /// A header or document line of a kind `seen` already holds: reported, with where it
    /// was first given (each kind is one value; keeping the last silently dropped the
    /// first, and `fmt` deleted it). Else the line is added to `seen`.
    fn repeated(&mut self, seen: &mut Vec<(Rule, Span)>, field: &Pair<Rule>) -> Option<Reported> {
        let at = span(field);
        let Some(&(_, first)) = seen.iter().find(|(r, _)| *r == field.as_rule()) else {
            seen.push((field.as_rule(), at));
            return None;
        };
        let keyword = field.clone().into_inner().next().map_or_else(
            || field.as_str().to_owned(),
            |k| k.as_str().trim().to_owned(),
        );
        let d = Diagnostic::new(self.source, at, &ParseError::Repeated { keyword })
            .with_label(first, Text::new("first given here", "第一次在此处"));
        Some(self.report(d))
    }

    fn policy(&mut self, pair: Pair<Rule>) -> Built<PolicyAst> {
        let whole = span(&pair);
        let mut header = None;
        let mut documents = Vec::new();
        let mut fields = Vec::new();
        let mut variants = Vec::new();
        let mut lists = Vec::new();
        let mut rules = Vec::new();
        let mut asserts = Vec::new();
        let mut failed = None;
        for child in pair.into_inner() {
            let built = match child.as_rule() {
                Rule::header => self.header(child).map(|h| header = Some(h)),
                Rule::document_decl => self.document_decl(child).map(|d| documents.push(d)),
                Rule::field_decl => self.field_decl(child).map(|f| fields.push(f)),
                Rule::variant_decl => self.variant_decl(child).map(|v| variants.push(v)),
                Rule::list_decl => self.list_decl(child).map(|l| lists.push(l)),
                Rule::rule_decl => self.rule_decl(child).map(|r| rules.push(r)),
                Rule::assert_decl => self.assert_decl(child).map(|a| asserts.push(a)),
                Rule::EOI => Ok(()),
                _ => Err(self.bad(&child, "policy item")),
            };
            // Keep going after a failed item, to report every error in the file.
            if let Err(r) = built {
                failed = Some(r);
            }
        }
        if rules.len() > MAX_RULES {
            let at = rules
                .get(MAX_RULES)
                .map_or(Span::default(), |r: &RuleDecl| r.name.span);
            failed = Some(self.report(Diagnostic::new(self.source, at, &ParseError::TooManyRules)));
        }
        if let Some(r) = failed {
            return Err(r);
        }
        Ok(PolicyAst {
            header: self.need(header, whole, "policy header")?,
            documents,
            fields,
            variants,
            lists,
            rules,
            asserts,
            comments: errors::comments(self.source),
        })
    }

    fn header(&mut self, pair: Pair<Rule>) -> Built<Header> {
        let whole = span(&pair);
        let mut title = None;
        let mut jurisdiction = None;
        let mut source = None;
        let mut effective = None;
        let mut expires = None;
        let mut trial = None;
        let mut parent = None;
        let mut seen = Vec::new();
        let mut repeated = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_policy => {}
                Rule::string => title = Some(self.string(child)),
                Rule::header_field => {
                    let at = span(&child);
                    let mut fields = child.into_inner();
                    let field = self.need(fields.next(), at, "header field")?;
                    if let Some(r) = self.repeated(&mut seen, &field) {
                        repeated = Some(r);
                        continue;
                    }
                    match field.as_rule() {
                        Rule::jurisdiction => {
                            let value = self.child(field, Rule::string, "jurisdiction text")?;
                            jurisdiction = Some(self.string(value));
                        }
                        Rule::source_field => {
                            let value = self.child(field, Rule::string, "source text")?;
                            source = Some(self.string(value));
                        }
                        Rule::effective => {
                            let value = self.child(field, Rule::date, "effective date")?;
                            let date = self.date(&value)?;
                            effective = Some(Spanned::new(date, span(&value)));
                        }
                        Rule::expires => {
                            let value = self.child(field, Rule::date, "expiry date")?;
                            let date = self.date(&value)?;
                            expires = Some(Spanned::new(date, span(&value)));
                        }
                        Rule::trial => trial = Some(span(&field)),
                        Rule::parent => {
                            let value = self.child(field, Rule::string, "parent path")?;
                            parent = Some(self.string(value));
                        }
                        _ => return Err(self.bad(&field, "header field")),
                    }
                }
                _ => return Err(self.bad(&child, "header")),
            }
        }
        if let Some(r) = repeated {
            return Err(r);
        }
        Ok(Header {
            title: self.need(title, whole, "policy title")?,
            jurisdiction,
            source,
            effective,
            expires,
            trial,
            parent,
            span: whole,
        })
    }

    fn document_decl(&mut self, pair: Pair<Rule>) -> Built<DocumentDecl> {
        let whole = span(&pair);
        let mut doc = DocumentDecl {
            title: Spanned::new(String::new(), whole),
            issuer: None,
            number: None,
            issued: None,
            address: None,
            level: None,
            clauses: Vec::new(),
            span: whole,
        };
        let mut title = None;
        let mut seen = Vec::new();
        let mut repeated = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_document => {}
                Rule::string => title = Some(self.string(child)),
                Rule::doc_field => {
                    let at = span(&child);
                    let field = self.need(child.into_inner().next(), at, "document field")?;
                    if let Some(r) = self.repeated(&mut seen, &field) {
                        repeated = Some(r);
                        continue;
                    }
                    let rule = field.as_rule();
                    if rule == Rule::issued {
                        let value = self.child(field, Rule::date, "issue date")?;
                        let date = self.date(&value)?;
                        doc.issued = Some(Spanned::new(date, span(&value)));
                        continue;
                    }
                    let value = self.child(field, Rule::string, "document field text")?;
                    let text = Some(self.string(value));
                    match rule {
                        Rule::issuer => doc.issuer = text,
                        Rule::doc_number => doc.number = text,
                        Rule::address => doc.address = text,
                        Rule::level => doc.level = text,
                        _ => return Err(self.bad_at(at, "document field")),
                    }
                }
                Rule::clause_decl => doc.clauses.push(self.clause_decl(child)?),
                _ => return Err(self.bad(&child, "document")),
            }
        }
        doc.title = self.need(title, whole, "document title")?;
        if let Some(r) = repeated {
            return Err(r);
        }
        Ok(doc)
    }

    fn clause_decl(&mut self, pair: Pair<Rule>) -> Built<ClauseDecl> {
        let whole = span(&pair);
        let mut id = None;
        let mut text = None;
        let mut funding = false;
        let mut example = false;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_clause => {}
                Rule::clause_id => id = Some(self.name(&child)),
                Rule::string => text = Some(self.string(child)),
                Rule::clause_flag => {
                    let at = span(&child);
                    let flag = self.need(child.into_inner().next(), at, "clause flag")?;
                    match flag.as_rule() {
                        Rule::funding_flag => funding = true,
                        Rule::example_mark => example = true,
                        _ => return Err(self.bad(&flag, "clause flag")),
                    }
                }
                _ => return Err(self.bad(&child, "clause")),
            }
        }
        Ok(ClauseDecl {
            id: self.need(id, whole, "clause id")?,
            text: self.need(text, whole, "clause text")?,
            funding,
            example,
        })
    }

    fn field_decl(&mut self, pair: Pair<Rule>) -> Built<FieldDecl> {
        let whole = span(&pair);
        let mut path = None;
        let mut label = None;
        let mut ty = None;
        let mut default = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_field => {}
                Rule::path => path = Some(self.path(child)?),
                Rule::string => label = Some(self.string(child)),
                Rule::field_type => ty = Some(self.field_type(child)?),
                Rule::field_default => {
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::kw_default => {}
                            Rule::string => default = Some(self.string(part)),
                            _ => return Err(self.bad(&part, "field default")),
                        }
                    }
                }
                _ => return Err(self.bad(&child, "field declaration")),
            }
        }
        Ok(FieldDecl {
            path: self.need(path, whole, "declared field")?,
            label,
            ty: self.need(ty, whole, "field type")?,
            default,
            span: whole,
        })
    }

    fn field_type(&mut self, pair: Pair<Rule>) -> Built<Spanned<DeclaredType>> {
        let whole = span(&pair);
        let mut values = Vec::new();
        let mut named = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_type => {}
                Rule::type_name => named = Some(self.name(&child)),
                Rule::one_of => {
                    for value in child.into_inner() {
                        match value.as_rule() {
                            Rule::kw_one_of => {}
                            Rule::one_of_value => {
                                let mut texts = Vec::new();
                                for text in value.into_inner() {
                                    match text.as_rule() {
                                        Rule::string => texts.push(self.string(text).node),
                                        _ => return Err(self.bad(&text, "one-of value")),
                                    }
                                }
                                let mut texts = texts.into_iter();
                                if let Some(value) = texts.next() {
                                    values.push(OneOfValue {
                                        value,
                                        words: texts.collect(),
                                    });
                                }
                            }
                            _ => return Err(self.bad(&value, "one-of value")),
                        }
                    }
                }
                _ => return Err(self.bad(&child, "field type")),
            }
        }
        let Some(name) = named else {
            return Ok(Spanned::new(DeclaredType::OneOf(values), whole));
        };
        let ty = match name.node.as_str() {
            "文本" | "text" => DeclaredType::Text,
            "数字" | "number" => DeclaredType::Number,
            "日期" | "date" => DeclaredType::Date,
            "是否" | "yesno" => DeclaredType::Bool,
            "文本清单" | "texts" => DeclaredType::Texts,
            other => {
                return Err(self.report(Diagnostic::new(
                    self.source,
                    name.span,
                    &ParseError::UnknownFieldType {
                        written: other.to_owned(),
                    },
                )));
            }
        };
        Ok(Spanned::new(ty, whole))
    }

    fn variant_decl(&mut self, pair: Pair<Rule>) -> Built<VariantDecl> {
        let whole = span(&pair);
        let mut texts = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_variant => {}
                Rule::string => texts.push(self.string(child)),
                _ => return Err(self.bad(&child, "variant")),
            }
        }
        let mut texts = texts.into_iter();
        Ok(VariantDecl {
            from: self.need(texts.next(), whole, "variant form")?,
            to: self.need(texts.next(), whole, "standard form")?,
            span: whole,
        })
    }

    fn list_decl(&mut self, pair: Pair<Rule>) -> Built<ListDecl> {
        let whole = span(&pair);
        let mut name = None;
        let mut extend = false;
        let mut title = None;
        let mut cite = Vec::new();
        let mut entries = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_list => {}
                Rule::extend => extend = true,
                Rule::name => name = Some(self.name(&child)),
                Rule::string => title = Some(self.string(child)),
                Rule::cite => cite = self.cite(child)?,
                Rule::entry => entries.push(self.entry(child)?),
                _ => return Err(self.bad(&child, "list")),
            }
        }
        Ok(ListDecl {
            name: self.need(name, whole, "list name")?,
            extend,
            title,
            cite,
            entries,
            span: whole,
        })
    }

    fn entry(&mut self, pair: Pair<Rule>) -> Built<Entry> {
        let whole = span(&pair);
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
                        match alias.as_rule() {
                            Rule::kw_alias => {}
                            Rule::string => aliases.push(self.string(alias)),
                            _ => return Err(self.bad(&alias, "alias")),
                        }
                    }
                }
                _ => return Err(self.bad(&child, "entry")),
            }
        }
        Ok(Entry {
            value: self.need(value, whole, "entry value")?,
            aliases,
            example,
            cite: Vec::new(),
        })
    }

    fn cite(&mut self, pair: Pair<Rule>) -> Built<Vec<Spanned<String>>> {
        let mut ids = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_cite => {}
                Rule::clause_id => ids.push(Spanned::new(p.as_str().to_owned(), span(&p))),
                _ => return Err(self.bad(&p, "cite")),
            }
        }
        Ok(ids)
    }

    fn rule_decl(&mut self, pair: Pair<Rule>) -> Built<RuleDecl> {
        let whole = span(&pair);
        let mut name = None;
        let mut cite = Vec::new();
        let mut about = None;
        let mut when = None;
        let mut unless = None;
        let mut requirements = Vec::new();
        let mut outcome = None;
        for child in pair.into_inner() {
            let sp = span(&child);
            match child.as_rule() {
                Rule::kw_rule => {}
                Rule::name => name = Some(self.name(&child)),
                Rule::cite => cite = self.cite(child)?,
                Rule::about => {
                    let kind = self.child(child, Rule::subject_kind, "about kind")?;
                    about = Some(Spanned::new(self.subject_kind(kind)?, sp));
                }
                Rule::when_clause => {
                    let expr = self.child(child, Rule::expr, "when condition")?;
                    when = Some(self.expr(expr)?);
                }
                Rule::unless_clause => {
                    let expr = self.child(child, Rule::expr, "unless condition")?;
                    unless = Some(self.expr(expr)?);
                }
                Rule::require_clause => {
                    for req in child.into_inner() {
                        match req.as_rule() {
                            Rule::kw_require => {}
                            Rule::requirement => requirements.push(self.requirement(req)?),
                            _ => return Err(self.bad(&req, "require clause")),
                        }
                    }
                }
                Rule::deny | Rule::admit | Rule::refer | Rule::violation => {
                    let rule = child.as_rule();
                    let mut message = None;
                    for part in child.into_inner() {
                        match part.as_rule() {
                            Rule::kw_deny
                            | Rule::kw_admit
                            | Rule::kw_refer
                            | Rule::kw_violation => {}
                            Rule::string => message = Some(self.message(part)),
                            _ => return Err(self.bad(&part, "outcome")),
                        }
                    }
                    let o = match rule {
                        Rule::admit => Outcome::Admit(message),
                        Rule::deny => Outcome::Deny(self.need(message, sp, "deny message")?),
                        Rule::refer => Outcome::Refer(self.need(message, sp, "refer message")?),
                        Rule::violation => {
                            Outcome::Violation(self.need(message, sp, "violation message")?)
                        }
                        _ => return Err(self.bad_at(sp, "outcome")),
                    };
                    outcome = Some(Spanned::new(o, sp));
                }
                _ => return Err(self.bad(&child, "rule")),
            }
        }
        Ok(RuleDecl {
            name: self.need(name, whole, "rule name")?,
            cite,
            about,
            when,
            unless,
            requirements,
            outcome: self.need(outcome, whole, "rule outcome")?,
            span: whole,
        })
    }

    fn requirement(&mut self, pair: Pair<Rule>) -> Built<Requirement> {
        let whole = span(&pair);
        let mut expr = None;
        let mut label = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::expr => expr = Some(self.expr(child)?),
                Rule::name => label = Some(self.name(&child)),
                Rule::kw_as => {}
                _ => return Err(self.bad(&child, "requirement")),
            }
        }
        Ok(Requirement {
            expr: self.need(expr, whole, "requirement condition")?,
            label,
        })
    }

    fn assert_decl(&mut self, pair: Pair<Rule>) -> Built<AssertDecl> {
        let whole = span(&pair);
        let mut expr = None;
        let mut cite = Vec::new();
        let mut message = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_assert => {}
                Rule::expr => expr = Some(self.expr(child)?),
                Rule::cite => cite = self.cite(child)?,
                Rule::string => message = Some(self.string(child)),
                _ => return Err(self.bad(&child, "assert")),
            }
        }
        Ok(AssertDecl {
            expr: self.need(expr, whole, "assertion condition")?,
            cite,
            message,
            span: whole,
        })
    }

    // ------------------------------------------------------------ expressions

    fn expr(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let inner = self.child(pair, Rule::disjunction, "expression")?;
        self.disjunction(inner)
    }

    fn disjunction(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let sp = span(&pair);
        let mut parts = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_or => {}
                Rule::conjunction => parts.push(self.conjunction(p)?),
                _ => return Err(self.bad(&p, "disjunction")),
            }
        }
        self.join(parts, sp, ExprKind::Or)
    }

    fn conjunction(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let sp = span(&pair);
        let mut parts = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::kw_and => {}
                Rule::negation => parts.push(self.negation(p)?),
                _ => return Err(self.bad(&p, "conjunction")),
            }
        }
        self.join(parts, sp, ExprKind::And)
    }

    /// One operand is itself; several are joined by `make`; none is an internal error.
    fn join(
        &mut self,
        mut parts: Vec<Expr>,
        sp: Span,
        make: fn(Vec<Expr>) -> ExprKind,
    ) -> Built<Expr> {
        match parts.len() {
            0 => Err(self.bad_at(sp, "empty condition")),
            1 => self.need(parts.pop(), sp, "condition"),
            _ => Ok(Expr {
                kind: Box::new(make(parts)),
                span: sp,
            }),
        }
    }

    fn negation(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let sp = span(&pair);
        let mut nots = 0usize;
        let mut inner = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_not => nots += 1,
                Rule::comparison => inner = Some(self.comparison(child)?),
                _ => return Err(self.bad(&child, "negation")),
            }
        }
        let inner = self.need(inner, sp, "negated condition")?;
        // `not not x` is `x`: keep the AST shallow however many are written.
        Ok(if nots % 2 == 1 {
            Expr {
                kind: Box::new(ExprKind::Not(inner)),
                span: sp,
            }
        } else {
            inner
        })
    }

    fn comparison(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let sp = span(&pair);
        let mut children = pair.into_inner();
        let first = self.need(children.next(), sp, "comparison operand")?;
        let left = self.sum(first)?;
        let Some(test) = children.next() else {
            return Ok(left);
        };
        if let Some(extra) = children.next() {
            return Err(self.bad(&extra, "comparison"));
        }
        let test_span = span(&test);
        let kind = match test.as_rule() {
            Rule::compare => {
                let mut it = test.into_inner();
                let op = self.need(it.next(), test_span, "comparison operator")?;
                let op = self.compare_op(&op)?;
                let right = self.need(it.next(), test_span, "comparison operand")?;
                ExprKind::Compare(op, left, self.sum(right)?)
            }
            Rule::in_list | Rule::not_in_list | Rule::mentions | Rule::not_mentions => {
                let op = match test.as_rule() {
                    Rule::in_list => ListOp::In,
                    Rule::not_in_list => ListOp::NotIn,
                    Rule::mentions => ListOp::Mentions,
                    _ => ListOp::NotMentions,
                };
                let list = self.child(test, Rule::name, "list name")?;
                ExprKind::InList {
                    value: left,
                    op,
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
            Rule::contains => {
                let needle = self.child(test, Rule::sum, "text looked for")?;
                ExprKind::Contains {
                    value: left,
                    needle: self.sum(needle)?,
                }
            }
            _ => return Err(self.bad(&test, "comparison")),
        };
        Ok(Expr {
            kind: Box::new(kind),
            span: sp,
        })
    }

    fn chain(
        &mut self,
        pair: Pair<Rule>,
        operand: fn(&mut Self, Pair<Rule>) -> Built<Expr>,
    ) -> Built<Expr> {
        let sp = span(&pair);
        let mut children = pair.into_inner();
        let first = self.need(children.next(), sp, "operand")?;
        let mut acc = operand(self, first)?;
        let mut count = 1;
        while let Some(op) = children.next() {
            let arith = self.arith_op(&op)?;
            let next = self.need(children.next(), span(&op), "operand after operator")?;
            let right = operand(self, next)?;
            count += 1;
            if count > MAX_CHAIN {
                return Err(self.report(Diagnostic::new(
                    self.source,
                    right.span,
                    &ParseError::LongChain,
                )));
            }
            let sp = acc.span.to(right.span);
            acc = Expr {
                kind: Box::new(ExprKind::Arith(arith, acc, right)),
                span: sp,
            };
        }
        Ok(acc)
    }

    fn sum(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        match pair.as_rule() {
            Rule::sum => self.chain(pair, Self::product),
            _ => Err(self.bad(&pair, "sum")),
        }
    }

    fn product(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        match pair.as_rule() {
            Rule::product => self.chain(pair, Self::atom),
            _ => Err(self.bad(&pair, "product")),
        }
    }

    fn atom(&mut self, pair: Pair<Rule>) -> Built<Expr> {
        let sp = span(&pair);
        let kind = match pair.as_rule() {
            Rule::expr => return self.expr(pair),
            Rule::path => ExprKind::Field(self.path(pair)?),
            Rule::date => ExprKind::Literal(Literal::Date(self.date(&pair)?)),
            Rule::number => ExprKind::Literal(Literal::Number(self.number(&pair)?)),
            Rule::string => ExprKind::Literal(Literal::Text(self.string(pair).node)),
            Rule::boolean => {
                let word = self.need(pair.into_inner().next(), sp, "true or false")?;
                let value = match word.as_rule() {
                    Rule::kw_true => true,
                    Rule::kw_false => false,
                    _ => return Err(self.bad(&word, "boolean")),
                };
                ExprKind::Literal(Literal::Bool(value))
            }
            Rule::today => ExprKind::Today,
            Rule::days_between => {
                let mut dates = Vec::new();
                for child in pair.into_inner() {
                    match child.as_rule() {
                        Rule::kw_days_between => {}
                        Rule::expr => dates.push(self.expr(child)?),
                        _ => return Err(self.bad(&child, "days between")),
                    }
                }
                let mut dates = dates.into_iter();
                let from = self.need(dates.next(), sp, "first date")?;
                let to = self.need(dates.next(), sp, "second date")?;
                ExprKind::DaysBetween(from, to)
            }
            Rule::duration => ExprKind::Literal(Literal::Duration(self.duration(pair)?)),
            Rule::count => {
                let mut path = None;
                let mut filter = None;
                let mut list = None;
                let mut quoted_only = false;
                for child in pair.into_inner() {
                    match child.as_rule() {
                        Rule::kw_count => {}
                        Rule::quoted_only => quoted_only = true,
                        Rule::path => path = Some(self.path(child)?),
                        Rule::name => list = Some(self.name(&child)),
                        Rule::filter => filter = Some(self.filter(child)?),
                        _ => return Err(self.bad(&child, "count")),
                    }
                }
                match (path, list) {
                    (Some(path), None) if !quoted_only => ExprKind::CountField { path, filter },
                    (None, Some(list)) if filter.is_none() => {
                        ExprKind::CountList { list, quoted_only }
                    }
                    _ => return Err(self.bad_at(sp, "count")),
                }
            }
            Rule::quantified => {
                let mut quantifier = None;
                let mut path = None;
                let mut op = None;
                let mut list = None;
                for child in pair.into_inner() {
                    match child.as_rule() {
                        Rule::kw_any => quantifier = Some(Quantifier::Any),
                        Rule::kw_all => quantifier = Some(Quantifier::All),
                        Rule::path => path = Some(self.path(child)?),
                        Rule::kw_not_in => op = Some(ListOp::NotIn),
                        Rule::kw_in => op = Some(ListOp::In),
                        Rule::kw_not_contains => op = Some(ListOp::NotMentions),
                        Rule::kw_contains => op = Some(ListOp::Mentions),
                        Rule::name => list = Some(self.name(&child)),
                        _ => return Err(self.bad(&child, "quantified")),
                    }
                }
                ExprKind::Quantified {
                    quantifier: self.need(quantifier, sp, "any or all")?,
                    path: self.need(path, sp, "quantified field")?,
                    op: self.need(op, sp, "in, not in, contains or not contains")?,
                    list: self.need(list, sp, "list name")?,
                }
            }
            _ => return Err(self.bad(&pair, "atom")),
        };
        Ok(Expr {
            kind: Box::new(kind),
            span: sp,
        })
    }

    fn filter(&mut self, pair: Pair<Rule>) -> Built<(ListOp, Spanned<String>)> {
        let sp = span(&pair);
        let mut op = None;
        let mut list = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::kw_not_in => op = Some(ListOp::NotIn),
                Rule::kw_in => op = Some(ListOp::In),
                Rule::kw_not_contains => op = Some(ListOp::NotMentions),
                Rule::kw_contains => op = Some(ListOp::Mentions),
                Rule::name => list = Some(self.name(&child)),
                _ => return Err(self.bad(&child, "filter")),
            }
        }
        Ok((
            self.need(op, sp, "in, not in, contains or not contains")?,
            self.need(list, sp, "list name")?,
        ))
    }

    fn path(&mut self, pair: Pair<Rule>) -> Built<Path> {
        let sp = span(&pair);
        let mut kind = None;
        let mut fields = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::subject_kind => kind = Some(self.subject_kind(child)?),
                Rule::field => fields.push(child.as_str().to_owned()),
                _ => return Err(self.bad(&child, "path")),
            }
        }
        if fields.is_empty() {
            return Err(self.bad_at(sp, "path without a field"));
        }
        Ok(Path {
            kind: self.need(kind, sp, "subject of a path")?,
            fields,
            span: sp,
        })
    }

    fn subject_kind(&mut self, pair: Pair<Rule>) -> Built<SubjectKind> {
        let sp = span(&pair);
        let word = self.need(pair.into_inner().next(), sp, "subject kind")?;
        match word.as_rule() {
            Rule::kw_task => Ok(SubjectKind::Task),
            Rule::kw_community => Ok(SubjectKind::Community),
            Rule::kw_assessment => Ok(SubjectKind::Assessment),
            _ => Err(self.bad(&word, "subject kind")),
        }
    }

    fn compare_op(&mut self, pair: &Pair<Rule>) -> Built<CompareOp> {
        Ok(match (pair.as_rule(), pair.as_str()) {
            (Rule::compare_op, "==" | "＝") => CompareOp::Eq,
            (Rule::compare_op, "!=" | "≠") => CompareOp::Ne,
            (Rule::compare_op, "<=" | "≤") => CompareOp::Le,
            (Rule::compare_op, ">=" | "≥") => CompareOp::Ge,
            (Rule::compare_op, "<") => CompareOp::Lt,
            (Rule::compare_op, ">") => CompareOp::Gt,
            _ => return Err(self.bad(pair, "comparison operator")),
        })
    }

    fn arith_op(&mut self, pair: &Pair<Rule>) -> Built<ArithOp> {
        Ok(match (pair.as_rule(), pair.as_str()) {
            (Rule::add_op, "+") => ArithOp::Add,
            (Rule::add_op, "-") => ArithOp::Sub,
            (Rule::mul_op, "*" | "×") => ArithOp::Mul,
            (Rule::mul_op, "/" | "÷") => ArithOp::Div,
            _ => return Err(self.bad(pair, "arithmetic operator")),
        })
    }

    fn duration(&mut self, pair: Pair<Rule>) -> Built<Duration> {
        let sp = span(&pair);
        let mut amount = None;
        let mut unit = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::number => {
                    // Whole units only: half a month has no calendar meaning.
                    let n = self.number(&child)?;
                    if n.fract() != 0.0
                        || n.abs() > 100_000.0
                        || child.as_str().ends_with(['%', '％'])
                    {
                        return Err(self.report(Diagnostic::new(
                            self.source,
                            span(&child),
                            &ParseError::BadDuration,
                        )));
                    }
                    amount = Some(n as i32);
                }
                Rule::time_unit => {
                    let at = span(&child);
                    let word = self.need(child.into_inner().next(), at, "time unit")?;
                    unit = Some(match word.as_rule() {
                        Rule::kw_days => TimeUnit::Days,
                        Rule::kw_months => TimeUnit::Months,
                        Rule::kw_years => TimeUnit::Years,
                        _ => return Err(self.bad(&word, "time unit")),
                    });
                }
                _ => return Err(self.bad(&child, "duration")),
            }
        }
        Ok(Duration {
            amount: self.need(amount, sp, "duration amount")?,
            unit: self.need(unit, sp, "time unit")?,
        })
    }

    // ------------------------------------------------------------ tokens

    fn name(&mut self, pair: &Pair<Rule>) -> Spanned<String> {
        Spanned::new(pair.as_str().to_owned(), span(pair))
    }

    fn number(&mut self, pair: &Pair<Rule>) -> Built<f64> {
        let text = pair.as_str();
        let percent = text.ends_with('%') || text.ends_with('％');
        let digits = text.trim_end_matches(['%', '％']);
        match digits.parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(if percent { n / 100.0 } else { n }),
            _ => Err(self.report(Diagnostic::new(
                self.source,
                span(pair),
                &ParseError::NumberOutOfRange,
            ))),
        }
    }

    fn date(&mut self, pair: &Pair<Rule>) -> Built<Date> {
        match Date::parse(pair.as_str()) {
            Some(date) => Ok(date),
            None => Err(self.report(Diagnostic::new(
                self.source,
                span(pair),
                &ParseError::BadDate {
                    text: pair.as_str().to_owned(),
                },
            ))),
        }
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
                // `\{` and `\}` are literal braces in every quote form.
                '\\' if matches!(chars.peek(), Some((_, '{' | '}'))) => {
                    if let Some((_, brace)) = chars.next() {
                        text.push(brace);
                    }
                }
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
                        // Fails closed: an unclosed placeholder would be published as text.
                        let whole = body.get(i..).unwrap_or("");
                        self.errors.push(Diagnostic::new(
                            self.source,
                            Span::new(base + i, base + i + 1),
                            &ParseError::UnclosedPlaceholder {
                                rest: whole.chars().take(40).collect(),
                            },
                        ));
                        break;
                    };
                    let inner = rest.get(..end).unwrap_or("");
                    let inner_span = Span::new(base + i + 1, base + i + 1 + end);
                    match self.placeholder(inner, inner_span) {
                        // Already reported.
                        Err(Reported(())) => {}
                        Ok(Some(part)) => {
                            if !text.is_empty() {
                                parts.push(MessagePart::Text(std::mem::take(&mut text)));
                            }
                            parts.push(part);
                        }
                        Ok(None) => {
                            self.errors.push(Diagnostic::new(
                                self.source,
                                inner_span,
                                &ParseError::BadPlaceholder {
                                    inner: inner.to_owned(),
                                },
                            ));
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

    /// The field a placeholder names; `Ok(None)` when the text is not a placeholder (the
    /// caller reports it as such).
    fn placeholder(&mut self, inner: &str, at: Span) -> Built<Option<MessagePart>> {
        let trimmed_start = inner.len() - inner.trim_start().len();
        let inner_trim = inner.trim();
        let Ok(mut pairs) = Grammar::parse(Rule::placeholder_body, inner_trim) else {
            return Ok(None);
        };
        let body = self.need(pairs.next(), at, "placeholder")?;
        let offset = at.start + trimmed_start;
        let shift = |s: Span| Span::new(s.start + offset, s.end + offset);
        let mut path = None;
        let mut filter = None;
        for child in body.into_inner() {
            match child.as_rule() {
                Rule::path => {
                    let mut p = self.path(child)?;
                    p.span = shift(p.span);
                    path = Some(p);
                }
                Rule::filter => {
                    let (op, mut list) = self.filter(child)?;
                    list.span = shift(list.span);
                    filter = Some((op, list));
                }
                Rule::EOI => {}
                _ => return Err(self.bad_at(at, "placeholder")),
            }
        }
        Ok(Some(MessagePart::Field {
            path: self.need(path, at, "placeholder field")?,
            filter,
        }))
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

#[cfg(test)]
mod tests {
    //! The builder and the grammar must not drift apart: every rule the builder matches is
    //! produced by some shipped or test policy, and every rule the grammar produces in those
    //! policies is one the builder handles (or reads whole as text, listed below).
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::BTreeSet;
    use std::path::Path as FsPath;

    use super::*;

    /// Rules whose pairs are read whole by their parent (`as_str`), never matched.
    const READ_AS_TEXT: &[&str] = &[
        "quoted",
        "corner_quoted",
        "curly_quoted",
        "field",
        "percent",
    ];

    /// Keywords that only spell the rule they open (`when_clause` is told by its rule, the
    /// `当` in it carries nothing more); their parent takes the child it needs by rule.
    const SPELLING_ONLY: &[&str] = &[
        "kw_about",
        "kw_absent",
        "kw_effective",
        "kw_example",
        "kw_jurisdiction",
        "kw_present",
        "kw_source",
        "kw_today",
        "kw_when",
        "kw_address",
        "kw_contains",
        "kw_doc_number",
        "kw_expires",
        "kw_extend",
        "kw_funding",
        "kw_issued",
        "kw_issuer",
        "kw_level",
        "kw_parent",
        "kw_quoted",
        "kw_trial",
        "kw_unless",
    ];

    fn policy_files(dir: &FsPath, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                policy_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "policy") {
                out.push(path);
            }
        }
    }

    fn walk(pair: Pair<Rule>, seen: &mut BTreeSet<String>) {
        seen.insert(format!("{:?}", pair.as_rule()));
        for child in pair.into_inner() {
            walk(child, seen);
        }
    }

    /// `Rule::x` names in this file's builder (the code above the tests).
    fn matched_by_builder() -> BTreeSet<String> {
        let code = include_str!("mod.rs");
        let code = code.split("#[cfg(test)]").next().unwrap();
        code.split("Rule::")
            .skip(1)
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn every_grammar_rule_has_a_builder_case_and_every_builder_case_a_policy() {
        let root = FsPath::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["policies", "examples", "tests/cases", "benches", "schema"] {
            policy_files(&root.join(dir), &mut files);
        }
        let mut seen = BTreeSet::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            if let Ok(pairs) = Grammar::parse(Rule::policy, &text) {
                for pair in pairs {
                    walk(pair, &mut seen);
                }
            }
            // Placeholders are parsed on their own.
            for (i, _) in text.match_indices('{') {
                let rest = text.get(i + 1..).unwrap_or("");
                if let Some(end) = rest.find('}')
                    && let Ok(pairs) = Grammar::parse(Rule::placeholder_body, rest[..end].trim())
                {
                    for pair in pairs {
                        walk(pair, &mut seen);
                    }
                }
            }
        }
        let builder = matched_by_builder();
        let unhandled: Vec<_> = seen
            .iter()
            .filter(|r| {
                !builder.contains(*r)
                    && !READ_AS_TEXT.contains(&r.as_str())
                    && !SPELLING_ONLY.contains(&r.as_str())
            })
            .collect();
        assert!(
            unhandled.is_empty(),
            "grammar rules with no builder case: {unhandled:?}"
        );
        let unexercised: Vec<_> = builder.iter().filter(|r| !seen.contains(*r)).collect();
        assert!(
            unexercised.is_empty(),
            "builder cases no policy exercises (add a case file): {unexercised:?}"
        );
    }

    #[test]
    fn a_failed_parse_always_carries_a_diagnostic() {
        for text in [
            "",
            "政策",
            "政策 「x」 规则",
            "政策 「x」 规则 r 引用 Y1 当 事项.a == 2020-02-30 须经审批 「m」",
        ] {
            let source = Source::new("t.policy", text);
            if let Err(errors) = parse(&source) {
                assert!(!errors.is_empty(), "{text:?}");
            }
        }
    }

    /// The shipped schema file is a policy the parser reads, and its tiny reader
    /// (`schema::read_fields`, which the schema module uses because it sits below the
    /// parser) reads the same fields from it, line for line.
    #[test]
    fn the_schema_file_reads_alike_by_both_readers() {
        let source = Source::new("schema/contract.policy", crate::schema::CONTRACT_TEXT);
        let ast = parse(&source).unwrap_or_else(|d| panic!("{d:?}"));
        let tiny = crate::schema::read_fields(crate::schema::CONTRACT_TEXT).unwrap();
        assert_eq!(ast.fields.len(), tiny.len());
        for (f, (line, d)) in ast.fields.iter().zip(&tiny) {
            assert_eq!(source.line_col(f.span.start).0, *line);
            assert_eq!(crate::declared(f), *d, "line {line}");
        }
    }
}
