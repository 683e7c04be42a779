//! `zhunru audit`: a log of tasks sent to communities (JSON Lines or CSV) decided row by row,
//! each as of its `sent_on`, and a report of every task that entered without admission.
//!
//! Exit codes: 0 no violations; 3 violations found; 1 the policy or the log could not be
//! read, or some row could not be — a row that was not audited makes the audit incomplete,
//! so it outranks the violations (which the report still lists).

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use zhunru::Date;
use zhunru::input::InputFormat;

/// How the report is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// For a person.
    Text,
    /// One JSON object: {"summary": …, "violations": […], "errors": […]}.
    Json,
    /// A Markdown report to file.
    #[value(alias = "markdown")]
    Md,
}

/// The log's format, when its name does not tell (`.csv` is CSV, anything else JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// JSON Lines, pretty-printed objects or an array, told value by value.
    Json,
    /// One JSON object a line, strictly.
    Jsonl,
    /// CSV with a header row of contract field names.
    Csv,
}

/// Arguments of `zhunru audit`.
#[derive(Args, Debug)]
pub struct AuditArgs {
    /// The policy: a file, or a folder of a district's dated versions (each row is decided
    /// by the version in force on its `sent_on`).
    #[arg(long, short)]
    policy: PathBuf,
    /// Report format.
    #[arg(long, short, value_enum, default_value_t = AuditFormat::Text)]
    format: AuditFormat,
    /// The date rows without `sent_on` are decided as of (YYYY-MM-DD); default today.
    #[arg(long, value_parser = super::common::parse_date)]
    as_of: Option<Date>,
    /// The log's format; default from its name (`.csv` is CSV, else JSON Lines).
    #[arg(long, value_enum)]
    log_format: Option<LogFormat>,
    /// The log, or `-` for standard input.
    log: String,
}

pub fn run(args: AuditArgs) -> ExitCode {
    let err_color = super::common::err_color();
    let Some(versions) = super::common::load_versions(&args.policy) else {
        return ExitCode::from(1);
    };
    let format = match args.log_format {
        Some(LogFormat::Csv) => InputFormat::Csv,
        Some(LogFormat::Json) => InputFormat::Json,
        Some(LogFormat::Jsonl) => InputFormat::JsonLines,
        None => InputFormat::from_path(Path::new(&args.log)),
    };
    let Some((reader, origin)) = super::common::open_input_with_progress(&args.log) else {
        return ExitCode::from(1);
    };
    // Diagnostics for unreadable rows go to stderr as they are met, with the line shown.
    let mut shown = BTreeSet::new();
    let as_of = args.as_of.unwrap_or_else(Date::today);
    // Each row is typed by the fields its version declares (and the contract's).
    let rows = versions
        .read_subjects(reader, origin.clone(), format, as_of)
        .inspect(|(line, read)| {
            if let Err(e) = read {
                shown.insert(e.line().unwrap_or(*line));
                super::common::eprint_above(&super::common::input_error_text(e, err_color));
            }
        });
    let report = zhunru::audit::audit_versions(&versions, &origin, rows, as_of);
    super::common::finish_progress();
    // A CSV log read as JSON (from stdin, or a file not named .csv) fails on every row: say
    // how to read it, once, rather than leave hundreds of "not valid JSON" to explain it, and
    // last (said before the rows' errors, a trial missed it among them).
    const CSV_HINT: &str = "the log was read as JSON; if it is CSV, pass --log-format csv (a file named *.csv is read as CSV)";
    let csv_read_as_json = format != InputFormat::Csv
        && report.summary.decided == 0
        && report
            .errors
            .first()
            .is_some_and(|e| e.line == 1 && e.message.starts_with("not valid JSON"));
    for e in report.errors.iter().filter(|e| !shown.contains(&e.line)) {
        super::common::report_at(
            "zhunru::input",
            &e.message,
            Some(&origin),
            Some((e.line, e.column)),
        );
    }

    let mut out = std::io::stdout().lock();
    let written = match args.format {
        AuditFormat::Text => out.write_all(report.to_text().as_bytes()),
        AuditFormat::Md => out.write_all(report.to_markdown().as_bytes()),
        AuditFormat::Json => serde_json::to_string_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(out, "{json}")),
    }
    .and_then(|_| out.flush());
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        super::common::report_plain("zhunru::io", &format!("cannot write the report: {e}"), None);
        return ExitCode::from(1);
    }
    if !report.errors.is_empty() {
        super::common::note(&format!(
            "{} row(s) could not be audited; every other row was ({} violation(s) found){}",
            report.errors.len(),
            report.summary.violations,
            if csv_read_as_json {
                format!(" — {CSV_HINT}")
            } else {
                String::new()
            }
        ));
        ExitCode::from(1)
    } else if report.has_violations() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    }
}
