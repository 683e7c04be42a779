//! zhunru embedded in a calling system: `cargo run --example embed`.
//!
//! A case-management system that receives approval forms loads the three district policies
//! once at start-up, then decides each form that comes in — built in Rust from its own
//! records, or taken as the JSON an approval web form posts — from several worker threads,
//! and stores the contract's JSON decision next to the form.

use std::sync::Arc;

use zhunru::{Date, Policies, Subject, Verdict};

fn main() -> miette::Result<()> {
    // Load once. A broken policy is a miette diagnostic pointing at its lines: `?` prints it.
    // (Paths are relative to the repository, where `cargo run --example embed` is run; the
    // path as given is what each reason's `at` names.)
    let districts = Arc::new(Policies::from_files([
        "policies/hefei.policy",
        "policies/nanqiao.policy",
        "policies/yingjiang.policy",
    ])?);
    let as_of = Date::new(2020, 6, 1)?;

    // A form built from the system's own records, without JSON.
    let survey = Subject::task("企业摸底")
        .with("id", "T-2020-0007")?
        .with("requester", "区经信局")?
        .with("requester_level", "district_department")?
        .with("basis", vec!["安庆市经济普查工作方案"])?
        .with("work_plan", true)?
        .with("requirements", "走访辖区企业，填报摸底表")?
        .with("period.start", "2020-05-01")?
        .with("period.end", "2020-06-30")?
        .with("funding.amount", 3000)?
        .with("funding.per", "once")?
        .with("authorization.content", "企业信息采集")?
        .with("authorization.object", "辖区企业")?
        .with("authorization.powers", "入企走访")?
        .with("authorization.until", "2020-06-30")?
        .with("approval.status", "approved")?
        .with("approval.by", "区社区建设领导小组")?;

    // Forms as a web app posts them. A mistyped field is an error with its line and column.
    // (These districts declare no fields of their own; one that does, e.g. jiangyuan's
    // 群众认可情况, reads its forms with `policy.subject_from_json`, which checks them too.)
    let posted = [
        r#"{"id": "T-2020-0012", "category": "招商引资", "requester": "区商务局"}"#,
        r#"{"id": "T-2020-0031", "category": "行政执法", "community_role": "assist"}"#,
        r#"{"id": "T-2020-0040", "category": "居民委员会换届选举"}"#,
        r#"{"id": "T-2020-0041", "category": "食品安全协管", "funding": {"amount": "三百"}}"#,
    ];
    let mut forms = vec![survey];
    for (i, text) in posted.iter().enumerate() {
        match Subject::from_json(&format!("form #{}", i + 1), text) {
            Ok(subject) => forms.push(subject),
            // A calling system would answer the form's sender with this message.
            Err(e) => eprintln!("rejected: {e}"),
        }
    }

    // Decide from worker threads: a loaded policy is immutable and Send + Sync.
    let workers: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let districts = Arc::clone(&districts);
            std::thread::spawn(move || {
                let decisions = districts.decide(&form, as_of);
                let lines: Vec<String> = decisions
                    .iter()
                    .map(|(district, d)| {
                        let why = d
                            .reasons()
                            .iter()
                            .map(|r| format!("{} [{}]", r.rule(), r.cites().join(",")))
                            .collect::<Vec<_>>()
                            .join("; ");
                        let missing = if d.missing().is_empty() {
                            String::new()
                        } else {
                            format!(" — missing {}", d.missing().join(", "))
                        };
                        format!(
                            "  {district:<9} {:<14} {why}{missing}",
                            d.verdict().as_str()
                        )
                    })
                    .collect();
                // What the system stores: its own district's decision, as the contract's JSON.
                let stored = decisions
                    .iter()
                    .find(|(district, _)| *district == "yingjiang")
                    .and_then(|(_, d)| serde_json::to_string(d).ok())
                    .unwrap_or_default();
                (form.label(), lines, stored)
            })
        })
        .collect();

    for worker in workers {
        let (label, lines, json) = worker
            .join()
            .map_err(|_| miette::miette!("a worker thread panicked"))?;
        println!("{label}");
        for line in lines {
            println!("{line}");
        }
        println!("  stored (yingjiang): {json}\n");
    }

    // The Yingjiang answer for one form, as the system's own code would branch on it.
    let yingjiang = districts
        .get("yingjiang")
        .ok_or_else(|| miette::miette!("yingjiang is not loaded"))?;
    let decision = yingjiang.decide(&Subject::task("经济创收"), as_of);
    if decision.verdict() == Verdict::Denied {
        println!(
            "经济创收 in Yingjiang: {} ({})",
            decision.verdict().zh(),
            decision.reasons().first().map_or("", |r| r.message())
        );
    }
    Ok(())
}
