//! The `zhunru` command: a thin shell over the library.

mod cli;
mod repl;

fn main() -> std::process::ExitCode {
    cli::main()
}
