//! A task-routing service built on zhunru from outside (issue 14, "done when"): it loads
//! three districts and a broken fourth, reads a batch of tasks (some lines bad), decides them
//! from four threads while one district is reloaded live, and reads every answer typed —
//! without parsing a string, touching a hidden item, or keeping a registry of its own.
//!
//! Run from anywhere: `cargo run --manifest-path examples/service/Cargo.toml`. It checks
//! what it relies on and fails (exit 1) if the library stops providing it.

use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use zhunru::input::{InputFormat, parse_line, read_subjects};
use zhunru::miette::{self, IntoDiagnostic, ensure};
use zhunru::{
    CodeFamily, Date, Decision, InputErrorKind, Policies, Policy, ReasonKind, Subject, Verdict,
};

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn repository() -> PathBuf {
    here().join("..").join("..")
}

/// One routed task: its id, district and decision.
struct Routed {
    id: String,
    district: String,
    decision: Decision,
}

fn main() -> miette::Result<()> {
    let policies = repository().join("policies");
    let june = Date::new(2020, 6, 1)?;
    ensure!(
        Date::new(2020, 2, 30).is_err(),
        "2020-02-30 must not be a date"
    );

    // Three districts and a broken fourth: the good ones are kept, the bad one reported.
    let districts = Policies::load([
        policies.join("hefei.policy"),
        policies.join("nanqiao.policy"),
        policies.join("yingjiang.policy"),
        here().join("broken.policy"),
    ]);
    let set = districts.snapshot();
    ensure!(
        set.names().collect::<Vec<_>>() == ["hefei", "nanqiao", "yingjiang"],
        "the three good districts load"
    );
    for failure in set.failures() {
        let first = &failure.error().diagnostics()[0];
        let at = first
            .position()
            .ok_or_else(|| miette::miette!("a syntax error has a place"))?;
        println!(
            "not loaded: {} ({}, {} at line {} column {})",
            failure.district(),
            first.code(),
            first.code().family(),
            at.line(),
            at.column()
        );
        ensure!(
            first.code().family() == CodeFamily::Parse,
            "a broken file is a parse error"
        );
        ensure!(!failure.previous_in_force(), "it never loaded");
    }

    // A batch as JSON Lines, forced (whatever the file is called); bad lines typed.
    let batch = here().join("tasks.jsonl");
    let file = std::fs::File::open(&batch).into_diagnostic()?;
    let mut tasks = Vec::new();
    for (line, read) in read_subjects(BufReader::new(file), "tasks.jsonl", InputFormat::JsonLines) {
        match read {
            Ok(task) => tasks.push(task),
            Err(e) => {
                println!(
                    "line {line}: {:?} in {:?} at {:?}:{:?}: {}",
                    e.kind(),
                    e.field(),
                    e.line(),
                    e.column(),
                    e.message()
                );
                ensure!(e.line() == Some(line), "an error is at its own line");
                match e.kind() {
                    InputErrorKind::WrongType => ensure!(e.field().is_some(), "which field"),
                    InputErrorKind::Json | InputErrorKind::DuplicateField => {}
                    other => miette::bail!("unexpected input error {other:?}"),
                }
            }
        }
    }
    ensure!(
        tasks.len() == 8,
        "8 of 12 lines are good, found {}",
        tasks.len()
    );
    // One line on its own keeps its number.
    let e = parse_line(br#"{"id": "x"}"#, 41, "queue").unwrap_err();
    ensure!(
        e.kind() == InputErrorKind::MissingCategory && e.line() == Some(41),
        "parse_line"
    );

    // Four threads decide while one district is swapped; each decision names its version.
    let old_hash = set
        .get("nanqiao")
        .map(|p| p.content_hash().to_owned())
        .unwrap_or_default();
    let text = std::fs::read_to_string(policies.join("nanqiao.policy")).into_diagnostic()?;
    let edited = text.replace("「居民会议组织」", "「居民会议组织（已调整）」");
    let next = Policy::from_str(
        &policies.join("nanqiao.policy").display().to_string(),
        &edited,
    )?;
    let tasks = Arc::new(tasks);
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (districts, tasks, stop) =
                (districts.clone(), Arc::clone(&tasks), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut routed = Vec::new();
                loop {
                    for task in tasks.iter().skip(w).step_by(4) {
                        let district = task.get_str("district").unwrap_or("").to_owned();
                        let Some(decision) = districts.decide_in(&district, task, june) else {
                            continue;
                        };
                        let id = task.id().unwrap_or("").to_owned();
                        routed.push(Routed {
                            id,
                            district,
                            decision,
                        });
                    }
                    if stop.load(Ordering::Relaxed) {
                        return routed;
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let previous = districts.insert("nanqiao", next);
    ensure!(previous.is_some(), "nanqiao was in force");
    std::thread::sleep(std::time::Duration::from_millis(20));
    stop.store(true, Ordering::Relaxed);
    let mut routed = Vec::new();
    for worker in workers {
        routed.extend(
            worker
                .join()
                .map_err(|_| miette::miette!("a worker panicked"))?,
        );
    }
    let new_hash = districts
        .get("nanqiao")
        .map(|p| p.content_hash().to_owned())
        .unwrap_or_default();
    ensure!(old_hash != new_hash, "the reload is a new version");

    let mut versions = [0usize; 2];
    for r in &routed {
        let by = r
            .decision
            .policy()
            .ok_or_else(|| miette::miette!("who decided"))?;
        ensure!(by.name() == r.district, "decided by its own district");
        if r.district == "nanqiao" && r.id == "R-04" {
            // 居民会议组织: listed in the old version, not in the new one.
            let expected = if by.hash() == old_hash {
                versions[0] += 1;
                Verdict::Admitted
            } else {
                ensure!(by.hash() == new_hash, "one of the two versions");
                versions[1] += 1;
                Verdict::NeedsApproval
            };
            ensure!(
                r.decision.verdict() == expected,
                "a decision is wholly one version's"
            );
        }
        // Reasons typed: kind, position (relative to the policy root), clauses.
        for reason in r.decision.reasons() {
            match reason.kind() {
                ReasonKind::Rule => {
                    let at = reason
                        .position()
                        .ok_or_else(|| miette::miette!("a rule has a place"))?;
                    ensure!(
                        at.file().starts_with("policies/"),
                        "no deployment path: {}",
                        at.file()
                    );
                    ensure!(!reason.clauses().is_empty(), "a rule cites a clause");
                }
                ReasonKind::NoRuleAdmits => ensure!(reason.position().is_none(), "no place"),
                _ => {}
            }
        }
        // Missing items name the field a form highlights.
        for item in r.decision.missing_items() {
            ensure!(
                item.field().is_some() || item.name() == "approval",
                "a field for {}",
                item.name()
            );
        }
        // The stored JSON reads back as the same decision.
        let json = serde_json::to_string(&r.decision).into_diagnostic()?;
        let back: Decision = serde_json::from_str(&json).into_diagnostic()?;
        ensure!(back == r.decision, "a decision round-trips");
    }
    ensure!(versions[0] + versions[1] > 0, "R-04 was decided");
    println!(
        "{} decisions, R-04 by the old version {} times and by the new one {} times",
        routed.len(),
        versions[0],
        versions[1]
    );

    // A form built in Rust is checked as JSON is; its fields read back typed.
    let form = Subject::task("企业摸底")
        .with("funding.amount", 3000u32)?
        .with("period.end", Date::new(2020, 6, 30)?)?
        .with("district", "yingjiang")?;
    ensure!(
        form.get_number("funding.amount") == Some(3000.0),
        "a number"
    );
    ensure!(
        form.get_date("period.end") == Date::new(2020, 6, 30).ok(),
        "a date"
    );
    let refused = form.clone().with("funding.amount", "3000").unwrap_err();
    ensure!(
        refused.path() == "funding.amount",
        "the builder names the field"
    );
    let decision = districts
        .decide_in(form.get_str("district").unwrap_or(""), &form, june)
        .ok_or_else(|| miette::miette!("yingjiang is loaded"))?;
    for item in decision.missing_items() {
        println!("R-form lacks {} (field {:?})", item.name(), item.field());
    }
    let by = decision
        .policy()
        .ok_or_else(|| miette::miette!("who decided"))?;
    println!(
        "decided by {} ({}, version {:?}, {})",
        by.name(),
        by.title(),
        by.effective(),
        by.hash()
    );
    Ok(())
}
