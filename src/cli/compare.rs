//! `zhunru compare POLICY…`: categories × districts with each verdict, as text, Markdown
//! or CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use zhunru::{Date, SubjectKind, compare};

use super::common::{load_versions, read_subjects, write_out};

/// Arguments of `zhunru compare`.
#[derive(Args, Debug)]
pub struct CompareArgs {
    /// The policies, one column each, in this order; a folder of a district's dated
    /// versions is one column, decided by the version in force on `--as-of`.
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// Another category to compare (repeatable), besides the entries of the policies' lists.
    #[arg(long = "category", short = 'c', value_name = "CATEGORY")]
    categories: Vec<String>,
    /// Add the categories of the tasks in this file (JSON or JSON Lines, `-` for stdin).
    #[arg(long, value_name = "FILE")]
    subjects: Option<String>,
    /// The date decisions are made as of (YYYY-MM-DD); default today.
    #[arg(long, value_parser = super::common::parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = CompareFormat::Text)]
    format: CompareFormat,
}

/// Output format of `zhunru compare`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// An aligned table for a terminal.
    Text,
    /// A Markdown table.
    Md,
    /// CSV (RFC 4180): verdict, lists, example and rules for each district.
    Csv,
    /// The table as JSON.
    Json,
}

/// Run `zhunru compare`.
pub fn run(args: CompareArgs) -> ExitCode {
    let mut districts = Vec::new();
    let mut failed = false;
    for path in &args.policies {
        match load_versions(path) {
            Some(v) => districts.push(v),
            None => failed = true,
        }
    }
    if failed {
        return ExitCode::from(1);
    }
    let mut extra = args.categories.clone();
    let mut bad = 0;
    if let Some(input) = &args.subjects {
        let Some((subjects, unread)) = read_subjects(input) else {
            return ExitCode::from(1);
        };
        bad = unread;
        extra.extend(
            subjects
                .iter()
                .filter(|(_, s)| s.kind() == SubjectKind::Task)
                .filter_map(|(_, s)| s.category().map(str::to_owned)),
        );
    }
    let as_of = args.as_of.unwrap_or_else(Date::today);
    let refs: Vec<&zhunru::Policy> = districts.iter().map(|d| d.in_force(as_of)).collect();
    let table = compare::compare(&refs, &extra, as_of);
    let text = match args.format {
        CompareFormat::Text => compare::render_text(&table),
        CompareFormat::Md => compare::render_markdown(&table),
        CompareFormat::Csv => compare::render_csv(&table),
        CompareFormat::Json => match serde_json::to_string_pretty(&table) {
            Ok(s) => s + "\n",
            Err(e) => {
                super::common::report_plain("zhunru::io", &format!("cannot write JSON: {e}"), None);
                return ExitCode::from(1);
            }
        },
    };
    if !write_out(&text) || bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
