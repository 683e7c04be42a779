//! Diagnostics: every error and warning the library reports, as miette diagnostics with a
//! stable code, labels on the source and help.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::source::{Source, Span};

/// Declares [`Code`] with its stable text and [`Code::ALL`] in one list, so a code cannot be
/// added without being listed (tests generate a check per code from `ALL`).
macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident => $text:literal, )*) => {
        /// The stable code of a diagnostic; its `Display` is the code users search for.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as shown: `zhunru::check::unknown_list`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    /// The text does not follow the grammar.
    Syntax => "zhunru::parse::syntax",
    /// A policy nests deeper than the parser allows.
    TooDeep => "zhunru::parse::too_deep",
    /// A policy file larger than the limit.
    TooLarge => "zhunru::parse::too_large",
    /// A parse shape the builder does not expect: a bug in zhunru, reported, never ignored.
    Internal => "zhunru::parse::internal",
    /// A declared field of a type the language does not have.
    UnknownFieldType => "zhunru::parse::unknown_field_type",
    /// A field declared twice, or a declared field that conflicts with the contract's.
    DuplicateField => "zhunru::check::duplicate_field",
    /// A value outside a one-of field's values.
    BadFieldValue => "zhunru::check::bad_field_value",
    /// A clause id declared twice in a policy and its parents.
    DuplicateClause => "zhunru::check::duplicate_clause",
    /// A parent policy that is missing, broken, or part of a cycle.
    BadParent => "zhunru::check::bad_parent",
    /// A child rule that admits or refers what a parent rule denies (上位政策优先).
    OverridesParent => "zhunru::check::overrides_parent",
    /// A policy's dates that cannot both hold, or versions of one district that overlap.
    BadDates => "zhunru::check::bad_dates",
    /// A `除非` exception that can never apply.
    ExceptionNeverApplies => "zhunru::lint::exception_never_applies",
    /// A date literal that does not exist.
    BadDate => "zhunru::parse::bad_date",
    /// A name used for two lists or two rules.
    DuplicateName => "zhunru::check::duplicate_name",
    /// A list that is not declared.
    UnknownList => "zhunru::check::unknown_list",
    /// A `cite` that is not a rule id of the source document.
    UnknownCite => "zhunru::check::unknown_cite",
    /// A field path no subject has.
    UnknownField => "zhunru::check::unknown_field",
    /// Values of different types compared or combined.
    TypeMismatch => "zhunru::check::type_mismatch",
    /// One rule reading fields of two subject kinds.
    MixedSubjects => "zhunru::check::mixed_subjects",
    /// A rule that names no field and no `about`.
    UnknownSubject => "zhunru::check::unknown_subject",
    /// An outcome that does not fit the subject (deny on premises, violation on a task).
    WrongOutcome => "zhunru::check::wrong_outcome",
    /// A message placeholder that cannot be filled.
    BadPlaceholder => "zhunru::check::bad_placeholder",
    /// The same entry twice in a list.
    DuplicateEntry => "zhunru::lint::duplicate_entry",
    /// An item both banned and admitted.
    BannedAndAdmitted => "zhunru::lint::banned_and_admitted",
    /// A rule whose condition can never hold.
    NeverApplies => "zhunru::lint::never_applies",
    /// An admit rule without the funding the source demands (费随事转).
    AdmitWithoutFunding => "zhunru::lint::admit_without_funding",
    /// A rule that an earlier deny takes every subject of.
    Shadowed => "zhunru::lint::shadowed",
    /// A policy assertion that does not hold.
    AssertionFailed => "zhunru::check::assertion_failed",
    /// A policy with task rules but no rule that sends tasks to approval.
    NoReferral => "zhunru::lint::no_referral",
    /// A subject that is not valid JSON or does not fit the contract.
    Input => "zhunru::input",
    /// A file that could not be read.
    Io => "zhunru::io",
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

/// A text in both languages diagnostics are written in. Every message, label and help
/// is made as a `Text` by its stage's catalogue (`parse/error.rs`, `check/error.rs`,
/// [`LoadError`]), the two languages side by side; nothing translates rendered text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    en: String,
    zh: String,
}

impl Text {
    /// A text from its English and Chinese.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }
}

/// What a stage's typed error says, in both languages: each stage's catalogue implements it
/// for its error enum, and `Diagnostic::new` turns one into a diagnostic.
pub(crate) trait Explain {
    /// The stable code.
    fn code(&self) -> Code;
    /// Error unless the stage says otherwise (lints are warnings).
    fn severity(&self) -> Severity {
        Severity::Error
    }
    /// The short message: lowercase, no final period, user input in backticks.
    fn message(&self) -> Text;
    /// What to say at the primary span.
    fn label(&self) -> Option<Text> {
        None
    }
    /// How to fix it.
    fn help(&self) -> Option<Text> {
        None
    }
}

/// A problem found in a policy, pointing into its source, in the language it was last
/// set to ([`Diagnostic::localized`]; English unless set).
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error, warning or advice.
    pub severity: Severity,
    message: Text,
    /// Spans in the source with what to say about each; the first is the primary one.
    labels: Vec<(Span, Option<Text>)>,
    help: Option<Text>,
    /// The policy it points into.
    pub source: Source,
    lang: Lang,
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

impl Diagnostic {
    /// The diagnostic a stage's typed error explains, at `span`.
    pub(crate) fn new(source: &Source, span: Span, what: &impl Explain) -> Self {
        Diagnostic {
            code: what.code(),
            severity: what.severity(),
            message: what.message(),
            labels: vec![(span, what.label())],
            help: what.help(),
            source: source.clone(),
            lang: Lang::En,
        }
    }

    /// Add a secondary label.
    pub(crate) fn with_label(mut self, span: Span, text: Text) -> Self {
        self.labels.push((span, Some(text)));
        self
    }

    /// This diagnostic in a language.
    pub fn localized(&self, lang: Lang) -> Diagnostic {
        Diagnostic {
            lang,
            ..self.clone()
        }
    }

    /// The language it renders in.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message, in the diagnostic's language.
    pub fn message(&self) -> &str {
        self.message.get(self.lang)
    }

    /// The message in both languages.
    pub fn message_text(&self) -> &Text {
        &self.message
    }

    /// How to fix it, in the diagnostic's language.
    pub fn help(&self) -> Option<&str> {
        self.help.as_ref().map(|h| h.get(self.lang))
    }

    /// The help in both languages.
    pub fn help_text(&self) -> Option<&Text> {
        self.help.as_ref()
    }

    /// The labelled spans, the primary first, with their text in the diagnostic's language.
    pub fn labels(&self) -> impl Iterator<Item = (Span, Option<&str>)> {
        self.labels
            .iter()
            .map(|(span, text)| (*span, text.as_ref().map(|t| t.get(self.lang))))
    }

    /// The primary span.
    pub fn span(&self) -> Span {
        self.labels.first().map_or(Span::default(), |l| l.0)
    }

    /// `path:line:col` of the primary label.
    pub fn location(&self) -> String {
        self.source.location(self.span())
    }
}

/// Loading policy files: the catalogue of what can go wrong before parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LoadError {
    /// `zhunru check policies/nanqiao.polcy`.
    CannotRead { name: String, error: String },
    /// A policy saved as GBK.
    NotUtf8,
    /// `policies/a/x.policy` and `policies/b/x.policy` loaded together.
    DuplicateName { name: String },
    /// `上位 「../national.policy」` where no such file is.
    ParentMissing { path: String, error: String },
    /// A parent policy with errors of its own.
    ParentBroken { path: String, first: String },
    /// A policy that is, through its parents, its own parent.
    ParentCycle { path: String },
    /// More parents than any real chain of governments has.
    ParentTooDeep,
    /// Two versions of one district in force from the same day.
    SameDayVersions { other: String, since: String },
    /// An earlier version's `失效` reaches past this version's `生效`.
    OverlappingVersions { other: String, until: String },
}

impl Explain for LoadError {
    fn code(&self) -> Code {
        match self {
            LoadError::CannotRead { .. } => Code::Io,
            LoadError::NotUtf8 => Code::Syntax,
            LoadError::DuplicateName { .. } => Code::DuplicateName,
            LoadError::ParentMissing { .. }
            | LoadError::ParentBroken { .. }
            | LoadError::ParentCycle { .. }
            | LoadError::ParentTooDeep => Code::BadParent,
            LoadError::SameDayVersions { .. } | LoadError::OverlappingVersions { .. } => {
                Code::BadDates
            }
        }
    }

    fn message(&self) -> Text {
        match self {
            LoadError::CannotRead { name, error } => Text::new(
                format!("cannot read `{name}`: {error}"),
                format!("无法读取 `{name}`：{error}"),
            ),
            LoadError::NotUtf8 => Text::new(
                "the policy is not valid UTF-8",
                "政策文件不是有效的 UTF-8 编码",
            ),
            LoadError::DuplicateName { name } => Text::new(
                format!("two policies are named `{name}`"),
                format!("有两个政策都叫 `{name}`"),
            ),
            LoadError::ParentMissing { path, error } => Text::new(
                format!("the parent policy `{path}` cannot be read: {error}"),
                format!("无法读取上位政策 `{path}`：{error}"),
            ),
            LoadError::ParentBroken { path, first } => Text::new(
                format!("the parent policy `{path}` has errors ({first})"),
                format!("上位政策 `{path}` 有错误（{first}）"),
            ),
            LoadError::ParentCycle { path } => Text::new(
                format!(
                    "the parent policy `{path}` is this policy or one of its children: a cycle"
                ),
                format!("上位政策 `{path}` 就是本政策或其下级政策：形成循环"),
            ),
            LoadError::ParentTooDeep => {
                Text::new("more than 16 parent policies", "上位政策超过 16 层")
            }
            LoadError::SameDayVersions { other, since } => Text::new(
                format!("this version and `{other}` are both in force from {since}"),
                format!("本版本与 `{other}` 同自 {since} 起施行"),
            ),
            LoadError::OverlappingVersions { other, until } => Text::new(
                format!(
                    "`{other}` is still in force until {until}, after this version takes effect"
                ),
                format!("`{other}` 施行至 {until}，与本版本的施行期重叠"),
            ),
        }
    }

    fn label(&self) -> Option<Text> {
        match self {
            LoadError::NotUtf8 => Some(Text::new("invalid byte here", "此处字节无效")),
            LoadError::ParentMissing { .. } => Some(Text::new("no such file", "没有这个文件")),
            LoadError::ParentBroken { .. } => Some(Text::new("has errors", "有错误")),
            LoadError::ParentCycle { .. } => Some(Text::new("cycle", "循环")),
            LoadError::SameDayVersions { .. } | LoadError::OverlappingVersions { .. } => {
                Some(Text::new("in force from here", "自此施行"))
            }
            _ => None,
        }
    }

    fn help(&self) -> Option<Text> {
        Some(match self {
            LoadError::CannotRead { .. } => Text::new(
                "check the path; policies ship in policies/",
                "请检查路径；随附的政策在 policies/ 目录下",
            ),
            LoadError::NotUtf8 => Text::new(
                "save the file as UTF-8 (GBK and other encodings are not read)",
                "请把文件另存为 UTF-8（不读取 GBK 等其他编码）",
            ),
            LoadError::DuplicateName { .. } => Text::new(
                "policies are named by their file stem; rename one of the files",
                "政策以文件名（不含扩展名）命名；请给其中一个文件改名",
            ),
            LoadError::ParentMissing { .. } => Text::new(
                "the path is relative to this policy's own file, e.g. 上位 「national.policy」",
                "路径相对于本政策文件所在目录，例如 上位 「national.policy」",
            ),
            LoadError::ParentBroken { .. } => Text::new(
                "fix the parent first (its diagnostics follow); a child builds only on a parent that checks clean",
                "请先修正上位政策（其诊断见下）；只有检查通过的上位政策才能作为依据",
            ),
            LoadError::ParentCycle { .. } => Text::new(
                "a policy builds on the one above it: national → province → city → district",
                "政策只能以更高层级的政策为上位：国家 → 省 → 市 → 区县",
            ),
            LoadError::ParentTooDeep => {
                Text::new("check the 上位 lines of the chain", "请检查各层的 上位 行")
            }
            LoadError::SameDayVersions { .. } | LoadError::OverlappingVersions { .. } => Text::new(
                "a later version takes over from its 生效 date: give each version its own 生效, and end an earlier one (失效) before the next begins, or leave its 失效 out",
                "后一版本自其生效日起取代前一版本：请给每个版本各自的生效日期，前一版本的失效日期须早于后一版本的生效日期，或不写失效",
            ),
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
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
        Diagnostic::help(self).map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(Diagnostic::labels(self).enumerate().map(
            |(i, (span, text))| {
                let text = text.map(str::to_owned);
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
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

/// serde_json's message without its " at line L column C" tail (the location is kept apart).
#[doc(hidden)]
pub fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_owned(),
        None => text,
    };
    match e.classify() {
        // serde_json's only limit: the input may well be valid JSON.
        serde_json::error::Category::Syntax if text == "recursion limit exceeded" => {
            "the JSON is nested more than 128 deep: a limit of zhunru (the text may be valid JSON)"
                .to_owned()
        }
        serde_json::error::Category::Syntax => format!("not valid JSON: {text}"),
        serde_json::error::Category::Eof => format!("the JSON ends too early: {text}"),
        _ => text,
    }
}
