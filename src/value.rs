//! Values of subjects and policies: dates, JSON-like values, and subjects.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crate::date::Date;
use crate::schema::SubjectKind;
use crate::schema::{self, FieldSpec, FieldType};

/// A value in a subject: what JSON can hold.
#[derive(Clone, Debug, PartialEq)]
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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(pub Vec<(Cow<'static, str>, Value)>);

impl Fields {
    /// The value of a field, if present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(k, _)| schema::same(k.as_bytes(), name.as_bytes()))
            .map(|(_, v)| v)
    }

    /// Set a field, replacing an earlier value of the same name.
    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        let name = name.into();
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key(&name), value)),
        }
    }

    /// Follow a dotted path of field names.
    pub fn get_path<S: AsRef<str>>(&self, path: &[S]) -> Option<&Value> {
        let (first, rest) = path.split_first()?;
        let mut value = self.get(first.as_ref())?;
        for name in rest {
            match value {
                Value::Object(fields) => value = fields.get(name.as_ref())?,
                _ => return None,
            }
        }
        Some(value)
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
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(n as f64)
    }
}
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
impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
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
    /// What it is.
    pub kind: SubjectKind,
    /// Its fields (without `kind`), as given; read them with [`Subject::get`] to have the
    /// contract's defaults.
    pub fields: Fields,
}

impl Subject {
    /// A task with the given category; add fields with [`Subject::with`]. The contract's
    /// defaults (`community_role` assist, `approval.status` none, `name` the category) apply
    /// when a field is read with [`Subject::get`], as for a task read from JSON.
    ///
    /// ```
    /// use zhunru::{Subject, Value};
    /// let task = Subject::task("食品安全协管")
    ///     .with("id", "T-2020-0031")
    ///     .with("requester", "区市场监管局")
    ///     .with("basis", vec!["中华人民共和国食品安全法"])
    ///     .with("funding.amount", 300)
    ///     .with("funding.per", "month");
    /// assert_eq!(task.fields.get_path(&["funding", "amount"]), Some(&Value::Number(300.0)));
    /// assert_eq!(task.get(&["community_role"]), Some(&Value::from("assist")));
    /// // Its JSON is the contract's.
    /// let json = serde_json::to_value(&task).unwrap();
    /// assert_eq!(json["funding"], serde_json::json!({"amount": 300, "per": "month"}));
    /// ```
    pub fn task(category: &str) -> Subject {
        let mut fields = Fields::default();
        fields.set("category", category.into());
        Subject::from_fields(SubjectKind::Task, fields)
    }

    /// A subject of the given kind with no fields yet.
    pub fn new(kind: SubjectKind) -> Subject {
        Subject::from_fields(kind, Fields::default())
    }

    /// Set a field by dotted path (`"funding.amount"`), creating objects on the way; a value
    /// already there is replaced. Values are taken as given (texts, numbers, `bool`s, dates,
    /// lists of texts): unlike JSON input, the builder does not check them against the
    /// contract's types, so a mistyped field reads as absent to the rules.
    pub fn with(mut self, path: &str, value: impl Into<Value>) -> Subject {
        let mut parts: Vec<&str> = path.split('.').collect();
        let Some(last) = parts.pop() else {
            return self;
        };
        let mut fields = &mut self.fields;
        for part in parts {
            if !matches!(fields.get(part), Some(Value::Object(_))) {
                fields.set(part, Value::Object(Fields::default()));
            }
            let Some(Value::Object(inner)) =
                fields.0.iter_mut().find(|(k, _)| k == part).map(|(_, v)| v)
            else {
                return self;
            };
            fields = inner;
        }
        fields.set(last, value.into());
        self
    }

    pub(crate) fn from_fields(kind: SubjectKind, fields: Fields) -> Subject {
        Subject { kind, fields }
    }

    /// The value at a dotted path, with the contract's defaults for a task when the field is
    /// absent: `community_role` is `assist`, `approval.status` is `none`, `name` is the
    /// category. Defaults are not stored, so a subject serialises as it was given.
    pub fn get<S: AsRef<str>>(&self, path: &[S]) -> Option<&Value> {
        if let Some(v) = self.fields.get_path(path) {
            return Some(v);
        }
        if self.kind != SubjectKind::Task {
            return None;
        }
        static ASSIST: std::sync::LazyLock<Value> =
            std::sync::LazyLock::new(|| Value::from("assist"));
        static NONE: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| Value::from("none"));
        match path {
            [one] if one.as_ref() == "community_role" => Some(&ASSIST),
            [one] if one.as_ref() == "name" => self.fields.get("category"),
            [a, b] if a.as_ref() == "approval" && b.as_ref() == "status" => {
                // Only when `approval` is absent or an object without a status.
                match self.fields.get("approval") {
                    None | Some(Value::Null) | Some(Value::Object(_)) => Some(&NONE),
                    Some(_) => None,
                }
            }
            _ => None,
        }
    }

    /// Read one subject from JSON text, as a request body or a form would hold it. A mistyped
    /// field or bad JSON is an [`InputError`](crate::InputError) (a miette diagnostic) at its
    /// line and column of `text`; `origin` names the text in it.
    ///
    /// ```
    /// use zhunru::Subject;
    /// let task = Subject::from_json("form", r#"{"category": "企业摸底", "funding": {"amount": 3000}}"#)?;
    /// assert_eq!(task.category(), Some("企业摸底"));
    /// let bad = Subject::from_json("form", r#"{"category": "企业摸底", "period": {"end": "2020-02-30"}}"#);
    /// let error = bad.unwrap_err();
    /// assert_eq!(error.location(), "form:1:51");
    /// assert!(error.message.contains("`period.end` should be a date"));
    /// # Ok::<(), zhunru::InputError>(())
    /// ```
    pub fn from_json(origin: &str, text: &str) -> Result<Subject, crate::InputError> {
        serde_json::from_str(text).map_err(|e| {
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
    pub fn category(&self) -> Option<&str> {
        match self.fields.get("category") {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// The `id` field, if any.
    pub fn id(&self) -> Option<&str> {
        match self.fields.get("id") {
            Some(Value::Text(t)) => Some(t),
            _ => None,
        }
    }

    /// A short label: the id, else the name or category, else the kind.
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
        d.deserialize_map(SubjectVisitor)
    }
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

struct SubjectVisitor;

impl<'de> Visitor<'de> for SubjectVisitor {
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
                        ty: &FieldType::Enum(&["task", "community", "assessment"]),
                        parent: "",
                        name: "kind",
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
            let value = match schema::top_level(&key) {
                Some(spec) => map.next_value_seed(Typed {
                    ty: &spec.ty,
                    parent: "",
                    name: spec.name,
                })?,
                None => map.next_value_seed(Typed {
                    ty: &FieldType::Any,
                    parent: "",
                    name: "",
                })?,
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

/// The largest integer a subject's number holds exactly (2^53): beyond it an `f64` would
/// silently read `9007199254740993` as `…992`.
pub(crate) const MAX_EXACT_INTEGER: u64 = 1 << 53;

/// The message for an integer beyond [`MAX_EXACT_INTEGER`] in field `path` (empty when the
/// field has no name, as inside an unknown field).
pub(crate) fn inexact_integer(path: &str, written: &str) -> String {
    let field = if path.is_empty() {
        "a number".to_owned()
    } else {
        format!("field `{path}`")
    };
    format!(
        "{field} is {written}, beyond the range of exact numbers (±{MAX_EXACT_INTEGER}): it would be read as a different number"
    )
}

/// Reads a value and checks it against the schema's type for its field.
struct Typed<'a> {
    ty: &'a FieldType,
    /// The enclosing field, for messages (`funding` of `funding.amount`); empty at the top.
    parent: &'a str,
    name: &'a str,
}

impl<'de> DeserializeSeed<'de> for Typed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Typed<'_> {
    /// The dotted path of the field, built only when a message needs it.
    fn path(&self) -> String {
        if self.parent.is_empty() {
            self.name.to_owned()
        } else {
            format!("{}.{}", self.parent, self.name)
        }
    }

    fn wrong<E: de::Error>(&self, found: &str) -> E {
        E::custom(format!(
            "field `{}` should be {}, found {}",
            self.path(),
            self.ty.describe(),
            found
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
            return Err(E::custom(inexact_integer(&self.path(), &v.to_string())));
        }
        self.visit_f64(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        if v > MAX_EXACT_INTEGER {
            return Err(E::custom(inexact_integer(&self.path(), &v.to_string())));
        }
        self.visit_f64(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
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
            FieldType::Text | FieldType::Any => Ok(Value::Text(v.to_owned())),
            FieldType::Date => match Date::parse(v) {
                Some(_) => Ok(Value::Text(v.to_owned())),
                None => Err(E::custom(format!(
                    "field `{}` should be a date written YYYY-MM-DD that exists on the calendar, found \"{v}\"",
                    self.path()
                ))),
            },
            FieldType::Enum(choices) => {
                // The contract's value, or a Chinese wording of it (`负责`, `已批准`).
                if let Some(value) = crate::labels::enum_value(choices, v) {
                    Ok(Value::Text(value.to_owned()))
                } else {
                    Err(E::custom(format!(
                        "field `{}` should be one of {}, found \"{v}\"",
                        self.path(),
                        crate::labels::choices_text(choices)
                    )))
                }
            }
            _ => Err(self.wrong(&format!("the string \"{v}\""))),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let item_ty = match self.ty {
            FieldType::TextList => &FieldType::Text,
            FieldType::Any => &FieldType::Any,
            _ => return Err(self.wrong("an array")),
        };
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Typed {
            ty: item_ty,
            parent: self.parent,
            name: self.name,
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
                    name: spec.name,
                })?,
                None => map.next_value_seed(Typed {
                    ty: &FieldType::Any,
                    parent: "",
                    name: "",
                })?,
            };
            if value.is_blank_text() {
                blank.push(key);
                continue;
            }
            fields.0.push((key, value));
        }
        Ok(Value::Object(fields))
    }
}
