//! Reading subjects from CSV (RFC 4180): a header row of contract field names, one subject a
//! row.
//!
//! Hand-written rather than the `csv` crate, because every error must point at the cell it is
//! about (line *and* column in the file as a person sees it, quotes included), which the
//! crate's records do not keep; the format itself is small.
//!
//! - Cells are separated by `,`; rows end with `\n` or `\r\n`. A cell in double quotes may
//!   hold `,`, line breaks and `""` (one quote). A UTF-8 byte-order mark (as Excel writes) is
//!   skipped; blank lines are skipped.
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
use crate::schema::{self, FieldType};
use crate::value::{Date, Fields, Subject, Value};

use super::{MAX_LINE_BYTES, Read};

/// How a column's cells are read.
#[derive(Debug)]
enum ColumnType {
    /// The `kind` column.
    Kind,
    /// A field the schema knows.
    Known(&'static FieldType),
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

enum Header {
    Unread,
    Columns(Vec<Column>),
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
/// assert_eq!((*line, error.column), (3, 10));
/// assert!(error.message.contains("`funding.amount` should be a number"));
/// ```
pub struct CsvReader<R> {
    reader: R,
    origin: String,
    /// Physical lines read so far.
    line: usize,
    header: Header,
    done: bool,
}

impl<R: BufRead> CsvReader<R> {
    /// Read from `reader`; `origin` names it in errors (a path, or `<stdin>`).
    pub fn new(reader: R, origin: impl Into<String>) -> Self {
        CsvReader {
            reader,
            origin: origin.into(),
            line: 0,
            header: Header::Unread,
            done: false,
        }
    }

    fn error(&self, line: usize, column: usize, message: String, text: &str) -> InputError {
        InputError::new(&self.origin, line, column, message, text).with_help(CSV_HELP)
    }

    /// One physical line, without its line break, and whether it was cut at the limit.
    fn read_line(&mut self, limit: usize) -> std::io::Result<Option<(Vec<u8>, bool)>> {
        let mut buf = Vec::new();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if buf.len() + take <= limit + 1 {
                buf.extend_from_slice(chunk.get(..take).unwrap_or(&[]));
            } else {
                too_long = true;
            }
            self.reader.consume(take);
            if done {
                break;
            }
        }
        if !any {
            return Ok(None);
        }
        self.line += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        if self.line == 1 && buf.starts_with(b"\xef\xbb\xbf") {
            buf.drain(..3);
        }
        Ok(Some((buf, too_long)))
    }

    /// The next record, or an error for the lines it spans; `None` at the end.
    fn record(&mut self) -> Option<Result<Record, InputError>> {
        let mut record = Record {
            first_line: 0,
            lines: Vec::new(),
            cells: Vec::new(),
        };
        let mut size = 0usize;
        let mut bad_utf8: Option<(usize, usize)> = None;
        // Parser state carried across lines: inside quotes, and the cell being built.
        let mut quoted = false;
        let mut cell: Option<Cell> = None;
        loop {
            let (bytes, too_long) = match self.read_line(MAX_LINE_BYTES.saturating_sub(size)) {
                Ok(Some(read)) => read,
                Ok(None) => {
                    self.done = true;
                    if record.lines.is_empty() {
                        return None;
                    }
                    // End of input inside quotes: the quote was never closed.
                    let (line, column) = cell.as_ref().map_or((0, 1), |c| (c.line, c.column));
                    let text = record.lines.get(line).cloned().unwrap_or_default();
                    return Some(Err(self.error(
                        record.first_line + line,
                        column,
                        "a quoted cell is never closed: the file ends inside quotes".to_owned(),
                        &text,
                    )));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.error(
                        self.line + 1,
                        0,
                        format!("cannot read input: {e}"),
                        "",
                    )));
                }
            };
            if record.lines.is_empty() {
                if bytes.iter().all(|b| b.is_ascii_whitespace()) && !too_long {
                    continue;
                }
                record.first_line = self.line;
            }
            if too_long {
                return Some(Err(self.error(
                    self.line,
                    1,
                    format!("a row is longer than {MAX_LINE_BYTES} bytes"),
                    "",
                )));
            }
            size += bytes.len() + 1;
            let index = record.lines.len();
            let text = match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    bad_utf8.get_or_insert((index, at + 1));
                    // Quotes and commas are ASCII, so the lossy text still parses the same.
                    String::from_utf8_lossy(e.as_bytes()).into_owned()
                }
            };
            let mut chars = text.char_indices().peekable();
            let mut after_quote = false;
            while let Some((at, c)) = chars.next() {
                let current = cell.get_or_insert_with(|| Cell {
                    text: String::new(),
                    line: index,
                    column: at + 1,
                });
                if quoted {
                    if c == '"' {
                        if chars.peek().map(|&(_, n)| n) == Some('"') {
                            chars.next();
                            current.text.push('"');
                        } else {
                            quoted = false;
                            after_quote = true;
                        }
                    } else {
                        current.text.push(c);
                    }
                    continue;
                }
                match c {
                    ',' => {
                        record.cells.extend(cell.take());
                        after_quote = false;
                    }
                    '"' if current.text.is_empty() && !after_quote => quoted = true,
                    _ if after_quote => {
                        let message = format!(
                            "text after the closing quote of a cell: write `\"\"` for a quote inside a quoted cell, or end the cell with `,` (found `{c}`)"
                        );
                        return Some(Err(self.error(self.line, at + 1, message, &text)));
                    }
                    _ => current.text.push(c),
                }
            }
            record.lines.push(text);
            if quoted {
                // A line break inside quotes belongs to the cell; the record goes on.
                if let Some(current) = cell.as_mut() {
                    current.text.push('\n');
                }
                continue;
            }
            // A row ending in `,` has an empty last cell.
            record.cells.push(cell.take().unwrap_or(Cell {
                text: String::new(),
                line: index,
                column: record.lines.get(index).map_or(0, String::len) + 1,
            }));
            if let Some((line, column)) = bad_utf8 {
                let text = record.lines.get(line).cloned().unwrap_or_default();
                return Some(Err(self.error(
                    record.first_line + line,
                    column,
                    "the row is not valid UTF-8: save the file as UTF-8 (GBK and other encodings are not read)".to_owned(),
                    &text,
                )));
            }
            return Some(Ok(record));
        }
    }

    fn read_header(&mut self, record: Record) -> Result<Vec<Column>, InputError> {
        let mut columns: Vec<Column> = Vec::new();
        let text = record.lines.first().cloned().unwrap_or_default();
        for cell in record.cells {
            let name = cell.text.trim().to_owned();
            let fail = |message: String| {
                Err(self.error(record.first_line + cell.line, cell.column, message, &text))
            };
            if name.is_empty() {
                return fail("a header cell is empty: every column needs a field name".to_owned());
            }
            if columns.iter().any(|c| c.name == name) {
                return fail(format!("column `{name}` is named twice in the header"));
            }
            let path: Vec<String> = name.split('.').map(str::to_owned).collect();
            if path.iter().any(String::is_empty) {
                return fail(format!(
                    "column `{name}` is not a field name (write nested fields as `funding.amount`)"
                ));
            }
            let ty = match column_type(&path) {
                Ok(ty) => ty,
                Err(message) => return fail(message),
            };
            columns.push(Column { name, path, ty });
        }
        if !columns
            .iter()
            .any(|c| c.name == "category" || c.name == "kind")
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
        Ok(Subject::from_fields(kind, fields))
    }
}

/// How a header's dotted path is read, or why it cannot be.
fn column_type(path: &[String]) -> Result<ColumnType, String> {
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
    let Some(mut spec) = schema::top_level(first) else {
        return Ok(ColumnType::Unknown);
    };
    for name in path.iter().skip(1) {
        match &spec.ty {
            FieldType::Object(inner) => match inner.iter().find(|s| s.name == name) {
                Some(s) => spec = s,
                // Fields the contract does not name are kept, nested ones too.
                None => return Ok(ColumnType::Unknown),
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
        ty => Ok(ColumnType::Known(ty)),
    }
}

/// A cell's value, typed by its column.
fn cell_value(name: &str, ty: &ColumnType, text: &str) -> Result<Value, String> {
    let ty = match ty {
        ColumnType::Kind => &FieldType::Enum(&["task", "community", "assessment"]),
        ColumnType::Known(ty) => *ty,
        ColumnType::Unknown => return Ok(Value::Text(text.to_owned())),
    };
    let trimmed = text.trim();
    let wrong = || {
        format!(
            "field `{name}` should be {}, found \"{trimmed}\"",
            ty.describe()
        )
    };
    match ty {
        FieldType::Text | FieldType::Any => Ok(Value::Text(text.to_owned())),
        FieldType::Number => {
            // `f64::from_str` also reads `inf` and `NaN`, which are not amounts.
            let plain = trimmed
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
            match trimmed.parse::<f64>() {
                Ok(n) if plain && n.is_finite() => Ok(Value::Number(n)),
                _ => Err(wrong()),
            }
        }
        FieldType::Bool => match trimmed {
            "true" | "TRUE" | "True" | "是" => Ok(Value::Bool(true)),
            "false" | "FALSE" | "False" | "否" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "field `{name}` should be `true` or `false`, found \"{trimmed}\""
            )),
        },
        FieldType::Date => match Date::parse(trimmed) {
            Some(_) => Ok(Value::Text(trimmed.to_owned())),
            None => Err(format!(
                "field `{name}` should be a date written YYYY-MM-DD that exists on the calendar, found \"{trimmed}\""
            )),
        },
        FieldType::Enum(choices) => {
            if choices.contains(&trimmed) {
                Ok(Value::Text(trimmed.to_owned()))
            } else {
                Err(format!(
                    "field `{name}` should be one of {}, found \"{trimmed}\"",
                    choices
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
        FieldType::TextList => Ok(Value::List(
            text.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::Text(s.to_owned()))
                .collect(),
        )),
        // Object columns are refused with the header.
        FieldType::Object(_) => Err(wrong()),
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
                Err(e) => {
                    if matches!(self.header, Header::Unread) {
                        // Without a header no row can be read.
                        self.done = true;
                    }
                    return Some((e.line, Err(e)));
                }
            };
            match &self.header {
                Header::Unread => match self.read_header(record) {
                    Ok(columns) => {
                        self.header = Header::Columns(columns);
                        continue;
                    }
                    Err(mut e) => {
                        self.done = true;
                        e.message
                            .push_str(" — no row of this file was read: fix the header");
                        return Some((e.line, Err(e)));
                    }
                },
                Header::Columns(columns) => {
                    let line = record.first_line;
                    return Some((line, self.subject(columns, record)));
                }
            }
        }
    }
}
