//! Types of expressions, for the checker.

use crate::schema::FieldType;

/// The type of an expression as far as the checker can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Text,
    Number,
    Bool,
    Date,
    TextList,
    Object,
    /// A span of calendar time: `30 天`.
    Duration,
    /// A field the contract does not type: anything goes.
    Any,
}

impl Ty {
    pub(crate) fn of_field(ty: &FieldType) -> Ty {
        match ty {
            FieldType::Text | FieldType::Enum(_) => Ty::Text,
            FieldType::Number => Ty::Number,
            FieldType::Bool => Ty::Bool,
            FieldType::Date => Ty::Date,
            FieldType::TextList => Ty::TextList,
            FieldType::Object(_) => Ty::Object,
            FieldType::Any => Ty::Any,
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Ty::Text => "text",
            Ty::Number => "a number",
            Ty::Bool => "是/否 (a yes/no value)",
            Ty::Date => "a date",
            Ty::TextList => "a list of texts",
            Ty::Object => "a group of fields",
            Ty::Duration => "a duration",
            Ty::Any => "any value",
        }
    }

    pub(crate) fn zh(self) -> &'static str {
        match self {
            Ty::Text => "文本",
            Ty::Number => "数字",
            Ty::Bool => "是/否",
            Ty::Date => "日期",
            Ty::TextList => "文本清单",
            Ty::Object => "字段组",
            Ty::Duration => "时长",
            Ty::Any => "任意值",
        }
    }

    /// Whether two types may be compared with `==`.
    pub(crate) fn comparable(self, other: Ty) -> bool {
        self == other || self == Ty::Any || other == Ty::Any
    }
}
