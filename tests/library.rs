//! The library as other systems use it (issue 14): typed, stable, reloadable. Every test
//! goes through the public API only, as another crate would, and reads answers without
//! parsing a string.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use zhunru::input::{InputFormat, parse_line, read_subjects};
use zhunru::{
    Code, CodeFamily, Date, Decision, InputError, InputErrorKind, MissingItem, Policies, Policy,
    PolicyError, ReasonKind, Severity, Subject, SubjectKind, Value, Verdict,
};

fn june() -> Date {
    Date::new(2020, 6, 1).unwrap()
}

/// A fresh folder under the system's temporary folder.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zhunru-library-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The shipped policies copied to `dir` (with their parent).
fn copy_policies(dir: &Path, names: &[&str]) {
    for name in names.iter().chain(&["national"]) {
        std::fs::copy(
            format!("policies/{name}.policy"),
            dir.join(format!("{name}.policy")),
        )
        .unwrap();
    }
}

#[test]
fn dates_are_validated_and_read_by_accessors() {
    assert!(Date::new(2020, 2, 30).is_err());
    assert!(Date::new(2021, 2, 29).is_err());
    let d = Date::new(2020, 2, 29).unwrap();
    assert_eq!((d.year(), d.month(), d.day()), (2020, 2, 29));
    assert_eq!("2020-02-29".parse::<Date>(), Ok(d));
    let error = "2020-02-30".parse::<Date>().unwrap_err();
    assert_eq!(error.to_string(), "`2020-02-30` is not a date (YYYY-MM-DD)");
    // A DateError is a miette diagnostic: `?` works in a `miette::Result` function.
    let _: &dyn zhunru::miette::Diagnostic = &error;
    // Every date is written YYYY-MM-DD and reads back: arithmetic stops at the calendar's
    // ends, where it panicked (debug) or wrapped to year -1557058270 (a new-user trial).
    let (first, last) = (
        Date::new(0, 1, 1).unwrap(),
        Date::new(9999, 12, 31).unwrap(),
    );
    assert_eq!(Date::from_days(i64::MAX), last);
    assert_eq!(Date::from_days(i64::MIN), first);
    assert_eq!(d.add_days(i64::MAX), last);
    assert_eq!(d.add_days(1_000_000_000_000), last);
    assert_eq!(last.add_days(1), last);
    assert_eq!(first.add_days(-1), first);
    assert_eq!(d.add_months(i64::MAX), last);
    assert_eq!(d.add_months(i64::MIN), first);
    assert_eq!(last.add_days(-1), Date::new(9999, 12, 30).unwrap());
    let error = Date::new(99_999, 1, 1).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the year 99999 is not 0000–9999: a date is written YYYY-MM-DD"
    );
    assert!(Date::new(-1, 1, 1).is_err());
    for date in [first, last] {
        assert_eq!(date.to_string().parse::<Date>(), Ok(date));
        assert_eq!(Date::from_days(date.to_days()), date);
    }
}

#[test]
fn a_reason_says_where_and_what_it_cites_typed() {
    let policy = Policy::from_file("policies/yingjiang.policy").unwrap();
    let decision = policy.decide(&Subject::task("经济创收"), june());
    assert_eq!(decision.verdict(), Verdict::Denied);
    let national = &decision.reasons()[0];
    assert_eq!(national.kind(), ReasonKind::Rule);
    let at = national.position().unwrap();
    assert_eq!(
        (at.file(), at.line(), at.column()),
        ("policies/national.policy", 78, 1)
    );
    let clause = &national.clauses()[0];
    assert_eq!(clause.id(), "136-一");
    assert_eq!(clause.document().number(), Some("民发〔2015〕136号"));
    assert_eq!(clause.document().issued(), Date::new(2015, 7, 13).ok());
    let own = &decision.reasons()[1];
    assert_eq!(
        (own.cite(), own.position().unwrap().file()),
        (Some("Y3"), "policies/yingjiang.policy")
    );
}

/// The policy root: `at` names a file as given when relative, and cuts an absolute path (or
/// one that climbs out) to its folder and file name, so no deployment path leaks.
#[test]
fn positions_never_leak_the_deployment_path() {
    let root = temp_dir("deploy");
    let dir = root.join("srv").join("policies");
    std::fs::create_dir_all(&dir).unwrap();
    copy_policies(&dir, &["hefei"]);
    let policy = Policy::from_file(dir.join("hefei.policy")).unwrap();
    let decision = policy.decide(&Subject::task("招商引资"), june());
    let json = serde_json::to_string(&decision).unwrap();
    assert!(!json.contains(root.to_str().unwrap()), "{json}");
    let files: Vec<&str> = decision
        .reasons()
        .iter()
        .map(|r| r.position().unwrap().file())
        .collect();
    assert!(files.contains(&"policies/national.policy"), "{files:?}");
    // The same text loaded by a relative path decides the same, position for position.
    let relative = Policy::from_file("policies/hefei.policy").unwrap();
    assert_eq!(
        relative.decide(&Subject::task("招商引资"), june()),
        decision
    );
    assert_eq!(relative.content_hash(), policy.content_hash());
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_engines_own_answers_are_typed_cases_with_the_contracts_json() {
    let policy = Policy::from_str(
        "quiet.policy",
        "政策 「安静」\n文件 「办法」 { 条款 Q1 「条文」 }\n规则 清单内 引用 Q1\n  当 事项.category == 「甲」\n  准予准入 「甲」\n",
    )
    .unwrap();
    let decision = policy.decide(&Subject::task("乙"), june());
    assert_eq!(decision.verdict(), Verdict::NeedsApproval);
    let reason = &decision.reasons()[0];
    assert_eq!(reason.kind(), ReasonKind::NoRuleAdmits);
    assert_eq!(reason.position(), None);
    let json = serde_json::to_value(&decision).unwrap();
    assert_eq!(json["reasons"][0]["rule"], "no_rule_admits");
    let back: Decision = serde_json::from_value(json).unwrap();
    assert_eq!(back.reasons()[0].kind(), ReasonKind::NoRuleAdmits);

    let hefei = Policy::from_file("policies/hefei.policy").unwrap();
    let early = hefei.decide(&Subject::task("招商引资"), Date::new(2018, 1, 1).unwrap());
    assert_eq!(early.reasons()[0].kind(), ReasonKind::NotInForce);
    assert_eq!(
        early.reasons()[0].position().unwrap().file(),
        "policies/hefei.policy"
    );
}

#[test]
fn a_missing_item_names_the_field_a_form_highlights() {
    let policy = Policy::from_file("policies/yingjiang.policy").unwrap();
    let decision = policy.decide(&Subject::task("企业摸底"), june());
    let fields: Vec<(&str, Option<&str>)> = decision
        .missing_items()
        .iter()
        .map(|m| (m.name(), m.field()))
        .collect();
    assert!(
        fields.contains(&("approval_by", Some("approval.by"))),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("funding", Some("funding.amount"))),
        "{fields:?}"
    );
    // One item for each name in `missing`, in the same order.
    let names: Vec<&str> = decision
        .missing_items()
        .iter()
        .map(MissingItem::name)
        .collect();
    assert_eq!(names, decision.missing());
    let item = serde_json::to_value(&decision.missing_items()[0]).unwrap();
    assert!(item["requirement"].as_str().unwrap().contains("事项."));
    // The field is a path the subject reads: supplying it there removes the item.
    let by = decision
        .missing_items()
        .iter()
        .find(|m| m.name() == "approval_by")
        .unwrap();
    let fixed = Subject::task("企业摸底")
        .with(by.field().unwrap(), "区社区建设领导小组")
        .unwrap();
    let after = policy.decide(&fixed, june());
    assert!(!after.missing().iter().any(|m| m == "approval_by"));
}

#[test]
fn input_errors_have_a_kind_a_field_and_a_place() {
    let kind = |text: &str| Subject::from_json("form", text).unwrap_err().kind();
    assert_eq!(kind(r#"{"category": "x""#), InputErrorKind::Json);
    assert_eq!(
        kind(r#"{"category": "x", "work_plan": "yes"}"#),
        InputErrorKind::WrongType
    );
    assert_eq!(
        kind(r#"{"category": "x", "category": "y"}"#),
        InputErrorKind::DuplicateField
    );
    assert_eq!(kind(r#"{"id": "T-1"}"#), InputErrorKind::MissingCategory);
    assert_eq!(
        kind(r#"{"category": "x", "funding": {"amount": 9007199254740993}}"#),
        InputErrorKind::WrongType
    );
    let e = parse_line(b"{\"category\": \"\xff\"}", 12, "batch").unwrap_err();
    assert_eq!((e.kind(), e.line()), (InputErrorKind::NotUtf8, Some(12)));
    let e = parse_line(
        br#"{"category": "x", "funding": {"per": "week"}}"#,
        3,
        "batch",
    )
    .unwrap_err();
    assert_eq!(
        (e.kind(), e.field(), e.line(), e.column()),
        (
            InputErrorKind::WrongType,
            Some("funding.per"),
            Some(3),
            Some(38)
        )
    );
    let csv = "id,id,category\n1,2,x\n";
    let rows: Vec<_> = read_subjects(csv.as_bytes(), "log.csv", InputFormat::Csv).collect();
    assert_eq!(rows[0].1.as_ref().unwrap_err().kind(), InputErrorKind::Csv);
    // JSON Lines forced: a pretty-printed object is three bad lines, each at its own line.
    let text = "{\n\"category\": \"x\"\n}\n";
    let lines: Vec<Option<usize>> = read_subjects(text.as_bytes(), "t", InputFormat::JsonLines)
        .map(|(_, r)| r.unwrap_err().line())
        .collect();
    assert_eq!(lines, [Some(1), Some(2), Some(3)]);
}

/// A reader that fails after its first line, as a dropped connection does.
struct Dropped(bool);

impl std::io::Read for Dropped {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if std::mem::replace(&mut self.0, true) {
            return Err(std::io::Error::other("connection reset"));
        }
        let line = "{\"category\": \"招商引资\"}\n".as_bytes();
        buf[..line.len()].copy_from_slice(line);
        Ok(line.len())
    }
}

#[test]
fn a_policy_text_reads_no_file_but_a_policy_parent() {
    // A file that is there and readable, but not a policy: never read, never shown.
    let dir = temp_dir("not-a-policy-parent");
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "token=hunter2\n").unwrap();
    let text = format!("政策 「x」\n  上位 「{}」\n", secret.display());
    let e = Policy::from_str("inline", &text).unwrap_err();
    let d = &e.diagnostics()[0];
    assert_eq!(d.code(), Code::BadParent);
    let rendered: String = e
        .diagnostics()
        .iter()
        .map(|d| zhunru::render(d, false))
        .collect();
    assert!(rendered.contains("not a `.policy` file"), "{rendered}");
    assert!(!rendered.contains("hunter2"), "{rendered}");
}

#[test]
fn io_errors_have_no_made_up_position() {
    let reader = std::io::BufReader::new(Dropped(false));
    let rows: Vec<_> = read_subjects(reader, "upload", InputFormat::JsonLines).collect();
    assert!(rows[0].1.is_ok());
    let e = rows[1].1.as_ref().unwrap_err();
    assert_eq!(
        (e.kind(), e.line(), e.column()),
        (InputErrorKind::Io, None, None)
    );
    assert_eq!(e.location(), "upload");
    let rendered = zhunru::render(e, false);
    assert!(
        !rendered.contains("upload:1") && !rendered.contains("╭"),
        "{rendered}"
    );

    let missing = Policy::from_file("policies/absent.policy").unwrap_err();
    let d = &missing.diagnostics()[0];
    assert_eq!((d.code(), d.code().family()), (Code::Io, CodeFamily::Io));
    assert_eq!(d.position(), None);
    assert!(!missing.to_string().contains(":1:1"), "{missing}");
    assert!(!zhunru::render(d, false).contains(":1:1"));
}

#[test]
fn codes_are_grouped_without_string_matching() {
    let warnings = Policy::from_file("tests/cases/broken/shadowed.policy")
        .map(|p| p.warnings().to_vec())
        .unwrap_or_else(PolicyError::into_diagnostics);
    assert!(!warnings.is_empty());
    for d in &warnings {
        assert_eq!(d.code().severity(), d.severity(), "{}", d.code());
        assert!(d.code().as_str().starts_with(d.code().family().as_str()));
    }
    assert!(
        warnings
            .iter()
            .any(|d| d.code().family() == CodeFamily::Lint)
    );
    assert_eq!(Code::UnknownList.family(), CodeFamily::Check);
    assert_eq!(Code::Syntax.severity(), Severity::Error);
}

#[test]
fn subjects_are_read_through_one_path_syntax() {
    let by = String::from("区社区建设领导小组");
    let task = Subject::task(String::from("企业摸底"))
        .with("funding.amount", 3000u32)
        .unwrap()
        .with("period.end", Date::new(2020, 6, 30).unwrap())
        .unwrap()
        .with("approval.by", &by)
        .unwrap()
        .with("basis", &["甲", "乙"][..])
        .unwrap()
        .with("work_plan", true)
        .unwrap();
    assert_eq!(task.get_number("funding.amount"), Some(3000.0));
    assert_eq!(task.get_date("period.end"), Date::new(2020, 6, 30).ok());
    assert_eq!(task.get_str("approval.by"), Some("区社区建设领导小组"));
    assert_eq!(task.get_str("approval.status"), Some("none")); // the contract's default
    assert_eq!(task.get_bool("work_plan"), Some(true));
    assert_eq!(task.get("basis"), Some(&Value::from(vec!["甲", "乙"])));
    assert_eq!(task.fields().get_path("period.end"), task.get("period.end"));
    assert_eq!(task.kind(), SubjectKind::Task);
    let error = task.with("funding.amount", "3000").unwrap_err();
    assert_eq!(error.path(), "funding.amount");
}

#[test]
fn errors_policies_and_values_are_values() {
    let policy = Policy::from_file("policies/nanqiao.policy").unwrap();
    let copy = policy.clone();
    assert_eq!(copy.content_hash(), policy.content_hash());
    let error = Policy::from_file("policies/absent.policy").unwrap_err();
    assert_eq!(error.clone().to_string(), error.to_string());
    let input: InputError = Subject::from_json("f", "{}").unwrap_err();
    assert_eq!(input.clone().location(), input.location());
    let value: Value = serde_json::from_str(r#"{"a": [1, "b", null, true]}"#).unwrap();
    assert_eq!(
        serde_json::to_string(&value).unwrap(),
        r#"{"a":[1,"b",null,true]}"#
    );
}

/// `from_str(&to_string(&d)) == d` for every shipped example under every district.
#[test]
fn every_decision_round_trips() {
    let districts = Policies::load_dir("policies");
    let mut subjects = Vec::new();
    for dir in [
        "examples/tasks",
        "examples/premises",
        "examples/assessments",
    ] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            subjects.push(Subject::from_json(&path.display().to_string(), &text).unwrap());
        }
    }
    assert!(subjects.len() > 10);
    let mut decided = 0;
    for (_, policy) in districts.snapshot().iter() {
        for subject in &subjects {
            for as_of in [june(), Date::new(2018, 1, 1).unwrap()] {
                let d = policy.decide(subject, as_of);
                let back: Decision =
                    serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
                assert_eq!(back, d);
                decided += 1;
            }
        }
    }
    assert!(decided > 50);
}

#[test]
fn a_folder_loads_keeping_the_good_files_and_reloads_live() {
    let dir = temp_dir("folder");
    copy_policies(&dir, &["hefei", "nanqiao", "yingjiang"]);
    std::fs::write(dir.join("broken.policy"), "政策 「坏」\n规则 无引用\n").unwrap();
    let districts = Policies::load_dir(&dir);
    let set = districts.snapshot();
    assert_eq!(
        set.names().collect::<Vec<_>>(),
        ["hefei", "nanqiao", "national", "yingjiang"]
    );
    let failure = &set.failures()[0];
    assert_eq!(
        (failure.district(), failure.previous_in_force()),
        ("broken", false)
    );
    assert_eq!(failure.error().diagnostics()[0].code(), Code::Syntax);

    // Each decision says which policy decided it.
    let d = districts
        .decide_in("hefei", &Subject::task("招商引资"), june())
        .unwrap();
    let by = d.policy().unwrap();
    assert_eq!(
        (by.name(), by.effective()),
        ("hefei", Date::new(2019, 8, 31).ok())
    );
    assert_eq!(by.hash(), set.get("hefei").unwrap().content_hash());

    // Break a district that was good: its previous version stays in force, and says so.
    let before = set.get("nanqiao").unwrap().content_hash().to_owned();
    std::fs::write(dir.join("nanqiao.policy"), "政策 「坏」\n规则 无引用\n").unwrap();
    std::fs::write(
        dir.join("broken.policy"),
        std::fs::read("policies/hefei.policy").unwrap(),
    )
    .unwrap();
    let failures = districts.reload();
    assert_eq!(failures.len(), 1);
    assert_eq!(
        (failures[0].district(), failures[0].previous_in_force()),
        ("nanqiao", true)
    );
    let now = districts.snapshot();
    assert_eq!(now.get("nanqiao").unwrap().content_hash(), before);
    assert!(now.get("broken").is_some(), "the fixed file is picked up");
    assert_eq!(now.generation(), set.generation() + 1);
    // The snapshot taken before is untouched.
    assert!(set.get("broken").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Four threads decide without pause while one district is swapped back and forth: every
/// decision is wholly the old version's or wholly the new one's (told by its hash), never a
/// mix, and the other districts are never disturbed.
#[test]
fn one_district_swaps_atomically_while_threads_decide() {
    let districts = Policies::load([
        "policies/hefei.policy",
        "policies/nanqiao.policy",
        "policies/yingjiang.policy",
    ]);
    let old = districts.get("nanqiao").unwrap();
    let text = std::fs::read_to_string("policies/nanqiao.policy").unwrap();
    // The new version no longer lists 居民会议组织: it goes to approval.
    let edited = text.replace("「居民会议组织」", "「居民会议组织（新）」");
    assert_ne!(edited, text);
    let new = Policy::from_str("policies/nanqiao.policy", &edited).unwrap();
    let (old_hash, new_hash) = (old.content_hash().to_owned(), new.content_hash().to_owned());
    assert_ne!(old_hash, new_hash);

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (districts, stop) = (districts.clone(), Arc::clone(&stop));
            let (old_hash, new_hash) = (old_hash.clone(), new_hash.clone());
            std::thread::spawn(move || {
                let task = Subject::task("居民会议组织");
                let mut seen = [0usize; 2];
                // At least one round each, however the threads are scheduled.
                loop {
                    let set = districts.snapshot();
                    for (name, d) in set.decide(&task, june()) {
                        let by = d.policy().unwrap();
                        assert_eq!(by.name(), name);
                        if name != "nanqiao" {
                            continue;
                        }
                        if by.hash() == old_hash {
                            assert_eq!(d.verdict(), Verdict::Admitted);
                            seen[0] += 1;
                        } else {
                            assert_eq!(by.hash(), new_hash);
                            assert_eq!(d.verdict(), Verdict::NeedsApproval);
                            seen[1] += 1;
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                }
                seen
            })
        })
        .collect();
    for i in 0..200 {
        let next = if i % 2 == 0 { new.clone() } else { old.clone() };
        assert!(districts.insert("nanqiao", next).is_some());
        std::thread::yield_now();
    }
    stop.store(true, Ordering::Relaxed);
    let seen: Vec<[usize; 2]> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    assert!(seen.iter().map(|s| s[0] + s[1]).sum::<usize>() > 0);
    assert_eq!(districts.names(), ["hefei", "nanqiao", "yingjiang"]);
    assert_eq!(districts.snapshot().generation(), 201);
}

// README: begin
fn readme_library_snippet() -> miette::Result<()> {
    use miette::IntoDiagnostic;
    use zhunru::{Date, Policies, Policy, ReasonKind, Subject, Verdict};

    let policy = Policy::from_file("policies/yingjiang.policy")?;
    let task = Subject::task("企业摸底").with("funding.amount", 3000)?;
    let june = Date::new(2020, 6, 1)?;
    let decision = policy.decide(&task, june);
    assert_eq!(decision.verdict(), Verdict::NeedsApproval);
    for item in decision.missing_items() {
        println!("missing {} (field {:?})", item.name(), item.field());
    }
    for reason in decision.reasons() {
        if let (ReasonKind::Rule, Some(at)) = (reason.kind(), reason.position()) {
            println!("{} at {}, line {}", reason.rule(), at.file(), at.line());
        }
    }
    println!("{}", serde_json::to_string(&decision).into_diagnostic()?);

    // A form as a web app posts it: a mistyped field is an error with its kind, field and place.
    let form = Subject::from_json(
        "form",
        r#"{"category": "招商引资", "requester": "区商务局"}"#,
    )?;
    // A folder of districts: the good files load, the bad are reported; reload at any time.
    let districts = Policies::load_dir("policies");
    for failure in districts.snapshot().failures() {
        eprintln!("{}: {}", failure.file().display(), failure.error());
    }
    for (district, decision) in districts.decide(&form, june) {
        println!("{district}: {}", decision.verdict());
    }
    Ok(())
}
// README: end

/// The README's library snippet is this file's, compiled and run here.
#[test]
fn the_readme_library_snippet_compiles_and_runs() {
    readme_library_snippet().unwrap();
    let this = std::fs::read_to_string("tests/library.rs").unwrap();
    let begin = this.find("// README: begin\n").unwrap() + "// README: begin\n".len();
    let end = this.find("// README: end").unwrap();
    let ours: Vec<&str> = this[begin..end].lines().collect();
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("## Library").unwrap()..];
    let start = section.find("```rust\n").unwrap() + "```rust\n".len();
    let block: Vec<&str> = section[start..]
        .lines()
        .take_while(|l| *l != "```")
        .collect();
    // The README's `fn main` is this test's function under another name.
    let block: Vec<String> = block
        .iter()
        .map(|l| l.replace("fn main()", "fn readme_library_snippet()"))
        .collect();
    assert_eq!(
        block, ours,
        "README.md's library snippet and tests/library.rs differ"
    );
}

// The snippet's `miette` is the caller's own dependency; here it is zhunru's re-export.
use zhunru::miette;

/// Dates are read trimmed, in a subject built in code too: a date field holding
/// `" 2020-06-01 "` compares, and takes date arithmetic, as the date it names (found by the
/// differential test's long run: `==` held while `-` and `<` did not).
#[test]
fn a_padded_date_built_in_code_is_that_date() {
    let policy = Policy::from_str(
        "padded.policy",
        "政策 「测试」\n文件 「办法」 { 条款 C1 「条文」 }\n字段 事项.due 类型 日期\n\
         规则 同日 引用 C1\n  当 事项.sent_on == 事项.due\n  准予准入 「同日」\n\
         规则 一年内 引用 C1\n  当 事项.due - 366 天 <= 今天\n  准予准入 「{事项.due}」\n",
    )
    .unwrap();
    let task = Subject::task("x")
        .with("due", " 2020-06-01 ")
        .unwrap()
        .with("sent_on", "2020-06-01")
        .unwrap();
    let decision = policy.decide(&task, zhunru::Date::parse("2020-01-31").unwrap());
    let rules: Vec<&str> = decision.reasons().iter().map(|r| r.rule()).collect();
    assert_eq!(rules, ["同日", "一年内"]);
    // A message quotes the field as given.
    assert_eq!(decision.reasons()[1].message(), " 2020-06-01 ");
}

/// A policy saved with a byte-order mark (Notepad writes one) reads as without it, where it
/// was a syntax error ("found `\u{feff}`").
#[test]
fn a_policy_with_a_byte_order_mark_reads() {
    let text = std::fs::read_to_string("policies/national.policy").unwrap();
    let plain = Policy::from_str("national.policy", &text).unwrap();
    let marked = Policy::from_str("national.policy", &format!("\u{feff}{text}")).unwrap();
    let subject = Subject::task("招商引资");
    assert_eq!(
        plain.decide(&subject, june()).verdict(),
        marked.decide(&subject, june()).verdict()
    );
    assert_eq!(marked.jurisdiction(), plain.jurisdiction());
}

/// A list of lists `depth` deep, as the builder's value and as JSON.
fn nested(depth: usize) -> (Value, serde_json::Value) {
    let mut value = Value::List(Vec::new());
    let mut json = serde_json::json!([]);
    for _ in 1..depth {
        value = Value::List(vec![value]);
        json = serde_json::json!([json]);
    }
    (value, json)
}

#[test]
fn the_builder_refuses_what_the_json_reader_refuses() {
    let task = || Subject::task("企业摸底");
    // Each of these was accepted and gave JSON the reader refuses (a new-user trial).
    for (path, value) in [
        ("kind", Value::from("community")),
        ("funding.amount", Value::from(9_007_199_254_740_993_i64)),
        ("funding.amount", Value::from(u64::MAX)),
        ("note", Value::from("y\u{7}")),
        ("extra", Value::from(f64::NAN)),
        ("extra", Value::List(vec![Value::from(f64::INFINITY)])),
        ("category", Value::from("x\u{1b}[31m")),
        ("category", Value::from("  ")),
        ("extra", nested(127).0),
    ] {
        let shown = format!("{value:?}");
        let error = task().with(path, value).unwrap_err();
        assert_eq!(error.path(), path, "{shown}");
    }
    // Just inside each limit: built, and its JSON reads back to the same subject.
    let built = task()
        .with("funding.amount", 9_007_199_254_740_991_i64)
        .unwrap()
        .with("note", "tab\tand\nline end")
        .unwrap()
        .with("extra", nested(126).0)
        .unwrap();
    let json = serde_json::to_string(&built).unwrap();
    assert_eq!(Subject::from_json("built", &json).unwrap(), built);
    let error = Subject::from_json("built", &json.replace("[]", "[[]]")).unwrap_err();
    assert_eq!(error.kind(), InputErrorKind::Json, "{error}");
}

#[test]
fn a_subject_from_a_deep_serde_value_is_an_error_not_a_crash() {
    // serde_json's text reader stops at its limit; read from a `serde_json::Value` there
    // was none, and 5,000 levels overflowed the stack.
    // Building and dropping a 5,000-deep value recurses too: on a thread with room for that
    // in a debug build (the test thread's 2 MiB overflowed in CI). Without the limit the
    // read succeeds, and the assertion says so.
    let deep = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(|| {
            for depth in [127, 5_000] {
                let subject = serde_json::json!({"category": "x", "extra": nested(depth).1});
                let error = serde_json::from_value::<Subject>(subject).unwrap_err();
                assert!(
                    error.to_string().contains("nested 128 or more deep"),
                    "{error}"
                );
            }
        })
        .unwrap();
    deep.join().unwrap();
    let subject = serde_json::json!({"category": "x", "extra": nested(126).1});
    assert!(serde_json::from_value::<Subject>(subject).is_ok());
}
