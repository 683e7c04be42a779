//! Policy sources and the spans that point into them.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A policy file's name and text, shared by every diagnostic that points into it. Cheap
/// to clone.
///
/// ```
/// use zhunru::{Source, Span};
/// let source = Source::new("demo.policy", "政策 「示例」\n规则 …");
/// assert_eq!(source.name(), "demo.policy");
/// assert_eq!(source.line_col(source.text().find('规').unwrap()), (2, 1));
/// assert_eq!(source.slice(Span::new(0, 6)), "政策");
/// ```
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown in diagnostics (usually the path as given).
    pub(crate) name: Arc<str>,
    /// The full text.
    pub(crate) text: Arc<str>,
}

impl Source {
    /// A source from a name and its text.
    ///
    /// See [`Source`] for an example.
    ///
    /// A lone carriage return (an old Mac line end) becomes `\n`. The grammar and the
    /// JSON Lines reader already end a line there, but diagnostics count lines by `\n`:
    /// without this, a file with such line ends had its columns counted from the start of
    /// the file and its lines run together in the snippet. The byte length is the same, so
    /// every offset still points into the file as written.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let text = match text.contains('\r') {
            true => Arc::from(lone_cr_to_lf(&text)),
            false => text,
        };
        Source {
            name: name.into(),
            text,
        }
    }

    /// Its name: the path as given, or the name given with the text.
    ///
    /// See [`Source`] for an example.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its whole text.
    ///
    /// See [`Source`] for an example.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based line and column (in characters) of a byte offset.
    ///
    /// See [`Source`] for an example.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, col)
    }

    /// `name:line:col` of a span's start.
    ///
    /// ```
    /// let source = zhunru::Source::new("demo.policy", "a\nbc");
    /// assert_eq!(source.location(zhunru::Span::new(3, 4)), "demo.policy:2:2");
    /// ```
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.start);
        format!("{}:{}:{}", self.name, line, col)
    }

    /// The text a span covers.
    ///
    /// See [`Source`] for an example.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }
}

/// FNV-1a, 64 bits: a hash of policy texts that is stable across builds and platforms
/// (std's hasher is not), for telling versions apart.
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub(crate) fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    pub(crate) fn finish(&self) -> u64 {
        self.0
    }
}

/// A byte range in a policy source. Small and `Copy`, so every AST node carries one.
///
/// ```
/// use zhunru::Span;
/// let a = Span::new(2, 4);
/// assert_eq!(a.to(Span::new(8, 9)), Span::new(2, 9));
/// assert_eq!((a.start, a.end), (2, 4));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from byte offsets.
    ///
    /// See [`Span`] for an example.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    ///
    /// See [`Span`] for an example.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.end.saturating_sub(span.start)).into()
    }
}

impl From<pest::Span<'_>> for Span {
    fn from(span: pest::Span<'_>) -> Self {
        Span::new(span.start(), span.end())
    }
}

/// A value with the span it was written at.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Attach a span.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

impl miette::SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let shown = read_window(&self.text, span, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            shown.data,
            shown.span,
            shown.line,
            shown.column,
            shown.line_count,
        )))
    }
}

/// `text` with each `\r` not followed by `\n` replaced by `\n` (one byte for one byte).
fn lone_cr_to_lf(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() != Some(&'\n') => out.push('\n'),
            c => out.push(c),
        }
    }
    out
}

/// A line reaching further than this either side of a span, in bytes, is shown in part. A
/// policy or a subject written on one long line (generated, minified, or an attack) is
/// shown around the place, not whole: a 100 KB line is not echoed, and miette's renderer
/// cannot pad past column 65,535 (it panics).
const LONG_LINE: usize = 1024;

/// How much of a long line a diagnostic shows either side of its span, in bytes.
const SHOWN_AROUND: usize = 160;

/// The longest label shown on one line, in bytes; a longer one is cut to this (the start,
/// which is where the problem is, stays).
const LONGEST_LABEL: usize = 200;

/// The part of `text` a diagnostic shows for `span`: miette's own choice (whole lines, with
/// context lines) when the lines are short, else a window of the span's lines around it.
pub(crate) struct Shown<'a> {
    /// The text shown.
    pub(crate) data: &'a [u8],
    /// Where `data` stands in `text`.
    pub(crate) span: miette::SourceSpan,
    /// 0-based line of `data`'s start.
    pub(crate) line: usize,
    /// 0-based column of `data`'s start, in characters (miette counts bytes; editors and our
    /// `at` fields count characters).
    pub(crate) column: usize,
    /// Lines in `data`.
    pub(crate) line_count: usize,
}

/// See [`Shown`].
pub(crate) fn read_window<'a>(
    text: &'a str,
    span: &miette::SourceSpan,
    before: usize,
    after: usize,
) -> Result<Shown<'a>, miette::MietteError> {
    let start = floor_char(text, span.offset().min(text.len()));
    let end = ceil_char(text, (span.offset() + span.len()).min(text.len()));
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(end..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| end + i);
    // Characters from the start of `at`'s line to `at`.
    let column_of = |at: usize| {
        text.get(..at).map_or(0, |t| {
            t.rsplit('\n').next().map_or(0, |l| l.chars().count())
        })
    };
    let line_of = |at: usize| text.get(..at).map_or(0, |t| t.matches('\n').count());
    let long = start - line_start > LONG_LINE || line_end - end > LONG_LINE;
    if !long {
        let inner = miette::SourceCode::read_span(text, span, before, after)?;
        if inner.data().len() <= 8 * LONG_LINE {
            return Ok(Shown {
                data: inner.data(),
                span: *inner.span(),
                line: inner.line(),
                column: column_of(inner.span().offset()),
                line_count: inner.line_count(),
            });
        }
    }
    // A long line: no context lines, and only so much of it either side. Read for the
    // span alone (no context), the window starts at the span, as miette's does.
    let from = if before == 0 && after == 0 {
        start
    } else {
        floor_char(text, start.saturating_sub(SHOWN_AROUND).max(line_start))
    };
    let to = ceil_char(text, (end + SHOWN_AROUND).min(line_end));
    Ok(Shown {
        data: text.get(from..to).unwrap_or("").as_bytes(),
        span: (from, to - from).into(),
        line: line_of(from),
        column: column_of(from),
        line_count: text.get(from..to).map_or(0, |t| t.matches('\n').count()),
    })
}

/// A diagnostic as it is drawn: a label longer than [`LONGEST_LABEL`] on its first line is
/// cut to that much, so a label over a 100 KB line does not underline (and echo) all of it.
/// Only the drawing: the diagnostic's own labels (and `--error-format json`) keep their
/// true length.
pub(crate) struct ShownLabels<'a>(pub(crate) &'a dyn miette::Diagnostic);

impl fmt::Debug for ShownLabels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for ShownLabels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for ShownLabels<'_> {}

impl miette::Diagnostic for ShownLabels<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.0.severity()
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0.help()
    }

    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0.url()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.0.source_code()
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        self.0.related()
    }

    fn diagnostic_source(&self) -> Option<&dyn miette::Diagnostic> {
        self.0.diagnostic_source()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let source = self.0.source_code();
        let labels = self.0.labels()?;
        Some(Box::new(labels.map(move |label| {
            if label.len() <= LONGEST_LABEL {
                return label;
            }
            // Read with no context, the text starts at the label.
            let first_line = source
                .and_then(|s| s.read_span(label.inner(), 0, 0).ok())
                .map_or(0, |c| {
                    let data = c.data();
                    data.iter().position(|&b| b == b'\n').unwrap_or(data.len())
                });
            if first_line <= LONGEST_LABEL {
                return label;
            }
            let cut: miette::SourceSpan = (label.offset(), LONGEST_LABEL).into();
            if label.primary() {
                miette::LabeledSpan::new_primary_with_span(label.label().map(str::to_owned), cut)
            } else {
                miette::LabeledSpan::new_with_span(label.label().map(str::to_owned), cut)
            }
        })))
    }
}

/// The nearest char boundary at or before `at`.
pub(crate) fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The nearest char boundary at or after `at`.
pub(crate) fn ceil_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Where a rule stands in a policy file: the file, 1-based line and column (in characters).
///
/// `file` is the policy's path relative to its *policy root*, never the folder a service is
/// deployed in: a relative path as it was given (`policies/nanqiao.policy`, as `zhunru eval
/// --policy policies/nanqiao.policy` run in the repository names it), and for an absolute
/// path or one that climbs out with `..`, the policy's own folder and file name
/// (`/srv/zhunru/policies/nanqiao.policy` is `policies/nanqiao.policy`). A parent policy is
/// named the same way. Its `Display` (and its JSON, the `at` of the contract) is
/// `file:line:column`.
///
/// ```
/// use zhunru::{Date, Policy, Subject};
/// let policy = Policy::from_file("policies/nanqiao.policy")?;
/// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
/// let at = decision.reasons()[0].position().unwrap();
/// assert_eq!((at.file(), at.line(), at.column()), ("policies/nanqiao.policy", 52, 1));
/// assert_eq!(at.to_string(), "policies/nanqiao.policy:52:1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Position {
    file: String,
    line: u32,
    column: u32,
}

impl Position {
    pub(crate) fn new(file: &str, line: usize, column: usize) -> Position {
        Position {
            file: file.to_owned(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }

    /// The policy file, relative to the policy root (see [`Position`]).
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// # let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].position().unwrap().file(), "policies/nanqiao.policy");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The 1-based line.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// # let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].position().unwrap().line(), 52);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn line(&self) -> u32 {
        self.line
    }

    /// The 1-based column, in characters.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// # let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].position().unwrap().column(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn column(&self) -> u32 {
        self.column
    }

    /// Read `file:line:column` back (the contract's `at`).
    pub(crate) fn parse(text: &str) -> Option<Position> {
        let mut parts = text.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        let file = parts.next()?.to_owned();
        Some(Position { file, line, column })
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Position::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a position (file:line:column)"))
        })
    }
}
