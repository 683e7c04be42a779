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
            Ty::Any => "任意值",
        }
    }

    /// Whether two types may be compared with `==`.
    pub(crate) fn comparable(self, other: Ty) -> bool {
        self == other || self == Ty::Any || other == Ty::Any
    }
}

/// Edit distance between two names, in characters: for "did you mean" hints.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort();
    match scored.as_slice() {
        // Only a clear winner is a hint; a tie (N9: N1 … N7) is a guess.
        [(d, c), rest @ ..] if rest.first().is_none_or(|(d2, _)| d2 > d) => Some(c),
        _ => None,
    }
}
