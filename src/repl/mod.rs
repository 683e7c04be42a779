//! The interactive front end (see issue: reviewers ask "can this task enter?").

use std::path::PathBuf;
use std::process::ExitCode;

use zhunru::Date;

pub fn run(_policies: Vec<PathBuf>, _as_of: Date) -> ExitCode {
    eprintln!("the REPL is not built yet");
    ExitCode::from(2)
}
