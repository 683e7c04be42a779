//! `zhunru check POLICY…`: parse and check policies; every problem with its place in the file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use zhunru::Severity;

use super::common::{err_color, note, show};

/// Arguments of `zhunru check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Policy files.
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// Run `zhunru check`.
pub fn run(args: CheckArgs) -> ExitCode {
    let color = err_color();
    let mut failed = false;
    for path in &args.policies {
        let diagnostics = match zhunru::read_source(path) {
            Ok(source) => zhunru::check_source(&source),
            Err(e) => e.diagnostics,
        };
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count();
        let mut err = std::io::stderr().lock();
        for d in &diagnostics {
            let _ = write!(err, "{}", show(d, color));
        }
        let status = if errors > 0 || (args.deny_warnings && warnings > 0) {
            failed = true;
            "failed"
        } else {
            "ok"
        };
        drop(err);
        note(&format!(
            "{}: {status} ({errors} error{}, {warnings} warning{})",
            path.display(),
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        ));
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
