//! Several dated versions of one district side by side (Y6's yearly review): the version in
//! force on the date decides — in the library, `eval`, `audit` (per row's `sent_on`) and
//! `compare` — and overlapping versions are a located `bad_dates` error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

#[path = "support/run.rs"]
mod run;

use zhunru::{Code, Date, Policy, Subject, Verdict, Versions};

const YINGJIANG: &str = "tests/cases/versions/yingjiang";

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

#[test]
fn the_version_in_force_on_the_date_decides() {
    let versions = Versions::from_dir(YINGJIANG).unwrap();
    assert_eq!(versions.name(), "yingjiang");
    assert_eq!(versions.versions().count(), 2);
    // 2020.policy has no 生效: in force from the beginning until 2021.policy takes over.
    assert_eq!(versions.in_force(date("2019-01-01")).effective(), None);
    assert_eq!(versions.in_force(date("2020-12-31")).effective(), None);
    assert_eq!(
        versions.in_force(date("2021-01-01")).effective(),
        Some(date("2021-01-01"))
    );
    assert_eq!(versions.latest().effective(), Some(date("2021-01-01")));
    // 食品安全协管 joined the 准入清单 in the 2021 version (an example entry).
    let task = Subject::task("食品安全协管");
    assert_eq!(
        versions.decide(&task, date("2020-06-01")).verdict(),
        Verdict::NeedsApproval
    );
    assert_eq!(
        versions.decide(&task, date("2021-06-01")).verdict(),
        Verdict::Admitted
    );
}

#[test]
fn overlapping_versions_are_a_located_error() {
    let err = Versions::from_dir("tests/cases/versions/overlap").unwrap_err();
    assert_eq!(err.diagnostics().len(), 1);
    let d = &err.diagnostics()[0];
    assert_eq!(d.code(), Code::BadDates);
    assert!(d.message().contains("2020.policy"), "{}", d.message());
    assert!(d.message().contains("2021-06-30"), "{}", d.message());
    // It points at the later version's 生效.
    let at = zhunru::render(d, false);
    assert!(at.contains("overlap/2021.policy:9:6"), "{at}");

    let a = Policy::from_str("a.policy", "政策 「某区」\n  生效 2021-01-01\n").unwrap();
    let b = Policy::from_str("b.policy", "政策 「某区」\n  生效 2021-01-01\n").unwrap();
    let err = Versions::new("某区", vec![a, b]).unwrap_err();
    assert_eq!(err.diagnostics()[0].code(), Code::BadDates);
    assert!(
        err.diagnostics()[0]
            .message()
            .contains("both in force from 2021-01-01")
    );

    // An earlier version ending before the next begins is fine.
    let a = Policy::from_str("a.policy", "政策 「某区」\n  失效 2020-12-31\n").unwrap();
    let b = Policy::from_str("b.policy", "政策 「某区」\n  生效 2021-01-01\n").unwrap();
    assert!(Versions::new("某区", vec![b, a]).is_ok());
}

fn zhunru(args: &[&str], stdin: &str) -> (i32, String, String) {
    run::zhunru(args, &[], stdin)
}

#[test]
fn the_command_line_takes_a_folder_of_versions() {
    // check: each file, then the folder's versions together.
    let (code, _, err) = zhunru(&["check", YINGJIANG], "");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = zhunru(&["check", "tests/cases/versions/overlap"], "");
    assert_eq!(code, 1);
    assert!(err.contains("zhunru::check::bad_dates"), "{err}");

    // eval: the version in force on --as-of.
    let task = "{\"category\":\"食品安全协管\"}\n";
    for (as_of, verdict) in [("2020-06-01", "needs_approval"), ("2021-06-01", "admitted")] {
        let (code, out, err) = zhunru(
            &["eval", "-p", YINGJIANG, "-f", "json", "--as-of", as_of, "-"],
            task,
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            out.contains(&format!("\"verdict\":\"{verdict}\"")),
            "{as_of}: {out}"
        );
    }

    // audit: each row by the version in force when it was sent.
    let log = "{\"id\":\"A\",\"category\":\"食品安全协管\",\"sent_on\":\"2020-06-01\"}\n\
               {\"id\":\"B\",\"category\":\"食品安全协管\",\"sent_on\":\"2021-06-01\"}\n";
    let (code, out, _) = zhunru(
        &[
            "audit",
            "-p",
            YINGJIANG,
            "-f",
            "json",
            "--log-format",
            "jsonl",
            "-",
        ],
        log,
    );
    assert_eq!(code, 3);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let violations = report["violations"].as_array().unwrap();
    assert_eq!(violations.len(), 1, "{out}");
    assert_eq!(violations[0]["id"], "A");

    // compare: a folder is one column, decided by the version in force.
    let (code, out, _) = zhunru(
        &[
            "compare",
            YINGJIANG,
            "-c",
            "食品安全协管",
            "--as-of",
            "2021-06-01",
            "-f",
            "csv",
        ],
        "",
    );
    assert_eq!(code, 0);
    let row = out.lines().find(|l| l.starts_with("食品安全协管")).unwrap();
    assert!(row.contains("admitted"), "{row}");
}

/// An audited log spans versions: each row is typed by the fields its own version declares,
/// in JSON Lines and in CSV (where the field's label names its column too).
#[test]
fn audit_types_each_row_by_its_versions_fields() {
    let dir = tempdir("declared");
    std::fs::copy(format!("{YINGJIANG}/2020.policy"), dir.join("2020.policy")).unwrap();
    let newer = std::fs::read_to_string(format!("{YINGJIANG}/2021.policy")).unwrap();
    // An example field only the 2021 version declares.
    let newer = format!("{newer}\n字段 事项.community_type 「社区类型」 取值 「城市」、「涉农」\n");
    std::fs::write(dir.join("2021.policy"), newer).unwrap();
    let dir = dir.to_str().unwrap();
    let audit = |format: &str, log: &str| {
        let (code, out, err) = zhunru(
            &[
                "audit",
                "-p",
                dir,
                "-f",
                "json",
                "--log-format",
                format,
                "--as-of",
                "2022-01-01",
                "-",
            ],
            log,
        );
        (
            code,
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
            err,
        )
    };
    // 2020's version does not know the field: any value passes through; 2021's types it.
    let log = "{\"id\":\"A\",\"category\":\"食品安全协管\",\"sent_on\":\"2020-06-01\",\"community_type\":\"农村\"}\n\
               {\"id\":\"B\",\"category\":\"食品安全协管\",\"sent_on\":\"2021-06-01\",\"community_type\":\"农村\"}\n\
               {\"id\":\"C\",\"category\":\"食品安全协管\",\"sent_on\":\"2021-06-01\",\"community_type\":\"涉农\"}\n\
               {\"id\":\"D\",\"category\":\"食品安全协管\",\"community_type\":\"农村\"}\n";
    let (code, report, err) = audit("jsonl", log);
    assert_eq!(code, 1, "{err}");
    let errors = report["errors"].as_array().unwrap();
    // B (sent under 2021) and D (undated: as of 2022, under 2021) are refused, each at
    // its line and the field's column.
    assert_eq!(errors.len(), 2, "{report}");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[1]["line"].as_u64()),
        (Some(2), Some(4))
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("community_type"),
        "{report}"
    );
    assert_eq!(report["summary"]["decided"], 2, "{report}");
    assert!(err.contains("<stdin>:2:"), "{err}");

    let csv = "id,sent_on,category,社区类型\n\
               A,2020-06-01,食品安全协管,农村\n\
               B,2021-06-01,食品安全协管,农村\n\
               C,2021-06-01,食品安全协管,涉农\n";
    let (code, report, err) = audit("csv", csv);
    assert_eq!(code, 1, "{err}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{report}");
    assert_eq!(
        (errors[0]["line"].as_u64(), errors[0]["column"].as_u64()),
        (Some(3), Some(21))
    );
    assert_eq!(report["summary"]["decided"], 2, "{report}");
}

/// The REPL takes a folder as one district: the version in force on the session's date
/// decides, and `:as-of` moves to the version in force on the new date.
#[test]
fn the_repl_takes_a_folder_of_versions() {
    let script = "食品安全协管能否准入？\n:as-of 2021-06-01\n食品安全协管能否准入？\n";
    let (code, out, err) = zhunru(&["repl", "--as-of", "2020-06-01", YINGJIANG], script);
    assert_eq!(code, 0, "{err}");
    let first = out.find("needs_approval").unwrap();
    assert!(out.contains("yingjiang: the version in force is"), "{out}");
    let second = out.find("admitted 准予准入").unwrap();
    assert!(first < second, "{out}");
}

/// A fresh folder for a test, removed first if an earlier run left it.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("zhunru-versions-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A folder of districts holding one policy file and one folder of versions.
fn districts_folder(name: &str) -> std::path::PathBuf {
    let dir = tempdir(name);
    std::fs::create_dir_all(dir.join("yingjiang")).unwrap();
    for year in ["2020", "2021"] {
        std::fs::copy(
            format!("{YINGJIANG}/{year}.policy"),
            dir.join(format!("yingjiang/{year}.policy")),
        )
        .unwrap();
    }
    for file in ["hefei", "national"] {
        std::fs::copy(
            format!("policies/{file}.policy"),
            dir.join(format!("{file}.policy")),
        )
        .unwrap();
    }
    // Not a district: a subfolder without policy files.
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    std::fs::write(dir.join("tests/cases.json"), "[]").unwrap();
    dir
}

/// Which districts a path holds: a file; a folder of versions named by dates; a folder of
/// districts (its policy files and its folders of versions).
#[test]
fn paths_hold_districts_by_one_rule() {
    use std::path::PathBuf;
    use zhunru::District;
    let dir = districts_folder("paths");
    assert_eq!(
        District::paths_in(&dir),
        [
            dir.join("hefei.policy"),
            dir.join("national.policy"),
            dir.join("yingjiang")
        ]
    );
    assert_eq!(
        District::paths_in(dir.join("yingjiang")),
        [dir.join("yingjiang")]
    );
    let file = PathBuf::from("policies/hefei.policy");
    assert_eq!(District::paths_in(&file), [file]);
    // Versions not named by dates, given directly: a folder of districts.
    let named = tempdir("named");
    for year in ["2020", "2021"] {
        std::fs::copy(
            format!("{YINGJIANG}/{year}.policy"),
            named.join(format!("yingjiang-{year}.policy")),
        )
        .unwrap();
    }
    assert_eq!(District::paths_in(&named).len(), 2);
}

/// A folder of districts served by the registry: the folder of versions is one district,
/// decided by the version in force on the date; its versions are listed with their dates.
#[test]
fn the_registry_holds_a_districts_dated_versions() {
    use zhunru::Policies;
    let dir = districts_folder("registry");
    let districts = Policies::load_dir(&dir);
    let set = districts.snapshot();
    assert!(set.failures().is_empty(), "{:?}", set.failures());
    assert_eq!(
        set.names().collect::<Vec<_>>(),
        ["hefei", "national", "yingjiang"]
    );
    let yingjiang = set.district("yingjiang").unwrap();
    assert_eq!(yingjiang.file(), Some(dir.join("yingjiang").as_path()));
    let dates: Vec<_> = yingjiang
        .versions()
        .versions()
        .map(|v| v.effective())
        .collect();
    assert_eq!(dates, [None, Some(date("2021-01-01"))]);
    // Today is past 2021: the 2021 version is the one in force.
    assert_eq!(yingjiang.policy().effective(), Some(date("2021-01-01")));

    let task = Subject::task("食品安全协管");
    let in_2020 = districts
        .decide_in("yingjiang", &task, date("2020-06-01"))
        .unwrap();
    let in_2021 = districts
        .decide_in("yingjiang", &task, date("2021-06-01"))
        .unwrap();
    assert_eq!(in_2020.verdict(), Verdict::NeedsApproval);
    assert_eq!(in_2021.verdict(), Verdict::Admitted);
    // Decisions name the district; the version is told by its date and hash.
    let (a, b) = (in_2020.policy().unwrap(), in_2021.policy().unwrap());
    assert_eq!((a.name(), b.name()), ("yingjiang", "yingjiang"));
    assert_ne!(a.hash(), b.hash());
    // The whole set decides each district with its version in force.
    let all = set.decide(&task, date("2020-06-01"));
    let row = all.iter().find(|(n, _)| *n == "yingjiang").unwrap();
    assert_eq!(row.1.verdict(), Verdict::NeedsApproval);
}

/// A reload that meets a broken version file, or versions that overlap, keeps the
/// district's previous versions in force, all of them, and says which file and why; a new
/// good version is taken, a removed one dropped.
#[test]
fn a_broken_version_file_keeps_the_previous_versions() {
    use zhunru::Policies;
    let dir = districts_folder("reload");
    let districts = Policies::load_dir(&dir);
    let task = Subject::task("食品安全协管");
    let verdict = |on: &str| {
        districts
            .decide_in("yingjiang", &task, date(on))
            .unwrap()
            .verdict()
    };
    let count = || {
        districts
            .snapshot()
            .district("yingjiang")
            .unwrap()
            .versions()
            .len()
    };
    let later = dir.join("yingjiang/2022.policy");

    // Broken: one failure located in that file; both versions stay.
    std::fs::write(&later, "政策 「坏」\n  生效 2022-01-01\n规则 坏\n").unwrap();
    let failures = districts.reload();
    assert_eq!(failures.len(), 1, "{failures:?}");
    let f = &failures[0];
    assert_eq!((f.district(), f.previous_in_force()), ("yingjiang", true));
    assert_eq!(f.file(), later.as_path());
    let at = f.error().diagnostics()[0].location();
    assert!(at.contains("2022.policy:"), "{at}");
    assert_eq!(count(), 2);
    assert_eq!(verdict("2020-06-01"), Verdict::NeedsApproval);
    assert_eq!(verdict("2021-06-01"), Verdict::Admitted);

    // Overlapping (the same 生效 as 2021): bad_dates at the later file; both versions stay.
    let v2021 = std::fs::read_to_string(format!("{YINGJIANG}/2021.policy")).unwrap();
    std::fs::write(&later, &v2021).unwrap();
    let failures = districts.reload();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].error().diagnostics()[0].code(), Code::BadDates);
    assert!(failures[0].previous_in_force());
    assert_eq!(count(), 2);

    // An edit of the earlier file that makes it reach into the later one's time is blamed
    // on the file edited (its 失效), not on the later one left alone.
    std::fs::remove_file(&later).unwrap();
    assert!(districts.reload().is_empty());
    let earlier = dir.join("yingjiang/2020.policy");
    let v2020 = std::fs::read_to_string(&earlier).unwrap();
    let reaching = v2020.replacen(
        "  辖区 「安庆市迎江区」\n",
        "  辖区 「安庆市迎江区」\n  失效 2021-06-30\n",
        1,
    );
    assert_ne!(reaching, v2020);
    std::fs::write(&earlier, &reaching).unwrap();
    let failures = districts.reload();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].file(), earlier.as_path());
    let d = &failures[0].error().diagnostics()[0];
    assert_eq!(d.code(), Code::BadDates);
    assert!(d.location().contains("2020.policy:"), "{}", d.location());
    assert!(
        d.message().contains("in force until 2021-06-30, after")
            && d.message()
                .contains("2021.policy` takes effect on 2021-01-01"),
        "{}",
        d.message()
    );
    assert_eq!(count(), 2);
    std::fs::write(&earlier, &v2020).unwrap();
    assert!(districts.reload().is_empty());

    // Fixed: a third version, in force from 2022.
    let v2022 = v2021.replace("生效 2021-01-01", "生效 2022-01-01");
    assert_ne!(v2022, v2021);
    std::fs::write(&later, &v2022).unwrap();
    assert!(districts.reload().is_empty());
    assert_eq!(count(), 3);
    let in_force = districts.snapshot();
    let yingjiang = in_force.district("yingjiang").unwrap();
    assert_eq!(
        yingjiang.in_force(date("2022-03-01")).source().name(),
        later.display().to_string()
    );

    // Removed: back to two.
    std::fs::remove_file(&later).unwrap();
    assert!(districts.reload().is_empty());
    assert_eq!(count(), 2);

    // A whole folder of versions removed: the district goes, the others stay.
    std::fs::remove_dir_all(dir.join("yingjiang")).unwrap();
    assert!(districts.reload().is_empty());
    assert_eq!(districts.names(), ["hefei", "national"]);
}
