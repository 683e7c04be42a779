//! How categories and list entries are compared: NFKC, then surrounding white space trimmed
//! (the full-width space U+3000 included), so padding or full-width characters cannot slip
//! a banned item past a list.

use std::borrow::Cow;

use crate::ast::Literal;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The form a category or list entry is compared in.
///
/// ```
/// // Full-width letters and digits, and white space around, do not make another category.
/// assert_eq!(zhunru::normalize("　ＡＢＣ１２３ "), zhunru::normalize("ABC123"));
/// ```
pub fn normalize(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    // Fast path: printable ASCII and CJK Unified Ideographs (U+4E00–U+9FFF) are unchanged by
    // NFKC, and most categories are made of nothing else.
    if trimmed
        .chars()
        .all(|c| matches!(c, ' '..='~' | '\u{4e00}'..='\u{9fff}'))
    {
        return Cow::Borrowed(trimmed);
    }
    if is_nfkc_quick(trimmed.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(trimmed);
    }
    let normal: String = trimmed.nfkc().collect();
    let again = normal.trim();
    if again.len() == normal.len() {
        Cow::Owned(normal)
    } else {
        Cow::Owned(again.to_owned())
    }
}

/// The key an entry is matched by.
pub(crate) fn literal_key(l: &Literal) -> String {
    match l {
        Literal::Text(t) => normalize(t).into_owned(),
        Literal::Number(n) => n.to_string(),
        Literal::Date(d) => d.to_string(),
        Literal::Bool(b) => b.to_string(),
        Literal::Duration(d) => format!("{d:?}"),
    }
}

/// The form texts are compared in under a policy's variant spellings (异体 「台帐」 =
/// 「台账」): normalised, then each variant replaced by its standard form. `variants` hold
/// normalised pairs; with none (most policies) this is [`normalize`].
pub(crate) fn canonical<'a>(text: &'a str, variants: &[(String, String)]) -> Cow<'a, str> {
    let normal = normalize(text);
    if variants.is_empty()
        || !variants
            .iter()
            .any(|(from, _)| normal.contains(from.as_str()))
    {
        return normal;
    }
    let mut out = normal.into_owned();
    for (from, to) in variants {
        if !from.is_empty() && out.contains(from.as_str()) {
            out = out.replace(from.as_str(), to);
        }
    }
    Cow::Owned(out)
}
