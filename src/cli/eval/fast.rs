//! `eval` of JSON Lines with JSON output, fast: the input read in blocks of whole lines
//! (`zhunru::input::fast::Blocks`), each line read by the policy's `LineDecoder` (only the
//! fields the policy reads), every line it hands back decided exactly as before
//! (`EvalJob::piece`), decisions written a block at a time. With several jobs, blocks go
//! round the workers in turn and come back in the same turn, so the output keeps the input's
//! order and memory stays bounded (a few blocks a worker). The output is byte for byte that
//! of the line-by-line path (`tests/fast_path.rs`); `ZHUNRU_EXACT_READER=1` selects that
//! path, for the tests that compare them.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::mpsc;

use zhunru::input::RawItem;
use zhunru::input::fast::{Block, Blocks, Item, LineDecoder};

use super::{EvalJob, Piece};

/// Blocks in flight per worker: one being decided, one waiting.
const DEPTH: usize = 2;

/// A block decided: its output, and the errors to print, each at the offset of the output
/// where its line's output starts.
#[derive(Default)]
struct Decided {
    out: Vec<u8>,
    errors: Vec<(usize, String)>,
}

/// Whether the fast path may be used (the tests can ask for the line-by-line path).
pub(super) fn enabled() -> bool {
    std::env::var_os("ZHUNRU_EXACT_READER").is_none_or(|v| v.is_empty() || v == "0")
}

impl EvalJob<'_> {
    /// Decide every line of `block` into `into` (cleared first).
    fn decide_block(&self, decoder: &mut LineDecoder, block: &mut Block, into: &mut Decided) {
        into.out.clear();
        into.errors.clear();
        let add = |into: &mut Decided, piece: Piece| {
            if let Some(err) = piece.err {
                into.errors.push((into.out.len(), err));
            }
            into.out.extend_from_slice(&piece.out);
        };
        block.for_each(self.origin, decoder, |line, item| match item {
            Item::Subject(subject) => {
                self.policy.decide_json(subject, self.as_of, &mut into.out);
                into.out.push(b'\n');
            }
            Item::Exact(bytes) => add(into, self.piece(RawItem::Line(line, bytes.to_vec()))),
            Item::Error(e) => add(into, self.piece(RawItem::Read((line, Err(e))))),
        });
    }
}

/// Where the output goes, and what it has met.
struct Sink<'a, W: Write> {
    out: &'a mut W,
    bad_lines: usize,
}

impl<W: Write> Sink<'_, W> {
    /// Write a decided block; `Err` ends the run with that exit code.
    fn write(&mut self, decided: &Decided) -> Result<(), ExitCode> {
        let mut from = 0;
        for (at, err) in &decided.errors {
            self.bytes(decided.out.get(from..*at).unwrap_or(&[]))?;
            self.bad_lines += 1;
            let _ = self.out.flush();
            super::eprint_above(err);
            from = *at;
        }
        self.bytes(decided.out.get(from..).unwrap_or(&[]))
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<(), ExitCode> {
        match self.out.write_all(bytes) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
            Err(e) => {
                super::report_plain("zhunru::io", &format!("cannot write output: {e}"), None);
                Err(ExitCode::from(1))
            }
        }
    }
}

/// Decide JSON Lines from `reader` on `jobs` threads into `out`; the number of lines that
/// could not be read, or the exit code that ends the run early.
pub(super) fn run(
    job: &EvalJob,
    reader: impl Read,
    jobs: usize,
    out: &mut impl Write,
) -> Result<usize, ExitCode> {
    let mut blocks = Blocks::new(reader, job.origin);
    let decoder = job.policy.line_decoder();
    let mut sink = Sink { out, bad_lines: 0 };
    if jobs <= 1 {
        let mut decoder = decoder;
        let mut decided = Decided::default();
        while let Some(mut block) = blocks.next_block() {
            job.decide_block(&mut decoder, &mut block, &mut decided);
            blocks.recycle(block);
            sink.write(&decided)?;
        }
        return Ok(sink.bad_lines);
    }
    std::thread::scope(|scope| {
        let mut to_workers = Vec::new();
        let mut from_workers = Vec::new();
        let mut handles = Vec::new();
        for _ in 0..jobs {
            let (send_block, blocks_in) = mpsc::channel::<(Block, Decided)>();
            let (send_done, done_in) = mpsc::channel::<(Block, Decided)>();
            let mut decoder = decoder.clone();
            handles.push(scope.spawn(move || {
                for (mut block, mut decided) in blocks_in {
                    job.decide_block(&mut decoder, &mut block, &mut decided);
                    if send_done.send((block, decided)).is_err() {
                        break;
                    }
                }
            }));
            to_workers.push(send_block);
            from_workers.push(done_in);
        }
        // Block n goes to worker n % jobs, and its output is taken back in the same order.
        let mut sent = 0usize;
        let mut written = 0usize;
        let mut spare: Vec<Decided> = Vec::new();
        let result = loop {
            while sent - written < jobs * DEPTH {
                let Some(block) = blocks.next_block() else {
                    break;
                };
                let decided = spare.pop().unwrap_or_default();
                let Some(worker) = to_workers.get(sent % jobs) else {
                    break;
                };
                if worker.send((block, decided)).is_err() {
                    break;
                }
                sent += 1;
            }
            if written == sent {
                break Ok(sink.bad_lines);
            }
            let Some(Ok((block, decided))) = from_workers.get(written % jobs).map(|r| r.recv())
            else {
                super::report_plain(
                    "zhunru::internal",
                    "a worker thread failed; its lines were not decided",
                    None,
                );
                break Err(ExitCode::from(1));
            };
            written += 1;
            blocks.recycle(block);
            if let Err(code) = sink.write(&decided) {
                break Err(code);
            }
            spare.push(decided);
        };
        // Closing the channels ends the workers; a worker that failed was reported above.
        drop(to_workers);
        for handle in handles {
            let _ = handle.join();
        }
        result
    })
}
