//! `zhunru check POLICY…`: parse and check policies; every problem with its place in the file.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use zhunru::Severity;

use super::common::{err_color, note, report_plain, show};

/// Arguments of `zhunru check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Policy files, or folders: a folder of one district's dated versions (files named by
    /// dates: `yingjiang/2020.policy`, `yingjiang/2021.policy`), also checked for overlap; or
    /// a folder of districts (its `*.policy` files and folders of versions).
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

/// Run `zhunru check`.
pub fn run(args: CheckArgs) -> ExitCode {
    let color = err_color();
    let mut failed = false;
    let mut files = Vec::new();
    let mut folders = Vec::new();
    // The districts each path holds, by the rule `serve` and `repl` follow.
    for path in args.policies.iter().flat_map(zhunru::District::paths_in) {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(&path)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            inside.retain(|p| p.extension().is_some_and(|x| x == "policy"));
            inside.sort();
            files.extend(inside);
            folders.push(path);
        } else {
            files.push(path);
        }
    }
    if files.is_empty() {
        // A folder without policies checks nothing: said, not "ok" by silence.
        let named: Vec<String> = args
            .policies
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        report_plain(
            "zhunru::io",
            &format!("no policy files (*.policy) in {}", named.join(", ")),
            None,
        );
        return ExitCode::from(1);
    }
    for path in &files {
        let diagnostics = match zhunru::read_source(path) {
            Ok(source) => zhunru::check_source(&source),
            Err(e) => e.into_diagnostics(),
        };
        let errors = diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count();
        let warnings = diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Warning)
            .count();
        let mut err = std::io::stderr().lock();
        for d in &diagnostics {
            let _ = write!(err, "{}", show(d, color));
        }
        let ok = !(errors > 0 || (args.deny_warnings && warnings > 0));
        failed |= !ok;
        drop(err);
        note(&super::common::said(
            format!(
                "{}: {} ({errors} error{}, {warnings} warning{})",
                path.display(),
                if ok { "ok" } else { "failed" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            ),
            format!(
                "{}：{}（{errors} 个错误，{warnings} 个警告）",
                path.display(),
                if ok { "通过" } else { "未通过" },
            ),
        ));
    }
    // Versions side by side: checked once every file of the folder checks clean.
    if !failed {
        for folder in folders {
            if let Err(e) = zhunru::Versions::from_dir(&folder) {
                failed = true;
                let mut err = std::io::stderr().lock();
                for d in e.diagnostics() {
                    let _ = write!(err, "{}", show(d, color));
                }
                let _ = writeln!(
                    err,
                    "{}",
                    super::common::said(
                        format!("{}: failed (versions overlap)", folder.display()),
                        format!("{}：未通过（版本施行期重叠）", folder.display()),
                    )
                );
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
