//! The REPL: reviewers ask "can this task enter?" (能否准入) and get the verdict with its
//! reasons. A backend ([`session::Session`]) turns lines into text; two front ends feed it:
//! rustyline on a terminal (completion, history, colour), and plain lines otherwise (pipes,
//! transcripts). No line can end the session but `:quit` or the end of input.

mod answer;
mod question;
mod session;
mod understand;

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use zhunru::{Date, Text, render};

use session::Session;
use zhunru::District;

/// The district a session starts in.
pub enum Start {
    /// Named on the command line (`--district`): it must be loaded.
    Required(String),
    /// From the config file: used when loaded, else a warning.
    Preferred(String),
}

pub fn run(paths: Vec<PathBuf>, as_of: Date, lang: zhunru::Lang, start: Option<Start>) -> ExitCode {
    let paths = if paths.is_empty() {
        default_policies()
    } else {
        paths
    };
    let terminal = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let color = terminal && std::env::var_os("NO_COLOR").is_none();
    let mut districts = Vec::new();
    // The districts each path holds, by the rule `serve` follows: a policy file, a folder of
    // one district's dated versions, or a folder of districts.
    for path in paths.iter().flat_map(District::paths_in) {
        // Two districts of one name, as `serve` refuses them: `:district NAME` and `:compare`
        // would otherwise pick or show one of them without a word.
        let loaded = District::load(&path).and_then(|d| {
            match districts.iter().any(|o: &District| o.name() == d.name()) {
                true => Err(zhunru::PolicyError::duplicate_name(
                    d.versions().latest(),
                    d.name(),
                )),
                false => Ok(d),
            }
        });
        match loaded {
            Ok(district) => districts.push(district),
            Err(e) => {
                for d in e.diagnostics() {
                    eprint!("{}", render(&d.localized(lang), color));
                }
                eprintln!("{} is not loaded", path.display());
            }
        }
    }
    let mut session = Session::new(districts, as_of, color, lang);
    match start {
        Some(Start::Required(name)) if !session.start_in(&name) => {
            let loaded = session.district_names().join(", ");
            let said = Text::new(
                format!("error: no loaded district is called `{name}` (loaded: {loaded})"),
                format!("错误：没有加载名为 `{name}` 的辖区（已加载：{loaded}）"),
            );
            eprintln!("{}", said.get(lang));
            return ExitCode::from(2);
        }
        Some(Start::Preferred(name)) if !session.start_in(&name) => {
            eprintln!(
                "warning: the config file's district `{name}` is not loaded (loaded: {}); starting in the first",
                session.district_names().join(", ")
            );
        }
        _ => {}
    }
    if terminal {
        interactive(session)
    } else {
        plain(session)
    }
}

fn default_policies() -> Vec<PathBuf> {
    if Path::new("policies").is_dir() {
        vec![PathBuf::from("policies")]
    } else {
        Vec::new()
    }
}

fn banner(session: &Session) -> String {
    let names: Vec<&str> = session.districts.iter().map(District::name).collect();
    let names = if names.is_empty() {
        Text::new("none", "无")
    } else {
        Text::new(names.join(", "), names.join(", "))
    };
    let lang = session.lang();
    let banner = Text::new(
        format!(
            "zhunru 准入 — districts: {} — as of {} — :help for help",
            names.get(lang),
            session.as_of
        ),
        format!(
            "zhunru 准入 — 辖区：{} — 决定日期 {} — 输入 :help 看帮助",
            names.get(lang),
            session.as_of
        ),
    );
    format!("{}\n", banner.get(lang))
}

/// Non-terminal front end: each input line is echoed after the prompt, so the output reads
/// as a transcript. A JSON subject may span several lines.
fn plain(mut session: Session) -> ExitCode {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let _ = write!(out, "{}", banner(&session));
    let mut pending = String::new();
    for line in std::io::stdin().lock().split(b'\n') {
        let Ok(bytes) = line else { break };
        let line = String::from_utf8_lossy(&bytes);
        let line = line.trim_end_matches('\r');
        if !pending.is_empty() {
            let joined = format!("{pending}\n{line}");
            let still_json = question::json_incomplete(&joined)
                || serde_json::from_str::<serde::de::IgnoredAny>(&joined).is_ok();
            if still_json {
                let _ = writeln!(out, "...> {line}");
                pending = joined;
                if question::json_incomplete(&pending) {
                    continue;
                }
            } else {
                // The line cannot continue the subject: report the unfinished subject and
                // take the line as a new question.
                let reply = session.handle(&std::mem::take(&mut pending));
                let _ = write!(out, "{}", reply.text);
                let _ = writeln!(out, "{}{line}", session.prompt());
                let reply = session.handle(line);
                let _ = write!(out, "{}", reply.text);
                if reply.quit {
                    return ExitCode::SUCCESS;
                }
                continue;
            }
        } else {
            let _ = writeln!(out, "{}{line}", session.prompt());
            if line.trim_start().starts_with('{') && question::json_incomplete(line) {
                pending = line.to_owned();
                continue;
            }
            pending = line.to_owned();
        }
        let reply = session.handle(&std::mem::take(&mut pending));
        let _ = write!(out, "{}", reply.text);
        if reply.quit {
            return ExitCode::SUCCESS;
        }
    }
    if !pending.is_empty() {
        let said = Text::new(
            "error: the input ended inside a JSON subject",
            "错误：输入在一个 JSON 对象之中结束",
        );
        let _ = writeln!(out, "{}", said.get(session.lang()));
    }
    ExitCode::SUCCESS
}

struct ReplHelper {
    words: Vec<String>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = line.get(..pos).unwrap_or(line);
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        let prefix = before.get(start..).unwrap_or("");
        let candidates = self
            .words
            .iter()
            .filter(|w| w.starts_with(prefix) && !prefix.is_empty())
            .map(|w| Pair {
                display: w.clone(),
                replacement: w.clone(),
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        default: bool,
    ) -> std::borrow::Cow<'b, str> {
        if default {
            std::borrow::Cow::Owned(format!("\x1b[1;36m{prompt}\x1b[0m"))
        } else {
            std::borrow::Cow::Borrowed(prompt)
        }
    }
}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        // A JSON subject may be pasted over several lines: wait for its closing brace.
        let input = ctx.input();
        if input.trim_start().starts_with('{') && question::json_incomplete(input) {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Helper for ReplHelper {}

fn history_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    let dir = base.join("zhunru");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

fn interactive(mut session: Session) -> ExitCode {
    let mut editor: Editor<ReplHelper, rustyline::history::DefaultHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}; falling back to plain input");
            return plain(session);
        }
    };
    editor.set_helper(Some(ReplHelper {
        words: session.completions(),
    }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    print!("{}", banner(&session));
    loop {
        let prompt = session.prompt();
        match editor.readline(&prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let reply = session.handle(&line);
                print!("{}", reply.text);
                let _ = std::io::stdout().flush();
                if reply.quit {
                    break;
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.words = session.completions();
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    ExitCode::SUCCESS
}
