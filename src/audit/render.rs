//! The audit report for people: text for a terminal and Markdown a bureau can file, through
//! the crate's one width function and one Markdown escaper.

use std::fmt::Write as _;

use super::{AuditReport, Summary, UnitSummary, Violation, ViolationClass};
use crate::eval::Verdict;
use crate::markup::{display_width, md_code, md_escape, pad, pad_left};

/// How the report names a violation's class: a denied task by the lists it was denied on
/// (the policy's own titles), the others by the class's Chinese name.
fn class_label(v: &Violation) -> String {
    match (v.class, v.lists.as_slice()) {
        (ViolationClass::Denied, lists) if !lists.is_empty() => {
            let titles: Vec<String> = lists.iter().map(|l| format!("《{l}》")).collect();
            titles.join("、")
        }
        _ => v.class.zh().to_owned(),
    }
}

/// What the report says of an approval dated after the task was sent.
fn late_approval(v: &Violation) -> Option<String> {
    let approved = v.approved_on?;
    let sent = v.sent_on?;
    Some(format!(
        "批准日期 {approved} 晚于派发日期 {sent}，派发时尚未批准 — approved on {approved}, after it was sent on {sent}"
    ))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn unit_name(requester: Option<&str>) -> &str {
    requester.unwrap_or("（未写明请求单位）")
}

/// A table of text: columns of counts right-aligned, the others left-aligned.
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(cell));
        }
    }
    let numeric: Vec<bool> = (0..header.len())
        .map(|i| {
            i > 0
                && rows
                    .iter()
                    .all(|r| r.get(i).is_some_and(|c| c.parse::<usize>().is_ok()))
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(&numeric)
            .map(|((c, w), n)| if *n { pad_left(c, *w) } else { pad(c, *w) })
            .collect();
        format!("  {}\n", parts.join("  ").trim_end())
    };
    out.push_str(&line(header.to_vec()));
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
}

fn bracketed(sources: &str) -> String {
    if sources.is_empty() {
        String::new()
    } else {
        format!("[{sources}]")
    }
}

fn dates(s: &Summary) -> String {
    match (s.first_sent, s.last_sent) {
        (Some(a), Some(b)) if a == b => format!("sent {a}"),
        (Some(a), Some(b)) => format!("sent {a} … {b}"),
        _ => "no sent_on dates".to_owned(),
    }
}

fn verdict_label(v: Verdict) -> String {
    format!("{} {}", v.as_str(), v.zh())
}

/// The verdicts table's rows: each task verdict and how many rows had it.
fn verdict_rows(s: &Summary) -> [Vec<String>; 3] {
    [
        (Verdict::Admitted, s.by_verdict.admitted),
        (Verdict::Denied, s.by_verdict.denied),
        (Verdict::NeedsApproval, s.by_verdict.needs_approval),
    ]
    .map(|(v, n)| vec![verdict_label(v), n.to_string()])
}

/// The item as the report names it: `category 「name」` when the name says more.
fn item(v: &Violation) -> String {
    let category = v.category.as_deref().unwrap_or("");
    match v.name.as_deref() {
        Some(name) if name != category => format!("{category} 「{name}」"),
        _ => category.to_owned(),
    }
}

/// Violations grouped by unit, in the order of the summary's units.
fn grouped(report: &AuditReport) -> Vec<(&UnitSummary, Vec<&Violation>)> {
    report
        .summary
        .by_unit
        .iter()
        .filter(|u| u.violations > 0)
        .map(|u| {
            let vs = report
                .violations
                .iter()
                .filter(|v| v.requester == u.requester)
                .collect();
            (u, vs)
        })
        .collect()
}

/// The report as text for a person: what was audited, the verdicts, the violations by class,
/// every unit (those with violations first), every rule, then each violation under its unit
/// with the rules it broke, and the rows that could not be read.
///
/// See [`crate::audit()`] for an example.
pub fn render_text(report: &AuditReport) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(out, "zhunru audit 准入审计");
    let _ = writeln!(out, "  policy   {} — {}", s.policy, s.title);
    let _ = writeln!(
        out,
        "  log      {} — {}, {}",
        s.log,
        plural(s.rows, "row"),
        dates(s)
    );
    let _ = writeln!(
        out,
        "  decided  {}, {}",
        plural(s.decided, "task"),
        if s.undated == 0 {
            "each as of the day it was sent (sent_on)".to_owned()
        } else {
            format!(
                "each as of its sent_on; {} without sent_on as of {}",
                s.undated, s.default_as_of
            )
        }
    );
    if s.malformed > 0 {
        let _ = writeln!(
            out,
            "  unread   {} could not be audited (listed at the end): the audit is incomplete",
            plural(s.malformed, "row")
        );
    }
    out.push('\n');
    if s.decided == 0 {
        // Not "no violations": nothing was looked at.
        let _ = writeln!(
            out,
            "Nothing audited 未审计任何事项: no task in the log could be decided."
        );
    } else if s.violations == 0 {
        let _ = writeln!(
            out,
            "No violations 未发现违规: every task decided was admitted."
        );
    } else {
        let units = s.by_unit.iter().filter(|u| u.violations > 0).count();
        let _ = writeln!(
            out,
            "{} 违规 in {}: tasks that entered a community without admission (未经准入)",
            plural(s.violations, "violation"),
            plural(units, "unit")
        );
    }
    out.push('\n');

    out.push_str("verdicts 结论\n");
    table(&mut out, &["verdict", "tasks"], &verdict_rows(s));
    out.push('\n');
    out.push_str("violations by class 违规类别\n");
    let classes: Vec<Vec<String>> = ViolationClass::ALL
        .iter()
        .map(|c| {
            vec![
                format!("{} {}", c.as_str(), c.zh()),
                s.by_class.get(*c).to_string(),
            ]
        })
        .collect();
    table(&mut out, &["class", "violations"], &classes);
    out.push('\n');

    out.push_str("units 请求单位 (units with violations first)\n");
    let units: Vec<Vec<String>> = s
        .by_unit
        .iter()
        .map(|u| {
            vec![
                unit_name(u.requester.as_deref()).to_owned(),
                u.tasks.to_string(),
                u.by_verdict.admitted.to_string(),
                u.by_verdict.denied.to_string(),
                u.by_verdict.needs_approval.to_string(),
                u.violations.to_string(),
            ]
        })
        .collect();
    table(
        &mut out,
        &[
            "unit",
            "tasks",
            "admitted",
            "denied",
            "needs_approval",
            "violations",
        ],
        &units,
    );
    out.push('\n');

    out.push_str("rules 规则\n");
    let rules: Vec<Vec<String>> = s
        .by_rule
        .iter()
        .map(|r| {
            vec![
                r.rule.clone(),
                bracketed(&r.sources),
                r.rows.to_string(),
                r.violations.to_string(),
            ]
        })
        .collect();
    table(&mut out, &["rule", "cites", "rows", "violations"], &rules);

    if !report.violations.is_empty() {
        out.push_str("\nviolations 违规事项, by unit\n");
    }
    for (unit, vs) in grouped(report) {
        let _ = writeln!(
            out,
            "\n■ {} — {}",
            unit_name(unit.requester.as_deref()),
            plural(vs.len(), "violation")
        );
        for v in vs {
            let sent = match v.sent_on {
                Some(d) => format!("sent {d}"),
                None => format!("no sent_on, decided as of {}", v.as_of),
            };
            let _ = writeln!(
                out,
                "  line {} · {} · {} · {}",
                v.line,
                v.id.as_deref().unwrap_or("(no id)"),
                item(v),
                sent
            );
            let class = match v.class {
                // The verdict says `denied` already: the lists say why.
                ViolationClass::Denied => class_label(v),
                other => format!("{} {}", other.as_str(), class_label(v)),
            };
            let _ = writeln!(out, "    {} · {class}", verdict_label(v.verdict));
            if let Some(note) = late_approval(v) {
                let _ = writeln!(out, "    ! {note}");
            }
            for r in &v.reasons {
                let at = r.at.as_ref().map_or(String::new(), |a| format!(" at {a}"));
                let _ = writeln!(
                    out,
                    "    ✗ {} {}{at}",
                    r.rule,
                    bracketed(&crate::eval::cited_sources(r))
                );
                let _ = writeln!(out, "      {}", r.message);
            }
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "\nrows that could not be audited 无法审计的行 ({})",
            report.errors.len()
        );
        for e in &report.errors {
            let _ = writeln!(out, "  {}: {}", e.at, e.message);
        }
    }
    out
}

/// A Markdown table of cells already escaped: columns of counts right-aligned.
fn md_table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = (0..header.len())
        .map(|i| {
            let numeric = i > 0
                && rows.iter().all(|r| {
                    r.get(i)
                        .is_some_and(|c| c.trim_matches('*').parse::<usize>().is_ok())
                });
            if numeric { "---:" } else { "---" }
        })
        .collect();
    let _ = writeln!(out, "|{}|", rule.join("|"));
    for row in rows {
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// The report as Markdown a bureau can file: a heading, what was audited, summary tables
/// (verdicts, classes, units, rules), one section per unit with violations, and the rows
/// that could not be read.
///
/// See [`crate::audit()`] for an example.
pub fn render_markdown(report: &AuditReport) -> String {
    let s = &report.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# 社区工作事项准入审计报告 — Admission audit\n");
    let _ = writeln!(
        out,
        "- 政策 Policy: {} ({})",
        md_escape(&s.title),
        md_code(&s.policy)
    );
    let _ = writeln!(
        out,
        "- 日志 Log: {}, {}, {}",
        md_code(&s.log),
        plural(s.rows, "row"),
        dates(s)
    );
    if s.undated == 0 {
        let _ = writeln!(
            out,
            "- 判定日期 Decided as of: the day each task was sent (`sent_on`)"
        );
    } else {
        let _ = writeln!(
            out,
            "- 判定日期 Decided as of: each task's `sent_on`; {} without `sent_on` as of {}",
            plural(s.undated, "row"),
            s.default_as_of
        );
    }
    let units_with = s.by_unit.iter().filter(|u| u.violations > 0).count();
    let _ = writeln!(
        out,
        "- 违规 Violations: **{}** in {} (tasks that entered a community without admission)",
        s.violations,
        plural(units_with, "unit")
    );
    if s.malformed > 0 {
        let _ = writeln!(
            out,
            "- 无法审计 Not audited: **{}** (see the last section); the audit is incomplete",
            plural(s.malformed, "row")
        );
    }

    let _ = writeln!(out, "\n## 结论 Verdicts\n");
    md_table(&mut out, &["结论 Verdict", "事项 Tasks"], &verdict_rows(s));
    let _ = writeln!(out, "\n## 违规类别 Violations by class\n");
    let classes: Vec<Vec<String>> = ViolationClass::ALL
        .iter()
        .map(|c| {
            vec![
                format!("{} `{}`", c.zh(), c.as_str()),
                s.by_class.get(*c).to_string(),
            ]
        })
        .collect();
    md_table(&mut out, &["类别 Class", "违规 Violations"], &classes);

    let _ = writeln!(out, "\n## 请求单位 Units\n");
    let units: Vec<Vec<String>> = s
        .by_unit
        .iter()
        .map(|u| {
            vec![
                md_escape(unit_name(u.requester.as_deref())),
                u.tasks.to_string(),
                u.by_verdict.admitted.to_string(),
                u.by_verdict.denied.to_string(),
                u.by_verdict.needs_approval.to_string(),
                if u.violations > 0 {
                    format!("**{}**", u.violations)
                } else {
                    "0".to_owned()
                },
            ]
        })
        .collect();
    md_table(
        &mut out,
        &[
            "请求单位 Unit",
            "事项 Tasks",
            "准予准入",
            "不予准入",
            "须经准入审批",
            "违规 Violations",
        ],
        &units,
    );

    let _ = writeln!(out, "\n## 规则 Rules\n");
    let rules: Vec<Vec<String>> = s
        .by_rule
        .iter()
        .map(|r| {
            vec![
                md_escape(&r.rule),
                md_escape(&r.sources),
                r.at.as_ref()
                    .map_or(String::new(), |a| md_code(&a.to_string())),
                r.rows.to_string(),
                r.violations.to_string(),
            ]
        })
        .collect();
    md_table(
        &mut out,
        &[
            "规则 Rule",
            "依据 Cites",
            "位置 At",
            "事项 Rows",
            "违规 Violations",
        ],
        &rules,
    );

    if !report.violations.is_empty() {
        let _ = writeln!(out, "\n## 违规事项 Violations");
    }
    for (unit, vs) in grouped(report) {
        let _ = writeln!(
            out,
            "\n### {}（{}）\n",
            md_escape(unit_name(unit.requester.as_deref())),
            vs.len()
        );
        for v in vs {
            let sent = match v.sent_on {
                Some(d) => format!("派发 sent {d}"),
                None => format!("未写派发日期, decided as of {}", v.as_of),
            };
            let _ = writeln!(
                out,
                "- **{}** {} — line {}, {} — {} — {} `{}`",
                md_escape(v.id.as_deref().unwrap_or("(no id)")),
                md_escape(&item(v)),
                v.line,
                sent,
                verdict_label(v.verdict),
                md_escape(&class_label(v)),
                v.class.as_str()
            );
            if let Some(note) = late_approval(v) {
                let _ = writeln!(out, "  - ⚠ {}", md_escape(&note));
            }
            for r in &v.reasons {
                let at =
                    r.at.as_ref()
                        .map_or(String::new(), |a| format!(" ({})", md_code(&a.to_string())));
                let _ = writeln!(
                    out,
                    "  - {} {}{at}: {}",
                    md_escape(&r.rule),
                    md_escape(&bracketed(&crate::eval::cited_sources(r))),
                    md_escape(&r.message)
                );
            }
        }
    }
    if !report.errors.is_empty() {
        let _ = writeln!(out, "\n## 无法审计的行 Rows not audited\n");
        for e in &report.errors {
            let _ = writeln!(out, "- {}: {}", md_code(&e.at), md_escape(&e.message));
        }
    }
    out
}
