//! `cargo bench`: policy load, one decision of each verdict, and a batch, with divan
//! (lean, one dependency tree; criterion pulls in far more for the same measurements).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use zhunru::{Date, Policy, Source, Subject};

fn main() {
    divan::main();
}

fn as_of() -> Date {
    Date::new(2020, 6, 1).unwrap()
}

fn policy(d: &str) -> Policy {
    Policy::from_file(format!("policies/{d}.policy")).expect("shipped policy loads")
}

/// Read + parse + check + compile each shipped policy from its file, its parent chain
/// included (the districts build on `policies/national.policy`): what `eval` and `serve`
/// pay at start-up. The goal is under 1 ms each (issue 12).
#[divan::bench(args = [
    "policies/national.policy",
    "policies/hefei.policy",
    "policies/jiangyuan.policy",
    "policies/nanqiao.policy",
    "policies/yingjiang.policy",
    "benches/yingjiang_like.policy",
])]
fn load(bencher: divan::Bencher, path: &str) {
    bencher.bench(|| Policy::from_file(path).expect("loads"));
}

/// The same from text already in memory, for a policy without a parent: parse + check +
/// compile alone.
#[divan::bench(args = ["policies/national.policy", "benches/yingjiang_like.policy"])]
fn load_text(bencher: divan::Bencher, path: &str) {
    let text = std::fs::read_to_string(path).expect("readable");
    bencher.bench(|| Policy::from_source(Source::new(path, text.as_str())).expect("loads"));
}

/// Read one line of the peers' benchmark file with the policy's fast reader, and with the
/// exact reader (the fast one checks every field, builds only those the policy reads).
#[divan::bench(args = ["fast", "exact"])]
fn read_line(bencher: divan::Bencher, how: &str) {
    let p = Policy::from_file("benches/yingjiang_like.policy").expect("loads");
    let line = r#"{"kind":"task","id":"T-2020-000001","name":"防汛抗旱值守","category":"防汛抗旱值守","requester":"区生态环境分局","requester_level":"district_department","basis":["安徽省社区工作准入办法"],"work_plan":true,"requirements":"排查居民户，填报防汛抗旱值守台账","period":{"start":"2020-10-14","end":"2020-10-14"},"funding":{"amount":11600,"per":"once"},"authorization":{"content":"防汛抗旱值守相关工作","object":"辖区企业","powers":"资料调阅","until":"2020-09-23"},"approval":{"status":"approved","by":"区社区建设领导小组","date":"2020-08-19"}}"#
        .as_bytes();
    let mut decoder = p.line_decoder();
    match how {
        "fast" => bencher.bench_local(|| decoder.decode_line(line).is_some()),
        _ => bencher.bench_local(|| zhunru::input::parse_line(line, 1, "bench").is_ok()),
    }
}

fn subjects() -> Vec<(&'static str, Subject)> {
    let complete = Subject::task("企业摸底")
        .with("approval.status", "approved")
        .unwrap()
        .with("approval.by", "区社区建设领导小组")
        .unwrap()
        .with("basis", vec!["安庆市经济普查工作方案"])
        .unwrap()
        .with("work_plan", true)
        .unwrap()
        .with("requirements", "走访辖区企业")
        .unwrap()
        .with("period.end", "2020-06-30")
        .unwrap()
        .with("funding.amount", 3000.0)
        .unwrap();
    vec![
        ("denied", Subject::task("招商引资")),
        ("admitted", complete),
        ("needs_approval", Subject::task("创卫迎检")),
    ]
}

/// One Yingjiang decision of each verdict, owned `Decision` and JSON-writer forms.
#[divan::bench(args = ["denied", "admitted", "needs_approval"])]
fn decide_one(bencher: divan::Bencher, verdict: &str) {
    let p = policy("yingjiang");
    let subject = subjects()
        .into_iter()
        .find(|(v, _)| *v == verdict)
        .map(|(_, s)| s)
        .expect("known");
    bencher.bench(|| p.decide(&subject, as_of()));
}

#[divan::bench(args = ["denied", "admitted", "needs_approval"])]
fn decide_one_json(bencher: divan::Bencher, verdict: &str) {
    let p = policy("yingjiang");
    let subject = subjects()
        .into_iter()
        .find(|(v, _)| *v == verdict)
        .map(|(_, s)| s)
        .expect("known");
    let mut out = Vec::with_capacity(1024);
    bencher.bench_local(|| {
        out.clear();
        p.decide_json(&subject, as_of(), &mut out);
        out.len()
    });
}

/// Parse and decide a batch of 1,000 JSON Lines lines from the examples (repeated).
#[divan::bench]
fn batch_1000_lines(bencher: divan::Bencher) {
    let p = policy("yingjiang");
    let text = std::fs::read_to_string("examples/tasks.jsonl").expect("readable");
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .cycle()
        .take(1000)
        .collect();
    let mut out = Vec::with_capacity(1 << 20);
    bencher.bench_local(|| {
        out.clear();
        for (i, line) in lines.iter().enumerate() {
            if let Ok(s) = zhunru::input::parse_line(line.as_bytes(), i + 1, "bench") {
                p.decide_json(&s, as_of(), &mut out);
                out.push(b'\n');
            }
        }
        out.len()
    });
}
