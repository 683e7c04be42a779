//! The fast JSON Lines path (`zhunru::input::fast`, `eval` of a `.jsonl` file to JSON)
//! against the exact one (`SubjectReader::json_lines` + `parse_line`, the path `eval` took
//! before): the same items at the same lines, the same decisions byte for byte, the same
//! errors (location, message, rendered snippet), whatever the input holds and however it is
//! cut into reads and blocks; and the binary's output, stdout and stderr, identical on both
//! paths for `-j` 1, 2 and 8.
//!
//! `tests/cases/fast/edge-cases.jsonl` is the peer benchmark's hand-written edge-case file
//! (`../shared/bench/peers`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::io::Read;
use std::sync::OnceLock;

use proptest::prelude::*;
use zhunru::input::fast::{Blocks, Item};
use zhunru::input::{SubjectReader, parse_line};
use zhunru::{Date, InputError, Policy, render};

fn as_of() -> Date {
    Date::new(2020, 6, 1).unwrap()
}

fn policies() -> &'static [Policy] {
    static P: OnceLock<Vec<Policy>> = OnceLock::new();
    P.get_or_init(|| {
        [
            "policies/hefei.policy",
            "policies/nanqiao.policy",
            "policies/yingjiang.policy",
            "policies/jiangyuan.policy",
            "benches/yingjiang_like.policy",
        ]
        .iter()
        .map(|p| Policy::from_file(p).expect("shipped policy loads"))
        .collect()
    })
}

/// What a path made of one line: the decision's JSON, or the error as shown.
type Out = Vec<(usize, Result<String, String>)>;

fn shown(e: &InputError) -> String {
    format!("{e}\n{}", render(e, false))
}

fn decision(policy: &Policy, subject: &zhunru::Subject) -> String {
    let mut out = Vec::new();
    policy.decide_json(subject, as_of(), &mut out);
    String::from_utf8(out).unwrap()
}

fn exact(policy: &Policy, input: impl std::io::BufRead) -> Out {
    SubjectReader::new(input, "in")
        .json_lines()
        .map(|(line, read)| match read {
            Ok(s) => (line, Ok(decision(policy, &s))),
            Err(e) => (line, Err(shown(&e))),
        })
        .collect()
}

/// The fast path; also how many lines it read itself.
fn fast(policy: &Policy, input: impl Read, block: usize) -> (Out, usize) {
    let mut blocks = Blocks::new(input, "in").with_block_bytes(block);
    let mut decoder = policy.line_decoder();
    let mut out = Vec::new();
    let mut quick = 0;
    while let Some(mut b) = blocks.next_block() {
        let first = b.first_line;
        let lines = b.lines;
        b.for_each("in", &mut decoder, |line, item| {
            match item {
                Item::Subject(s) => {
                    quick += 1;
                    out.push((line, Ok(decision(policy, s))));
                }
                Item::Exact(bytes) => out.push((
                    line,
                    parse_line(bytes, line, "in")
                        .map(|s| decision(policy, &s))
                        .map_err(|e| shown(&e)),
                )),
                Item::Error(e) => out.push((line, Err(shown(&e)))),
            }
            if !matches!(out.last(), Some((_, Err(m))) if m.contains("cannot read input")) {
                assert!(
                    (first..first + lines).contains(&line),
                    "line {line} outside its block"
                );
            }
        });
        blocks.recycle(b);
    }
    (out, quick)
}

/// Reads in pieces of the given sizes, in turn, so lines are cut across reads; fails with
/// an error after `fail_after` bytes, if set.
struct Pieces<'a> {
    data: &'a [u8],
    sizes: Vec<usize>,
    n: usize,
    fail_after: Option<usize>,
    read: usize,
}

impl<'a> Pieces<'a> {
    fn new(data: &'a [u8], sizes: &[usize]) -> Self {
        Pieces {
            data,
            sizes: sizes.to_vec(),
            n: 0,
            fail_after: None,
            read: 0,
        }
    }
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.fail_after.is_some_and(|f| self.read >= f) {
            return Err(std::io::Error::other("the disk went away"));
        }
        let mut size = self.sizes[self.n % self.sizes.len()].max(1);
        if let Some(f) = self.fail_after {
            size = size.min(f - self.read);
        }
        self.n += 1;
        let size = size.min(buf.len()).min(self.data.len());
        buf[..size].copy_from_slice(&self.data[..size]);
        self.data = &self.data[size..];
        self.read += size;
        Ok(size)
    }
}

/// Both paths over `input` under every policy, read in `sizes` pieces, in blocks of about
/// `block` bytes; the number of lines the fast path read itself.
fn same(input: &[u8], sizes: &[usize], block: usize) -> usize {
    let mut quick = 0;
    for policy in policies() {
        let want = exact(policy, input);
        let (got, q) = fast(policy, Pieces::new(input, sizes), block);
        quick += q;
        if want != got {
            let first = want
                .iter()
                .zip(&got)
                .position(|(a, b)| a != b)
                .unwrap_or(want.len().min(got.len()));
            panic!(
                "{}: the paths differ at item {first} ({} and {} items)\nexact: {:?}\nfast:  {:?}\ninput: {:?}",
                policy.source().name(),
                want.len(),
                got.len(),
                want.get(first),
                got.get(first),
                String::from_utf8_lossy(input)
            );
        }
    }
    quick
}

/// The shipped JSON Lines files, good and bad lines, and the peers' edge cases.
const JSON_LINES: [&str; 6] = [
    "examples/tasks.jsonl",
    "examples/mixed.jsonl",
    "examples/bad/bad-lines.jsonl",
    "examples/bad/invalid-utf8.jsonl",
    "examples/audit/log.jsonl",
    "tests/cases/fast/edge-cases.jsonl",
];

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Lines to build inputs from: the shipped examples (JSON Lines, and the JSON files made
/// compact), the bad lines, the peers' edge cases, and lines made to probe the fast path.
fn pool() -> &'static [Vec<u8>] {
    static POOL: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for file in JSON_LINES {
            lines.extend(read(file).split(|&b| b == b'\n').map(<[u8]>::to_vec));
        }
        for dir in ["examples/tasks", "examples/premises", "examples/assessments"] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read(entry.unwrap().path()).unwrap();
                let value: serde_json::Value = serde_json::from_slice(&text).unwrap();
                lines.push(serde_json::to_vec(&value).unwrap());
            }
        }
        for probe in [
            r#"{"category":"\u62db\u5546\u5f15\u8d44"}"#,
            r#"{"category":"招商引资","funding":{"amount":-0}}"#,
            r#"{"category":"招商引资","funding":{"amount":1.5}}"#,
            r#"{"category":"招商引资","funding":{"amount":1e3}}"#,
            r#"{"category":"企业摸底","funding":{"amount":999999999999999}}"#,
            r#"{"category":"企业摸底","funding":{"amount":9007199254740993}}"#,
            r#"{"category":"企业摸底","funding":{"amount":123456789012345678901}}"#,
            r#"{"category":"企业摸底","funding":{"amount":-1e300}}"#,
            r#"{"category":"企业摸底","funding":{"amount":0123}}"#,
            r#"{"category":"企业摸底","category":"招商引资"}"#,
            r#"{"category":"企业摸底","extra":{"a":1,"a":2}}"#,
            r#"{"category":"企业摸底","extra":{"a":[1,{"b":null}],"c":"　"}}"#,
            r#"{"kind":null,"category":"企业摸底"}"#,
            r#"{"kind":" community ","name":"琥珀社区","office_area":60}"#,
            r#"{"kind":"","category":"企业摸底"}"#,
            r#"{"kind":"task","kind":"task","category":"企业摸底"}"#,
            r#"{"category":"　"}"#,
            r#"{"category":null}"#,
            r#"{"category":"企业摸底","community_role":" responsible "}"#,
            r#"{"category":"行政执法","community_role":"responsible","approval":null}"#,
            r#"{"category":"企业摸底","approval":{"status":" approved "},"basis":[" ","依据",null]}"#,
            r#"{"category":"企业摸底","basis":[1]}"#,
            r#"{"category":"企业摸底","period":{"start":" 2020-05-01","end":"2020-02-29 "}}"#,
            r#"{"category":"企业摸底","period":{"end":"2021-02-29"}}"#,
            r#"{"category":"企业摸底","funding":{"amout":3000,"per":"once"}}"#,
            r#"{"category":"企业摸底","funding":{"amount":3000,"source":"区财政"}}"#,
            r#"{"category":"企业摸底","fundng":{"amount":3000}}"#,
            r#"{"category":"企业摸底","work_plan":"yes"}"#,
            r#"{"category":"企业摸底","work_plan":tru}"#,
            r#"{"category":"企业摸底"} x"#,
            r#"{"category":"企业摸底"}  	"#,
            r#"	 {"category":"企业摸底"}"#,
            r#"{"category":"企业摸底",}"#,
            r#"{"category":"企业摸底""#,
            r#"[{"category":"企业摸底"}]"#,
            r#"{"category":"ＡＢＣ　"}"#,
            r#"{ "category" : "招商引资" , "id" : "T-1" }"#,
            "{\"category\":\"企业\u{1}摸底\"}",
            "",
            "   ",
            "\t",
        ] {
            lines.push(probe.as_bytes().to_vec());
        }
        lines
    })
}

/// An input made of pool lines, mutated, joined by line ends of every kind.
fn input(ops: &[(u32, u32, u32)], bom: bool, last_end: bool) -> Vec<u8> {
    let pool = pool();
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(b"\xef\xbb\xbf");
    }
    for (n, &(a, b, c)) in ops.iter().enumerate() {
        let mut line = pool[a as usize % pool.len()].clone();
        let at = if line.is_empty() {
            0
        } else {
            b as usize % line.len()
        };
        match c % 12 {
            0..=4 => {}
            5 => line.insert(at, if c % 2 == 0 { b' ' } else { b'\t' }),
            6 => line.truncate(at),
            7 => {
                let bytes = b"\"\\\r\n\x01\xff{},:0.e-[]";
                let byte = bytes[(c / 12) as usize % bytes.len()];
                if let Some(x) = line.get_mut(at) {
                    *x = byte;
                }
            }
            8 => {
                let insert: &[u8] = match (c / 12) % 4 {
                    0 => br#""category":"x","#,
                    1 => br#""kind":null,"#,
                    2 => br#""funding":{"amount":12345678901234567},"#,
                    _ => br#""unknown":{"deep":[1,2,{"x":"y"}]},"#,
                };
                if line.first() == Some(&b'{') {
                    line.splice(1..1, insert.iter().copied());
                }
            }
            9 => {
                // A character made an escape.
                if let Some(i) = line.iter().position(|&x| x == b'a') {
                    line.splice(i..=i, br"\u0061".iter().copied());
                }
            }
            10 => line.clear(),
            _ => line.extend_from_slice(b" "),
        }
        out.extend_from_slice(&line);
        if n + 1 < ops.len() || last_end {
            out.extend_from_slice(match (a ^ c) % 5 {
                0 => b"\r\n",
                1 => b"\r",
                _ => b"\n",
            });
        }
    }
    out
}

#[test]
fn the_examples_read_the_same() {
    let mut quick = 0;
    for file in JSON_LINES {
        let text = read(file);
        for (sizes, block) in [
            (&[1 << 16][..], 1 << 18),
            (&[1, 7, 300][..], 50),
            (&[3][..], 1),
        ] {
            quick += same(&text, sizes, block);
        }
    }
    // The ordinary lines went the fast way (else this test proves little).
    assert!(quick > 500, "only {quick} lines read by the fast path");
}

#[test]
fn every_pool_line_reads_the_same() {
    let lines = pool();
    let mut quick = 0;
    for line in lines {
        quick += same(line, &[1 << 16], 1 << 18);
    }
    assert!(
        quick > lines.len(),
        "only {quick} lines read by the fast path"
    );
}

#[test]
fn over_long_lines_are_errors_in_both() {
    let long = format!(
        "{{\"category\":\"企业摸底\",\"note\":\"{}\"}}",
        "x".repeat(zhunru::input::MAX_LINE_BYTES)
    );
    let ok = r#"{"category":"招商引资"}"#;
    for text in [
        format!("{ok}\n{long}\n{ok}\n"),
        format!("{long}\r\n{ok}\r\n"),
        format!("{ok}\r{long}\r{ok}"),
        format!("{ok}\n{long}"),
        format!("{long}\n"),
        // Exactly at the limit: read.
        format!(
            "{ok}\n{}\n{ok}",
            " ".repeat(zhunru::input::MAX_LINE_BYTES - ok.len()) + ok
        ),
    ] {
        for (sizes, block) in [(&[1 << 16][..], 1 << 18), (&[4093, 65536][..], 1000)] {
            same(text.as_bytes(), sizes, block);
        }
    }
}

#[test]
fn a_read_error_stops_both_at_the_same_line() {
    let text = input(
        &(0..200u32)
            .map(|i| (i * 7, i * 13, i % 5))
            .collect::<Vec<_>>(),
        false,
        true,
    );
    let policy = &policies()[2];
    for fail_after in [0, 1, 100, 1000, 5000, text.len() / 2, text.len() - 1] {
        for size in [1, 64, 4096] {
            let mut pieces = Pieces::new(&text, &[size]);
            pieces.fail_after = Some(fail_after);
            let want = exact(policy, std::io::BufReader::with_capacity(size, pieces));
            let mut pieces = Pieces::new(&text, &[size]);
            pieces.fail_after = Some(fail_after);
            let (got, _) = fast(policy, pieces, 1 << 18);
            assert_eq!(
                want, got,
                "failing after {fail_after} bytes, reads of {size}"
            );
        }
    }
}

proptest! {
    // `ZHUNRU_FAST_CASES` for a longer run (default 200).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("ZHUNRU_FAST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(200),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any mix of the pool's lines, mutated (spaces, tabs, cuts, escapes, stray bytes,
    /// repeated keys, big numbers, line ends of every kind, a byte-order mark), read in
    /// pieces of any size and blocks of any size: both paths agree.
    #[test]
    fn generated_inputs_read_the_same(
        ops in prop::collection::vec((any::<u32>(), any::<u32>(), any::<u32>()), 1..40),
        sizes in prop::collection::vec(1usize..400, 1..4),
        block in 1usize..3000,
        bom in any::<bool>(),
        last_end in any::<bool>(),
    ) {
        same(&input(&ops, bom, last_end), &sizes, block);
    }
}

// ------------------------------------------------------------------ the binary

fn run(args: &[&str], exact: bool, stdin: Option<&[u8]>) -> (Vec<u8>, Vec<u8>, Option<i32>) {
    use std::io::Write;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_zhunru"));
    cmd.args(args)
        .env_remove("ZHUNRU_EXACT_READER")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    if exact {
        cmd.env("ZHUNRU_EXACT_READER", "1");
    }
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let bytes = stdin.unwrap_or_default().to_vec();
    // Written from another thread: the child's output fills its pipe meanwhile.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (out.stdout, out.stderr, out.status.code())
}

#[test]
fn the_binary_writes_the_same_bytes_on_both_paths() {
    // Several blocks' worth, with bad lines spread through it.
    let ops: Vec<(u32, u32, u32)> = (0..6000u32)
        .map(|i| {
            (
                i.wrapping_mul(2_654_435_761) >> 7,
                i * 31,
                if i % 97 == 0 { 7 } else { i % 5 },
            )
        })
        .collect();
    let generated = std::env::temp_dir().join(format!("zhunru-fast-{}.jsonl", std::process::id()));
    std::fs::write(&generated, input(&ops, true, true)).unwrap();
    let generated: &'static str = generated.display().to_string().leak();
    for policy in ["policies/yingjiang.policy", "benches/yingjiang_like.policy"] {
        let eval = |input: &'static str| {
            [
                "eval",
                "-p",
                policy,
                "-f",
                "json",
                "--as-of",
                "2020-06-01",
                "--input-format",
                "jsonl",
                input,
            ]
        };
        for file in JSON_LINES.iter().copied().chain([generated]) {
            let base = eval(file);
            let want = run(&[&base[..], &["-j", "1"]].concat(), true, None);
            assert!(!want.0.is_empty(), "{file}: no output");
            for jobs in ["1", "2", "8"] {
                let got = run(&[&base[..], &["-j", jobs]].concat(), false, None);
                assert!(
                    want == got,
                    "{policy} {file} -j {jobs}: the paths differ\nexact stderr: {}\nfast stderr: {}",
                    String::from_utf8_lossy(&want.1),
                    String::from_utf8_lossy(&got.1)
                );
            }
        }
        // Standard input.
        let text = read(generated);
        let args = eval("-");
        let want = run(&args, true, Some(&text));
        for jobs in ["1", "2"] {
            let got = run(&[&args[..], &["-j", jobs]].concat(), false, Some(&text));
            assert!(want == got, "stdin -j {jobs}: the paths differ");
        }
    }
    let _ = std::fs::remove_file(generated);
}
