//! Diagnostics: every error and warning the library reports, as miette diagnostics with a
//! stable code, labels on the source and help.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::source::{Source, Span};

/// The stable code of a diagnostic; its `Display` is the code users search for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The text does not follow the grammar.
    Syntax,
    /// A policy nests deeper than the parser allows.
    TooDeep,
    /// A policy file larger than the limit.
    TooLarge,
    /// A date literal that does not exist.
    BadDate,
    /// A name used for two lists or two rules.
    DuplicateName,
    /// A list that is not declared.
    UnknownList,
    /// A `cite` that is not a rule id of the source document.
    UnknownCite,
    /// A field path no subject has.
    UnknownField,
    /// Values of different types compared or combined.
    TypeMismatch,
    /// One rule reading fields of two subject kinds.
    MixedSubjects,
    /// A rule that names no field and no `about`.
    UnknownSubject,
    /// An outcome that does not fit the subject (deny on premises, violation on a task).
    WrongOutcome,
    /// A message placeholder that cannot be filled.
    BadPlaceholder,
    /// The same entry twice in a list.
    DuplicateEntry,
    /// An item both banned and admitted.
    BannedAndAdmitted,
    /// A rule whose condition can never hold.
    NeverApplies,
    /// An admit rule without the funding the source demands (费随事转).
    AdmitWithoutFunding,
    /// A rule that an earlier deny takes every subject of.
    Shadowed,
    /// A policy assertion that does not hold.
    AssertionFailed,
    /// A policy with task rules but no rule that sends tasks to approval.
    NoReferral,
    /// A subject that is not valid JSON or does not fit the contract.
    Input,
    /// A file that could not be read.
    Io,
}

impl Code {
    /// The code as shown: `zhunru::check::unknown_list`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "zhunru::parse::syntax",
            Code::TooDeep => "zhunru::parse::too_deep",
            Code::TooLarge => "zhunru::parse::too_large",
            Code::BadDate => "zhunru::parse::bad_date",
            Code::DuplicateName => "zhunru::check::duplicate_name",
            Code::UnknownList => "zhunru::check::unknown_list",
            Code::UnknownCite => "zhunru::check::unknown_cite",
            Code::UnknownField => "zhunru::check::unknown_field",
            Code::TypeMismatch => "zhunru::check::type_mismatch",
            Code::MixedSubjects => "zhunru::check::mixed_subjects",
            Code::UnknownSubject => "zhunru::check::unknown_subject",
            Code::WrongOutcome => "zhunru::check::wrong_outcome",
            Code::BadPlaceholder => "zhunru::check::bad_placeholder",
            Code::DuplicateEntry => "zhunru::lint::duplicate_entry",
            Code::BannedAndAdmitted => "zhunru::lint::banned_and_admitted",
            Code::NeverApplies => "zhunru::lint::never_applies",
            Code::AdmitWithoutFunding => "zhunru::lint::admit_without_funding",
            Code::Shadowed => "zhunru::lint::shadowed",
            Code::AssertionFailed => "zhunru::check::assertion_failed",
            Code::NoReferral => "zhunru::lint::no_referral",
            Code::Input => "zhunru::input",
            Code::Io => "zhunru::io",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth knowing; never fails a check.
    Advice,
    /// Likely a mistake; fails `check --deny-warnings`.
    Warning,
    /// The policy cannot be used.
    Error,
}

/// A problem found in a policy, pointing into its source.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error, warning or advice.
    pub severity: Severity,
    /// Short, lowercase, no final period.
    pub message: String,
    /// Spans in the source with what to say about each; the first is the primary one.
    pub labels: Vec<(Span, String)>,
    /// How to fix it.
    pub help: Option<String>,
    /// The policy it points into.
    pub source: Source,
    /// The message in Chinese, for `--lang zh`.
    pub message_zh: Option<String>,
    /// The help in Chinese, for `--lang zh`.
    pub help_zh: Option<String>,
}

/// The language diagnostics are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// 中文
    Zh,
    /// English
    En,
}

impl Lang {
    /// From the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`): Chinese for `zh…`, else English.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var) {
                if v.is_empty() {
                    continue;
                }
                return if v.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                };
            }
        }
        Lang::En
    }
}

/// Chinese for the phrases that dynamic help texts are built from.
const HELP_PHRASES: &[(&str, &str)] = &[
    ("did you mean", "是否想写"),
    ("the fields here are:", "此处可用的字段："),
    ("the lists here are:", "本政策的清单："),
    ("the values are", "可取的值："),
    ("has no fields inside it", "没有下级字段"),
    (
        "the ids are H1–H7, N1–N7 and Y1–Y8 (domain.md)",
        "可引用的条款为 H1–H7、N1–N7、Y1–Y8（见 domain.md）",
    ),
    (
        "write a date without quotes: 2020-06-30",
        "日期不加引号：2020-06-30",
    ),
    (
        "write a date as YYYY-MM-DD, e.g. 2020-06-30, or compare with 今天",
        "日期写作 YYYY-MM-DD，如 2020-06-30，或与 今天 比较",
    ),
    (
        "write numbers in digits without quotes: 3000, 20%",
        "数字用阿拉伯数字、不加引号：3000、20%",
    ),
    ("compare values of the same type", "比较同一类型的值"),
    (
        "cite one of H1–H7 (Hefei), N1–N7 (Nanqiao), Y1–Y8 (Yingjiang), as listed in domain.md",
        "引用 H1–H7（合肥）、N1–N7（南谯）、Y1–Y8（迎江）之一，见 domain.md",
    ),
    ("declare it first:", "先声明它："),
    ("?", "？"),
];

impl Diagnostic {
    /// An error with one label.
    pub fn error(code: Code, source: &Source, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            labels: vec![(span, String::new())],
            help: None,
            source: source.clone(),
            message_zh: None,
            help_zh: None,
        }
    }

    /// The message (and, optionally, the help) in Chinese.
    pub fn zh(mut self, message: impl Into<String>, help: Option<&str>) -> Self {
        self.message_zh = Some(message.into());
        self.help_zh = help.map(str::to_owned);
        self
    }

    /// This diagnostic in a language: Chinese where a translation exists, else as written.
    pub fn localized(&self, lang: Lang) -> Diagnostic {
        let mut d = self.clone();
        if lang == Lang::Zh {
            if let Some(m) = &self.message_zh {
                d.message = m.clone();
            }
            d.help = match (&self.help_zh, &self.help) {
                (Some(h), _) => Some(h.clone()),
                (None, Some(h)) => {
                    let mut h = h.clone();
                    for (en, zh) in HELP_PHRASES {
                        h = h.replace(en, zh);
                    }
                    Some(h)
                }
                (None, None) => None,
            };
        }
        d
    }

    /// A warning with one label.
    pub fn warning(code: Code, source: &Source, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, source, span, message)
        }
    }

    /// Set the text of the primary label.
    pub fn label(mut self, text: impl Into<String>) -> Self {
        if let Some(first) = self.labels.first_mut() {
            first.1 = text.into();
        }
        self
    }

    /// Add a secondary label.
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push((span, text.into()));
        self
    }

    /// Set the help text.
    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    /// `path:line:col` of the primary label.
    pub fn location(&self) -> String {
        let span = self.labels.first().map_or(Span::default(), |l| l.0);
        self.source.location(span)
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Advice => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().enumerate().map(
            |(i, (span, text))| {
                let text = (!text.is_empty()).then(|| text.clone());
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, *span)
                } else {
                    LabeledSpan::new_with_span(text, *span)
                }
            },
        )))
    }
}

/// A subject that could not be read: bad JSON, a mistyped field, invalid UTF-8.
#[derive(Debug)]
pub struct InputError {
    /// Where the input came from (`examples/tasks.jsonl`, `<stdin>`).
    pub origin: String,
    /// 1-based line in the input.
    pub line: usize,
    /// 1-based column (in characters) on that line; 0 when unknown.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    snippet: Box<LineSnippet>,
    offset: usize,
    help: &'static str,
}

/// What an input should look like, by format (the help of an [`InputError`]).
const JSON_HELP: &str =
    "each subject is one JSON object in the shape of contract.md; in JSON Lines, one object a line";
pub(crate) const CSV_HELP: &str = "CSV: a header row of contract field names (nested ones dotted: funding.amount), then one subject a row; lists separated by `;`";

/// One line of an input, shown with its real line number.
#[derive(Debug)]
struct LineSnippet {
    name: String,
    line: usize,
    text: String,
}

impl SourceCode for LineSnippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.line.saturating_sub(1),
            self.text
                .get(..inner.span().offset())
                .map_or(0, |s| s.rsplit('\n').next().unwrap_or("").chars().count()),
            inner.line_count(),
        )))
    }
}

impl InputError {
    /// An error at `line` and byte `column` (as serde_json counts) of `origin`; `line_text`
    /// is that line, shown in the report.
    pub fn new(origin: &str, line: usize, column: usize, message: String, line_text: &str) -> Self {
        // Keep long lines whole up to a bound, so the caret stays on the text.
        let cut = (0..=line_text.len().min(8192))
            .rev()
            .find(|i| line_text.is_char_boundary(*i))
            .unwrap_or(0);
        let text: String = line_text.get(..cut).unwrap_or("").to_owned();
        let offset = column.saturating_sub(1).min(text.len());
        let offset = (0..=offset)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        InputError {
            snippet: Box::new(LineSnippet {
                name: origin.to_owned(),
                line,
                text,
            }),
            origin: origin.to_owned(),
            line,
            column: if column == 0 {
                0
            } else {
                line_text
                    .get(..offset)
                    .map_or(column, |s| s.chars().count() + 1)
            },
            message,
            offset,
            help: JSON_HELP,
        }
    }

    /// The same error with another help text (for inputs that are not JSON).
    pub(crate) fn with_help(mut self, help: &'static str) -> Self {
        self.help = help;
        self
    }

    /// `origin:line:column`.
    pub fn location(&self) -> String {
        format!("{}:{}:{}", self.origin, self.line, self.column)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message)
    }
}

impl std::error::Error for InputError {}

impl miette::Diagnostic for InputError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(Code::Input))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.snippet)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".to_owned()), (self.offset, 0)),
        )))
    }
}

/// Render any diagnostic as text: unicode box drawing, colour only when asked, fixed width
/// so output (and snapshots) are stable.
pub fn render(diagnostic: &dyn miette::Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = format!("{diagnostic}\n");
    }
    out
}
