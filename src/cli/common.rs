//! What the commands share: the options every command takes (`--lang`, `--color`), loading a
//! policy, reading subjects, writing output.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use clap::ValueEnum;
use clap::builder::TypedValueParser as _;
use zhunru::input::SubjectReader;
use zhunru::{Date, Lang, Policy, PolicyError, Subject, render};

static LANG: OnceLock<Lang> = OnceLock::new();
static COLOR: OnceLock<Color> = OnceLock::new();
static ERROR_FORMAT: OnceLock<ErrorFormat> = OnceLock::new();

/// Set the global options once, before any command runs.
pub fn set_globals(lang: Option<Lang>, color: Color, errors: ErrorFormat) {
    if let Some(l) = lang {
        let _ = LANG.set(l);
    }
    let _ = COLOR.set(color);
    let _ = ERROR_FORMAT.set(errors);
}

/// How diagnostics are written to standard error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ErrorFormat {
    /// For people: the source line, a caret, labels and help.
    Human,
    /// One JSON object a line, for editors and CI: `severity`, `code`, `message`, `help`,
    /// `file`, `line`, `column` (1-based, in characters) and `labels` (each with its
    /// `message`, `line`, `column` and `length` in bytes). Summaries for people are left out.
    Json,
}

fn error_format() -> ErrorFormat {
    ERROR_FORMAT.get().copied().unwrap_or(ErrorFormat::Human)
}

/// Whether diagnostics are written as JSON Lines.
pub fn json_errors() -> bool {
    error_format() == ErrorFormat::Json
}

/// A diagnostic as written to standard error in the chosen `--error-format`: rendered with
/// its source line, or one JSON line.
pub fn diagnostic_text(d: &dyn miette::Diagnostic, color: bool) -> String {
    match error_format() {
        ErrorFormat::Human => render(d, color),
        ErrorFormat::Json => format!("{}\n", diagnostic_json(d, None)),
    }
}

/// An input error as written to standard error: as [`diagnostic_text`], its JSON message
/// without the location its text starts with (`file`, `line` and `column` carry it).
pub fn input_error_text(e: &zhunru::InputError, color: bool) -> String {
    let e = e.localized(lang());
    match error_format() {
        ErrorFormat::Human => render(&e, color),
        ErrorFormat::Json => format!("{}\n", diagnostic_json(&e, Some(&e.message_shown()))),
    }
}

/// Where an offset falls in a diagnostic's source: its name, 1-based line and column (in
/// characters).
fn position(
    source: &dyn miette::SourceCode,
    offset: usize,
) -> Option<(Option<String>, usize, usize)> {
    let contents = source
        .read_span(&miette::SourceSpan::from((offset, 0)), 0, 0)
        .ok()?;
    // The contents start at the offset's line and column (as the source counts them,
    // characters); whatever they hold before the offset moves both on.
    let delta = offset.checked_sub(contents.span().offset())?;
    let before = std::str::from_utf8(contents.data().get(..delta)?).ok()?;
    let line = contents.line() + 1 + before.matches('\n').count();
    let column = match before.rsplit_once('\n') {
        Some((_, last)) => last.chars().count() + 1,
        None => contents.column() + before.chars().count() + 1,
    };
    Some((contents.name().map(str::to_owned), line, column))
}

/// A diagnostic as one JSON object (see [`ErrorFormat::Json`]); `message` in place of its
/// text when given.
pub fn diagnostic_json(d: &dyn miette::Diagnostic, message: Option<&str>) -> serde_json::Value {
    let severity = match d.severity() {
        Some(miette::Severity::Warning) => "warning",
        Some(miette::Severity::Advice) => "advice",
        Some(miette::Severity::Error) | None => "error",
    };
    let mut labels = Vec::new();
    let mut primary: Option<(Option<String>, usize, usize)> = None;
    for label in d.labels().into_iter().flatten() {
        let at = d.source_code().and_then(|s| position(s, label.offset()));
        if primary.is_none() {
            primary.clone_from(&at);
        }
        labels.push(serde_json::json!({
            "message": label.label(),
            "primary": label.primary(),
            "line": at.as_ref().map(|a| a.1),
            "column": at.as_ref().map(|a| a.2),
            "offset": label.offset(),
            "length": label.len(),
        }));
    }
    let (file, line, column) = match primary {
        Some((file, line, column)) => (file, Some(line), Some(column)),
        None => (None, None, None),
    };
    serde_json::json!({
        "severity": severity,
        "code": d.code().map(|c| c.to_string()),
        "message": message.map_or_else(|| d.to_string(), str::to_owned),
        "help": d.help().map(|h| h.to_string()),
        "file": file,
        "line": line,
        "column": column,
        "labels": labels,
    })
}

/// A problem that has no place in a source (a file that cannot be read or written), on
/// standard error: `error[CODE]: MESSAGE`, or its JSON line.
pub fn report_plain(code: &str, message: &str, file: Option<&str>) {
    report_at(code, message, file, None);
}

/// A problem at a line and column of a file it cannot show (an audit row that is not a
/// task): `error[CODE]: FILE:LINE:COLUMN: MESSAGE`, or its JSON line.
pub fn report_at(code: &str, message: &str, file: Option<&str>, at: Option<(usize, usize)>) {
    if json_errors() {
        let obj = serde_json::json!({
            "severity": "error", "code": code, "message": message, "help": null,
            "file": file, "line": at.map(|a| a.0), "column": at.map(|a| a.1), "labels": [],
        });
        eprint_above(&format!("{obj}\n"));
    } else {
        eprint_above(&match (file, at) {
            (Some(f), Some((line, 0))) => format!("error[{code}]: {f}:{line}: {message}\n"),
            (Some(f), Some((line, column))) => {
                format!("error[{code}]: {f}:{line}:{column}: {message}\n")
            }
            _ => format!("error[{code}]: {message}\n"),
        });
    }
}

/// A line for people on standard error (a summary, a count); left out under
/// `--error-format json`, whose standard error holds diagnostics only.
pub fn note(message: &str) {
    if !json_errors() {
        eprint_above(&format!("{message}\n"));
    }
}

/// `en` or `zh`, in the language chosen (`--lang`, the config file, the locale): for the
/// summary lines the commands write themselves.
pub fn said(en: String, zh: String) -> String {
    if lang() == Lang::Zh { zh } else { en }
}

/// A default language (from a config file) that `--lang` overrides: set only when the
/// flag did not set one, before the first [`lang`].
pub fn default_lang(l: Lang) {
    let _ = LANG.set(l);
}

/// The language diagnostics are printed in.
pub fn lang() -> Lang {
    *LANG.get_or_init(Lang::from_env)
}

/// Whether to colour what goes to standard error.
pub fn err_color() -> bool {
    color().enabled(std::io::stderr().is_terminal())
}

/// Whether to colour what goes to standard output.
pub fn out_color() -> bool {
    color().enabled(std::io::stdout().is_terminal())
}

fn color() -> Color {
    COLOR.get().copied().unwrap_or(Color::Auto)
}

/// A diagnostic in the chosen language and `--error-format`.
pub fn show(d: &zhunru::Diagnostic, color: bool) -> String {
    diagnostic_text(&d.localized(lang()), color)
}

/// `--lang zh|en`, parsed straight into the library's one language type.
pub fn lang_parser() -> impl clap::builder::TypedValueParser<Value = Lang> {
    clap::builder::PossibleValuesParser::new(["zh", "en"])
        .map(|s| if s == "zh" { Lang::Zh } else { Lang::En })
}

/// When to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When writing to a terminal (and `NO_COLOR` is unset).
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
    // Full-width digits (２０２０－０６－０１) read as NFKC makes them, as in a CSV cell.
    Date::parse(&zhunru::normalize(text))
        .ok_or_else(|| format!("`{text}` is not a date: write YYYY-MM-DD, a day that exists"))
}

/// Print every diagnostic of a policy that could not be loaded.
pub fn print_policy_error(e: &PolicyError) {
    let color = err_color();
    let mut err = std::io::stderr().lock();
    for d in e.diagnostics() {
        let _ = write!(err, "{}", show(d, color));
    }
}

/// Load and check a policy; on failure its diagnostics go to stderr (in the `--lang` chosen).
pub fn load_policy(path: &Path) -> Option<Policy> {
    // A folder was "Is a directory (os error 21)" with the help to look in policies/.
    if path.is_dir() {
        let shown = path.display().to_string();
        report_plain(
            "zhunru::io",
            &format!(
                "`{shown}` is a folder: give one policy file, e.g. {}/nanqiao.policy",
                shown.trim_end_matches('/')
            ),
            Some(&shown),
        );
        return None;
    }
    match Policy::from_file(path) {
        Ok(p) => Some(p),
        Err(e) => {
            print_policy_error(&e);
            None
        }
    }
}

/// Load a district: one policy file, or a folder of its dated versions (reported on
/// stderr when it fails).
pub fn load_versions(path: &Path) -> Option<zhunru::Versions> {
    match zhunru::Versions::load(path) {
        Ok(v) => Some(v),
        Err(e) => {
            print_policy_error(&e);
            // A folder of districts (policies/) read as one district's versions overlaps
            // itself: say how to name the districts instead.
            if path.is_dir() && e.errors().any(|d| d.code() == zhunru::Code::BadDates) {
                note(&format!(
                    "a folder is read as the dated versions of one district; to give each of its files as a district, name them: {}/*.policy",
                    path.display().to_string().trim_end_matches('/')
                ));
            }
            None
        }
    }
}

/// Open a file of input (`-`: standard input) with the name diagnostics give it; the error
/// is reported on stderr.
pub fn open_input(input: &str) -> Option<(Box<dyn BufRead>, String)> {
    if input == "-" {
        return Some((Box::new(std::io::stdin().lock()), "<stdin>".to_owned()));
    }
    match std::fs::File::open(input) {
        Ok(f) => Some((
            Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
            input.to_owned(),
        )),
        Err(e) => {
            report_plain(
                "zhunru::io",
                &format!("cannot read `{input}`: {e}"),
                Some(input),
            );
            None
        }
    }
}

/// Inputs from this size on get a progress bar, when standard error is a terminal.
const PROGRESS_FROM: u64 = 4 << 20;

/// The progress bar of the input being read, if one is shown.
static PROGRESS: OnceLock<indicatif::ProgressBar> = OnceLock::new();

/// Whether reading an input of `size` bytes shows a progress bar: a large file, standard
/// error a terminal (never when piped or redirected), diagnostics for people.
pub fn shows_progress(size: u64, stderr_is_terminal: bool) -> bool {
    size >= PROGRESS_FROM && stderr_is_terminal && !json_errors()
}

/// As [`open_input`], with a progress bar on standard error while a large file is read on a
/// terminal ([`shows_progress`]); [`finish_progress`] removes it.
pub fn open_input_with_progress(input: &str) -> Option<(Box<dyn BufRead>, String)> {
    // A folder opens on Linux and fails only at the first read, which read as a bad line 1.
    if input != "-" && std::path::Path::new(input).is_dir() {
        report_plain(
            "zhunru::io",
            &format!(
                "`{input}` is a folder: give a file of subjects (JSON, JSON Lines or CSV), or - for stdin"
            ),
            Some(input),
        );
        return None;
    }
    let size = std::fs::metadata(input).map_or(0, |m| m.len());
    if input == "-" || !shows_progress(size, std::io::stderr().is_terminal()) {
        return open_input(input);
    }
    let file = match std::fs::File::open(input) {
        Ok(f) => f,
        Err(e) => {
            report_plain(
                "zhunru::io",
                &format!("cannot read `{input}`: {e}"),
                Some(input),
            );
            return None;
        }
    };
    let style = indicatif::ProgressStyle::with_template(
        "{spinner} {bytes}/{total_bytes} [{wide_bar}] {bytes_per_sec}, {eta} left",
    )
    .map_or_else(
        |_| indicatif::ProgressStyle::default_bar(),
        |s| s.progress_chars("=> "),
    );
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(size),
        indicatif::ProgressDrawTarget::stderr(),
    )
    .with_style(style);
    let _ = PROGRESS.set(bar.clone());
    Some((
        Box::new(std::io::BufReader::with_capacity(
            1 << 16,
            bar.wrap_read(file),
        )),
        input.to_owned(),
    ))
}

/// Take the progress bar off the screen (reading is done).
pub fn finish_progress() {
    if let Some(bar) = PROGRESS.get() {
        bar.finish_and_clear();
    }
}

/// Write to standard error above the progress bar, if one is shown.
pub fn eprint_above(text: &str) {
    match PROGRESS.get() {
        Some(bar) => bar.suspend(|| eprint!("{text}")),
        None => eprint!("{text}"),
    }
}

/// Read every subject of a file (`-`: standard input) with the line it starts on. Bad
/// subjects are reported on stderr and skipped; `None` when the file cannot be opened.
/// The second value counts the subjects that could not be read.
pub fn read_subjects(input: &str) -> Option<(Vec<(usize, Subject)>, usize)> {
    let (reader, origin) = open_input(input)?;
    let color = err_color();
    let mut subjects = Vec::new();
    let mut bad = 0;
    for (line, read) in SubjectReader::new(reader, origin) {
        match read {
            Ok(s) => subjects.push((line, s)),
            Err(e) => {
                bad += 1;
                eprint!("{}", input_error_text(&e, color));
            }
        }
    }
    if bad > 0 {
        note(&said(
            format!("{bad} subject(s) could not be read; every other subject was used"),
            format!("{bad} 个事项无法读取；其余事项均已使用"),
        ));
    }
    Some((subjects, bad))
}

/// Write the output; a closed pipe is not an error.
pub fn write_out(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            report_plain("zhunru::io", &format!("cannot write output: {e}"), None);
            false
        }
    }
}

/// The policy files named, folders expanded (sorted, so output is stable).
pub fn policy_files(paths: &[PathBuf]) -> Vec<PathBuf> {
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
