//! `zhunru repl [POLICY…]`: ask "can this task enter?" interactively.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use zhunru::Date;

use super::common::{default_lang, lang, parse_date};
use super::config;

/// Arguments of `zhunru repl`.
#[derive(Args, Debug)]
pub struct ReplArgs {
    /// Policies to load: files and folders, read as `serve` reads them (a folder of dated
    /// versions is one district). Default: the config file's `policies`, else policies/.
    policies: Vec<PathBuf>,
    /// The date decisions are made as of (YYYY-MM-DD); default today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
    /// The district a session starts in (a policy file's stem, e.g. `yingjiang`). Default:
    /// the config file's `district`, else the first policy.
    #[arg(long)]
    district: Option<String>,
}

/// Run `zhunru repl`.
pub fn run(args: ReplArgs) -> ExitCode {
    let config = match config::load() {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error[zhunru::config]: {message}");
            return ExitCode::from(2);
        }
    };
    if let Some(l) = config.lang {
        default_lang(l.into());
    }
    let policies = if args.policies.is_empty() {
        config.policies.unwrap_or_default()
    } else {
        args.policies
    };
    // A district named on the command line must exist; the config's is a preference.
    let start = match (args.district, config.district) {
        (Some(d), _) => Some(crate::repl::Start::Required(d)),
        (None, Some(d)) => Some(crate::repl::Start::Preferred(d)),
        (None, None) => None,
    };
    crate::repl::run(
        policies,
        args.as_of.unwrap_or_else(Date::today),
        lang(),
        start,
    )
}
