//! `zhunru eval --policy POLICY FILE|-`: decide subjects (one JSON object, JSON Lines,
//! pretty-printed objects or an array) against a policy, one decision each, in input order.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};

mod fast;
use zhunru::{Date, Policy, report};

use super::common::{
    eprint_above, err_color, finish_progress, input_error_text, load_versions, note,
    open_input_with_progress, out_color, parse_date, report_plain,
};

/// Arguments of `zhunru eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The policy in force: a file, or a folder of a district's dated versions (the one in
    /// force on `--as-of` decides).
    #[arg(long, short)]
    policy: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The date decisions are made as of (YYYY-MM-DD); default today.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<Date>,
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
}

/// How `eval` reads its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum InputKind {
    /// One JSON value a line, strictly.
    Jsonl,
    /// JSON Lines, pretty-printed objects or an array.
    Json,
}

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: verdicts and diagnostics.
    Text,
    /// One JSON decision a line.
    Json,
    /// A printable record (审核意见) a subject, in Markdown.
    Md,
    /// The records as one self-contained HTML page that prints one record an A4 sheet.
    Html,
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
                (line, self.policy.parse_line(&bytes, line, self.origin))
            }
        };
        let mut out = Vec::new();
        match read {
            Ok(subject) => {
                match self.format {
                    Format::Json => {
                        self.policy.decide_json(&subject, self.as_of, &mut out);
                    }
                    Format::Text => {
                        let decision = self.policy.decide(&subject, self.as_of);
                        let _ = write!(
                            out,
                            "── {}:{line} · {} ({}) ──\n{}",
                            self.origin,
                            subject.label(),
                            subject.kind().as_str(),
                            report::decision_text_in(
                                self.policy,
                                &decision,
                                self.color,
                                super::common::lang()
                            )
                        );
                    }
                    Format::Md | Format::Html => {
                        let decision = self.policy.decide(&subject, self.as_of);
                        let origin = format!("{}:{line}", self.origin);
                        let record = zhunru::record::Record {
                            policy: self.policy,
                            subject: &subject,
                            decision: &decision,
                            as_of: self.as_of,
                            question: None,
                            origin: Some(&origin),
                        };
                        let text = if self.format == Format::Md {
                            zhunru::record::markdown(&record)
                        } else {
                            zhunru::record::html(&record)
                        };
                        out.extend_from_slice(text.as_bytes());
                    }
                }
                out.push(b'\n');
                Piece { out, err: None }
            }
            Err(e) => {
                match self.format {
                    Format::Json => {
                        // The record's first line, as the text says it (`── FILE:3 · input
                        // error ──`); `at` is the place that is wrong (a pretty-printed
                        // record's line 6).
                        let obj = serde_json::json!({
                            "line": line,
                            "error": {"code": "zhunru::input", "message": e.message(), "at": e.location()},
                        });
                        let _ = writeln!(out, "{obj}");
                    }
                    Format::Text | Format::Md => {
                        let _ = writeln!(out, "── {}:{line} · input error ──\n{e}\n", self.origin);
                    }
                    Format::Html => {
                        let _ = writeln!(
                            out,
                            "<article class=\"record input-error\"><h1>输入有误 — input error</h1><pre>{}</pre></article>",
                            zhunru::record::escape_html(&e.to_string())
                        );
                    }
                }
                Piece {
                    out,
                    err: Some(input_error_text(&e, self.err_color)),
                }
            }
        }
    }

    /// Decide a batch on `jobs` threads, each taking a contiguous share, results in order.
    ///
    /// Why scoped threads and not rayon (issue 9 asked us to choose): the output must come
    /// out in input order, and contiguous shares joined in turn give that by construction, with
    /// no reorder buffer; the threads borrow the policy for the batch's lifetime (no `Arc`);
    /// deciding one subject is one bounded pass over the rules, so shares of equal length take
    /// about equal time and rayon's work stealing would have little to balance; spawning
    /// `jobs` threads per `BATCH` (4096) lines costs tens of microseconds against the
    /// milliseconds the batch takes to decide; and the binary needs no thread-pool crate. If
    /// subjects ever differ widely in cost (rules over long lists of lists), `par_iter` over
    /// the batch is the drop-in replacement.
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

/// Run `zhunru eval`.
pub fn run(args: EvalArgs) -> ExitCode {
    let Some(versions) = load_versions(&args.policy) else {
        return ExitCode::from(1);
    };
    let as_of = args.as_of.unwrap_or_else(Date::today);
    let policy = versions.in_force(as_of);
    let input = args.input.as_str();
    // A CSV log read as JSON was one "not valid JSON" a row: say at once what reads it.
    let csv = std::path::Path::new(input)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if csv && args.input_format.is_none() {
        report_plain(
            "zhunru::input",
            &format!(
                "`{input}` is CSV: eval reads JSON and JSON Lines; audit a CSV log with `zhunru audit --policy POLICY {input}` (each row decided as of its sent_on)"
            ),
            Some(input),
        );
        return ExitCode::from(1);
    }
    let Some((reader, origin)) = open_input_with_progress(input) else {
        return ExitCode::from(1);
    };
    let jobs = args.jobs.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let job = EvalJob {
        policy,
        format: args.format,
        as_of,
        color: out_color(),
        err_color: err_color(),
        origin: &origin,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut bad_lines = 0usize;
    let lines_only = match args.input_format {
        Some(kind) => kind == InputKind::Jsonl,
        None => {
            zhunru::input::InputFormat::from_path(std::path::Path::new(input))
                == zhunru::input::InputFormat::JsonLines
        }
    };
    if lines_only && args.format == Format::Json && fast::enabled() {
        let result = fast::run(&job, reader, jobs, &mut out);
        finish_progress();
        return match result {
            Ok(bad_lines) => finish(&mut out, bad_lines),
            Err(code) => code,
        };
    }
    let mut reader = job.policy.subject_reader(reader, origin.clone());
    if lines_only {
        reader = reader.json_lines();
    }
    if args.format == Format::Html {
        // The page around the records; its end is written after the last one.
        let page = zhunru::record::html_page("");
        let head = page.split_once("</body>").map_or(page.as_str(), |(h, _)| h);
        let _ = out.write_all(head.as_bytes());
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
                eprint_above(err);
            }
            if let Err(e) = out.write_all(&piece.out) {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    finish_progress();
                    return ExitCode::SUCCESS;
                }
                report_plain("zhunru::io", &format!("cannot write output: {e}"), None);
                return ExitCode::from(1);
            }
        }
    }
    finish_progress();
    if args.format == Format::Html {
        let _ = out.write_all(b"</body>\n</html>\n");
    }
    finish(&mut out, bad_lines)
}

/// Flush the output and say how many subjects could not be read.
fn finish(out: &mut impl Write, bad_lines: usize) -> ExitCode {
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    if bad_lines > 0 {
        note(&super::common::said(
            format!("{bad_lines} subject(s) could not be read; every other subject was decided"),
            format!("{bad_lines} 个事项无法读取；其余事项均已审查"),
        ));
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
