//! `zhunru notice POLICY --format md|html`: the lists as the public notice posted on the
//! wall (H1).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use zhunru::notice;

use super::common::{load_policy, write_out};

/// Arguments of `zhunru notice`.
#[derive(Args, Debug)]
pub struct NoticeArgs {
    /// The policy whose lists are published.
    policy: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = NoticeFormat::Md)]
    format: NoticeFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// Output format of `zhunru notice`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NoticeFormat {
    /// Markdown.
    Md,
    /// A standalone HTML page (inline CSS, print-friendly).
    Html,
}

/// Run `zhunru notice`.
pub fn run(args: NoticeArgs) -> ExitCode {
    let Some(policy) = load_policy(&args.policy) else {
        return ExitCode::from(1);
    };
    let n = notice::notice(&policy);
    let text = match args.format {
        NoticeFormat::Md => notice::render_markdown(&n),
        NoticeFormat::Html => notice::render_html(&n),
    };
    let written = match &args.output {
        None => write_out(&text),
        Some(path) => match std::fs::write(path, &text) {
            Ok(()) => true,
            Err(e) => {
                super::common::report_plain(
                    "zhunru::io",
                    &format!("cannot write `{}`: {e}", path.display()),
                    Some(&path.display().to_string()),
                );
                false
            }
        },
    };
    if written {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
