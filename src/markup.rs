//! Small helpers shared by the publishing renderers (diff, compare, notice): terminal
//! widths of CJK text, and escaping for Markdown, HTML and CSV.

use crate::ast::Literal;

/// Columns a character takes in a terminal: East Asian wide and full-width characters take
/// two, combining marks and zero-width characters none, everything else one.
fn char_width(c: char) -> usize {
    let u = c as u32;
    let zero = matches!(u, 0x0300..=0x036F | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F)
        || c.is_control();
    if zero {
        return 0;
    }
    let wide = matches!(
        u,
        0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xA000..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF
            | 0x20000..=0x3FFFD
    );
    if wide { 2 } else { 1 }
}

/// Columns a string takes in a terminal (CJK characters count two).
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// `s` padded with spaces on the right to `width` columns.
pub(crate) fn pad(s: &str, width: usize) -> String {
    let mut out = s.to_owned();
    out.push_str(&" ".repeat(width.saturating_sub(display_width(s))));
    out
}

/// Text made safe inside Markdown (a table cell or a list item): characters with a meaning
/// in Markdown are backslash-escaped, line breaks become spaces.
pub(crate) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text made safe inside HTML element content and attribute values.
pub(crate) fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote, or a line
/// break, with quotes doubled.
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One CSV record (RFC 4180: fields separated by commas, the record ended by CRLF).
pub(crate) fn csv_record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = fields
        .iter()
        .map(|f| csv_field(f.as_ref()))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str("\r\n");
    out
}

/// A list entry's value as text (entries are usually texts; numbers, dates and yes/no too).
pub(crate) fn literal_text(l: &Literal) -> String {
    match l {
        Literal::Text(t) => t.clone(),
        Literal::Number(n) => n.to_string(),
        Literal::Date(d) => d.to_string(),
        Literal::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Literal::Duration(d) => {
            let unit = match d.unit {
                crate::ast::TimeUnit::Days => "天",
                crate::ast::TimeUnit::Months => "个月",
                crate::ast::TimeUnit::Years => "年",
            };
            format!("{}{unit}", d.amount)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("招商引资"), 8);
        assert_eq!(display_width("「招商」"), 8);
        assert_eq!(display_width("——"), 2);
        assert_eq!(pad("准入", 6), "准入  ");
    }

    #[test]
    fn escapes() {
        assert_eq!(md_escape("a|b*c"), "a\\|b\\*c");
        assert_eq!(
            html_escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_record(&["a", "b\nc"]), "a,\"b\nc\"\r\n");
    }
}
