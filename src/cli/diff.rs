//! `zhunru diff OLD NEW [--subjects FILE]`: what changed between two versions of a policy,
//! and whose decision changes (the yearly review, Y6). Also the helpers the publishing
//! commands share: loading a policy, reading subjects, writing output.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use zhunru::input::SubjectReader;
use zhunru::{Date, Policy, Subject, diff, render};

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
    #[arg(long, value_parser = super::parse_date)]
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

/// Load and check a policy; on failure its diagnostics go to stderr (in the `--lang` chosen).
pub(super) fn load_policy(path: &Path) -> Option<Policy> {
    match Policy::from_file(path) {
        Ok(p) => Some(p),
        Err(e) => {
            let color = std::io::stderr().is_terminal();
            let mut err = std::io::stderr().lock();
            for d in e.diagnostics() {
                let _ = write!(err, "{}", super::show(d, color));
            }
            None
        }
    }
}

/// Read every subject of a file (`-`: standard input) with the line it starts on. Bad
/// subjects are reported on stderr and skipped; `None` when the file cannot be opened.
/// The second value counts the subjects that could not be read.
pub(super) fn read_subjects(input: &str) -> Option<(Vec<(usize, Subject)>, usize)> {
    let (reader, origin): (Box<dyn BufRead>, String) = if input == "-" {
        (Box::new(std::io::stdin().lock()), "<stdin>".to_owned())
    } else {
        match std::fs::File::open(input) {
            Ok(f) => (Box::new(std::io::BufReader::new(f)), input.to_owned()),
            Err(e) => {
                eprintln!("error[zhunru::io]: cannot read `{input}`: {e}");
                return None;
            }
        }
    };
    let color = std::io::stderr().is_terminal();
    let mut subjects = Vec::new();
    let mut bad = 0;
    for (line, read) in SubjectReader::new(reader, origin) {
        match read {
            Ok(s) => subjects.push((line, s)),
            Err(e) => {
                bad += 1;
                eprint!("{}", render(&e, color));
            }
        }
    }
    if bad > 0 {
        eprintln!("{bad} subject(s) could not be read; every other subject was used");
    }
    Some((subjects, bad))
}

/// Write the output; a closed pipe is not an error.
pub(super) fn write_out(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            eprintln!("error[zhunru::io]: cannot write output: {e}");
            false
        }
    }
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
