//! The `zhunru` command: a thin shell over the library.

mod cli;
mod repl;
#[cfg(feature = "server")]
mod server;

fn main() -> std::process::ExitCode {
    cli::main()
}
