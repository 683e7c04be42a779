//! `zhunru diff OLD NEW [--subjects FILE]`: what changed between two versions of a policy,
//! and whose decision changes (the yearly review, Y6).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use zhunru::{Date, diff};

use super::common::{load_policy, parse_date, read_subjects, write_out};

/// Arguments of `zhunru diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The old version of the policy.
    old: PathBuf,
    /// The new version.
    new: PathBuf,
    /// Subjects (JSON or JSON Lines, `-` for standard input) to decide with both versions;
    /// those whose verdict, reasons or missing change are listed.
    #[arg(long, value_name = "FILE")]
    subjects: Option<String>,
    /// The date subjects are decided as of (YYYY-MM-DD); default today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Exit 1 when there are differences (as `git diff --exit-code`); else differences exit 0.
    #[arg(long)]
    exit_code: bool,
}

/// Output format of `zhunru diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// For a terminal: `+` added, `-` removed, `~` changed.
    Text,
    /// The diff as one JSON document.
    Json,
    /// Markdown, for a review ticket.
    Md,
}

/// Run `zhunru diff`.
pub fn run(args: DiffArgs) -> ExitCode {
    let (Some(old), Some(new)) = (load_policy(&args.old), load_policy(&args.new)) else {
        return ExitCode::from(1);
    };
    let mut result = diff::diff(&old, &new);
    let mut bad = 0;
    if let Some(input) = &args.subjects {
        let Some((subjects, unread)) = read_subjects(input) else {
            return ExitCode::from(1);
        };
        bad = unread;
        let as_of = args.as_of.unwrap_or_else(Date::today);
        result = result.with_subjects(&old, &new, &subjects, as_of);
    }
    let text = match args.format {
        DiffFormat::Text => diff::render_text(&result),
        DiffFormat::Json => diff::render_json(&result),
        DiffFormat::Md => diff::render_markdown(&result),
    };
    if !write_out(&text) || bad > 0 || (args.exit_code && !result.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
