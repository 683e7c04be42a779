//! Small helpers shared by the publishing renderers (diff, compare, notice): terminal
//! widths of CJK text, and escaping for Markdown, HTML and CSV.

use unicode_width::UnicodeWidthStr;

use crate::ast::Literal;

/// Columns a string takes in a terminal: East Asian wide and full-width characters take
/// two, combining marks none (Unicode's East Asian Width, as `unicode-width` reads it; the
/// one width function of the crate, so tables, the formatter and the REPL agree).
pub(crate) fn display_width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` padded with spaces on the right to `width` columns.
pub(crate) fn pad(s: &str, width: usize) -> String {
    let mut out = s.to_owned();
    out.push_str(&" ".repeat(width.saturating_sub(display_width(s))));
    out
}

/// `s` padded with spaces on the left to `width` columns (for numbers in a table).
pub(crate) fn pad_left(s: &str, width: usize) -> String {
    let mut out = " ".repeat(width.saturating_sub(display_width(s)));
    out.push_str(s);
    out
}

/// Text as a Markdown code span (a double-backtick span when it holds a backtick); line
/// breaks become spaces.
pub(crate) fn md_code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
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
        // An em dash is narrow (East Asian Width: ambiguous, narrow outside CJK contexts).
        assert_eq!(display_width("——"), 2);
        assert_eq!(display_width("—"), 1);
        assert_eq!(display_width("é"), 1);
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
