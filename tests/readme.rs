//! The README's examples stay true: every policy of "The language by example" loads (its
//! parent beside it, as the README says), and the commands whose output it shows print
//! that output, where it is shown whole.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed

use std::process::Command;

fn readme() -> String {
    std::fs::read_to_string("README.md").unwrap()
}

/// The fenced blocks without a language between two headings of the README.
fn plain_blocks(text: &str, from: &str, to: &str) -> Vec<String> {
    let start = text.find(from).unwrap();
    let end = start + text[start..].find(to).unwrap();
    text[start..end]
        .split("\n```")
        .collect::<Vec<_>>()
        .chunks(2)
        .filter_map(|pair| pair.get(1))
        .filter(|block| block.starts_with('\n'))
        .map(|block| block.to_string())
        .collect()
}

#[test]
fn the_language_examples_load() {
    let text = readme();
    let blocks = plain_blocks(
        &text,
        "## The language by example",
        "In English keywords: `expires`",
    );
    assert_eq!(blocks.len(), 3, "the section's policies");
    let dir = std::env::temp_dir().join(format!("zhunru-readme-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy("policies/national.policy", dir.join("national.policy")).unwrap();
    for (i, block) in blocks.iter().enumerate() {
        let path = dir.join(format!("example-{i}.policy"));
        std::fs::write(&path, block).unwrap();
        if let Err(e) = zhunru::Policy::from_file(&path) {
            let shown: String = e
                .diagnostics()
                .iter()
                .map(|d| zhunru::render(d, false))
                .collect();
            panic!("README example {i} does not load:\n{shown}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A console block's command (after `$ `, continued with `\`) and the output shown.
fn console(text: &str, command_start: &str) -> (String, String) {
    let at = text.find(&format!("$ {command_start}")).unwrap();
    let rest = &text[at + 2..];
    let end = rest.find("```").unwrap();
    let block = &rest[..end];
    let mut lines = block.lines();
    let mut command = String::new();
    for line in lines.by_ref() {
        let line = line.trim();
        match line.strip_suffix('\\') {
            Some(part) => command.push_str(part),
            None => {
                command.push_str(line);
                break;
            }
        }
    }
    let output: Vec<&str> = lines.collect();
    (command, output.join("\n") + "\n")
}

fn run(command: &str) -> String {
    let command = command
        .trim()
        .replace("cargo run --release -q -- ", "zhunru ");
    let out = Command::new("sh")
        .arg("-c")
        .arg(command.replace("zhunru ", &format!("{} ", env!("CARGO_BIN_EXE_zhunru"))))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap()
}

#[test]
fn the_decisions_shown_are_what_eval_prints() {
    let text = readme();
    for start in [
        "cargo run --release -q -- eval --policy policies/nanqiao.policy examples/tasks/investment.json",
        "echo '{\"category\":\"企业摸底\",\"approval\":{\"status\":\"approved\"}}'",
    ] {
        let (command, shown) = console(&text, start);
        assert_eq!(run(&command).trim_end(), shown.trim_end(), "{command}");
    }
}
