//! How categories and list entries are compared: NFKC, then surrounding white space trimmed
//! (the full-width space U+3000 included), so padding or full-width characters cannot slip
//! a banned item past a list.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The form a category or list entry is compared in.
pub fn normalize(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
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
