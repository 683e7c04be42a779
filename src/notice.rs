//! The public notice: a policy's lists as they are posted on the community's wall (H1) —
//! the policy's title, jurisdiction, source and effective date, then each list with its
//! title and cite, entries numbered, aliases shown. Entries marked `示例` are flagged
//! "示例，非原文" (illustrative, not from the source) and are never presented as quoted.
//!
//! ```
//! use zhunru::{Policy, notice};
//!
//! let policy = Policy::from_str("demo.policy", r#"
//!     政策 「示例规则」 辖区 「某区」
//!     文件 「示例办法」 { 条款 Y1 「两个清单」 条款 Y2 「清单外须经审批」 条款 Y3 「负面清单」 条款 Y7 「三个严禁」 }
//!     清单 负面清单 「负面清单」 引用 Y3 { 「招商引资」 }
//!     清单 准入清单 「准入清单」 引用 Y1 { 示例 「垃圾分类入户宣传」 }
//! "#).unwrap();
//! let n = notice::notice(&policy);
//! let md = notice::render_markdown(&n);
//! assert!(md.contains("原文未给出生效日期"));
//! assert!(md.contains("1. 垃圾分类入户宣传 *〔示例，非原文〕*"));
//! let html = notice::render_html(&n);
//! assert!(html.contains(r#"<html lang="zh-CN">"#));
//! ```

use std::fmt::Write as _;

use serde::Serialize;

use crate::Policy;
use crate::markup::{html_escape, literal_text, md_escape};
use crate::value::Date;

/// What is said of a list's entry marked `示例`.
///
/// See [`notice()`] for an example.
pub const EXAMPLE_TAG: &str = "示例，非原文";

/// What is said when the policy gives no effective date.
///
/// See [`notice()`] for an example.
pub const NO_EFFECTIVE_DATE: &str = "原文未给出生效日期";

/// One numbered entry of a list.
///
/// See [`notice()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NoticeEntry {
    /// Its number in the list, from 1.
    pub number: usize,
    /// The entry as written.
    pub text: String,
    /// Other names for the same item.
    pub aliases: Vec<String>,
    /// Marked `示例`: illustrative, not quoted from the source.
    pub example: bool,
    /// For an entry added to a parent's list with `追加 引用 …`, the clauses it was added
    /// under (the list's `cite` is the parent's); empty, and left out of JSON, otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cite: Vec<String>,
}

impl NoticeEntry {
    /// What is said of an entry added to a parent's list: `追加，依据 C3`; `None` for a
    /// list's own entries.
    ///
    /// See [`notice()`] for an example.
    pub fn added_tag(&self) -> Option<String> {
        (!self.cite.is_empty()).then(|| format!("追加，依据 {}", self.cite.join("、")))
    }
}

/// One list of the notice.
///
/// See [`notice()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NoticeList {
    /// The list's name in the policy.
    pub name: String,
    /// Its published title (else its name).
    pub title: String,
    /// The clauses of the source it encodes.
    pub cite: Vec<String>,
    /// Its entries, numbered in policy order.
    pub entries: Vec<NoticeEntry>,
}

impl NoticeList {
    /// How many entries are marked `示例`.
    ///
    /// See [`notice()`] for an example.
    pub fn examples(&self) -> usize {
        self.entries.iter().filter(|e| e.example).count()
    }
}

/// The notice for one policy.
///
/// See [`notice()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Notice {
    /// The policy's title.
    pub title: String,
    /// Its jurisdiction, when given.
    pub jurisdiction: Option<String>,
    /// The document it encodes, when given.
    pub source: Option<String>,
    /// The date it takes effect, when given.
    pub effective: Option<Date>,
    /// The date it ceases to have effect (`失效`), when given.
    pub expires: Option<Date>,
    /// Marked `试行`: measures on trial.
    pub trial: bool,
    /// Its lists, in policy order.
    pub lists: Vec<NoticeList>,
    /// The documents it rests on (its parents' first), for the 依据 section.
    pub documents: Vec<NoticeDocument>,
    /// The subject fields it (or a parent) declares beyond the contract's (`字段`), for the
    /// 增设字段 section: what a form must add to be decided under it.
    pub fields: Vec<NoticeField>,
    /// The policy file it was made from.
    pub file: String,
}

/// A field the policy declares, as the notice lists it under 增设字段.
///
/// See [`notice()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NoticeField {
    /// The field as rules write it: `事项.resident_acceptance`.
    pub path: String,
    /// Its label, when declared.
    pub label: Option<String>,
    /// What it holds: `数字`, `日期` …, or `取值「认可」、「群众普遍不认可」`, and its default
    /// (`；未填时按「城市」`).
    pub values: String,
}

impl NoticeField {
    fn of(f: &crate::ast::FieldDecl) -> NoticeField {
        use crate::ast::DeclaredType as D;
        let values = match &f.ty.node {
            D::Text => "文本".to_owned(),
            D::Number => "数字".to_owned(),
            D::Date => "日期（YYYY-MM-DD）".to_owned(),
            D::Bool => "是否".to_owned(),
            D::Texts => "文本清单".to_owned(),
            D::OneOf(values) => {
                let values: Vec<String> = values
                    .iter()
                    .map(|v| match v.words.first() {
                        Some(label) => format!("「{}」（{label}）", v.value),
                        None => format!("「{}」", v.value),
                    })
                    .collect();
                format!("取值{}", values.join("、"))
            }
        };
        // What an application that leaves the field out is decided as.
        let values = match &f.default {
            Some(d) => format!("{values}；未填时按「{}」", d.node),
            None => values,
        };
        NoticeField {
            path: format!("{}.{}", f.path.kind.zh(), f.path.dotted()),
            label: f.label.as_ref().map(|l| l.node.clone()),
            values,
        }
    }

    /// `群众认可情况（事项.resident_acceptance）：取值「认可」、「群众普遍不认可」`.
    fn line(&self) -> String {
        match &self.label {
            Some(label) => format!("{label}（{}）：{}", self.path, self.values),
            None => format!("{}：{}", self.path, self.values),
        }
    }
}

/// A document the policy rests on, as the notice lists it under 依据.
///
/// See [`notice()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct NoticeDocument {
    /// `《title》（文号，issuer，date）`: how an official cites it.
    pub citation: String,
    /// Where it is published, when the policy says.
    pub address: Option<String>,
    /// The ids of its clauses the policy declares.
    pub clauses: Vec<String>,
}

impl NoticeDocument {
    fn of(d: &crate::ast::DocumentDecl) -> NoticeDocument {
        let details: Vec<String> = [
            d.number.as_ref().map(|n| n.node.clone()),
            d.issuer.as_ref().map(|n| n.node.clone()),
            d.issued.as_ref().map(|n| n.node.to_string()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let mut citation = format!("《{}》", d.title.node);
        if !details.is_empty() {
            citation.push_str(&format!("（{}）", details.join("，")));
        }
        NoticeDocument {
            citation,
            address: d.address.as_ref().map(|a| a.node.clone()),
            clauses: d.clauses.iter().map(|c| c.id.node.clone()).collect(),
        }
    }
}

impl Notice {
    /// How many entries of all lists are marked `示例`.
    ///
    /// See [`notice()`] for an example.
    pub fn examples(&self) -> usize {
        self.lists.iter().map(NoticeList::examples).sum()
    }

    /// Some entry has aliases.
    ///
    /// See [`notice()`] for an example.
    pub fn has_aliases(&self) -> bool {
        self.lists
            .iter()
            .flat_map(|l| &l.entries)
            .any(|e| !e.aliases.is_empty())
    }

    /// The effective date as a notice writes it (`2019年8月31日`), or
    /// [`NO_EFFECTIVE_DATE`].
    ///
    /// See [`notice()`] for an example.
    pub fn effective_text(&self) -> String {
        self.effective
            .map_or_else(|| NO_EFFECTIVE_DATE.to_owned(), chinese_date)
    }

    /// The header lines after the effective date, as (label, value): the date it ceases to
    /// have effect (`失效日期`) and its trial status (`试行`), each when the policy says so.
    ///
    /// ```
    /// let policy = zhunru::Policy::from_str(
    ///     "t.policy",
    ///     "政策 「某区办法」\n  生效 2024-01-01\n  失效 2026-12-31\n  试行\n",
    /// )?;
    /// let n = zhunru::notice::notice(&policy);
    /// assert_eq!(n.status_lines(), [("失效日期", "2026年12月31日".to_owned()), ("施行", "试行".to_owned())]);
    /// assert!(zhunru::notice::render_markdown(&n).contains("- 失效日期：2026年12月31日\n- 施行：试行\n"));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn status_lines(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(d) = self.expires {
            out.push(("失效日期", chinese_date(d)));
        }
        if self.trial {
            out.push(("施行", "试行".to_owned()));
        }
        out
    }
}

/// `2019年8月31日`.
fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The notice for a policy: its header and every list, in policy order.
///
/// ```
/// use zhunru::{Policy, notice};
/// let policy = Policy::from_file("policies/jiangyuan.policy")?;
/// let n = notice::notice(&policy);
/// assert_eq!(n.title, policy.title());
/// assert_eq!(n.effective_text(), notice::NO_EFFECTIVE_DATE);
/// let list = &n.lists[0];
/// assert!(list.entries.iter().all(|e| e.number > 0));
/// assert_eq!(n.examples(), n.lists.iter().map(|l| l.examples()).sum::<usize>());
/// assert!(n.examples() > 0); // its entries are marked 示例
/// assert!(notice::render_markdown(&n).contains(notice::EXAMPLE_TAG));
/// assert!(notice::render_html(&n).starts_with("<!DOCTYPE html>"));
/// assert!(!n.has_aliases() || notice::render_markdown(&n).contains(notice::ALIAS_NOTE));
/// assert!(n.documents.iter().any(|d| d.citation.contains("民发〔2015〕136号")));
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
pub fn notice(policy: &Policy) -> Notice {
    let ast = policy.ast();
    Notice {
        title: ast.header.title.node.clone(),
        jurisdiction: ast.header.jurisdiction.as_ref().map(|j| j.node.clone()),
        source: ast.header.source.as_ref().map(|s| s.node.clone()),
        effective: ast.header.effective.as_ref().map(|d| d.node),
        expires: ast.header.expires.as_ref().map(|d| d.node),
        trial: ast.header.trial.is_some(),
        file: crate::cited_path(&policy.source().name),
        documents: ast.documents.iter().map(NoticeDocument::of).collect(),
        fields: ast.fields.iter().map(NoticeField::of).collect(),
        lists: ast
            .lists
            .iter()
            .map(|l| NoticeList {
                name: l.name.node.clone(),
                title: l
                    .title
                    .as_ref()
                    .map_or_else(|| l.name.node.clone(), |t| t.node.clone()),
                cite: l.cite.iter().map(|c| c.node.clone()).collect(),
                entries: l
                    .entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| NoticeEntry {
                        number: i + 1,
                        text: literal_text(&e.value.node),
                        aliases: e.aliases.iter().map(|a| a.node.clone()).collect(),
                        example: e.example,
                        cite: e.cite.iter().map(|c| c.node.clone()).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// 1 → 一, 12 → 十二, 21 → 二十一; from 100 on, Arabic digits.
fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: usize| DIGITS.get(d).copied().unwrap_or("");
    match n {
        1..=9 => digit(n).to_owned(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", digit(n % 10)),
        20..=99 => format!(
            "{}十{}",
            digit(n / 10),
            if n.is_multiple_of(10) {
                ""
            } else {
                digit(n % 10)
            }
        ),
        _ => n.to_string(),
    }
}

/// `依据 N2 · 共 7 项` / `共 3 项，均为示例` — the line under a list's title.
fn list_summary(l: &NoticeList) -> String {
    let mut s = String::new();
    if !l.cite.is_empty() {
        let _ = write!(s, "依据条款：{} · ", l.cite.join("、"));
    }
    let n = l.entries.len();
    let examples = l.examples();
    if n == 0 {
        s.push_str("本清单暂无条目");
    } else if examples == n {
        let _ = write!(s, "共 {n} 项，均为示例，非原文");
    } else if examples > 0 {
        let _ = write!(s, "共 {n} 项，其中 {examples} 项为示例，非原文");
    } else {
        let _ = write!(s, "共 {n} 项");
    }
    s
}

fn examples_note() -> &'static str {
    "标注“示例，非原文”的条目仅用以说明清单的用法，并非原文所列，不得作为原文引用。"
}

/// Aliases are the policy's own device for matching other names of an item, not the source's.
///
/// See [`notice()`] for an example.
pub const ALIAS_NOTE: &str = "“别名”是同一事项的其他说法，系本规则为便于识别而加，并非原文。";

/// The notice as Markdown.
///
/// See [`notice()`] for an example.
pub fn render_markdown(n: &Notice) -> String {
    let mut out = format!("# {}\n\n", md_escape(&n.title));
    if let Some(j) = &n.jurisdiction {
        let _ = writeln!(out, "- 辖区：{}", md_escape(j));
    }
    if let Some(s) = &n.source {
        let _ = writeln!(out, "- 来源：{}", md_escape(s));
    }
    let _ = writeln!(out, "- 生效日期：{}", n.effective_text());
    for (label, value) in n.status_lines() {
        let _ = writeln!(out, "- {label}：{value}");
    }
    if n.examples() > 0 {
        let _ = writeln!(out, "\n> {}", examples_note());
    }
    if n.has_aliases() {
        let _ = writeln!(out, "\n> {ALIAS_NOTE}");
    }
    for (i, l) in n.lists.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n## {}、{}\n\n{}\n",
            chinese_number(i + 1),
            md_escape(&l.title),
            list_summary(l)
        );
        for e in &l.entries {
            let _ = write!(out, "{}. {}", e.number, md_escape(&e.text));
            if !e.aliases.is_empty() {
                let aliases: Vec<String> = e.aliases.iter().map(|a| md_escape(a)).collect();
                let _ = write!(out, "（别名：{}）", aliases.join("、"));
            }
            if let Some(tag) = e.added_tag() {
                let _ = write!(out, " *〔{}〕*", md_escape(&tag));
            }
            if e.example {
                let _ = write!(out, " *〔{EXAMPLE_TAG}〕*");
            }
            out.push('\n');
        }
    }
    if !n.fields.is_empty() {
        out.push_str("\n## 增设字段\n\n本政策在合同字段之外读取下列字段（输入中须按此取值）：\n\n");
        for f in &n.fields {
            let _ = writeln!(out, "- {}", md_escape(&f.line()));
        }
    }
    if !n.documents.is_empty() {
        out.push_str("\n## 依据\n\n");
        for d in &n.documents {
            let _ = write!(out, "- {}", md_escape(&d.citation));
            if !d.clauses.is_empty() {
                let _ = write!(out, "，条款 {}", md_escape(&d.clauses.join("、")));
            }
            if let Some(a) = &d.address {
                let _ = write!(out, "，{}", md_escape(a));
            }
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "\n---\n\n生成自 {}（zhunru notice）",
        md_escape(&n.file)
    );
    out
}

const STYLE: &str = r#"
  @page { size: A4; margin: 18mm 16mm; }
  * { box-sizing: border-box; }
  body {
    margin: 0; background: #fff; color: #111;
    font-family: "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", "SimSun", serif;
    font-size: 16px; line-height: 1.75;
    overflow-wrap: anywhere; /* a long address breaks, not the phone's width */
  }
  main { max-width: 46em; margin: 2.5em auto; padding: 0 1.5em; }
  header { text-align: center; border-bottom: 3px double #a00; padding-bottom: 0.8em; }
  .kicker { margin: 0; color: #a00; letter-spacing: 0.3em; font-size: 0.95em; }
  h1 { margin: 0.2em 0 0.4em; font-size: 1.75em; line-height: 1.35; letter-spacing: 0.04em; }
  dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.15em 0.8em;
            margin: 0.8em auto 0; text-align: left; max-width: 38em; font-size: 0.95em; }
  dl.meta dt { font-weight: bold; }
  dl.meta dd { margin: 0; }
  .note { margin: 1.2em 0; padding: 0.5em 0.9em; border: 1px dashed #666; font-size: 0.92em; }
  .note p { margin: 0.2em 0; }
  .note .tag { margin-left: 0; margin-right: 0.3em; }
  section { margin-top: 1.6em; break-inside: avoid-page; page-break-inside: avoid; }
  h2 { margin: 0 0 0.2em; font-size: 1.25em; border-left: 5px solid #a00; padding-left: 0.5em;
       break-after: avoid; page-break-after: avoid; }
  .summary { margin: 0 0 0.4em; color: #444; font-size: 0.9em; }
  ol { margin: 0.3em 0 0; padding-left: 2.6em; }
  li { padding: 0.1em 0; break-inside: avoid; page-break-inside: avoid; }
  li.example { color: #555; }
  .alias { color: #444; }
  .tag { display: inline-block; margin-left: 0.6em; padding: 0 0.4em; border: 1px dashed #777;
         border-radius: 3px; font-size: 0.78em; line-height: 1.5; color: #555; white-space: nowrap; }
  .empty { color: #666; font-style: italic; }
  footer { margin-top: 2.5em; padding-top: 0.5em; border-top: 1px solid #ccc;
           color: #666; font-size: 0.8em; }
  @media print {
    main { margin: 0; max-width: none; padding: 0; }
    body { font-size: 12pt; }
  }
"#;

/// The notice as a standalone HTML page (inline CSS, print-friendly, `lang="zh-CN"`);
/// every text from the policy is escaped.
///
/// See [`notice()`] for an example.
pub fn render_html(n: &Notice) -> String {
    let e = html_escape;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"zhunru notice\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>",
        e(&n.title)
    );
    out.push_str("<header>\n<p class=\"kicker\">社区工作事项清单公示</p>\n");
    let _ = writeln!(out, "<h1>{}</h1>\n<dl class=\"meta\">", e(&n.title));
    if let Some(j) = &n.jurisdiction {
        let _ = writeln!(out, "<dt>辖区</dt><dd>{}</dd>", e(j));
    }
    if let Some(s) = &n.source {
        let _ = writeln!(out, "<dt>来源</dt><dd>{}</dd>", e(s));
    }
    let _ = writeln!(out, "<dt>生效日期</dt><dd>{}</dd>", e(&n.effective_text()));
    for (label, value) in n.status_lines() {
        let _ = writeln!(out, "<dt>{label}</dt><dd>{}</dd>", e(&value));
    }
    out.push_str("</dl>\n</header>\n");
    if n.examples() > 0 || n.has_aliases() {
        out.push_str("<div class=\"note\">\n");
        if n.examples() > 0 {
            let _ = writeln!(
                out,
                "<p><span class=\"tag\">{EXAMPLE_TAG}</span> {}</p>",
                examples_note()
            );
        }
        if n.has_aliases() {
            let _ = writeln!(out, "<p>{ALIAS_NOTE}</p>");
        }
        out.push_str("</div>\n");
    }
    for (i, l) in n.lists.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section>\n<h2>{}、{}</h2>\n<p class=\"summary\">{}</p>",
            chinese_number(i + 1),
            e(&l.title),
            e(&list_summary(l))
        );
        if l.entries.is_empty() {
            out.push_str("</section>\n");
            continue;
        }
        out.push_str("<ol>\n");
        for entry in &l.entries {
            let class = if entry.example {
                " class=\"example\""
            } else {
                ""
            };
            let _ = write!(out, "<li{class}>{}", e(&entry.text));
            if !entry.aliases.is_empty() {
                let aliases: Vec<String> = entry.aliases.iter().map(|a| e(a)).collect();
                let _ = write!(
                    out,
                    "<span class=\"alias\">（别名：{}）</span>",
                    aliases.join("、")
                );
            }
            if let Some(tag) = entry.added_tag() {
                let _ = write!(out, "<span class=\"tag\">{}</span>", e(&tag));
            }
            if entry.example {
                let _ = write!(out, "<span class=\"tag\">{EXAMPLE_TAG}</span>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n</section>\n");
    }
    if !n.fields.is_empty() {
        out.push_str(
            "<section class=\"fields\">\n<h2>增设字段</h2>\n<p class=\"summary\">本政策在合同字段之外读取下列字段（输入中须按此取值）：</p>\n<ul>\n",
        );
        for f in &n.fields {
            let _ = writeln!(out, "<li>{}</li>", e(&f.line()));
        }
        out.push_str("</ul>\n</section>\n");
    }
    if !n.documents.is_empty() {
        out.push_str("<section class=\"sources\">\n<h2>依据</h2>\n<ul>\n");
        for d in &n.documents {
            let _ = write!(out, "<li>{}", e(&d.citation));
            if !d.clauses.is_empty() {
                let _ = write!(out, "，条款 {}", e(&d.clauses.join("、")));
            }
            if let Some(a) = &d.address {
                let _ = write!(out, "，{}", e(a));
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ul>\n</section>\n");
    }
    let _ = writeln!(
        out,
        "<footer>生成自 {}（zhunru notice）</footer>\n</main>\n</body>\n</html>",
        e(&n.file)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(14), "十四");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(37), "三十七");
        assert_eq!(chinese_number(120), "120");
    }

    #[test]
    fn html_escapes_policy_text() {
        let policy = Policy::from_str(
            "x.policy",
            r#"政策 "<b>&" 文件 "<i>" { 条款 Y1 "<u>" } 清单 甲 "<script>" 引用 Y1 { "a<b" (alias "x&y") }"#,
        );
        let policy = match policy {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        let html = render_html(&notice(&policy));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("a&lt;b"));
        assert!(html.contains("x&amp;y"));
    }
}
