//! Syntax errors in words a drafter reads, and the checks made before parsing.

use pest::error::{ErrorVariant, InputLocation};

use super::ParseError;
use super::{MAX_NESTING, MAX_POLICY_BYTES, Rule};
use crate::diagnostic::Diagnostic;
use crate::source::{Source, Span, Spanned};

/// What a grammar rule is, in a drafter's words.
fn describe(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the file",
        Rule::header | Rule::kw_policy => "the policy header `政策 「…」` (or `policy \"…\"`)",
        Rule::header_field => "a header line (辖区 / 来源 / 生效)",
        Rule::list_decl | Rule::kw_list => "a list (`清单`/`list`)",
        Rule::rule_decl | Rule::kw_rule => "a rule (`规则`/`rule`)",
        Rule::assert_decl | Rule::kw_assert => "an assertion (`断言`/`assert`)",
        Rule::name => "a name",
        Rule::type_name => "a type (文本 数字 日期 是否 文本清单 / text number date yesno texts)",
        Rule::string | Rule::quoted | Rule::corner_quoted | Rule::curly_quoted => {
            "a quoted text such as 「…」 or \"…\""
        }
        Rule::entry => "a list entry",
        Rule::example_mark | Rule::kw_example => "`示例`",
        Rule::aliases => "aliases `（别名 「…」）`",
        Rule::cite | Rule::kw_cite => {
            "`引用`/`cite` and a clause id the policy declares (e.g. `引用 第三条`)"
        }
        Rule::document_decl | Rule::kw_document => "a document (`文件`/`document`)",
        Rule::doc_field => "a document line (发文机关 / 文号 / 成文日期 / 网址 / 层级)",
        Rule::clause_decl | Rule::kw_clause => "a clause (`条款 ID 「…」`)",
        Rule::clause_flag | Rule::funding_flag | Rule::kw_funding => "`费随事转` or `示例`",
        Rule::field_decl | Rule::kw_field => "a field declaration (`字段`/`field`)",
        Rule::field_type | Rule::kw_type | Rule::kw_one_of | Rule::one_of => {
            "a field type (`类型 数字` or `取值 「a」、「b」`)"
        }
        Rule::variant_decl | Rule::kw_variant => "a variant spelling (`异体 「a」 = 「b」`)",
        Rule::extend | Rule::kw_extend => "`追加`/`extend`",
        Rule::unless_clause | Rule::kw_unless => "`除非`/`unless` and a condition",
        Rule::contains | Rule::kw_contains => "`包含`/`contains`",
        Rule::duration | Rule::time_unit | Rule::kw_days | Rule::kw_months | Rule::kw_years => {
            "a duration (`30 天`, `3 个月`, `1 年`)"
        }
        Rule::days_between | Rule::kw_days_between => "`天数(…, …)`",
        Rule::quoted_only | Rule::kw_quoted => "`原文`",
        Rule::expires | Rule::kw_expires => "`失效` and a date",
        Rule::trial | Rule::kw_trial => "`试行`",
        Rule::parent | Rule::kw_parent => "`上位` and the parent policy's path",
        Rule::clause_id => "a clause id the policy declares, such as 第三条 or EQ4",
        Rule::about | Rule::kw_about => "`关于` and a subject (事项 / 社区 / 考核)",
        Rule::when_clause | Rule::kw_when => "`当`/`when` and a condition",
        Rule::require_clause | Rule::kw_require => {
            "`要求`/`require` and what an application must meet"
        }
        Rule::requirement => "a requirement",
        Rule::kw_as => "`记为` and the name to report as missing",
        Rule::deny | Rule::kw_deny => "`不予准入`/`deny` and a message",
        Rule::admit | Rule::kw_admit => "`准予准入`/`admit`",
        Rule::refer | Rule::kw_refer => "`须经审批`/`refer` and a message",
        Rule::violation | Rule::kw_violation => "`违规`/`violation` and a message",
        Rule::expr
        | Rule::disjunction
        | Rule::conjunction
        | Rule::negation
        | Rule::comparison
        | Rule::sum
        | Rule::product => "a condition or value",
        Rule::compare => "a comparison",
        Rule::compare_op => "a comparison (==, !=, <, <=, >, >=)",
        Rule::in_list | Rule::kw_in => "`属于`",
        Rule::not_in_list | Rule::kw_not_in => "`不属于`",
        Rule::is_present | Rule::kw_present => "`已提供`",
        Rule::is_absent | Rule::kw_absent => "`未提供`",
        Rule::kw_and => "`且`",
        Rule::kw_or => "`或`",
        Rule::kw_not => "`非`",
        Rule::add_op => "+ or -",
        Rule::mul_op => "* or /",
        Rule::count | Rule::kw_count => "`计数(…)`",
        Rule::filter => "`属于`/`不属于` and a list",
        Rule::quantified | Rule::kw_any | Rule::kw_all => "`任一`/`全部`",
        Rule::path => "a field such as 事项.category",
        Rule::field => "a field name",
        Rule::subject_kind | Rule::kw_task | Rule::kw_community | Rule::kw_assessment => {
            "a subject (事项 / 社区 / 考核)"
        }
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::number => "a number",
        Rule::percent => "%",
        Rule::boolean | Rule::kw_true | Rule::kw_false => "是 or 否",
        Rule::today | Rule::kw_today => "`今天`",
        Rule::kw_jurisdiction => "`辖区`",
        Rule::kw_source => "`来源`",
        Rule::kw_effective => "`生效`",
        Rule::kw_alias => "`别名`",
        _ => return None,
    })
}

/// What a grammar rule is, in Chinese (for `--lang zh`).
fn describe_zh(rule: &Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "文件结尾",
        Rule::header | Rule::kw_policy => "政策标题 `政策 「…」`",
        Rule::header_field => "标题行（辖区 / 来源 / 生效）",
        Rule::list_decl | Rule::kw_list => "清单（`清单`）",
        Rule::rule_decl | Rule::kw_rule => "规则（`规则`）",
        Rule::assert_decl | Rule::kw_assert => "断言（`断言`）",
        Rule::name => "名称",
        Rule::type_name => "字段类型（文本、数字、日期、是否、文本清单）",
        Rule::string | Rule::quoted | Rule::corner_quoted | Rule::curly_quoted => {
            "带引号的文本，如 「…」"
        }
        Rule::entry => "清单条目",
        Rule::example_mark | Rule::kw_example => "`示例`",
        Rule::aliases => "别名 `（别名 「…」）`",
        Rule::cite | Rule::kw_cite => "`引用` 和本政策声明的条款编号（如 `引用 第三条`）",
        Rule::document_decl | Rule::kw_document => "文件（`文件`）",
        Rule::doc_field => "文件信息（发文机关 / 文号 / 成文日期 / 网址 / 层级）",
        Rule::clause_decl | Rule::kw_clause => "条款（`条款 编号 「…」`）",
        Rule::clause_flag | Rule::funding_flag | Rule::kw_funding => "`费随事转` 或 `示例`",
        Rule::field_decl | Rule::kw_field => "字段声明（`字段`）",
        Rule::field_type | Rule::kw_type | Rule::kw_one_of | Rule::one_of => {
            "字段类型（`类型 数字` 或 `取值 「甲」、「乙」`）"
        }
        Rule::variant_decl | Rule::kw_variant => "异体写法（`异体 「甲」 = 「乙」`）",
        Rule::extend | Rule::kw_extend => "`追加`",
        Rule::unless_clause | Rule::kw_unless => "`除非` 和条件",
        Rule::contains | Rule::kw_contains => "`包含`",
        Rule::duration | Rule::time_unit | Rule::kw_days | Rule::kw_months | Rule::kw_years => {
            "时长（`30 天`、`3 个月`、`1 年`）"
        }
        Rule::days_between | Rule::kw_days_between => "`天数(…，…)`",
        Rule::quoted_only | Rule::kw_quoted => "`原文`",
        Rule::expires | Rule::kw_expires => "`失效` 和日期",
        Rule::trial | Rule::kw_trial => "`试行`",
        Rule::parent | Rule::kw_parent => "`上位` 和上位政策的路径",
        Rule::clause_id => "本政策声明的条款编号，如 第三条、EQ4",
        Rule::about | Rule::kw_about => "`关于` 和对象（事项 / 社区 / 考核）",
        Rule::when_clause | Rule::kw_when => "`当` 和条件",
        Rule::require_clause | Rule::kw_require => "`要求` 和申请须满足的条件",
        Rule::requirement => "一项要求",
        Rule::kw_as => "`记为` 和缺项名称",
        Rule::deny | Rule::kw_deny => "`不予准入` 和说明",
        Rule::admit | Rule::kw_admit => "`准予准入`",
        Rule::refer | Rule::kw_refer => "`须经审批` 和说明",
        Rule::violation | Rule::kw_violation => "`违规` 和说明",
        Rule::expr
        | Rule::disjunction
        | Rule::conjunction
        | Rule::negation
        | Rule::comparison
        | Rule::sum
        | Rule::product => "条件或数值",
        Rule::compare => "比较",
        Rule::compare_op => "比较符（==、!=、<、<=、>、>=）",
        Rule::in_list | Rule::kw_in => "`属于`",
        Rule::not_in_list | Rule::kw_not_in => "`不属于`",
        Rule::is_present | Rule::kw_present => "`已提供`",
        Rule::is_absent | Rule::kw_absent => "`未提供`",
        Rule::kw_and => "`且`",
        Rule::kw_or => "`或`",
        Rule::kw_not => "`非`",
        Rule::add_op => "+ 或 -",
        Rule::mul_op => "* 或 /",
        Rule::count | Rule::kw_count => "`计数(…)`",
        Rule::filter => "`属于`/`不属于` 和清单",
        Rule::quantified | Rule::kw_any | Rule::kw_all => "`任一`/`全部`",
        Rule::path => "字段，如 事项.category",
        Rule::field => "字段名",
        Rule::subject_kind | Rule::kw_task | Rule::kw_community | Rule::kw_assessment => {
            "对象（事项 / 社区 / 考核）"
        }
        Rule::date => "日期（YYYY-MM-DD）",
        Rule::number => "数字",
        Rule::percent => "%",
        Rule::boolean | Rule::kw_true | Rule::kw_false => "是 或 否",
        Rule::today | Rule::kw_today => "`今天`",
        Rule::kw_jurisdiction => "`辖区`",
        Rule::kw_source => "`来源`",
        Rule::kw_effective => "`生效`",
        Rule::kw_alias => "`别名`",
        _ => return None,
    })
}

/// "a, b or c" in English, "a、b 或 c" in Chinese.
fn join_words(words: &[&str], zh: bool) -> String {
    let mut seen = std::collections::HashSet::new();
    let words: Vec<&str> = words.iter().copied().filter(|w| seen.insert(*w)).collect();
    let (sep, or, none) = if zh {
        ("、", " 或 ", "其他内容")
    } else {
        (", ", " or ", "something else")
    };
    match words.split_last() {
        None => none.to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{}{or}{last}", rest.join(sep)),
    }
}

/// Advice for what the parser expected: (English, Chinese).
fn help_for(positives: &[Rule], word: &str) -> (&'static str, &'static str) {
    let outcome = |r: &Rule| {
        matches!(
            r,
            Rule::deny | Rule::admit | Rule::refer | Rule::violation | Rule::kw_deny
        )
    };
    // Two slips the general advice does not name: a second 当 where the rule's condition
    // goes on, and a second outcome after a rule has ended.
    if matches!(word, "当" | "when") && positives.iter().any(outcome) {
        return (
            "a rule has one 当 condition: join conditions with 且 (both hold) or 或 (either holds)",
            "一条规则只有一个 当：多个条件用 且（同时成立）或 或（任一成立）连接",
        );
    }
    if matches!(
        word,
        "不予准入" | "准予准入" | "须经审批" | "违规" | "deny" | "admit" | "refer" | "violation"
    ) && positives.contains(&Rule::EOI)
    {
        return (
            "a rule has one outcome: for another, write another rule (规则 名称 引用 条款 当 … 须经审批 「…」)",
            "一条规则只有一个结论：另一个结论请另写一条规则（规则 名称 引用 条款 当 … 须经审批 「…」）",
        );
    }
    if positives.contains(&Rule::compare_op) {
        (
            "compare with == (not =), and join conditions with 且 / 或",
            "比较用 ==（不是 =），条件之间用 且 / 或 连接",
        )
    } else if positives.contains(&Rule::cite) || positives.contains(&Rule::kw_cite) {
        (
            "every rule cites the clause of the source it encodes, e.g. `规则 负面事项不得下放 引用 第三条`",
            "每条规则都要引用它所依据的原文条款，例如 `规则 负面事项不得下放 引用 第三条`",
        )
    } else if positives.iter().any(outcome) {
        (
            "a rule ends with its outcome: 不予准入 「…」, 准予准入, 须经审批 「…」 or 违规 「…」",
            "规则以结论结尾：不予准入 「…」、准予准入、须经审批 「…」 或 违规 「…」",
        )
    } else if positives.contains(&Rule::EOI) {
        (
            "a policy holds a header, then lists (清单), rules (规则) and assertions (断言)",
            "政策由标题开头，然后是清单（清单）、规则（规则）和断言（断言）",
        )
    } else {
        (
            "see the language by example in the README",
            "语言示例见 README",
        )
    }
}

/// Turn a pest error into a diagnostic that says what was expected, in words.
pub(super) fn from_pest(source: &Source, error: pest::error::Error<Rule>) -> Diagnostic {
    let at = match error.location {
        InputLocation::Pos(p) => Span::new(p, p),
        InputLocation::Span((a, b)) => Span::new(a, b),
    };
    // Point at the offending character, not between two.
    let at = match source.text.get(at.start..).and_then(|s| s.chars().next()) {
        Some(c) if at.start == at.end => Span::new(at.start, at.start + c.len_utf8()),
        _ => at,
    };
    let rest = source.text.get(at.start..).unwrap_or("");
    // Show the whole word the parser stopped at, not just its first character.
    let word: String = rest
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take_while(|c| c.is_alphanumeric() || *c == '_' || !c.is_ascii())
        .take(24)
        .collect();
    let word = if word.is_empty() {
        rest.chars().next().map(String::from).unwrap_or_default()
    } else {
        word
    };
    let at = if word.is_empty() {
        at
    } else {
        Span::new(at.start, at.start + word.len())
    };
    let found = if word.is_empty() {
        ("the end of the file".to_owned(), "文件结尾".to_owned())
    } else {
        let quoted = format!("`{}`", word.escape_debug());
        (quoted.clone(), format!(" {quoted}"))
    };
    if let Some(open) = word
        .chars()
        .next()
        .filter(|c| matches!(c, '「' | '"' | '“'))
    {
        let close = match open {
            '「' => '」',
            '“' => '”',
            _ => '"',
        };
        let line_end = rest.find('\n').unwrap_or(rest.len());
        // The text after the opening mark (a multi-byte 「 is 3 bytes, not 1).
        let after_open = rest.get(open.len_utf8()..line_end).unwrap_or("");
        // 「…」 nest (a message quotes the category: 「「{事项.category}」在清单内」), so a
        // text is closed when its own mark is, not at the first 」 of an inner pair.
        let mut depth = 1usize;
        let closed = open == close && after_open.contains(close)
            || after_open.chars().any(|c| {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                }
                depth == 0
            });
        if !closed {
            return Diagnostic::new(
                source,
                Span::new(at.start, at.start + open.len_utf8()),
                &ParseError::NotClosed { close },
            );
        }
    }
    let problem = match error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let en: Vec<&str> = positives.iter().filter_map(describe).collect();
            let zh: Vec<&str> = positives.iter().filter_map(describe_zh).collect();
            ParseError::Expected {
                expected: (join_words(&en, false), join_words(&zh, true)),
                found,
                keyword: keyword_like(&word),
                advice: help_for(&positives, &word),
            }
        }
        ErrorVariant::CustomError { message } => ParseError::Other(message),
    };
    Diagnostic::new(source, at, &problem)
}

/// Keywords a misspelling is matched against, in both languages.
const KEYWORDS: &[&str] = &[
    "policy",
    "jurisdiction",
    "source",
    "effective",
    "expires",
    "trial",
    "parent",
    "document",
    "issuer",
    "issued",
    "address",
    "level",
    "clause",
    "field",
    "variant",
    "extend",
    "unless",
    "contains",
    "list",
    "alias",
    "example",
    "cite",
    "rule",
    "about",
    "when",
    "require",
    "deny",
    "admit",
    "refer",
    "violation",
    "assert",
    "present",
    "absent",
    "count",
    "today",
    "政策",
    "辖区",
    "来源",
    "生效",
    "失效",
    "试行",
    "上位",
    "文件",
    "发文机关",
    "文号",
    "成文日期",
    "网址",
    "层级",
    "条款",
    "费随事转",
    "字段",
    "类型",
    "取值",
    "异体",
    "追加",
    "除非",
    "包含",
    "清单",
    "别名",
    "示例",
    "引用",
    "规则",
    "关于",
    "要求",
    "记为",
    "不予准入",
    "准予准入",
    "须经审批",
    "违规",
    "断言",
    "不属于",
    "属于",
    "已提供",
    "未提供",
    "任一",
    "全部",
    "计数",
    "今天",
];

/// A misspelt keyword, in either language, by characters: `rul` → `rule`, `规侧` → `规则`,
/// `不予准人` → `不予准入`, `须经审核` → `须经审批`.
fn keyword_like(word: &str) -> Option<&'static str> {
    let chars = word.chars().count();
    if KEYWORDS.contains(&word) || chars < 2 || (word.is_ascii() && chars < 3) {
        return None;
    }
    // One wrong character in a short Chinese word is a typo; two in an English one.
    let limit = if word.is_ascii() { 2 } else { 1 };
    let lower = word.to_lowercase();
    let mut scored: Vec<(usize, &'static str)> = KEYWORDS
        .iter()
        .filter(|k| k.is_ascii() == word.is_ascii())
        .map(|k| (crate::suggest::distance(&lower, k), *k))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    scored.first().map(|(_, k)| *k)
}

/// Limits checked before the parser runs, so that no input can exhaust its stack.
pub(super) fn precheck(source: &Source) -> Option<Diagnostic> {
    let text = &source.text;
    if text.len() > MAX_POLICY_BYTES {
        return Some(Diagnostic::new(
            source,
            Span::new(0, 0),
            &ParseError::TooLarge { bytes: text.len() },
        ));
    }
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '（' | '「' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(Diagnostic::new(
                        source,
                        Span::new(i, i + c.len_utf8()),
                        &ParseError::TooDeep,
                    ));
                }
            }
            ')' | '）' | '」' => depth = depth.saturating_sub(1),
            '\t' | '\n' | '\r' => {}
            c if c.is_control() => {
                return Some(Diagnostic::new(
                    source,
                    Span::new(i, i + c.len_utf8()),
                    &ParseError::ControlCharacter { code: u32::from(c) },
                ));
            }
            _ => {}
        }
    }
    None
}

/// The comments of a source, outside string literals.
pub(super) fn comments(source: &Source) -> Vec<Spanned<String>> {
    let text = &source.text;
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let close = match c {
            '"' => Some('"'),
            '「' => Some('」'),
            '“' => Some('”'),
            _ => None,
        };
        if let Some(close) = close {
            // Skip the text as the grammar reads it. Corner quotes nest
            // (「「招商引资」列入负面清单」), so the text ends at the `」` that balances the
            // opening one, not at the first: stopping there took a `#` or `//` later in the
            // text for a comment, which `fmt` then printed as a line of its own (found by
            // fuzzing: fmt was not idempotent).
            let mut escaped = false;
            let mut depth = 1usize;
            for (_, d) in chars.by_ref() {
                if d == '\n' {
                    break;
                }
                if close == '」' {
                    match d {
                        '「' => depth += 1,
                        '」' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                if d == close && !escaped {
                    break;
                }
                escaped = close == '"' && d == '\\' && !escaped;
            }
            continue;
        }
        let is_comment = c == '#' || (c == '/' && matches!(chars.peek(), Some((_, '/'))));
        if is_comment {
            let end = text
                .get(i..)
                .and_then(|s| s.find('\n'))
                .map_or(text.len(), |n| i + n);
            out.push(Spanned::new(
                text.get(i..end).unwrap_or("").to_owned(),
                Span::new(i, end),
            ));
            while let Some((j, _)) = chars.peek() {
                if *j >= end {
                    break;
                }
                chars.next();
            }
        }
    }
    out
}
