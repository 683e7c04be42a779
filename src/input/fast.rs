//! The fast path for JSON Lines: whole lines read in blocks ([`Blocks`]), and a reader of one
//! line tuned for one policy ([`LineDecoder`]) that keeps only the fields the policy reads.
//!
//! It decides nothing new. A line is taken by the fast path only when it is an ordinary
//! well-formed subject: one object; keys and texts without escapes; integers of at most 15
//! digits; every known field of the type the contract gives it (dates that exist, the
//! enumerations' words), no period that ends before it starts, no key given twice, a task
//! with a category. On such a line the exact reader ([`parse_line`](super::parse_line))
//! would succeed, and the subject it builds reads the same for every path the policy reads.
//! Anything else (an error, an escape, a fraction, an exponent, invalid UTF-8 …) is handed
//! back to be read by the exact reader, so every error keeps its line, column and message. `tests/differential.rs` and
//! `tests/fast_path.rs` hold the two paths to the same bytes.
//!
//! Why: reading JSON was most of the cost of deciding a file (issue 12). The exact reader
//! builds every field, allocating a string for each; this one checks the fields the policy
//! does not read without building them, and reuses the strings of the last line for the
//! fields it keeps, so reading a line allocates nothing once the first lines are read.

use std::borrow::Cow;
use std::io::Read;

use super::MAX_LINE_BYTES;
use crate::date::Date;
use crate::diagnostic::InputError;
use crate::normalize::trim;
use crate::schema::{self, FieldSpec, FieldType, SubjectKind};
use crate::value::{Fields, Subject, Value};

/// Lists and objects nested deeper than this are left to the exact reader (whose limit, 128,
/// is serde_json's).
const MAX_DEPTH: usize = 100;

/// The most digits an integer may have on the fast path: below 2^53, so always exact.
const MAX_DIGITS: usize = 15;

/// Where the fast path gives up on a line (the exact reader reads it instead).
#[derive(Debug)]
struct Bail;

type Fast<T> = Result<T, Bail>;

/// A field the policy reads, and the fields under it it reads.
#[derive(Clone, Debug, Default)]
struct Node {
    name: String,
    /// The name's index in [`schema::KNOWN_NAMES`], if the schema knows it.
    known: Option<usize>,
    children: Vec<Node>,
    /// For each index in [`schema::KNOWN_NAMES`], the child of that name's position in
    /// `children`: found without a search (it ran for every key of the line).
    by_known: Vec<Option<usize>>,
}

impl Node {
    /// The child of that name (`known`: its index, if the schema knows it).
    fn child(&self, key: &[u8], known: Option<usize>) -> Option<&Node> {
        match known {
            Some(k) => self.children.get(self.by_known.get(k).copied().flatten()?),
            None => self
                .children
                .iter()
                .find(|c| c.known.is_none() && c.name.as_bytes() == key),
        }
    }

    fn add(&mut self, path: &[String]) {
        let Some((first, rest)) = path.split_first() else {
            return;
        };
        let at = match self.children.iter().position(|c| c.name == *first) {
            Some(i) => i,
            None => {
                let known = schema::known_index(first.as_bytes());
                self.children.push(Node {
                    name: first.clone(),
                    known,
                    children: Vec::new(),
                    by_known: Vec::new(),
                });
                let at = self.children.len() - 1;
                if let Some(k) = known {
                    if self.by_known.len() <= k {
                        self.by_known.resize(k + 1, None);
                    }
                    if let Some(slot) = self.by_known.get_mut(k) {
                        *slot = Some(at);
                    }
                }
                at
            }
        };
        if let Some(child) = self.children.get_mut(at) {
            child.add(rest);
        }
    }
}

/// A field read whole, inside a list: nothing under it is read.
static LEAF: Node = Node {
    name: String::new(),
    known: None,
    children: Vec::new(),
    by_known: Vec::new(),
};

/// Any JSON value (a field the contract does not name).
static ANY: FieldType = FieldType::Any;
static TEXT: FieldType = FieldType::Text;

/// Strings, lists and objects of earlier lines, kept to be filled again.
#[derive(Clone, Debug, Default)]
struct Pool {
    strings: Vec<String>,
    lists: Vec<Vec<Value>>,
    objects: Vec<Vec<(Cow<'static, str>, Value)>>,
}

/// How many of each kind the pool keeps (a subject holds a few dozen at most).
const POOL_CAP: usize = 256;

impl Pool {
    #[inline(always)]
    fn text(&mut self, s: &str) -> Value {
        let mut t = self.strings.pop().unwrap_or_default();
        t.clear();
        t.push_str(s);
        Value::Text(t)
    }

    fn list(&mut self) -> Vec<Value> {
        self.lists.pop().unwrap_or_default()
    }

    fn object(&mut self) -> Vec<(Cow<'static, str>, Value)> {
        self.objects.pop().unwrap_or_default()
    }

    /// Keep `v`'s strings, lists and objects to be filled again. The common case, a text,
    /// is inlined at each call; lists and objects go to [`Pool::reclaim_nested`].
    #[inline(always)]
    fn reclaim(&mut self, v: Value) {
        match v {
            Value::Text(t) if self.strings.len() < POOL_CAP => self.strings.push(t),
            Value::List(_) | Value::Object(_) => self.reclaim_nested(v),
            _ => {}
        }
    }

    /// [`Pool::reclaim`] for a list or an object (anything else is not called here).
    fn reclaim_nested(&mut self, v: Value) {
        match v {
            Value::List(mut items) => {
                for item in items.drain(..) {
                    self.reclaim(item);
                }
                if self.lists.len() < POOL_CAP {
                    self.lists.push(items);
                }
            }
            Value::Object(Fields(fields)) => self.reclaim_fields(fields),
            _ => {}
        }
    }

    fn reclaim_fields(&mut self, mut fields: Vec<(Cow<'static, str>, Value)>) {
        for (_, v) in fields.drain(..) {
            self.reclaim(v);
        }
        if self.objects.len() < POOL_CAP {
            self.objects.push(fields);
        }
    }
}

/// The part of a decoder that changes while a line is read.
#[derive(Clone, Debug)]
struct State {
    pool: Pool,
    /// Keys the schema does not know, of the objects being read (byte ranges of the line),
    /// to refuse one given twice.
    keys: Vec<(usize, usize)>,
    /// The last two known keys ([`schema::KNOWN_NAMES`] indices, or [`NO_KEY`]) that came
    /// in each context (see [`Ctx`]), the latest first.
    predict: [[u8; 2]; CONTEXTS],
    /// Each known name as a key is written, `"name":`, to confirm a prediction with one
    /// comparison.
    quoted: Vec<Vec<u8>>,
    /// The type of known field `k` in the object under known top-level field `p`, at
    /// `p * N + k`, with the address of that object's specs (used only when the specs being
    /// read are those): found without comparing names with each spec.
    nested: Vec<Option<(usize, &'static FieldType)>>,
    /// Lists and objects open around the value being read: past [`MAX_DEPTH`] the line is
    /// the exact reader's, which reports the nesting as an error (and no recursion here
    /// can overflow the stack).
    depth: usize,
    /// The addresses of the specs of the contract's spans (`period`): objects whose end is
    /// compared with their start, found by one comparison per object read.
    spans: Vec<usize>,
    /// The [`schema::KNOWN_NAMES`] indices of `start` and `end`.
    span_ends: [Option<usize>; 2],
}

impl Default for State {
    fn default() -> State {
        State {
            pool: Pool::default(),
            keys: Vec::new(),
            predict: [[NO_KEY; 2]; CONTEXTS],
            quoted: schema::KNOWN_NAMES
                .iter()
                .map(|n| format!("\"{n}\":").into_bytes())
                .collect(),
            nested: nested_types(),
            depth: 0,
            spans: span_specs(),
            span_ends: [schema::known_index(b"start"), schema::known_index(b"end")],
        }
    }
}

/// The table [`State::spans`]: every object of the contract that is a span
/// ([`schema::is_span`]).
fn span_specs() -> Vec<usize> {
    fn walk(specs: &'static [FieldSpec], out: &mut Vec<usize>) {
        if schema::is_span(specs) {
            out.push(specs.as_ptr() as usize);
        }
        for spec in specs {
            if let FieldType::Object(inner) = &spec.ty {
                walk(inner, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(&schema::contract().fields, &mut out);
    out
}

/// Where a key is read, to predict it from the line before: JSON Lines streams mostly give
/// their keys in the same order, so the key after `category` (or the first key of
/// `period`) is most often one of the two that came there last. A right guess is confirmed
/// by one comparison of the bytes, instead of a scan of the string and a look-up of its name
/// (14 M of 241 M instructions on the 10k peer file, where 87 % of keys are the last one
/// seen in their context and 97 % one of the last two); a wrong one costs that comparison. Slots: `k` after known key `k`; `N + k` first in the object under known key
/// `k`; then first at the top, first in any other object, after an unknown key.
type Ctx = usize;
const N: usize = schema::KNOWN_NAMES.len();
const FIRST_AT_TOP: Ctx = 2 * N;
const FIRST_ELSEWHERE: Ctx = 2 * N + 1;
const AFTER_UNKNOWN: Ctx = 2 * N + 2;
const CONTEXTS: usize = 2 * N + 3;
const NO_KEY: u8 = u8::MAX;

/// The table [`State::nested`].
fn nested_types() -> Vec<Option<(usize, &'static FieldType)>> {
    let mut table = vec![None; N * N];
    for (p, name) in schema::KNOWN_NAMES.iter().enumerate() {
        let Some(FieldType::Object(specs)) = schema::top_level(name).map(|s| &s.ty) else {
            continue;
        };
        for spec in specs.iter() {
            if let Some(slot) =
                schema::known_index(spec.name.as_bytes()).and_then(|k| table.get_mut(p * N + k))
            {
                *slot = Some((specs.as_ptr() as usize, &spec.ty));
            }
        }
    }
    table
}

/// The context of the first key of an object that is the value of key `index`.
fn first_under(index: Option<usize>) -> Ctx {
    index.map_or(FIRST_ELSEWHERE, |k| N + k)
}

/// The context after key `index`.
fn after(index: Option<usize>) -> Ctx {
    index.unwrap_or(AFTER_UNKNOWN)
}

/// Reads one JSON Lines line into a [`Subject`] holding only the fields a policy reads (and
/// `id` and `category`, which every decision may show), or hands the line back to the exact
/// reader. Build one per policy with `Policy::line_decoder`; one per thread.
///
/// ```
/// use zhunru::input::fast::LineDecoder;
/// let mut decoder = LineDecoder::new([vec!["funding".to_owned(), "amount".to_owned()]]);
/// let line = r#"{"id":"T-1","category":"企业摸底","funding":{"amount":3000,"per":"once"},"requester":"区经信局"}"#;
/// let subject = decoder.decode_line(line.as_bytes()).unwrap();
/// assert_eq!(subject.get("funding.amount"), Some(&zhunru::Value::Number(3000.0)));
/// assert_eq!(subject.get("requester"), None); // checked, not kept: the policy does not read it
/// // An escape, a fraction or an error: the exact reader's to read.
/// assert!(decoder.decode_line(br#"{"category":"\u4f01"}"#).is_none());
/// assert!(decoder.decode_line(br#"{"category":"x","funding":{"amount":0.5}}"#).is_none());
/// assert!(decoder.decode_line(br#"{"category":"x","period":{"end":"2020-02-30"}}"#).is_none());
/// assert!(decoder.decode_line(br#"{"category":"x","id":"T-1","id":"T-2"}"#).is_none());
/// // Nested deeper than the exact reader allows: the exact reader's to report (no overflow).
/// let deep = format!(r#"{{"category":"x","extra":{}{}}}"#, "[".repeat(100_000), "]".repeat(100_000));
/// assert!(decoder.decode_line(deep.as_bytes()).is_none());
/// ```
#[derive(Clone, Debug)]
pub struct LineDecoder {
    root: Node,
    /// For each known top-level name ([`schema::KNOWN_NAMES`]), its spec.
    top: Vec<Option<&'static FieldSpec>>,
    /// The top-level names of the fields a policy declares (see [`LineDecoder::declared`]).
    declared: Vec<String>,
    subject: Subject,
    state: State,
}

/// A position in the text being read.
struct Cur<'t> {
    s: &'t [u8],
    /// `s` as text, when it is known to be UTF-8 (then strings need no check of their own).
    text: Option<&'t str>,
    i: usize,
}

impl<'t> Cur<'t> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// JSON white space within a line: a line end ends the line.
    fn ws(&mut self) {
        while let Some(b' ' | b'\t') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Fast<()> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(Bail)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Fast<()> {
        if self.s.get(self.i..self.i + word.len()) == Some(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// A string without escapes or control characters, at its opening quote; its text and
    /// the byte range of the text. Inlined into its callers, as are `key`, `predicted` and
    /// `Pool::text`: each runs once or more per member of every line, and their calls (the
    /// registers saved, the `Result` returned through memory) cost more than their work:
    /// 201.3 M -> 188.6 M instructions on the 10k peer file, the four together.
    #[inline(always)]
    fn string(&mut self) -> Fast<(&'t str, usize, usize)> {
        self.eat(b'"')?;
        let start = self.i;
        let end = start + special(self.s.get(start..).unwrap_or(&[]));
        if self.s.get(end) != Some(&b'"') {
            return Err(Bail);
        }
        self.i = end + 1;
        let text = match self.text {
            Some(t) => t.get(start..end),
            None => std::str::from_utf8(self.s.get(start..end).unwrap_or(&[])).ok(),
        };
        Ok((text.ok_or(Bail)?, start, end))
    }

    /// An integer of at most [`MAX_DIGITS`] digits, as serde_json reads it (`-0` is -0.0).
    fn integer(&mut self) -> Fast<f64> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.i += 1;
        }
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n * 10 + u64::from(d - b'0');
            self.i += 1;
            if self.i - start > MAX_DIGITS {
                return Err(Bail);
            }
        }
        let digits = self.i - start;
        if digits == 0 || (digits > 1 && self.s.get(start) == Some(&b'0')) {
            return Err(Bail);
        }
        if matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(Bail);
        }
        // Exact: n < 10^15 < 2^53.
        let n = n as f64;
        Ok(if negative { -n } else { n })
    }
}

/// The offset of the first `"`, `\` or control character in `s` (its length if none):
/// eight bytes at a time.
#[inline(always)]
fn special(s: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    let mut at = 0;
    for chunk in s.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // The lowest flagged byte is exact (a borrow only runs upwards from a hit).
        let found = (w.wrapping_sub(ONES * 0x20) & !w & HIGH)
            | zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let rest = s.get(at..).unwrap_or(&[]);
    at + rest
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .unwrap_or(rest.len())
}

fn is_blank_text(v: &Value) -> bool {
    matches!(v, Value::Text(t) if trim(t).is_empty())
}

impl State {
    /// Read a key and its `:`, refusing one given twice in the object (its keys the schema
    /// does not know are `keys[base..]`; those it knows are bits of `known`). The key, and
    /// its index in [`schema::KNOWN_NAMES`]. Inlined (see [`Cur::string`]).
    #[inline(always)]
    fn key<'t>(
        &mut self,
        c: &mut Cur<'t>,
        base: usize,
        known: &mut u64,
        ctx: Ctx,
    ) -> Fast<(&'t str, Option<usize>)> {
        c.ws();
        if let Some(k) = self.predicted(c, ctx) {
            if *known & (1 << k) != 0 {
                return Err(Bail);
            }
            *known |= 1 << k;
            c.ws();
            return Ok((schema::KNOWN_NAMES.get(k).ok_or(Bail)?, Some(k)));
        }
        let (key, start, end) = c.string()?;
        let index = schema::known_index(key.as_bytes());
        match index {
            Some(k) => {
                if *known & (1 << k) != 0 {
                    return Err(Bail);
                }
                *known |= 1 << k;
            }
            None => {
                let seen = self
                    .keys
                    .get(base..)
                    .unwrap_or(&[])
                    .iter()
                    .any(|&(a, b)| c.s.get(a..b) == c.s.get(start..end));
                if seen {
                    return Err(Bail);
                }
                self.keys.push((start, end));
            }
        }
        let k = index.and_then(|k| u8::try_from(k).ok()).unwrap_or(NO_KEY);
        if let Some(slot) = self.predict.get_mut(ctx) {
            *slot = [k, slot[0]];
        }
        c.ws();
        c.eat(b':')?;
        c.ws();
        Ok((key, index))
    }

    /// The key predicted for `ctx`, if the text at the cursor is one of the two, quoted and
    /// followed by `:` (the cursor then moves past it; the second, if it was that one,
    /// becomes the first).
    #[inline(always)]
    fn predicted(&mut self, c: &mut Cur, ctx: Ctx) -> Option<usize> {
        let slot = self.predict.get_mut(ctx)?;
        for (n, k) in slot.iter().enumerate() {
            let k = usize::from(*k);
            let Some(quoted) = self.quoted.get(k) else {
                continue;
            };
            let end = c.i + quoted.len();
            // `same` (two words) up to 16 bytes; longer keys are few.
            let equal = |text: &[u8]| match quoted.len() {
                ..=16 => schema::same(quoted, text),
                _ => quoted.as_slice() == text,
            };
            if c.s.get(c.i..end).is_some_and(equal) {
                c.i = end;
                if n == 1 {
                    slot.swap(0, 1);
                }
                return Some(k);
            }
        }
        None
    }

    /// Read one value typed `ty`; built only when `want` (the policy reads it). `first`:
    /// the context of its first key, if it is an object. Inlined into its callers (a text,
    /// number or literal is read without a call); lists and objects are read by calls, which
    /// break the recursion.
    #[inline(always)]
    fn value(
        &mut self,
        c: &mut Cur,
        ty: &'static FieldType,
        want: Option<&Node>,
        first: Ctx,
    ) -> Fast<Option<Value>> {
        let value = match c.peek() {
            Some(b'"') => {
                let (text, _, _) = c.string()?;
                let kept = match ty {
                    FieldType::Text | FieldType::Any => text,
                    FieldType::Date => {
                        let t = trim(text);
                        Date::parse(t).ok_or(Bail)?;
                        t
                    }
                    FieldType::Enum(choices) => {
                        let t = trim(text);
                        if !choices
                            .iter()
                            .any(|w| schema::same(w.value.as_bytes(), t.as_bytes()))
                        {
                            return Err(Bail);
                        }
                        t
                    }
                    _ => return Err(Bail),
                };
                want.map(|_| self.pool.text(kept))
            }
            Some(b'n') => {
                c.literal(b"null")?;
                want.map(|_| Value::Null)
            }
            Some(b't' | b'f') => {
                if !matches!(ty, FieldType::Bool | FieldType::Any) {
                    return Err(Bail);
                }
                let b = c.peek() == Some(b't');
                c.literal(if b { b"true" } else { b"false" })?;
                want.map(|_| Value::Bool(b))
            }
            Some(b'-' | b'0'..=b'9') => {
                if !matches!(ty, FieldType::Number | FieldType::Any) {
                    return Err(Bail);
                }
                let n = c.integer()?;
                want.map(|_| Value::Number(n))
            }
            Some(b'[') => {
                let item_ty = match ty {
                    FieldType::TextList => &TEXT,
                    FieldType::Any => &ANY,
                    _ => return Err(Bail),
                };
                self.list(c, item_ty, matches!(ty, FieldType::TextList), want)?
            }
            Some(b'{') => {
                let specs: &'static [FieldSpec] = match ty {
                    FieldType::Object(specs) => specs,
                    FieldType::Any => &[],
                    _ => return Err(Bail),
                };
                self.object(c, specs, want, first)?
            }
            _ => return Err(Bail),
        };
        Ok(value)
    }

    #[inline(never)]
    fn list(
        &mut self,
        c: &mut Cur,
        item_ty: &'static FieldType,
        texts: bool,
        want: Option<&Node>,
    ) -> Fast<Option<Value>> {
        self.nested(|s| s.list_items(c, item_ty, texts, want))
    }

    /// Read one list or object below `depth`: bail past [`MAX_DEPTH`]. The depth is always
    /// restored, whatever `read` returns.
    fn nested<T>(&mut self, read: impl FnOnce(&mut State) -> Fast<T>) -> Fast<T> {
        if self.depth >= MAX_DEPTH {
            return Err(Bail);
        }
        self.depth += 1;
        let result = read(self);
        self.depth -= 1;
        result
    }

    fn list_items(
        &mut self,
        c: &mut Cur,
        item_ty: &'static FieldType,
        texts: bool,
        want: Option<&Node>,
    ) -> Fast<Option<Value>> {
        c.eat(b'[')?;
        let mut items = want.map(|_| self.pool.list());
        c.ws();
        if c.peek() == Some(b']') {
            c.i += 1;
            return Ok(items.map(Value::List));
        }
        loop {
            c.ws();
            // The elements of a list are read whole (no path reaches inside them).
            let item = self.value(c, item_ty, want.map(|_| &LEAF), FIRST_ELSEWHERE);
            let item = match item {
                Ok(item) => item,
                Err(e) => {
                    if let Some(items) = items {
                        self.pool.reclaim(Value::List(items));
                    }
                    return Err(e);
                }
            };
            if let (Some(items), Some(item)) = (items.as_mut(), item) {
                match item {
                    // A list of texts is read as the exact reader reads it: items trimmed,
                    // blank ones dropped.
                    Value::Text(mut t) if texts => {
                        let trimmed = trim(&t);
                        if trimmed.is_empty() {
                            self.pool.reclaim(Value::Text(t));
                        } else {
                            if trimmed.len() != t.len() {
                                let keep = trimmed.to_owned();
                                t.clear();
                                t.push_str(&keep);
                            }
                            items.push(Value::Text(t));
                        }
                    }
                    item => items.push(item),
                }
            }
            c.ws();
            match c.peek() {
                Some(b',') => c.i += 1,
                Some(b']') => {
                    c.i += 1;
                    return Ok(items.map(Value::List));
                }
                _ => {
                    if let Some(items) = items {
                        self.pool.reclaim(Value::List(items));
                    }
                    return Err(Bail);
                }
            }
        }
    }

    #[inline(never)]
    fn object(
        &mut self,
        c: &mut Cur,
        specs: &'static [FieldSpec],
        want: Option<&Node>,
        first: Ctx,
    ) -> Fast<Option<Value>> {
        let mut fields = want.map(|_| self.pool.object());
        // A span's members are read by their own copy of `members` (`SPAN`), so that the
        // other objects pay nothing for comparing a span's ends (callgrind, 10k peer tasks:
        // +0.34 % instructions in all, against +0.73 % with one copy checking as it goes).
        let span = self.spans.contains(&(specs.as_ptr() as usize));
        let read = self.nested(|s| match span {
            true => s.members::<true>(c, specs, want, fields.as_mut(), first),
            false => s.members::<false>(c, specs, want, fields.as_mut(), first),
        });
        match read {
            Ok(()) => Ok(fields.map(|f| Value::Object(Fields(f)))),
            Err(e) => {
                if let Some(f) = fields {
                    self.pool.reclaim_fields(f);
                }
                Err(e)
            }
        }
    }

    /// The members of an object below the top: every key once, each value typed by its
    /// spec (else any value), blank texts dropped.
    fn members<const SPAN: bool>(
        &mut self,
        c: &mut Cur,
        specs: &'static [FieldSpec],
        want: Option<&Node>,
        mut out: Option<&mut Vec<(Cow<'static, str>, Value)>>,
        first: Ctx,
    ) -> Fast<()> {
        c.eat(b'{')?;
        c.ws();
        if c.peek() == Some(b'}') {
            c.i += 1;
            return Ok(());
        }
        let base = self.keys.len();
        let mut known: u64 = 0;
        let mut ctx = first;
        // A span's start and end, compared at its close: one that ends before it starts is
        // the exact reader's to refuse.
        let mut ends: [Option<Date>; 2] = [None, None];
        loop {
            let (key, index) = self.key(c, base, &mut known, ctx)?;
            ctx = after(index);
            // Only known names have a spec.
            let spec = match index {
                Some(k) => {
                    let parent = first.checked_sub(N).filter(|&p| p < N);
                    match parent.and_then(|p| self.nested.get(p * N + k).copied().flatten()) {
                        Some((at, ty)) if at == specs.as_ptr() as usize => Some(ty),
                        _ => specs
                            .iter()
                            .find(|s| schema::same(s.name.as_bytes(), key.as_bytes()))
                            .map(|s| &s.ty),
                    }
                }
                None => None,
            };
            let ty = match spec {
                Some(ty) => ty,
                // A near miss of a field of this object is the exact reader's to refuse.
                None if !specs.is_empty() && schema::misspelt("", specs, key).is_some() => {
                    return Err(Bail);
                }
                None => &ANY,
            };
            let child = want.and_then(|n| n.child(key.as_bytes(), index));
            let end = match index {
                Some(k) if SPAN && c.peek() == Some(b'"') => {
                    self.span_ends.iter().position(|&e| e == Some(k))
                }
                _ => None,
            };
            let value = match end.and_then(|e| ends.get_mut(e)) {
                // A span's start or end (its spec a date): read as `value` reads a date,
                // the date kept.
                Some(slot) => {
                    let text = trim(c.string()?.0);
                    *slot = Some(Date::parse(text).ok_or(Bail)?);
                    child.map(|_| self.pool.text(text))
                }
                None => self.value(c, ty, child, first_under(index))?,
            };
            if let Some(v) = value {
                match out.as_deref_mut() {
                    Some(fields) if !is_blank_text(&v) => fields.push((name(key, index), v)),
                    _ => self.pool.reclaim(v),
                }
            }
            c.ws();
            match c.peek() {
                Some(b',') => c.i += 1,
                Some(b'}') => {
                    c.i += 1;
                    self.keys.truncate(base);
                    if let [Some(start), Some(end)] = ends
                        && end < start
                    {
                        return Err(Bail);
                    }
                    return Ok(());
                }
                _ => return Err(Bail),
            }
        }
    }
}

/// A field name: the schema's own `&'static str` when it knows the name (`index`).
fn name(key: &str, index: Option<usize>) -> Cow<'static, str> {
    match index.and_then(|k| schema::KNOWN_NAMES.get(k)) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(key.to_owned()),
    }
}

/// What [`LineDecoder`] made of the text at the start of a line.
enum Scan {
    /// A subject, read up to `end` (the line end, or the end of the text).
    Subject { end: usize },
    /// Spaces and tabs only, up to `end`.
    Blank { end: usize },
    /// The exact reader's to read; the line ends at or after `from`.
    Exact { from: usize },
}

impl LineDecoder {
    /// A decoder that keeps the fields at `paths` (each the field names after the subject,
    /// as `["funding", "amount"]`), with `id` and `category`.
    pub fn new<P: AsRef<[String]>>(paths: impl IntoIterator<Item = P>) -> LineDecoder {
        let mut root = Node::default();
        for path in paths {
            root.add(path.as_ref());
        }
        root.add(&["id".to_owned()]);
        root.add(&["category".to_owned()]);
        let top = schema::KNOWN_NAMES
            .iter()
            .map(|n| schema::top_level(n))
            .collect();
        LineDecoder {
            root,
            top,
            declared: Vec::new(),
            subject: Subject::new(SubjectKind::Task),
            state: State::default(),
        }
    }

    /// Hand back every line that gives a field of one of these top-level names: the fields
    /// a policy declares, which the exact reader types by their declaration.
    ///
    /// ```
    /// use zhunru::input::fast::LineDecoder;
    /// let mut decoder = LineDecoder::new([vec!["hours".to_owned()]]).declared(["hours".to_owned()]);
    /// assert!(decoder.decode_line(br#"{"category":"x","hours":"many"}"#).is_none());
    /// assert!(decoder.decode_line(br#"{"category":"x"}"#).is_some());
    /// ```
    pub fn declared(mut self, names: impl IntoIterator<Item = String>) -> LineDecoder {
        self.declared = names.into_iter().collect();
        self
    }

    /// Also hand back every line that gives a top-level field of one of these names, so
    /// that its reader can look at it whole (the server refuses `district` and `as_of` in a
    /// batch line: they belong to its request, and the fast path skips names it does not
    /// read).
    ///
    /// ```
    /// use zhunru::input::fast::LineDecoder;
    /// let mut decoder = LineDecoder::new([vec!["category".to_owned()]]).hand_back(["district".to_owned()]);
    /// assert!(decoder.decode_line(br#"{"category":"x","district":"hefei"}"#).is_none());
    /// assert!(decoder.decode_line(br#"{"category":"x"}"#).is_some());
    /// ```
    pub fn hand_back(mut self, names: impl IntoIterator<Item = String>) -> LineDecoder {
        self.declared.extend(names);
        self
    }

    /// Read one line (without its line end). `None`: the line is not an ordinary subject
    /// (blank, malformed, or beyond the fast path); read it with
    /// [`parse_line`](super::parse_line).
    pub fn decode_line(&mut self, line: &[u8]) -> Option<&Subject> {
        if line.len() > MAX_LINE_BYTES {
            return None;
        }
        match self.scan(line, simdutf8::basic::from_utf8(line).ok()) {
            Scan::Subject { end } if end == line.len() => Some(&self.subject),
            _ => None,
        }
    }

    /// Read from the start of a line in `bytes` (which may go on past the line's end);
    /// `text` is `bytes` when they are known to be UTF-8.
    fn scan(&mut self, bytes: &[u8], text: Option<&str>) -> Scan {
        let mut c = Cur {
            s: bytes,
            text,
            i: 0,
        };
        c.ws();
        match c.peek() {
            None | Some(b'\n' | b'\r') => return Scan::Blank { end: c.i },
            Some(b'{') => {}
            Some(_) => return Scan::Exact { from: c.i },
        }
        self.state.keys.clear();
        match self.top(&mut c) {
            Ok(()) => {
                c.ws();
                match c.peek() {
                    None | Some(b'\n' | b'\r') => Scan::Subject { end: c.i },
                    Some(_) => Scan::Exact { from: c.i },
                }
            }
            Err(Bail) => Scan::Exact { from: c.i },
        }
    }

    /// The subject object: `kind` read apart, the task's category required.
    fn top(&mut self, c: &mut Cur) -> Fast<()> {
        let mut fields = std::mem::take(&mut self.subject.fields.0);
        for (_, v) in fields.drain(..) {
            self.state.pool.reclaim(v);
        }
        let read = self.top_members(c, &mut fields);
        self.subject.fields.0 = fields;
        let kind = read?;
        self.subject.kind = kind;
        if kind == SubjectKind::Task
            && matches!(
                self.subject.fields.get("category"),
                None | Some(Value::Null)
            )
        {
            return Err(Bail);
        }
        Ok(())
    }

    fn top_members(
        &mut self,
        c: &mut Cur,
        fields: &mut Vec<(Cow<'static, str>, Value)>,
    ) -> Fast<SubjectKind> {
        const KIND: usize = 0;
        c.eat(b'{')?;
        c.ws();
        let mut kind = SubjectKind::Task;
        if c.peek() == Some(b'}') {
            c.i += 1;
            return Ok(kind);
        }
        let mut known: u64 = 0;
        let mut ctx = FIRST_AT_TOP;
        loop {
            let (key, index) = self.state.key(c, 0, &mut known, ctx)?;
            ctx = after(index);
            if index == Some(KIND) {
                kind = match c.peek() {
                    Some(b'n') => {
                        // `null` is no kind: a task, as the exact reader has it.
                        c.literal(b"null")?;
                        SubjectKind::Task
                    }
                    _ => match trim(c.string()?.0) {
                        "task" => SubjectKind::Task,
                        "community" => SubjectKind::Community,
                        "assessment" => SubjectKind::Assessment,
                        _ => return Err(Bail),
                    },
                };
            } else {
                // A field the policy declares is typed by its declaration: the exact
                // reader's to read.
                if self.declared.iter().any(|d| d.as_bytes() == key.as_bytes()) {
                    return Err(Bail);
                }
                // A near miss of a field (`comunity_role`) is the exact reader's to refuse,
                // by the schema it reads with (the contract's and the policy's fields).
                if index.is_none()
                    && (schema::contract().misspelt_top(key).is_some()
                        || schema::misspelt_top(self.declared.iter().map(String::as_str), key)
                            .is_some())
                {
                    return Err(Bail);
                }
                let ty = index
                    .and_then(|k| self.top.get(k).copied().flatten())
                    .map_or(&ANY, |s| &s.ty);
                let child = self.root.child(key.as_bytes(), index);
                if let Some(v) = self.state.value(c, ty, child, first_under(index))? {
                    if is_blank_text(&v) {
                        self.state.pool.reclaim(v);
                    } else {
                        fields.push((name(key, index), v));
                    }
                }
            }
            c.ws();
            match c.peek() {
                Some(b',') => c.i += 1,
                Some(b'}') => {
                    c.i += 1;
                    return Ok(kind);
                }
                _ => return Err(Bail),
            }
        }
    }
}

// ------------------------------------------------------------------ blocks of lines

/// How much a block holds, at least (bar the last): large reads, few hand-overs.
pub const BLOCK_BYTES: usize = 1 << 18;

/// Whole lines of JSON Lines input, as [`Blocks`] reads them, numbered from `first_line`.
#[derive(Debug, Default)]
pub struct Block {
    /// The number of the block's first line.
    pub first_line: usize,
    /// How many lines it holds (blank ones included).
    pub lines: usize,
    bytes: Vec<u8>,
    /// Lines longer than [`MAX_LINE_BYTES`] that were skipped without being kept: each is
    /// an empty line in `bytes`.
    too_long: Vec<usize>,
    /// The input could not be read further: the error, at the line after the block's.
    error: Option<InputError>,
}

/// One line of a [`Block`], as [`Block::for_each`] hands it over.
pub enum Item<'a> {
    /// An ordinary subject, read by the fast path (only the fields the policy reads).
    Subject(&'a Subject),
    /// A line for the exact reader ([`parse_line`](super::parse_line)): an error, or
    /// something the fast path does not read.
    Exact(&'a [u8]),
    /// An error the reader found: a line over [`MAX_LINE_BYTES`], or the input could not be
    /// read further.
    Error(InputError),
}

/// The error for a line longer than [`MAX_LINE_BYTES`] (the exact reader's words).
pub(super) fn too_long(origin: &str, line: usize) -> InputError {
    InputError::new(
        origin,
        line,
        1,
        format!("the line is longer than {MAX_LINE_BYTES} bytes"),
        "",
    )
}

/// Whether `b` ends a line.
fn line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

impl Block {
    /// Hand each non-blank line to `f` with its number, in order: read by `decoder` when it
    /// can, else as bytes for the exact reader; then the read error, if any.
    pub fn for_each(
        &mut self,
        origin: &str,
        decoder: &mut LineDecoder,
        mut f: impl FnMut(usize, Item<'_>),
    ) {
        let s = self.bytes.as_slice();
        // One check of the whole block (a line that is not UTF-8 has its error from the
        // exact reader, which the fast path then hands it to).
        let text = simdutf8::basic::from_utf8(s).ok();
        let mut i = 0;
        let mut line = self.first_line;
        while i < s.len() {
            let rest = s.get(i..).unwrap_or(&[]);
            let (end, subject) = match decoder.scan(rest, text.and_then(|t| t.get(i..))) {
                Scan::Subject { end } => (end, true),
                Scan::Blank { end } => (end, false),
                Scan::Exact { from } => {
                    let after = rest.get(from..).unwrap_or(&[]);
                    let to = memchr::memchr2(b'\n', b'\r', after).unwrap_or(after.len());
                    (from + to, false)
                }
            };
            let text = rest.get(..end).unwrap_or(&[]);
            if end > MAX_LINE_BYTES || self.too_long.contains(&line) {
                f(line, Item::Error(too_long(origin, line)));
            } else if subject {
                f(line, Item::Subject(&decoder.subject));
            } else if !text.iter().all(|b| matches!(b, b' ' | b'\t')) {
                f(line, Item::Exact(text));
            }
            i += end;
            match s.get(i) {
                Some(b'\r') if s.get(i + 1) == Some(&b'\n') => i += 2,
                Some(_) => i += 1,
                None => {}
            }
            line += 1;
        }
        if let Some(e) = self.error.take() {
            // The item stands at the line the reading stopped in (the error itself, an I/O
            // error, has none).
            f(line, Item::Error(e));
        }
    }
}

/// Reads JSON Lines in blocks of whole lines, as [`SubjectReader::json_lines`] reads them
/// line by line: one UTF-8 byte-order mark at the start skipped; line ends `\n`, `\r\n` or a
/// lone `\r`; a line over [`MAX_LINE_BYTES`] an error, skipped without being kept; a read
/// error the end, reported at the line it stopped in. Memory is bounded by a block and
/// [`MAX_LINE_BYTES`].
///
/// [`SubjectReader::json_lines`]: super::SubjectReader::json_lines
pub struct Blocks<R> {
    reader: R,
    origin: String,
    /// Lines handed out so far.
    line: usize,
    /// The start of a line not yet ended, read with the last block.
    carry: Vec<u8>,
    started: bool,
    done: bool,
    /// The last block ended with `\r`: a `\n` first in the next is the same line end.
    after_cr: bool,
    block_bytes: usize,
    spare: Vec<Vec<u8>>,
}

impl<R: Read> Blocks<R> {
    /// Read from `reader`; `origin` names it in errors.
    pub fn new(reader: R, origin: impl Into<String>) -> Self {
        Blocks {
            reader,
            origin: origin.into(),
            line: 0,
            carry: Vec::new(),
            started: false,
            done: false,
            after_cr: false,
            block_bytes: BLOCK_BYTES,
            spare: Vec::new(),
        }
    }

    /// Blocks of about `bytes` (for tests of lines cut across reads).
    #[doc(hidden)]
    pub fn with_block_bytes(mut self, bytes: usize) -> Self {
        self.block_bytes = bytes.max(1);
        self
    }

    /// Give a block back once its lines are decided, so its buffer is used again.
    pub fn recycle(&mut self, block: Block) {
        // Not cleared: its bytes stay initialised for the next block to read into.
        if self.spare.len() < 4 {
            self.spare.push(block.bytes);
        }
    }

    /// Append what one `read` gives: `Ok(false)` at the end of the input.
    fn read_some(&mut self, buf: &mut Buf, want: usize) -> std::io::Result<bool> {
        loop {
            match self.reader.read(buf.room(want.max(1))) {
                Ok(n) => {
                    buf.len += n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// The next block, `None` at the end of the input.
    pub fn next_block(&mut self) -> Option<Block> {
        if self.done {
            return None;
        }
        let mut buf = Buf {
            bytes: self.spare.pop().unwrap_or_default(),
            len: 0,
        };
        buf.extend(&self.carry);
        let mut too_long = Vec::new();
        let mut eof = false;
        let mut error = None;
        // Bytes of `buf` known to hold no line end (so a long line is not searched again).
        let mut searched = 0;
        let cut = loop {
            let before = buf.len;
            let want = self.block_bytes.saturating_sub(buf.len).max(1 << 16);
            match self.read_some(&mut buf, want) {
                Ok(true) => {}
                Ok(false) => eof = true,
                Err(e) => error = Some(e),
            }
            if !self.started && (buf.len >= 3 || eof || error.is_some()) {
                self.started = true;
                if buf.filled().starts_with(b"\xef\xbb\xbf") {
                    buf.remove(0, 3);
                }
            }
            if self.after_cr && buf.len > before {
                self.after_cr = false;
                if buf.filled().get(before) == Some(&b'\n') {
                    buf.remove(before, 1);
                }
            }
            if eof {
                break buf.len;
            }
            let last_end =
                memchr::memrchr2(b'\n', b'\r', buf.filled().get(searched..).unwrap_or(&[]))
                    .map(|i| searched + i + 1);
            if error.is_some() {
                // What follows the last line end is a line cut short: not read.
                let cut = last_end.unwrap_or(0);
                buf.len = cut;
                break cut;
            }
            match last_end {
                Some(cut) if buf.len >= self.block_bytes || buf.len - before < want => {
                    break cut;
                }
                Some(_) => {}
                None => {
                    searched = buf.len;
                    // `buf` is one line still open: beyond the limit, it is skipped to its
                    // end and an empty line keeps its place.
                    if buf.len > MAX_LINE_BYTES {
                        buf.len = 0;
                        match self.skip_line() {
                            Ok((rest, more)) => {
                                too_long.push(self.line + 1);
                                buf.extend(b"\n");
                                buf.extend(&rest);
                                searched = 0;
                                if !more {
                                    eof = true;
                                    break buf.len;
                                }
                            }
                            // As the exact reader: the error is at the line it stopped in.
                            Err(e) => {
                                error = Some(e);
                                break 0;
                            }
                        }
                    }
                }
            }
        };
        self.carry.clear();
        self.carry
            .extend_from_slice(buf.filled().get(cut..).unwrap_or(&[]));
        buf.len = cut;
        let buf = buf.into_vec();
        self.after_cr = !eof && buf.last() == Some(&b'\r') && self.carry.is_empty();
        self.started = true;
        let lines = count_lines(&buf);
        let block = Block {
            first_line: self.line + 1,
            lines,
            bytes: buf,
            too_long,
            // As the exact reader reports it: an I/O error has no line.
            error: error.map(|e| InputError::io(&self.origin, &e)),
        };
        self.line += lines;
        if eof || block.error.is_some() {
            self.done = true;
            if lines == 0 && block.error.is_none() {
                return None;
            }
        }
        Some(block)
    }

    /// Skip the rest of a line over the limit: what follows its end, and whether there is
    /// more input after that.
    fn skip_line(&mut self) -> std::io::Result<(Vec<u8>, bool)> {
        let mut read = Buf::default();
        loop {
            read.len = 0;
            if !self.read_some(&mut read, 1 << 16)? {
                return Ok((Vec::new(), false));
            }
            let mut chunk = read.filled().to_vec();
            if let Some(i) = memchr::memchr2(b'\n', b'\r', &chunk) {
                let mut rest = chunk.split_off(i + 1);
                if chunk.last() == Some(&b'\r') {
                    if rest.is_empty() {
                        // The `\n` of a `\r\n` may come with the next read.
                        self.after_cr = true;
                    } else if rest.first() == Some(&b'\n') {
                        rest.remove(0);
                    }
                }
                return Ok((rest, true));
            }
        }
    }
}

/// A read buffer whose bytes beyond `len` stay initialised from earlier blocks, so reading
/// into it needs no zero-filling (`memset` of each 256 KiB block was 2 % of the
/// instructions of deciding the peer file).
#[derive(Default)]
struct Buf {
    bytes: Vec<u8>,
    /// The bytes read (the rest of `bytes` is stale).
    len: usize,
}

impl Buf {
    fn filled(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }

    /// `want` bytes after those read, to read into (zero-filled only where never used).
    fn room(&mut self, want: usize) -> &mut [u8] {
        let end = self.len + want;
        if self.bytes.len() < end {
            self.bytes.resize(end, 0);
        }
        self.bytes.get_mut(self.len..end).unwrap_or(&mut [])
    }

    fn extend(&mut self, data: &[u8]) {
        self.room(data.len()).copy_from_slice(data);
        self.len += data.len();
    }

    /// Remove `n` bytes at `at`.
    fn remove(&mut self, at: usize, n: usize) {
        if at + n <= self.len {
            self.bytes.copy_within(at + n..self.len, at);
            self.len -= n;
        }
    }

    fn into_vec(mut self) -> Vec<u8> {
        self.bytes.truncate(self.len);
        self.bytes
    }
}

/// The lines in `bytes`: line ends (`\r\n` counted once), and a last line without one.
fn count_lines(bytes: &[u8]) -> usize {
    let mut lines = memchr::memchr_iter(b'\n', bytes).count();
    if memchr::memchr(b'\r', bytes).is_some() {
        let returns = memchr::memchr_iter(b'\r', bytes).count();
        let pairs = memchr::memmem::find_iter(bytes, b"\r\n").count();
        lines += returns - pairs;
    }
    if bytes.last().is_some_and(|&b| !line_end(b)) {
        lines += 1;
    }
    lines
}
