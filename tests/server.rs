//! `zhunru serve` as a client sees it: the real binary on an ephemeral port, called over
//! HTTP. Every route, every error status with its problem JSON, batches, live reload and
//! graceful shutdown.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

#[path = "support/server.rs"]
mod support;

use std::process::Command;

use support::{Server, root};

/// The server's decision is byte for byte what `zhunru eval --format json` writes.
#[test]
fn decide_is_eval_byte_for_byte() {
    let server = Server::start(root(), &[]);
    let task = r#"{"id":"T-1","category":"企业摸底","basis":["安庆市经济普查工作方案"],"work_plan":true,"funding":{"amount":3000,"per":"once"}}"#;
    for district in ["hefei", "nanqiao", "yingjiang"] {
        let body = format!(r#"{{"district":"{district}","as_of":"2020-06-01","subject":{task}}}"#);
        let answer = server.post_json("/v1/decide", &body);
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert_eq!(answer.header("content-type"), Some("application/json"));
        let input = std::env::temp_dir().join(format!("zhunru-serve-{district}.json"));
        std::fs::write(&input, task).unwrap();
        let eval = Command::new(env!("CARGO_BIN_EXE_zhunru"))
            .current_dir(root())
            .args(["eval", "-f", "json", "--as-of", "2020-06-01", "-p"])
            .arg(format!("policies/{district}.policy"))
            .arg(&input)
            .output()
            .unwrap();
        assert_eq!(answer.text(), String::from_utf8(eval.stdout).unwrap());
    }
}

#[test]
fn healthz_answers() {
    let server = Server::start(root(), &[]);
    let answer = server.get("/healthz");
    assert_eq!((answer.status, answer.text().as_str()), (200, "ok\n"));
    assert!(answer.header("x-request-id").is_some());
}
