//! The parser's catalogue: every syntax error as a typed value, its English and Chinese
//! side by side. Each variant's doc shows an input that triggers it.

use super::{MAX_CHAIN, MAX_NESTING, MAX_POLICY_BYTES, MAX_RULES};
use crate::diagnostic::{Code, Explain, Text};

/// A policy that does not parse.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ParseError {
    /// `规则 r 引用 N2 当 事项.category == 「招商` — a quoted text not closed on its line.
    NotClosed {
        /// The closing mark it needs.
        close: char,
    },
    /// `规则 r 引用 N2 当 事项.category = 「x」` — the grammar expected something else here.
    Expected {
        /// What would have been accepted, in words: (English, Chinese).
        expected: (String, String),
        /// What was found, as quoted, or the end of the file: (English, Chinese).
        found: (String, String),
        /// A keyword the found word is a likely misspelling of.
        keyword: Option<&'static str>,
        /// Advice for what was expected: (English, Chinese).
        advice: (&'static str, &'static str),
    },
    /// A message pest gives without a rule (kept as it is, in both languages).
    Other(String),
    /// A file over [`MAX_POLICY_BYTES`].
    TooLarge {
        /// Its size.
        bytes: usize,
    },
    /// `((((…` more than [`MAX_NESTING`] deep.
    TooDeep,
    /// More than [`MAX_RULES`] rules.
    TooManyRules,
    /// `1 + 1 + … + 1` with more than [`MAX_CHAIN`] operands.
    LongChain,
    /// `1e999`-sized digits: `100000…0`.
    NumberOutOfRange,
    /// `生效 2020-02-30`.
    BadDate {
        /// As written.
        text: String,
    },
    /// `不予准入 「{招商}」` — braces around something that is not a field.
    BadPlaceholder {
        /// What was inside the braces.
        inner: String,
    },
    /// `不予准入 「{事项.category」` — a placeholder whose `}` never comes (it would be
    /// published as the literal text `{事项.category`).
    UnclosedPlaceholder {
        /// From the `{` to the end of the message.
        rest: String,
    },
    /// `字段 事项.x 类型 金额` — a type the language does not have.
    UnknownFieldType {
        /// As written.
        written: String,
    },
    /// `30.5 天`, `10% 年` — durations are whole days, months or years.
    BadDuration,
    /// `辖区 「甲」` and then `辖区 「乙」` — a header or document line given twice.
    Repeated {
        /// Its keyword, as written.
        keyword: String,
    },
    /// A control character other than a tab or a line end (`政策 「测试\u{0}区」`): invisible
    /// in an editor, and it would be published in the notice as it is.
    ControlCharacter {
        /// The character's code point.
        code: u32,
    },
    /// A parse shape the builder does not expect: a bug in zhunru, never a dropped clause.
    Internal {
        /// Which construct.
        what: String,
    },
}

impl Explain for ParseError {
    fn code(&self) -> Code {
        match self {
            ParseError::NotClosed { .. }
            | ParseError::Expected { .. }
            | ParseError::Other(_)
            | ParseError::NumberOutOfRange => Code::Syntax,
            ParseError::TooLarge { .. } | ParseError::TooManyRules => Code::TooLarge,
            ParseError::TooDeep | ParseError::LongChain => Code::TooDeep,
            ParseError::BadDate { .. } => Code::BadDate,
            ParseError::BadPlaceholder { .. } | ParseError::UnclosedPlaceholder { .. } => {
                Code::BadPlaceholder
            }
            ParseError::Internal { .. } => Code::Internal,
            ParseError::UnknownFieldType { .. } => Code::UnknownFieldType,
            ParseError::BadDuration | ParseError::ControlCharacter { .. } => Code::Syntax,
            ParseError::Repeated { .. } => Code::Repeated,
        }
    }

    fn message(&self) -> Text {
        match self {
            ParseError::NotClosed { close } => Text::new(
                format!("this text is not closed: no `{close}` before the end of the line"),
                format!("文本没有结束：行尾之前没有 `{close}`"),
            ),
            ParseError::Expected {
                expected, found, ..
            } => Text::new(
                format!("expected {}, found {}", expected.0, found.0),
                format!("此处应为{}，实际为{}", expected.1, found.1),
            ),
            ParseError::Other(m) => Text::new(m.clone(), m.clone()),
            ParseError::TooLarge { bytes } => Text::new(
                format!("policy is {bytes} bytes; the limit is {MAX_POLICY_BYTES}"),
                format!("政策文件有 {bytes} 字节，上限为 {MAX_POLICY_BYTES}"),
            ),
            ParseError::TooDeep => Text::new(
                format!("brackets nested more than {MAX_NESTING} deep"),
                format!("括号嵌套超过 {MAX_NESTING} 层"),
            ),
            ParseError::TooManyRules => Text::new(
                format!("more than {MAX_RULES} rules"),
                format!("规则超过 {MAX_RULES} 条"),
            ),
            ParseError::LongChain => Text::new(
                format!("more than {MAX_CHAIN} operands in one arithmetic chain"),
                format!("一个算式中超过 {MAX_CHAIN} 个运算数"),
            ),
            ParseError::NumberOutOfRange => Text::new("number out of range", "数字超出范围"),
            ParseError::BadDate { text } => Text::new(
                format!("`{text}` is not a date on the calendar"),
                format!("`{text}` 不是日历上存在的日期"),
            ),
            ParseError::UnclosedPlaceholder { rest } => Text::new(
                format!("the placeholder `{rest}` is not closed with `}}`"),
                format!("占位符 `{rest}` 缺少结尾的 `}}`"),
            ),
            ParseError::BadPlaceholder { inner } => Text::new(
                format!("`{{{inner}}}` is not a field placeholder"),
                format!("`{{{inner}}}` 不是字段占位符"),
            ),
            ParseError::Internal { what } => Text::new(
                format!("internal error: unexpected parse shape ({what})"),
                format!("内部错误：意外的解析结构（{what}）"),
            ),
            ParseError::UnknownFieldType { written } => Text::new(
                format!("`{written}` is not a field type"),
                format!("`{written}` 不是字段类型"),
            ),
            ParseError::BadDuration => Text::new(
                "a duration is a whole number of days, months or years",
                "时长须为整数个天、月或年",
            ),
            ParseError::Repeated { keyword } => Text::new(
                format!("`{keyword}` is given twice; it takes one value"),
                format!("`{keyword}` 写了两次；只能有一个值"),
            ),
            ParseError::ControlCharacter { code } => Text::new(
                format!("the control character U+{code:04X} cannot appear in a policy"),
                format!("政策中不能出现控制字符 U+{code:04X}"),
            ),
        }
    }

    fn label(&self) -> Option<Text> {
        Some(match self {
            ParseError::NotClosed { close } => Text::new(
                format!("opened here; add `{close}` where the text ends"),
                format!("从这里开始；在文本结束处加上 `{close}`"),
            ),
            ParseError::Expected { expected, .. } => Text::new(
                format!("expected {}", expected.0),
                format!("此处应为{}", expected.1),
            ),
            ParseError::TooDeep => Text::new("too deep", "嵌套过深"),
            ParseError::TooManyRules => Text::new("this rule is one too many", "多出的规则"),
            ParseError::NumberOutOfRange => Text::new("too large to represent", "数字过大"),
            // `2024-13-01`: no such month, not no such day.
            ParseError::BadDate { text }
                if text
                    .get(5..7)
                    .and_then(|m| m.parse::<u32>().ok())
                    .is_some_and(|m| !(1..=12).contains(&m)) =>
            {
                Text::new("no such month", "没有这个月")
            }
            ParseError::BadDate { .. } => Text::new("no such day", "没有这一天"),
            ParseError::BadPlaceholder { .. } => {
                Text::new("expected a field path here", "此处应为字段路径")
            }
            ParseError::UnclosedPlaceholder { .. } => Text::new("opened here", "从此处开始"),
            ParseError::UnknownFieldType { .. } => Text::new("unknown type", "未知类型"),
            ParseError::BadDuration => Text::new("not a whole number", "不是整数"),
            ParseError::ControlCharacter { .. } => Text::new("here", "在此处"),
            ParseError::Repeated { .. } => Text::new("given again", "再次出现"),
            ParseError::Other(_)
            | ParseError::TooLarge { .. }
            | ParseError::LongChain
            | ParseError::Internal { .. } => return None,
        })
    }

    fn help(&self) -> Option<Text> {
        Some(match self {
            ParseError::NotClosed { .. } => Text::new(
                "a quoted text stays on one line: 「…」, \"…\" or “…”",
                "带引号的文本写在一行之内：「…」、\"…\" 或 “…”",
            ),
            ParseError::Expected {
                keyword: Some(k), ..
            } => Text::new(
                format!("did you mean the keyword `{k}`?"),
                format!("是否想写关键字 `{k}`？"),
            ),
            ParseError::Expected { advice, .. } => Text::new(advice.0, advice.1),
            ParseError::TooLarge { .. } => Text::new(
                "a district policy is a few kilobytes; split the file or check it is the right one",
                "一个区的政策只有几千字节；请拆分文件或确认文件是否正确",
            ),
            ParseError::TooDeep => Text::new(
                "flatten the condition: join parts with 且 / 或",
                "展平条件：用 且 / 或 连接各部分",
            ),
            ParseError::TooManyRules => Text::new(
                "a district policy holds a dozen rules; check the file is the right one",
                "一个区的政策只有十几条规则；请检查文件",
            ),
            ParseError::LongChain => Text::new(
                "split the calculation; policies state simple ratios and sums",
                "拆分计算；政策只需要简单的比例和加总",
            ),
            ParseError::BadDate { .. } => Text::new(
                "write dates as YYYY-MM-DD with a month of 01–12 and a day that month has",
                "日期写作 YYYY-MM-DD，月份为 01–12，日为该月存在的日子",
            ),
            ParseError::BadPlaceholder { .. } | ParseError::UnclosedPlaceholder { .. } => {
                Text::new(
                    "write a field such as {事项.category}, optionally {社区.external_signs 不属于 对外标识}; write \\{ for a literal brace",
                    "写字段，如 {事项.category}，或 {社区.external_signs 不属于 对外标识}；字面的花括号写作 \\{",
                )
            }
            ParseError::Internal { .. } => Text::new(
                "this is a bug in zhunru; please report it with the policy file",
                "这是 zhunru 的缺陷，请连同政策文件一起报告",
            ),
            ParseError::UnknownFieldType { .. } => Text::new(
                "the types are 文本/text, 数字/number, 日期/date, 是否/yesno, 文本清单/texts, or 取值 「a」、「b」 for one of some texts",
                "类型为 文本、数字、日期、是否、文本清单，或用 取值 「甲」、「乙」 列出可取的值",
            ),
            ParseError::BadDuration => Text::new(
                "write e.g. 30 天, 3 个月 or 1 年",
                "例如写 30 天、3 个月 或 1 年",
            ),
            ParseError::Repeated { .. } => Text::new(
                "keep the line with the right value and delete the other",
                "保留值正确的一行，删除另一行",
            ),
            ParseError::ControlCharacter { .. } => Text::new(
                "delete it (it is invisible in most editors); a policy holds text, tabs and line ends",
                "请删除它（多数编辑器中看不见）；政策只含文字、制表符和换行",
            ),
            ParseError::Other(_) | ParseError::NumberOutOfRange => return None,
        })
    }
}
