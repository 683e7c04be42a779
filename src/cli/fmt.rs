//! `zhunru fmt POLICY…`: policies in canonical layout (comments kept), or in the other
//! keyword language.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use zhunru::{Lang, PolicyError};

use super::common::{lang_parser, print_policy_error};

/// Arguments of `zhunru fmt`.
#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Policy files.
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// Don't write: exit 1 if a file is not in canonical layout.
    #[arg(long)]
    check: bool,
    /// Print to standard output instead of rewriting the files.
    #[arg(long, conflicts_with = "check")]
    stdout: bool,
    /// Keyword language to write (default: the file's own).
    #[arg(long, value_parser = lang_parser())]
    keywords: Option<Lang>,
}

/// Run `zhunru fmt`.
pub fn run(args: FmtArgs) -> ExitCode {
    let mut failed = false;
    for path in &args.policies {
        let source = match zhunru::read_source(path) {
            Ok(s) => s,
            Err(e) => {
                print_policy_error(&e);
                failed = true;
                continue;
            }
        };
        let formatted = match zhunru::format::format_source(&source, args.keywords) {
            Ok(f) => f,
            Err(diagnostics) => {
                print_policy_error(&PolicyError::from(diagnostics));
                failed = true;
                continue;
            }
        };
        if args.stdout {
            print!("{formatted}");
        } else if formatted != *source.text() {
            if args.check {
                let file = path.display().to_string();
                super::common::report_plain(
                    "zhunru::fmt::not_canonical",
                    &format!("{file}: not in canonical layout (run `zhunru fmt {file}`)"),
                    Some(&file),
                );
                failed = true;
            } else if let Err(e) = std::fs::write(path, &formatted) {
                super::common::report_plain(
                    "zhunru::io",
                    &format!("cannot write `{}`: {e}", path.display()),
                    Some(&path.display().to_string()),
                );
                failed = true;
            } else {
                super::common::note(&format!("{}: formatted", path.display()));
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
