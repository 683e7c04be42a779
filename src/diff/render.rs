//! The policy diff for people: text for a terminal, Markdown for a review ticket, and JSON.

use std::fmt::Write as _;

use super::*;
use crate::markup::{md_code, md_escape};

// ------------------------------------------------------------------ line diff

/// A line of a text diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line<'a> {
    Same(&'a str),
    Old(&'a str),
    New(&'a str),
}

/// A longest-common-subsequence line diff (rules are short).
fn line_diff<'a>(old: &'a str, new: &'a str) -> Vec<Line<'a>> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let (n, m) = (a.len(), b.len());
    // lcs(i, j): the LCS length of a[i..] and b[j..], in one flat table of (n+1)×(m+1).
    let width = m + 1;
    let mut table = vec![0usize; (n + 1) * width];
    let at = |t: &[usize], i: usize, j: usize| t.get(i * width + j).copied().unwrap_or(0);
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let v = if a.get(i) == b.get(j) {
                at(&table, i + 1, j + 1) + 1
            } else {
                at(&table, i + 1, j).max(at(&table, i, j + 1))
            };
            if let Some(cell) = table.get_mut(i * width + j) {
                *cell = v;
            }
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x == y => {
                out.push(Line::Same(x));
                i += 1;
                j += 1;
            }
            (Some(x), Some(_)) if at(&table, i + 1, j) >= at(&table, i, j + 1) => {
                out.push(Line::Old(x));
                i += 1;
            }
            (_, Some(y)) => {
                out.push(Line::New(y));
                j += 1;
            }
            (Some(x), None) => {
                out.push(Line::Old(x));
                i += 1;
            }
            (None, None) => break,
        }
    }
    out
}

/// The rule's text as diff lines: `-`/`+`/` ` prefixed.
fn rule_lines(rule: &RuleDiff) -> Vec<String> {
    let lines = match (&rule.old_text, &rule.new_text) {
        (Some(a), Some(b)) => line_diff(a, b),
        (Some(a), None) => a.lines().map(Line::Old).collect(),
        (None, Some(b)) => b.lines().map(Line::New).collect(),
        (None, None) => Vec::new(),
    };
    lines
        .into_iter()
        .map(|l| match l {
            Line::Same(t) => format!("  {t}"),
            Line::Old(t) => format!("- {t}"),
            Line::New(t) => format!("+ {t}"),
        })
        .collect()
}

// ------------------------------------------------------------------ rendering

fn or_none(v: &Option<String>) -> String {
    v.as_deref()
        .map_or_else(|| "(none)".to_owned(), |s| format!("「{s}」"))
}

fn names(v: &[String]) -> String {
    if v.is_empty() {
        "-".to_owned()
    } else {
        v.join(", ")
    }
}

fn quoted_list(v: &[String]) -> String {
    if v.is_empty() {
        "(none)".to_owned()
    } else {
        v.iter()
            .map(|a| format!("「{a}」"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn entry_text(e: &EntryInfo) -> String {
    let mut s = String::new();
    if e.example {
        s.push_str("示例 ");
    }
    let _ = write!(s, "「{}」", e.value);
    if !e.aliases.is_empty() {
        let _ = write!(s, "（别名 {}）", quoted_list(&e.aliases));
    }
    s
}

fn entry_change_text(c: &EntryChange) -> String {
    let mut parts = Vec::new();
    if let Some(a) = &c.aliases {
        parts.push(format!(
            "aliases {} → {}",
            quoted_list(&a.old),
            quoted_list(&a.new)
        ));
    }
    if let Some(x) = &c.example {
        parts.push(if x.new {
            "now marked 示例".to_owned()
        } else {
            "no longer marked 示例".to_owned()
        });
    }
    format!("「{}」 {}", c.value, parts.join("; "))
}

fn list_heading(l: &ListDiff) -> String {
    let mut s = l.name.clone();
    if let Some(t) = &l.title {
        let _ = write!(s, " 「{t}」");
    }
    if !l.cite.is_empty() {
        let _ = write!(s, " [{}]", l.cite.join(", "));
    }
    s
}

fn list_detail_lines(l: &ListDiff) -> Vec<(Change, String)> {
    let mut out = Vec::new();
    if let Some(t) = &l.title_change {
        out.push((
            Change::Changed,
            format!("title {} → {}", or_none(&t.old), or_none(&t.new)),
        ));
    }
    if let Some(c) = &l.cite_change {
        out.push((
            Change::Changed,
            format!("cite {} → {}", names(&c.old), names(&c.new)),
        ));
    }
    out.extend(
        l.entries_added
            .iter()
            .map(|e| (Change::Added, entry_text(e))),
    );
    out.extend(
        l.entries_removed
            .iter()
            .map(|e| (Change::Removed, entry_text(e))),
    );
    out.extend(
        l.entries_changed
            .iter()
            .map(|c| (Change::Changed, entry_change_text(c))),
    );
    out
}

fn subject_heading(c: &VerdictChange) -> String {
    match &c.category {
        Some(cat) if *cat != c.label => format!("line {} {} 「{}」", c.line, c.label, cat),
        _ => format!("line {} {}", c.line, c.label),
    }
}

/// What changed besides the verdict, one line each: reasons and missing before → after.
fn outcome_detail(c: &VerdictChange) -> Vec<String> {
    let mut out = Vec::new();
    if c.old.reasons != c.new.reasons {
        out.push(format!(
            "reasons: {} → {}",
            names(&c.old.reasons),
            names(&c.new.reasons)
        ));
    }
    if c.old.missing != c.new.missing {
        out.push(format!(
            "missing: {} → {}",
            names(&c.old.missing),
            names(&c.new.missing)
        ));
    }
    out
}

fn header_value(field: &str, v: &Option<String>) -> String {
    match (field, v) {
        ("effective", Some(d)) => d.clone(),
        _ => or_none(v),
    }
}

/// The diff for a terminal: `+` added, `-` removed, `~` changed; rules as line diffs.
///
/// See [`crate::diff`] for an example.
pub fn render_text(d: &PolicyDiff) -> String {
    let mut out = format!("--- {} (old)\n+++ {} (new)\n", d.old, d.new);
    let policy_same =
        d.header.is_empty() && d.lists.is_empty() && d.rules.is_empty() && d.asserts.is_empty();
    if policy_same {
        out.push_str("\nno differences in the policy\n");
    }
    if !d.header.is_empty() {
        out.push_str("\nheader\n");
        for h in &d.header {
            let _ = writeln!(
                out,
                "  ~ {}: {} → {}",
                h.field,
                header_value(&h.field, &h.delta.old),
                header_value(&h.field, &h.delta.new)
            );
        }
    }
    if !d.lists.is_empty() {
        out.push_str("\nlists\n");
        for l in &d.lists {
            let _ = writeln!(out, "  {} list {}", l.change.mark(), list_heading(l));
            for (change, line) in list_detail_lines(l) {
                let _ = writeln!(out, "      {} {line}", change.mark());
            }
        }
    }
    if !d.rules.is_empty() {
        out.push_str("\nrules\n");
        for r in &d.rules {
            let _ = writeln!(
                out,
                "  {} rule {} [{}]",
                r.change.mark(),
                r.name,
                r.cite.join(", ")
            );
            for line in rule_lines(r) {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
    if !d.asserts.is_empty() {
        out.push_str("\nassertions\n");
        for a in &d.asserts {
            let _ = writeln!(out, "  {} {}", a.change.mark(), a.text);
        }
    }
    if !d.sources.is_empty() {
        out.push_str("\nsources 依据\n");
        for line in source_lines(d) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if let Some(s) = &d.subjects {
        let _ = write!(out, "\nsubjects: {} decided as of {}, ", s.decided, s.as_of);
        match s.changed.len() {
            0 => out.push_str("no decision changes\n"),
            1 => out.push_str("1 decision changes\n"),
            n => {
                let _ = writeln!(out, "{n} decisions change");
            }
        }
        for c in &s.changed {
            let _ = writeln!(
                out,
                "  {}: {} → {}",
                subject_heading(c),
                c.old.verdict.as_str(),
                c.new.verdict.as_str()
            );
            for line in outcome_detail(c) {
                let _ = writeln!(out, "      {line}");
            }
        }
    }
    out
}

/// Each cited clause with its document: `H1  《…》 H1`, or `old → new` where the two
/// versions say different things about it.
fn source_lines(d: &PolicyDiff) -> Vec<String> {
    d.sources
        .iter()
        .map(|s| {
            let shown = match (&s.old, &s.new) {
                (Some(a), Some(b)) if a == b => a.clone(),
                (Some(a), Some(b)) => format!("{a} → {b}"),
                (Some(a), None) => format!("{a}（旧 old）"),
                (None, Some(b)) => format!("{b}（新 new）"),
                (None, None) => "(not declared)".to_owned(),
            };
            format!("{}  {shown}", s.id)
        })
        .collect()
}

/// The diff as Markdown (for a review ticket): sections, tables, rules as ```diff blocks.
pub fn render_markdown(d: &PolicyDiff) -> String {
    let mut out = format!(
        "# Policy diff\n\n{} → {}\n",
        md_code(&d.old),
        md_code(&d.new)
    );
    let policy_same =
        d.header.is_empty() && d.lists.is_empty() && d.rules.is_empty() && d.asserts.is_empty();
    if policy_same {
        out.push_str("\nNo differences in the policy.\n");
    }
    if !d.header.is_empty() {
        out.push_str("\n## Header\n\n| field | old | new |\n|---|---|---|\n");
        for h in &d.header {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                h.field,
                md_escape(&header_value(&h.field, &h.delta.old)),
                md_escape(&header_value(&h.field, &h.delta.new))
            );
        }
    }
    if !d.lists.is_empty() {
        out.push_str("\n## Lists\n");
        for l in &d.lists {
            let _ = writeln!(
                out,
                "\n### {}: {}\n",
                l.change.word(),
                md_escape(&list_heading(l))
            );
            for (change, line) in list_detail_lines(l) {
                let _ = writeln!(out, "- {}: {}", change.word(), md_escape(&line));
            }
        }
    }
    if !d.rules.is_empty() {
        out.push_str("\n## Rules\n");
        for r in &d.rules {
            let _ = writeln!(
                out,
                "\n### {}: {} \\[{}\\]\n\n```diff",
                r.change.word(),
                md_escape(&r.name),
                r.cite.join(", ")
            );
            for line in rule_lines(r) {
                let _ = writeln!(out, "{}", line.replace("```", "` ` `"));
            }
            out.push_str("```\n");
        }
    }
    if !d.asserts.is_empty() {
        out.push_str("\n## Assertions\n\n");
        for a in &d.asserts {
            let _ = writeln!(out, "- {}: {}", a.change.word(), md_escape(&a.text));
        }
    }
    if !d.sources.is_empty() {
        out.push_str("\n## Sources 依据\n\n");
        for line in source_lines(d) {
            let _ = writeln!(out, "- {}", md_escape(&line));
        }
    }
    if let Some(s) = &d.subjects {
        let _ = writeln!(
            out,
            "\n## Subjects\n\n{} decided as of {}; {} decision{} change{}.",
            s.decided,
            s.as_of,
            s.changed.len(),
            if s.changed.len() == 1 { "" } else { "s" },
            if s.changed.len() == 1 { "s" } else { "" },
        );
        if !s.changed.is_empty() {
            out.push_str(
                "\n| line | subject | old | new | reasons | missing |\n|---|---|---|---|---|---|\n",
            );
            for c in &s.changed {
                let subject = match &c.category {
                    Some(cat) if *cat != c.label => format!("{} 「{}」", c.label, cat),
                    _ => c.label.clone(),
                };
                let arrow = |a: &[String], b: &[String]| {
                    if a == b {
                        names(a)
                    } else {
                        format!("{} → {}", names(a), names(b))
                    }
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} |",
                    c.line,
                    md_escape(&subject),
                    c.old.verdict.as_str(),
                    c.new.verdict.as_str(),
                    md_escape(&arrow(&c.old.reasons, &c.new.reasons)),
                    md_escape(&arrow(&c.old.missing, &c.new.missing)),
                );
            }
        }
    }
    out
}

/// The diff as pretty-printed JSON (the [`PolicyDiff`] serialised).
///
/// See [`crate::diff`] for an example.
pub fn render_json(d: &PolicyDiff) -> String {
    serde_json::to_string_pretty(d).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")) + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_diff_keeps_common_lines() {
        let d = line_diff("a\nb\nc", "a\nx\nc");
        assert_eq!(
            d,
            vec![
                Line::Same("a"),
                Line::Old("b"),
                Line::New("x"),
                Line::Same("c")
            ]
        );
    }
}
