//! Reading subjects from CSV (RFC 4180): a header row of contract field names, one subject a
//! row.
//!
//! Hand-written rather than the `csv` crate, because every error must point at the cell it is
//! about (line *and* column in the file as a person sees it, quotes included), which the
//! crate's records do not keep (its `Position` is per record, not per cell), and because a
//! record over the limit must be skipped without being held in memory; the format itself is
//! small. The differential tests (`tests/readers.rs`) hold it to the `csv` crate record by
//! record, cell by cell.
//!
//! - Cells are separated by `,`; rows end with `\n`, `\r\n` or a lone `\r`. A cell in
//!   double quotes may hold `,`, line ends (kept as written: `\r\n` stays `\r\n`) and `""`
//!   (one quote). One UTF-8 byte-order mark (as Excel writes) is skipped; lines that are
//!   empty or hold only spaces and tabs are skipped.
//! - Records end where Python's `csv` and the `csv` crate end them, malformed ones too (text
//!   after a closing quote, a row over [`MAX_LINE_BYTES`], a quote never closed): such a
//!   record is one error at its own line, and the next record is read as they would read it.
//! - Header names are the contract's field names; nested fields are dotted
//!   (`funding.amount`, `approval.status`, `period.end`). Columns the contract does not name
//!   are kept as text fields.
//! - Cells are typed by the schema: numbers, dates `YYYY-MM-DD`, `true`/`false` (also
//!   `TRUE`/`FALSE` and `是`/`否`), the contract's enumerations; list fields (`basis`,
//!   `indicators` …) are split on `;`. An empty cell is an absent field.
//! - A row that cannot be read (a bad cell, the wrong number of cells, an unclosed quote,
//!   invalid UTF-8) is an error for that row only, at its line and column; reading goes on.

use std::io::BufRead;

use crate::ast::SubjectKind;
use crate::diagnostic::{CSV_HELP, InputError};
use std::sync::Arc;

use crate::schema::{self, FieldType, Schema};
use crate::value::{Fields, SpanEnd, Subject, Value};

use super::coerce::coerce_typed;
use super::{MAX_LINE_BYTES, Read, Typing};

/// How a column's cells are read.
#[derive(Debug)]
enum ColumnType {
    /// The `kind` column.
    Kind,
    /// A field the schema knows (the contract, or the policy's declaration).
    Known(FieldType),
    /// A field the contract does not name: kept as text.
    Unknown,
}

#[derive(Debug)]
struct Column {
    /// As written in the header (`funding.amount`).
    name: String,
    path: Vec<String>,
    ty: ColumnType,
}

/// One cell as read: its text and where it starts.
#[derive(Debug)]
struct Cell {
    text: String,
    /// Index into the record's physical lines.
    line: usize,
    /// 1-based byte column of the cell's first byte (its opening quote, if quoted).
    column: usize,
}

/// One record: its cells and the physical lines it spans (kept to show in errors).
struct Record {
    first_line: usize,
    lines: Vec<String>,
    cells: Vec<Cell>,
}

/// The header's columns typed by one schema, or why it cannot be.
type TypedHeader = Result<Arc<Vec<Column>>, InputError>;

enum Header {
    Unread,
    /// The header record, and its columns typed by the reader's first schema.
    Columns(Arc<Record>, Arc<Vec<Column>>),
}

/// Where the lexer stands inside a record. The lexer reads as leniently as Python's `csv`
/// and the `csv` crate do, so that a record ends exactly where theirs does even when it is
/// malformed: a malformed record is then one error, and nothing after it is lost or made up.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// At the start of a cell.
    CellStart,
    /// In a cell that did not start with a quote: quotes in it are plain text.
    Unquoted,
    /// Inside quotes: `,` and line ends are text.
    Quoted,
    /// Just after a quote inside quotes: `"` makes one quote, anything else ends the quotes.
    QuoteInQuoted,
}

/// The first thing wrong with a record's shape, kept while the lexer reads on to its end.
#[derive(Clone, Copy, Debug)]
enum Problem {
    /// Text after a closing quote, at (absolute line, byte column). The reference readers
    /// keep such text in the cell; zhunru refuses the record but ends it where they do.
    AfterQuote(usize, usize),
    /// The record is longer than [`MAX_LINE_BYTES`]; nothing more of it is kept.
    TooLong,
}

/// A cell as bytes: line ends inside quotes kept as written (`\r\n` stays `\r\n`).
struct RawCell {
    bytes: Vec<u8>,
    /// Absolute line and 1-based byte column of its first byte.
    line: usize,
    column: usize,
    quoted: bool,
}

/// A record as bytes, before it is checked for UTF-8.
struct RawRecord {
    first_line: usize,
    /// The record's physical lines without their line ends, while it is within the limit.
    lines: Vec<Vec<u8>>,
    cells: Vec<RawCell>,
    /// Bytes read for this record, line ends included.
    size: usize,
    problem: Option<Problem>,
    /// Where the open quote of the cell being read stands (absolute line, byte column).
    quote: Option<(usize, usize)>,
    /// The line the record's last byte is on.
    last_line: usize,
}

impl RawRecord {
    fn keeps(&self) -> bool {
        !matches!(self.problem, Some(Problem::TooLong))
    }

    /// Count a byte against the limit: past it, nothing more of the record is kept (memory
    /// stays bounded) but the lexer still reads on, quotes respected, to the record's end.
    fn count(&mut self) {
        self.size += 1;
        if self.size > MAX_LINE_BYTES && self.keeps() {
            self.problem = Some(Problem::TooLong);
            self.lines = Vec::new();
            self.cells = Vec::new();
        }
    }

    fn add(&mut self, b: u8) {
        if self.keeps()
            && let Some(cell) = self.cells.last_mut()
        {
            cell.bytes.push(b);
        }
    }

    fn open_cell(&mut self, line: usize, column: usize, quoted: bool) {
        if self.keeps() {
            self.cells.push(RawCell {
                bytes: Vec::new(),
                line,
                column,
                quoted,
            });
        }
    }

    /// A line of spaces and tabs only (or nothing): skipped, as an empty line is.
    fn is_blank(&self) -> bool {
        self.problem.is_none()
            && matches!(self.cells.as_slice(), [cell] if !cell.quoted
                && cell.bytes.iter().all(|b| matches!(b, b' ' | b'\t')))
    }
}

/// The lexer's physical position. Line ends are `\n`, `\r\n` and a lone `\r`, as Python's
/// `csv` and the `csv` crate take them.
struct Lexer {
    /// The current physical line, 1-based.
    line: usize,
    /// Bytes of the current line read so far.
    col: usize,
    /// The current line's bytes, kept for error snippets while the record is in bounds.
    text: Vec<u8>,
    /// The last byte was a `\r`: a `\n` now belongs to the same line end.
    after_cr: bool,
    state: State,
    /// The byte-order mark check is done.
    started: bool,
    /// The input ended inside quotes.
    ended_quoted: bool,
}

impl Lexer {
    fn end_line(&mut self, record: Option<&mut RawRecord>) {
        let text = std::mem::take(&mut self.text);
        if let Some(record) = record
            && record.keeps()
        {
            record.lines.push(text);
        }
        self.line += 1;
        self.col = 0;
    }

    /// Feed one byte; `true` when it ended the record. `record` is `None` between records,
    /// where empty lines are skipped.
    fn step(&mut self, b: u8, record: &mut Option<RawRecord>) -> bool {
        let after_cr = std::mem::replace(&mut self.after_cr, b == b'\r');
        if b == b'\n' && after_cr {
            // The `\n` of a `\r\n`: the line ended at the `\r` already.
            if let Some(r) = record.as_mut()
                && self.state == State::Quoted
            {
                r.count();
                r.add(b);
            }
            return false;
        }
        let line_end = b == b'\n' || b == b'\r';
        let r = match record {
            Some(r) => r,
            None if line_end => {
                self.end_line(None);
                return false;
            }
            None => {
                self.state = State::CellStart;
                record.insert(RawRecord {
                    first_line: self.line,
                    lines: Vec::new(),
                    cells: Vec::new(),
                    size: 0,
                    problem: None,
                    quote: None,
                    last_line: self.line,
                })
            }
        };
        r.count();
        r.last_line = self.line;
        if line_end {
            if self.state == State::Quoted {
                r.add(b);
                self.end_line(Some(r));
                return false;
            }
            if self.state == State::CellStart {
                // The row ends with `,`: its last cell is empty.
                r.open_cell(self.line, self.col + 1, false);
            }
            self.end_line(Some(r));
            self.state = State::CellStart;
            r.quote = None;
            return true;
        }
        self.col += 1;
        if r.keeps() {
            self.text.push(b);
        }
        match (self.state, b) {
            (State::CellStart, b'"') => {
                r.open_cell(self.line, self.col, true);
                r.quote = Some((self.line, self.col));
                self.state = State::Quoted;
            }
            (State::CellStart, b',') => r.open_cell(self.line, self.col, false),
            (State::CellStart, _) => {
                r.open_cell(self.line, self.col, false);
                r.add(b);
                self.state = State::Unquoted;
            }
            (State::Unquoted, b',') | (State::QuoteInQuoted, b',') => {
                r.quote = None;
                self.state = State::CellStart;
            }
            (State::Unquoted, _) => r.add(b),
            (State::Quoted, b'"') => self.state = State::QuoteInQuoted,
            (State::Quoted, _) => r.add(b),
            (State::QuoteInQuoted, b'"') => {
                r.add(b);
                self.state = State::Quoted;
            }
            (State::QuoteInQuoted, _) => {
                if r.problem.is_none() {
                    r.problem = Some(Problem::AfterQuote(self.line, self.col));
                }
                r.quote = None;
                r.add(b);
                self.state = State::Unquoted;
            }
        }
        false
    }

    /// The end of the input: the record being read (if any) ends here.
    fn finish(&mut self, record: &mut RawRecord) {
        if self.state == State::CellStart {
            // The last row ends with `,` and no line end: its last cell is empty.
            record.open_cell(self.line, self.col + 1, false);
        }
        self.ended_quoted = self.state == State::Quoted;
        self.state = State::CellStart;
        let text = std::mem::take(&mut self.text);
        if record.keeps() {
            record.lines.push(text);
        }
    }
}

/// Streams subjects from CSV. Memory is bounded by the longest row.
///
/// ```
/// use zhunru::input::CsvReader;
/// let csv = "id,category,funding.amount,basis\n\
///            T-1,企业摸底,3000,安庆市经济普查工作方案;区政府专题会议纪要\n\
///            T-2,企业摸底,三千,\n";
/// let rows: Vec<_> = CsvReader::new(csv.as_bytes(), "log.csv").collect();
/// let (line, first) = &rows[0];
/// assert_eq!(*line, 2);
/// let task = first.as_ref().unwrap();
/// assert_eq!(task.category(), Some("企业摸底"));
/// let (line, second) = &rows[1];
/// let error = second.as_ref().unwrap_err();
/// assert_eq!((*line, error.column()), (3, Some(10)));
/// assert_eq!(error.field(), Some("funding.amount"));
/// assert!(error.message().contains("should be a number"));
/// ```
pub struct CsvReader<R> {
    reader: R,
    origin: String,
    lex: Lexer,
    header: Header,
    done: bool,
    /// The fields rows are typed by: a policy's, the contract's, or a dated version's.
    typing: Typing,
    /// Rows typed by their `sent_on`: the header's columns under each schema met so far.
    dated: Vec<(Arc<Schema>, TypedHeader)>,
}

/// The records of a CSV input as cells of text, with no header and no types: what a
/// reference reader (Python's `csv`, the `csv` crate) would give, record by record. Each
/// item is the record's first line and its cells, or why the record is malformed.
///
/// It is what [`CsvReader`] reads its rows with, exposed so that it can be compared with
/// reference readers (the differential tests do).
///
/// ```
/// let csv = "a,\"b\r\nc\",d\r\n\r\n\"e\"\"\",f";
/// let records: Vec<_> = zhunru::input::csv_records(csv.as_bytes(), "x.csv").collect();
/// assert_eq!(records.len(), 2);
/// assert_eq!(records[0].1.as_ref().unwrap(), &["a", "b\r\nc", "d"]);
/// assert_eq!(records[1].0, 4);
/// assert_eq!(records[1].1.as_ref().unwrap(), &["e\"", "f"]);
/// ```
pub fn csv_records<'a, R: BufRead + 'a>(
    reader: R,
    origin: impl Into<String>,
) -> impl Iterator<Item = (usize, Result<Vec<String>, InputError>)> + 'a {
    let mut csv = CsvReader::new(reader, origin);
    std::iter::from_fn(move || {
        if csv.done {
            return None;
        }
        let record = csv.record()?;
        Some(match record {
            Ok(record) => (
                record.first_line,
                Ok(record.cells.into_iter().map(|c| c.text).collect()),
            ),
            Err((line, e)) => (line, Err(e)),
        })
    })
}

impl<R: BufRead> CsvReader<R> {
    /// Read from `reader`; `origin` names it in errors (a path, or `<stdin>`).
    ///
    /// See [`CsvReader`] for an example.
    pub fn new(reader: R, origin: impl Into<String>) -> Self {
        CsvReader {
            reader,
            origin: origin.into(),
            lex: Lexer {
                line: 1,
                col: 0,
                text: Vec::new(),
                after_cr: false,
                state: State::CellStart,
                started: false,
                ended_quoted: false,
            },
            header: Header::Unread,
            done: false,
            typing: Typing::One(None),
            dated: Vec::new(),
        }
    }

    /// Type rows as `typing` says.
    pub(crate) fn typed(mut self, typing: Typing) -> Self {
        self.typing = typing;
        self
    }

    /// The schema the header is checked by: the reader's one, or for dated rows that of the
    /// version in force on the audit's default date.
    fn header_schema(&self) -> Arc<Schema> {
        match &self.typing {
            Typing::One(Some(schema)) => schema.clone(),
            Typing::One(None) => Arc::new(schema::contract().clone()),
            Typing::BySentOn(on) => on(None),
        }
    }

    /// The columns a row is typed by: the header's, or, for rows typed by their `sent_on`,
    /// the header read under the schema of that date's version.
    fn columns_for(
        &mut self,
        header: &Record,
        columns: &Arc<Vec<Column>>,
        row: &Record,
    ) -> TypedHeader {
        let Typing::BySentOn(on) = &self.typing else {
            return Ok(columns.clone());
        };
        let sent_on = columns
            .iter()
            .position(|c| c.path == ["sent_on"])
            .and_then(|i| row.cells.get(i))
            .and_then(|cell| crate::value::Date::parse(cell.text.trim()));
        let schema = on(sent_on);
        if let Some((_, typed)) = self.dated.iter().find(|(s, _)| Arc::ptr_eq(s, &schema)) {
            return typed.clone();
        }
        let typed = self.read_header(header, &schema).map(Arc::new);
        self.dated.push((schema, typed.clone()));
        typed
    }

    fn error(&self, line: usize, column: usize, message: String, text: &str) -> InputError {
        let error =
            InputError::new_at(&self.origin, line, column, message, text).with_help(CSV_HELP);
        match error.kind() {
            // The CSV reader's own forms: the header and the rows' shape.
            crate::InputErrorKind::Other => error.with_kind(crate::InputErrorKind::Csv),
            _ => error,
        }
    }

    /// The next record as bytes; `Ok(None)` at the end of the input.
    fn raw_record(&mut self) -> std::io::Result<Option<RawRecord>> {
        if !self.lex.started {
            self.lex.started = true;
            // One UTF-8 byte-order mark (as Excel writes) is skipped; a second one is text
            // (the header then refuses it).
            if self.reader.fill_buf()?.starts_with(b"\xef\xbb\xbf") {
                self.reader.consume(3);
            }
        }
        let mut record: Option<RawRecord> = None;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                if let Some(r) = record.as_mut() {
                    self.lex.finish(r);
                }
                return Ok(record.filter(|r| !r.is_blank()));
            }
            let mut used = 0;
            let mut ended = false;
            for &b in chunk {
                used += 1;
                if self.lex.step(b, &mut record) {
                    ended = true;
                    break;
                }
            }
            self.reader.consume(used);
            if ended {
                match record.take() {
                    Some(r) if r.is_blank() => continue,
                    r => return Ok(r),
                }
            }
        }
    }

    /// The next record, or the one error for a malformed record; `None` at the end.
    fn record(&mut self) -> Option<Result<Record, (usize, InputError)>> {
        let raw = match self.raw_record() {
            Ok(Some(raw)) => raw,
            Ok(None) => {
                self.done = true;
                return None;
            }
            Err(e) => {
                self.done = true;
                let line = self.lex.line;
                return Some(Err((
                    line,
                    InputError::io(&self.origin, &e).with_help(CSV_HELP),
                )));
            }
        };
        let first = raw.first_line;
        let line_text = |line: usize| -> String {
            raw.lines
                .get(line.saturating_sub(first))
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .unwrap_or_default()
        };
        // Errors are given with the record's first line: a record is reported at its own
        // line, whatever line in it is wrong.
        // End of input inside quotes: the quote was never closed, and (as in the reference
        // readers) every line after it is inside the cell. Said where the quote opened.
        if self.done_inside_quotes() {
            let (line, column) = raw.quote.unwrap_or((first, 1));
            let below = raw.last_line.saturating_sub(line);
            let mut message =
                "a quoted cell is never closed: the file ends inside quotes".to_owned();
            if below > 0 {
                message.push_str(&format!(
                    " ({below} line{} below, none of them read as a row)",
                    if below == 1 { "" } else { "s" }
                ));
            }
            return Some(Err((
                first,
                self.error(line, column, message, &line_text(line)),
            )));
        }
        match raw.problem {
            Some(Problem::TooLong) => {
                let message = format!(
                    "a row is longer than {MAX_LINE_BYTES} bytes (lines {first}–{}, not read)",
                    raw.last_line
                );
                return Some(Err((first, self.error(first, 1, message, ""))));
            }
            Some(Problem::AfterQuote(line, column)) => {
                let text = line_text(line);
                let found = text
                    .get(column.saturating_sub(1)..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                let message = format!(
                    "text after the closing quote of a cell: write `\"\"` for a quote inside a quoted cell, or end the cell with `,` (found `{found}`)"
                );
                return Some(Err((first, self.error(line, column, message, &text))));
            }
            None => {}
        }
        // UTF-8 is checked line by line so the bad byte is located where a person sees it.
        for (index, bytes) in raw.lines.iter().enumerate() {
            if let Err(e) = std::str::from_utf8(bytes) {
                let line = first + index;
                return Some(Err((first, self.error(
                    line,
                    e.valid_up_to() + 1,
                    "the row is not valid UTF-8: save the file as UTF-8 (GBK and other encodings are not read)".to_owned(),
                    &line_text(line),
                ))));
            }
        }
        let cells = raw
            .cells
            .into_iter()
            .map(|c| Cell {
                // Every line of the record is valid UTF-8, and cells split it at ASCII
                // bytes, so this is lossless.
                text: String::from_utf8_lossy(&c.bytes).into_owned(),
                line: c.line.saturating_sub(first),
                column: c.column,
            })
            .collect();
        let lines = raw
            .lines
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .collect();
        Some(Ok(Record {
            first_line: first,
            lines,
            cells,
        }))
    }

    /// Whether the input ended inside quotes (checked once a record is out).
    fn done_inside_quotes(&self) -> bool {
        self.lex.ended_quoted
    }

    fn read_header(&self, record: &Record, schema: &Schema) -> Result<Vec<Column>, InputError> {
        let mut columns: Vec<Column> = Vec::new();
        let text = record.lines.first().cloned().unwrap_or_default();
        for cell in &record.cells {
            let name = cell.text.trim().to_owned();
            let fail = |message: String| {
                Err(self.error(record.first_line + cell.line, cell.column, message, &text))
            };
            if name.is_empty() {
                return fail("a header cell is empty: every column needs a field name".to_owned());
            }
            if name.starts_with('\u{feff}') {
                // One mark is skipped before the header; a second one would silently rename
                // the first column (`\u{feff}id` is not `id`).
                return fail(
                    "the header starts with a second byte-order mark (U+FEFF): save the file with one at most"
                        .to_owned(),
                );
            }
            if columns.iter().any(|c| c.name == name) {
                return fail(format!("column `{name}` is named twice in the header"));
            }
            let mut path: Vec<String> = name.split('.').map(str::to_owned).collect();
            if schema.spec(None, &path).is_none()
                && let Some((dotted, _)) = schema
                    .leaves()
                    .into_iter()
                    .find(|(_, spec)| spec.label.as_deref() == Some(name.as_str()))
            {
                // A field's label names it too (「群众认可情况」 for `resident_acceptance`).
                path = dotted.split('.').map(str::to_owned).collect();
            }
            if path.iter().any(String::is_empty) {
                return fail(format!(
                    "column `{name}` is not a field name (write nested fields as `funding.amount`)"
                ));
            }
            let ty = match column_type(schema, &path) {
                Ok(ty) => ty,
                Err(message) => return fail(message),
            };
            columns.push(Column { name, path, ty });
        }
        if !columns
            .iter()
            .any(|c| c.path == ["category"] || c.name == "kind")
        {
            return Err(self.error(
                record.first_line,
                1,
                "the header has no `category` column (what the lists are matched against)"
                    .to_owned(),
                &text,
            ));
        }
        Ok(columns)
    }

    fn subject(&self, columns: &[Column], record: Record) -> Result<Subject, InputError> {
        let at = |cell: &Cell| {
            let line = record.lines.get(cell.line).map_or("", String::as_str);
            (record.first_line + cell.line, cell.column, line)
        };
        if record.cells.len() != columns.len() {
            let line = record.lines.first().map_or("", String::as_str);
            return Err(self.error(
                record.first_line,
                1,
                format!(
                    "the row has {} cell{} but the header has {} (a cell holding `,` must be in double quotes)",
                    record.cells.len(),
                    if record.cells.len() == 1 { "" } else { "s" },
                    columns.len()
                ),
                line,
            ));
        }
        let mut kind = SubjectKind::Task;
        let mut fields = Fields::default();
        let mut category_cell = None;
        for (column, cell) in columns.iter().zip(&record.cells) {
            if cell.text.trim().is_empty() {
                continue;
            }
            let value = cell_value(&column.name, &column.ty, &cell.text).map_err(|message| {
                let (line, col, text) = at(cell);
                self.error(line, col, message, text)
            })?;
            if column.name == "category" {
                category_cell = Some(cell);
            }
            match (&column.ty, value) {
                (ColumnType::Kind, Value::Text(k)) => {
                    kind = match k.as_str() {
                        "community" => SubjectKind::Community,
                        "assessment" => SubjectKind::Assessment,
                        _ => SubjectKind::Task,
                    }
                }
                (_, value) => set_path(&mut fields, &column.path, value),
            }
        }
        if kind == SubjectKind::Task && category_cell.is_none() {
            let cell = columns
                .iter()
                .position(|c| c.name == "category")
                .and_then(|i| record.cells.get(i));
            let (line, col, text) = match cell {
                Some(cell) => at(cell),
                None => (
                    record.first_line,
                    1,
                    record.lines.first().map_or("", String::as_str),
                ),
            };
            return Err(self.error(
                line,
                col,
                "a task needs a `category` (what the lists are matched against)".to_owned(),
                text,
            ));
        }
        if let Some((cell, message)) = row_span_conflict(columns, &record.cells, &fields) {
            let (line, col, text) = at(cell);
            return Err(self.error(line, col, message, text));
        }
        Ok(Subject::from_fields(kind, fields))
    }
}

/// A span (a `start` and an `end` date of one object, as `period`) of the row that ends
/// before it starts: the later of its two cells, and the message naming that field.
fn row_span_conflict<'r>(
    columns: &[Column],
    cells: &'r [Cell],
    fields: &Fields,
) -> Option<(&'r Cell, String)> {
    let date_at = |path: &[String], name: &str| {
        columns.iter().position(|c| {
            matches!(c.ty, ColumnType::Known(FieldType::Date))
                && c.path
                    .split_last()
                    .is_some_and(|(last, parent)| last == name && parent == path)
        })
    };
    for (end, column) in columns.iter().enumerate() {
        let Some((_, parent)) = column.path.split_last() else {
            continue;
        };
        if date_at(parent, "end") != Some(end) {
            continue;
        }
        let Some(start) = date_at(parent, "start") else {
            continue;
        };
        let Some(Value::Object(object)) = fields.get_parts(parent) else {
            continue;
        };
        let blame = if start > end {
            SpanEnd::Start
        } else {
            SpanEnd::End
        };
        if let Some(message) = crate::value::span_conflict(&parent.join("."), object, blame) {
            return Some((cells.get(start.max(end))?, message));
        }
    }
    None
}

/// How a header's dotted path is read, or why it cannot be.
fn column_type(schema: &Schema, path: &[String]) -> Result<ColumnType, String> {
    let dotted = path.join(".");
    let Some(first) = path.first() else {
        return Err("an empty column name".to_owned());
    };
    if first == "kind" {
        return if path.len() == 1 {
            Ok(ColumnType::Kind)
        } else {
            Err(format!("column `{dotted}`: `kind` has no fields"))
        };
    }
    let Some(mut spec) = schema.top_level(first, None) else {
        // A near miss of a field (`requestr`) is a typo, as below the top.
        if let Some(why) = schema.misspelt_top(first) {
            return Err(format!("column `{dotted}`: {why}"));
        }
        return Ok(ColumnType::Unknown);
    };
    for name in path.iter().skip(1) {
        match &spec.ty {
            FieldType::Object(inner) => match inner.iter().find(|s| s.name == *name) {
                Some(s) => spec = s,
                // A near miss of a field of the object (`funding.amout`) is a typo: read as
                // an unknown column, its field would be missing from every row, and an
                // audit would report violations that did not happen.
                None => {
                    if let Some(why) = schema::misspelt(&spec.name, inner, name) {
                        return Err(format!("column `{dotted}`: {why}"));
                    }
                    // Fields the contract does not name are kept, nested ones too.
                    return Ok(ColumnType::Unknown);
                }
            },
            _ => {
                return Err(format!(
                    "column `{dotted}`: `{}` is {}, it has no fields",
                    spec.name,
                    spec.ty.describe()
                ));
            }
        }
    }
    match &spec.ty {
        FieldType::Object(inner) => Err(format!(
            "column `{dotted}` is an object: give its fields as columns ({})",
            inner
                .iter()
                .map(|s| format!("`{dotted}.{}`", s.name))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        ty => Ok(ColumnType::Known(ty.clone())),
    }
}

/// A cell's value, typed by its column (through the one [`coerce`](super::coerce)).
fn cell_value(name: &str, ty: &ColumnType, text: &str) -> Result<Value, String> {
    match ty {
        ColumnType::Kind => coerce_typed(name, schema::kind_type(), text),
        ColumnType::Known(ty) => coerce_typed(name, ty, text),
        ColumnType::Unknown => Ok(Value::Text(text.to_owned())),
    }
}

/// Set a value at a dotted path, creating objects on the way (a path never crosses a
/// non-object: the header was checked against the schema, and unknown names are unique).
fn set_path(fields: &mut Fields, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut fields = fields;
    for part in parents {
        if !matches!(fields.get(part), Some(Value::Object(_))) {
            fields.set(part.clone(), Value::Object(Fields::default()));
        }
        let Some(Value::Object(inner)) =
            fields.0.iter_mut().find(|(k, _)| k == part).map(|(_, v)| v)
        else {
            return;
        };
        fields = inner;
    }
    fields.set(last.clone(), value);
}

impl<R: BufRead> Iterator for CsvReader<R> {
    type Item = Read;

    fn next(&mut self) -> Option<Read> {
        loop {
            if self.done {
                return None;
            }
            let record = match self.record()? {
                Ok(record) => record,
                Err((line, e)) => {
                    if matches!(self.header, Header::Unread) {
                        // Without a header no row can be read.
                        self.done = true;
                    }
                    return Some((line, Err(e)));
                }
            };
            match &self.header {
                Header::Unread => match self.read_header(&record, &self.header_schema()) {
                    Ok(columns) => {
                        self.header = Header::Columns(Arc::new(record), Arc::new(columns));
                        continue;
                    }
                    Err(mut e) => {
                        self.done = true;
                        e.message
                            .push_str(" — no row of this file was read: fix the header");
                        return Some((e.line, Err(e)));
                    }
                },
                Header::Columns(header, columns) => {
                    let (header, columns) = (header.clone(), columns.clone());
                    let line = record.first_line;
                    let read = self
                        .columns_for(&header, &columns, &record)
                        .and_then(|columns| self.subject(&columns, record));
                    return Some((line, read));
                }
            }
        }
    }
}
