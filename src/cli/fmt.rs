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
                print_policy_error(&PolicyError { diagnostics });
                failed = true;
                continue;
            }
        };
        if args.stdout {
            print!("{formatted}");
        } else if formatted != *source.text {
            if args.check {
                eprintln!(
                    "{}: not in canonical layout (run `zhunru fmt {}`)",
                    path.display(),
                    path.display()
                );
                failed = true;
            } else if let Err(e) = std::fs::write(path, &formatted) {
                eprintln!("error[zhunru::io]: cannot write `{}`: {e}", path.display());
                failed = true;
            } else {
                eprintln!("{}: formatted", path.display());
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
