//! Command line: `check`, `eval`, `repl`.

use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use zhunru::input::SubjectReader;
use zhunru::{Date, Policy, PolicyError, Severity, render, report};

mod audit;
mod compare;
mod diff;
mod new;
mod notice;
#[cfg(feature = "server")]
mod serve;

/// zhunru (准入): decide whether work may be pushed down to a community, with reasons.
#[derive(Parser, Debug)]
#[command(name = "zhunru", version, about, long_about = None)]
pub struct Cli {
    /// Language of diagnostics (default: from the locale, LANG/LC_ALL).
    #[arg(long, global = true, value_enum)]
    lang: Option<KeywordLang>,
    #[command(subcommand)]
    command: Command,
}

static LANG: std::sync::OnceLock<zhunru::Lang> = std::sync::OnceLock::new();

/// The language diagnostics are printed in.
pub fn lang() -> zhunru::Lang {
    *LANG.get_or_init(zhunru::Lang::from_env)
}

/// A diagnostic rendered in the chosen language.
pub fn show(d: &zhunru::Diagnostic, color: bool) -> String {
    render(&d.localized(lang()), color)
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Parse and check policies; report every problem with its place in the file.
    Check {
        /// Policy files.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// Fail on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// When to colour the output.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
    },
    /// Decide subjects (one JSON object, or JSON Lines) against a policy.
    Eval {
        /// The policy in force.
        #[arg(long, short)]
        policy: PathBuf,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// The date decisions are made as of (YYYY-MM-DD); default today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
        /// When to colour text output.
        #[arg(long, value_enum, default_value_t = Color::Auto)]
        color: Color,
        /// Threads deciding JSON Lines in parallel (default: the machine's cores); the output
        /// order is the input order whatever the number.
        #[arg(long, short, value_parser = clap::value_parser!(u16).range(1..=256))]
        jobs: Option<u16>,
        /// How the input is read: `jsonl`, one subject a line, strictly; `json`, JSON Lines,
        /// pretty-printed objects or an array, told value by value. Default: `jsonl` for a
        /// `.jsonl`/`.ndjson` file, else `json`. Either way one bad value never changes how
        /// the rest is read.
        #[arg(long, value_enum)]
        input_format: Option<InputKind>,
        /// A file of subjects, or `-` for standard input.
        input: String,
    },
    /// Print policies in canonical layout (comments kept), or in the other keyword language.
    Fmt {
        /// Policy files.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// Don't write: exit 1 if a file is not in canonical layout.
        #[arg(long)]
        check: bool,
        /// Print to standard output instead of rewriting the files.
        #[arg(long, conflicts_with = "check")]
        stdout: bool,
        /// Keyword language to write (default: the file's own).
        #[arg(long, value_enum)]
        keywords: Option<KeywordLang>,
    },
    /// Run the test cases kept beside each policy (DIR/tests/NAME.json for DIR/NAME.policy).
    Test {
        /// Policy files or folders of them (default: policies/).
        paths: Vec<PathBuf>,
        /// Also say which rules and list entries no case exercised.
        #[arg(long)]
        coverage: bool,
        /// Date for cases that give none (default today).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
    },
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
    Repl {
        /// Policies to load; the first is the district in force. Default: policies/*.policy.
        policies: Vec<PathBuf>,
        /// The date decisions are made as of (YYYY-MM-DD); default today.
        #[arg(long, value_parser = parse_date)]
        as_of: Option<Date>,
    },
}

/// How `eval` reads its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputKind {
    /// One JSON value a line, strictly.
    Jsonl,
    /// JSON Lines, pretty-printed objects or an array.
    Json,
}

/// Keyword language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KeywordLang {
    /// 政策 清单 规则 当 …
    Zh,
    /// policy list rule when …
    En,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: verdicts and diagnostics.
    Text,
    /// One JSON decision a line.
    Json,
}

/// When to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When writing to a terminal.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    fn enabled(self, terminal: bool) -> bool {
        match self {
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
            Color::Always => true,
            Color::Never => false,
        }
    }
}

/// Parse a `YYYY-MM-DD` argument.
pub fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text)
        .ok_or_else(|| format!("`{text}` is not a date: write YYYY-MM-DD, a day that exists"))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(l) = cli.lang {
        let _ = LANG.set(match l {
            KeywordLang::Zh => zhunru::Lang::Zh,
            KeywordLang::En => zhunru::Lang::En,
        });
    }
    match cli.command {
        Command::Check {
            policies,
            deny_warnings,
            color,
        } => check(
            &policies,
            deny_warnings,
            color.enabled(std::io::stderr().is_terminal()),
        ),
        Command::Eval {
            policy,
            format,
            as_of,
            color,
            jobs,
            input_format,
            input,
        } => eval(
            &policy,
            format,
            as_of.unwrap_or_else(Date::today),
            color.enabled(std::io::stdout().is_terminal()),
            &input,
            jobs,
            input_format,
        ),
        Command::Fmt {
            policies,
            check,
            stdout,
            keywords,
        } => fmt(&policies, check, stdout, keywords),
        Command::Test {
            paths,
            coverage,
            as_of,
        } => test(&paths, coverage, as_of.unwrap_or_else(Date::today)),
        Command::Diff(args) => diff::run(args),
        Command::Compare(args) => compare::run(args),
        Command::Notice(args) => notice::run(args),
        Command::New(args) => new::run(args),
        Command::Audit(args) => audit::run(args),
        #[cfg(feature = "server")]
        Command::Serve(args) => serve::run_serve(args),
        Command::Repl { policies, as_of } => {
            crate::repl::run(policies, as_of.unwrap_or_else(Date::today), lang())
        }
    }
}

fn print_policy_error(e: &PolicyError, color: bool) {
    let mut err = std::io::stderr().lock();
    for d in e.diagnostics() {
        let _ = write!(err, "{}", show(d, color));
    }
}

fn check(policies: &[PathBuf], deny_warnings: bool, color: bool) -> ExitCode {
    let mut failed = false;
    for path in policies {
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
        let status = if errors > 0 || (deny_warnings && warnings > 0) {
            failed = true;
            "failed"
        } else {
            "ok"
        };
        let _ = writeln!(
            err,
            "{}: {status} ({errors} error{}, {warnings} warning{})",
            path.display(),
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        );
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn fmt(
    policies: &[PathBuf],
    check: bool,
    to_stdout: bool,
    keywords: Option<KeywordLang>,
) -> ExitCode {
    let keywords = keywords.map(|k| match k {
        KeywordLang::Zh => zhunru::format::Keywords::Zh,
        KeywordLang::En => zhunru::format::Keywords::En,
    });
    let color = std::io::stderr().is_terminal();
    let mut failed = false;
    for path in policies {
        let source = match zhunru::read_source(path) {
            Ok(s) => s,
            Err(e) => {
                print_policy_error(&e, color);
                failed = true;
                continue;
            }
        };
        let formatted = match zhunru::format::format_source(&source, keywords) {
            Ok(f) => f,
            Err(diagnostics) => {
                print_policy_error(&PolicyError::from(diagnostics), color);
                failed = true;
                continue;
            }
        };
        if to_stdout {
            print!("{formatted}");
        } else if formatted != *source.text() {
            if check {
                eprintln!(
                    "{}: not in canonical layout (run `zhunru fmt {}`)",
                    path.display(),
                    path.display()
                );
                failed = true;
            } else if let Err(e) = std::fs::write(path, &formatted) {
                eprintln!("error[zhunru::io]: cannot write `{}`: {e}", path.display());
                failed = true;
            } else {
                eprintln!("{}: formatted", path.display());
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The policy files named, folders expanded (sorted, so output is stable).
fn policy_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from("policies")]
    } else {
        paths.to_vec()
    };
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&path)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default();
            found.retain(|p| p.extension().is_some_and(|x| x == "policy"));
            found.sort();
            out.extend(found);
        } else {
            out.push(path);
        }
    }
    out
}

fn test(paths: &[PathBuf], coverage: bool, as_of: Date) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    let (mut passed, mut failed, mut errors) = (0usize, 0usize, 0usize);
    let mut out = std::io::stdout().lock();
    for path in policy_files(paths) {
        let policy = match Policy::from_file(&path) {
            Ok(p) => p,
            Err(e) => {
                print_policy_error(&e, color);
                errors += 1;
                continue;
            }
        };
        let tests = zhunru::testing::tests_path(&path);
        if !tests.exists() {
            let _ = writeln!(
                out,
                "{}: no tests ({} not found)",
                path.display(),
                tests.display()
            );
            continue;
        }
        let file = match zhunru::testing::read_tests(&tests) {
            Ok(f) => f,
            Err(e) => {
                eprint!("{}", render(&e, color));
                errors += 1;
                continue;
            }
        };
        let (results, cov) = zhunru::testing::run(&policy, &file, as_of);
        let _ = writeln!(
            out,
            "{} ({}, {} cases)",
            path.display(),
            tests.display(),
            results.len()
        );
        for r in &results {
            if r.passed() {
                passed += 1;
                let _ = writeln!(
                    out,
                    "  ok    {} — {}",
                    r.name,
                    r.decision.verdict().as_str()
                );
            } else {
                failed += 1;
                let _ = writeln!(out, "  FAIL  {}", r.name);
                for d in &r.differences {
                    let _ = writeln!(out, "        {d}");
                }
            }
        }
        if coverage {
            let _ = writeln!(
                out,
                "  coverage: rules {}/{}, list entries {}/{}",
                cov.rules - cov.rules_missed.len(),
                cov.rules,
                cov.entries - cov.entries_missed.len(),
                cov.entries
            );
            for rule in &cov.rules_missed {
                let _ = writeln!(out, "    rule not exercised: {rule}");
            }
            for (list, entry, example) in &cov.entries_missed {
                let mark = if *example { " (示例)" } else { "" };
                let _ = writeln!(out, "    entry not exercised: {list} 「{entry}」{mark}");
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    if errors > 0 {
        let _ = writeln!(out, "{errors} file(s) could not be read");
    }
    if failed > 0 || errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// What deciding one input item produced: its output, and a diagnostic for stderr.
struct Piece {
    out: Vec<u8>,
    err: Option<String>,
}

/// Lines decided per round; bounds memory whatever the input's size.
const BATCH: usize = 4096;

struct EvalJob<'a> {
    policy: &'a Policy,
    format: Format,
    as_of: Date,
    color: bool,
    err_color: bool,
    origin: &'a str,
}

impl EvalJob<'_> {
    fn piece(&self, item: zhunru::input::RawItem) -> Piece {
        let (line, read) = match item {
            zhunru::input::RawItem::Read(read) => read,
            zhunru::input::RawItem::Line(line, bytes) => {
                (line, zhunru::input::parse_line(&bytes, line, self.origin))
            }
        };
        let mut out = Vec::new();
        match read {
            Ok(subject) => {
                match self.format {
                    Format::Json => self.policy.decide_json(&subject, self.as_of, &mut out),
                    Format::Text => {
                        let decision = self.policy.decide(&subject, self.as_of);
                        let _ = write!(
                            out,
                            "── {}:{line} · {} ({}) ──\n{}",
                            self.origin,
                            subject.label(),
                            subject.kind().as_str(),
                            report::decision_text(self.policy, &decision, self.color)
                        );
                    }
                }
                out.push(b'\n');
                Piece { out, err: None }
            }
            Err(e) => {
                match self.format {
                    Format::Json => {
                        let obj = serde_json::json!({
                            "line": e.line(),
                            "error": {"code": "zhunru::input", "message": e.message(), "at": e.location()},
                        });
                        let _ = writeln!(out, "{obj}");
                    }
                    Format::Text => {
                        let _ = writeln!(out, "── {}:{line} · input error ──\n{e}\n", self.origin);
                    }
                }
                Piece {
                    out,
                    err: Some(render(&e, self.err_color)),
                }
            }
        }
    }

    /// Decide a batch on `jobs` threads, each taking a contiguous share, results in order.
    fn batch(&self, items: Vec<zhunru::input::RawItem>, jobs: usize) -> Vec<Piece> {
        if jobs <= 1 || items.len() < 2 {
            return items.into_iter().map(|i| self.piece(i)).collect();
        }
        let share = items.len().div_ceil(jobs);
        let mut shares: Vec<Vec<zhunru::input::RawItem>> = Vec::new();
        let mut items = items.into_iter();
        loop {
            let part: Vec<_> = items.by_ref().take(share).collect();
            if part.is_empty() {
                break;
            }
            shares.push(part);
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = shares
                .into_iter()
                .map(|part| {
                    scope.spawn(move || part.into_iter().map(|i| self.piece(i)).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join().unwrap_or_else(|_| {
                        vec![Piece {
                            out: Vec::new(),
                            err: Some(
                                "error: a worker thread failed; its lines were not decided\n"
                                    .to_owned(),
                            ),
                        }]
                    })
                })
                .collect()
        })
    }
}

fn eval(
    policy: &PathBuf,
    format: Format,
    as_of: Date,
    color: bool,
    input: &str,
    jobs: Option<u16>,
    input_format: Option<InputKind>,
) -> ExitCode {
    let policy = match Policy::from_file(policy) {
        Ok(p) => p,
        Err(e) => {
            print_policy_error(&e, std::io::stderr().is_terminal());
            return ExitCode::from(1);
        }
    };
    let (reader, origin): (Box<dyn BufRead>, String) = if input == "-" {
        (Box::new(std::io::stdin().lock()), "<stdin>".to_owned())
    } else {
        match std::fs::File::open(input) {
            Ok(f) => (
                Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
                input.to_owned(),
            ),
            Err(e) => {
                eprintln!("error[zhunru::io]: cannot read `{input}`: {e}");
                return ExitCode::from(1);
            }
        }
    };
    let jobs = jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let job = EvalJob {
        policy: &policy,
        format,
        as_of,
        color,
        err_color: std::io::stderr().is_terminal(),
        origin: &origin,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut bad_lines = 0usize;
    let lines_only = match input_format {
        Some(kind) => kind == InputKind::Jsonl,
        None => {
            zhunru::input::InputFormat::from_path(std::path::Path::new(input))
                == zhunru::input::InputFormat::JsonLines
        }
    };
    let mut reader = SubjectReader::new(reader, origin.clone());
    if lines_only {
        reader = reader.json_lines();
    }
    // One thread streams item by item; several take batches of BATCH lines in turn.
    let batch = if jobs <= 1 { 1 } else { BATCH };
    loop {
        let items: Vec<_> = std::iter::from_fn(|| reader.next_raw())
            .take(batch)
            .collect();
        if items.is_empty() {
            break;
        }
        for piece in job.batch(items, jobs) {
            if let Some(err) = &piece.err {
                bad_lines += 1;
                let _ = out.flush();
                eprint!("{err}");
            }
            if let Err(e) = out.write_all(&piece.out) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
                eprintln!("error[zhunru::io]: cannot write output: {e}");
                return ExitCode::from(1);
            }
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    if bad_lines > 0 {
        eprintln!("{bad_lines} subject(s) could not be read; every other subject was decided");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
