//! The shapes of subjects (contract.md): which fields exist, for which kind, of which type.
//! The checker reads it to catch unknown fields and type errors in policies; the JSON reader
//! reads it to reject mistyped subjects with a location.

use serde::{Deserialize, Serialize};

/// The kind of subject a rule is about.
///
/// ```
/// use zhunru::SubjectKind;
/// assert_eq!(SubjectKind::Community.as_str(), "community");
/// assert_eq!(serde_json::from_str::<SubjectKind>("\"assessment\"")?, SubjectKind::Assessment);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SubjectKind {
    /// A work item pushed down to a community.
    Task,
    /// A community's premises.
    Community,
    /// An assessment plan.
    Assessment,
}

impl SubjectKind {
    /// The contract's name: `task`, `community`, `assessment`.
    ///
    /// ```
    /// assert_eq!(zhunru::SubjectKind::Task.as_str(), "task");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Task => "task",
            SubjectKind::Community => "community",
            SubjectKind::Assessment => "assessment",
        }
    }

    /// The Chinese keyword: 事项, 社区, 考核.
    ///
    /// ```
    /// assert_eq!(zhunru::SubjectKind::Task.zh(), "事项");
    /// ```
    pub fn zh(self) -> &'static str {
        match self {
            SubjectKind::Task => "事项",
            SubjectKind::Community => "社区",
            SubjectKind::Assessment => "考核",
        }
    }
}

impl Serialize for SubjectKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SubjectKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "task" => Ok(SubjectKind::Task),
            "community" => Ok(SubjectKind::Community),
            "assessment" => Ok(SubjectKind::Assessment),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["task", "community", "assessment"],
            )),
        }
    }
}

/// The type of a subject field.
#[derive(Debug)]
pub enum FieldType {
    /// Free text.
    Text,
    /// Text from a fixed set of words.
    Enum(&'static [&'static str]),
    /// A number.
    Number,
    /// `true` / `false`.
    Bool,
    /// A date `YYYY-MM-DD`.
    Date,
    /// An array of strings.
    TextList,
    /// An object with known fields.
    Object(&'static [FieldSpec]),
    /// Anything (fields the contract does not name).
    Any,
}

impl FieldType {
    /// How the type reads in a message.
    pub fn describe(&self) -> &'static str {
        match self {
            FieldType::Text => "a string",
            FieldType::Enum(_) => "one of a fixed set of strings",
            FieldType::Number => "a number",
            FieldType::Bool => "`true` or `false`",
            FieldType::Date => "a date string (YYYY-MM-DD)",
            FieldType::TextList => "an array of strings",
            FieldType::Object(_) => "an object",
            FieldType::Any => "any JSON value",
        }
    }
}

/// One field of the schema.
#[derive(Debug)]
pub struct FieldSpec {
    /// The JSON name.
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// The subject kinds that have it.
    pub kinds: &'static [SubjectKind],
}

const T: &[SubjectKind] = &[SubjectKind::Task];
const C: &[SubjectKind] = &[SubjectKind::Community];
const A: &[SubjectKind] = &[SubjectKind::Assessment];
const ALL: &[SubjectKind] = &[
    SubjectKind::Task,
    SubjectKind::Community,
    SubjectKind::Assessment,
];

const fn field(name: &'static str, ty: FieldType, kinds: &'static [SubjectKind]) -> FieldSpec {
    FieldSpec { name, ty, kinds }
}

/// Every top-level field of every subject kind (names are unique across kinds).
pub static FIELDS: &[FieldSpec] = &[
    field("id", FieldType::Text, ALL),
    field("name", FieldType::Text, ALL),
    field("category", FieldType::Text, T),
    field("requester", FieldType::Text, T),
    field(
        "requester_level",
        FieldType::Enum(&["municipal_department", "district_department", "street"]),
        T,
    ),
    field(
        "community_role",
        FieldType::Enum(&["responsible", "assist"]),
        T,
    ),
    field("basis", FieldType::TextList, T),
    field("work_plan", FieldType::Bool, T),
    field("requirements", FieldType::Text, T),
    field(
        "period",
        FieldType::Object(&[
            field("start", FieldType::Date, T),
            field("end", FieldType::Date, T),
        ]),
        T,
    ),
    field(
        "funding",
        FieldType::Object(&[
            field("amount", FieldType::Number, T),
            field("per", FieldType::Enum(&["once", "month", "year"]), T),
        ]),
        T,
    ),
    field(
        "authorization",
        FieldType::Object(&[
            field("content", FieldType::Text, T),
            field("object", FieldType::Text, T),
            field("powers", FieldType::Text, T),
            field("until", FieldType::Date, T),
        ]),
        T,
    ),
    field(
        "approval",
        FieldType::Object(&[
            field(
                "status",
                FieldType::Enum(&["none", "pending", "approved", "rejected"]),
                T,
            ),
            field("by", FieldType::Text, T),
            field("date", FieldType::Date, T),
        ]),
        T,
    ),
    field("sent_on", FieldType::Date, T),
    field("external_signs", FieldType::TextList, C),
    field("internal_signs", FieldType::TextList, C),
    field("office_area", FieldType::Number, C),
    field("activity_area", FieldType::Number, C),
    field("assessor", FieldType::Text, A),
    field("indicators", FieldType::TextList, A),
    field("veto_items", FieldType::TextList, A),
    field("passed_down", FieldType::TextList, A),
];

/// The spec of a top-level field, whatever the kind.
pub fn top_level(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == name)
}

/// Resolve a field path for a subject kind. `Err` holds the index of the first field
/// that does not exist and the names that would have been valid there.
pub fn resolve<S: AsRef<str>>(
    kind: SubjectKind,
    path: &[S],
) -> Result<&'static FieldType, (usize, Vec<&'static str>)> {
    let mut specs: &'static [FieldSpec] = FIELDS;
    let mut ty: Option<&'static FieldType> = None;
    for (i, name) in path.iter().enumerate() {
        let candidates: Vec<&'static FieldSpec> =
            specs.iter().filter(|s| s.kinds.contains(&kind)).collect();
        let Some(spec) = candidates.iter().find(|s| s.name == name.as_ref()) else {
            return Err((i, candidates.iter().map(|s| s.name).collect()));
        };
        ty = Some(&spec.ty);
        specs = match &spec.ty {
            FieldType::Object(inner) => inner,
            _ => &[],
        };
    }
    ty.ok_or((0, Vec::new()))
}

/// The schema's own spelling of a field name, at any depth (`kind` included), if it knows it.
/// A `match` on the text, so the compiler builds the comparison (this runs per JSON key).
pub fn known_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "kind" => "kind",
        "id" => "id",
        "name" => "name",
        "category" => "category",
        "requester" => "requester",
        "requester_level" => "requester_level",
        "community_role" => "community_role",
        "basis" => "basis",
        "work_plan" => "work_plan",
        "requirements" => "requirements",
        "period" => "period",
        "funding" => "funding",
        "authorization" => "authorization",
        "approval" => "approval",
        "sent_on" => "sent_on",
        "external_signs" => "external_signs",
        "internal_signs" => "internal_signs",
        "office_area" => "office_area",
        "activity_area" => "activity_area",
        "assessor" => "assessor",
        "indicators" => "indicators",
        "veto_items" => "veto_items",
        "passed_down" => "passed_down",
        "start" => "start",
        "end" => "end",
        "amount" => "amount",
        "per" => "per",
        "content" => "content",
        "object" => "object",
        "powers" => "powers",
        "until" => "until",
        "status" => "status",
        "by" => "by",
        "date" => "date",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `known_name` knows exactly the names of the schema.
    #[test]
    fn known_names_are_the_schema_names() {
        let mut schema: Vec<&str> = vec!["kind"];
        for spec in FIELDS {
            schema.push(spec.name);
            if let FieldType::Object(inner) = &spec.ty {
                schema.extend(inner.iter().map(|f| f.name));
            }
        }
        for n in &schema {
            assert_eq!(known_name(n), Some(*n));
        }
        assert_eq!(known_name("colour"), None);
    }
}
