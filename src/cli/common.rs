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

/// Set the global options once, before any command runs.
pub fn set_globals(lang: Option<Lang>, color: Color) {
    if let Some(l) = lang {
        let _ = LANG.set(l);
    }
    let _ = COLOR.set(color);
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

/// A diagnostic rendered in the chosen language.
pub fn show(d: &zhunru::Diagnostic, color: bool) -> String {
    render(&d.localized(lang()), color)
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
    Date::parse(text)
        .ok_or_else(|| format!("`{text}` is not a date: write YYYY-MM-DD, a day that exists"))
}

/// Print every diagnostic of a policy that could not be loaded.
pub fn print_policy_error(e: &PolicyError) {
    let color = err_color();
    let mut err = std::io::stderr().lock();
    for d in &e.diagnostics {
        let _ = write!(err, "{}", show(d, color));
    }
}

/// Load and check a policy; on failure its diagnostics go to stderr (in the `--lang` chosen).
pub fn load_policy(path: &Path) -> Option<Policy> {
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
            eprintln!("error[zhunru::io]: cannot read `{input}`: {e}");
            None
        }
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
                eprint!("{}", render(&e, color));
            }
        }
    }
    if bad > 0 {
        eprintln!("{bad} subject(s) could not be read; every other subject was used");
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
            eprintln!("error[zhunru::io]: cannot write output: {e}");
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
