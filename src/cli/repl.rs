//! `zhunru repl [POLICY…]`: ask "can this task enter?" interactively.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use zhunru::Date;

use super::common::{lang, parse_date};

/// Arguments of `zhunru repl`.
#[derive(Args, Debug)]
pub struct ReplArgs {
    /// Policies to load; the first is the district in force. Default: policies/*.policy.
    policies: Vec<PathBuf>,
    /// The date decisions are made as of (YYYY-MM-DD); default today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
}

/// Run `zhunru repl`.
pub fn run(args: ReplArgs) -> ExitCode {
    crate::repl::run(
        args.policies,
        args.as_of.unwrap_or_else(Date::today),
        lang(),
    )
}
