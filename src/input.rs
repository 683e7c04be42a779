//! Reading subjects: JSON (JSON Lines, pretty-printed documents, arrays), streamed
//! ([`SubjectReader`]); or CSV ([`CsvReader`]).
//!
//! The rule for every reader: a record (a JSON value, a CSV row) is decided exactly when it
//! is well-formed; every malformed record is one error at its own line and column; nothing
//! outside a malformed record is lost and nothing inside one is read. JSON is not put in a
//! "lines" or "document" mode by its first line: each value is found on its own (see
//! [`SubjectReader`]), so a bad line cannot change how the rest is read.
//!
//! Shared input rules: a line end is `\n`, `\r\n` or a lone `\r`; one UTF-8 byte-order
//! mark at the start is skipped; a line of spaces and tabs only is blank and skipped; a
//! blank text (white space only, U+3000 included) is an absent field, and a task without a
//! category is an error; dates and enumerations are read trimmed, texts as written, list
//! items trimmed with blank ones dropped; a record is at most [`MAX_LINE_BYTES`].
//!
//! ```
//! use zhunru::input::{InputFormat, read_subjects};
//! let log = "{\"id\": \"T-1\", \"category\": \"招商引资\"}\n{\"id\": \"T-2\"}\n";
//! let rows: Vec<_> = read_subjects(log.as_bytes(), "log.jsonl", InputFormat::Json).collect();
//! assert_eq!(rows[0].1.as_ref().unwrap().id(), Some("T-1"));
//! let error = rows[1].1.as_ref().unwrap_err();
//! assert_eq!(error.to_string(), "log.jsonl:2:13: a task needs a `category` (what the lists are matched against)");
//! ```

use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use crate::date::Date;
use crate::diagnostic::InputError;
use crate::diagnostic::json_message;
use crate::schema::Schema;
use crate::value::{Subject, subject_from_slice};

mod coerce;
mod csv;
// The fast JSON Lines path's parts, for the command line; not a stable API.
#[doc(hidden)]
pub mod fast;

pub use crate::diagnostic::input_message_zh as message_zh;
pub use coerce::coerce;
pub(crate) use coerce::coerce_in;
pub use csv::{CsvReader, csv_records};

/// The format of a file of subjects. Told from a path by [`InputFormat::from_path`], or
/// forced: `JsonLines` reads every line as one subject, whatever the file is called.
///
/// ```
/// use zhunru::input::{InputFormat, read_subjects};
/// // A line cut short is an error for that line only; the next line is read.
/// let text = "{\"category\": \"招商引资\"\n{\"category\": \"企业摸底\"}\n";
/// let rows: Vec<_> = read_subjects(text.as_bytes(), "upload", InputFormat::JsonLines).collect();
/// assert_eq!(rows.len(), 2);
/// assert_eq!(rows[0].1.as_ref().unwrap_err().line(), Some(1));
/// assert_eq!(rows[1].1.as_ref().unwrap().category(), Some("企业摸底"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InputFormat {
    /// JSON: JSON Lines, pretty-printed documents or an array, told value by value
    /// ([`SubjectReader`]).
    Json,
    /// JSON Lines, strictly: every non-blank line is one subject ([`SubjectReader::json_lines`]).
    JsonLines,
    /// CSV with a header row of contract field names ([`CsvReader`]).
    Csv,
}

impl InputFormat {
    /// `Csv` for a path ending in `.csv`, `JsonLines` for `.jsonl` or `.ndjson` (in any
    /// case), else `Json`.
    ///
    /// ```
    /// use zhunru::input::InputFormat;
    /// assert_eq!(InputFormat::from_path("examples/audit/log.CSV".as_ref()), InputFormat::Csv);
    /// assert_eq!(InputFormat::from_path("examples/audit/log.jsonl".as_ref()), InputFormat::JsonLines);
    /// assert_eq!(InputFormat::from_path("task.json".as_ref()), InputFormat::Json);
    /// ```
    pub fn from_path(path: &Path) -> InputFormat {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => InputFormat::Csv,
            Some(ext)
                if ext.eq_ignore_ascii_case("jsonl") || ext.eq_ignore_ascii_case("ndjson") =>
            {
                InputFormat::JsonLines
            }
            _ => InputFormat::Json,
        }
    }
}

/// Stream subjects from `reader` in `format`; `origin` names the input in errors. Each item
/// is the line a subject starts on and the subject, or why it could not be read. An input
/// that cannot be read at all ends with one error of kind
/// [`InputErrorKind::Io`](crate::InputErrorKind::Io), which has no line.
///
/// ```
/// use std::io::{BufReader, Read};
/// use zhunru::{InputErrorKind, input::{InputFormat, read_subjects}};
/// /// A source that fails, as a network stream can.
/// struct Broken;
/// impl Read for Broken {
///     fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
///         Err(std::io::Error::other("connection reset"))
///     }
/// }
/// let rows: Vec<_> = read_subjects(BufReader::new(Broken), "upload", InputFormat::Json).collect();
/// let error = rows[0].1.as_ref().unwrap_err();
/// assert_eq!((error.kind(), error.line()), (InputErrorKind::Io, None));
/// assert_eq!(error.to_string(), "upload: cannot read input: connection reset");
/// ```
pub fn read_subjects<'a, R: BufRead + 'a>(
    reader: R,
    origin: impl Into<String>,
    format: InputFormat,
) -> Box<dyn Iterator<Item = Read> + 'a> {
    read_typed(None, reader, origin, format)
}

/// [`read_subjects`] typed by `schema` (`None`: the contract's).
pub(crate) fn read_typed<'a, R: BufRead + 'a>(
    schema: Option<Arc<Schema>>,
    reader: R,
    origin: impl Into<String>,
    format: InputFormat,
) -> Box<dyn Iterator<Item = Read> + 'a> {
    read_by(Typing::One(schema), reader, origin, format)
}

/// [`read_subjects`] typed as `typing` says.
pub(crate) fn read_by<'a, R: BufRead + 'a>(
    typing: Typing,
    reader: R,
    origin: impl Into<String>,
    format: InputFormat,
) -> Box<dyn Iterator<Item = Read> + 'a> {
    match format {
        InputFormat::Json => Box::new(SubjectReader::new(reader, origin).typed(typing)),
        InputFormat::JsonLines => Box::new(
            SubjectReader::new(reader, origin)
                .json_lines()
                .typed(typing),
        ),
        InputFormat::Csv => Box::new(CsvReader::new(reader, origin).typed(typing)),
    }
}

/// The schema of the policy version in force on a date (`None`: the record has no
/// `sent_on`, or one that does not read as a date).
pub(crate) type SchemaOn = Arc<dyn Fn(Option<Date>) -> Arc<Schema> + Send + Sync>;

/// How records are typed: all by one schema (the contract's when `None`), or each by the
/// schema of the version in force on its `sent_on` — an audited log spans years, and a
/// field one version declares may be another's unknown (passed-through) field.
#[derive(Clone)]
pub(crate) enum Typing {
    /// One schema for every record.
    One(Option<Arc<Schema>>),
    /// Each record by its `sent_on`.
    BySentOn(SchemaOn),
}

impl Typing {
    /// One subject from JSON text: a dated record is read once by the contract to learn its
    /// `sent_on`, then by its version's schema (whose first error, if any, is reported, in
    /// the text's order).
    pub(crate) fn subject(&self, bytes: &[u8]) -> serde_json::Result<Subject> {
        match self {
            Typing::One(schema) => subject_from_slice(schema.as_deref(), bytes),
            Typing::BySentOn(on) => {
                let sent_on = subject_from_slice(None, bytes)
                    .ok()
                    .and_then(|s| s.sent_on());
                subject_from_slice(Some(&on(sent_on)), bytes)
            }
        }
    }
}

/// Longest input line accepted, in bytes; also the longest record (a CSV row, a
/// pretty-printed JSON object).
///
/// ```
/// use zhunru::{InputErrorKind, input::{InputFormat, MAX_LINE_BYTES, read_subjects}};
/// let long = format!("{{\"category\": \"{}\"}}\n", "x".repeat(MAX_LINE_BYTES));
/// let rows: Vec<_> = read_subjects(long.as_bytes(), "big", InputFormat::JsonLines).collect();
/// assert_eq!(rows[0].1.as_ref().unwrap_err().kind(), InputErrorKind::TooLong);
/// ```
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One subject read (or not), with the line it starts on.
///
/// See [`read_subjects`] for an example.
pub type Read = (usize, Result<Subject, InputError>);

/// One physical line. Line ends are `\n`, `\r\n` and a lone `\r`, as in CSV.
struct Line {
    number: usize,
    /// Without its line end; empty when `too_long`.
    bytes: Vec<u8>,
    too_long: bool,
}

impl Line {
    /// Only spaces and tabs (JSON's white space within a line; a form feed is not).
    fn is_blank(&self) -> bool {
        !self.too_long && self.bytes.iter().all(|b| matches!(b, b' ' | b'\t'))
    }

    /// Leading white space, and the first byte after it.
    fn lead(&self) -> (usize, Option<u8>) {
        let indent = self
            .bytes
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        (indent, self.bytes.get(indent).copied())
    }

    fn trimmed(&self) -> &[u8] {
        self.bytes.trim_ascii()
    }
}

/// A structural scan of JSON, line by line: strings, brackets, the last significant byte.
/// Enough to tell where a value ends, never to judge it (serde_json does that).
#[derive(Default)]
struct Scan {
    /// Open containers, `{` or `[`.
    stack: Vec<u8>,
    in_string: bool,
    escape: bool,
    /// The last byte outside strings that was not white space (`"` for a string's end).
    last: u8,
    /// A container closed back to depth 0 on the line last scanned.
    closed: bool,
    /// A line ended inside a string: JSON has no line break in a string, so the value is
    /// malformed there and the scan no longer knows where it stands.
    broken: bool,
}

impl Scan {
    fn line(&mut self, bytes: &[u8]) {
        self.closed = false;
        for &b in bytes {
            if self.in_string {
                if self.escape {
                    self.escape = false;
                } else if b == b'\\' {
                    self.escape = true;
                } else if b == b'"' {
                    self.in_string = false;
                    self.last = b'"';
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => {
                    self.stack.push(b);
                    self.last = b;
                }
                b'}' | b']' => {
                    self.last = b;
                    if self.stack.pop().is_some() && self.stack.is_empty() {
                        self.closed = true;
                    }
                }
                b' ' | b'\t' => {}
                _ => self.last = b,
            }
        }
        if self.in_string {
            self.broken = true;
            self.in_string = false;
            self.escape = false;
        }
    }

    /// The value is complete: nothing is open (or it closed on this line; anything after
    /// is serde_json's to refuse).
    fn complete(&self) -> bool {
        self.closed || self.stack.is_empty()
    }

    /// The next byte may start a value: after `:`, `[`, or `,` in an array. A `{` at the
    /// start of a line anywhere else cannot continue this value, so it starts the next one.
    fn expects_value(&self) -> bool {
        matches!(self.last, b':' | b'[') || (self.last == b',' && self.stack.last() == Some(&b'['))
    }
}

/// A record of JSON: whole lines, from `first` on.
struct JsonRecord {
    first: usize,
    /// The lines joined with `\n` (so serde_json's line numbers are ours).
    text: Vec<u8>,
    too_long: bool,
    last: usize,
}

/// Streams subjects from JSON: JSON Lines, one pretty-printed document or several, or an
/// array of subjects, told apart value by value rather than by a mode chosen once.
///
/// A *record* is one top-level value, or one element of a top-level array written with `[`
/// on a line of its own: it is decided exactly when it is well-formed. A value ends where
/// its brackets close (a line of JSON Lines, or the closing `}` of a pretty-printed
/// object). A malformed value ends at the first of
/// - a line that starts with `{` or `[` no further indented than the value's first line
///   (bar an element of a top-level array), or further indented where no value can go: a
///   JSON Lines line after a line cut short;
/// - once a line has ended inside a string (JSON has no line break in a string): a line
///   starting with `{`/`[` no further indented than the value's first line (the next
///   record), or one starting with `}`/`]` no further indented (its own end);
/// - [`MAX_LINE_BYTES`] read, or the end of the input.
///
/// So one bad line can never change how the lines after it are read: each malformed record
/// is one error at its own line and column, and everything outside it is read. Memory is
/// bounded by [`MAX_LINE_BYTES`].
///
/// ```
/// use zhunru::input::SubjectReader;
/// let text = "{\n  \"category\": \"招商引资\"\n}\n{\"category\": \"企业摸底\"}\n";
/// let lines: Vec<usize> = SubjectReader::new(text.as_bytes(), "mixed").map(|(line, _)| line).collect();
/// assert_eq!(lines, [1, 4]); // a pretty-printed document, then a JSON Lines line
/// // Strict JSON Lines: the document's lines are three bad lines.
/// let strict = SubjectReader::new(text.as_bytes(), "mixed").json_lines();
/// assert_eq!(strict.filter(|(_, read)| read.is_err()).count(), 3);
/// ```
pub struct SubjectReader<R> {
    reader: R,
    origin: String,
    /// Physical lines read so far.
    line: usize,
    /// A line read ahead: it starts the next record.
    ahead: Option<Line>,
    /// The last byte read was `\r`: a `\n` next is the same line end.
    after_cr: bool,
    started: bool,
    done: bool,
    /// Every line is a record (JSON Lines told by the caller, [`InputFormat::JsonLines`]).
    lines_only: bool,
    /// Inside a top-level array written with `[` on its own line.
    in_array: bool,
    /// The line of that `[`, until its `]` is read.
    array_line: Option<usize>,
    /// A non-blank line has been read.
    seen: bool,
    pending: std::vec::IntoIter<Read>,
    /// The fields subjects are typed by: a policy's (its `字段` and the contract's), the
    /// contract's, or a dated version's.
    typing: Typing,
}

impl<R: BufRead> SubjectReader<R> {
    /// Type subjects by `schema` (a policy's declared fields and the contract's).
    pub(crate) fn typed_by(self, schema: Arc<Schema>) -> Self {
        self.typed(Typing::One(Some(schema)))
    }

    /// Type subjects as `typing` says.
    pub(crate) fn typed(mut self, typing: Typing) -> Self {
        self.typing = typing;
        self
    }

    /// Read from `reader`; `origin` names it in errors (a path, or `<stdin>`).
    ///
    /// See [`SubjectReader`] for an example.
    pub fn new(reader: R, origin: impl Into<String>) -> Self {
        SubjectReader {
            reader,
            origin: origin.into(),
            line: 0,
            ahead: None,
            after_cr: false,
            started: false,
            done: false,
            lines_only: false,
            in_array: false,
            array_line: None,
            seen: false,
            pending: Vec::new().into_iter(),
            typing: Typing::One(None),
        }
    }

    /// Read JSON Lines strictly: every non-blank line is one subject, and a line that is
    /// not a whole JSON value is an error for that line (no value spans lines).
    ///
    /// See [`SubjectReader`] for an example.
    pub fn json_lines(mut self) -> Self {
        self.lines_only = true;
        self
    }

    /// The next physical line, at most [`MAX_LINE_BYTES`] of it kept; `None` at the end.
    fn next_line(&mut self) -> std::io::Result<Option<Line>> {
        if let Some(line) = self.ahead.take() {
            return Ok(Some(line));
        }
        if !self.started {
            self.started = true;
            // A UTF-8 byte-order mark is skipped, as in CSV; a second one is an error (it
            // is not JSON white space).
            if self.reader.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                self.reader.consume(3);
            }
        }
        let mut bytes = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            if std::mem::take(&mut self.after_cr) && chunk.first() == Some(&b'\n') {
                self.reader.consume(1);
                continue;
            }
            any = true;
            let (take, end) = match chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(i) => (i, Some(chunk.get(i).copied())),
                None => (chunk.len(), None),
            };
            if bytes.len() + take <= MAX_LINE_BYTES && !too_long {
                bytes.extend_from_slice(chunk.get(..take).unwrap_or(&[]));
            } else {
                // Skip the rest of an over-long line without keeping it.
                too_long = true;
                bytes = Vec::new();
            }
            match end {
                Some(end) => {
                    self.reader.consume(take + 1);
                    self.after_cr = end == Some(b'\r');
                    break;
                }
                None => self.reader.consume(take),
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        Ok(Some(Line {
            number: self.line,
            bytes,
            too_long,
        }))
    }

    fn error(&self, line: usize, column: usize, message: String, text: &[u8]) -> InputError {
        InputError::new(
            &self.origin,
            line,
            column.max(1),
            message,
            &String::from_utf8_lossy(text),
        )
    }

    /// Read the rest of a record whose first line is `first` (already scanned by `scan`).
    fn rest_of_record(&mut self, first: Line, mut scan: Scan) -> std::io::Result<JsonRecord> {
        let (indent, _) = first.lead();
        let mut record = JsonRecord {
            first: first.number,
            text: first.bytes,
            too_long: false,
            last: first.number,
        };
        // Blank lines are kept only once a later line belongs to the record.
        let mut blanks = 0usize;
        loop {
            let Some(line) = self.next_line()? else {
                return Ok(record);
            };
            if line.is_blank() {
                blanks += 1;
                continue;
            }
            let (at, first_byte) = line.lead();
            if line.too_long {
                scan.broken = true;
            } else if !scan.broken {
                if matches!(first_byte, Some(b'{' | b'[')) {
                    // Pretty printers indent what is inside a value further than the value,
                    // so a `{` no further indented than this record's first line starts the
                    // next one (a JSON Lines line after one cut short, even after a `:`),
                    // unless it is an element of a top-level array written across lines.
                    let starts_next = if at <= indent {
                        !(scan.stack.as_slice() == b"[" && scan.expects_value())
                    } else {
                        !scan.expects_value()
                    };
                    if starts_next {
                        self.ahead = Some(line);
                        return Ok(record);
                    }
                }
            } else if at <= indent {
                match first_byte {
                    Some(b'{' | b'[') => {
                        self.ahead = Some(line);
                        return Ok(record);
                    }
                    Some(b'}' | b']') => {
                        record.add(&line, blanks);
                        return Ok(record);
                    }
                    _ => {}
                }
            }
            if !scan.broken {
                scan.line(&line.bytes);
            }
            record.add(&line, blanks);
            blanks = 0;
            if record.too_long {
                scan.broken = true;
            }
            if !scan.broken && scan.complete() {
                return Ok(record);
            }
        }
    }

    /// The next record as items: one, or one an element for an array record.
    fn next_items(&mut self) -> Option<RawItem> {
        loop {
            if self.done {
                return None;
            }
            let line = match self.next_line() {
                Ok(Some(line)) => line,
                Ok(None) => {
                    self.done = true;
                    // The elements were read as records; the array itself is malformed.
                    let line = self.array_line.take()?;
                    let message = "an array opened here is never closed: `]` is missing".to_owned();
                    return Some(RawItem::Read((
                        line,
                        Err(self.error(line, 1, message, b"[")),
                    )));
                }
                Err(e) => return Some(self.io_error(&e)),
            };
            if line.too_long {
                return Some(RawItem::Read((
                    line.number,
                    Err(fast::too_long(&self.origin, line.number)),
                )));
            }
            if line.is_blank() {
                continue;
            }
            if !self.lines_only {
                let trimmed = line.trimmed();
                if self.in_array && trimmed == b"]" {
                    self.in_array = false;
                    self.array_line = None;
                    continue;
                }
                // Only a document that starts with `[` is an array written across lines:
                // a `[` line further on is a bad line, not a mode.
                if !self.in_array && !self.seen && trimmed == b"[" {
                    self.in_array = true;
                    if self.seen && !self.lines_only && line.trimmed() == b"[" {
                        // A bare `[` further on is a bad line on its own (it would otherwise take
                        // the lines after it as its elements).
                        return Some(RawItem::Line(line.number, line.bytes));
                    }
                    self.seen = true;
                    self.array_line = Some(line.number);
                    continue;
                }
            }
            if self.seen && !self.lines_only && line.trimmed() == b"[" {
                // A bare `[` further on is a bad line on its own (it would otherwise take
                // the lines after it as its elements).
                return Some(RawItem::Line(line.number, line.bytes));
            }
            self.seen = true;
            let mut scan = Scan::default();
            scan.line(&line.bytes);
            if self.lines_only || scan.broken || scan.complete() {
                let (_, first_byte) = line.lead();
                let mut bytes = line.bytes;
                if self.in_array {
                    strip_comma(&mut bytes);
                }
                if first_byte == Some(b'[') && !self.lines_only {
                    let record = JsonRecord {
                        first: line.number,
                        text: bytes,
                        too_long: false,
                        last: line.number,
                    };
                    self.pending = self.parse_record(record).into_iter();
                    match self.pending.next() {
                        Some(read) => return Some(RawItem::Read(read)),
                        None => continue,
                    }
                }
                return Some(RawItem::Line(line.number, bytes));
            }
            let mut record = match self.rest_of_record(line, scan) {
                Ok(record) => record,
                Err(e) => return Some(self.io_error(&e)),
            };
            if self.in_array {
                strip_comma(&mut record.text);
            }
            self.pending = self.parse_record(record).into_iter();
            if let Some(read) = self.pending.next() {
                return Some(RawItem::Read(read));
            }
        }
    }

    fn io_error(&mut self, e: &std::io::Error) -> RawItem {
        self.done = true;
        let line = self.line + 1;
        RawItem::Read((line, Err(InputError::io(&self.origin, e))))
    }

    /// Parse a multi-line record (or an array on one line): one read, or one an element.
    fn parse_record(&self, record: JsonRecord) -> Vec<Read> {
        let first = record.first;
        if record.too_long {
            let message = format!(
                "a record is longer than {MAX_LINE_BYTES} bytes (lines {first}–{}, not read)",
                record.last
            );
            return vec![(first, Err(self.error(first, 1, message, b"")))];
        }
        let text = record.text.as_slice();
        if text.trim_ascii_start().first() == Some(&b'[') {
            // An array of subjects: each element is its own record, once the whole is
            // known to be well-formed JSON.
            if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(text) {
                return vec![(first, Err(self.located(text, first, 0, &e)))];
            }
            return array_elements(text)
                .into_iter()
                .map(|(start, end)| {
                    let slice = text.get(start..end).unwrap_or(&[]);
                    let (line, _) = position(text, start);
                    let read = self
                        .typing
                        .subject(slice)
                        .map_err(|e| self.located(text, first, start, &e));
                    (first + line, read)
                })
                .collect();
        }
        let read = self
            .typing
            .subject(text)
            .map_err(|e| self.located(text, first, 0, &e));
        vec![(first, read)]
    }

    /// An error of serde_json reading `text[start..]`, placed in the file: `text` starts
    /// at line `first`.
    fn located(
        &self,
        text: &[u8],
        first: usize,
        start: usize,
        e: &serde_json::Error,
    ) -> InputError {
        let (line, col, message, shown) = json_error_at(text, start, e);
        self.error(first + line, col, message, shown)
    }
}

/// Where an error of serde_json reading `text[start..]` lies in `text`: its 0-based line,
/// its 1-based byte column, the message, and the line's text.
pub(crate) fn json_error_at<'t>(
    text: &'t [u8],
    start: usize,
    e: &serde_json::Error,
) -> (usize, usize, String, &'t [u8]) {
    let (start_line, start_col) = position(text, start);
    let (mut line, mut col) = if e.line() <= 1 {
        (start_line, start_col + e.column().saturating_sub(1))
    } else {
        (start_line + e.line() - 1, e.column())
    };
    let line_of = |i: usize| text.split(|&b| b == b'\n').nth(i).unwrap_or(&[]);
    if col == 0 {
        // serde_json places an error just after a line end at column 0: show it at the
        // end of the line before, where the text stops.
        if line > 0 {
            line -= 1;
            col = line_of(line).len() + 1;
        } else {
            col = 1;
        }
    }
    let shown = line_of(line);
    let message =
        bom_message(&String::from_utf8_lossy(shown), col).unwrap_or_else(|| json_message(e));
    (line, col, message, shown)
}

/// A byte-order mark where JSON was expected (at `column`, counted in characters): one is
/// skipped at the very start of the input; another (a file saved twice with one, or files
/// joined) read as "expected value", with the caret under a character nobody can see.
fn bom_message(line: &str, column: usize) -> Option<String> {
    (line.chars().nth(column.saturating_sub(1)) == Some('\u{feff}')).then(|| {
        "a byte-order mark (U+FEFF) where JSON was expected: one is skipped at the very start of the input; save the file with one at most".to_owned()
    })
}

impl JsonRecord {
    fn add(&mut self, line: &Line, blanks: usize) {
        self.last = line.number;
        if self.too_long {
            return;
        }
        if line.too_long || self.text.len() + blanks + line.bytes.len() + 1 > MAX_LINE_BYTES {
            self.too_long = true;
            self.text = Vec::new();
            return;
        }
        for _ in 0..=blanks {
            self.text.push(b'\n');
        }
        self.text.extend_from_slice(&line.bytes);
    }
}

/// Drop the `,` that ends an element of a pretty-printed array (and white space after it).
fn strip_comma(bytes: &mut Vec<u8>) {
    let end = bytes.trim_ascii_end().len();
    if end > 0 && bytes.get(end - 1) == Some(&b',') {
        bytes.truncate(end - 1);
    }
}

/// The 0-based line and 1-based byte column of `offset` in `text` (lines end with `\n`).
fn position(text: &[u8], offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    (line, offset - line_start + 1)
}

/// The byte ranges of the elements of the well-formed JSON array `text`.
fn array_elements(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escape = false;
    let mut start = None;
    for (i, &b) in text.iter().enumerate() {
        if in_string {
            if escape {
                escape = false;
            } else if b == b'\\' {
                escape = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 1 && b == b'[' && start.is_none() {
            start = Some(i + 1);
        } else if (depth == 1 && b == b',') || (depth == 0 && b == b']') {
            if let Some(s) = start {
                let slice = text.get(s..i).unwrap_or(&[]);
                let lead = slice.iter().take_while(|b| b.is_ascii_whitespace()).count();
                if lead < slice.len() {
                    out.push((s + lead, i));
                }
            }
            start = (depth == 1).then_some(i + 1);
        }
    }
    out
}

/// Parse one JSON Lines line, numbered `line` in the input named `origin`: an error is at
/// that line (where [`Subject::from_json`](crate::Subject::from_json) on the line alone
/// would say line 1). For a service that splits its own input into lines.
///
/// Typed by the contract's fields alone, as [`Subject::from_json`](crate::Subject::from_json)
/// is ([`Policy::parse_line`](crate::Policy::parse_line) checks a policy's declared fields
/// too); the line's length is the caller's to bound ([`read_subjects`] refuses lines past
/// [`MAX_LINE_BYTES`]).
///
/// ```
/// use zhunru::{InputErrorKind, input::parse_line};
/// let task = parse_line(r#"{"category": "招商引资"}"#.as_bytes(), 7, "batch")?;
/// assert_eq!(task.category(), Some("招商引资"));
/// let error = parse_line(br#"{"category": "x", "work_plan": "yes"}"#, 8, "batch").unwrap_err();
/// assert_eq!((error.line(), error.kind()), (Some(8), InputErrorKind::WrongType));
/// assert_eq!(error.location(), "batch:8:32");
/// # Ok::<(), zhunru::InputError>(())
/// ```
pub fn parse_line(buf: &[u8], line: usize, origin: &str) -> Result<Subject, InputError> {
    parse_line_typed(None, buf, line, origin)
}

/// [`parse_line`] typed by `schema` (`None`: the contract's).
pub(crate) fn parse_line_typed(
    schema: Option<&Schema>,
    buf: &[u8],
    line: usize,
    origin: &str,
) -> Result<Subject, InputError> {
    parse_line_by(|bytes| subject_from_slice(schema, bytes), buf, line, origin)
}

/// [`parse_line`] with `parse` reading the JSON.
fn parse_line_by(
    parse: impl FnOnce(&[u8]) -> serde_json::Result<Subject>,
    buf: &[u8],
    line: usize,
    origin: &str,
) -> Result<Subject, InputError> {
    parse(buf).map_err(|e| {
        let text = String::from_utf8_lossy(buf);
        // serde_json checks UTF-8 only inside strings ("invalid unicode code point"):
        // name the real problem when the line is not UTF-8.
        if let Err(u) = std::str::from_utf8(buf) {
            let at = u.valid_up_to();
            // The location's column counts characters; the byte is named as a byte, so
            // the two numbers are not read as two columns.
            let message = format!("the line is not valid UTF-8 (byte {} of the line)", at + 1);
            return InputError::new(origin, line, at + 1, message, &text);
        }
        // serde_json puts an error at the end of the input at column 0 only when the input
        // ends with a line end, which a line here never does; 1 at the least all the same.
        let column = e.column().max(1);
        let message = bom_message(&text, column).unwrap_or_else(|| json_message(&e));
        InputError::new(origin, line, column, message, &text)
    })
}

/// One item of input before parsing: a JSON Lines line still to be parsed (so a batch can
/// parse lines in parallel), or a subject already read (from a whole document) or an error.
///
/// ```
/// use zhunru::input::{RawItem, SubjectReader, parse_line};
/// let mut reader = SubjectReader::new("{\"category\": \"招商引资\"}\n".as_bytes(), "batch");
/// let Some(RawItem::Line(line, bytes)) = reader.next_raw() else { panic!("a line") };
/// assert_eq!(parse_line(&bytes, line, "batch")?.category(), Some("招商引资"));
/// # Ok::<(), zhunru::InputError>(())
/// ```
pub enum RawItem {
    /// A non-blank JSON Lines line and its number; parse it with [`parse_line`].
    Line(usize, Vec<u8>),
    /// A subject read, or why not.
    Read(Read),
}

impl<R: BufRead> SubjectReader<R> {
    /// The next item without parsing JSON Lines lines.
    ///
    /// See [`RawItem`] for an example.
    pub fn next_raw(&mut self) -> Option<RawItem> {
        if let Some(item) = self.pending.next() {
            return Some(RawItem::Read(item));
        }
        self.next_items()
    }
}

impl<R: BufRead> Iterator for SubjectReader<R> {
    type Item = Read;

    fn next(&mut self) -> Option<Read> {
        match self.next_raw()? {
            RawItem::Read(read) => Some(read),
            RawItem::Line(line, bytes) => Some((
                line,
                parse_line_by(|b| self.typing.subject(b), &bytes, line, &self.origin),
            )),
        }
    }
}
