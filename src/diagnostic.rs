//! Diagnostics: every error and warning the library reports, as miette diagnostics with a
//! stable code, labels on the source and help.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::source::{Position, Source, Span, ceil_char, floor_char};

/// The stable code of a diagnostic; its `Display` is the code users search for.
/// Codes are added as the checker learns new lints, so a `match` on one needs a `_`
/// arm: group them by [`Code::family`] or [`Code::severity`] rather than by name.
///
/// ```
/// use zhunru::{Code, CodeFamily, Severity};
/// assert_eq!(Code::UnknownList.to_string(), "zhunru::check::unknown_list");
/// assert_eq!(Code::Shadowed.family(), CodeFamily::Lint);
/// assert_eq!(Code::Shadowed.severity(), Severity::Warning);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Code {
    /// The text does not follow the grammar.
    Syntax,
    /// A policy nests deeper than the parser allows.
    TooDeep,
    /// A policy file larger than the limit.
    TooLarge,
    /// A parse shape the builder does not expect: a bug in zhunru, reported, never ignored.
    Internal,
    /// A header or document line (`辖区`, `生效`, `文号` …) given twice.
    Repeated,
    /// A declared field of a type the language does not have.
    UnknownFieldType,
    /// A field declared twice, or a declared field that conflicts with the contract's.
    DuplicateField,
    /// A value outside a one-of field's values.
    BadFieldValue,
    /// A clause id declared twice in a policy and its parents.
    DuplicateClause,
    /// A parent policy that is missing, broken, or part of a cycle.
    BadParent,
    /// A child rule that admits or refers what a parent rule denies (上位政策优先).
    OverridesParent,
    /// A policy's dates that cannot both hold, or versions of one district that overlap.
    BadDates,
    /// A `除非` exception that can never apply.
    ExceptionNeverApplies,
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
    /// The same clause cited twice by one rule.
    DuplicateCite,
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
    /// A `追加` that cites no clause: decisions on its entries would cite only the parent's.
    UncitedExtension,
    /// A subject that is not valid JSON or does not fit the contract.
    Input,
    /// A file that could not be read.
    Io,
}

/// [`Code::ALL`] and [`Code::as_str`] from one list; the `match` it also generates fails to
/// compile when a variant of [`Code`] is left out, so no code goes unlisted (tests generate a
/// check per code from `ALL`).
macro_rules! codes {
    ($( $variant:ident => $text:literal, )*) => {
        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as shown: `zhunru::check::unknown_list`.
            ///
            /// ```
            /// assert_eq!(zhunru::Code::Io.as_str(), "zhunru::io");
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

codes! {
    Syntax => "zhunru::parse::syntax",
    TooDeep => "zhunru::parse::too_deep",
    TooLarge => "zhunru::parse::too_large",
    Internal => "zhunru::parse::internal",
    Repeated => "zhunru::parse::repeated",
    UnknownFieldType => "zhunru::parse::unknown_field_type",
    DuplicateField => "zhunru::check::duplicate_field",
    BadFieldValue => "zhunru::check::bad_field_value",
    DuplicateClause => "zhunru::check::duplicate_clause",
    BadParent => "zhunru::check::bad_parent",
    OverridesParent => "zhunru::check::overrides_parent",
    BadDates => "zhunru::check::bad_dates",
    ExceptionNeverApplies => "zhunru::lint::exception_never_applies",
    BadDate => "zhunru::parse::bad_date",
    DuplicateName => "zhunru::check::duplicate_name",
    UnknownList => "zhunru::check::unknown_list",
    UnknownCite => "zhunru::check::unknown_cite",
    UnknownField => "zhunru::check::unknown_field",
    TypeMismatch => "zhunru::check::type_mismatch",
    MixedSubjects => "zhunru::check::mixed_subjects",
    UnknownSubject => "zhunru::check::unknown_subject",
    WrongOutcome => "zhunru::check::wrong_outcome",
    BadPlaceholder => "zhunru::check::bad_placeholder",
    DuplicateEntry => "zhunru::lint::duplicate_entry",
    DuplicateCite => "zhunru::lint::duplicate_cite",
    BannedAndAdmitted => "zhunru::lint::banned_and_admitted",
    NeverApplies => "zhunru::lint::never_applies",
    AdmitWithoutFunding => "zhunru::lint::admit_without_funding",
    Shadowed => "zhunru::lint::shadowed",
    AssertionFailed => "zhunru::check::assertion_failed",
    NoReferral => "zhunru::lint::no_referral",
    UncitedExtension => "zhunru::lint::uncited_extension",
    Input => "zhunru::input",
    Io => "zhunru::io",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a diagnostic is; ordered from advice to error.
///
/// ```
/// use zhunru::Severity;
/// assert!(Severity::Warning < Severity::Error);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
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
/// `LoadError`), the two languages side by side; nothing translates rendered text.
///
/// ```
/// use zhunru::{Lang, Text};
/// let text = Text::new("banned", "不予准入");
/// assert_eq!((text.get(Lang::En), text.get(Lang::Zh)), ("banned", "不予准入"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    en: String,
    zh: String,
}

impl Text {
    /// Why a file cannot be read, in both languages: the common kinds said in words (the
    /// system's own message, English whatever the language, for the rest).
    pub(crate) fn io_error(error: &std::io::Error) -> Text {
        use std::io::ErrorKind as K;
        let (en, zh) = match error.kind() {
            K::NotFound => ("no such file", "没有这个文件"),
            K::IsADirectory => ("it is a folder, not a file", "这是文件夹，不是文件"),
            K::PermissionDenied => ("permission denied", "没有读取权限"),
            _ => return Text::new(error.to_string(), error.to_string()),
        };
        Text::new(en, zh)
    }

    /// A text from its English and Chinese.
    ///
    /// See [`Text`] for an example.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The text in `lang`.
    ///
    /// See [`Text`] for an example.
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
///
/// ```
/// use zhunru::{Code, CodeFamily, Lang, Policy, Severity};
/// let error = Policy::from_str("draft.policy", "政策 「草稿」\n规则 r 引用 N9 当 事项.category 属于 负面 不予准入 「x」\n")
///     .unwrap_err();
/// let first = &error.diagnostics()[0];
/// assert_eq!(first.severity(), Severity::Error);
/// assert_eq!(first.code().family(), CodeFamily::Check);
/// assert_eq!(first.source().name(), "draft.policy");
/// assert_eq!(first.position().unwrap().line(), 2);
/// assert_eq!(first.source().slice(first.span()), "N9");
/// assert_eq!(first.labels().count(), 1);
/// // Every text in both languages: pick one, or read both.
/// let zh = first.localized(Lang::Zh);
/// assert_eq!((first.lang(), zh.lang()), (Lang::En, Lang::Zh));
/// assert_eq!(zh.message(), first.message_text().get(Lang::Zh));
/// assert_eq!(zh.help(), first.help_text().map(|h| h.get(Lang::Zh)));
/// ```
#[derive(Clone, Debug)]
pub struct Diagnostic {
    code: Code,
    severity: Severity,
    message: Text,
    /// Spans in the source with what to say about each; the first is the primary one.
    labels: Vec<(Span, Option<Text>)>,
    help: Option<Text>,
    /// The policy it points into.
    source: Source,
    lang: Lang,
}

/// The language diagnostics are written in.
///
/// ```
/// use zhunru::{Lang, Text};
/// let text = Text::new("banned", "不予准入");
/// assert_eq!(text.get(Lang::Zh), "不予准入");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Lang {
    /// 中文
    Zh,
    /// English
    En,
}

impl Lang {
    /// From the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`): Chinese for `zh…`, else English.
    ///
    /// ```
    /// let lang = zhunru::Lang::from_env();
    /// assert!(matches!(lang, zhunru::Lang::Zh | zhunru::Lang::En));
    /// ```
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

    /// The diagnostic a stage's typed error explains, about a whole file (no place in it).
    pub(crate) fn unlocated(source: &Source, what: &impl Explain) -> Self {
        Diagnostic {
            labels: Vec::new(),
            ..Diagnostic::new(source, Span::default(), what)
        }
    }

    /// Add a secondary label.
    pub(crate) fn with_label(mut self, span: Span, text: Text) -> Self {
        self.labels.push((span, Some(text)));
        self
    }

    /// The stable code (`zhunru::check::unknown_list` …): match on it.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn code(&self) -> Code {
        self.code
    }

    /// Error, warning or advice.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The policy it points into.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Where its primary label points: file, line and column. The file is the source's
    /// name as given (a diagnostic is for the person who loaded the policy). `None` for a
    /// diagnostic about a whole file, as one that cannot be read.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn position(&self) -> Option<Position> {
        let (span, _) = self.labels.first()?;
        let (line, column) = self.source.line_col(span.start);
        Some(Position::new(&self.source.name, line, column))
    }

    /// This diagnostic in a language.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn localized(&self, lang: Lang) -> Diagnostic {
        Diagnostic {
            lang,
            ..self.clone()
        }
    }

    /// The language it renders in.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message, in the diagnostic's language.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn message(&self) -> &str {
        self.message.get(self.lang)
    }

    /// The message in both languages.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn message_text(&self) -> &Text {
        &self.message
    }

    /// How to fix it, in the diagnostic's language.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn help(&self) -> Option<&str> {
        self.help.as_ref().map(|h| h.get(self.lang))
    }

    /// The help in both languages.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn help_text(&self) -> Option<&Text> {
        self.help.as_ref()
    }

    /// The labelled spans, the primary first, with their text in the diagnostic's language.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn labels(&self) -> impl Iterator<Item = (Span, Option<&str>)> {
        self.labels
            .iter()
            .map(|(span, text)| (*span, text.as_ref().map(|t| t.get(self.lang))))
    }

    /// The primary span.
    ///
    /// See [`Diagnostic`] for an example.
    pub fn span(&self) -> Span {
        self.labels.first().map_or(Span::default(), |l| l.0)
    }

    /// `path:line:col` of the primary label; the path alone for a diagnostic about a whole
    /// file.
    ///
    /// ```
    /// let error = zhunru::Policy::from_file("policies/absent.policy").unwrap_err();
    /// assert_eq!(error.diagnostics()[0].location(), "policies/absent.policy");
    /// assert_eq!(error.diagnostics()[0].position(), None);
    /// ```
    pub fn location(&self) -> String {
        match self.position() {
            Some(p) => p.to_string(),
            None => self.source.name.to_string(),
        }
    }
}

/// Loading policy files: the catalogue of what can go wrong before parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum LoadError {
    /// `zhunru check policies/nanqiao.polcy`.
    CannotRead { name: String, error: Text },
    /// A policy saved as GBK.
    NotUtf8,
    /// `policies/a/x.policy` and `policies/b/x.policy` loaded together.
    DuplicateName { name: String },
    /// `上位 「../national.policy」` where no such file is.
    ParentMissing { path: String, error: Text },
    /// `上位 「/etc/passwd」`: a parent that is not a `.policy` file is not read (a policy
    /// reads no other file, and a broken parent's lines are shown in its diagnostics).
    ParentNotPolicy { path: String },
    /// A parent policy with errors of its own.
    ParentBroken { path: String, first: Text },
    /// A policy that is, through its parents, its own parent.
    ParentCycle { path: String },
    /// More parents than any real chain of governments has.
    ParentTooDeep,
    /// Two versions of one district in force from the same day.
    SameDayVersions { other: String, since: String },
    /// An earlier version's `失效` reaches past this version's `生效`.
    OverlappingVersions { other: String, until: String },
    /// This version's `失效` reaches past a later version's `生效` (said at the earlier
    /// version when it is the one just edited).
    ReachesInto {
        other: String,
        until: String,
        since: String,
    },
}

impl Explain for LoadError {
    fn code(&self) -> Code {
        match self {
            LoadError::CannotRead { .. } => Code::Io,
            LoadError::NotUtf8 => Code::Syntax,
            LoadError::DuplicateName { .. } => Code::DuplicateName,
            LoadError::ParentMissing { .. }
            | LoadError::ParentNotPolicy { .. }
            | LoadError::ParentBroken { .. }
            | LoadError::ParentCycle { .. }
            | LoadError::ParentTooDeep => Code::BadParent,
            LoadError::SameDayVersions { .. }
            | LoadError::OverlappingVersions { .. }
            | LoadError::ReachesInto { .. } => Code::BadDates,
        }
    }

    fn message(&self) -> Text {
        match self {
            LoadError::CannotRead { name, error } => Text::new(
                format!("cannot read `{name}`: {}", error.en),
                format!("无法读取 `{name}`：{}", error.zh),
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
                format!("the parent policy `{path}` cannot be read: {}", error.en),
                format!("无法读取上位政策 `{path}`：{}", error.zh),
            ),
            LoadError::ParentNotPolicy { path } => Text::new(
                format!("the parent `{path}` is not a `.policy` file; it was not read"),
                format!("上位 `{path}` 不是 `.policy` 文件，未读取"),
            ),
            LoadError::ParentBroken { path, first } => Text::new(
                format!("the parent policy `{path}` has errors ({})", first.en),
                format!("上位政策 `{path}` 有错误（{}）", first.zh),
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
            LoadError::ReachesInto {
                other,
                until,
                since,
            } => Text::new(
                format!(
                    "this version is in force until {until}, after `{other}` takes effect on {since}"
                ),
                format!("本版本施行至 {until}，而 `{other}` 自 {since} 起施行，施行期重叠"),
            ),
        }
    }

    fn label(&self) -> Option<Text> {
        match self {
            LoadError::NotUtf8 => Some(Text::new("invalid byte here", "此处字节无效")),
            LoadError::ParentMissing { .. } => Some(Text::new("cannot be read", "无法读取")),
            LoadError::ParentNotPolicy { .. } => {
                Some(Text::new("not a policy file", "不是政策文件"))
            }
            LoadError::ParentBroken { .. } => Some(Text::new("has errors", "有错误")),
            LoadError::ParentCycle { .. } => Some(Text::new("cycle", "循环")),
            LoadError::SameDayVersions { .. } | LoadError::OverlappingVersions { .. } => {
                Some(Text::new("in force from here", "自此施行"))
            }
            LoadError::ReachesInto { .. } => Some(Text::new("in force until here", "施行至此")),
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
            LoadError::ParentNotPolicy { .. } => Text::new(
                "a policy builds only on another policy: name its .policy file, relative to this one, e.g. 上位 「national.policy」",
                "政策只能以另一政策为上位：写出其 .policy 文件，路径相对于本文件，例如 上位 「national.policy」",
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
            LoadError::SameDayVersions { .. }
            | LoadError::OverlappingVersions { .. }
            | LoadError::ReachesInto { .. } => Text::new(
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

/// A subject that could not be read: bad JSON, a mistyped field, invalid UTF-8. Says what
/// went wrong as a typed [`InputErrorKind`], the field concerned, and where: the line and
/// column of the input, when the error has a place (an I/O error has none).
///
/// ```
/// use zhunru::{InputErrorKind, Subject};
/// let error = Subject::from_json("form", r#"{"category": "企业摸底", "funding": {"amount": "三千"}}"#)
///     .unwrap_err();
/// assert_eq!(error.kind(), InputErrorKind::WrongType);
/// assert_eq!(error.field(), Some("funding.amount"));
/// assert_eq!((error.line(), error.column()), (Some(1), Some(44)));
/// assert_eq!(error.origin(), "form");
/// let error = Subject::from_json("form", r#"{"id": "T-1"}"#).unwrap_err();
/// assert_eq!(error.kind(), InputErrorKind::MissingCategory);
/// let error = Subject::from_json("form", r#"{"category": "#).unwrap_err();
/// assert_eq!(error.kind(), InputErrorKind::Json);
/// ```
#[derive(Clone, Debug)]
pub struct InputError {
    origin: String,
    /// 1-based; 0 when the error has no place.
    pub(crate) line: usize,
    /// 1-based, in characters; 0 when unknown.
    column: usize,
    pub(crate) message: String,
    kind: InputErrorKind,
    /// The language it is shown in (its [`message`](InputError::message) stays English).
    lang: Lang,
    /// The line shown, and what is rarely read (boxed, so results stay small).
    snippet: Box<LineSnippet>,
}

/// What kind of problem an [`InputError`] is.
///
/// See [`InputError`] for an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// Not JSON: a syntax error, text that ends too early, nesting beyond the limit.
    Json,
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// A field of the contract given a value of the wrong type, a date that does not exist,
    /// a word outside its enumeration, or a number beyond the exact range.
    WrongType,
    /// A field given twice in one subject.
    DuplicateField,
    /// A task without a `category` (what the lists are matched against).
    MissingCategory,
    /// A line or record longer than [`input::MAX_LINE_BYTES`](crate::input::MAX_LINE_BYTES).
    TooLong,
    /// A CSV file whose header or rows do not fit (a column named twice, a cell count that
    /// does not match the header, an unclosed quote).
    Csv,
    /// The input could not be read at all (an I/O error): it has no line.
    Io,
    /// Any other problem.
    Other,
}

/// What an input should look like, by format (the help of an [`InputError`]), in English
/// and in Chinese.
pub(crate) type Help = (&'static str, &'static str);

const JSON_HELP: Help = (
    "each subject is one JSON object with the fields of schema/contract.policy (README, \"Input\"); in JSON Lines, one object a line",
    "每个事项是一个 JSON 对象，字段见 schema/contract.policy（README「Input」一节）；JSON Lines 每行一个对象",
);
pub(crate) const CSV_HELP: Help = (
    "CSV: a header row of contract field names (nested ones dotted: funding.amount), then one subject a row; lists separated by `;`",
    "CSV：首行为表头，写 contract 的字段名（下级字段用点连接，如 funding.amount），其后每行一个事项；列表各项用 `;` 分隔",
);

/// One line of an input, shown with its real line number.
#[derive(Clone, Debug)]
struct LineSnippet {
    name: String,
    line: usize,
    text: String,
    /// The field the error concerns.
    field: Option<String>,
    /// The byte offset in `text` the label points at.
    offset: usize,
    /// How many bytes from `offset` the label underlines (0: a point).
    underline: usize,
    /// Characters of the line before `text` (a long line is kept around the place only).
    column_base: usize,
    /// Bytes of the line before `text`.
    byte_base: usize,
    help: Help,
}

impl SourceCode for LineSnippet {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // Spans count bytes from the start of the line; `text` starts `byte_base` into it.
        let within: miette::SourceSpan =
            (span.offset().saturating_sub(self.byte_base), span.len()).into();
        let shown = crate::source::read_window(&self.text, &within, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            shown.data,
            (shown.span.offset() + self.byte_base, shown.span.len()).into(),
            shown.line + self.line.saturating_sub(1),
            shown.column + if shown.line == 0 { self.column_base } else { 0 },
            shown.line_count,
        )))
    }
}

impl InputError {
    /// An error at `line` and byte `column` (as serde_json counts) of `origin` (0 for
    /// either when unknown); `line_text` is that JSON line, shown in the report. Its kind is
    /// told from the message when it is one the readers write, else
    /// [`InputErrorKind::Other`]. A value of the wrong type, or a key misspelt or given twice,
    /// is placed at its start and underlined whole: serde_json reports where it ended.
    ///
    /// ```
    /// use zhunru::{InputError, InputErrorKind};
    /// let e = InputError::new("form", 2, 5, "the page has no task".to_owned(), "{\"x\": 1}");
    /// assert_eq!((e.kind(), e.location()), (InputErrorKind::Other, "form:2:5".to_owned()));
    /// ```
    pub fn new(origin: &str, line: usize, column: usize, message: String, line_text: &str) -> Self {
        InputError::located(origin, line, column, message, line_text, true)
    }

    /// [`InputError::new`] for a line that is not JSON (a CSV record): placed as given.
    pub(crate) fn new_at(
        origin: &str,
        line: usize,
        column: usize,
        message: String,
        line_text: &str,
    ) -> Self {
        InputError::located(origin, line, column, message, line_text, false)
    }

    fn located(
        origin: &str,
        line: usize,
        column: usize,
        message: String,
        line_text: &str,
        json: bool,
    ) -> Self {
        let (kind, field) = classify(&message);
        let mut at = column.saturating_sub(1).min(line_text.len());
        let mut underline = 0;
        if json
            && column > 0
            && matches!(
                kind,
                InputErrorKind::WrongType | InputErrorKind::DuplicateField
            )
            && let Some((start, end)) = json_token_near(line_text, at)
        {
            (at, underline) = (start, end - start);
        }
        // Keep a long line's stretch around the place, so the caret stays on the text.
        let from = floor_char(line_text, at.saturating_sub(4096));
        let to = ceil_char(line_text, at + 4096);
        let text: String = line_text.get(from..to).unwrap_or("").to_owned();
        let offset = floor_char(line_text, at) - from;
        let column_base = line_text.get(..from).map_or(0, |t| t.chars().count());
        InputError {
            snippet: Box::new(LineSnippet {
                name: origin.to_owned(),
                line,
                text,
                column_base,
                byte_base: from,
                field,
                offset,
                underline,
                help: JSON_HELP,
            }),
            origin: origin.to_owned(),
            line,
            column: if column == 0 {
                0
            } else {
                line_text
                    .get(..from + offset)
                    .map_or(column, |s| s.chars().count() + 1)
            },
            kind,
            lang: Lang::En,
            message,
        }
    }

    /// The same error shown in `lang`: its text, help and label as [`render`] shows them
    /// (and as its `Display` says it). [`message`](InputError::message) stays the readers'
    /// English, which decisions' error objects carry; a message of a form not translated is
    /// shown in English.
    ///
    /// ```
    /// use zhunru::{Lang, Subject};
    /// let error = Subject::from_json("form", r#"{"category": "企业摸底", "funding": {"amount": "三千"}}"#)
    ///     .unwrap_err()
    ///     .localized(Lang::Zh);
    /// assert_eq!(error.message_shown(), r#"字段 `funding.amount` 应为数字，实际为文本 "三千""#);
    /// assert!(error.message().starts_with("field `funding.amount` should be a number"));
    /// ```
    pub fn localized(&self, lang: Lang) -> InputError {
        InputError {
            lang,
            ..self.clone()
        }
    }

    /// The message in the language the error is shown in (see [`InputError::localized`]).
    pub fn message_shown(&self) -> std::borrow::Cow<'_, str> {
        match self.lang {
            Lang::Zh => input_message_zh(&self.message).map_or(
                std::borrow::Cow::Borrowed(self.message.as_str()),
                std::borrow::Cow::Owned,
            ),
            Lang::En => std::borrow::Cow::Borrowed(&self.message),
        }
    }

    /// An input that could not be read at all: no line, no column.
    pub(crate) fn io(origin: &str, error: &std::io::Error) -> Self {
        let mut e = InputError::new(origin, 0, 0, format!("cannot read input: {error}"), "");
        e.kind = InputErrorKind::Io;
        e
    }

    /// The same error with another help text (for inputs that are not JSON).
    pub(crate) fn with_help(mut self, help: Help) -> Self {
        self.snippet.help = help;
        self
    }

    /// The same error of another kind.
    pub(crate) fn with_kind(mut self, kind: InputErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Where the input came from (`examples/tasks.jsonl`, `<stdin>`, a form's name).
    ///
    /// See [`InputError`] for an example.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The 1-based line in the input; `None` when the error has no place (an I/O error).
    ///
    /// See [`InputError`] for an example.
    pub fn line(&self) -> Option<usize> {
        (self.line > 0).then_some(self.line)
    }

    /// The 1-based column (in characters) on that line; `None` when unknown.
    ///
    /// See [`InputError`] for an example.
    pub fn column(&self) -> Option<usize> {
        (self.line > 0 && self.column > 0).then_some(self.column)
    }

    /// What is wrong, in words.
    ///
    /// ```
    /// let e = zhunru::Subject::from_json("form", "{}").unwrap_err();
    /// assert_eq!(e.message(), "a task needs a `category` (what the lists are matched against)");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What kind of problem it is.
    ///
    /// See [`InputError`] for an example.
    pub fn kind(&self) -> InputErrorKind {
        self.kind
    }

    /// The field concerned, as a dotted path (`funding.amount`), when there is one.
    ///
    /// See [`InputError`] for an example.
    pub fn field(&self) -> Option<&str> {
        self.snippet.field.as_deref()
    }

    /// `origin:line:column`, or as much of it as is known (`origin` alone for an I/O error).
    ///
    /// ```
    /// let e = zhunru::Subject::from_json("form", "{}").unwrap_err();
    /// assert_eq!(e.location(), "form:1:2");
    /// ```
    pub fn location(&self) -> String {
        match (self.line(), self.column()) {
            (Some(line), Some(column)) => format!("{}:{line}:{column}", self.origin),
            (Some(line), None) => format!("{}:{line}", self.origin),
            _ => self.origin.clone(),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location(), self.message_shown())
    }
}

impl std::error::Error for InputError {}

impl miette::Diagnostic for InputError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(Code::Input))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let (en, zh) = self.snippet.help;
        Some(Box::new(match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        // An error without a place shows no line.
        (self.line > 0).then_some(&*self.snippet as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.line == 0 {
            return None;
        }
        let snippet = &self.snippet;
        let underline = snippet
            .underline
            .min(snippet.text.len().saturating_sub(snippet.offset));
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(
                    match self.lang {
                        Lang::Zh => "此处",
                        Lang::En => "here",
                    }
                    .to_owned(),
                ),
                (snippet.byte_base + snippet.offset, underline),
            ),
        )))
    }
}

/// The JSON value or key whose last byte is at `at` in `line`, or that ends just before
/// it: its byte range.
fn json_token_near(line: &str, at: usize) -> Option<(usize, usize)> {
    let last = ceil_char(line, at + 1);
    json_token_start(line, last)
        .map(|start| (start, last))
        .or_else(|| Some((json_token_start(line, at)?, at)))
        .filter(|(start, end)| start < end)
}

/// Where the JSON value or key that ends at byte `end` of `line` starts: a string, a
/// number or literal, or a whole object or list. `None` when no token ends there (or the
/// line shown starts inside it).
fn json_token_start(line: &str, end: usize) -> Option<usize> {
    let b = line.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < end {
        let start = i;
        match b.get(i)? {
            b'"' => {
                i += 1;
                loop {
                    match b.get(i)? {
                        b'\\' => i += 2,
                        b'"' => break,
                        _ => i += 1,
                    }
                }
                i += 1;
            }
            b'{' | b'[' => {
                open.push(i);
                i += 1;
                continue;
            }
            b'}' | b']' => {
                i += 1;
                let opened = open.pop();
                if i == end {
                    return opened;
                }
                continue;
            }
            b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                while !matches!(
                    b.get(i),
                    None | Some(b',' | b'}' | b']' | b':' | b' ' | b'\t')
                ) {
                    i += 1;
                }
            }
            _ => {
                i += 1;
                continue;
            }
        }
        if i == end {
            return Some(start);
        }
    }
    None
}

/// The kind of an input error and the field it concerns, from a message the readers wrote
/// (the forms are made in `value.rs`, the CSV reader and [`json_message`]; the doctest of
/// [`InputError`] and `tests/library.rs` check the kinds).
pub(crate) fn classify(message: &str) -> (InputErrorKind, Option<String>) {
    use InputErrorKind as K;
    let quoted = |after: &str| {
        let rest = message.strip_prefix(after)?;
        let end = rest.find('`')?;
        rest.get(..end).map(str::to_owned)
    };
    if let Some(field) = quoted("field `") {
        let rest = message.get(7 + field.len()..).unwrap_or("");
        let kind = if rest.starts_with("` is given twice") {
            K::DuplicateField
        } else {
            K::WrongType
        };
        return (kind, Some(field));
    }
    let kind = if message.starts_with("a task needs a `category`") {
        return (K::MissingCategory, Some("category".to_owned()));
    } else if message.starts_with("a number is ")
        || message.starts_with("a text should have ")
        || message.starts_with(NOT_AN_OBJECT)
    {
        K::WrongType
    } else if message.starts_with("not valid JSON")
        || message.starts_with("the JSON ")
        || message.starts_with("an array opened here")
    {
        K::Json
    } else if message.contains("not valid UTF-8") {
        K::NotUtf8
    } else if message.contains(" is longer than ") {
        K::TooLong
    } else if message.starts_with("cannot read input") {
        K::Io
    } else {
        K::Other
    };
    (kind, None)
}

/// An input error's message in Chinese, for the forms the readers write (those
/// `classify` reads, and the CSV reader's and the line reader's own); `None` for any other,
/// which is then shown in English. Serde's own detail after "not valid JSON:" stays as
/// serde says it. Also the Chinese of [`coerce`](crate::input::coerce)'s and
/// [`Subject::with`](crate::Subject::with)'s messages, for front ends that show them.
///
/// ```
/// use zhunru::input::{coerce, message_zh};
/// let e = coerce(zhunru::SubjectKind::Task, "funding.amount", "三千").unwrap_err();
/// assert!(message_zh(&e).is_some_and(|zh| zh.starts_with("字段 `funding.amount`")));
/// assert_eq!(message_zh("something else"), None);
/// ```
pub fn input_message_zh(en: &str) -> Option<String> {
    if let Some(header) = en.strip_suffix(" — no row of this file was read: fix the header") {
        return Some(format!(
            "{}——本文件的行均未读取：请先改正表头",
            input_message_zh(header)?
        ));
    }
    if let Some(rest) = en.strip_prefix("field `") {
        let (field, rest) = rest.split_once('`')?;
        return field_message_zh(rest).map(|m| {
            let gap = if m.starts_with('：') { "" } else { " " };
            format!("字段 `{field}`{gap}{m}")
        });
    }
    if let Some(rest) = en.strip_prefix("column `") {
        let (column, rest) = rest.split_once('`')?;
        if rest == " is named twice in the header" {
            return Some(format!("表头中列 `{column}` 出现了两次"));
        }
        let why = rest.strip_prefix(": ")?;
        let why = input_message_zh(why)
            .or_else(|| has_no_field_zh(why))
            .unwrap_or_else(|| why.to_owned());
        return Some(format!("列 `{column}`：{why}"));
    }
    if let Some(rest) =
        en.strip_prefix("a task needs a `category` (what the lists are matched against)")
    {
        let envelope = if rest.is_empty() {
            ""
        } else {
            "；这是把事项放在 `subject` 下的请求封装：此处每个事项直接给出，辖区和日期用 `?district=&as_of=`（serve）或 `--policy`/`--as-of`（eval）指定"
        };
        return Some(format!(
            "事项须填写 `category`（事项类别，用来对照清单）{envelope}"
        ));
    }
    if let Some(rest) = en.strip_prefix("a number is") {
        return exact_range_zh(rest);
    }
    if let Some(name) = en
        .strip_prefix("missing field `")
        .and_then(|r| r.strip_suffix('`'))
    {
        return Some(format!("缺少字段 `{name}`"));
    }
    if let Some(c) = en.strip_prefix("a text should have no control characters, found ") {
        return Some(format!("文本中不能有控制字符，实际有 {c}"));
    }
    if let Some(found) = en.strip_prefix(NOT_AN_OBJECT) {
        return Some(format!(
            "事项应为一个 JSON 对象，如 {{\"category\": \"招商引资\"}}，实际为{}",
            found_zh(found)
        ));
    }
    // Forms that keep what follows their English start (serde's detail, the system's error).
    for (start, zh) in [
        ("not valid JSON: ", "不是有效的 JSON："),
        ("the JSON ends too early: ", "JSON 不完整，提前结束："),
        ("cannot read input: ", "无法读取输入："),
    ] {
        if let Some(detail) = en.strip_prefix(start) {
            return Some(format!("{zh}{}", serde_detail_zh(detail)));
        }
    }
    if let Some(rest) = en.strip_prefix("the line is not valid UTF-8 (byte ") {
        let byte = rest.strip_suffix(" of the line)")?;
        return Some(format!("这一行不是有效的 UTF-8（本行第 {byte} 个字节）"));
    }
    if let Some(rest) = en.strip_prefix("the line is longer than ") {
        let bytes = rest.strip_suffix(" bytes")?;
        return Some(format!("这一行超过 {bytes} 字节"));
    }
    for (what, zh) in [("a record", "记录"), ("a row", "这一行")] {
        if let Some(rest) = en.strip_prefix(&format!("{what} is longer than ")) {
            let (bytes, rest) = rest.split_once(" bytes (lines ")?;
            let lines = rest.strip_suffix(", not read)")?;
            return Some(format!("{zh}超过 {bytes} 字节（第 {lines} 行，未读取）"));
        }
    }
    let fixed = [
        (
            "the JSON is nested more than 128 deep",
            "JSON 嵌套超过 128 层：这是 zhunru 的限制（文本本身可能是有效的 JSON）",
        ),
        (
            "the row is not valid UTF-8",
            "这一行不是有效的 UTF-8：请把文件存为 UTF-8（不读 GBK 等其他编码）",
        ),
        (
            "a byte-order mark (U+FEFF) where JSON was expected",
            "此处应为 JSON，却是字节顺序标记（U+FEFF）：只有输入最开头的一个会被跳过；保存文件时至多带一个",
        ),
        (
            "an array opened here is never closed",
            "此处开始的数组没有闭合：缺少 `]`",
        ),
        (
            "a header cell is empty",
            "表头有空单元格：每一列都需要字段名",
        ),
        (
            "a quoted cell is never closed",
            "引号内的单元格没有闭合：文件在引号中结束",
        ),
        ("an empty column name", "列名为空"),
    ];
    fixed
        .iter()
        .find(|(start, _)| en.starts_with(start))
        .map(|(_, zh)| (*zh).to_owned())
}

/// serde_json's words for a syntax error (its `ErrorCode`s), in Chinese; any other detail
/// as it is (a new-user trial read 「不是有效的 JSON：expected `,` or `}`」 in `detail_zh`).
fn serde_detail_zh(detail: &str) -> String {
    let zh = match detail {
        "EOF while parsing a list" => "数组没有结束（缺少 `]`）",
        "EOF while parsing an object" => "对象没有结束（缺少 `}`）",
        "EOF while parsing a string" => "字符串没有结束（缺少 `\"`）",
        "EOF while parsing a value" => "缺少值",
        "expected `:`" => "此处应为 `:`",
        "expected `,` or `]`" => "此处应为 `,` 或 `]`",
        "expected `,` or `}`" => "此处应为 `,` 或 `}`",
        "expected ident" => "此处应为 true、false 或 null",
        "expected value" => "此处应为一个值（文本要加引号）",
        "invalid escape" => "无效的转义",
        "invalid number" => "无效的数字",
        "number out of range" => "数字超出范围",
        "invalid unicode code point" => "无效的 Unicode 码位",
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "字符串中有未转义的控制字符（\\u0000-\\u001F）"
        }
        "key must be a string" => "键必须是加引号的字符串",
        "lone leading surrogate in hex escape" => "十六进制转义中有孤立的代理项",
        "trailing comma" => "多余的逗号",
        "trailing characters" => "JSON 之后还有多余的字符",
        "unexpected end of hex escape" => "十六进制转义提前结束",
        other => return other.to_owned(),
    };
    zh.to_owned()
}

/// The rest of a message about field `…` (after its closing backquote), in Chinese.
fn field_message_zh(rest: &str) -> Option<String> {
    if rest == " is given twice" {
        return Some("填写了两次".to_owned());
    }
    if let Some(why) = rest.strip_prefix(": ") {
        return has_no_field_zh(why).map(|m| format!("：{m}"));
    }
    if let Some(m) = rest.strip_prefix(" is").and_then(exact_range_zh) {
        return Some(format!("的{m}"));
    }
    let rest = rest.strip_prefix(" should be ")?;
    // A hint after what was found: "…, found "admited"; did you mean `admitted`?".
    let (rest, meant) = match rest.rsplit_once("; did you mean `") {
        Some((rest, meant)) => (rest, Some(meant.strip_suffix("`?")?)),
        None => (rest, None),
    };
    let (should, found) = rest.rsplit_once(", found ")?;
    let found = match meant {
        Some(meant) => format!("{}，是否应为 `{meant}`？", found_zh(found)),
        None => found_zh(found),
    };
    if let Some(choices) = should.strip_prefix("one of ") {
        return Some(format!("应为 {choices} 之一，实际为{found}"));
    }
    // A span that ends before it starts: "a date no earlier than `period.start` (2020-07-01)".
    for (side, zh) in [("no earlier than", "不早于"), ("no later than", "不晚于")] {
        if let Some(other) = should.strip_prefix(&format!("a date {side} `")) {
            let (other, date) = other.split_once("` (")?;
            let date = date.strip_suffix(')')?;
            return Some(format!("应为{zh} `{other}`（{date}）的日期，实际为{found}"));
        }
    }
    let should = match should {
        "a date written YYYY-MM-DD that exists on the calendar" => "日历上存在的日期（YYYY-MM-DD）",
        "`true` or `false`" => "是或否（true / false）",
        "a finite number" => "有限的数字",
        "a string" => "文本",
        "one of a fixed set of strings" => "固定取值之一",
        "text without control characters" => "不含控制字符的文本",
        "a number" => "数字",
        "a date string (YYYY-MM-DD)" => "日期（YYYY-MM-DD）",
        "an array of strings" => "文本数组",
        "an object" => "对象",
        _ => return None,
    };
    Some(format!("应为{should}，实际为{found}"))
}

/// "`funding` has no field `amout`; did you mean `funding.amount`?" in Chinese.
fn has_no_field_zh(why: &str) -> Option<String> {
    // Whose field it is: a subject, a case, a test file, or a backquoted object.
    let (whose, rest) = [
        ("a subject", "事项"),
        ("a case", "测试用例"),
        ("a test file", "测试文件"),
    ]
    .iter()
    .find_map(|(en, zh)| {
        let rest = why.strip_prefix(&format!("{en} has no field `"))?;
        Some(((*zh).to_owned(), rest))
    })
    .or_else(|| {
        let (object, rest) = why.strip_prefix('`')?.split_once("` has no field `")?;
        Some((format!("`{object}` "), rest))
    })?;
    if let Some((name, fields)) = rest.split_once("` (its fields: ") {
        let fields = fields.strip_suffix(')')?;
        return Some(format!("{whose}没有字段 `{name}`（可用字段：{fields}）"));
    }
    let (name, meant) = rest.split_once("`; did you mean `")?;
    let meant = meant.strip_suffix("`?")?;
    Some(format!("{whose}没有字段 `{name}`，是否应为 `{meant}`？"))
}

/// "[ N,] beyond the range of exact numbers (±M): it would be read as a different number"
/// (after "a number is" or "field `…` is"), in Chinese.
fn exact_range_zh(rest: &str) -> Option<String> {
    let (written, rest) = rest.split_once(" beyond the range of exact numbers (")?;
    let (range, _) = rest.split_once("):")?;
    let written = written.trim().trim_end_matches(',');
    let written = if written.is_empty() {
        String::new()
    } else {
        format!(" {written} ")
    };
    Some(format!(
        "数值{written}超出可精确表示的范围（{range}），会被读成另一个数"
    ))
}

/// What a message says was found, in Chinese: `the string "三千"`, `the number `3``,
/// `an array`, `"x"`.
fn found_zh(found: &str) -> String {
    if let Some(text) = found.strip_prefix("the string ") {
        return format!("文本 {text}");
    }
    if let Some(n) = found.strip_prefix("the number ") {
        return format!("数字 {}", n.trim_matches('`'));
    }
    match found {
        "an array" => "数组".to_owned(),
        "an object" => "对象".to_owned(),
        other => format!(" {}", other.trim_matches('`')),
    }
}

/// Render any diagnostic as text: unicode box drawing, colour only when asked, fixed width
/// so output (and snapshots) are stable.
///
/// ```
/// let error = zhunru::Policy::from_str("x.policy", "政策 「x」\n规则").unwrap_err();
/// let text = zhunru::render(&error.diagnostics()[0], false);
/// assert!(text.contains("zhunru::parse::syntax") && text.contains("x.policy:2:"));
/// ```
pub fn render(diagnostic: &dyn miette::Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    if handler
        .render_report(&mut out, &crate::source::ShownLabels(diagnostic))
        .is_err()
    {
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
        // Serde's words for a subject that is not an object, said as the readers say a
        // wrong type (and so translated): "invalid type: null, expected a subject: …".
        serde_json::error::Category::Data => match text
            .strip_prefix("invalid type: ")
            .and_then(|rest| rest.split_once(", expected a subject"))
        {
            Some((found, _)) => format!("{NOT_AN_OBJECT}{}", serde_found(found)),
            None => text,
        },
        _ => text,
    }
}

/// The start of the message for a subject that is not a JSON object (serde's description
/// of what was found follows).
const NOT_AN_OBJECT: &str =
    "a subject should be one JSON object such as {\"category\": \"招商引资\"}, found ";

/// Serde's description of an unexpected value (`integer `5``, `sequence` …) in the readers'
/// words (`the number `5``, `an array`), which [`found_zh`] translates.
fn serde_found(found: &str) -> String {
    if let Some(n) = found
        .strip_prefix("integer ")
        .or_else(|| found.strip_prefix("floating point "))
    {
        return format!("the number {n}");
    }
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the string {text}");
    }
    match found {
        "sequence" => "an array".to_owned(),
        "map" => "an object".to_owned(),
        other => other.strip_prefix("boolean ").unwrap_or(other).to_owned(),
    }
}

/// The stage a [`Code`] belongs to: the middle of `zhunru::check::unknown_list`.
///
/// ```
/// use zhunru::{Code, CodeFamily};
/// assert_eq!(Code::Syntax.family(), CodeFamily::Parse);
/// assert_eq!(Code::Input.family(), CodeFamily::Input);
/// assert_eq!(CodeFamily::Lint.as_str(), "zhunru::lint");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum CodeFamily {
    /// The text of a policy does not parse (`zhunru::parse::…`).
    Parse,
    /// A policy parses but is not valid: names, types, parents (`zhunru::check::…`).
    Check,
    /// A valid policy that is likely wrong (`zhunru::lint::…`): warnings.
    Lint,
    /// A subject that cannot be read (`zhunru::input`).
    Input,
    /// A file that cannot be read (`zhunru::io`).
    Io,
}

impl CodeFamily {
    /// The family's prefix: `zhunru::parse`, `zhunru::check`, `zhunru::lint`,
    /// `zhunru::input`, `zhunru::io`.
    ///
    /// See [`CodeFamily`] for an example.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeFamily::Parse => "zhunru::parse",
            CodeFamily::Check => "zhunru::check",
            CodeFamily::Lint => "zhunru::lint",
            CodeFamily::Input => "zhunru::input",
            CodeFamily::Io => "zhunru::io",
        }
    }
}

impl fmt::Display for CodeFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Code {
    /// The stage the code belongs to.
    ///
    /// See [`Code`] for an example.
    pub fn family(self) -> CodeFamily {
        match self {
            Code::Syntax
            | Code::TooDeep
            | Code::TooLarge
            | Code::Internal
            | Code::Repeated
            | Code::UnknownFieldType
            | Code::BadDate => CodeFamily::Parse,
            Code::ExceptionNeverApplies
            | Code::DuplicateEntry
            | Code::DuplicateCite
            | Code::BannedAndAdmitted
            | Code::NeverApplies
            | Code::AdmitWithoutFunding
            | Code::Shadowed
            | Code::NoReferral
            | Code::UncitedExtension => CodeFamily::Lint,
            Code::Input => CodeFamily::Input,
            Code::Io => CodeFamily::Io,
            _ => CodeFamily::Check,
        }
    }

    /// How serious a diagnostic of this code is: lints are warnings, the rest errors.
    ///
    /// See [`Code`] for an example.
    pub fn severity(self) -> Severity {
        match self.family() {
            CodeFamily::Lint => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::json_token_start;

    /// The token ending at each place serde_json reports a typed error: a string (with an
    /// escaped quote in it), a number, a literal, an object, a list; nothing ends inside one.
    #[test]
    fn the_token_ending_at_a_place_is_found() {
        let line = r#"{"a":"x\"y","n":-12.5,"t":true,"o":{"k":[1,2]},"l":["三千"]}"#;
        let ends = |token: &str| line.find(token).map(|at| (at, at + token.len()));
        for token in [
            r#""x\"y""#,
            "-12.5",
            "true",
            r#"{"k":[1,2]}"#,
            "[1,2]",
            r#"["三千"]"#,
            r#""n""#,
        ] {
            let (start, end) = ends(token).unwrap_or_default();
            assert_eq!(json_token_start(line, end), Some(start), "{token}");
        }
        assert_eq!(json_token_start(line, line.len()), Some(0));
        assert_eq!(json_token_start(line, 7), None, "inside a string");
        assert_eq!(json_token_start(r#"{"a":"unclosed"#, 14), None);
        assert_eq!(json_token_start("", 3), None);
    }
}
