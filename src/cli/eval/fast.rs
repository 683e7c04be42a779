//! `eval` of JSON Lines with JSON output, fast: the input read in blocks of whole lines
//! (`zhunru::input::fast::Blocks`), each line read by the policy's `LineDecoder` (only the
//! fields the policy reads), every line it hands back decided exactly as before
//! (`EvalJob::piece`), decisions written a block at a time. With several jobs, whichever
//! thread is free (the main thread included) decides the next block, and the main thread
//! writes the decided blocks in input order, so the output keeps the input's order and
//! memory stays bounded (a few blocks a thread). The output is byte for byte that
//! of the line-by-line path (`tests/fast_path.rs`); `ZHUNRU_EXACT_READER=1` selects that
//! path, for the tests that compare them.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::sync::{Condvar, Mutex, mpsc};

use zhunru::input::RawItem;
use zhunru::input::fast::{Block, Blocks, Item, LineDecoder};

use super::{EvalJob, Piece};

/// Blocks in flight per thread: one being decided, one waiting.
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
///
/// With several jobs the main thread reads, writes, and decides too: blocks wait in a
/// shared queue and whichever thread is free takes the next (`jobs - 1` workers and the
/// main thread, which decides when it has nothing to write). Before, the main thread only
/// read and wrote while `jobs` workers decided, so on two cores three threads competed and
/// `-j2` stayed under 1.7× of `-j1` (issue 12). Decided blocks are written in input order;
/// at most `jobs * DEPTH` blocks are in flight.
pub(super) fn run(
    job: &EvalJob,
    reader: impl Read,
    jobs: usize,
    out: &mut impl Write,
) -> Result<usize, ExitCode> {
    let mut blocks = Blocks::new(reader, job.origin);
    let mut decoder = job.policy.line_decoder();
    let mut sink = Sink { out, bad_lines: 0 };
    if jobs <= 1 {
        let mut decided = Decided::default();
        while let Some(mut block) = blocks.next_block() {
            job.decide_block(&mut decoder, &mut block, &mut decided);
            blocks.recycle(block);
            sink.write(&decided)?;
        }
        return Ok(sink.bad_lines);
    }
    let queue = Queue::default();
    std::thread::scope(|scope| {
        let (send_done, done_in) = mpsc::channel::<Done>();
        let mut handles = Vec::new();
        for _ in 1..jobs {
            let send_done = send_done.clone();
            let mut decoder = decoder.clone();
            let queue = &queue;
            handles.push(scope.spawn(move || {
                // A worker that panics says so, so that the main thread does not wait for
                // its block.
                let guard = FailGuard(&send_done);
                while let Some((n, mut block, mut decided)) = queue.take() {
                    job.decide_block(&mut decoder, &mut block, &mut decided);
                    if send_done.send(Some((n, block, decided))).is_err() {
                        break;
                    }
                }
                std::mem::forget(guard);
            }));
        }
        drop(send_done);
        let result = lead(
            job,
            &queue,
            &done_in,
            &mut blocks,
            &mut decoder,
            &mut sink,
            jobs,
        );
        // Closing the queue ends the workers; a worker that failed was reported above.
        queue.close();
        for handle in handles {
            let _ = handle.join();
        }
        result
    })
}

/// Blocks numbered in input order, each with the buffer its decisions go into.
type Work = (usize, Block, Decided);

/// A block decided by a worker; `None` from a worker that failed.
type Done = Option<Work>;

/// Sends `None` when dropped, which a worker that ends normally never lets happen.
struct FailGuard<'a>(&'a mpsc::Sender<Done>);

impl Drop for FailGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.send(None);
    }
}

/// Blocks read and not yet taken by a thread.
#[derive(Default)]
struct Queue {
    state: Mutex<(VecDeque<Work>, bool)>,
    ready: Condvar,
}

impl Queue {
    fn lock(&self) -> std::sync::MutexGuard<'_, (VecDeque<Work>, bool)> {
        // The data is a queue of owned blocks: still whole if a holder panicked.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn push(&self, work: Work) {
        self.lock().0.push_back(work);
        self.ready.notify_one();
    }

    /// The next block without waiting (the main thread).
    fn try_take(&self) -> Option<Work> {
        self.lock().0.pop_front()
    }

    /// The next block, waiting for one; `None` once the queue is closed (the workers).
    fn take(&self) -> Option<Work> {
        let mut state = self.lock();
        loop {
            if let Some(work) = state.0.pop_front() {
                return Some(work);
            }
            if state.1 {
                return None;
            }
            state = self.ready.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn close(&self) {
        self.lock().1 = true;
        self.ready.notify_all();
    }
}

/// The main thread with several jobs: read blocks into the queue, write decided blocks in
/// order, and decide blocks itself whenever the next one to write is not ready.
fn lead<R: Read, W: Write>(
    job: &EvalJob,
    queue: &Queue,
    done_in: &mpsc::Receiver<Done>,
    blocks: &mut Blocks<R>,
    decoder: &mut LineDecoder,
    sink: &mut Sink<'_, W>,
    jobs: usize,
) -> Result<usize, ExitCode> {
    let failed = || {
        super::report_plain(
            "zhunru::internal",
            "a worker thread failed; its lines were not decided",
            None,
        );
        ExitCode::from(1)
    };
    let mut read = 0usize;
    let mut written = 0usize;
    let mut more = true;
    // Decided blocks waiting for their turn, by number (`written` first).
    let mut ready: VecDeque<Option<(Block, Decided)>> = VecDeque::new();
    let mut spare: Vec<Decided> = Vec::new();
    let keep = |ready: &mut VecDeque<Option<(Block, Decided)>>, written: usize, w: Work| {
        let (n, block, decided) = w;
        let at = n - written;
        while ready.len() <= at {
            ready.push_back(None);
        }
        if let Some(slot) = ready.get_mut(at) {
            *slot = Some((block, decided));
        }
    };
    loop {
        while more && read - written < jobs * DEPTH {
            match blocks.next_block() {
                Some(block) => {
                    queue.push((read, block, spare.pop().unwrap_or_default()));
                    read += 1;
                }
                None => more = false,
            }
        }
        if written == read {
            return Ok(sink.bad_lines);
        }
        while let Ok(done) = done_in.try_recv() {
            keep(&mut ready, written, done.ok_or_else(failed)?);
        }
        if let Some(Some((block, decided))) = ready.front_mut().map(Option::take) {
            ready.pop_front();
            written += 1;
            blocks.recycle(block);
            sink.write(&decided)?;
            spare.push(decided);
            continue;
        }
        if let Some((n, mut block, mut decided)) = queue.try_take() {
            job.decide_block(decoder, &mut block, &mut decided);
            keep(&mut ready, written, (n, block, decided));
            continue;
        }
        match done_in.recv() {
            Ok(Some(done)) => keep(&mut ready, written, done),
            Ok(None) | Err(_) => return Err(failed()),
        }
    }
}
