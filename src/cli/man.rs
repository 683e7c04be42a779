//! `zhunru man [--out-dir DIR]`: the manual page (roff), generated from the command
//! definitions: `zhunru(1)` on standard output, or one page a command written to a folder.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, CommandFactory};

use super::Cli;
use super::common::write_out;

/// Arguments of `zhunru man`.
#[derive(Args, Debug)]
pub struct ManArgs {
    /// Write `zhunru.1` and one `zhunru-COMMAND.1` a command into this folder instead of
    /// printing `zhunru.1`.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
}

/// The page of one command, in roff, under its title (`zhunru`, `zhunru-eval`).
fn page(command: clap::Command, title: &str) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command)
        .title(title.to_owned())
        .render(&mut out)?;
    Ok(out)
}

/// Run `zhunru man`.
pub fn run(args: ManArgs) -> ExitCode {
    let command = Cli::command();
    let written = match &args.out_dir {
        None => page(command, "zhunru").map(|p| write_out(&String::from_utf8_lossy(&p))),
        Some(dir) => write_pages(command, dir).map(|()| true),
    };
    match written {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error[zhunru::io]: cannot write the manual: {e}");
            ExitCode::from(1)
        }
    }
}

/// `zhunru.1`, then `zhunru-COMMAND.1` for every command (`help` aside).
fn write_pages(command: clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut command = command.disable_help_subcommand(true);
    // Built, so each command's page lists the global options (--lang, --color) too.
    command.build();
    for sub in command.get_subcommands() {
        let name = format!("zhunru-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("zhunru {}", sub.get_name()))
            .version(env!("CARGO_PKG_VERSION"));
        std::fs::write(dir.join(format!("{name}.1")), page(sub, &name)?)?;
        eprintln!("wrote {}", dir.join(format!("{name}.1")).display());
    }
    std::fs::write(dir.join("zhunru.1"), page(command, "zhunru")?)?;
    eprintln!("wrote {}", dir.join("zhunru.1").display());
    Ok(())
}
