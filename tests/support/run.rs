//! Run the `zhunru` binary as a user would: arguments, environment, standard input; the
//! exit code and both outputs come back as text.

use std::io::Write;
use std::process::{Command, Stdio};

/// `zhunru ARGS` with `envs` set and `stdin` written to it: (exit code, stdout, stderr).
pub fn zhunru(
    args: &[&str],
    envs: &[(&str, &std::ffi::OsStr)],
    stdin: &str,
) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .args(args)
        .envs(envs.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}
