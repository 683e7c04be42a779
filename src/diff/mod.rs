//! What changed between two versions of a policy — the yearly review of the lists (Y6):
//! header fields, lists (added, removed, entries added or removed, aliases and `示例` marks
//! changed, title and cite changed), rules (added, removed, changed), assertions; and, given
//! subjects, whose verdict, reasons or missing requirements change.
//!
//! Lists and rules are matched by name. Entries are matched in their normalised form (see
//! [`crate::normalize`]), so re-spacing an entry is no change. A rule has changed when its
//! meaning as parsed has: layout, comments and the choice of Chinese or English keywords
//! are ignored.
//!
//! ```
//! use zhunru::{Date, Policy, Subject, diff};
//!
//! let old = Policy::from_str("old.policy", r#"
//!     政策 「示例」
//!     文件 「示例办法」 { 条款 Y1 「两个清单」 条款 Y2 「清单外须经审批」 条款 Y3 「负面清单」 条款 Y7 「三个严禁」 }
//!     清单 负面清单 「负面清单」 引用 Y3 { 「招商引资」 }
//!     规则 负面 引用 Y3 当 事项.category 属于 负面清单 不予准入 「不得下放」
//!     规则 其他 引用 Y2 当 事项.category 不属于 负面清单 须经审批 「须经审批」
//! "#).unwrap();
//! let new = Policy::from_str("new.policy", r#"
//!     政策 「示例」
//!     文件 「示例办法」 { 条款 Y1 「两个清单」 条款 Y2 「清单外须经审批」 条款 Y3 「负面清单」 条款 Y7 「三个严禁」 }
//!     清单 负面清单 「负面清单」 引用 Y3 { 「招商引资」, 「经济创收」 }
//!     规则 负面 引用 Y3 当 事项.category 属于 负面清单 不予准入 「不得下放」
//!     规则 其他 引用 Y2 当 事项.category 不属于 负面清单 须经审批 「须经审批」
//! "#).unwrap();
//! let subjects = vec![(1, Subject::task("经济创收"))];
//! let d = diff::diff(&old, &new)
//!     .with_subjects(&old, &new, &subjects, Date::new(2021, 1, 1).unwrap());
//! assert_eq!(d.lists[0].entries_added[0].value, "经济创收");
//! assert!(diff::render_text(&d).contains("line 1 经济创收: needs_approval → denied"));
//! ```

use std::collections::HashMap;

use serde::Serialize;

mod render;
pub use render::{render_json, render_markdown, render_text};

use crate::Policy;
use crate::ast::{Entry, ListDecl, RuleDecl, ShapeEq};
use crate::eval::{Decision, Verdict};
use crate::markup::literal_text;
use crate::normalize::literal_key;
use crate::normalize::normalize;
use crate::value::{Date, Subject};

/// A value before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delta<T> {
    /// In the old policy.
    pub old: T,
    /// In the new policy.
    pub new: T,
}

/// How an item differs between the two versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Only in the new policy.
    Added,
    /// Only in the old policy.
    Removed,
    /// In both, different.
    Changed,
}

impl Change {
    /// The mark used in text output: `+`, `-`, `~`.
    pub fn mark(self) -> char {
        match self {
            Change::Added => '+',
            Change::Removed => '-',
            Change::Changed => '~',
        }
    }

    /// The word used in Markdown output: `added`, `removed`, `changed`.
    pub fn word(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Removed => "removed",
            Change::Changed => "changed",
        }
    }
}

/// A header field that changed (`title`, `jurisdiction`, `source`, `effective`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeaderChange {
    /// The field's name.
    pub field: String,
    /// Its value before and after; `None` when not given.
    #[serde(flatten)]
    pub delta: Delta<Option<String>>,
}

/// A list entry, as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryInfo {
    /// The entry.
    pub value: String,
    /// Its aliases.
    pub aliases: Vec<String>,
    /// Marked `示例`: illustrative, not quoted from the source.
    pub example: bool,
}

impl EntryInfo {
    fn of(entry: &Entry) -> EntryInfo {
        EntryInfo {
            value: literal_text(&entry.value.node),
            aliases: entry.aliases.iter().map(|a| a.node.clone()).collect(),
            example: entry.example,
        }
    }
}

/// An entry in both versions of a list whose aliases or `示例` mark changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryChange {
    /// The entry (as the new policy writes it).
    pub value: String,
    /// Aliases before and after, when they changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aliases: Option<Delta<Vec<String>>>,
    /// The `示例` mark before and after, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example: Option<Delta<bool>>,
}

/// A list that was added, removed or changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ListDiff {
    /// The list's name.
    pub name: String,
    /// Added, removed or changed.
    pub change: Change,
    /// Its published title (the new one, else the old one).
    pub title: Option<String>,
    /// Its cites (the new ones, else the old ones).
    pub cite: Vec<String>,
    /// The title before and after, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_change: Option<Delta<Option<String>>>,
    /// The cites before and after, when they changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cite_change: Option<Delta<Vec<String>>>,
    /// Entries only in the new list (every entry of an added list).
    pub entries_added: Vec<EntryInfo>,
    /// Entries only in the old list (every entry of a removed list).
    pub entries_removed: Vec<EntryInfo>,
    /// Entries in both whose aliases or `示例` mark changed.
    pub entries_changed: Vec<EntryChange>,
}

/// A rule that was added, removed or changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleDiff {
    /// The rule's name.
    pub name: String,
    /// Added, removed or changed.
    pub change: Change,
    /// Its cites (the new ones, else the old ones).
    pub cite: Vec<String>,
    /// Its source text in the old policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_text: Option<String>,
    /// Its source text in the new policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_text: Option<String>,
}

/// An assertion only in one version (assertions have no names: matched by meaning).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssertDiff {
    /// Added or removed.
    pub change: Change,
    /// Its source text.
    pub text: String,
}

/// The part of a decision a reviewer compares: verdict, deciding rules, what is missing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecisionSummary {
    /// The verdict.
    pub verdict: Verdict,
    /// The names of the rules that decided it, in policy order.
    pub reasons: Vec<String>,
    /// What the application lacks.
    pub missing: Vec<String>,
}

impl DecisionSummary {
    /// The comparable part of a decision.
    pub fn of(decision: &Decision) -> DecisionSummary {
        DecisionSummary {
            verdict: decision.verdict,
            reasons: decision.reasons.iter().map(|r| r.rule.clone()).collect(),
            missing: decision.missing.clone(),
        }
    }
}

/// A subject whose decision differs between the two policies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VerdictChange {
    /// The line of the input the subject starts on.
    pub line: usize,
    /// Its id, else its name or category, else its kind.
    pub label: String,
    /// Its category, for a task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The decision under the old policy.
    pub old: DecisionSummary,
    /// The decision under the new policy.
    pub new: DecisionSummary,
}

/// Subjects decided under both policies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SubjectsDiff {
    /// The date both were decided as of.
    pub as_of: Date,
    /// How many subjects were decided.
    pub decided: usize,
    /// Those whose verdict, reasons or missing changed, in input order.
    pub changed: Vec<VerdictChange>,
}

/// Everything that differs between two versions of a policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyDiff {
    /// The old policy's name (its path as given).
    pub old: String,
    /// The new policy's name.
    pub new: String,
    /// Header fields that changed.
    pub header: Vec<HeaderChange>,
    /// Lists added, removed or changed: old order, then lists only in the new policy.
    pub lists: Vec<ListDiff>,
    /// Rules added, removed or changed: old order, then rules only in the new policy.
    pub rules: Vec<RuleDiff>,
    /// Assertions added or removed.
    pub asserts: Vec<AssertDiff>,
    /// Given subjects, whose decisions change (see [`PolicyDiff::with_subjects`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subjects: Option<SubjectsDiff>,
    /// Every clause the changed lists and rules cite, with its document in each version,
    /// so a reviewer can look it up (「民发〔2015〕136号 136-一」).
    pub sources: Vec<SourceRef>,
}

/// A cited clause id with its document in the old and the new policy (`None` where that
/// version declares no such clause).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SourceRef {
    /// The clause id as cited.
    pub id: String,
    /// Its document and id in the old policy.
    pub old: Option<String>,
    /// Its document and id in the new policy.
    pub new: Option<String>,
}

/// The clauses `lists` and `rules` cite, in the order met, each looked up in both policies.
fn sources(old: &Policy, new: &Policy, lists: &[ListDiff], rules: &[RuleDiff]) -> Vec<SourceRef> {
    let mut ids: Vec<&String> = Vec::new();
    let cited = lists
        .iter()
        .flat_map(|l| {
            let changed = l
                .cite_change
                .iter()
                .flat_map(|c| c.old.iter().chain(&c.new));
            l.cite.iter().chain(changed)
        })
        .chain(rules.iter().flat_map(|r| &r.cite));
    for id in cited {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.into_iter()
        .map(|id| SourceRef {
            id: id.clone(),
            old: old.clause(id).map(|c| c.label()),
            new: new.clause(id).map(|c| c.label()),
        })
        .collect()
}

impl PolicyDiff {
    /// No change in the policy text's meaning, and no subject's decision changes.
    pub fn is_empty(&self) -> bool {
        self.header.is_empty()
            && self.lists.is_empty()
            && self.rules.is_empty()
            && self.asserts.is_empty()
            && self.subjects.as_ref().is_none_or(|s| s.changed.is_empty())
    }

    /// Decide each subject (with the line it was read from) under both policies as of a
    /// date, and keep those whose verdict, reasons or missing differ.
    pub fn with_subjects(
        mut self,
        old: &Policy,
        new: &Policy,
        subjects: &[(usize, Subject)],
        as_of: Date,
    ) -> PolicyDiff {
        self.subjects = Some(diff_subjects(old, new, subjects, as_of));
        self
    }
}

/// Decide each subject under both policies and keep those whose decisions differ.
pub fn diff_subjects(
    old: &Policy,
    new: &Policy,
    subjects: &[(usize, Subject)],
    as_of: Date,
) -> SubjectsDiff {
    let changed = subjects
        .iter()
        .filter_map(|(line, subject)| {
            // Versions are compared on their rules: each decides as if it were in force.
            let before = DecisionSummary::of(&old.decide_as_if_in_force(subject, as_of));
            let after = DecisionSummary::of(&new.decide_as_if_in_force(subject, as_of));
            (before != after).then(|| VerdictChange {
                line: *line,
                label: subject.label(),
                category: subject.category().map(str::to_owned),
                old: before,
                new: after,
            })
        })
        .collect();
    SubjectsDiff {
        as_of,
        decided: subjects.len(),
        changed,
    }
}

/// Compare two versions of a policy.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let lists = diff_lists(old, new);
    let rules = diff_rules(old, new);
    PolicyDiff {
        old: old.source().name.to_string(),
        new: new.source().name.to_string(),
        header: diff_header(old, new),
        sources: sources(old, new, &lists, &rules),
        lists,
        rules,
        asserts: diff_asserts(old, new),
        subjects: None,
    }
}

fn diff_header(old: &Policy, new: &Policy) -> Vec<HeaderChange> {
    let fields = |p: &Policy| -> [(&'static str, Option<String>); 4] {
        let h = &p.ast().header;
        [
            ("title", Some(h.title.node.clone())),
            (
                "jurisdiction",
                h.jurisdiction.as_ref().map(|j| j.node.clone()),
            ),
            ("source", h.source.as_ref().map(|s| s.node.clone())),
            (
                "effective",
                h.effective.as_ref().map(|d| d.node.to_string()),
            ),
        ]
    };
    fields(old)
        .into_iter()
        .zip(fields(new))
        .filter(|((_, a), (_, b))| a != b)
        .map(|((field, a), (_, b))| HeaderChange {
            field: field.to_owned(),
            delta: Delta { old: a, new: b },
        })
        .collect()
}

fn cites(c: &[crate::source::Spanned<String>]) -> Vec<String> {
    c.iter().map(|c| c.node.clone()).collect()
}

fn diff_lists(old: &Policy, new: &Policy) -> Vec<ListDiff> {
    let mut out = Vec::new();
    for list in &old.ast().lists {
        match new.list_decl(&list.name.node) {
            None => out.push(ListDiff {
                name: list.name.node.clone(),
                change: Change::Removed,
                title: list.title.as_ref().map(|t| t.node.clone()),
                cite: cites(&list.cite),
                title_change: None,
                cite_change: None,
                entries_added: Vec::new(),
                entries_removed: list.entries.iter().map(EntryInfo::of).collect(),
                entries_changed: Vec::new(),
            }),
            Some(after) => {
                if let Some(d) = diff_list(list, after) {
                    out.push(d);
                }
            }
        }
    }
    for list in &new.ast().lists {
        if old.list_decl(&list.name.node).is_none() {
            out.push(ListDiff {
                name: list.name.node.clone(),
                change: Change::Added,
                title: list.title.as_ref().map(|t| t.node.clone()),
                cite: cites(&list.cite),
                title_change: None,
                cite_change: None,
                entries_added: list.entries.iter().map(EntryInfo::of).collect(),
                entries_removed: Vec::new(),
                entries_changed: Vec::new(),
            });
        }
    }
    out
}

/// Entries by normalised key; the first of duplicates wins, as in lookups.
fn entries_by_key(list: &ListDecl) -> HashMap<String, &Entry> {
    let mut map = HashMap::new();
    for e in &list.entries {
        map.entry(literal_key(&e.value.node)).or_insert(e);
    }
    map
}

fn alias_keys(e: &Entry) -> Vec<String> {
    let mut keys: Vec<String> = e
        .aliases
        .iter()
        .map(|a| normalize(&a.node).into_owned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn diff_list(old: &ListDecl, new: &ListDecl) -> Option<ListDiff> {
    let old_entries = entries_by_key(old);
    let new_entries = entries_by_key(new);
    let mut seen_old = std::collections::HashSet::new();
    let mut seen_new = std::collections::HashSet::new();
    let entries_removed = old
        .entries
        .iter()
        .filter(|e| {
            let key = literal_key(&e.value.node);
            !new_entries.contains_key(&key) && seen_old.insert(key)
        })
        .map(EntryInfo::of)
        .collect::<Vec<_>>();
    let mut entries_added = Vec::new();
    let mut entries_changed = Vec::new();
    for e in &new.entries {
        let key = literal_key(&e.value.node);
        if !seen_new.insert(key.clone()) {
            continue;
        }
        match old_entries.get(&key) {
            None => entries_added.push(EntryInfo::of(e)),
            Some(before) => {
                let aliases = (alias_keys(before) != alias_keys(e)).then(|| Delta {
                    old: before.aliases.iter().map(|a| a.node.clone()).collect(),
                    new: e.aliases.iter().map(|a| a.node.clone()).collect(),
                });
                let example = (before.example != e.example).then_some(Delta {
                    old: before.example,
                    new: e.example,
                });
                if aliases.is_some() || example.is_some() {
                    entries_changed.push(EntryChange {
                        value: literal_text(&e.value.node),
                        aliases,
                        example,
                    });
                }
            }
        }
    }
    let title = |l: &ListDecl| l.title.as_ref().map(|t| t.node.clone());
    let title_change = (title(old) != title(new)).then(|| Delta {
        old: title(old),
        new: title(new),
    });
    let cite_change = (cites(&old.cite) != cites(&new.cite)).then(|| Delta {
        old: cites(&old.cite),
        new: cites(&new.cite),
    });
    let unchanged = title_change.is_none()
        && cite_change.is_none()
        && entries_added.is_empty()
        && entries_removed.is_empty()
        && entries_changed.is_empty();
    (!unchanged).then(|| ListDiff {
        name: new.name.node.clone(),
        change: Change::Changed,
        title: title(new),
        cite: cites(&new.cite),
        title_change,
        cite_change,
        entries_added,
        entries_removed,
        entries_changed,
    })
}

fn diff_rules(old: &Policy, new: &Policy) -> Vec<RuleDiff> {
    let text = |p: &Policy, r: &RuleDecl| p.source().slice(r.span).to_owned();
    let mut out = Vec::new();
    for rule in &old.ast().rules {
        match new.rule(&rule.name.node) {
            None => out.push(RuleDiff {
                name: rule.name.node.clone(),
                change: Change::Removed,
                cite: cites(&rule.cite),
                old_text: Some(text(old, rule)),
                new_text: None,
            }),
            Some(after) if !rule.eq_shape(after) => out.push(RuleDiff {
                name: rule.name.node.clone(),
                change: Change::Changed,
                cite: cites(&after.cite),
                old_text: Some(text(old, rule)),
                new_text: Some(text(new, after)),
            }),
            Some(_) => {}
        }
    }
    for rule in &new.ast().rules {
        if old.rule(&rule.name.node).is_none() {
            out.push(RuleDiff {
                name: rule.name.node.clone(),
                change: Change::Added,
                cite: cites(&rule.cite),
                old_text: None,
                new_text: Some(text(new, rule)),
            });
        }
    }
    out
}

fn diff_asserts(old: &Policy, new: &Policy) -> Vec<AssertDiff> {
    let old_asserts = &old.ast().asserts;
    let new_asserts = &new.ast().asserts;
    // Pair equal assertions one to one; what is left over was removed or added.
    let mut used = vec![false; new_asserts.len()];
    let mut out = Vec::new();
    for (i, a) in old_asserts.iter().enumerate() {
        let partner = new_asserts
            .iter()
            .enumerate()
            .position(|(j, b)| !used.get(j).copied().unwrap_or(true) && a.eq_shape(b));
        match partner.and_then(|j| used.get_mut(j)) {
            Some(slot) => *slot = true,
            None => {
                if let Some(decl) = old.ast().asserts.get(i) {
                    out.push(AssertDiff {
                        change: Change::Removed,
                        text: old.source().slice(decl.span).to_owned(),
                    });
                }
            }
        }
    }
    for (decl, used) in new.ast().asserts.iter().zip(used) {
        if !used {
            out.push(AssertDiff {
                change: Change::Added,
                text: new.source().slice(decl.span).to_owned(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::render::{render_markdown, render_text};

    fn policy(name: &str, text: &str) -> Policy {
        match Policy::from_str(name, text) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        }
    }

    const BASE: &str = r#"
政策 「示例」
文件 「示例办法」 { 条款 Y1 「两个清单」 条款 Y2 「清单外须经审批」 条款 Y3 「负面清单」 条款 Y7 「三个严禁」 }
清单 负面清单 「负面清单」 引用 Y3 { 「招商引资」 }
规则 负面 引用 Y3
  当 事项.category 属于 负面清单
  不予准入 「不得下放」
规则 其他 引用 Y2
  当 事项.category 不属于 负面清单
  须经审批 「须经审批」
"#;

    #[test]
    fn layout_comments_and_keywords_are_no_change() {
        let english = r#"
policy "示例"
document "示例办法" { clause Y1 "两个清单" clause Y2 "清单外须经审批" clause Y3 "负面清单" clause Y7 "三个严禁" }
list 负面清单 "负面清单" cite Y3 { "  招商引资" }
// a comment
rule 负面 cite Y3 when task.category in 负面清单 deny "不得下放"
rule 其他 cite Y2
  when task.category not in 负面清单   # another
  refer "须经审批"
"#;
        let d = diff(&policy("a", BASE), &policy("b", english));
        assert!(d.is_empty(), "{}", render_text(&d));
        assert!(render_text(&d).contains("no differences"));
    }

    #[test]
    fn a_changed_rule_shows_its_lines() {
        let changed = BASE.replace("不予准入 「不得下放」", "不予准入 「严禁下放」");
        let d = diff(&policy("a", BASE), &policy("b", &changed));
        assert_eq!(d.rules.len(), 1);
        assert_eq!(d.rules[0].change, Change::Changed);
        let text = render_text(&d);
        assert!(text.contains("-   不予准入 「不得下放」"), "{text}");
        assert!(text.contains("+   不予准入 「严禁下放」"), "{text}");
        assert!(text.contains("    规则 负面 引用 Y3"), "{text}");
    }

    #[test]
    fn removals_marks_and_cites() {
        let old = r#"
政策 「示例」
文件 「示例办法」 { 条款 Y1 「两个清单」 条款 Y2 「清单外须经审批」 条款 Y3 「负面清单」 条款 Y7 「三个严禁」 }
清单 负面清单 「负面清单」 引用 Y3 { 「招商引资」, 示例 「某项」 }
清单 旧清单 「旧」 引用 Y1 { 「甲」 }
规则 负面 引用 Y3
  当 事项.category 属于 负面清单
  不予准入 「不得下放」
规则 其他 引用 Y2
  当 事项.category 不属于 负面清单 且 事项.category 不属于 旧清单
  须经审批 「须经审批」
"#;
        let new = r#"
政策 「示例」
文件 「示例办法」 { 条款 Y1 「两个清单」 条款 Y2 「清单外须经审批」 条款 Y3 「负面清单」 条款 Y7 「三个严禁」 }
清单 负面清单 「负面清单」 引用 Y3, Y7 { 「招商引资」, 「某项」 }
规则 其他 引用 Y2
  当 事项.category 不属于 负面清单
  须经审批 「须经审批」
"#;
        let d = diff(&policy("a", old), &policy("b", new));
        let text = render_text(&d);
        assert!(text.contains("~ cite Y3 → Y3, Y7"), "{text}");
        assert!(text.contains("~ 「某项」 no longer marked 示例"), "{text}");
        assert!(
            text.contains("- list 旧清单 「旧」 [Y1]\n      - 「甲」"),
            "{text}"
        );
        assert!(
            text.contains("- rule 负面 [Y3]\n      - 规则 负面 引用 Y3"),
            "{text}"
        );
        assert!(text.contains("~ rule 其他 [Y2]"), "{text}");
        let md = render_markdown(&d);
        assert!(md.contains("### removed: 旧清单 「旧」 \\[Y1\\]"), "{md}");
        assert!(md.contains("- removed: 「甲」"), "{md}");
    }
}
