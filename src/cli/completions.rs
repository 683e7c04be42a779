//! `zhunru completions bash|zsh|fish|powershell|elvish`: a shell's completion script,
//! generated from the command definitions so it never drifts from them.

use std::process::ExitCode;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;
use super::common::write_out;

/// Arguments of `zhunru completions`.
#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    shell: Shell,
}

/// Run `zhunru completions`: the script on standard output.
pub fn run(args: CompletionsArgs) -> ExitCode {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "zhunru", &mut script);
    if write_out(&String::from_utf8_lossy(&script)) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
