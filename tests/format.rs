//! `zhunru fmt`: canonical layout, idempotent, meaning-preserving, and the keyword
//! languages interchangeable.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use proptest::prelude::*;
use zhunru::Lang;
use zhunru::ast::ShapeEq;
use zhunru::format::format_source;
use zhunru::input::SubjectReader;
use zhunru::{Date, Policy, Source};

const DISTRICTS: &[&str] = &["hefei", "nanqiao", "yingjiang"];

fn source(path: &str) -> Source {
    Source::new(path, std::fs::read_to_string(path).unwrap())
}

/// The policy's syntax tree: compared with `eq_shape`, which ignores where things were
/// written (spans) and comments.
fn shape(text: &str) -> Shape {
    let ast = Policy::from_str("x.policy", text)
        .map(|p| p.ast().clone())
        .or_else(|_| zhunru::parse_policy(&Source::new("x.policy", text)))
        .unwrap_or_else(|e| panic!("does not parse: {e:?}\n{text}"));
    Shape(ast)
}

/// An AST whose `==` is shape equality, so tests can `assert_eq!` and show both on failure.
#[derive(Debug)]
struct Shape(zhunru::ast::PolicyAst);

impl PartialEq for Shape {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_shape(&other.0)
    }
}

#[test]
fn shipped_policies_are_in_canonical_layout() {
    for d in DISTRICTS {
        let src = source(&format!("policies/{d}.policy"));
        assert_eq!(
            format_source(&src, None).unwrap(),
            *src.text(),
            "run `zhunru fmt policies/{d}.policy`"
        );
        let en = source(&format!("examples/policies/en/{d}.policy"));
        assert_eq!(format_source(&en, None).unwrap(), *en.text());
    }
}

/// A comment after code stays on that code's line: put on a line of its own it read as the
/// note of the next clause, entry or rule (a new-user trial: a clause's provenance note moved
/// above the next clause). A comment on a line of its own stays on its own line.
#[test]
fn a_comment_after_code_stays_on_its_line() {
    let text = "政策 「测试」 // 标题后注释\n  辖区 「某区」 // 辖区注释\n  生效 2020-01-01\n\n\
                文件 「某文件」 {\n  条款 A1 「条款一」 // 示例，非原文\n  条款 A2 「条款二」\n}\n\n\
                清单 甲 引用 A1 { // 清单注释\n  「x」 // 条目注释\n  「y」\n}\n\n\
                // 独立注释\n规则 好 引用 A2\n  当 事项.category 属于 甲 // 条件注释\n  准予准入 「好」 // 结果注释\n";
    let once = format_source(&Source::new("c.policy", text.to_owned()), None).unwrap();
    assert_eq!(
        once,
        "政策 「测试」 // 标题后注释\n  辖区 「某区」 // 辖区注释\n  生效 2020-01-01\n\n\
         文件 「某文件」 {\n  条款 A1 「条款一」 // 示例，非原文\n  条款 A2 「条款二」\n}\n\n\
         清单 甲 引用 A1 { // 清单注释\n  \"x\" // 条目注释\n  \"y\"\n}\n\n\
         // 独立注释\n规则 好 引用 A2\n  当 事项.category 属于 甲 // 条件注释\n  准予准入 「好」 // 结果注释\n"
    );
    let twice = format_source(&Source::new("c.policy", once.clone()), None).unwrap();
    assert_eq!(once, twice);
    assert_eq!(shape(text), shape(&once));
}

#[test]
fn keyword_languages_round_trip_exactly() {
    for d in DISTRICTS {
        let zh = source(&format!("policies/{d}.policy"));
        let en = format_source(&zh, Some(Lang::En)).unwrap();
        assert_eq!(
            en,
            std::fs::read_to_string(format!("examples/policies/en/{d}.policy")).unwrap()
        );
        let back = format_source(&Source::new("en", en), Some(Lang::Zh)).unwrap();
        assert_eq!(back, *zh.text());
    }
}

#[test]
fn both_keyword_forms_decide_every_example_the_same() {
    let as_of = Date::new(2020, 6, 1).unwrap();
    let mut inputs: Vec<std::path::PathBuf> = Vec::new();
    for dir in [
        "examples/tasks",
        "examples/premises",
        "examples/assessments",
        "examples",
    ] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "json" || x == "jsonl") {
                inputs.push(p);
            }
        }
    }
    let mut decided = 0;
    for d in DISTRICTS {
        let zh = Policy::from_file(format!("policies/{d}.policy")).unwrap();
        let en = Policy::from_file(format!("examples/policies/en/{d}.policy")).unwrap();
        for path in &inputs {
            let reader = std::io::BufReader::new(std::fs::File::open(path).unwrap());
            for (line, read) in SubjectReader::new(reader, "x") {
                let subject = read.unwrap();
                let (a, b) = (zh.decide(&subject, as_of), en.decide(&subject, as_of));
                assert_eq!(a.verdict(), b.verdict(), "{d} {}:{line}", path.display());
                assert_eq!(a.missing(), b.missing());
                let strip = |d: &zhunru::Decision| {
                    d.reasons()
                        .iter()
                        .map(|r| {
                            (
                                r.rule().to_owned(),
                                r.message().to_owned(),
                                r.cites().to_vec(),
                            )
                        })
                        .collect::<Vec<_>>()
                };
                assert_eq!(strip(&a), strip(&b));
                decided += 1;
            }
        }
    }
    assert!(decided > 100);
}

#[test]
fn formatting_keeps_the_ast_of_every_test_policy() {
    let mut paths: Vec<_> = std::fs::read_dir("tests/cases/broken")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for d in DISTRICTS {
        paths.push(format!("policies/{d}.policy").into());
    }
    for path in paths {
        let src = Source::new(
            path.display().to_string(),
            std::fs::read_to_string(&path).unwrap(),
        );
        let Ok(once) = format_source(&src, None) else {
            continue;
        };
        let twice = format_source(&Source::new("x", once.clone()), None).unwrap();
        assert_eq!(once, twice, "not idempotent: {}", path.display());
        assert_eq!(
            shape(src.text()),
            shape(&once),
            "AST changed: {}",
            path.display()
        );
        for k in [Lang::En, Lang::Zh] {
            let other = format_source(&src, Some(k)).unwrap();
            assert_eq!(
                shape(src.text()),
                shape(&other),
                "AST changed in {k:?}: {}",
                path.display()
            );
        }
    }
}

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "招商引资",
        "协税护税",
        "a\"b",
        "「嵌套」引号",
        "x{y}z",
        "back\\slash",
        "tab\there",
        "ASCII only",
        "行政 执法",
    ])
    .prop_map(str::to_owned)
}

fn condition() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(vec![
        "事项.category 属于 甲",
        "task.category not in 甲",
        "事项.funding.amount > 0",
        "事项.funding.amount * 2 - 1 >= 3 + 4 / 2",
        "(事项.funding.amount - 1) * 2 < 100",
        "事项.period.end >= 今天",
        "事项.period.end < 2020-06-30",
        "事项.basis 已提供",
        "task.authorization absent",
        "计数(事项.basis) > 1",
        "count(task.basis not in 甲) == 0",
        "任一 事项.basis 属于 甲",
        "all task.basis not in 甲",
        "事项.work_plan",
        "事项.work_plan == 否",
        "事项.approval.status != \"approved\"",
        "事项.funding.amount / 100 <= 20%",
    ]);
    let leaf = atom.prop_map(str::to_owned);
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} 且 {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or ({b})")),
            inner.clone().prop_map(|a| format!("非 ({a})")),
            inner.prop_map(|a| format!("not not ({a})")),
        ]
    })
}

fn policy() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(text(), 1..4),
        condition(),
        prop::collection::vec(condition(), 0..3),
        text(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(entries, when, requires, msg, english, comment)| {
            let quote = |t: &str| {
                let escaped: String = t
                    .chars()
                    .flat_map(|c| match c {
                        '"' => vec!['\\', '"'],
                        '\\' => vec!['\\', '\\'],
                        '\t' => vec!['\\', 't'],
                        '{' => vec!['\\', '{'],
                        '}' => vec!['\\', '}'],
                        c => vec![c],
                    })
                    .collect();
                format!("\"{escaped}\"")
            };
            let entries: Vec<String> = entries.iter().map(|e| quote(e)).collect();
            let reqs: Vec<String> = requires.iter().enumerate().map(|(i, r)| format!("{r} 记为 r{i}")).collect();
            let require = if reqs.is_empty() { String::new() } else { format!("  要求 {}\n", reqs.join("，")) };
            let (head, kw_rule) = if english {
                ("policy \"p\"\ndocument \"d\" { clause N1 \"c\" clause N3 \"c\" }", "rule")
            } else {
                ("政策 「p」\n文件 「d」 { 条款 N1 「c」 条款 N3 「c」 }", "规则")
            };
            let c = if comment { "  // 说明\n" } else { "" };
            let tail = if comment { " // 尾注" } else { "" };
            format!(
                "{head}\n清单 甲 「甲」 引用 N1 {{ {} }}\n{c}{kw_rule} 乙 引用 N3{tail}\n{c}  当 {when}\n{require}  须经审批 \"{{事项.category}} {}\"{tail}\n",
                entries.join("，"),
                quote(&msg).trim_matches('"')
            )
        })
}

proptest! {
    /// fmt then parse gives the same AST; fmt is idempotent; both keyword forms agree.
    #[test]
    fn fmt_preserves_the_ast_and_is_idempotent(text in policy()) {
        let src = Source::new("gen.policy", text.clone());
        let once = format_source(&src, None).unwrap();
        prop_assert_eq!(shape(&text), shape(&once));
        let twice = format_source(&Source::new("x", once.clone()), None).unwrap();
        prop_assert_eq!(&once, &twice);
        let en = format_source(&src, Some(Lang::En)).unwrap();
        prop_assert_eq!(shape(&text), shape(&en));
        let en_twice = format_source(&Source::new("x", en.clone()), None).unwrap();
        prop_assert_eq!(en, en_twice);
    }
}
