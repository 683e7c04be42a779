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
    let trimmed = trim(text);
    // Fast path: printable ASCII and CJK Unified Ideographs (U+4E00–U+9FFF) are unchanged by
    // NFKC, and most categories are made of nothing else.
    if is_stable(trimmed) {
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

/// `str::trim`, without looking further when the first and the last character cannot be
/// white space by their first byte: printable ASCII, or a lead byte from `0xE4` on (every
/// white space character is ASCII or starts with `0xC2`–`0xE3`). This runs for every
/// lookup and comparison of a text (issue 12: `trim` was 2 % of deciding a file), and for
/// every text the fast JSON Lines reader keeps.
pub(crate) fn trim(text: &str) -> &str {
    let solid = |b: u8| (0x21..0x7f).contains(&b) || b >= 0xe4;
    let bytes = text.as_bytes();
    let first = bytes.first().is_some_and(|&b| solid(b));
    let last = bytes
        .iter()
        .rev()
        .take(4)
        .find(|&&b| !(0x80..0xc0).contains(&b))
        .is_some_and(|&b| solid(b));
    if first && last { text } else { text.trim() }
}

/// Only printable ASCII and CJK Unified Ideographs (U+4E00–U+9FFF), told by their UTF-8
/// bytes (a CJK ideograph is `E4 B8..BF xx` or `E5..E9 xx xx`): faster than decoding each
/// character, and this runs for every category looked up.
fn is_stable(text: &str) -> bool {
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b' '..=b'~' => {}
            0xe4 => {
                if bytes.next().is_none_or(|c| c < 0xb8) {
                    return false;
                }
                bytes.next();
            }
            0xe5..=0xe9 => {
                bytes.next();
                bytes.next();
            }
            _ => return false,
        }
    }
    true
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The quick `trim` trims as `str::trim` does, white space of every width at either end.
    #[test]
    fn quick_trim_is_str_trim() {
        let ends = [
            "",
            " ",
            "\t",
            "\u{3000}",
            "\u{a0}",
            "\u{2003}",
            "\u{85}",
            "\u{1680}",
            "a",
            "企",
            "Ａ",
            "é",
            "\u{1f600}",
            "\u{205f}",
        ];
        for a in ends {
            for b in ends {
                for mid in ["", "x", "企业 摸底", "\u{3000}"] {
                    let t = format!("{a}{mid}{b}");
                    assert_eq!(trim(&t), t.trim(), "{t:?}");
                }
            }
        }
    }

    /// `is_stable` reads the bytes as the character ranges it stands for.
    #[test]
    fn stable_is_ascii_and_cjk() {
        let by_chars = |t: &str| {
            t.chars()
                .all(|c| matches!(c, ' '..='~' | '\u{4e00}'..='\u{9fff}'))
        };
        let probes = [
            '\u{4dff}',
            '\u{4e00}',
            '\u{9fff}',
            '\u{a000}',
            '\u{3000}',
            'Ａ',
            'é',
            '\u{1f600}',
            '\u{7f}',
            '\u{1f}',
            'a',
            '~',
            ' ',
            '台',
            '帐',
        ];
        for a in probes {
            for b in probes {
                let text = format!("x{a}{b}");
                assert_eq!(is_stable(&text), by_chars(&text), "{text:?}");
            }
        }
    }
}
