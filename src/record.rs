//! A decision as a printable record (审核意见) for the file: what was asked, the verdict,
//! each reason with the clause and document it rests on, what the application still lacks,
//! the date, and the policy that decided. Markdown or a self-contained HTML page that prints
//! on A4. Built from the decision's JSON form (the contract), so a record shows nothing a
//! caller of the API could not see.

use std::fmt::Write as _;

use serde_json::Value as Json;

use crate::markup::{html_escape, md_escape};
use crate::{Date, Decision, Policy, Subject, labels};

/// One decided subject, with what is needed to print it.
#[derive(Debug, Clone, Copy)]
///
/// See [`markdown`] for an example.
pub struct Record<'a> {
    /// The policy that decided.
    pub policy: &'a Policy,
    /// What was decided.
    pub subject: &'a Subject,
    /// The decision.
    pub decision: &'a Decision,
    /// The date it was decided as of.
    pub as_of: Date,
    /// The question as the reviewer asked it, when it was asked in words.
    pub question: Option<&'a str>,
    /// Where the subject came from (`tasks.jsonl:3`), when it came from a file.
    pub origin: Option<&'a str>,
}

/// What a record says, in the order it says it; rendered by [`markdown`] and [`html`].
struct Parts {
    title: String,
    meta: Vec<(&'static str, String)>,
    question: Option<String>,
    fields: Vec<(String, String)>,
    verdict: String,
    reasons: Vec<(String, String, Vec<String>)>,
    missing: Vec<String>,
    exceptions: Vec<String>,
}

fn shown(v: &Json) -> String {
    match v {
        Json::String(s) => labels::value_label(s).map_or_else(|| s.clone(), str::to_owned),
        Json::Bool(true) => "有".to_owned(),
        Json::Bool(false) => "无".to_owned(),
        Json::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join("、"),
        Json::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

/// The subject's fields, flattened (`approval.by`), each under its label when it has one.
fn fields(prefix: &str, v: &Json, out: &mut Vec<(String, String)>) {
    match v {
        Json::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                fields(&path, v, out);
            }
        }
        _ if prefix == "kind" => {}
        _ => out.push((prefix.to_owned(), shown(v))),
    }
}

/// The order a reviewer reads a task in; fields not named here follow, by name.
const ORDER: &[&str] = &[
    "id",
    "name",
    "category",
    "requester",
    "requester_level",
    "community_role",
    "sent_on",
    "requirements",
    "basis",
    "work_plan",
    "period.start",
    "period.end",
    "funding.amount",
    "funding.per",
    "approval.status",
    "approval.by",
    "approval.date",
    "authorization.content",
    "authorization.object",
    "authorization.powers",
    "authorization.until",
];

/// The fields in reading order, each under its label when it has one.
fn labelled(mut raw: Vec<(String, String)>) -> Vec<(String, String)> {
    raw.sort_by_key(|(path, _)| ORDER.iter().position(|o| o == path).unwrap_or(ORDER.len()));
    raw.into_iter()
        .map(|(path, v)| {
            let label = labels::field_label(&path).map_or(path, str::to_owned);
            (label, v)
        })
        .collect()
}

fn text(v: &Json, key: &str) -> String {
    v.get(key).and_then(Json::as_str).unwrap_or("").to_owned()
}

fn parts(r: &Record) -> Parts {
    let policy = r.policy;
    let mut meta = vec![("辖区", policy.jurisdiction().to_owned())];
    let mut version = policy.title().to_owned();
    match (policy.effective(), policy.expires()) {
        (Some(from), Some(to)) => {
            let _ = write!(version, "（{from} 起施行，至 {to}）");
        }
        (Some(from), None) => {
            let _ = write!(version, "（{from} 起施行）");
        }
        (None, Some(to)) => {
            let _ = write!(version, "（施行至 {to}）");
        }
        (None, None) => {}
    }
    if policy.is_trial() {
        version.push_str("（试行）");
    }
    meta.push(("依据政策", version));
    // The file's name, not the deployment path it was loaded from.
    let file: &str = &policy.source().name;
    let file = std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_owned(), |f| f.to_string_lossy().into_owned());
    meta.push(("政策文件", file));
    meta.push(("审核日期", r.as_of.to_string()));
    if let Some(origin) = r.origin {
        meta.push(("来源", origin.to_owned()));
    }
    let mut subject_fields = Vec::new();
    if let Ok(json) = serde_json::to_value(r.subject) {
        fields("", &json, &mut subject_fields);
    }
    let subject_fields = labelled(subject_fields);
    let decision = serde_json::to_value(r.decision).unwrap_or(Json::Null);
    let verdict = r.decision.verdict;
    let mut reasons = Vec::new();
    for reason in decision
        .get("reasons")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        let mut cited = Vec::new();
        for clause in reason
            .get("clauses")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let doc = clause.get("document").cloned().unwrap_or(Json::Null);
            let number = text(&doc, "number");
            let mut line = format!("《{}》", text(&doc, "title"));
            if !number.is_empty() {
                let _ = write!(line, "（{number}）");
            }
            let _ = write!(line, " {}：{}", text(clause, "id"), text(clause, "text"));
            cited.push(line);
        }
        reasons.push((text(reason, "rule"), text(reason, "message"), cited));
    }
    let missing = r
        .decision
        .missing
        .iter()
        .map(|name| match labels::missing_label(name) {
            Some((label, path)) => match r.subject.get(&path.join(".")) {
                Some(crate::Value::Text(status)) if name == "approval" => match status.as_str() {
                    "pending" => "审批：尚在审批中，批准前不得进入".to_owned(),
                    "rejected" => "审批：未通过（驳回）".to_owned(),
                    _ => "审批：未经批准".to_owned(),
                },
                Some(v) if *v != crate::Value::Null => {
                    let given = serde_json::to_value(v)
                        .map(|j| shown(&j))
                        .unwrap_or_default();
                    format!("{label}：给出的“{given}”不符合要求")
                }
                _ => format!("{label}：未提供"),
            },
            None => name.clone(),
        })
        .collect();
    let exceptions = decision
        .get("exceptions")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            format!(
                "规则「{}」因例外未适用：{}",
                text(e, "rule"),
                text(e, "unless")
            )
        })
        .collect();
    Parts {
        title: "社区工作事项准入审核意见".to_owned(),
        meta,
        question: r.question.map(str::to_owned),
        fields: subject_fields,
        verdict: format!("{}（{}）", verdict.zh(), verdict.as_str()),
        reasons,
        missing,
        exceptions,
    }
}

const FOOTNOTE: &str =
    "本意见由 zhunru 依上列政策文件生成：同一政策、同一事项、同一审核日期，结论相同。";

/// The record as Markdown.
///
/// ```
/// use zhunru::{Date, Policy, Subject, record};
/// let policy = Policy::from_file("policies/nanqiao.policy")?;
/// let task = Subject::task("招商引资");
/// let as_of = Date::new(2020, 6, 1).unwrap();
/// let decision = policy.decide(&task, as_of);
/// let md = record::markdown(&record::Record {
///     policy: &policy, subject: &task, decision: &decision, as_of, question: None, origin: None,
/// });
/// assert!(md.contains("## 结论：不予准入（denied）"));
/// assert!(md.contains("民发〔2015〕136号"));
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
pub fn markdown(r: &Record) -> String {
    let p = parts(r);
    let e = md_escape;
    let mut out = format!("# {}\n\n| 项目 | 内容 |\n|---|---|\n", p.title);
    for (k, v) in &p.meta {
        let _ = writeln!(out, "| {k} | {} |", e(v));
    }
    out.push_str("\n## 事项\n\n");
    if let Some(q) = &p.question {
        let _ = writeln!(out, "提问：{}\n", e(q));
    }
    out.push_str("| 字段 | 内容 |\n|---|---|\n");
    for (k, v) in &p.fields {
        let _ = writeln!(out, "| {} | {} |", e(k), e(v));
    }
    let _ = writeln!(out, "\n## 结论：{}\n", p.verdict);
    if !p.reasons.is_empty() {
        out.push_str("## 理由\n\n");
        for (n, (rule, message, cited)) in p.reasons.iter().enumerate() {
            let _ = writeln!(out, "{}. {}（规则「{}」）", n + 1, e(message), e(rule));
            for c in cited {
                let _ = writeln!(out, "   - 依据 {}", e(c));
            }
        }
        out.push('\n');
    }
    if !p.missing.is_empty() {
        out.push_str("## 尚缺或不符\n\n");
        for m in &p.missing {
            let _ = writeln!(out, "- {}", e(m));
        }
        out.push('\n');
    }
    if !p.exceptions.is_empty() {
        out.push_str("## 例外\n\n");
        for x in &p.exceptions {
            let _ = writeln!(out, "- {}", e(x));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "---\n\n{FOOTNOTE}");
    out
}

/// The record as an HTML `<article>`; [`html_page`] wraps records into a printable page.
///
/// See [`markdown`] for an example.
pub fn html(r: &Record) -> String {
    let p = parts(r);
    let e = html_escape;
    let mut out = format!(
        "<article class=\"record\">\n<h1>{}</h1>\n<table class=\"meta\">\n",
        p.title
    );
    for (k, v) in &p.meta {
        let _ = writeln!(out, "<tr><th>{k}</th><td>{}</td></tr>", e(v));
    }
    out.push_str("</table>\n<h2>事项</h2>\n");
    if let Some(q) = &p.question {
        let _ = writeln!(out, "<p class=\"question\">提问：{}</p>", e(q));
    }
    out.push_str("<table class=\"fields\">\n");
    for (k, v) in &p.fields {
        let _ = writeln!(out, "<tr><th>{}</th><td>{}</td></tr>", e(k), e(v));
    }
    let _ = writeln!(
        out,
        "</table>\n<h2 class=\"verdict\" data-verdict=\"{}\">结论：{}</h2>",
        r.decision.verdict.as_str(),
        e(&p.verdict)
    );
    if !p.reasons.is_empty() {
        out.push_str("<h2>理由</h2>\n<ol class=\"reasons\">\n");
        for (rule, message, cited) in &p.reasons {
            let _ = write!(out, "<li>{}（规则「{}」）", e(message), e(rule));
            if !cited.is_empty() {
                out.push_str("<ul>");
                for c in cited {
                    let _ = write!(out, "<li>依据 {}</li>", e(c));
                }
                out.push_str("</ul>");
            }
            out.push_str("</li>\n");
        }
        out.push_str("</ol>\n");
    }
    for (title, items) in [("尚缺或不符", &p.missing), ("例外", &p.exceptions)] {
        if !items.is_empty() {
            let _ = writeln!(out, "<h2>{title}</h2>\n<ul>");
            for m in items {
                let _ = writeln!(out, "<li>{}</li>", e(m));
            }
            out.push_str("</ul>\n");
        }
    }
    let _ = writeln!(out, "<p class=\"foot\">{FOOTNOTE}</p>\n</article>");
    out
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','Source Han Sans SC',sans-serif;\
max-width:48rem;margin:1.5rem auto;padding:0 1rem;color:#111;line-height:1.5}\
h1{font-size:1.4rem;text-align:center}h2{font-size:1.1rem;margin-top:1.2rem}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.25rem .5rem;\
text-align:left;vertical-align:top}th{width:9rem;background:#f3f3f3;font-weight:600}\
.verdict[data-verdict=denied],.verdict[data-verdict=non_compliant]{color:#a40000}\
.verdict[data-verdict=admitted],.verdict[data-verdict=compliant]{color:#105c10}\
.verdict[data-verdict=needs_approval]{color:#8a5300}.foot{font-size:.85rem;color:#555}\
article{page-break-after:always}article:last-child{page-break-after:auto}\
@page{size:A4;margin:15mm}@media print{body{margin:0;max-width:none;font-size:10pt;line-height:1.4}\
h1{font-size:1.25rem}h2{font-size:1rem;margin-top:.8rem}th,td{padding:.15rem .4rem}}";

/// Text escaped for HTML (for front ends that put their own lines between records).
///
/// See [`markdown`] for an example.
pub fn escape_html(s: &str) -> String {
    html_escape(s)
}

/// Records (from [`html`]) as one self-contained page: no script, no outside asset, one
/// record a printed page.
///
/// See [`markdown`] for an example.
pub fn html_page(records: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"zhunru\">\n<title>社区工作事项准入审核意见</title>\n\
         <style>{STYLE}</style>\n</head>\n<body>\n{records}</body>\n</html>\n"
    )
}
