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

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zhunru-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Wait (up to 20 s) until `ok`, polling: what a reload takes to be seen.
fn wait_for(what: &str, ok: &dyn Fn() -> bool) {
    let start = std::time::Instant::now();
    while !ok() {
        assert!(
            start.elapsed().as_secs() < 20,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn envelope(district: &str, subject: &str) -> String {
    format!(r#"{{"district":"{district}","as_of":"2020-06-01","subject":{subject}}}"#)
}

/// Every route of the OpenAPI document answers, and the document lists every route the
/// tests below call.
#[test]
fn every_route_answers() {
    let server = Server::start(root(), &[]);
    let doc = server.get("/v1/openapi.json").json();
    let mut called = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            let concrete = path.replace("{name}", "nanqiao");
            let answer = match method.as_str() {
                "get" => server.get(&concrete),
                // compare decides under every district: its envelope names none.
                "post" if path == "/v1/compare" => server.post_json(
                    &concrete,
                    r#"{"as_of":"2020-06-01","subject":{"category":"招商引资"}}"#,
                ),
                "post" => server.post_json(
                    &concrete,
                    &envelope("nanqiao", r#"{"category":"招商引资"}"#),
                ),
                other => panic!("unexpected method {other}"),
            };
            assert_eq!(answer.status, 200, "{method} {path}: {}", answer.text());
            called.push(format!("{method} {path}"));
        }
    }
    called.sort();
    assert_eq!(
        called,
        [
            "get /",
            "get /healthz",
            "get /metrics",
            "get /readyz",
            "get /v1/districts",
            "get /v1/districts/{name}/lists",
            "get /v1/districts/{name}/notice",
            "get /v1/openapi.json",
            "post /v1/compare",
            "post /v1/decide",
        ]
    );

    // The decision's fields, a reason's and a cited clause's are the ones documented (the
    // document lacked `missing_items`, `policy` and `clauses`).
    let decision = server
        .post_json(
            "/v1/decide",
            &envelope("yingjiang", r#"{"category":"企业摸底"}"#),
        )
        .json();
    let props = &doc["components"]["schemas"]["Decision"]["properties"];
    for key in keys(&decision) {
        assert!(
            documented(&doc, "Decision").contains(&key),
            "Decision.{key}"
        );
    }
    for key in keys(&decision["reasons"][0]) {
        assert!(
            keys(&props["reasons"]["items"]["properties"]).contains(&key),
            "reason.{key}"
        );
    }
    let clause_props = &props["reasons"]["items"]["properties"]["clauses"]["items"]["properties"];
    for key in keys(&decision["reasons"][0]["clauses"][0]) {
        assert!(keys(clause_props).contains(&key), "clause.{key}");
    }
    for key in keys(&decision["missing_items"][0]) {
        assert!(
            keys(&props["missing_items"]["items"]["properties"]).contains(&key),
            "missing_items.{key}"
        );
    }

    let districts = server.get("/v1/districts").json();
    let names: Vec<&str> = districts["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    // The national baseline is a jurisdiction of its own, beside the districts built on it.
    assert_eq!(
        names,
        ["hefei", "jiangyuan", "nanqiao", "national", "yingjiang"]
    );
    let hefei = &districts["districts"][0];
    assert_eq!(hefei["default"], true);
    assert_eq!(hefei["jurisdiction"], "合肥市");
    assert_eq!(hefei["effective"], "2019-08-31");
    assert!(hefei["source"].as_str().unwrap().contains("社区减负增效"));
    assert!(hefei["cites"].as_array().unwrap().iter().any(|c| c == "H1"));
    assert_eq!(hefei["hash"].as_str().unwrap().len(), 16);

    // Without `district`, the first policy given decides.
    let plain = server
        .post_json("/v1/decide", r#"{"category":"居民公约制定"}"#)
        .json();
    assert!(
        plain["reasons"][0]["at"]
            .as_str()
            .unwrap()
            .starts_with("policies/hefei.policy:")
    );

    let lists = server.get("/v1/districts/nanqiao/lists").json();
    assert!(
        lists["lists"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["name"] == "负面清单")
    );

    let html = server.get("/v1/districts/nanqiao/notice");
    assert!(
        html.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(html.text().contains(r#"<html lang="zh-CN">"#));
    let md = server.request(
        "GET",
        "/v1/districts/nanqiao/notice",
        &[("Accept", "text/markdown")],
        b"",
    );
    assert!(
        md.header("content-type")
            .unwrap()
            .starts_with("text/markdown")
    );
    assert!(md.text().starts_with("# "));

    let compare = server
        .post_json(
            "/v1/compare",
            r#"{"as_of":"2020-06-01","subject":{"category":"行政执法","community_role":"responsible"}}"#,
        )
        .json();
    let verdicts: Vec<(&str, &str)> = compare["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["district"].as_str().unwrap(),
                c["decision"]["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(verdicts.len(), 5); // four districts and the national baseline
    assert!(verdicts.contains(&("yingjiang", "denied")));

    let ready = server.get("/readyz").json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["failed"], serde_json::json!([]));

    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains(r#"zhunru_decisions_total{district="nanqiao",verdict="denied"}"#),
        "{metrics}"
    );
    assert!(metrics.contains("zhunru_http_request_duration_seconds_bucket{route=\"/v1/decide\",status=\"200\",le=\"+Inf\"}"));
    assert!(metrics.contains("zhunru_reloads_total 0"));

    let page = server.get("/");
    assert!(page.text().contains("社区工作事项准入审查"));
    // The page runs only its own script (a policy's text is data, never markup or code).
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    for asset in ["/app.js", "/style.css"] {
        let got = server.get(asset);
        assert_eq!(got.status, 200);
        assert_eq!(got.header("x-content-type-options"), Some("nosniff"));
    }
    let notice = server.get("/v1/districts/nanqiao/notice");
    let csp = notice.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
}

/// Compare reads the subject under each district by the fields that district declares:
/// Jiangyuan declares `resident_acceptance` (one of 认可, 群众普遍不认可), so a value outside
/// it is a 400 naming the district and field; the others pass the field through.
#[test]
fn compare_types_the_subject_by_each_districts_fields() {
    let server = Server::start(root(), &[]);
    let ok = server
        .post_json(
            "/v1/compare",
            r#"{"category":"行政执法","resident_acceptance":"认可"}"#,
        )
        .json();
    assert_eq!(ok["districts"].as_array().unwrap().len(), 5, "{ok}");
    let answer = server.post_json(
        "/v1/compare",
        r#"{"category":"行政执法","resident_acceptance":"不认可"}"#,
    );
    let p = problem(&answer, 400, "zhunru::input");
    assert_eq!(p["field"], "resident_acceptance", "{p}");
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(1), Some(42)),
        "{p}"
    );
    let detail = p["detail"].as_str().unwrap();
    assert!(detail.starts_with("under district `jiangyuan`"), "{detail}");
    // The same in Chinese, for the page (the one translator of input errors is the library's).
    assert_eq!(
        p["detail_zh"],
        r#"按辖区 `jiangyuan`：字段 `resident_acceptance` 应为 "认可", "群众普遍不认可" 之一，实际为 "不认可""#,
        "{p}"
    );
}

fn problem(answer: &support::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(answer.status, status, "{}", answer.text());
    assert_eq!(
        answer.header("content-type"),
        Some("application/problem+json")
    );
    let p = answer.json();
    assert_eq!(p["status"], status);
    assert_eq!(p["code"], code, "{p}");
    assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()));
    // Every problem is said in Chinese too (the page shows `detail_zh`).
    assert!(
        p["detail_zh"]
            .as_str()
            .is_some_and(|d| d.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
        "no Chinese detail: {p}"
    );
    assert!(!answer.text().contains("panicked") && !answer.text().contains("src/"));
    p
}

#[test]
fn every_error_is_problem_json() {
    let dir = tempdir("errors");
    std::fs::copy(
        root().join("policies/nanqiao.policy"),
        dir.join("good.policy"),
    )
    .unwrap();
    // The parent the district policies name.
    std::fs::copy(
        root().join("policies/national.policy"),
        dir.join("national.policy"),
    )
    .unwrap();
    std::fs::write(
        dir.join("broken.policy"),
        "政策 「坏」\n规则 无引用\n  不予准入 「x」\n",
    )
    .unwrap();
    let server = Server::start(&dir, &["."]);

    // 400: bad JSON, located in the body.
    let p = problem(
        &server.post_json("/v1/decide", "{\n  \"category\": 招商\n}"),
        400,
        "zhunru::input",
    );
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(2), Some(15))
    );
    // serde's detail in Chinese too, not 「不是有效的 JSON：expected value」.
    assert_eq!(
        p["detail_zh"], "不是有效的 JSON：此处应为一个值（文本要加引号）",
        "{p}"
    );
    let p = problem(
        &server.post_json("/v1/decide", "{\"category\": \"招商引资\",}"),
        400,
        "zhunru::input",
    );
    assert_eq!(p["detail_zh"], "不是有效的 JSON：多余的逗号", "{p}");
    // 400: a mistyped field inside the envelope, located in the whole body, field named.
    let body = "{\"district\": \"good\",\n \"subject\": {\"category\": \"企业摸底\",\n   \"funding\": {\"amount\": \"三千\"}}}";
    let p = problem(&server.post_json("/v1/decide", body), 400, "zhunru::input");
    assert_eq!(p["field"], "funding.amount");
    assert_eq!(p["line"], 3);
    assert_eq!(p["column"], 26);
    // 400: a period that ends before it starts, the end named, in Chinese too.
    let body = "{\"subject\": {\"category\": \"企业摸底\",\n \"period\": {\"start\": \"2020-07-01\", \"end\": \"2020-06-30\"}}}";
    let p = problem(&server.post_json("/v1/decide", body), 400, "zhunru::input");
    assert_eq!(p["field"], "period.end", "{p}");
    assert_eq!(
        (p["line"].as_u64(), p["column"].as_u64()),
        (Some(2), Some(12))
    );
    assert!(
        p["detail_zh"]
            .as_str()
            .unwrap()
            .contains("应为不早于 `period.start`（2020-07-01）的日期"),
        "{p}"
    );
    // 400: a bad date in the envelope.
    let p = problem(
        &server.post_json(
            "/v1/decide",
            r#"{"as_of":"2020-02-30","subject":{"category":"x"}}"#,
        ),
        400,
        "zhunru::input",
    );
    assert!(p["detail"].as_str().unwrap().contains("as_of"));
    // 400: not an object.
    problem(
        &server.post_json("/v1/decide", "[1,2]"),
        400,
        "zhunru::input",
    );

    // 404: an unknown district, with the known ones; a path in a name is only a name.
    let p = problem(
        &server.post_json("/v1/decide", &envelope("nowhere", r#"{"category":"x"}"#)),
        404,
        "zhunru::server::unknown_district",
    );
    assert_eq!(p["known"], serde_json::json!(["good", "national"]));
    for name in [
        "..%2F..%2Fetc%2Fpasswd",
        "%2Fetc%2Fpasswd",
        "..",
        "good.policy",
    ] {
        problem(
            &server.get(&format!("/v1/districts/{name}/notice")),
            404,
            "zhunru::server::unknown_district",
        );
    }
    problem(
        &server.post_json("/v1/decide", &envelope("../good", r#"{"category":"x"}"#)),
        404,
        "zhunru::server::unknown_district",
    );
    problem(&server.get("/v1/nothing"), 404, "zhunru::server::not_found");
    // 405.
    problem(&server.get("/v1/decide"), 405, "zhunru::server::method");

    // 413: one subject over 1 MiB.
    let big = format!(r#"{{"category":"x","note":"{}"}}"#, "a".repeat(1 << 20));
    problem(
        &server.post_json("/v1/decide", &big),
        413,
        "zhunru::server::too_large",
    );

    // 415: not JSON.
    let answer = server.request(
        "POST",
        "/v1/decide",
        &[("Content-Type", "text/plain")],
        b"{}",
    );
    problem(&answer, 415, "zhunru::server::content_type");
    problem(
        &server.request("POST", "/v1/decide", &[], b"{}"),
        415,
        "zhunru::server::content_type",
    );

    // 422: the district's policy could not be loaded.
    let p = problem(
        &server.post_json("/v1/decide", &envelope("broken", r#"{"category":"x"}"#)),
        422,
        "zhunru::parse::syntax",
    );
    assert!(
        p["errors"][0]["at"]
            .as_str()
            .unwrap()
            .contains("broken.policy:3:")
    );
    // The policy's diagnostic in Chinese in `detail_zh`, as in English in `detail`.
    let (en, zh) = (
        p["detail"].as_str().unwrap(),
        p["detail_zh"].as_str().unwrap(),
    );
    let said = |d: &str| d.split_once("：").map_or("", |(_, m)| m).to_owned();
    assert!(
        en.contains(p["errors"][0]["message"].as_str().unwrap()),
        "{p}"
    );
    assert!(!said(zh).is_empty() && !said(zh).is_ascii(), "{p}");
    // Its fields, `errors` included, are the Problem's documented ones.
    let doc = server.get("/v1/openapi.json").json();
    for key in keys(&p) {
        assert!(documented(&doc, "Problem").contains(&key), "Problem.{key}");
    }
    // The same district in a path is the same 422, not a 404.
    for route in ["/v1/districts/broken/lists", "/v1/districts/broken/notice"] {
        problem(&server.get(route), 422, "zhunru::parse::syntax");
    }
    let ready = server.get("/readyz").json();
    assert_eq!(ready["failed"][0]["district"], "broken");
    assert_eq!(ready["failed"][0]["previous_in_force"], false);
    // Serving, but not every district: said, not "ready".
    assert_eq!(ready["status"], "degraded");
    // Compare says which district it could not decide under, rather than leaving it out.
    let compare = server
        .post_json("/v1/compare", r#"{"category":"招商引资"}"#)
        .json();
    assert_eq!(compare["districts"].as_array().unwrap().len(), 2);
    assert_eq!(compare["not_loaded"][0]["district"], "broken");
    assert!(
        compare["not_loaded"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("broken.policy")
    );

    let metrics = server.get("/metrics").text();
    assert!(
        !metrics.contains("zhunru_input_errors_total 0"),
        "{metrics}"
    );
}

/// Nothing a request says is passed over: a misspelt envelope key or query parameter, an
/// envelope key beside a bare subject's fields (or an envelope without `subject`), and a
/// district or date given twice and differently are each a 400 that says so, where they
/// decided under the default district, today. The query's `district` and `as_of` serve a
/// single subject as they serve a batch.
#[test]
fn the_envelope_and_the_query_are_read_strictly() {
    let server = Server::start(root(), &[]);
    let subject = r#"{"category":"招商引资"}"#;
    for (path, body, says, column) in [
        (
            "/v1/decide",
            format!(r#"{{"distrct":"nanqiao","subject":{subject}}}"#),
            "`distrct` is not a key of the envelope",
            Some(12),
        ),
        (
            "/v1/decide",
            format!(r#"{{"district":"nanqiao","asof":"2020-06-01","subject":{subject}}}"#),
            "`asof` is not a key of the envelope",
            Some(30),
        ),
        (
            "/v1/decide",
            r#"{"district":"nanqiao","category":"招商引资"}"#.to_owned(),
            "`district` belongs to the envelope",
            Some(13),
        ),
        (
            "/v1/decide",
            r#"{"district":"nanqiao","as_of":"2020-06-01"}"#.to_owned(),
            "the envelope has `district` but no `subject`",
            Some(13),
        ),
        // Inside `subject`, the request's keys would be passed over as unknown fields.
        (
            "/v1/decide",
            r#"{"district":"nanqiao","subject":{"category":"招商引资","district":"hefei"}}"#
                .to_owned(),
            "`district` is inside `subject`",
            Some(63),
        ),
        (
            "/v1/decide",
            r#"{"subject":{"as_of":"2019-01-01","category":"招商引资"}}"#.to_owned(),
            "`as_of` is inside `subject`",
            Some(21),
        ),
        (
            "/v1/decide",
            format!(r#"{{"district":"nanqiao","subject":{subject},"district":"hefei"}}"#),
            "`district` is given twice",
            Some(71),
        ),
        (
            "/v1/decide?distrct=nanqiao",
            subject.to_owned(),
            "`distrct` is not a query parameter",
            None,
        ),
        (
            "/v1/decide?district=nanqiao&district=hefei",
            subject.to_owned(),
            "the query parameter `district` is given twice",
            None,
        ),
        (
            "/v1/decide?district=nanqiao",
            format!(r#"{{"district":"hefei","subject":{subject}}}"#),
            "the body's `district` is `hefei` and the query's `nanqiao`",
            None,
        ),
        (
            "/v1/compare",
            format!(r#"{{"district":"hefei","subject":{subject}}}"#),
            "compare decides under every loaded district",
            None,
        ),
        ("/v1/decide", String::new(), "", Some(1)),
        ("/v1/decide", "[1]".to_owned(), "one JSON object", Some(1)),
    ] {
        let p = problem(&server.post_json(path, &body), 400, "zhunru::input");
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{path} {body}: {detail}");
        assert_eq!(p["column"].as_u64(), column, "{path} {body}: {p}");
    }
    problem(
        &server.get("/v1/districts/nanqiao/lists?district=hefei"),
        400,
        "zhunru::input",
    );
    // The routes without a body take `as_of` only, and say so.
    for path in ["/v1/districts?foo=1", "/v1/districts/nanqiao/lists?foo=1"] {
        let p = problem(&server.get(path), 400, "zhunru::input");
        assert_eq!(
            p["detail"], "`foo` is not a query parameter here: the only one is `as_of`",
            "{path}"
        );
    }
    let then = server.get("/v1/districts?as_of=2020-01-01").json();
    assert_eq!(then["today"], "2020-01-01");
    problem(
        &server.get("/v1/districts?as_of=2020-01-01&as_of=2021-01-01"),
        400,
        "zhunru::input",
    );
    // A date is read trimmed, in the query and the envelope, as a subject's dates are.
    let spaced = server.post_json(
        "/v1/decide?as_of=%202020-06-01",
        &format!(r#"{{"district":"nanqiao","as_of":" 2020-06-01 ","subject":{subject}}}"#),
    );
    assert_eq!(spaced.status, 200, "{}", spaced.text());
    // The query serves a single subject: nanqiao on 2020-06-01, as the envelope would.
    let by_query = server.post_json("/v1/decide?district=nanqiao&as_of=2020-06-01", subject);
    let by_envelope = server.post_json(
        "/v1/decide",
        &format!(r#"{{"district":"nanqiao","as_of":"2020-06-01","subject":{subject}}}"#),
    );
    assert_eq!(by_query.status, 200, "{}", by_query.text());
    assert_eq!(by_query.text(), by_envelope.text());
    assert_eq!(by_query.json()["policy"]["name"], "nanqiao");
}

/// The notice is negotiated as RFC 9110 says: media types without case, `q=0` refuses,
/// the higher quality wins (HTML on a tie), and the answer says it varies by `Accept`. A
/// client that takes neither HTML nor Markdown gets a 406 that names both.
#[test]
fn the_notice_follows_accept() {
    let server = Server::start(root(), &[]);
    let notice = |accept| {
        server.request(
            "GET",
            "/v1/districts/nanqiao/notice",
            &[("Accept", accept)],
            b"",
        )
    };
    for accept in ["application/pdf", "text/markdown;q=0", "image/*"] {
        let answer = notice(accept);
        assert_eq!(answer.status, 406, "{accept}");
        assert_eq!(answer.json()["code"], "zhunru::server::not_acceptable");
        assert!(
            answer.text().contains("`text/html` or `text/markdown`"),
            "{accept}"
        );
    }
    for (accept, markdown) in [
        ("text/markdown", true),
        ("Text/Markdown", true),
        ("text/markdown; q=0, text/html", false),
        ("text/html;q=0.5, text/markdown;q=0.9", true),
        ("text/html, text/markdown", false),
        ("text/*;q=0.2, text/markdown", true),
        ("*/*", false),
        ("", false),
    ] {
        let answer = notice(accept);
        assert_eq!(answer.status, 200, "{accept}");
        let kind = answer.header("content-type").unwrap();
        assert_eq!(
            kind.starts_with("text/markdown"),
            markdown,
            "{accept}: {kind}"
        );
        assert_eq!(answer.header("vary"), Some("accept"), "{accept}");
    }
}

/// Odd requests still get problem JSON that says what is wrong: a byte-order mark before
/// a subject is skipped (as `eval` skips it), a district name that is not UTF-8 is a 400
/// (axum's own answer was plain text), and a request without `Content-Type` is told so.
#[test]
fn odd_requests_get_problem_json() {
    let server = Server::start(root(), &[]);
    let with_bom = "\u{feff}{\"category\":\"招商引资\"}";
    let answer = server.post_json("/v1/decide", with_bom);
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(
        answer.text(),
        server
            .post_json("/v1/decide", r#"{"category":"招商引资"}"#)
            .text()
    );
    let p = problem(&server.get("/v1/districts/%ff/lists"), 400, "zhunru::input");
    assert!(p["detail"].as_str().unwrap().contains("UTF-8"), "{p}");
    let p = problem(
        &server.request("POST", "/v1/decide", &[], b"{}"),
        415,
        "zhunru::server::content_type",
    );
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("has no `Content-Type`"),
        "{p}"
    );
}

/// `--default-district` decides what names no district, and `/v1/districts` marks it; a
/// name not loaded is refused at start, saying which are.
#[test]
fn the_default_district_is_chosen_by_flag() {
    let server = Server::start(root(), &["--default-district", "nanqiao"]);
    let districts = server.get("/v1/districts").json();
    let defaults: Vec<&str> = districts["districts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["default"] == true)
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["nanqiao"]);
    let plain = server.post_json("/v1/decide?as_of=2020-06-01", r#"{"category":"招商引资"}"#);
    let named = server.post_json(
        "/v1/decide?district=nanqiao&as_of=2020-06-01",
        r#"{"category":"招商引资"}"#,
    );
    assert_eq!(plain.status, 200);
    assert_eq!(plain.text(), named.text());
    assert_eq!(plain.json()["policy"]["name"], "nanqiao");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .current_dir(root())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--default-district",
            "nanqio",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--default-district `nanqio` is not loaded") && err.contains("nanqiao"),
        "{err}"
    );
}

/// 503 with `Retry-After` beyond the concurrency limit; probes still answer.
#[test]
fn busy_is_503_with_retry_after() {
    use std::io::Write;
    let server = Server::start(root(), &["--max-concurrent", "1"]);
    // Hold the one slot with a batch whose body is still coming.
    let mut slow = std::net::TcpStream::connect(&server.addr).unwrap();
    write!(slow, "POST /v1/decide HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 100\r\n\r\n{{\"category\":\"x\"}}\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let answer = server.post_json("/v1/decide", r#"{"category":"x"}"#);
    problem(&answer, 503, "zhunru::server::busy");
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(server.get("/healthz").status, 200);
    drop(slow);
}

/// `lines` sent as a batch to be decided under Yingjiang on 2020-06-01.
fn yingjiang_batch(server: &Server, lines: &str) -> support::Response {
    server.request(
        "POST",
        "/v1/decide?district=yingjiang&as_of=2020-06-01",
        &[("Content-Type", "application/x-ndjson")],
        lines.as_bytes(),
    )
}

/// A batch with a bad line in the middle: each good line decided as `eval` decides it, the
/// bad one's error object in its place.
#[test]
fn batch_with_a_bad_line_in_the_middle() {
    let server = Server::start(root(), &[]);
    let lines = "{\"id\":\"a\",\"category\":\"招商引资\"}\n\n{\"id\":\"b\",\"category\":\n{\"id\":\"c\",\"category\":\"企业摸底\",\"funding\":{\"amount\":\"三千\"}}\n{\"id\":\"d\",\"category\":\"企业摸底\"}\r\n";
    let answer = yingjiang_batch(&server, lines);
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("content-type"), Some("application/x-ndjson"));
    let out = answer.text();
    let out: Vec<&str> = out.lines().collect();
    assert_eq!(out.len(), 4, "{out:?}");
    let eval = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .current_dir(root())
        .args([
            "eval",
            "-f",
            "json",
            "--as-of",
            "2020-06-01",
            "-p",
            "policies/yingjiang.policy",
            "-",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = eval.stdin.as_ref().unwrap();
        stdin.write_all(lines.as_bytes()).unwrap();
    }
    let eval = eval.wait_with_output().unwrap();
    let expected = String::from_utf8(eval.stdout).unwrap();
    let expected: Vec<&str> = expected.lines().collect();
    // Decisions identical; errors identical but for the input's name (`<stdin>` vs `body`).
    for (got, want) in out.iter().zip(&expected) {
        assert_eq!(got.replace("\"body:", "\"<stdin>:"), *want);
    }
    let bad: serde_json::Value = serde_json::from_str(out[1]).unwrap();
    assert_eq!(bad["line"], 3);
    assert_eq!(bad["error"]["code"], "zhunru::input");
    let mistyped: serde_json::Value = serde_json::from_str(out[2]).unwrap();
    assert_eq!(mistyped["line"], 4);
    assert!(
        mistyped["error"]["message"]
            .as_str()
            .unwrap()
            .contains("funding.amount")
    );
    assert!(out[3].contains("\"id\":\"d\""));
}

/// A batch line that names a district or a date is refused in its place: the batch is
/// decided under the query's, and the line would otherwise have been decided under them
/// without a word (its `district` passed over as an unknown field).
#[test]
fn a_batch_line_naming_a_district_or_date_is_an_error_in_its_place() {
    let server = Server::start(root(), &[]);
    let lines = "{\"district\":\"hefei\",\"category\":\"企业摸底\"}\n{\"category\":\"企业摸底\"}\n{\"category\":\"企业摸底\",\"as_of\":\"2019-01-01\"}\n{\"category\":\"招商引资\",\"district_office\":\"x\"}\n";
    let answer = yingjiang_batch(&server, lines);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let out: Vec<serde_json::Value> = answer
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), 4, "{out:?}");
    for (i, key, at) in [(0, "district", "body:1:13"), (2, "as_of", "body:3:28")] {
        assert_eq!(out[i]["line"], i + 1, "{out:?}");
        let message = out[i]["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("`{key}` belongs to the request")),
            "{message}"
        );
        assert_eq!(out[i]["error"]["at"], at);
    }
    // The other lines are decided, an unknown field of another name as before.
    assert_eq!(out[1]["verdict"], "needs_approval");
    assert_eq!(out[3]["verdict"], "denied");
}

/// What `zhunru eval --format json` writes for `body` (saved as `file`) under Yingjiang on
/// 2020-06-01, its locations named as the server names a batch's (`body:`).
fn eval_yingjiang(file: &std::path::Path, body: &[u8]) -> String {
    std::fs::write(file, body).unwrap();
    let eval = Command::new(env!("CARGO_BIN_EXE_zhunru"))
        .current_dir(root())
        .args(["eval", "-f", "json", "--as-of", "2020-06-01"])
        .args(["-p", "policies/yingjiang.policy"])
        .arg(file)
        .output()
        .unwrap();
    String::from_utf8(eval.stdout)
        .unwrap()
        .replace(&format!("\"{}:", file.display()), "\"body:")
}

/// A batch is read by the same rules as `zhunru eval` reads a `.jsonl` file (issue 13):
/// a byte-order mark at the start, `\r\n` and lone `\r` line ends, a bad first line, a
/// line of white space that JSON does not allow (form feed), a last line without its end.
/// Each body's answer is eval's output byte for byte, but for the input's name.
#[test]
fn batch_reads_records_as_eval_does() {
    let server = Server::start(root(), &[]);
    let bodies: [&[u8]; 4] = [
        "{\"id\":\"T-1\",\"category\":\"招商\n{\"id\":\"T-2\",\"category\":\"招商引资\"}\n{\"id\":\"T-3\",\"category\":\"创卫迎检\"}\n".as_bytes(),
        "\u{feff}{\"id\":\"T-4\",\"category\":\"创卫迎检\"}\r\n{\"id\":\"T-5\",\r\n\"category\":\"x\"}\r\n\u{c}\r\n \t\r\n{\"id\":\"T-6\",\"category\":\"创卫迎检\"}".as_bytes(),
        "{\"id\":\"T-7\",\"category\":null}\r{\"id\":\"T-8\",\"category\":\"\u{3000}\"}\r{\"id\":\"T-9\",\"category\":\"招商引资\"}\r".as_bytes(),
        b"{\"id\":\"T-10\",\"category\":\"\xff\"}\n\xef\xbb\xbf{\"id\":\"T-11\",\"category\":\"x\"}\n{\"id\":\"T-12\",\"category\":\"\xe6\x8b\x9b\xe5\x95\x86\xe5\xbc\x95\xe8\xb5\x84\"}\n",
    ];
    let dir = tempdir("batch-records");
    for (i, body) in bodies.iter().enumerate() {
        let answer = server.request(
            "POST",
            "/v1/decide?district=yingjiang&as_of=2020-06-01",
            &[("Content-Type", "application/x-ndjson")],
            body,
        );
        assert_eq!(answer.status, 200, "{}", answer.text());
        let expected = eval_yingjiang(&dir.join(format!("body{i}.jsonl")), body);
        assert_eq!(answer.text(), expected, "body {i}");
    }
}

/// A connection to the server whose reads give up after 20 s (a test that hangs fails).
fn connected(server: &Server) -> std::net::TcpStream {
    let stream = std::net::TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    stream
}

/// A connection that has sent the head of a Yingjiang batch (as of 2020-06-01) with `framing`
/// (header lines), and no body yet.
fn batch_request(server: &Server, framing: &str) -> std::net::TcpStream {
    use std::io::Write;
    let mut stream = connected(server);
    write!(
        stream,
        "POST /v1/decide?district=yingjiang&as_of=2020-06-01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Type: application/x-ndjson\r\n{framing}\r\n\r\n"
    )
    .unwrap();
    stream
}

/// A chunked batch over the limit (1 MiB here) while the client still sends: every line
/// answered arrives whole, and the answer ends with the error that says where the batch
/// stopped. Before, the server closed with the body still arriving, the kernel reset the
/// connection, and the client lost the end of the answer mid-line (a new-user trial).
#[test]
fn a_batch_over_the_limit_ends_with_whole_lines_and_its_error() {
    use std::io::{Read, Write};
    let server = Server::start(root(), &["--max-batch-mib", "1"]);
    let mut stream = batch_request(&server, "Transfer-Encoding: chunked");
    let line = "{\"category\":\"招商引资\"}\n".repeat(2000);
    // The answer is read while the body is sent, as curl does.
    let reader = {
        let mut stream = stream.try_clone().unwrap();
        std::thread::spawn(move || {
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
            answer
        })
    };
    for _ in 0..(3 << 20) / line.len() {
        if write!(stream, "{:x}\r\n{line}\r\n", line.len()).is_err() {
            break; // the server may stop reading once it has drained enough
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
    let answer = reader.join().unwrap();
    let answer = support::read_response(&mut answer.as_slice());
    assert_eq!(answer.status, 200);
    let text = answer.text();
    let lines: Vec<&str> = text.lines().collect();
    let (last, decided) = lines.split_last().unwrap();
    assert!(
        last.contains("zhunru::server::body") && last.contains("larger than the limit"),
        "{last}"
    );
    assert!(decided.len() > 10_000, "{} lines decided", decided.len());
    for l in decided {
        let v: serde_json::Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"));
        assert_eq!(v["verdict"], "denied", "{l}");
    }
}

/// A batch's latency is observed when its last decision has been sent, not when its
/// headers were (a four-second batch was recorded as 151 µs).
#[test]
fn a_batch_is_timed_to_its_end() {
    use std::io::{Read, Write};
    let server = Server::start(root(), &[]);
    let mut stream = batch_request(&server, "Transfer-Encoding: chunked");
    let line = "{\"category\":\"招商引资\"}\n";
    write!(stream, "{:x}\r\n{line}\r\n", line.len()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1200));
    write!(stream, "{:x}\r\n{line}\r\n0\r\n\r\n", line.len()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert_eq!(answer.matches("\"verdict\"").count(), 2, "{answer}");
    let metrics = server.get("/metrics").text();
    let sum: f64 = metrics
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                r#"zhunru_http_request_duration_seconds_sum{route="/v1/decide",status="200"} "#,
            )
        })
        .unwrap_or_else(|| panic!("{metrics}"))
        .parse()
        .unwrap();
    assert!(sum >= 1.2, "the batch was timed as {sum} s");
    assert!(server.log.lock().unwrap().contains("answered status=200"));
}

/// A batch streams: the first line's decision arrives while the client is still sending,
/// and lines cut across pieces of the body (inside a character, between `\r` and `\n`)
/// are read whole, as `eval` reads the same bytes from a file.
#[test]
fn batch_streams_and_reads_lines_cut_across_pieces() {
    use std::io::{Read, Write};
    let server = Server::start(root(), &[]);
    let first = "{\"id\":\"T-1\",\"category\":\"招商引资\"}\n";
    let rest = "{\"id\":\"T-2\",\"category\":\"创卫迎检\"}\r\n{\"id\":\"T-3\",\"category\":\"x\"\r\n\
                {\"id\":\"T-4\",\"category\":\"招商引资\",\"requester\":\"区经信局\"}\r{\"id\":\"T-5\"}";
    // Cut inside 创 (3 bytes), between a `\r` and its `\n`, and inside a key.
    let cuts = [
        rest.find("创").unwrap() + 1,
        rest.find("\r\n").unwrap() + 1,
        rest.find("quester").unwrap(),
    ];
    let mut stream = batch_request(&server, "Transfer-Encoding: chunked");
    let chunk = |stream: &mut std::net::TcpStream, piece: &[u8]| {
        write!(stream, "{:x}\r\n", piece.len()).unwrap();
        stream.write_all(piece).unwrap();
        stream.write_all(b"\r\n").unwrap();
        stream.flush().unwrap();
    };
    chunk(&mut stream, first.as_bytes());
    // The first decision comes back before the rest of the body is sent.
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("\"T-1\"") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "closed before the first decision: {seen:?}");
        seen.extend_from_slice(&buf[..n]);
    }
    let bytes = rest.as_bytes();
    let mut from = 0;
    for cut in cuts.into_iter().chain([bytes.len()]) {
        chunk(&mut stream, &bytes[from..cut]);
        from = cut;
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    stream.write_all(b"0\r\n\r\n").unwrap();
    let answer = support::read_response(&mut std::io::Cursor::new(seen).chain(stream));
    assert_eq!(answer.status, 200, "{}", answer.text());

    let file = tempdir("batch-pieces").join("body.jsonl");
    let expected = eval_yingjiang(&file, format!("{first}{rest}").as_bytes());
    assert_eq!(answer.text(), expected);
    assert_eq!(answer.text().lines().count(), 5, "{}", answer.text());
}

/// A client that asks `Expect: 100-continue` (curl does for a body over 1 MiB) is told to
/// go on before it sends the batch, rather than answered first and left waiting out its
/// own timeout.
#[test]
fn batch_says_100_continue_before_the_body() {
    use std::io::{Read, Write};
    let server = Server::start(root(), &[]);
    let body = "{\"id\":\"T-1\",\"category\":\"招商引资\"}\n";
    let mut stream = batch_request(
        &server,
        &format!("Expect: 100-continue\r\nContent-Length: {}", body.len()),
    );
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(stream.read(&mut byte).unwrap(), 1, "closed: {head:?}");
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 100 Continue\r\n"),
        "{}",
        String::from_utf8_lossy(&head)
    );
    stream.write_all(body.as_bytes()).unwrap();
    let answer = support::read_response(&mut stream);
    assert_eq!(answer.status, 200, "{}", answer.text());
    let decision: serde_json::Value = serde_json::from_str(answer.text().trim()).unwrap();
    assert_eq!(decision["id"], "T-1");
    assert_eq!(decision["verdict"], "denied");
}

/// Reload while requests run: every answer is a whole decision of the old or the new
/// version; a broken file leaves the previous version in force and /readyz says why; a
/// fixed file is taken; 100 rewrites in a second lose and mix nothing; SIGHUP reloads.
#[test]
fn reload_broken_then_fixed_while_requests_run() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let dir = tempdir("reload");
    let a = std::fs::read_to_string(root().join("policies/nanqiao.policy")).unwrap();
    let b = a.replace("明确禁止下放至社区", "明确禁止下放至社区（修订）");
    assert_ne!(a, b);
    let file = dir.join("d.policy");
    std::fs::write(&file, &a).unwrap();
    std::fs::copy(
        root().join("policies/national.policy"),
        dir.join("national.policy"),
    )
    .unwrap();
    let server = Arc::new(Server::start(&dir, &["d.policy"]));
    let body = envelope("d", r#"{"category":"招商引资"}"#);
    let decide = |server: &Server| server.post_json("/v1/decide", &body);
    let answer_a = decide(&server).text();
    assert!(answer_a.contains("明确禁止下放至社区\""));

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let (server, stop, seen, body) = (
                Arc::clone(&server),
                Arc::clone(&stop),
                Arc::clone(&seen),
                body.clone(),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let answer = server.post_json("/v1/decide", &body);
                    seen.lock().unwrap().push((answer.status, answer.text()));
                }
            })
        })
        .collect();
    let generation = |server: &Server| server.get("/readyz").json()["generation"].as_u64().unwrap();

    // Broken: the previous version stays in force; /readyz and the log say which file and why.
    std::fs::write(&file, format!("{a}\n规则 坏\n")).unwrap();
    wait_for("the failure in /readyz", &|| {
        !server.get("/readyz").json()["failed"]
            .as_array()
            .unwrap()
            .is_empty()
    });
    let ready = server.get("/readyz").json();
    let failed = &ready["failed"][0];
    assert_eq!(failed["file"], "d.policy");
    assert_eq!(failed["previous_in_force"], true);
    assert!(
        failed["errors"][0]["at"]
            .as_str()
            .unwrap()
            .starts_with("d.policy:")
    );
    assert!(failed["rendered"].as_str().unwrap().contains("d.policy"));
    assert_eq!(ready["districts"], serde_json::json!(["d"]));
    assert_eq!(decide(&server).text(), answer_a);
    wait_for("the failure in the log", &|| {
        server.log.lock().unwrap().contains("policy not loaded")
    });

    // Fixed (version B): taken, and the failure cleared.
    std::fs::write(&file, &b).unwrap();
    wait_for("version B", &|| decide(&server).text().contains("（修订）"));
    assert_eq!(
        server.get("/readyz").json()["failed"],
        serde_json::json!([])
    );
    let answer_b = decide(&server).text();

    // 100 rewrites in about a second, alternating versions, requests running all along.
    for i in 0..100 {
        std::fs::write(&file, if i % 2 == 0 { &a } else { &b }).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    std::fs::write(&file, &a).unwrap();
    wait_for("version A again", &|| decide(&server).text() == answer_a);

    // SIGHUP reloads too.
    let before = generation(&server);
    server.signal("HUP");
    wait_for("a reload on SIGHUP", &|| generation(&server) > before);

    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let seen = seen.lock().unwrap();
    assert!(seen.len() > 20, "only {} requests ran", seen.len());
    for (status, text) in seen.iter() {
        assert_eq!(*status, 200, "{text}");
        assert!(
            *text == answer_a || *text == answer_b,
            "a mixed or broken answer: {text}"
        );
    }
    let metrics = server.get("/metrics").text();
    assert!(!metrics.contains("zhunru_reload_failures_total 0"));
}

/// SIGTERM with a request in flight: the request finishes, new connections are refused,
/// the process exits 0.
#[test]
fn graceful_shutdown_with_a_request_in_flight() {
    use std::io::Write;
    let mut server = Server::start(root(), &[]);
    let first = "{\"category\":\"招商引资\"}\n";
    let second = "{\"category\":\"企业摸底\"}\n";
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    write!(
        stream,
        "POST /v1/decide?district=nanqiao&as_of=2020-06-01 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-ndjson\r\nContent-Length: {}\r\n\r\n{first}",
        first.len() + second.len()
    )
    .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    server.signal("TERM");
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        std::net::TcpStream::connect(&server.addr).is_err(),
        "still accepting after SIGTERM"
    );
    stream.write_all(second.as_bytes()).unwrap();
    let answer = support::read_response(&mut stream);
    assert_eq!(answer.status, 200);
    let text = answer.text();
    let verdicts: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["verdict"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(verdicts, ["denied", "needs_approval"]);
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(server.log.lock().unwrap().contains("shutting down"));
}

/// A client that stops sending its body cannot hold a worker: after `--read-timeout` the
/// answer is 408 with a problem JSON, and the server goes on answering others. A batch
/// that has not started is answered the same way (its answer starts only once its body
/// does).
#[test]
fn a_slow_body_is_408_after_the_read_timeout() {
    use std::io::Write;
    let server = Server::start(root(), &["--read-timeout", "1"]);
    for content_type in ["application/json", "application/x-ndjson"] {
        let mut slow = connected(&server);
        write!(
            slow,
            "POST /v1/decide HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: 100\r\n\r\n"
        )
        .unwrap();
        if content_type == "application/json" {
            write!(slow, "{{\"category\":").unwrap();
        }
        let started = std::time::Instant::now();
        let answer = support::read_response(&mut slow);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        problem(&answer, 408, "zhunru::server::body");
        assert_eq!(server.get("/healthz").status, 200);
    }
}

/// A malformed chunked body (a chunk size that is no number) is a 400 that says why, not a
/// 408 as if it were late (a new-user trial), for one subject and for a batch that has not
/// started.
#[test]
fn a_malformed_chunked_body_is_400() {
    use std::io::Write;
    let server = Server::start(root(), &[]);
    for content_type in ["application/json", "application/x-ndjson"] {
        let mut bad = connected(&server);
        write!(
            bad,
            "POST /v1/decide HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n"
        )
        .unwrap();
        let answer = support::read_response(&mut bad);
        let p = problem(&answer, 400, "zhunru::server::body");
        assert!(
            p["detail"].as_str().unwrap().contains("chunk size"),
            "{content_type}: {p}"
        );
    }
}

/// A client that trickles its body, each byte in time for `--read-timeout`, still cannot
/// hold a slot: a single subject's body must all arrive within `--read-timeout`, a batch's
/// within `--batch-timeout`. Found by a trial: a byte every few seconds on
/// `--max-concurrent` connections answered everyone else 503.
#[test]
fn a_trickling_body_is_cut_off_at_its_deadline() {
    use std::io::Write;
    let server = Server::start(
        root(),
        &[
            "--read-timeout",
            "2",
            "--batch-timeout",
            "3",
            "--max-concurrent",
            "1",
        ],
    );
    for (content_type, limit) in [("application/json", 2), ("application/x-ndjson", 3)] {
        let mut slow = std::net::TcpStream::connect(&server.addr).unwrap();
        slow.set_read_timeout(Some(std::time::Duration::from_millis(300)))
            .unwrap();
        write!(
            slow,
            "POST /v1/decide HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: 1000\r\n\r\n"
        )
        .unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        // A byte every half second: never idle for the read timeout.
        while started.elapsed() < std::time::Duration::from_secs(15) {
            if slow.write_all(b" ").is_err() {
                break;
            }
            let mut buf = [0u8; 4096];
            match std::io::Read::read(&mut slow, &mut buf) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(_) => {}
            }
            if !answer.is_empty() && content_type == "application/json" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        let took = started.elapsed();
        let text = String::from_utf8_lossy(&answer).into_owned();
        assert!(
            took < std::time::Duration::from_secs(limit + 3),
            "{content_type}: cut off after {took:?}: {text}"
        );
        assert!(
            text.contains("did not arrive within"),
            "{content_type}: {text}"
        );
        // The slot is free again.
        assert_eq!(server.get("/v1/districts").status, 200);
    }
}

/// The keys of a JSON object, sorted.
fn keys(v: &serde_json::Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// The properties an OpenAPI schema documents, sorted.
fn documented(doc: &serde_json::Value, schema: &str) -> Vec<String> {
    keys(&doc["components"]["schemas"][schema]["properties"])
}

/// A folder of districts with a district's dated versions in a subfolder: that district
/// decides by the version in force on `as_of` (one subject, a batch, compare); the listing
/// shows its versions with their dates and which is in force today, as the OpenAPI document
/// says; a version file added, broken, overlapping or removed while serving reloads the
/// district whole or keeps its previous versions, and /readyz says which file failed.
#[test]
fn a_folder_of_versions_is_served() {
    let dir = tempdir("versions");
    let districts = dir.join("districts");
    std::fs::create_dir_all(districts.join("yingjiang")).unwrap();
    let fixture = |year: &str| {
        std::fs::read_to_string(
            root().join(format!("tests/cases/versions/yingjiang/{year}.policy")),
        )
        .unwrap()
    };
    for year in ["2020", "2021"] {
        std::fs::write(
            districts.join(format!("yingjiang/{year}.policy")),
            fixture(year),
        )
        .unwrap();
    }
    for file in ["hefei", "national"] {
        std::fs::copy(
            root().join(format!("policies/{file}.policy")),
            districts.join(format!("{file}.policy")),
        )
        .unwrap();
    }
    let server = Server::start(&dir, &["districts"]);

    // One subject, by the version in force on `as_of`.
    let decide = |as_of: &str| {
        let body = format!(
            r#"{{"district":"yingjiang","as_of":"{as_of}","subject":{{"category":"食品安全协管"}}}}"#
        );
        let answer = server.post_json("/v1/decide", &body);
        assert_eq!(answer.status, 200, "{}", answer.text());
        answer.json()
    };
    let (in_2020, in_2021) = (decide("2020-06-01"), decide("2021-06-01"));
    assert_eq!(in_2020["verdict"], "needs_approval");
    assert_eq!(in_2021["verdict"], "admitted");
    assert_eq!(in_2020["policy"]["name"], "yingjiang");
    assert_eq!(in_2020["policy"]["effective"], serde_json::Value::Null);
    assert_eq!(in_2021["policy"]["effective"], "2021-01-01");

    // A batch and compare, likewise.
    let batch = server.request(
        "POST",
        "/v1/decide?district=yingjiang&as_of=2020-06-01",
        &[("Content-Type", "application/x-ndjson")],
        "{\"category\":\"食品安全协管\"}\n".as_bytes(),
    );
    assert!(
        batch.text().contains("\"verdict\":\"needs_approval\""),
        "{}",
        batch.text()
    );
    for (as_of, verdict) in [("2020-06-01", "needs_approval"), ("2021-06-01", "admitted")] {
        let compare = server
            .post_json(
                "/v1/compare",
                &format!(r#"{{"as_of":"{as_of}","subject":{{"category":"食品安全协管"}}}}"#),
            )
            .json();
        let column = compare["districts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["district"] == "yingjiang")
            .unwrap();
        assert_eq!(column["decision"]["verdict"], verdict, "{as_of}");
    }

    // The lists and the notice of the version in force on `as_of`: 食品安全协管 joined the
    // 准入清单 in 2021.
    let lists = |as_of: &str| {
        let answer = server.get(&format!("/v1/districts/yingjiang/lists?as_of={as_of}"));
        assert_eq!(answer.status, 200, "{}", answer.text());
        answer.text()
    };
    assert!(!lists("2020-06-01").contains("食品安全协管"));
    assert!(lists("2021-06-01").contains("食品安全协管"));
    assert!(lists("2021-06-01").contains("\"effective\":\"2021-01-01\""));
    let notice = server.get("/v1/districts/yingjiang/notice?as_of=2020-06-01");
    assert!(notice.text().contains("准入清单") && !notice.text().contains("食品安全协管"));
    problem(
        &server.get("/v1/districts/yingjiang/notice?as_of=2021-02-30"),
        400,
        "zhunru::input",
    );

    // The listing: every version with its dates, the one in force today marked, and exactly
    // the fields the OpenAPI document describes.
    let doc = server.get("/v1/openapi.json").json();
    let listing = server.get("/v1/districts").json();
    assert_eq!(keys(&listing), documented(&doc, "Districts"));
    let names: Vec<&str> = listing["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["hefei", "national", "yingjiang"]);
    let yingjiang = &listing["districts"][2];
    assert_eq!(keys(yingjiang), documented(&doc, "District"));
    assert_eq!(yingjiang["file"], "districts/yingjiang");
    assert_eq!(yingjiang["effective"], "2021-01-01");
    assert_eq!(yingjiang["trial"], false);
    let versions = yingjiang["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    for v in versions {
        assert_eq!(keys(v), documented(&doc, "Version"));
    }
    assert_eq!(versions[0]["file"], "districts/yingjiang/2020.policy");
    assert_eq!(versions[0]["effective"], serde_json::Value::Null);
    assert_eq!(versions[1]["effective"], "2021-01-01");
    assert_eq!(
        (&versions[0]["in_force"], &versions[1]["in_force"]),
        (&serde_json::json!(false), &serde_json::json!(true))
    );
    assert_eq!(yingjiang["hash"], versions[1]["hash"]);
    let hefei = &listing["districts"][0];
    assert_eq!(hefei["versions"].as_array().unwrap().len(), 1);
    assert_eq!(hefei["versions"][0]["in_force"], true);

    let failed = || server.get("/readyz").json()["failed"].clone();
    let count = || {
        server.get("/v1/districts").json()["districts"][2]["versions"]
            .as_array()
            .unwrap()
            .len()
    };
    let later = districts.join("yingjiang/2022.policy");

    // A broken version file: the previous versions stay in force; /readyz says which file.
    std::fs::write(&later, "政策 「坏」\n  生效 2022-01-01\n规则 坏\n").unwrap();
    wait_for("the failure in /readyz", &|| {
        !failed().as_array().unwrap().is_empty()
    });
    let failure = &failed()[0];
    assert_eq!(failure["file"], "districts/yingjiang/2022.policy");
    assert_eq!(failure["district"], "yingjiang");
    assert_eq!(failure["previous_in_force"], true);
    assert!(
        failure["errors"][0]["at"]
            .as_str()
            .unwrap()
            .starts_with("districts/yingjiang/2022.policy:"),
        "{failure}"
    );
    assert_eq!(count(), 2);
    assert_eq!(decide("2020-06-01")["verdict"], "needs_approval");
    assert_eq!(decide("2021-06-01"), in_2021);

    // Overlapping versions (the same 生效 as 2021): bad_dates, the previous versions stay.
    std::fs::write(&later, fixture("2021")).unwrap();
    wait_for("the overlap in /readyz", &|| {
        failed()[0]["errors"][0]["code"] == "zhunru::check::bad_dates"
    });
    assert_eq!(count(), 2);

    // Fixed: a third version, in force from 2022, taken whole.
    std::fs::write(
        &later,
        fixture("2021").replace("生效 2021-01-01", "生效 2022-01-01"),
    )
    .unwrap();
    wait_for("the third version", &|| count() == 3);
    assert_eq!(failed(), serde_json::json!([]));
    assert_eq!(decide("2022-06-01")["policy"]["effective"], "2022-01-01");
    assert_eq!(decide("2021-06-01"), in_2021);

    // Removed: two again.
    std::fs::remove_file(&later).unwrap();
    wait_for("two versions again", &|| count() == 2);

    // A new folder of versions: a new district, watched from then on.
    std::fs::create_dir_all(districts.join("newtown")).unwrap();
    std::fs::write(districts.join("newtown/2020.policy"), fixture("2020")).unwrap();
    let has_newtown = || {
        server.get("/v1/districts").json()["districts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "newtown")
    };
    wait_for("the new district", &has_newtown);
    std::fs::write(districts.join("newtown/2021.policy"), fixture("2021")).unwrap();
    wait_for("the new district's second version", &|| {
        server.get("/v1/districts").json()["districts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "newtown" && d["versions"].as_array().unwrap().len() == 2)
    });
}

/// A server given its policies by absolute path shows its clients the names decisions cite
/// (`pol/nanqiao.policy`), never the folder it is deployed in: not in `/readyz`, the
/// districts, compare's `not_loaded`, a 422, nor the public notice.
#[test]
fn clients_never_read_the_folder_the_server_is_deployed_in() {
    let dir = tempdir("deployed").join("pol");
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["hefei", "national", "nanqiao"] {
        std::fs::copy(
            root().join(format!("policies/{name}.policy")),
            dir.join(format!("{name}.policy")),
        )
        .unwrap();
    }
    let broken = std::fs::read_to_string(dir.join("nanqiao.policy"))
        .unwrap()
        .replace("规则 负面事项不得下放", "规侧 负面事项不得下放");
    std::fs::write(dir.join("nanqiao.policy"), broken).unwrap();
    let deployed = dir.parent().unwrap().to_str().unwrap().to_owned();
    let server = Server::start(root(), &[dir.to_str().unwrap()]);
    let answers = [
        server.get("/readyz").text(),
        server.get("/v1/districts").text(),
        server.get("/v1/districts/nanqiao/lists").text(),
        server.get("/v1/districts/hefei/notice").text(),
        server
            .post_json("/v1/compare", r#"{"category":"招商引资"}"#)
            .text(),
        server
            .post_json(
                "/v1/decide",
                r#"{"district":"hefei","subject":{"category":"招商引资"}}"#,
            )
            .text(),
    ];
    for answer in &answers {
        assert!(!answer.contains(&deployed), "{answer}");
    }
    let ready = server.get("/readyz").json();
    assert_eq!(ready["failed"][0]["file"], "pol/nanqiao.policy");
    assert_eq!(
        ready["failed"][0]["errors"][0]["at"],
        "pol/nanqiao.policy:52:1"
    );
    assert!(
        answers[3].contains("生成自 pol/hefei.policy"),
        "{}",
        answers[3]
    );
}

/// Before a district's first version takes effect no version is in force, and the lookups
/// say so as `decide` does (`not_in_force`): they said the first version was.
#[test]
fn no_version_is_in_force_before_the_first() {
    let server = Server::start(root(), &[]);
    let in_force = |as_of: &str| -> Vec<bool> {
        let all = server.get(&format!("/v1/districts?as_of={as_of}")).json();
        let hefei = all["districts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == "hefei")
            .unwrap()
            .clone();
        hefei["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["in_force"].as_bool().unwrap())
            .collect()
    };
    // Hefei's one version takes effect on 2019-08-31.
    assert_eq!(in_force("1999-01-01"), [false]);
    assert_eq!(in_force("2020-06-01"), [true]);
    for (as_of, expected) in [("1999-01-01", false), ("2020-06-01", true)] {
        let lists = server
            .get(&format!("/v1/districts/hefei/lists?as_of={as_of}"))
            .json();
        assert_eq!(lists["in_force"], expected, "{as_of}");
    }
    let decided = server.post_json(
        "/v1/decide?district=hefei&as_of=1999-01-01",
        r#"{"category":"企业摸底"}"#,
    );
    assert_eq!(decided.json()["verdict"], "not_in_force");
}
