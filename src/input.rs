//! Reading subjects: one JSON document, or JSON Lines (one subject a line), streamed; or CSV
//! ([`CsvReader`]).
//!
//! Which JSON shape is told from the first non-blank line: if it holds a complete JSON value
//! the input is JSON Lines; otherwise the whole input is read as one document (a
//! pretty-printed object, a sequence of objects, or an array of them). A bad line is an error
//! for that line only; reading goes on with the next.
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

use crate::diagnostic::InputError;
use crate::value::Subject;

mod csv;

pub use csv::{CsvReader, csv_records};

/// The format of a file of subjects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON document, or JSON Lines ([`SubjectReader`]).
    Json,
    /// CSV with a header row of contract field names ([`CsvReader`]).
    Csv,
}

impl InputFormat {
    /// `Csv` for a path ending in `.csv` (in any case), else `Json`.
    ///
    /// ```
    /// use zhunru::input::InputFormat;
    /// assert_eq!(InputFormat::from_path("examples/audit/log.CSV".as_ref()), InputFormat::Csv);
    /// assert_eq!(InputFormat::from_path("examples/audit/log.jsonl".as_ref()), InputFormat::Json);
    /// ```
    pub fn from_path(path: &Path) -> InputFormat {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("csv") => InputFormat::Csv,
            _ => InputFormat::Json,
        }
    }
}

/// Stream subjects from `reader` in `format`; `origin` names the input in errors. Each item
/// is the line a subject starts on and the subject, or why it could not be read.
pub fn read_subjects<'a, R: BufRead + 'a>(
    reader: R,
    origin: impl Into<String>,
    format: InputFormat,
) -> Box<dyn Iterator<Item = Read> + 'a> {
    match format {
        InputFormat::Json => Box::new(SubjectReader::new(reader, origin)),
        InputFormat::Csv => Box::new(CsvReader::new(reader, origin)),
    }
}

/// Longest input line accepted, in bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// One subject read (or not), with the line it starts on.
pub type Read = (usize, Result<Subject, InputError>);

enum Mode {
    Unknown,
    Lines,
    Done,
}

/// Streams subjects from a reader. Memory is bounded by the longest line in JSON Lines mode.
pub struct SubjectReader<R> {
    reader: R,
    origin: String,
    line: usize,
    mode: Mode,
    buf: Vec<u8>,
    pending: std::vec::IntoIter<Read>,
}

impl<R: BufRead> SubjectReader<R> {
    /// Read from `reader`; `origin` names it in errors (a path, or `<stdin>`).
    pub fn new(reader: R, origin: impl Into<String>) -> Self {
        SubjectReader {
            reader,
            origin: origin.into(),
            line: 0,
            mode: Mode::Unknown,
            buf: Vec::new(),
            pending: Vec::new().into_iter(),
        }
    }

    /// Read one line into `buf`; `Ok(false)` at the end. Lines beyond the limit are
    /// consumed but not kept, and reported.
    fn read_line(&mut self) -> std::io::Result<Option<bool>> {
        use std::io::Read;
        self.buf.clear();
        // `read_until` searches with the standard library's fast memchr; `take` bounds the
        // memory one line can use.
        let limit = (MAX_LINE_BYTES + 1) as u64;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        let mut too_long = false;
        if self.buf.last() != Some(&b'\n') && self.buf.len() as u64 >= limit {
            // Skip the rest of an over-long line, a bounded piece at a time.
            too_long = true;
            let mut scratch = Vec::new();
            loop {
                scratch.clear();
                let m = (&mut self.reader)
                    .take(1 << 16)
                    .read_until(b'\n', &mut scratch)?;
                if m == 0 || scratch.last() == Some(&b'\n') {
                    break;
                }
            }
            self.buf.clear();
        }
        self.line += 1;
        while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
            self.buf.pop();
        }
        Ok(Some(too_long))
    }

    fn error(&self, line: usize, column: usize, message: String, text: &[u8]) -> InputError {
        InputError::new(
            &self.origin,
            line,
            column,
            message,
            &String::from_utf8_lossy(text),
        )
    }

    /// Read the rest of the input as one document, starting with the current line.
    fn document(&mut self) -> Vec<Read> {
        let first_line = self.line;
        let mut all = std::mem::take(&mut self.buf);
        all.push(b'\n');
        if let Err(e) = self.reader.read_to_end(&mut all) {
            return vec![(
                first_line,
                Err(self.error(first_line, 0, format!("cannot read input: {e}"), b"")),
            )];
        }
        let mut out = Vec::new();
        let line_text = |line: usize| -> Vec<u8> {
            all.split(|&b| b == b'\n')
                .nth(line.saturating_sub(first_line))
                .unwrap_or(&[])
                .to_vec()
        };
        let trimmed = all.iter().position(|b| !b.is_ascii_whitespace());
        if trimmed.and_then(|i| all.get(i)) == Some(&b'[') {
            match serde_json::from_slice::<Vec<Subject>>(&all) {
                Ok(subjects) => out.extend(subjects.into_iter().map(|s| (first_line, Ok(s)))),
                Err(e) => {
                    let line = first_line + e.line().saturating_sub(1);
                    out.push((
                        line,
                        Err(self.error(line, e.column(), json_message(&e), &line_text(line))),
                    ));
                }
            }
            return out;
        }
        let mut stream = serde_json::Deserializer::from_slice(&all).into_iter::<Subject>();
        loop {
            let start = stream.byte_offset();
            let start_line = first_line
                + all
                    .get(..start)
                    .map_or(0, |s| s.iter().filter(|&&b| b == b'\n').count());
            match stream.next() {
                None => break,
                Some(Ok(s)) => {
                    // The line of the value's first byte, not of the white space before it.
                    let skip = all.get(start..).map_or(0, |s| {
                        s.iter()
                            .take_while(|b| b.is_ascii_whitespace())
                            .filter(|&&b| b == b'\n')
                            .count()
                    });
                    out.push((start_line + skip, Ok(s)));
                }
                Some(Err(e)) => {
                    let line = first_line + e.line().saturating_sub(1);
                    out.push((
                        line,
                        Err(self.error(line, e.column(), json_message(&e), &line_text(line))),
                    ));
                    break;
                }
            }
        }
        out
    }
}

/// Parse one JSON Lines line; the error says where, in the line's own terms.
pub fn parse_line(buf: &[u8], line: usize, origin: &str) -> Result<Subject, InputError> {
    serde_json::from_slice::<Subject>(buf).map_err(|e| {
        let text = String::from_utf8_lossy(buf);
        // serde_json checks UTF-8 only inside strings ("invalid unicode code point"):
        // name the real problem when the line is not UTF-8.
        if let Err(u) = std::str::from_utf8(buf) {
            let at = u.valid_up_to();
            let message = format!(
                "the line is not valid UTF-8 (bad byte at column {})",
                at + 1
            );
            return InputError::new(origin, line, at + 1, message, &text);
        }
        InputError::new(origin, line, e.column(), json_message(&e), &text)
    })
}

/// serde_json's message without its " at line L column C" tail (the location is kept apart).
pub(crate) fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text.get(..i).unwrap_or(&text).to_owned(),
        None => text,
    };
    match e.classify() {
        serde_json::error::Category::Syntax => format!("not valid JSON: {text}"),
        serde_json::error::Category::Eof => format!("the JSON ends too early: {text}"),
        _ => text,
    }
}

/// One item of input before parsing: a JSON Lines line still to be parsed (so a batch can
/// parse lines in parallel), or a subject already read (from a whole document) or an error.
pub enum RawItem {
    /// A non-blank JSON Lines line and its number; parse it with [`parse_line`].
    Line(usize, Vec<u8>),
    /// A subject read, or why not.
    Read(Read),
}

impl<R: BufRead> SubjectReader<R> {
    /// The next item without parsing JSON Lines lines: see [`RawItem`].
    pub fn next_raw(&mut self) -> Option<RawItem> {
        if let Some(item) = self.pending.next() {
            return Some(RawItem::Read(item));
        }
        loop {
            if matches!(self.mode, Mode::Done) {
                return None;
            }
            let too_long = match self.read_line() {
                Ok(Some(too_long)) => too_long,
                Ok(None) => {
                    self.mode = Mode::Done;
                    return None;
                }
                Err(e) => {
                    self.mode = Mode::Done;
                    let line = self.line + 1;
                    let error = self.error(line, 0, format!("cannot read input: {e}"), b"");
                    return Some(RawItem::Read((line, Err(error))));
                }
            };
            if too_long {
                let line = self.line;
                let message = format!("line is longer than {MAX_LINE_BYTES} bytes");
                return Some(RawItem::Read((
                    line,
                    Err(self.error(line, 1, message, b"")),
                )));
            }
            if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            match self.mode {
                Mode::Lines => {
                    return Some(RawItem::Line(self.line, std::mem::take(&mut self.buf)));
                }
                Mode::Unknown => {
                    let incomplete =
                        match serde_json::from_slice::<serde::de::IgnoredAny>(&self.buf) {
                            Err(e) => e.is_eof(),
                            Ok(_) => false,
                        };
                    if incomplete {
                        self.mode = Mode::Done;
                        self.pending = self.document().into_iter();
                        return self.pending.next().map(RawItem::Read);
                    }
                    self.mode = Mode::Lines;
                    return Some(RawItem::Line(self.line, std::mem::take(&mut self.buf)));
                }
                Mode::Done => return None,
            }
        }
    }
}

impl<R: BufRead> Iterator for SubjectReader<R> {
    type Item = Read;

    fn next(&mut self) -> Option<Read> {
        match self.next_raw()? {
            RawItem::Read(read) => Some(read),
            RawItem::Line(line, bytes) => Some((line, parse_line(&bytes, line, &self.origin))),
        }
    }
}
