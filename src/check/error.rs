//! The checker's catalogue: every check error and lint as a typed value, its English and
//! Chinese side by side. Each variant's doc shows a policy line that triggers it.

use super::types::Ty;
use crate::ast::SubjectKind;
use crate::diagnostic::{Code, Explain, Severity, Text};

/// What kind of value an expression was expected to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    /// A `当`/`要求` condition.
    Condition,
    /// The condition of a `断言`.
    AssertionCondition,
    /// The field of `计数(…)`.
    ListForCount,
    /// The field of `任一`/`全部`.
    ListForQuantifier,
    /// An operand of `+ - * /`.
    Number,
    /// A value looked up with `属于`.
    Lookupable,
    /// An operand of `天数(…)` or of date arithmetic.
    Date,
    /// What `包含` searches: a text or a list of texts.
    Searchable,
    /// What `包含` looks for.
    Text,
}

/// What to suggest for an unknown field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FieldHint {
    /// A close field name.
    Suggest(String),
    /// The parent is a leaf: nothing is inside it.
    NoFieldsInside(String),
    /// The fields that exist here.
    Candidates(Vec<String>),
}

/// A problem the checker finds: errors make a policy unusable, lints are warnings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum CheckError {
    /// `清单 甲 {…} 清单 甲 {…}`.
    DuplicateList { name: String },
    /// `规则 r … 规则 r …`.
    DuplicateRule { name: String },
    /// `引用 N9` where no clause N9 is declared.
    UnknownCite {
        id: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    /// `属于 负面清` where no such list is declared.
    UnknownList {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    /// `当 事项.category == 「x」 且 社区.office_area > 1`.
    MixedSubjects {
        rule: String,
        field: SubjectKind,
        about: SubjectKind,
    },
    /// `断言 事项.funding.amount > 0`.
    AssertionAboutSubject,
    /// `规则 r 引用 N6 违规 「…」` with no field and no `关于`.
    UnknownSubject { rule: String },
    /// `关于 社区 … 不予准入 「…」`.
    WrongOutcome { kind: SubjectKind },
    /// `{事项.category 不属于 清单}`.
    FilterNeedsList,
    /// `断言 计数(负面清单) == 8` when it holds 7.
    AssertionFailed {
        message: Option<String>,
        /// For each list counted: its name, the entries counted, the 示例 entries left out.
        counted: Vec<(String, Vec<String>, Vec<String>)>,
    },
    /// `事项.fundng.amount`.
    UnknownField {
        kind: SubjectKind,
        shown: String,
        hint: FieldHint,
    },
    /// `计数(事项.category)`, `当 事项.funding.amount`, …
    WrongType { expected: Expected, found: Ty },
    /// `事项.period.end > 「2020-06-30」`.
    Compared { left: Ty, right: Ty },
    /// `事项.category < 「x」`.
    Unordered { op: &'static str, ty: Ty },
    /// `社区.external_signs 属于 对外标识`.
    ListInList,
    /// `事项.category 属于 编号清单` where the list holds numbers.
    NumbersForCategories { list: String },
    /// `事项.approval.status == "aproved"`.
    NeverValue {
        field: String,
        value: String,
        suggestion: Option<String>,
        values: Vec<String>,
    },
    /// `层级 「区」` — not one of 国家, 省, 市, 区县, 街道.
    BadLevel { written: String },
    /// `条款 Y3 …` twice, in this policy or in it and a parent.
    DuplicateClause { id: String, in_parent: bool },
    /// `生效 2030-01-01 失效 2020-12-31`.
    ExpiresBeforeEffective { effective: String, expires: String },
    /// `字段 事项.category …` (the contract's), or a field declared twice in a chain.
    DuplicateField { field: String, in_contract: bool },
    /// `字段 事项.x 取值` with no value.
    EmptyOneOf,
    /// `字段 事项.x 类型 数字 默认 「0」`: a default is a one-of value or a text.
    DefaultOnlyForText { field: String },
    /// `清单 甲 追加 {…}` where no parent has a list `甲`.
    ExtendsNothing { name: String },
    /// `清单 负面清单 {…}` where a parent already has one: say `追加`.
    HidesParentList { name: String },
    /// `事项.community_type == 「农村」` where the field is one of 城市, 涉农.
    NotOneOf {
        field: String,
        value: String,
        suggestion: Option<String>,
        values: Vec<String>,
    },
    /// A child rule that admits or refers an item a parent policy's rule denies.
    OverridesParent {
        rule: String,
        item: String,
        parent_rule: String,
        parent_at: String,
        parent_title: String,
    },
    /// Lint: `当 甲 … 除非 非 甲`: the exception can never hold when the rule would apply.
    ExceptionNeverApplies { rule: String },
    /// Lint: `「招商引资」` twice in one list.
    DuplicateEntry { key: String, list: String },
    /// Lint: `引用 Y1，Y1`: a clause cited twice by one rule (a copy-paste slip, or the
    /// clause meant second is another).
    DuplicateCite { id: String },
    /// Lint: task rules, but none with `须经审批`.
    NoReferral,
    /// Lint: `清单 甲 追加 {…}` without `引用`: a decision on an added entry would cite only
    /// the parent's rule and document, which never listed it.
    UncitedExtension { name: String },
    /// Lint: `当 事项.funding.amount > 10 且 事项.funding.amount < 5`.
    NeverApplies { rule: String },
    /// Lint: `要求 事项.work_plan == 是，事项.work_plan == 否`.
    RequirementsContradict { rule: String },
    /// Lint: an item on a negative list and on a list an admit rule reads.
    BannedAndAdmitted {
        key: String,
        banned: String,
        admitted: String,
    },
    /// Lint: a rule every subject of which an earlier deny takes.
    Shadowed { rule: String, by: String },
    /// Lint: a referral every subject of which an admit rule without requirements takes:
    /// its reason and what it requires never show.
    ReferralAdmitted { rule: String, by: String },
    /// Lint (费随事转): an admit on approval that requires no funding.
    AdmitWithoutFunding { rule: String, clause: String },
}

fn ty_en(t: Ty) -> &'static str {
    t.describe()
}

impl CheckError {
    /// The text of the secondary label, for the variants that point at a second place.
    pub(crate) fn second_label(&self) -> Text {
        match self {
            CheckError::DuplicateList { .. } | CheckError::DuplicateRule { .. } => {
                Text::new("first declared here", "首次声明于此")
            }
            CheckError::MixedSubjects { about, .. } => Text::new(
                format!("makes the rule about a {}", about.as_str()),
                format!("使这条规则针对{}", about.zh()),
            ),
            CheckError::Compared { right, .. } => Text::new(
                format!("this is {}", ty_en(*right)),
                format!("这是{}", right.zh()),
            ),
            CheckError::NumbersForCategories { .. } => Text::new("a number entry", "数字条目"),
            CheckError::DuplicateEntry { .. } | CheckError::DuplicateCite { .. } => {
                Text::new("first here", "首次出现于此")
            }
            CheckError::NeverApplies { .. } | CheckError::RequirementsContradict { .. } => {
                Text::new("cannot hold together with this", "与这一条不能同时成立")
            }
            CheckError::BannedAndAdmitted { banned, .. } => Text::new(
                format!("banned by `{banned}`"),
                format!("被 `{banned}` 禁止"),
            ),
            CheckError::Shadowed { .. } => Text::new(
                "this deny takes every such task first",
                "这条禁止规则先拒绝了所有这类事项",
            ),
            CheckError::ReferralAdmitted { .. } => Text::new(
                "this admit takes every such task, requiring nothing",
                "这条准入规则不设要求，所有这类事项都由它准入",
            ),
            CheckError::AdmitWithoutFunding { clause, .. } => Text::new(
                format!("{clause} demands that funds follow the task"),
                format!("{clause} 要求费随事转"),
            ),
            _ => Text::new("here", "此处"),
        }
    }
}

impl Explain for CheckError {
    fn code(&self) -> Code {
        use CheckError as E;
        match self {
            E::DuplicateList { .. } | E::DuplicateRule { .. } => Code::DuplicateName,
            E::UnknownCite { .. } => Code::UnknownCite,
            E::UnknownList { .. } => Code::UnknownList,
            E::MixedSubjects { .. } | E::AssertionAboutSubject => Code::MixedSubjects,
            E::UnknownSubject { .. } => Code::UnknownSubject,
            E::WrongOutcome { .. } => Code::WrongOutcome,
            E::FilterNeedsList => Code::BadPlaceholder,
            E::AssertionFailed { .. } => Code::AssertionFailed,
            E::UnknownField { .. } => Code::UnknownField,
            E::WrongType { .. }
            | E::Compared { .. }
            | E::Unordered { .. }
            | E::ListInList
            | E::NumbersForCategories { .. }
            | E::NeverValue { .. } => Code::TypeMismatch,
            E::DuplicateEntry { .. } => Code::DuplicateEntry,
            E::DuplicateCite { .. } => Code::DuplicateCite,
            E::NoReferral => Code::NoReferral,
            E::UncitedExtension { .. } => Code::UncitedExtension,
            E::NeverApplies { .. } | E::RequirementsContradict { .. } => Code::NeverApplies,
            E::BannedAndAdmitted { .. } => Code::BannedAndAdmitted,
            E::Shadowed { .. } | E::ReferralAdmitted { .. } => Code::Shadowed,
            E::AdmitWithoutFunding { .. } => Code::AdmitWithoutFunding,
            E::BadLevel { .. }
            | E::NotOneOf { .. }
            | E::EmptyOneOf
            | E::DefaultOnlyForText { .. } => Code::BadFieldValue,
            E::DuplicateClause { .. } => Code::DuplicateClause,
            E::ExpiresBeforeEffective { .. } => Code::BadDates,
            E::DuplicateField { .. } => Code::DuplicateField,
            E::ExtendsNothing { .. } => Code::UnknownList,
            E::HidesParentList { .. } => Code::DuplicateName,
            E::OverridesParent { .. } => Code::OverridesParent,
            E::ExceptionNeverApplies { .. } => Code::ExceptionNeverApplies,
        }
    }

    fn severity(&self) -> Severity {
        use CheckError as E;
        match self {
            E::DuplicateEntry { .. }
            | E::DuplicateCite { .. }
            | E::NoReferral
            | E::UncitedExtension { .. }
            | E::NeverApplies { .. }
            | E::RequirementsContradict { .. }
            | E::BannedAndAdmitted { .. }
            | E::Shadowed { .. }
            | E::ReferralAdmitted { .. }
            | E::AdmitWithoutFunding { .. }
            | E::ExceptionNeverApplies { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    fn message(&self) -> Text {
        use CheckError as E;
        match self {
            E::DuplicateList { name } => Text::new(
                format!("list `{name}` is declared twice"),
                format!("清单 `{name}` 重复声明"),
            ),
            E::DuplicateRule { name } => Text::new(
                format!("rule `{name}` is declared twice"),
                format!("规则 `{name}` 重复声明"),
            ),
            E::UnknownCite { id, .. } => Text::new(
                format!("`{id}` is not a clause this policy declares"),
                format!("`{id}` 不是本政策声明的条款"),
            ),
            E::UnknownList { name, .. } => Text::new(
                format!("no list named `{name}`"),
                format!("没有名为 `{name}` 的清单"),
            ),
            E::MixedSubjects { rule, field, about } => Text::new(
                format!(
                    "rule `{rule}` reads a {} field, but it is about a {}",
                    field.as_str(),
                    about.as_str()
                ),
                format!(
                    "规则 `{rule}` 读取了{}的字段，但它是关于{}的",
                    field.zh(),
                    about.zh()
                ),
            ),
            E::AssertionAboutSubject => Text::new(
                "an assertion is about the policy's lists, not a subject",
                "断言针对政策的清单，而不是某个对象",
            ),
            E::UnknownSubject { rule } => Text::new(
                format!("cannot tell what rule `{rule}` is about"),
                format!("看不出规则 `{rule}` 判断的是哪类对象"),
            ),
            E::WrongOutcome { kind } => Text::new(
                format!("this outcome does not apply to a {}", kind.as_str()),
                format!("这一结论不适用于{}", kind.zh()),
            ),
            E::FilterNeedsList => Text::new(
                "only a list of texts can be filtered by a list",
                "只有文本清单类字段才能按清单筛选",
            ),
            E::AssertionFailed { message, .. } => match message {
                Some(m) => Text::new(
                    format!("assertion does not hold: {m}"),
                    format!("断言不成立：{m}"),
                ),
                None => Text::new("assertion does not hold", "断言不成立"),
            },
            E::UnknownField { kind, shown, .. } => Text::new(
                format!("no {} has a field `{shown}`", kind.as_str()),
                format!("{}没有字段 `{shown}`", kind.zh()),
            ),
            E::WrongType { expected, .. } => match expected {
                Expected::Condition => Text::new("expected a condition", "此处应为条件"),
                Expected::AssertionCondition => {
                    Text::new("an assertion must be a condition", "断言必须是一个条件")
                }
                Expected::ListForCount => {
                    Text::new("count needs a list-valued field", "只能对清单类字段计数")
                }
                Expected::ListForQuantifier => Text::new(
                    "任一/全部 needs a list-valued field",
                    "任一/全部 只能用于清单类字段",
                ),
                Expected::Number => Text::new("arithmetic needs numbers", "算术运算只能用于数字"),
                Expected::Lookupable => Text::new(
                    "only texts and numbers can be looked up in a list",
                    "只有文本和数字能对照清单",
                ),
                Expected::Date => Text::new("expected a date", "此处应为日期"),
                Expected::Searchable => Text::new(
                    "包含 searches a text or a list of texts",
                    "包含 只能用于文本或文本清单",
                ),
                Expected::Text => Text::new("包含 looks for a text", "包含 之后应为文本"),
            },
            E::Compared { left, right } => Text::new(
                format!("{} compared with {}", ty_en(*left), ty_en(*right)),
                format!("{}与{}相比较", left.zh(), right.zh()),
            ),
            E::Unordered { op, ty } => Text::new(
                format!("`{op}` needs numbers or dates, not {}", ty_en(*ty)),
                format!("`{op}` 只能比较数字或日期，不能比较{}", ty.zh()),
            ),
            E::ListInList => Text::new(
                "a list of texts cannot itself be in a list",
                "文本清单类字段本身不能“属于”清单",
            ),
            E::NumbersForCategories { list } => Text::new(
                format!("list `{list}` holds numbers but is used for categories"),
                format!("清单 `{list}` 的条目是数字，却被用来对照事项类别"),
            ),
            E::NeverValue { field, value, .. } => Text::new(
                format!("`{field}` is never \"{value}\""),
                format!("`{field}` 不可能是 \"{value}\""),
            ),
            E::DuplicateEntry { key, list } => Text::new(
                format!("「{key}」 is already in list `{list}`"),
                format!("「{key}」 已在清单 `{list}` 中"),
            ),
            E::DuplicateCite { id } => Text::new(
                format!("clause `{id}` is already cited by this rule"),
                format!("条款 `{id}` 已被本规则引用"),
            ),
            E::NoReferral => Text::new(
                "no rule sends unlisted tasks to the admission procedure",
                "没有规则把清单外事项送交准入审批",
            ),
            E::UncitedExtension { name } => Text::new(
                format!("the entries added to `{name}` cite no clause of this policy's documents"),
                format!("追加到 `{name}` 的条目没有引用本政策文件的条款"),
            ),
            E::NeverApplies { rule } => Text::new(
                format!("rule `{rule}` can never apply: its condition contradicts itself"),
                format!("规则 `{rule}` 永远不会适用：条件自相矛盾"),
            ),
            E::RequirementsContradict { rule } => Text::new(
                format!("the requirements of rule `{rule}` can never all be met"),
                format!("规则 `{rule}` 的要求不可能同时满足"),
            ),
            E::BannedAndAdmitted {
                key,
                banned,
                admitted,
            } => Text::new(
                format!("「{key}」 is both banned (`{banned}`) and admitted (`{admitted}`)"),
                format!("「{key}」 既被禁止（`{banned}`）又被准入（`{admitted}`）"),
            ),
            E::Shadowed { rule, by } => Text::new(
                format!("rule `{rule}` never decides: `{by}` denies every task it applies to"),
                format!("规则 `{rule}` 永远不起作用：它适用的事项都已被 `{by}` 拒绝"),
            ),
            E::ReferralAdmitted { rule, by } => Text::new(
                format!(
                    "rule `{rule}` never decides: `{by}` admits every task it applies to, requiring nothing, so what it requires is never asked"
                ),
                format!(
                    "规则 `{rule}` 永远不起作用：它适用的事项都已被 `{by}` 准予准入，且不设任何要求，它的要求从不会被提出"
                ),
            ),
            E::AdmitWithoutFunding { rule, .. } => Text::new(
                format!("rule `{rule}` admits on approval without requiring funding"),
                format!("规则 `{rule}` 审批即准入，却不要求配套经费"),
            ),
            E::BadLevel { written } => Text::new(
                format!("`{written}` is not a level of government"),
                format!("`{written}` 不是行政层级"),
            ),
            E::DuplicateClause { id, in_parent } => {
                if *in_parent {
                    Text::new(
                        format!("clause `{id}` is already declared by a parent policy"),
                        format!("条款 `{id}` 已由上位政策声明"),
                    )
                } else {
                    Text::new(
                        format!("clause `{id}` is declared twice"),
                        format!("条款 `{id}` 重复声明"),
                    )
                }
            }
            E::ExpiresBeforeEffective { effective, expires } => Text::new(
                format!("the policy expires ({expires}) before it takes effect ({effective})"),
                format!("政策失效日期（{expires}）早于生效日期（{effective}）"),
            ),
            E::DuplicateField { field, in_contract } => {
                if *in_contract {
                    Text::new(
                        format!("`{field}` is a field of the contract already"),
                        format!("`{field}` 已是约定的字段"),
                    )
                } else {
                    Text::new(
                        format!("field `{field}` is declared twice"),
                        format!("字段 `{field}` 重复声明"),
                    )
                }
            }
            E::EmptyOneOf => Text::new("a one-of field needs its values", "取值字段须列出可取的值"),
            E::DefaultOnlyForText { field } => Text::new(
                format!("field `{field}` cannot have a default: only a one-of or text field can"),
                format!("字段 `{field}` 不能写默认值：只有取值字段和文本字段可以"),
            ),
            E::ExtendsNothing { name } => Text::new(
                format!("no parent policy has a list `{name}` to extend"),
                format!("上位政策中没有可追加的清单 `{name}`"),
            ),
            E::HidesParentList { name } => Text::new(
                format!("the parent policy already has a list `{name}`"),
                format!("上位政策已有清单 `{name}`"),
            ),
            E::NotOneOf { field, value, .. } => Text::new(
                format!("`{field}` is never \"{value}\""),
                format!("`{field}` 不可能是 \"{value}\""),
            ),
            E::OverridesParent {
                rule,
                item,
                parent_rule,
                ..
            } => Text::new(
                format!(
                    "rule `{rule}` admits 「{item}」, which the parent policy's rule `{parent_rule}` denies"
                ),
                format!("规则 `{rule}` 准入了「{item}」，而上位政策的规则 `{parent_rule}` 禁止它"),
            ),
            E::ExceptionNeverApplies { rule } => Text::new(
                format!("the exception of rule `{rule}` can never apply when the rule does"),
                format!("规则 `{rule}` 的除外条件在规则适用时永远不成立"),
            ),
        }
    }

    fn label(&self) -> Option<Text> {
        use CheckError as E;
        Some(match self {
            E::DuplicateList { .. } | E::DuplicateRule { .. } => {
                Text::new("second declaration", "第二次声明")
            }
            E::UnknownCite { .. } => Text::new("not declared", "未声明的条款"),
            E::UnknownList { .. } => Text::new("not declared in this policy", "本政策没有声明"),
            E::MixedSubjects { field, .. } => Text::new(
                format!("a {} field", field.as_str()),
                format!("{}的字段", field.zh()),
            ),
            E::UnknownSubject { .. } => Text::new("names no field", "没有读取任何字段"),
            E::WrongOutcome { .. } => Text::new("outcome", "结论"),
            E::FilterNeedsList => Text::new("not a list", "不是清单类字段"),
            E::AssertionFailed { .. } => {
                Text::new("false for the lists as written", "按现有清单不成立")
            }
            E::UnknownField { .. } => Text::new("unknown field", "未知字段"),
            E::WrongType { found, .. } => Text::new(
                format!("this is {}", ty_en(*found)),
                format!("这是{}", found.zh()),
            ),
            E::Compared { left, .. } => Text::new(
                format!("this is {}", ty_en(*left)),
                format!("这是{}", left.zh()),
            ),
            E::Unordered { .. } => Text::new("cannot be ordered", "不能比较大小"),
            E::ListInList => Text::new("a list of texts", "文本清单"),
            E::NumbersForCategories { .. } => Text::new("looked up with a text", "用文本来对照"),
            E::NeverValue { .. } => Text::new("not a value of this field", "不是这个字段可取的值"),
            E::DuplicateEntry { .. } | E::DuplicateCite { .. } => Text::new("repeated", "重复"),
            E::NoReferral => Text::new("this policy", "本政策"),
            E::UncitedExtension { .. } => Text::new("added without a source", "追加而未注明依据"),
            E::NeverApplies { .. } | E::RequirementsContradict { .. } => {
                Text::new("this", "这一条")
            }
            E::BannedAndAdmitted { admitted, .. } => Text::new(
                format!("admitted by `{admitted}`"),
                format!("被 `{admitted}` 准入"),
            ),
            E::Shadowed { .. } | E::ReferralAdmitted { .. } => Text::new("shadowed", "被遮蔽"),
            E::AdmitWithoutFunding { .. } => {
                Text::new("admits without funding", "准入却不要求经费")
            }
            E::BadLevel { .. } => Text::new("unknown level", "未知层级"),
            E::DuplicateClause { .. } => Text::new("declared again", "再次声明"),
            E::ExpiresBeforeEffective { .. } => Text::new("expires here", "失效日期"),
            E::DuplicateField { .. } => Text::new("declared again", "再次声明"),
            E::EmptyOneOf => Text::new("no values", "没有可取的值"),
            E::DefaultOnlyForText { .. } => Text::new("a default here", "此处的默认值"),
            E::ExtendsNothing { .. } => Text::new("nothing to extend", "无可追加"),
            E::HidesParentList { .. } => Text::new("declared again", "再次声明"),
            E::NotOneOf { .. } => Text::new("not a value of this field", "不是这个字段可取的值"),
            E::OverridesParent { .. } => {
                Text::new("admits what the parent denies", "准入了上位政策禁止的事项")
            }
            E::ExceptionNeverApplies { .. } => Text::new("never holds", "永远不成立"),
            E::AssertionAboutSubject => return None,
        })
    }

    fn help(&self) -> Option<Text> {
        use CheckError as E;
        Some(match self {
            E::DuplicateList { .. } => Text::new(
                "give each list its own name, or merge the entries into one list",
                "每个清单用各自的名称，或把条目合并到一个清单",
            ),
            E::DuplicateRule { .. } => Text::new(
                "decisions name the rule that decided them, so every rule needs its own name",
                "决定会写明由哪条规则作出，所以每条规则都要有自己的名称",
            ),
            E::UnknownCite {
                suggestion, known, ..
            } => {
                let ids = known.join(", ");
                match suggestion {
                    Some(s) => Text::new(
                        format!("did you mean `{s}`? the clauses this policy may cite are: {ids}"),
                        format!("是否想写 `{s}`？本政策可引用的条款：{}", known.join("、")),
                    ),
                    None if known.is_empty() => Text::new(
                        "this policy declares no clauses to cite",
                        "本政策没有声明可引用的条款",
                    ),
                    None => Text::new(
                        format!("the clauses this policy may cite are: {ids}"),
                        format!("本政策可引用的条款：{}", known.join("、")),
                    ),
                }
            }
            E::UnknownList {
                suggestion, known, ..
            } => match suggestion {
                Some(s) => Text::new(format!("did you mean `{s}`?"), format!("是否想写 `{s}`？")),
                None if known.is_empty() => Text::new(
                    "declare it first: 清单 名称 「标题」 引用 第二条 { \"…\" }",
                    "先声明它：清单 名称 「标题」 引用 第二条 { \"…\" }",
                ),
                None => Text::new(
                    format!("the lists here are: {}", known.join(", ")),
                    format!("本政策的清单：{}", known.join("、")),
                ),
            },
            E::MixedSubjects { .. } => Text::new(
                "a rule decides one kind of subject; split it into one rule per subject",
                "一条规则只判断一类对象；请按对象拆成几条规则",
            ),
            E::AssertionAboutSubject => Text::new(
                "use 计数(清单名) and numbers, e.g. 断言 计数(履责清单) <= 62",
                "用 计数(清单名) 和数字，例如 断言 计数(履责清单) <= 62",
            ),
            E::UnknownSubject { .. } => Text::new(
                "add `关于 社区` or `关于 考核` after the cite",
                "在引用之后加上 `关于 社区` 或 `关于 考核`",
            ),
            E::WrongOutcome { kind } => {
                if *kind == SubjectKind::Task {
                    Text::new(
                        "a task is decided with 不予准入, 准予准入 or 须经审批",
                        "事项只能用 不予准入、准予准入 或 须经审批 作结论",
                    )
                } else {
                    Text::new(
                        "premises and assessments are judged with 违规 「…」",
                        "社区场所和考核方案用 违规 「…」 作结论",
                    )
                }
            }
            E::FilterNeedsList => Text::new(
                "write {事项.category} without the filter",
                "去掉筛选，写成 {事项.category}",
            ),
            E::AssertionFailed { counted, .. } => {
                let mut en = String::from(
                    "change the lists so the policy meets its own assertion, or correct the assertion",
                );
                let mut zh = String::from("修改清单使政策满足自己的断言，或更正断言");
                for (list, kept, left) in counted {
                    en.push_str(&format!(
                        "; counted {} entries of `{list}`: {}",
                        kept.len(),
                        kept.join(", ")
                    ));
                    zh.push_str(&format!(
                        "；`{list}` 计入 {} 项：{}",
                        kept.len(),
                        kept.join("、")
                    ));
                    if !left.is_empty() {
                        en.push_str(&format!(" (left out as 示例: {})", left.join(", ")));
                        zh.push_str(&format!("（示例条目未计入：{}）", left.join("、")));
                    }
                }
                Text::new(en, zh)
            }
            E::UnknownField { hint, .. } => match hint {
                FieldHint::Suggest(s) => {
                    Text::new(format!("did you mean `{s}`?"), format!("是否想写 `{s}`？"))
                }
                FieldHint::NoFieldsInside(f) => Text::new(
                    format!("`{f}` has no fields inside it"),
                    format!("`{f}` 没有下级字段"),
                ),
                FieldHint::Candidates(c) => Text::new(
                    format!("the fields here are: {}", c.join(", ")),
                    format!("此处可用的字段：{}", c.join("、")),
                ),
            },
            E::Compared { left, right } => match (left, right) {
                (Ty::Date, Ty::Text) | (Ty::Text, Ty::Date) => Text::new(
                    "write a date without quotes: 2020-06-30",
                    "日期不加引号：2020-06-30",
                ),
                (Ty::Date, Ty::Number) | (Ty::Number, Ty::Date) => Text::new(
                    "write a date as YYYY-MM-DD, e.g. 2020-06-30, or compare with 今天",
                    "日期写作 YYYY-MM-DD，如 2020-06-30，或与 今天 比较",
                ),
                (Ty::Number, Ty::Text) | (Ty::Text, Ty::Number) => Text::new(
                    "write numbers in digits without quotes: 3000, 20%",
                    "数字用阿拉伯数字、不加引号：3000、20%",
                ),
                _ => Text::new("compare values of the same type", "比较同一类型的值"),
            },
            E::Unordered { .. } => Text::new(
                "compare texts with == or !=, or test them against a list with 属于",
                "文本用 == 或 != 比较，或用 属于 对照清单",
            ),
            E::ListInList => Text::new(
                "say which elements: 任一 … 属于 清单 or 全部 … 属于 清单",
                "说明是哪些元素：任一 … 属于 清单，或 全部 … 属于 清单",
            ),
            E::NumbersForCategories { .. } => Text::new(
                "write the entries as quoted texts: 「…」",
                "把条目写成带引号的文本：「…」",
            ),
            E::NeverValue {
                suggestion, values, ..
            } => {
                let quoted: Vec<String> = values.iter().map(|c| format!("\"{c}\"")).collect();
                match suggestion {
                    Some(s) => Text::new(
                        format!("did you mean \"{s}\"? the values are {}", quoted.join(", ")),
                        format!("是否想写 \"{s}\"？可取的值：{}", quoted.join("、")),
                    ),
                    None => Text::new(
                        format!("the values are {}", quoted.join(", ")),
                        format!("可取的值：{}", quoted.join("、")),
                    ),
                }
            }
            E::DuplicateEntry { .. } => Text::new("remove the repetition", "删去重复的条目"),
            E::DuplicateCite { .. } => Text::new(
                "remove the repetition, or cite the clause meant (a decision lists each cited clause)",
                "删去重复的引用，或改为本意要引用的条款（决定会逐一列出所引条款）",
            ),
            E::UncitedExtension { .. } => Text::new(
                "write `追加 引用 ID` with the clause that lists these items: a decision on one of them cites it beside the parent's rule, which never listed it",
                "写 `追加 引用 条款编号`，注明列出这些事项的条款：据此作出的决定会在上位规则之外同时引用它（上位文件并未列出这些事项）",
            ),
            E::NoReferral => Text::new(
                "add a 须经审批 rule, e.g. 规则 清单外事项须经审批 引用 第三条 当 事项.category 不属于 … 须经审批 「…」",
                "加一条 须经审批 规则，例如 规则 清单外事项须经审批 引用 第三条 当 事项.category 不属于 … 须经审批 「…」",
            ),
            E::NeverApplies { .. } => Text::new(
                "correct the bounds or the values; as written no subject meets the condition",
                "更正界限或取值；照现在的写法没有任何对象满足条件",
            ),
            E::RequirementsContradict { .. } => Text::new(
                "no application could ever satisfy these together; correct one of them",
                "没有任何申请能同时满足这些要求；请更正其中一条",
            ),
            E::BannedAndAdmitted { .. } => Text::new(
                "an item is either on the negative list or on a list that admits it; remove it from one",
                "同一事项要么在负面清单上，要么在准入的清单上；请从其中一个删去",
            ),
            E::Shadowed { .. } => Text::new(
                "a deny overrides every admit; narrow the deny or remove the rule",
                "不予准入优先于任何准予准入；请收窄禁止规则或删去这条规则",
            ),
            E::ReferralAdmitted { .. } => Text::new(
                "an admit whose requirements hold decides before any referral; give the admit the requirements (要求) the procedure asks for, narrow its condition, or remove the referral",
                "准予准入的规则要求都满足时，先于任何须经审批的规则作出结论；请给准入规则加上审批程序所需的要求，收窄其条件，或删去这条须经审批的规则",
            ),
            E::AdmitWithoutFunding { .. } => Text::new(
                "费随事转: add a requirement such as 事项.funding.amount > 0 记为 funding",
                "费随事转：加一条要求，例如 事项.funding.amount > 0 记为 funding",
            ),
            E::BadLevel { .. } => Text::new(
                "a level is one of 国家, 省, 市, 区县, 街道 (national, province, city, county, street)",
                "层级为 国家、省、市、区县、街道 之一",
            ),
            E::DuplicateClause { .. } => Text::new(
                "clause ids are unique in a policy and its parents; give this clause its own id, e.g. prefixed with the document",
                "条款编号在本政策及其上位政策中须唯一；请另取编号，例如加上文件前缀",
            ),
            E::ExpiresBeforeEffective { .. } => {
                Text::new("correct one of the dates", "请更正其中一个日期")
            }
            E::DuplicateField { in_contract, .. } => {
                if *in_contract {
                    Text::new(
                        "declare only fields the contract does not have; read this one as it is",
                        "只声明约定之外的字段；这个字段可直接读取",
                    )
                } else {
                    Text::new("declare each field once", "每个字段只声明一次")
                }
            }
            E::EmptyOneOf => Text::new(
                "write 取值 「城市」、「涉农」",
                "写作 取值 「城市」、「涉农」",
            ),
            E::DefaultOnlyForText { .. } => Text::new(
                "drop `默认`: an absent number, date or yes/no is tested with `未提供`",
                "删去 `默认`：数字、日期、是否字段未填时，用 `未提供` 判断",
            ),
            E::ExtendsNothing { .. } => Text::new(
                "name a list of the parent policy, or drop `追加` to declare a new list",
                "写上位政策中的清单名称，或去掉 `追加` 另行声明新清单",
            ),
            E::HidesParentList { .. } => Text::new(
                "write `清单 NAME 追加 {…}` to add entries to it, or give this list its own name",
                "写 `清单 名称 追加 {…}` 给它追加条目，或给这个清单另取名称",
            ),
            E::NotOneOf {
                suggestion, values, ..
            } => {
                let quoted: Vec<String> = values.iter().map(|c| format!("「{c}」")).collect();
                match suggestion {
                    Some(s) => Text::new(
                        format!("did you mean 「{s}」? the values are {}", quoted.join(", ")),
                        format!("是否想写「{s}」？可取的值：{}", quoted.join("、")),
                    ),
                    None => Text::new(
                        format!("the values are {}", quoted.join(", ")),
                        format!("可取的值：{}", quoted.join("、")),
                    ),
                }
            }
            E::OverridesParent {
                parent_at,
                parent_title,
                ..
            } => Text::new(
                format!(
                    "the parent policy prevails (上位政策优先): its rule is at {parent_at} in 《{parent_title}》; remove the item from this policy's admitting list"
                ),
                format!(
                    "上位政策优先：其规则位于《{parent_title}》{parent_at}；请从本政策的准入清单中删去该事项"
                ),
            ),
            E::ExceptionNeverApplies { .. } => Text::new(
                "the exception contradicts the rule's own condition; correct it or remove it",
                "除外条件与规则本身的条件矛盾；请更正或删去",
            ),
            E::WrongType { .. } => return None,
        })
    }
}
