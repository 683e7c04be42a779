//! The contract's names in words a requesting department reads: field paths, enumerated
//! values and the requirement names (`missing`) the shipped policies use. Shared by the
//! decision record, the REPL's answers and the page; a leaf module.

/// The contract's fields in words a requesting department reads (for records and answers).
///
/// ```
/// assert_eq!(zhunru::labels::field_label("approval.by"), Some("审定机关"));
/// ```
pub fn field_label(path: &str) -> Option<&'static str> {
    Some(match path {
        "id" => "编号",
        "name" => "名称",
        "category" => "事项",
        "requester" => "提出单位",
        "requester_level" => "提出单位层级",
        "community_role" => "社区角色",
        "basis" => "文件依据",
        "work_plan" => "工作方案",
        "requirements" => "任务要求",
        "period.start" => "工作开始",
        "period.end" => "工作结束",
        "funding.amount" => "经费（元）",
        "funding.per" => "经费周期",
        "authorization.content" => "授权内容",
        "authorization.object" => "授权对象",
        "authorization.powers" => "授权权限",
        "authorization.until" => "授权时限",
        "approval.status" => "审批",
        "approval.by" => "审定机关",
        "approval.date" => "审批日期",
        "sent_on" => "派发日期",
        "external_signs" => "对外牌子",
        "internal_signs" => "内部功能室标识",
        "office_area" => "办公面积（㎡）",
        "activity_area" => "活动用房面积（㎡）",
        "assessor" => "考核单位",
        "indicators" => "考核指标",
        "veto_items" => "一票否决事项",
        "passed_down" => "转嫁的考核",
        _ => return None,
    })
}

/// An enumerated value of the contract in words (`responsible` → 责任主体).
///
/// ```
/// assert_eq!(zhunru::labels::value_label("responsible"), Some("责任主体"));
/// ```
pub fn value_label(value: &str) -> Option<&'static str> {
    Some(match value {
        "responsible" => "责任主体",
        "assist" => "协助",
        "approved" => "已批准",
        "rejected" => "未通过（驳回）",
        "pending" => "审批中",
        "none" => "未审批",
        "once" => "一次性",
        "month" => "每月",
        "year" => "每年",
        "municipal_department" => "市直部门",
        "district_department" => "区直部门",
        "street" => "街道",
        _ => return None,
    })
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

/// The words a reviewer or a form writes for each enumerated value of the contract: the
/// value itself, then its Chinese label and other common wordings.
const SYNONYMS: &[(&str, &[&str])] = &[
    ("responsible", &["责任主体", "负责", "牵头"]),
    ("assist", &["协助", "配合"]),
    (
        "approved",
        &[
            "已审批",
            "批准",
            "已批准",
            "同意",
            "已同意",
            "通过",
            "审批通过",
            "已通过",
        ],
    ),
    ("pending", &["审批中", "待审", "待审批"]),
    (
        "rejected",
        &[
            "驳回",
            "不同意",
            "未通过",
            "不予批准",
            "未批准",
            "不通过",
            "未通过（驳回）",
        ],
    ),
    ("none", &["未审批", "未报批"]),
    ("once", &["一次", "一次性"]),
    ("month", &["每月", "月"]),
    ("year", &["每年", "年"]),
    ("municipal_department", &["市直部门", "市级部门"]),
    ("district_department", &["区直部门", "区级部门"]),
    ("street", &["街道", "乡镇", "街道（乡镇）"]),
];

/// The enumerated value among `choices` that a word stands for: the value itself, or one
/// of its Chinese wordings (`负责` → `responsible`, `已批准` → `approved`). One table for
/// JSON, CSV and the REPL.
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
            || SYNONYMS
                .iter()
                .any(|(value, words)| value == c && words.contains(&word))
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
