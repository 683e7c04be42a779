//! Values of subjects and policies: dates, JSON-like values, and subjects.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::date::Date;
use crate::schema::SubjectKind;
use crate::schema::{self, FieldSpec, FieldType, Schema};

/// A value in a subject: what JSON can hold. Made from Rust values with `From` (texts,
/// numbers, `bool`s, dates, `Option`s, lists and slices), and read from any JSON.
///
/// ```
/// use zhunru::{Date, Value};
/// assert_eq!(Value::from(3000u32), Value::Number(3000.0));
/// assert_eq!(Value::from(Date::new(2020, 6, 30)?), Value::from("2020-06-30"));
/// assert_eq!(Value::from(None::<&str>), Value::Null);
/// assert_eq!(Value::from(&["甲", "乙"][..]), Value::List(vec!["甲".into(), "乙".into()]));
/// let read: Value = serde_json::from_str(r#"{"amount": 3000, "per": "once"}"#)?;
/// assert_eq!(serde_json::to_string(&read)?, r#"{"amount":3000,"per":"once"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string (dates are strings checked to be dates).
    Text(String),
    /// An array.
    List(Vec<Value>),
    /// An object, fields in input order.
    Object(Fields),
}

/// An object's fields, in input order.
///
/// ```
/// use zhunru::{Subject, Value};
/// let task = Subject::task("企业摸底").with("funding.amount", 3000)?;
/// let names: Vec<&str> = task.fields().iter().map(|(name, _)| name).collect();
/// assert_eq!(names, ["category", "funding"]);
/// assert_eq!(task.fields().get("category"), Some(&Value::from("企业摸底")));
/// # Ok::<(), zhunru::FieldError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(pub(crate) Vec<(Cow<'static, str>, Value)>);

impl Fields {
    /// The value of a field (one name, not a path), if present.
    ///
    /// ```
    /// use zhunru::{Fields, Value};
    /// let fields: Fields = [("category", Value::from("企业摸底"))].into_iter().collect();
    /// assert_eq!(fields.get("category"), Some(&Value::from("企业摸底")));
    /// ```
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| schema::same(k.as_bytes(), name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// Set a field, replacing an earlier value of the same name.
    ///
    /// ```
    /// use zhunru::{Fields, Value};
    /// let mut fields = Fields::default();
    /// fields.set("amount", Value::from(3000));
    /// fields.set("amount", Value::from(5000));
    /// assert_eq!((fields.len(), fields.get("amount")), (1, Some(&Value::from(5000))));
    /// ```
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        let name = name.into();
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key(&name), value)),
        }
    }

    /// The fields, in order: name and value.
    ///
    /// ```
    /// use zhunru::{Fields, Value};
    /// let fields: Fields = [("a", Value::from(1)), ("b", Value::from(2))].into_iter().collect();
    /// assert_eq!(fields.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// How many fields there are.
    ///
    /// ```
    /// assert_eq!(zhunru::Fields::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// assert!(zhunru::Fields::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Follow a dotted path (`"funding.amount"`): the path syntax of
    /// [`Subject::get`] and [`Subject::with`].
    ///
    /// ```
    /// use zhunru::{Subject, Value};
    /// let task = Subject::task("企业摸底").with("funding.amount", 3000)?;
    /// assert_eq!(task.fields().get_path("funding.amount"), Some(&Value::from(3000)));
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn get_path(&self, path: &str) -> Option<&Value> {
        self.get_parts(path.split('.'))
    }

    /// Follow a path given as its names.
    pub(crate) fn get_parts<S: AsRef<str>>(
        &self,
        path: impl IntoIterator<Item = S>,
    ) -> Option<&Value> {
        let mut path = path.into_iter();
        let first = path.next()?;
        let mut value = self.get(first.as_ref())?;
        for name in path {
            match value {
                Value::Object(fields) => value = fields.get(name.as_ref())?,
                _ => return None,
            }
        }
        Some(value)
    }
}

/// Fields from names and values, in order (a later value of a name replaces an earlier).
impl<K: AsRef<str>> FromIterator<(K, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(items: I) -> Self {
        let mut fields = Fields::default();
        for (k, v) in items {
            fields.set(k.as_ref(), v);
        }
        fields
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}
impl From<f32> for Value {
    fn from(n: f32) -> Self {
        Value::Number(f64::from(n))
    }
}
/// Integers that an `f64` holds exactly.
macro_rules! exact_integers {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(f64::from(n))
            }
        }
    )*};
}
exact_integers!(i8, i16, i32, u8, u16, u32);
/// Integers beyond ±2^53 are rounded to the nearest `f64`, as JSON numbers are (the JSON
/// reader refuses them; the builder cannot, `From` being infallible).
macro_rules! wide_integers {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(n: $t) -> Self {
                Value::Number(n as f64)
            }
        }
    )*};
}
wide_integers!(i64, u64, isize, usize);
impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<Date> for Value {
    fn from(d: Date) -> Self {
        Value::Text(d.to_string())
    }
}
/// `None` is JSON's `null`: given as nothing.
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Value> + Clone> From<&[T]> for Value {
    fn from(items: &[T]) -> Self {
        Value::List(items.iter().cloned().map(Into::into).collect())
    }
}
impl<T: Into<Value>, const N: usize> From<[T; N]> for Value {
    fn from(items: [T; N]) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}
impl From<Fields> for Value {
    fn from(fields: Fields) -> Self {
        Value::Object(fields)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
            Value::Number(n) => s.serialize_f64(*n),
            Value::Text(t) => s.serialize_str(t),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Object(fields) => fields.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(Typed {
            ty: &schema::ANY,
            parent: "",
            name: "",
            depth: 1,
        })
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// One subject put to a policy: a task, a community's premises, or an assessment plan.
///
/// Its JSON form is the contract's: an object whose `kind` is `task` (the default),
/// `community` or `assessment`. Known fields are type-checked as they are read, so a
/// mistyped field is an error that carries its line and column.
///
/// ```
/// use zhunru::Subject;
/// let task: Subject = serde_json::from_str(r#"{"category": "招商引资"}"#).unwrap();
/// assert_eq!(task.category(), Some("招商引资"));
/// let bad = serde_json::from_str::<Subject>(r#"{"category": "x", "funding": {"amount": "三千"}}"#);
/// assert!(bad.unwrap_err().to_string().contains("funding.amount"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Subject {
    pub(crate) kind: SubjectKind,
    /// Its fields (without `kind`), as given.
    pub(crate) fields: Fields,
}

impl Subject {
    /// A task with the given category, taken as given (`Subject::new(SubjectKind::Task)
    /// .with("category", …)` checks it as the JSON reader does: not blank, no control
    /// character); add fields with [`Subject::with`]. The contract's
    /// defaults (`community_role` assist, `approval.status` none, `name` the category) apply
    /// when a field is read with [`Subject::get`], as for a task read from JSON.
    ///
    /// ```
    /// use zhunru::{Subject, Value};
    /// let task = Subject::task("食品安全协管")
    ///     .with("id", "T-2020-0031")?
    ///     .with("requester", "区市场监管局")?
    ///     .with("basis", ["中华人民共和国食品安全法"])?
    ///     .with("funding.amount", 300)?
    ///     .with("funding.per", "month")?;
    /// assert_eq!(task.get_number("funding.amount"), Some(300.0));
    /// assert_eq!(task.get_str("community_role"), Some("assist")); // the contract's default
    /// // Its JSON is the contract's.
    /// let json = serde_json::to_value(&task)?;
    /// assert_eq!(json["funding"], serde_json::json!({"amount": 300, "per": "month"}));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn task(category: impl Into<String>) -> Subject {
        let mut fields = Fields::default();
        fields.set("category", Value::Text(category.into()));
        Subject::from_fields(SubjectKind::Task, fields)
    }

    /// A subject of the given kind with no fields yet.
    ///
    /// ```
    /// use zhunru::{Subject, SubjectKind};
    /// let plan = Subject::new(SubjectKind::Assessment).with("indicators", ["群众满意度"])?;
    /// assert_eq!(plan.kind(), SubjectKind::Assessment);
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn new(kind: SubjectKind) -> Subject {
        Subject::from_fields(kind, Fields::default())
    }

    /// Set a field by dotted path (`"funding.amount"`, the path syntax of [`Subject::get`]),
    /// creating objects on the way; a value already there is replaced. A field the contract
    /// knows is checked as JSON input is: a value of the wrong type (`"3000"` for
    /// `funding.amount`), a date that does not exist, a word outside an enumeration, or a
    /// path through a field that is not an object, is a [`FieldError`] naming the path; so
    /// is a period (any span of dates) set to end before it starts, `kind` (the subject's
    /// own, given by [`Subject::task`] or [`Subject::new`]), and a blank `category` of a task.
    /// Anywhere in a value, known field or not, what the JSON reader refuses is refused too,
    /// so that a built subject's JSON reads back to it: a text with a control character, a
    /// number not finite or at or past ±2^53 (a wider integer is rounded on its way into a
    /// [`Value`]), lists or objects nested 128 deep.
    /// Read as JSON is: a date or an enumeration is trimmed, list items are trimmed and
    /// blank ones dropped, a blank text leaves the field absent. Fields the contract does
    /// not name are kept as given.
    ///
    /// ```
    /// use zhunru::Subject;
    /// let task = Subject::task("企业摸底").with("funding.amount", 3000)?;
    /// let error = task.clone().with("funding.amount", "3000").unwrap_err();
    /// assert_eq!(error.path(), "funding.amount");
    /// assert_eq!(error.to_string(), "field `funding.amount` should be a number, found the string \"3000\"");
    /// assert!(task.clone().with("period.end", "2020-02-30").is_err());
    /// // A period may not end before it starts: the one of its ends set last is refused.
    /// let starts = task.clone().with("period.start", "2020-07-01")?;
    /// let error = starts.with("period.end", "2020-06-30").unwrap_err();
    /// assert_eq!(error.to_string(), "field `period.end` should be a date no earlier than `period.start` (2020-07-01), found \"2020-06-30\"");
    /// assert!(task.clone().with("community_role", "boss").is_err());
    /// assert!(task.clone().with("category.name", "x").is_err());
    /// assert!(task.with("district_note", 7).is_ok()); // not the contract's: kept as given
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn with(mut self, path: &str, value: impl Into<Value>) -> Result<Subject, FieldError> {
        let value = value.into();
        let names: Vec<&str> = path.split('.').collect();
        if names.iter().any(|n| n.trim().is_empty()) {
            return Err(FieldError::new(
                path,
                format!("`{path}` is not a field path (names joined by `.`)"),
            ));
        }
        // `kind` is the subject's own (`Subject::task`, `Subject::new`): set as a field it
        // was written out twice, and the JSON could not be read back.
        if names.first() == Some(&"kind") {
            return Err(FieldError::new(
                path,
                "`kind` is the subject's kind, given by `Subject::task` or `Subject::new`, not a field"
                    .to_owned(),
            ));
        }
        // What the JSON reader refuses anywhere in a subject, refused here too, so that a
        // built subject's JSON is one the reader takes back.
        readable(path, &value, names.len() + 1)?;
        let value = checked(path, &names, value)?;
        if self.kind == SubjectKind::Task && path == "category" && value.is_none() {
            return Err(FieldError::new(
                path,
                "a task needs a `category` (the item's name): it may not be blank".to_owned(),
            ));
        }
        let Some((last, parents)) = names.split_last() else {
            return Ok(self);
        };
        let mut fields = &mut self.fields;
        for name in parents {
            if !matches!(fields.get(name), Some(Value::Object(_))) {
                fields.set(*name, Value::Object(Fields::default()));
            }
            let Some(Value::Object(inner)) =
                fields.0.iter_mut().find(|(k, _)| k == name).map(|(_, v)| v)
            else {
                return Ok(self);
            };
            fields = inner;
        }
        match value {
            // A blank text is an absent field, as in JSON and CSV input.
            None => fields.0.retain(|(k, _)| k != last),
            Some(value) => fields.set(*last, value),
        }
        // A span may not end before it starts; the end just set is the one refused.
        let blame = match *last {
            "start" => Some(SpanEnd::Start),
            "end" => Some(SpanEnd::End),
            _ => None,
        };
        if let Some((named, message)) =
            subject_span_conflict(schema::contract(), self.kind, &self.fields, blame)
        {
            return Err(FieldError::new(&named, message));
        }
        Ok(self)
    }

    pub(crate) fn from_fields(kind: SubjectKind, fields: Fields) -> Subject {
        Subject { kind, fields }
    }

    /// A subject from fields taken as they are, unchecked: for tests that put values no
    /// reader lets through to the engine.
    #[doc(hidden)]
    pub fn unchecked(kind: SubjectKind, fields: Fields) -> Subject {
        Subject { kind, fields }
    }

    /// What it is: a task, a community's premises, or an assessment plan.
    ///
    /// ```
    /// use zhunru::{Subject, SubjectKind};
    /// assert_eq!(Subject::task("企业摸底").kind(), SubjectKind::Task);
    /// ```
    pub fn kind(&self) -> SubjectKind {
        self.kind
    }

    /// Its fields (without `kind`) as given, in order; read them with [`Subject::get`] to
    /// have the contract's defaults.
    ///
    /// ```
    /// use zhunru::Subject;
    /// let task = Subject::task("企业摸底");
    /// assert_eq!(task.fields().len(), 1);
    /// assert!(task.fields().get("community_role").is_none()); // the default is not stored
    /// ```
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The value at a dotted path (`"approval.status"`), with the contract's defaults for a
    /// task when the field is absent: `community_role` is `assist`, `approval.status` is
    /// `none`, `name` is the category. Defaults are not stored, so a subject serialises as
    /// it was given.
    ///
    /// ```
    /// use zhunru::{Subject, Value};
    /// let task = Subject::task("企业摸底").with("period.end", "2020-06-30")?;
    /// assert_eq!(task.get("period.end"), Some(&Value::from("2020-06-30")));
    /// assert_eq!(task.get("approval.status"), Some(&Value::from("none")));
    /// assert_eq!(task.get("funding.amount"), None);
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn get(&self, path: &str) -> Option<&Value> {
        let names: Vec<&str> = path.split('.').collect();
        self.get_at(&names)
    }

    /// The text at a dotted path (defaults as [`Subject::get`]); `None` when absent or not
    /// a text.
    ///
    /// ```
    /// use zhunru::Subject;
    /// let task = Subject::task("企业摸底").with("approval.by", "区社区建设领导小组")?;
    /// assert_eq!(task.get_str("approval.by"), Some("区社区建设领导小组"));
    /// assert_eq!(task.get_str("community_role"), Some("assist"));
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn get_str(&self, path: &str) -> Option<&str> {
        match self.get(path)? {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The number at a dotted path; `None` when absent or not a number.
    ///
    /// ```
    /// use zhunru::Subject;
    /// let task = Subject::task("企业摸底").with("funding.amount", 3000)?;
    /// assert_eq!(task.get_number("funding.amount"), Some(3000.0));
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn get_number(&self, path: &str) -> Option<f64> {
        match self.get(path)? {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The date at a dotted path; `None` when absent or not a date `YYYY-MM-DD`.
    ///
    /// ```
    /// use zhunru::{Date, Subject};
    /// let task = Subject::task("企业摸底").with("period.end", Date::new(2020, 6, 30)?)?;
    /// assert_eq!(task.get_date("period.end"), Some(Date::new(2020, 6, 30)?));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get_date(&self, path: &str) -> Option<Date> {
        Date::parse(self.get_str(path)?)
    }

    /// The yes/no at a dotted path; `None` when absent or not `true`/`false`.
    ///
    /// ```
    /// use zhunru::Subject;
    /// let task = Subject::task("企业摸底").with("work_plan", true)?;
    /// assert_eq!(task.get_bool("work_plan"), Some(true));
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn get_bool(&self, path: &str) -> Option<bool> {
        match self.get(path)? {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value at a path given as its names, with the contract's defaults (see
    /// [`Subject::get`]).
    pub(crate) fn get_at<S: AsRef<str>>(&self, path: &[S]) -> Option<&Value> {
        self.lookup(path).ok()
    }

    /// [`Subject::get_at`] in one walk of the path: when nothing is there, whether a
    /// default may fill it (see `walk`), so a caller with defaults of its own need not walk
    /// the path again.
    pub(crate) fn lookup<S: AsRef<str>>(&self, path: &[S]) -> Result<&Value, bool> {
        let defaultable = match walk(&self.fields, path) {
            Ok(v) => return Ok(v),
            Err(defaultable) => defaultable,
        };
        if self.kind == SubjectKind::Task && matches!(path, [one] if one.as_ref() == "name") {
            // The contract: a task's `name` is its `category` unless given.
            return self.fields.get("category").ok_or(defaultable);
        }
        match contract_default(self.kind, path) {
            Some(default) if defaultable => Ok(default),
            _ => Err(defaultable),
        }
    }

    /// Read one subject from JSON text, as a request body or a form would hold it. A mistyped
    /// field or bad JSON is an [`InputError`](crate::InputError) (a miette diagnostic) at its
    /// line and column of `text`; `origin` names the text in it.
    ///
    /// Typed by the contract's fields alone: a field a policy declares (`字段`) is kept as
    /// an unknown field, unchecked; [`Policy::subject_from_json`](crate::Policy::subject_from_json)
    /// checks it too, as `zhunru eval` does. The text's size is the caller's to bound
    /// (`zhunru eval` and `zhunru serve` take at most 1 MiB a subject).
    ///
    /// ```
    /// use zhunru::Subject;
    /// let task = Subject::from_json("form", r#"{"category": "企业摸底", "funding": {"amount": 3000}}"#)?;
    /// assert_eq!(task.category(), Some("企业摸底"));
    /// let bad = Subject::from_json("form", r#"{"category": "企业摸底", "period": {"end": "2020-02-30"}}"#);
    /// let error = bad.unwrap_err();
    /// assert_eq!(error.location(), "form:1:40");
    /// assert_eq!(error.field(), Some("period.end"));
    /// assert!(error.message().contains("should be a date"));
    /// # Ok::<(), zhunru::InputError>(())
    /// ```
    pub fn from_json(origin: &str, text: &str) -> Result<Subject, crate::InputError> {
        Subject::from_json_typed(None, origin, text)
    }

    /// [`Subject::from_json`] typed by `schema` (`None`: the contract's).
    pub(crate) fn from_json_typed(
        schema: Option<&Schema>,
        origin: &str,
        text: &str,
    ) -> Result<Subject, crate::InputError> {
        subject_from_str(schema, text).map_err(|e| {
            let line_text = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
            crate::InputError::new(
                origin,
                e.line(),
                e.column(),
                crate::diagnostic::json_message(&e),
                line_text,
            )
        })
    }

    /// The task's category, if it has one.
    ///
    /// ```
    /// assert_eq!(zhunru::Subject::task("招商引资").category(), Some("招商引资"));
    /// ```
    pub fn category(&self) -> Option<&str> {
        match self.fields.get("category") {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The `sent_on` field as a date: when a logged task was sent (`None` when absent or
    /// not a `YYYY-MM-DD` date).
    ///
    /// ```
    /// let task = zhunru::Subject::task("招商引资").with("sent_on", "2024-03-01")?;
    /// assert_eq!(task.sent_on(), zhunru::Date::parse("2024-03-01"));
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn sent_on(&self) -> Option<Date> {
        match self.fields.get("sent_on") {
            Some(Value::Text(t)) => Date::parse(t),
            _ => None,
        }
    }

    /// The `id` field, if any.
    ///
    /// ```
    /// let task = zhunru::Subject::task("招商引资").with("id", "T-1")?;
    /// assert_eq!(task.id(), Some("T-1"));
    /// # Ok::<(), zhunru::FieldError>(())
    /// ```
    pub fn id(&self) -> Option<&str> {
        match self.fields.get("id") {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// A short label: the id, else the name or category, else the kind.
    ///
    /// ```
    /// use zhunru::{Subject, SubjectKind};
    /// assert_eq!(Subject::task("招商引资").label(), "招商引资");
    /// assert_eq!(Subject::new(SubjectKind::Community).label(), "community");
    /// ```
    pub fn label(&self) -> String {
        for key in ["id", "name", "category", "assessor"] {
            if let Some(Value::Text(t)) = self.fields.get(key) {
                return t.clone();
            }
        }
        self.kind.as_str().to_owned()
    }
}

impl Serialize for Subject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.0.len() + 1))?;
        map.serialize_entry("kind", self.kind.as_str())?;
        for (k, v) in &self.fields.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Subject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SubjectVisitor {
            schema: schema::contract(),
        })
    }
}

/// Reads a subject typed by a schema: the contract's and a policy's declared fields.
pub(crate) struct SubjectSeed<'a>(pub(crate) &'a Schema);

impl<'de> DeserializeSeed<'de> for SubjectSeed<'_> {
    type Value = Subject;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Subject, D::Error> {
        d.deserialize_map(SubjectVisitor { schema: self.0 })
    }
}

/// A subject from JSON text typed by `schema` (`None`: the contract's), as
/// `serde_json::from_slice` would read it, trailing text refused.
pub(crate) fn subject_from_slice(
    schema: Option<&Schema>,
    bytes: &[u8],
) -> serde_json::Result<Subject> {
    subject_from(schema, serde_json::Deserializer::from_slice(bytes))
}

/// [`subject_from_slice`] of text already known to be UTF-8, which is then not checked
/// again string by string (a decide over HTTP spent 3 % of its own CPU time there).
fn subject_from_str(schema: Option<&Schema>, text: &str) -> serde_json::Result<Subject> {
    subject_from(schema, serde_json::Deserializer::from_str(text))
}

/// A subject typed by `schema` (`None`: the contract's) from `d`, trailing text refused.
fn subject_from<'de, R: serde_json::de::Read<'de>>(
    schema: Option<&Schema>,
    mut d: serde_json::Deserializer<R>,
) -> serde_json::Result<Subject> {
    let seed = SubjectSeed(schema.unwrap_or_else(|| schema::contract()));
    let subject = seed.deserialize(&mut d)?;
    d.end()?;
    Ok(subject)
}

/// A field name: the schema's own `&'static str` for every name the contract knows, so
/// reading a subject allocates no key for them (profiled: key strings were a large share of
/// allocations); other names are owned.
fn key(name: &str) -> Cow<'static, str> {
    match schema::known_name(name) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(name.to_owned()),
    }
}

/// Reads an object key without allocating when it is a known field name.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'static, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'static, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(key(v))
    }
}

struct SubjectVisitor<'a> {
    schema: &'a Schema,
}

impl<'de> Visitor<'de> for SubjectVisitor<'_> {
    type Value = Subject;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a subject: a JSON object such as {\"category\": \"招商引资\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Subject, A::Error> {
        let mut kind = None;
        let mut fields = Fields::default();
        // Fields given as blank text: absent, but still names that may not repeat.
        let mut blank: Vec<Cow<'static, str>> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == "kind" {
                if kind.is_some() {
                    return Err(de::Error::custom("field `kind` is given twice"));
                }
                let text: String = map
                    .next_value_seed(Typed {
                        ty: schema::kind_type(),
                        parent: "",
                        name: "kind",
                        depth: 2,
                    })?
                    .into_text();
                kind = Some(match text.as_str() {
                    "community" => SubjectKind::Community,
                    "assessment" => SubjectKind::Assessment,
                    _ => SubjectKind::Task,
                });
                continue;
            }
            if fields.get(&key).is_some() || blank.contains(&key) {
                return Err(de::Error::custom(format!("field `{key}` is given twice")));
            }
            let value = match self.schema.top_level(&key, kind) {
                Some(spec) => map.next_value_seed(Typed {
                    ty: &spec.ty,
                    parent: "",
                    name: &spec.name,
                    depth: 2,
                })?,
                None => {
                    if let Some(why) = self.schema.misspelt_top(&key) {
                        return Err(de::Error::custom(format!("field `{key}`: {why}")));
                    }
                    map.next_value_seed(Typed {
                        ty: &schema::ANY,
                        parent: "",
                        name: "",
                        depth: 2,
                    })?
                }
            };
            // A blank text is an absent field, as an empty CSV cell is (the readers agree).
            if value.is_blank_text() {
                blank.push(key);
                continue;
            }
            fields.0.push((key, value));
        }
        let kind = kind.unwrap_or(SubjectKind::Task);
        // `null` is no category either (a blank one was dropped above).
        if kind == SubjectKind::Task && matches!(fields.get("category"), None | Some(Value::Null)) {
            // An envelope where a bare subject belongs (a batch line, a pasted request):
            // say so, not only that the category is missing.
            if matches!(fields.get("subject"), Some(Value::Object(_))) {
                return Err(de::Error::custom(
                    "a task needs a `category` (what the lists are matched against); this is an envelope with the task under `subject`: here each subject is given bare, and the district and date as `?district=&as_of=` (serve) or `--policy`/`--as-of` (eval)",
                ));
            }
            return Err(de::Error::custom(
                "a task needs a `category` (what the lists are matched against)",
            ));
        }
        Ok(Subject::from_fields(kind, fields))
    }
}

impl Value {
    fn into_text(self) -> String {
        match self {
            Value::Text(t) => t,
            _ => String::new(),
        }
    }

    /// A text that is empty or white space only (U+3000 included): the readers' "blank".
    fn is_blank_text(&self) -> bool {
        matches!(self, Value::Text(t) if t.trim().is_empty())
    }
}

/// The first control character in a subject's text that is not a tab or a line end, with
/// the message refusing it for field `path` (empty when the field has no name). JSON can
/// only carry one escaped (`\u001b`), and such a character has no place in a category or a
/// name: printed in a reviewer's terminal, ESC and BEL recolour or retitle it, and NUL
/// ends a C string downstream. The C0 controls only: DEL may stand raw in JSON, where the
/// fast reader (which refuses only what JSON refuses raw) reads it, and the readers agree.
pub(crate) fn control_character(path: &str, text: &str) -> Option<String> {
    let c = text
        .chars()
        .find(|&c| c < ' ' && !matches!(c, '\t' | '\n' | '\r'))?;
    let code = u32::from(c);
    Some(match path.is_empty() {
        true => format!("a text should have no control characters, found U+{code:04X}"),
        false => {
            format!("field `{path}` should be text without control characters, found U+{code:04X}")
        }
    })
}

/// The largest integer a subject's number holds exactly (2^53): beyond it an `f64` would
/// silently read `9007199254740993` as `…992`.
pub(crate) const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// The message for a number beyond [`MAX_EXACT_INTEGER`] in field `path` (empty when the
/// field has no name, as inside an unknown field), with its written form when it is known
/// (an integer past 64 bits, a fraction or an exponent reach the reader as an `f64`).
pub(crate) fn inexact_number(path: &str, written: Option<&str>) -> String {
    let field = if path.is_empty() {
        "a number".to_owned()
    } else {
        format!("field `{path}`")
    };
    let written = written.map_or(String::new(), |w| format!(" {w},"));
    format!(
        "{field} is{written} beyond the range of exact numbers (±{MAX_EXACT_INTEGER}): it would be read as a different number"
    )
}

/// A field the builder ([`Subject::with`]) refused: a value of the wrong type for the
/// contract's field, or a path that is not one.
///
/// ```
/// use zhunru::Subject;
/// let error = Subject::task("企业摸底").with("approval.date", "2020-02-30").unwrap_err();
/// assert_eq!(error.path(), "approval.date");
/// assert!(error.to_string().contains("should be a date"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    path: String,
    message: String,
}

impl FieldError {
    fn new(path: &str, message: String) -> FieldError {
        FieldError {
            path: path.to_owned(),
            message,
        }
    }

    /// The field's dotted path, as given to [`Subject::with`].
    ///
    /// See [`FieldError`] for an example.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FieldError {}

impl miette::Diagnostic for FieldError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(crate::diagnostic::Code::Input))
    }
}

/// Lists and objects nested this deep, the subject's own object counted, are refused, as
/// serde_json's text reader refuses them: deeper, a subject built by [`Subject::with`]
/// overflowed the stack when serialised, and one read from a `serde_json::Value` when read.
const MAX_NESTING: usize = 128;

/// Whether a value the builder is given is one the JSON reader would take back, anywhere in
/// it: no text with a control character, no number that is not finite or is past ±2^53 (a
/// 64-bit integer is rounded on its way into a `Value`, so 2^53 itself may be a rounded
/// 2^53 + 1 and is refused too), nesting within [`MAX_NESTING`] counting `depth` (the levels
/// above the value).
fn readable(path: &str, value: &Value, depth: usize) -> Result<(), FieldError> {
    if matches!(value, Value::List(_) | Value::Object(_)) && depth >= MAX_NESTING {
        return Err(FieldError::new(
            path,
            format!("field `{path}` is nested {MAX_NESTING} or more deep"),
        ));
    }
    match value {
        Value::Number(n) if !n.is_finite() => Err(FieldError::new(
            path,
            format!("field `{path}` should be a finite number, found {n}"),
        )),
        Value::Number(n) if n.abs() >= MAX_EXACT_INTEGER as f64 => Err(FieldError::new(
            path,
            format!(
                "field `{path}` is {n}, at or beyond ±{MAX_EXACT_INTEGER}, where integers are rounded: it may not be the number meant"
            ),
        )),
        Value::Text(t) => match control_character(path, t) {
            Some(message) => Err(FieldError::new(path, message)),
            None => Ok(()),
        },
        Value::List(items) => items
            .iter()
            .try_for_each(|item| readable(path, item, depth + 1)),
        Value::Object(fields) => fields
            .0
            .iter()
            .try_for_each(|(_, v)| readable(path, v, depth + 1)),
        Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
    }
}

/// A value for the field at `names`, checked as the JSON reader checks it: the value to
/// store, or `None` for a blank text (an absent field).
fn checked(path: &str, names: &[&str], value: Value) -> Result<Option<Value>, FieldError> {
    let mut specs: &'static [FieldSpec] = &schema::contract().fields;
    let mut ty: &'static FieldType = &schema::ANY;
    let mut parent = "";
    let mut name = "";
    for (i, part) in names.iter().enumerate() {
        match specs.iter().find(|s| s.name == *part) {
            Some(spec) => {
                parent = if i == 0 { "" } else { name };
                name = &spec.name;
                ty = &spec.ty;
                specs = match &spec.ty {
                    FieldType::Object(inner) => inner,
                    _ => &[],
                };
            }
            None if i == 0 || matches!(ty, FieldType::Object(_)) => {
                // Below the top (`funding.amout`), or at the top a near miss that is no
                // field of its own (`comunity_role`).
                let why = if i > 0 {
                    schema::misspelt(name, specs, part)
                } else {
                    schema::contract().misspelt_top(part)
                };
                if let Some(why) = why {
                    return Err(FieldError::new(path, format!("field `{path}`: {why}")));
                }
                // Not the contract's: anything goes, here and below.
                ty = &schema::ANY;
                specs = &[];
                if i + 1 < names.len() {
                    continue;
                }
            }
            None if matches!(ty, FieldType::Any) => {}
            None => {
                let at = names.get(..i).unwrap_or(&[]).join(".");
                return Err(FieldError::new(
                    path,
                    format!(
                        "field `{at}` is {}, not an object: `{path}` is not a field",
                        ty.describe()
                    ),
                ));
            }
        }
    }
    if matches!(ty, FieldType::Any) {
        return Ok(Some(value));
    }
    let json = serde_json::to_value(&value).map_err(|e| FieldError::new(path, e.to_string()))?;
    let read = Typed {
        ty,
        parent,
        name,
        depth: names.len() + 1,
    }
    .deserialize(json)
    .map_err(|e| FieldError::new(path, e.to_string()))?;
    Ok((!read.is_blank_text()).then_some(read))
}

/// Reads a value and checks it against the schema's type for its field.
struct Typed<'a> {
    ty: &'a FieldType,
    /// The enclosing field, for messages (`funding` of `funding.amount`); empty at the top.
    parent: &'a str,
    name: &'a str,
    /// How deep the value is nested (a subject's fields are at 2): serde_json's text reader
    /// stops at its own limit, but a subject read from a `serde_json::Value` has none, and
    /// 5,000 levels overflowed the stack.
    depth: usize,
}

impl<'de> DeserializeSeed<'de> for Typed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Typed<'_> {
    /// A list or object nested deeper than the JSON reader reads ([`MAX_NESTING`]).
    fn not_too_deep<E: de::Error>(&self) -> Result<(), E> {
        if self.depth >= MAX_NESTING {
            return Err(E::custom(format!(
                "the JSON is nested {MAX_NESTING} or more deep: a limit of zhunru"
            )));
        }
        Ok(())
    }

    /// The dotted path of the field, built only when a message needs it.
    fn path(&self) -> String {
        if self.parent.is_empty() {
            self.name.to_owned()
        } else {
            format!("{}.{}", self.parent, self.name)
        }
    }

    fn wrong<E: de::Error>(&self, found: &str) -> E {
        // A one-of field names its values, as for a string outside them (the type's
        // description, "one of a fixed set of strings", told the writer nothing to write).
        let should = match self.ty {
            FieldType::Enum(choices) => {
                format!("one of {}", crate::schema::choices_text(choices)).into()
            }
            ty => Cow::Borrowed(ty.describe()),
        };
        E::custom(format!(
            "field `{}` should be {should}, found {found}",
            self.path(),
        ))
    }
}

impl<'de> Visitor<'de> for Typed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.ty.describe())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        // null is accepted everywhere and means "given as nothing".
        Ok(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        match self.ty {
            FieldType::Bool | FieldType::Any => Ok(Value::Bool(v)),
            _ => Err(self.wrong(&format!("`{v}`"))),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        if v.unsigned_abs() > MAX_EXACT_INTEGER {
            return Err(E::custom(inexact_number(
                &self.path(),
                Some(&v.to_string()),
            )));
        }
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        if v > MAX_EXACT_INTEGER {
            return Err(E::custom(inexact_number(
                &self.path(),
                Some(&v.to_string()),
            )));
        }
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // An integer past u64 (serde_json reads it as the nearest f64), `1e300`: refused as
        // the integers beyond 2^53 are, not rounded.
        if v.abs() > MAX_EXACT_INTEGER as f64 {
            return Err(E::custom(inexact_number(&self.path(), None)));
        }
        match self.ty {
            FieldType::Number | FieldType::Any => Ok(Value::Number(v)),
            _ => Err(self.wrong(&format!("the number `{v}`"))),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        // Dates and enumerations are read trimmed, as CSV cells are; texts as written.
        let v = match self.ty {
            FieldType::Date | FieldType::Enum(_) => v.trim(),
            _ => v,
        };
        match self.ty {
            FieldType::Text | FieldType::Any => match control_character(&self.path(), v) {
                Some(message) => Err(E::custom(message)),
                None => Ok(Value::Text(v.to_owned())),
            },
            FieldType::Date => match Date::parse(v) {
                Some(_) => Ok(Value::Text(v.to_owned())),
                None => Err(E::custom(format!(
                    "field `{}` should be a date written YYYY-MM-DD that exists on the calendar, found \"{v}\"",
                    self.path()
                ))),
            },
            FieldType::Enum(choices) => {
                // The contract's value, or a Chinese wording of it (`负责`, `已批准`).
                if let Some(value) = crate::schema::choose(choices, v) {
                    Ok(Value::Text(value.to_owned()))
                } else {
                    Err(E::custom(format!(
                        "field `{}` should be one of {}, found \"{v}\"",
                        self.path(),
                        crate::schema::choices_text(choices)
                    )))
                }
            }
            _ => Err(self.wrong(&format!("the string \"{v}\""))),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.not_too_deep()?;
        let item_ty = match self.ty {
            FieldType::TextList => &FieldType::Text,
            FieldType::Any => &schema::ANY,
            _ => return Err(self.wrong("an array")),
        };
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Typed {
            ty: item_ty,
            parent: self.parent,
            name: self.name,
            depth: self.depth + 1,
        })? {
            match item {
                // A list of texts is read as CSV reads `a; b`: items trimmed, blank ones
                // dropped (so `[" "]` is as absent as an empty cell).
                Value::Text(t) if matches!(self.ty, FieldType::TextList) => {
                    let t = t.trim();
                    if !t.is_empty() {
                        items.push(Value::Text(t.to_owned()));
                    }
                }
                item => items.push(item),
            }
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.not_too_deep()?;
        let specs: &[FieldSpec] = match self.ty {
            FieldType::Object(specs) => specs,
            FieldType::Any => &[],
            _ => return Err(self.wrong("an object")),
        };
        let mut fields = Fields::default();
        let mut blank: Vec<Cow<'static, str>> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if fields.get(&key).is_some() || blank.contains(&key) {
                return Err(de::Error::custom(format!(
                    "field `{}.{key}` is given twice",
                    self.path()
                )));
            }
            let value = match specs.iter().find(|s| s.name == key) {
                Some(spec) => map.next_value_seed(Typed {
                    ty: &spec.ty,
                    parent: self.name,
                    name: &spec.name,
                    depth: self.depth + 1,
                })?,
                None => {
                    if let Some(why) = schema::misspelt(&self.path(), specs, &key) {
                        return Err(de::Error::custom(format!(
                            "field `{}.{key}`: {why}",
                            self.path()
                        )));
                    }
                    map.next_value_seed(Typed {
                        ty: &schema::ANY,
                        parent: "",
                        name: "",
                        depth: self.depth + 1,
                    })?
                }
            };
            if value.is_blank_text() {
                blank.push(key);
                continue;
            }
            fields.0.push((key, value));
        }
        if schema::is_span(specs)
            && let Some(message) = span_conflict(&self.path(), &fields, later_end(&fields))
        {
            return Err(de::Error::custom(message));
        }
        Ok(Value::Object(fields))
    }
}

/// Which end of a span (see [`schema::is_span`]) a refusal names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpanEnd {
    Start,
    End,
}

impl SpanEnd {
    fn name(self) -> &'static str {
        match self {
            SpanEnd::Start => "start",
            SpanEnd::End => "end",
        }
    }
}

/// The end of a span given later in `fields` (a reader keeps the order of the input): the
/// one a refusal names, as a reader would have noticed there.
fn later_end(fields: &Fields) -> SpanEnd {
    let at = |name: &str| fields.0.iter().position(|(k, _)| k == name);
    if at("start") > at("end") {
        SpanEnd::Start
    } else {
        SpanEnd::End
    }
}

/// Why the span at `path` (its fields `fields`) is refused: it ends before it starts. The
/// message names `blame`'s field in the readers' "should be …, found …" form. `None` when
/// it does not, or when either end is absent (or not a date: refused on its own).
pub(crate) fn span_conflict(path: &str, fields: &Fields, blame: SpanEnd) -> Option<String> {
    let date = |name: &str| match fields.get(name)? {
        Value::Text(text) => Date::parse(text.trim()).map(|d| (d, text.trim())),
        _ => None,
    };
    let (start, start_text) = date("start")?;
    let (end, end_text) = date("end")?;
    if end >= start {
        return None;
    }
    Some(match blame {
        SpanEnd::End => format!(
            "field `{path}.end` should be a date no earlier than `{path}.start` ({start}), found \"{end_text}\""
        ),
        SpanEnd::Start => format!(
            "field `{path}.start` should be a date no later than `{path}.end` ({end}), found \"{start_text}\""
        ),
    })
}

/// The first span of a subject of `kind` typed by `schema` that ends before it starts: the
/// dotted path of the end named (`blame`, else the one given later) and the message.
fn subject_span_conflict(
    schema: &Schema,
    kind: SubjectKind,
    fields: &Fields,
    blame: Option<SpanEnd>,
) -> Option<(String, String)> {
    let top = schema.fields.iter().filter(|s| s.kinds.contains(&kind));
    spans_under(top, fields, "", blame)
}

fn spans_under<'s>(
    specs: impl IntoIterator<Item = &'s FieldSpec>,
    fields: &Fields,
    prefix: &str,
    blame: Option<SpanEnd>,
) -> Option<(String, String)> {
    for spec in specs {
        let (FieldType::Object(inner), Some(Value::Object(object))) =
            (&spec.ty, fields.get(&spec.name))
        else {
            continue;
        };
        let path = if prefix.is_empty() {
            spec.name.clone()
        } else {
            format!("{prefix}.{}", spec.name)
        };
        if schema::is_span(inner) {
            let blame = blame.unwrap_or_else(|| later_end(object));
            if let Some(message) = span_conflict(&path, object, blame) {
                return Some((format!("{path}.{}", blame.name()), message));
            }
        }
        if let Some(found) = spans_under(inner, object, &path, blame) {
            return Some(found);
        }
    }
    None
}

/// The value at `path` in `fields`; when there is none, whether a default may fill it:
/// every object the path passes through is absent, null or an object — in
/// `"approval": "yes"` the approval is mistyped, not one without a status.
fn walk<'v, S: AsRef<str>>(mut fields: &'v Fields, path: &[S]) -> Result<&'v Value, bool> {
    let mut names = path.iter().peekable();
    while let Some(name) = names.next() {
        let value = fields.get(name.as_ref()).ok_or(true)?;
        if names.peek().is_none() {
            return Ok(value);
        }
        match value {
            Value::Object(inner) => fields = inner,
            // Below a null nothing is given; below a text or a number the path is mistyped.
            Value::Null => return Err(true),
            _ => return Err(false),
        }
    }
    // An empty path names nothing (`get_parts` finds nothing for it either).
    Err(true)
}

/// The contract's default for a field (`默认` in `schema/contract.policy`:
/// `community_role` is `assist`, `approval.status` is `none`), as a value read once.
fn contract_default<S: AsRef<str>>(kind: SubjectKind, path: &[S]) -> Option<&'static Value> {
    // Names kept split, so that an absent field (most fields of most subjects) is told
    // apart by its length and first name without splitting a dotted path each time.
    type Default = (SubjectKind, Vec<String>, Value);
    static DEFAULTS: std::sync::LazyLock<Vec<Default>> = std::sync::LazyLock::new(|| {
        let mut out = Vec::new();
        for (dotted, spec) in schema::contract().leaves() {
            if let Some(default) = &spec.default {
                for kind in &spec.kinds {
                    let names = dotted.split('.').map(str::to_owned).collect();
                    out.push((*kind, names, Value::from(default.as_str())));
                }
            }
        }
        out
    });
    DEFAULTS
        .iter()
        .find(|(k, names, _)| {
            *k == kind
                && names.len() == path.len()
                && names.iter().zip(path).all(|(a, b)| a == b.as_ref())
        })
        .map(|(_, _, value)| value)
}
