//! The contract's names in words a requesting department reads: field paths, enumerated
//! values and the requirement names (`missing`) the shipped policies use. Shared by the
//! decision record, the REPL's answers and the page; a leaf module. Field labels and the
//! words for values come from the shipped schema file (`schema/contract.policy`).

use crate::schema::{Choice, FieldType};

/// The contract's fields in words a requesting department reads (for records and answers):
/// the labels of the shipped schema file, `schema/contract.policy`.
///
/// ```
/// assert_eq!(zhunru::labels::field_label("approval.by"), Some("审定机关"));
/// ```
pub fn field_label(path: &str) -> Option<&'static str> {
    let names: Vec<&str> = path.split('.').collect();
    crate::schema::contract()
        .spec(None, &names)?
        .label
        .as_deref()
}

/// An enumerated value of the contract in words (`responsible` → 责任主体): its first word
/// in the shipped schema file.
///
/// ```
/// assert_eq!(zhunru::labels::value_label("responsible"), Some("责任主体"));
/// ```
pub fn value_label(value: &str) -> Option<&'static str> {
    contract_choices().find(|c| c.value == value)?.label()
}

/// Every value of every one-of field of the contract.
fn contract_choices() -> impl Iterator<Item = &'static Choice> {
    crate::schema::contract()
        .leaves()
        .into_iter()
        .filter_map(|(_, spec)| match &spec.ty {
            FieldType::Enum(choices) => Some(choices.iter()),
            _ => None,
        })
        .flatten()
}

/// A `missing` name used by the shipped policies in plain words, with the subject field it
/// is about (`approval_by` → 审定机关, `approval.by`).
///
/// ```
/// assert_eq!(zhunru::labels::missing_label("funding"), Some(("经费预算", &["funding", "amount"][..])));
/// ```
pub fn missing_label(name: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match name {
        "approval" => ("审批（须经批准）", &["approval", "status"]),
        "approval_by" => ("审定机关", &["approval", "by"]),
        "approval_date" => ("审批日期", &["approval", "date"]),
        "basis" => ("文件依据", &["basis"]),
        "work_plan" => ("工作方案", &["work_plan"]),
        "requirements" => ("任务要求", &["requirements"]),
        "period" => ("工作时间（期限）", &["period", "end"]),
        "funding" => ("经费预算", &["funding", "amount"]),
        "authorization_content" => ("授权内容", &["authorization", "content"]),
        "authorization_object" => ("授权对象", &["authorization", "object"]),
        "authorization_powers" => ("授权权限", &["authorization", "powers"]),
        "authorization_until" => ("授权时限", &["authorization", "until"]),
        "requester" => ("申请单位", &["requester"]),
        _ => return None,
    })
}

/// The enumerated value among `choices` that a word stands for: the value itself, or one
/// of its Chinese wordings (`负责` → `responsible`, `已批准` → `approved`). The words are the
/// shipped schema file's.
///
/// ```
/// let roles = &["responsible", "assist"];
/// assert_eq!(zhunru::labels::enum_value(roles, "负责"), Some("responsible"));
/// assert_eq!(zhunru::labels::enum_value(roles, "assist"), Some("assist"));
/// assert_eq!(zhunru::labels::enum_value(roles, "已批准"), None); // not a role
/// ```
pub fn enum_value(choices: &[&'static str], word: &str) -> Option<&'static str> {
    let word = word.trim();
    choices.iter().copied().find(|c| {
        *c == word
            || contract_choices()
                .any(|choice| choice.value == *c && choice.words.iter().any(|w| w == word))
    })
}

/// The choices of an enumerated field for a message: `"responsible" (责任主体), "assist" (协助)`.
///
/// ```
/// assert_eq!(zhunru::labels::choices_text(&["once", "x"]), "\"once\" (一次性), \"x\"");
/// ```
pub fn choices_text(choices: &[&str]) -> String {
    choices
        .iter()
        .map(|c| match value_label(c) {
            Some(zh) => format!("\"{c}\" ({zh})"),
            None => format!("\"{c}\""),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
