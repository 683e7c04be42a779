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

/// Every field name the schema knows, at any depth (`kind` included), in the order of
/// [`known_index`].
pub(crate) const KNOWN_NAMES: [&str; 34] = [
    "kind",
    "id",
    "name",
    "category",
    "requester",
    "requester_level",
    "community_role",
    "basis",
    "work_plan",
    "requirements",
    "period",
    "funding",
    "authorization",
    "approval",
    "sent_on",
    "external_signs",
    "internal_signs",
    "office_area",
    "activity_area",
    "assessor",
    "indicators",
    "veto_items",
    "passed_down",
    "start",
    "end",
    "amount",
    "per",
    "content",
    "object",
    "powers",
    "until",
    "status",
    "by",
    "date",
];

/// The schema's own spelling of a field name, at any depth (`kind` included), if it knows it.
pub fn known_name(name: &str) -> Option<&'static str> {
    KNOWN_NAMES.get(known_index(name.as_bytes())?).copied()
}

/// The index of a known field name in [`KNOWN_NAMES`]. Length, first and last byte tell
/// the names apart, so one comparison confirms the name (this runs per JSON key; a `match`
/// on the whole text compared name after name). The fast JSON Lines reader keeps the keys it
/// has seen as bits of these indices.
pub(crate) fn known_index(name: &[u8]) -> Option<usize> {
    let i = match (name.len(), *name.first()?, *name.last()?) {
        (4, b'k', b'd') => 0,   // kind
        (2, b'i', b'd') => 1,   // id
        (4, b'n', b'e') => 2,   // name
        (8, b'c', b'y') => 3,   // category
        (9, b'r', b'r') => 4,   // requester
        (15, b'r', b'l') => 5,  // requester_level
        (14, b'c', b'e') => 6,  // community_role
        (5, b'b', b's') => 7,   // basis
        (9, b'w', b'n') => 8,   // work_plan
        (12, b'r', b's') => 9,  // requirements
        (6, b'p', b'd') => 10,  // period
        (7, b'f', b'g') => 11,  // funding
        (13, b'a', b'n') => 12, // authorization
        (8, b'a', b'l') => 13,  // approval
        (7, b's', b'n') => 14,  // sent_on
        (14, b'e', b's') => 15, // external_signs
        (14, b'i', b's') => 16, // internal_signs
        (11, b'o', b'a') => 17, // office_area
        (13, b'a', b'a') => 18, // activity_area
        (8, b'a', b'r') => 19,  // assessor
        (10, b'i', b's') => 20, // indicators
        (10, b'v', b's') => 21, // veto_items
        (11, b'p', b'n') => 22, // passed_down
        (5, b's', b't') => 23,  // start
        (3, b'e', b'd') => 24,  // end
        (6, b'a', b't') => 25,  // amount
        (3, b'p', b'r') => 26,  // per
        (7, b'c', b't') => 27,  // content
        (6, b'o', b't') => 28,  // object
        (6, b'p', b's') => 29,  // powers
        (5, b'u', b'l') => 30,  // until
        (6, b's', b's') => 31,  // status
        (2, b'b', b'y') => 32,  // by
        (4, b'd', b'e') => 33,  // date
        _ => return None,
    };
    same(KNOWN_NAMES.get(i)?.as_bytes(), name).then_some(i)
}

/// `a == b` for short texts (names, enumeration words) without a call to `memcmp`: two
/// overlapping words compared, which cover texts of up to 16 bytes (profiled: the calls
/// were a tenth of reading a JSON Lines line).
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    fn w2(s: &[u8], at: usize) -> u16 {
        s.get(at..at + 2)
            .and_then(|x| <[u8; 2]>::try_from(x).ok())
            .map_or(0, u16::from_le_bytes)
    }
    fn w4(s: &[u8], at: usize) -> u32 {
        s.get(at..at + 4)
            .and_then(|x| <[u8; 4]>::try_from(x).ok())
            .map_or(0, u32::from_le_bytes)
    }
    fn w8(s: &[u8], at: usize) -> u64 {
        s.get(at..at + 8)
            .and_then(|x| <[u8; 8]>::try_from(x).ok())
            .map_or(0, u64::from_le_bytes)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1 => a.first() == b.first(),
        2..=3 => w2(a, 0) == w2(b, 0) && w2(a, n - 2) == w2(b, n - 2),
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same` is `==`, at every length and at every byte that could differ.
    #[test]
    fn same_is_equality() {
        let text: Vec<u8> = (0u8..40).collect();
        for n in 0..=text.len() {
            let a = &text[..n];
            assert!(same(a, a));
            assert!(!same(a, &text[..n.saturating_sub(1)]) || n == 0);
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same(a, &b), "length {n}, byte {at}");
            }
        }
    }

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
        assert_eq!(known_index(b"perios"), None);
        assert_eq!(known_index(b""), None);
        assert_eq!(schema.len(), KNOWN_NAMES.len());
        for (i, n) in KNOWN_NAMES.iter().enumerate() {
            assert_eq!(known_index(n.as_bytes()), Some(i));
        }
    }
}
