//! Districts side by side: a table of work-item categories × policies with each verdict
//! (e.g. 经济创收 is banned in Yingjiang and not named in Nanqiao).
//!
//! The categories are the entries (not aliases) of every list that a task rule of some
//! policy consults — so a signage list or an assessment-indicator list is left out —, in
//! order of first appearance (policy order, then list order, then entry order), plus any
//! extra categories asked for. Each cell decides a bare task, `Subject::task(category)`:
//! no approval, no funding, the community assisting (the contract's default). When some
//! district decides the same category differently with the community as the responsible
//! party (责任主体, e.g. 行政执法 in Yingjiang), a second row shows that case.
//!
//! ```
//! use zhunru::{Date, Policy, compare};
//!
//! let a = Policy::from_str("a.policy", r#"
//!     政策 「甲」 辖区 「甲区」
//!     文件 「示例办法」 { 条款 Y1 「两个清单」 条款 Y2 「清单外须经审批」 条款 Y3 「负面清单」 条款 Y7 「三个严禁」 }
//!     清单 负面清单 「负面清单」 引用 Y3 { 「经济创收」 }
//!     规则 负面 引用 Y3 当 事项.category 属于 负面清单 不予准入 「不得下放」
//!     规则 其他 引用 Y2 当 事项.category 不属于 负面清单 须经审批 「须经审批」
//! "#).unwrap();
//! let b = Policy::from_str("b.policy", r#"
//!     政策 「乙」 辖区 「乙区」
//!     文件 「乙区办法」 { 条款 N3 「清单外须经审批」 }
//!     规则 其他 引用 N3 当 事项.category 已提供 须经审批 「须经审批」
//! "#).unwrap();
//! let table = compare::compare(&[&a, &b], &[], Date::new(2020, 6, 1).unwrap());
//! assert_eq!(table.rows[0].category, "经济创收");
//! assert_eq!(table.rows[0].cells[0].verdict, zhunru::Verdict::Denied);
//! assert_eq!(table.rows[0].cells[1].verdict, zhunru::Verdict::NeedsApproval);
//! assert!(compare::render_csv(&table).starts_with("category,role,"));
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::Policy;
use crate::ast::SubjectKind;
use crate::eval::{Decision, Verdict};
use crate::markup::{csv_record, display_width, md_escape, pad};
use crate::normalize::literal_key;
use crate::normalize::normalize;
use crate::value::{Date, Subject};

/// The community's part in a task (the contract's `community_role`).
///
/// See [`compare()`] for an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The community assists (the default).
    Assist,
    /// The community is the responsible party (责任主体).
    Responsible,
}

impl Role {
    /// The contract's word: `assist`, `responsible`.
    ///
    /// See [`compare()`] for an example.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Assist => "assist",
            Role::Responsible => "responsible",
        }
    }
}

/// A policy's column (its heading; the loaded district is the caller's).
#[derive(Clone, Debug, PartialEq, Serialize)]
///
/// See [`compare()`] for an example.
pub struct Column {
    /// Its jurisdiction (else its title): the column heading.
    pub name: String,
    /// The policy's title.
    pub title: String,
    /// The policy's file, as given.
    pub file: String,
}

/// One category decided by one policy.
///
/// See [`compare()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Cell {
    /// The verdict on the bare task.
    pub verdict: Verdict,
    /// The policy's task lists that hold the category (by name), in policy order.
    pub lists: Vec<String>,
    /// Every entry that matched is marked `示例` (illustrative, not quoted from the source).
    pub example: bool,
    /// The deciding rules, in policy order.
    pub rules: Vec<String>,
    /// Their cites, without repeats.
    pub cites: Vec<String>,
    /// The clauses cited, each with its document, as an official looks them up, in the
    /// order of `cites` (a cite whose clause is not declared is left out).
    pub clauses: Vec<crate::CitedClause>,
}

/// A category (in one role) across the policies.
///
/// See [`compare()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Row {
    /// The category asked about.
    pub category: String,
    /// The community's part.
    pub role: Role,
    /// One cell per policy, in the order the policies were given.
    pub cells: Vec<Cell>,
}

impl Row {
    /// The row's label: the category, with `（作为责任主体）` for the responsible case.
    ///
    /// See [`compare()`] for an example.
    pub fn label(&self) -> String {
        match self.role {
            Role::Assist => self.category.clone(),
            Role::Responsible => format!("{}（作为责任主体）", self.category),
        }
    }
}

/// The whole table.
///
/// See [`compare()`] for an example.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Comparison {
    /// The date decisions were made as of.
    pub as_of: Date,
    /// The columns.
    pub districts: Vec<Column>,
    /// The rows: each category as assisting, then (when some verdict differs) as
    /// responsible party.
    pub rows: Vec<Row>,
}

/// The names of the lists a policy's task rules consult, in list order.
///
/// See [`compare()`] for an example.
pub fn task_lists(policy: &Policy) -> Vec<String> {
    let mut used: Vec<&str> = Vec::new();
    for &i in policy.rules_for(SubjectKind::Task) {
        let Some(rule) = policy.ast().rules.get(i) else {
            continue;
        };
        used.extend(rule.lists_read());
    }
    policy
        .ast()
        .lists
        .iter()
        .filter(|l| used.contains(&l.name.node.as_str()))
        .map(|l| l.name.node.clone())
        .collect()
}

/// Every entry of the policies' task lists, then the extra categories, in order of first
/// appearance, without repeats (compared in normalised form).
///
/// See [`compare()`] for an example.
pub fn categories(policies: &[&Policy], extra: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for policy in policies {
        for name in task_lists(policy) {
            let Some(list) = policy.list_decl(&name) else {
                continue;
            };
            for entry in &list.entries {
                let text = crate::markup::literal_text(&entry.value.node);
                if seen.insert(literal_key(&entry.value.node)) {
                    out.push(text);
                }
            }
        }
    }
    for c in extra {
        let key = normalize(c).into_owned();
        if !key.is_empty() && seen.insert(key) {
            out.push(c.trim().to_owned());
        }
    }
    out
}

fn cell(policy: &Policy, lists: &[String], category: &str, decision: &Decision) -> Cell {
    let key = normalize(category);
    let mut on = Vec::new();
    let mut all_examples = true;
    for name in lists {
        let entry = policy
            .list_index(name)
            .and_then(|ix| ix.keys.get(key.as_ref()).copied())
            .and_then(|i| policy.list_decl(name).and_then(|l| l.entries.get(i)));
        if let Some(entry) = entry {
            on.push(name.clone());
            all_examples &= entry.example;
        }
    }
    let mut cites: Vec<String> = Vec::new();
    let mut clauses: Vec<crate::CitedClause> = Vec::new();
    for r in decision.reasons() {
        for c in r.cites() {
            if !cites.contains(c) {
                cites.push(c.clone());
                clauses.extend(r.clauses().iter().find(|k| k.id() == c).cloned());
            }
        }
    }
    Cell {
        verdict: decision.verdict(),
        example: !on.is_empty() && all_examples,
        lists: on,
        rules: decision
            .reasons()
            .iter()
            .map(|r| r.rule().to_owned())
            .collect(),
        cites,
        clauses,
    }
}

/// Per column, every clause its cells cite with its document, once each in the order
/// met: what the `[..]` in the cells refer to (「民发〔2015〕136号 136-一；《…》 H1、H2」).
fn sources_by_column(c: &Comparison) -> Vec<(&str, String)> {
    c.districts
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let clauses = c
                .rows
                .iter()
                .filter_map(|r| r.cells.get(i))
                .flat_map(|cell| &cell.clauses)
                .map(|k| (Some(k.document()), k.id()));
            (d.name.as_str(), crate::eval::sources_text(clauses))
        })
        .collect()
}

/// Decide every category (bare task) under every policy as of a date.
///
/// ```
/// use zhunru::{Date, Policy, Verdict, compare::{self, Role}};
/// let nanqiao = Policy::from_file("policies/nanqiao.policy")?;
/// let yingjiang = Policy::from_file("policies/yingjiang.policy")?;
/// assert!(compare::task_lists(&nanqiao).contains(&"负面清单".to_owned()));
/// let extra = ["社区养老".to_owned()];
/// assert!(compare::categories(&[&nanqiao], &extra).contains(&"招商引资".to_owned()));
/// let table = compare::compare(&[&nanqiao, &yingjiang], &extra, Date::new(2020, 6, 1)?);
/// assert_eq!(table.districts[0].name, nanqiao.jurisdiction());
/// let row = table.rows.iter().find(|r| r.category == "招商引资" && r.role == Role::Assist).unwrap();
/// assert_eq!((row.label(), row.role.as_str()), ("招商引资".to_owned(), "assist"));
/// assert_eq!(row.cells[0].verdict, Verdict::Denied);
/// assert!(compare::cell_text(&row.cells[0]).contains("不予准入"));
/// assert!(compare::render_text(&table).contains("招商引资"));
/// assert!(compare::render_markdown(&table).starts_with('#') || compare::render_markdown(&table).contains('|'));
/// assert!(compare::render_csv(&table).lines().count() > table.rows.len());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compare(policies: &[&Policy], extra: &[String], as_of: Date) -> Comparison {
    let lists: Vec<Vec<String>> = policies.iter().map(|p| task_lists(p)).collect();
    let row = |category: &str, role: Role| -> Row {
        let subject = match role {
            Role::Assist => Subject::task(category),
            Role::Responsible => Subject::task(category)
                .with("community_role", "responsible")
                .unwrap_or_else(|_| Subject::task(category)),
        };
        Row {
            category: category.to_owned(),
            role,
            cells: policies
                .iter()
                .zip(&lists)
                .map(|(p, l)| cell(p, l, category, &p.decide(&subject, as_of)))
                .collect(),
        }
    };
    let mut rows = Vec::new();
    for category in categories(policies, extra) {
        let assist = row(&category, Role::Assist);
        let responsible = row(&category, Role::Responsible);
        let differs = assist
            .cells
            .iter()
            .zip(&responsible.cells)
            .any(|(a, b)| a.verdict != b.verdict || a.rules != b.rules);
        rows.push(assist);
        if differs {
            rows.push(responsible);
        }
    }
    Comparison {
        as_of,
        districts: policies
            .iter()
            .map(|p| Column {
                name: p.jurisdiction().to_owned(),
                title: p.title().to_owned(),
                file: p.source().name.to_string(),
            })
            .collect(),
        rows,
    }
}

/// The short Chinese verdict used in cells: 准予准入, 不予准入, 须经审批.
fn verdict_short(v: Verdict) -> &'static str {
    match v {
        Verdict::NeedsApproval => "须经审批",
        other => other.zh(),
    }
}

/// A cell for people: `不予准入 负面清单 [Y3]`, `准予准入 履责清单（示例） [Y1]`.
///
/// See [`compare()`] for an example.
pub fn cell_text(cell: &Cell) -> String {
    let mut s = verdict_short(cell.verdict).to_owned();
    if !cell.lists.is_empty() {
        let _ = write!(s, " {}", cell.lists.join("+"));
        if cell.example {
            s.push_str("（示例）");
        }
    }
    if !cell.cites.is_empty() {
        let _ = write!(s, " [{}]", cell.cites.join(","));
    } else if !cell.rules.is_empty() {
        let _ = write!(s, " ({})", cell.rules.join(", "));
    }
    s
}

const LEGEND: &[&str] = &[
    "准予准入 admitted · 不予准入 denied · 须经审批 needs_approval (bare task: no approval, no funding, the community assisting)",
    "清单名: the district's list that names the item; （示例）: an illustrative entry, not quoted from the source; [..]: cites of the deciding rules",
    "（作为责任主体）: the same item with the community as the responsible party, shown where some district decides it differently",
];

/// The table for a terminal, columns aligned (CJK characters count two columns).
///
/// See [`compare()`] for an example.
pub fn render_text(c: &Comparison) -> String {
    let mut header = vec!["事项 category".to_owned()];
    header.extend(c.districts.iter().map(|d| d.name.clone()));
    let body: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let mut line = vec![r.label()];
            line.extend(r.cells.iter().map(cell_text));
            line
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for line in &body {
        for (w, s) in widths.iter_mut().zip(line) {
            *w = (*w).max(display_width(s));
        }
    }
    let render_line = |cells: &[String]| -> String {
        let last = cells.len().saturating_sub(1);
        let mut s = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                if i == last {
                    cell.clone()
                } else {
                    pad(cell, *w)
                }
            })
            .collect::<Vec<_>>()
            .join("  ");
        s.push('\n');
        s
    };
    let mut out = format!("准入对照 as of {}\n\n", c.as_of);
    out.push_str(&render_line(&header));
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    out.push_str(&"─".repeat(total));
    out.push('\n');
    for line in &body {
        out.push_str(&render_line(line));
    }
    out.push('\n');
    for l in LEGEND {
        let _ = writeln!(out, "{l}");
    }
    out.push_str("\n依据 sources\n");
    for (name, sources) in sources_by_column(c) {
        let _ = writeln!(out, "  {name}：{sources}");
    }
    out
}

/// The table as Markdown.
///
/// See [`compare()`] for an example.
pub fn render_markdown(c: &Comparison) -> String {
    let mut out = format!("# 准入对照 · as of {}\n\n| 事项 category |", c.as_of);
    for d in &c.districts {
        let _ = write!(out, " {} |", md_escape(&d.name));
    }
    out.push_str("\n|---|");
    for _ in &c.districts {
        out.push_str("---|");
    }
    out.push('\n');
    for r in &c.rows {
        let _ = write!(out, "| {} |", md_escape(&r.label()));
        for cell in &r.cells {
            let _ = write!(out, " {} |", md_escape(&cell_text(cell)));
        }
        out.push('\n');
    }
    out.push('\n');
    for l in LEGEND {
        let _ = writeln!(out, "- {}", md_escape(l));
    }
    out.push_str("\n## 依据 sources\n\n");
    for (name, sources) in sources_by_column(c) {
        let _ = writeln!(out, "- {}：{}", md_escape(name), md_escape(&sources));
    }
    out
}

/// The table as CSV (RFC 4180, CRLF line ends): one record per row; for each policy four
/// fields: verdict (the contract's word), lists, example (`true`/`false`), rules.
///
/// See [`compare()`] for an example.
pub fn render_csv(c: &Comparison) -> String {
    let mut header = vec!["category".to_owned(), "role".to_owned()];
    for d in &c.districts {
        for what in ["verdict", "lists", "example", "rules"] {
            header.push(format!("{} {what}", d.name));
        }
    }
    let mut out = csv_record(&header);
    for r in &c.rows {
        let mut fields = vec![r.category.clone(), r.role.as_str().to_owned()];
        for cell in &r.cells {
            fields.push(cell.verdict.as_str().to_owned());
            fields.push(cell.lists.join("; "));
            fields.push(cell.example.to_string());
            fields.push(cell.rules.join("; "));
        }
        out.push_str(&csv_record(&fields));
    }
    out
}
