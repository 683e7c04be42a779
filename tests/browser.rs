//! The reviewers' page in a real browser: headless Chromium (the Debian package) loads the
//! page with a scripted scenario (`/?scenario=…`: the page fills its own form the way a
//! reviewer would, through the same inputs, and submits), then the test reads the DOM that
//! Chromium dumps. No driver crate: Chromium's `--dump-dom`, `--screenshot` and
//! `--print-to-pdf` are the whole interface. Screenshots and the PDF are left in
//! `target/tmp/browser/` to look at.
//!
//! Skipped, with a message, only when no Chromium is installed (`.ci/run` installs it).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

#[path = "support/server.rs"]
mod support;

use std::path::PathBuf;
use std::process::Command;

use support::{Server, root};

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn out_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run Chromium headless on `url` with extra flags; its stdout.
fn browse(chromium: &PathBuf, url: &str, extra: &[String]) -> String {
    let profile = tempdir();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Virtual time runs until the page's fetches are answered, so the dump shows the
            // page after the scenario, not before.
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn tempdir() -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("zhunru-chromium-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The DOM after scenario `name` ran.
/// The `<div class="field">` of the page that holds the input `id` (with its error, if any).
fn field_div<'p>(page: &'p str, id: &str) -> &'p str {
    let input = format!(r#"id="{id}""#);
    page.split(r#"<div class="field">"#)
        .find(|f| f.contains(&input))
        .unwrap()
}

fn scenario(chromium: &PathBuf, server: &Server, name: &str) -> String {
    let url = format!("http://{}/?scenario={name}", server.addr);
    let dom = browse(chromium, &url, &["--dump-dom".to_owned()]);
    assert!(
        dom.contains(r#"data-scenario="done""#),
        "scenario {name} did not finish:\n{dom}"
    );
    // A picture at the narrowest width the page supports, and one on a desktop.
    for (width, height) in [(360, 2800), (1200, 2000)] {
        let shot = out_dir().join(format!("{name}-{width}.png"));
        browse(
            chromium,
            &url,
            &[
                format!("--window-size={width},{height}"),
                format!("--screenshot={}", shot.display()),
            ],
        );
        assert!(shot.exists());
    }
    dom
}

#[test]
fn reviewers_page_in_chromium() {
    let Some(chromium) = chromium() else {
        eprintln!(
            "SKIPPED reviewers_page_in_chromium: no Chromium found (install the Debian package: apt-get install -y chromium; or set CHROMIUM)"
        );
        return;
    };
    let server = Server::start(root(), &[]);

    let denied = scenario(&chromium, &server, "denied");
    assert!(
        denied.contains(r#"data-verdict="denied">不予准入<"#),
        "{denied}"
    );
    assert!(denied.contains("列入社区工作事项负面清单"));
    assert!(
        denied.contains("依据条款 N2 · 《社区减负增效 · 滁州市南谯区"),
        "{denied}"
    );
    // After an answer, an input error: the old answer does not stay beside it (it would be
    // read, and printed, as the answer to the new input).
    let stale = scenario(&chromium, &server, "stale");
    assert!(stale.contains(r#"id="err-funding_amount""#), "{stale}");
    assert!(!stale.contains(r#"id="verdict""#), "{stale}");

    let needs = scenario(&chromium, &server, "needs_approval");
    assert!(needs.contains(r#"data-verdict="needs_approval">须经准入审批<"#));
    for item in ["申请材料：文件依据", "申请材料：工作方案", "工作经费"] {
        assert!(needs.contains(item), "missing checklist lacks {item}");
    }
    // Plain words, not field names.
    assert!(!needs.contains(">work_plan<"));

    let admitted = scenario(&chromium, &server, "admitted");
    assert!(
        admitted.contains(r#"data-verdict="admitted">准予准入<"#),
        "{admitted}"
    );
    assert!(!admitted.contains(r#"id="missing""#));

    // A mistyped amount: the server's error is shown beside the amount field.
    let mistyped = scenario(&chromium, &server, "mistyped");
    let field = field_div(&mistyped, "funding_amount");
    assert!(field.contains(r#"aria-invalid="true""#), "{field}");
    assert!(field.contains(r#"id="err-funding_amount""#), "{field}");
    // Said in Chinese on the Chinese page: the field by its label, the mistake in words.
    assert!(
        field.contains("「工作经费（元）」填写有误：应为数字，实际为文本 \"三千\""),
        "{field}"
    );
    assert!(!field.contains("should be"), "{field}");
    assert!(!mistyped.contains(r#"id="verdict""#));
    // The English switch says the error shown again, in English.
    let switched = scenario(&chromium, &server, "mistyped_then_english");
    let field = field_div(&switched, "funding_amount");
    assert!(
        field.contains(
            r#"Funding (yuan): field `funding.amount` should be a number, found the string "三千""#
        ),
        "{field}"
    );
    assert!(!field.contains("填写有误"), "{field}");

    let bad_date = scenario(&chromium, &server, "bad_date");
    let field = field_div(&bad_date, "period_end");
    assert!(field.contains(r#"id="err-period_end""#), "{field}");

    let reversed = scenario(&chromium, &server, "period_reversed");
    let field = field_div(&reversed, "period_end");
    assert!(field.contains(r#"id="err-period_end""#), "{field}");
    assert!(
        field.contains("应为不早于「工作期限：起」（2020-07-01）的日期"),
        "{field}"
    );

    // JSON left in the closed paste box is not the subject: the form's task is decided.
    let hidden = scenario(&chromium, &server, "hidden_json");
    assert!(hidden.contains("事项类别：居民会议组织"), "{hidden}");
    assert!(!hidden.contains(r#"data-verdict="denied""#), "{hidden}");

    // The same task under every district, side by side.
    let compare = scenario(&chromium, &server, "compare");
    // The comparison names the task it compares (a printed sheet must say what it is).
    assert!(compare.contains("事项类别：行政执法"), "{compare}");
    let table = compare
        .split(r#"<table id="compare-table">"#)
        .nth(1)
        .unwrap();
    for district in [
        "合肥市",
        "吉林省白山市江源区",
        "滁州市南谯区",
        "全国",
        "安庆市迎江区",
    ] {
        assert!(table.contains(district), "{district} missing from {table}");
    }
    assert_eq!(table.matches("data-district=").count(), 5);
    assert!(table.contains(r#"data-verdict="denied""#)); // 行政执法 as responsible party, Yingjiang
    // A clause is credited to its own document, with its text: the national notice's 136-一
    // is 民发〔2015〕136号, whichever district cites it.
    assert!(
        table.contains("依据条款 136-一 · 《民政部、中央组织部关于进一步开展社区减负工作的通知》 民发〔2015〕136号（民政部、中央组织部）"),
        "{table}"
    );
    assert!(table.contains("以市（地、州、盟）为单位制定社区工作事项清单"));
    // A reason no rule gave is said in words, not by its id.
    let unlisted = scenario(&chromium, &server, "compare_unlisted");
    assert!(
        unlisted.contains("规则：无（没有规则准予此事项"),
        "{unlisted}"
    );
    // (The id stays in `data-rule`, for tools; not in the text.)
    assert!(!unlisted.contains("：no_rule_admits"), "{unlisted}");

    // English switch.
    let english = browse(
        &chromium,
        &format!("http://{}/?scenario=denied&lang=en", server.addr),
        &["--dump-dom".to_owned()],
    );
    assert!(english.contains(r#"data-verdict="denied">Denied<"#));
    assert!(english.contains(r#"<html lang="en""#));
    assert!(english.contains("<title>Community work-item admission review"));
    assert!(
        english.contains("Policies in force: "),
        "the footer stays Chinese"
    );

    // Printing: one A4 sheet for a decision, and for five districts side by side (they
    // took four).
    for (name, what) in [
        ("needs_approval", "a decision"),
        ("compare", "the comparison"),
    ] {
        let (a4, pages) = printed(&chromium, &server, name);
        assert!(a4, "{what} does not print on A4");
        assert_eq!(pages, 1, "{what} should print on one A4 sheet");
    }
    // With no answer (an input error), the sheet is the form as filled with the error
    // beside its field, on one sheet: it was blank.
    let (_, pages) = printed(&chromium, &server, "mistyped");
    assert_eq!(
        pages, 1,
        "the form with its error should print on one A4 sheet"
    );
    match std::process::Command::new("pdftotext")
        .arg(out_dir().join("mistyped.pdf"))
        .arg("-")
        .output()
    {
        Ok(text) => {
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(text.contains("三千"), "{text}");
            assert!(text.contains("填写有误"), "{text}");
        }
        Err(e) => eprintln!("the printed form's text is not checked: no pdftotext ({e})"),
    }
}

/// What the REPL tells a reviewer, the page tells too (a new-user trial found each
/// missing): an admission that rests on an entry marked 示例 says so; a wrong approving body
/// is shown with what the policy requires; a rejected application is told it was rejected,
/// not that it lacks approval; a day outside the policy's dates has its own badge, not a raw
/// verdict name.
#[test]
fn the_page_says_what_the_repl_says() {
    let Some(chromium) = chromium() else {
        eprintln!("SKIPPED the_page_says_what_the_repl_says: no Chromium");
        return;
    };
    let server = Server::start(root(), &[]);
    let example = scenario(&chromium, &server, "example_entry");
    assert!(
        example.contains(r#"data-verdict="admitted">准予准入<"#),
        "{example}"
    );
    assert!(
        example.contains("注意：所据清单条目「居民会议组织」为示例"),
        "{example}"
    );
    let admitted = scenario(&chromium, &server, "admitted");
    assert!(!admitted.contains("example-note"), "{admitted}");

    let wrong = scenario(&chromium, &server, "wrong_body");
    assert!(wrong.contains(r#"data-missing="approval_by""#), "{wrong}");
    assert!(
        wrong.contains("填写的是「区民政局」，须满足：事项.approval.by == 「区社区建设领导小组」"),
        "{wrong}"
    );
    let rejected = scenario(&chromium, &server, "rejected");
    assert!(rejected.contains("审批未通过（驳回）"), "{rejected}");
    assert!(!rejected.contains(r#"id="missing""#), "{rejected}");

    let late = scenario(&chromium, &server, "not_in_force");
    assert!(
        late.contains(r#"data-verdict="not_in_force">本政策此日不施行<"#),
        "{late}"
    );
    assert!(!late.contains("清单之外的事项"), "{late}");
}

/// Scenario `name` printed to PDF: whether its sheets are A4, and how many there are.
fn printed(chromium: &PathBuf, server: &Server, name: &str) -> (bool, usize) {
    let pdf = out_dir().join(format!("{name}.pdf"));
    browse(
        chromium,
        &format!("http://{}/?scenario={name}", server.addr),
        &[
            "--no-pdf-header-footer".to_owned(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    (text.contains("MediaBox [0 0 594.95996 841.91998]"), pages)
}

/// A policy's document address is a link only when it is a web address: a policy file must
/// not put script (`javascript:`) behind a reviewer's click.
#[test]
fn an_address_that_is_not_a_web_address_is_no_link() {
    let Some(chromium) = chromium() else {
        eprintln!("SKIPPED an_address_that_is_not_a_web_address_is_no_link: no Chromium");
        return;
    };
    let dir = tempdir();
    std::fs::copy(
        root().join("policies/nanqiao.policy"),
        dir.join("nanqiao.policy"),
    )
    .unwrap();
    let national = std::fs::read_to_string(root().join("policies/national.policy")).unwrap();
    let hostile = national.replace(
        "网址 \"https://m.e-book.qq.com/read/1040457135/18\"",
        "网址 \"javascript:document.title='XSS'\"",
    );
    assert_ne!(hostile, national);
    std::fs::write(dir.join("national.policy"), hostile).unwrap();
    let server = Server::start(&dir, &["nanqiao.policy", "national.policy"]);
    let url = format!("http://{}/?scenario=compare", server.addr);
    let dom = browse(&chromium, &url, &["--dump-dom".to_owned()]);
    assert!(dom.contains(r#"data-scenario="done""#), "{dom}");
    assert!(
        dom.contains("javascript:document.title"),
        "the address is shown: {dom}"
    );
    assert!(!dom.contains("href=\"javascript:"), "{dom}");
}

/// A policy file that fails to reload is named in the page's footer, with its diagnostic,
/// while the previous version stays in force.
#[test]
fn the_footer_names_a_policy_file_that_failed_to_reload() {
    let Some(chromium) = chromium() else {
        eprintln!("SKIPPED the_footer_names_a_policy_file_that_failed_to_reload: no Chromium");
        return;
    };
    let dir = tempdir();
    let good = std::fs::read_to_string(root().join("policies/nanqiao.policy")).unwrap();
    std::fs::write(dir.join("d.policy"), &good).unwrap();
    std::fs::copy(
        root().join("policies/national.policy"),
        dir.join("national.policy"),
    )
    .unwrap();
    let server = Server::start(&dir, &["d.policy"]);
    let page = format!("http://{}/", server.addr);
    let before = browse(&chromium, &page, &["--dump-dom".to_owned()]);
    assert!(!before.contains("政策文件载入失败"), "{before}");

    std::fs::write(
        dir.join("d.policy"),
        good.replace("规则 负面事项不得下放", "规侧 负面事项不得下放"),
    )
    .unwrap();
    server.signal("HUP");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !server.get("/readyz").text().contains("d.policy") {
        assert!(
            std::time::Instant::now() < deadline,
            "the reload was not reported"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let after = browse(&chromium, &page, &["--dump-dom".to_owned()]);
    let footer = after.split("<footer").nth(1).unwrap();
    assert!(
        footer.contains("政策文件载入失败（仍按原版本执行）"),
        "{footer}"
    );
    assert!(footer.contains("d.policy"), "{footer}");
    // The previous version still decides.
    let answer = server.post_json(
        "/v1/decide",
        r#"{"district":"d","as_of":"2020-06-01","subject":{"category":"招商引资"}}"#,
    );
    assert_eq!(answer.status, 200);
    drop(server);

    // Broken from the start: no version stands in, and the footer does not say one does.
    let server = Server::start(&dir, &["d.policy", "national.policy"]);
    let page = browse(
        &chromium,
        &format!("http://{}/", server.addr),
        &["--dump-dom".to_owned()],
    );
    let footer = page.split("<footer").nth(1).unwrap();
    assert!(
        footer.contains("政策文件载入失败（该辖区暂不能审查）"),
        "{footer}"
    );
    assert!(!footer.contains("仍按原版本执行"), "{footer}");
    let _ = std::fs::remove_dir_all(&dir);
}
