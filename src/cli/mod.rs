//! Command line: one module a command, and `common` for what they share.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use zhunru::Lang;

mod audit;
mod check;
mod common;
mod compare;
mod completions;
mod config;
mod diff;
mod eval;
mod fmt;
mod man;
mod new;
mod notice;
mod repl;
#[cfg(feature = "server")]
mod serve;
mod test;

use common::{Color, ErrorFormat, lang_parser};

/// zhunru (准入): decide whether work may be pushed down to a community, with reasons.
#[derive(Parser, Debug)]
#[command(name = "zhunru", version, about, long_about = None)]
pub struct Cli {
    /// Language of diagnostics (default: from the locale, LANG/LC_ALL).
    #[arg(long, global = true, value_parser = lang_parser())]
    lang: Option<Lang>,
    /// When to colour the output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// How diagnostics are written to standard error: `human`, or `json` (one object a
    /// line: severity, code, message, help, file, line, column, labels).
    #[arg(long, global = true, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and check policies; report every problem with its place in the file.
    Check(check::CheckArgs),
    /// Decide subjects (one JSON object, or JSON Lines) against a policy.
    Eval(eval::EvalArgs),
    /// Print policies in canonical layout (comments kept), or in the other keyword language.
    Fmt(fmt::FmtArgs),
    /// Run the test cases kept beside each policy (DIR/tests/NAME.json for DIR/NAME.policy).
    Test(test::TestArgs),
    /// What changed between two versions of a policy, and whose verdict changes (Y6).
    Diff(diff::DiffArgs),
    /// A table of categories × districts with each verdict.
    Compare(compare::CompareArgs),
    /// Start a new district's policy: a skeleton that checks clean, and its tests file.
    New(new::NewArgs),
    /// The lists as the public notice posted on the wall, as Markdown or HTML.
    Notice(notice::NoticeArgs),
    /// Audit a log of tasks sent to communities (JSON Lines or CSV): decide each as of its
    /// `sent_on`, report every one that entered without admission. Exit 0 none, 3 some,
    /// 1 policy or input errors.
    Audit(audit::AuditArgs),
    /// Serve the HTTP API and the reviewers' page (default 127.0.0.1:8080, policies/).
    #[cfg(feature = "server")]
    Serve(serve::ServeArgs),
    /// Ask "can this task enter?" interactively (能否准入).
    Repl(repl::ReplArgs),
    /// Print a shell's completion script (bash, zsh, fish, powershell, elvish).
    Completions(completions::CompletionsArgs),
    /// Print the manual page (roff), or write one page a command with --out-dir.
    Man(man::ManArgs),
}

/// Parse the command line and run the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    common::set_globals(cli.lang, cli.color, cli.error_format);
    match cli.command {
        Command::Check(args) => check::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Fmt(args) => fmt::run(args),
        Command::Test(args) => test::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Notice(args) => notice::run(args),
        Command::New(args) => new::run(args),
        Command::Audit(args) => audit::run(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run(args),
        Command::Repl(args) => repl::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}
