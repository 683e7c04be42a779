//! Questions a reviewer types, turned into a subject:
//! `can 招商引资 enter?`, `招商引资 能否准入？`, `能否准入 企业摸底 已审批 经费=3000 期限=2020-06-30`,
//! `can 行政执法 enter as responsible?`, or a whole JSON subject.

use zhunru::Text;
use zhunru::input::{coerce, message_zh};
use zhunru::{Subject, SubjectKind, Value};

use super::understand::{self, Name};

/// Split a line into words, keeping quoted pieces ("…", 「…」, “…”) whole; each with whether
/// it was all one quotation (`「社区矫正」`): such a name is taken as written, not read for the
/// words around an item (社区、开展 …).
fn words(line: &str) -> Result<Vec<(String, bool)>, Text> {
    let mut out = Vec::new();
    let mut cur = String::new();
    // The word began with a quotation, and nothing has come after it yet.
    let mut quoted = false;
    let all: Vec<char> = line.chars().collect();
    let mut chars = all.iter().copied().enumerate();
    while let Some((at, c)) = chars.next() {
        let close = match c {
            '"' => Some('"'),
            '「' => Some('」'),
            '“' => Some('”'),
            _ => None,
        };
        if let Some(close) = close {
            quoted = cur.is_empty();
            let mut closed = false;
            for (_, d) in chars.by_ref() {
                if d == close {
                    closed = true;
                    break;
                }
                cur.push(d);
            }
            if !closed {
                return Err(Text::new(
                    format!("a quotation opened with {c} is not closed"),
                    format!("以 {c} 开始的引号没有结束"),
                ));
            }
            continue;
        }
        // 「能否准入：…」 (its colon narrowed to `:`) ends a word; a colon inside a value
        // (`依据=…:…`) does not.
        let colon = matches!(c, ':' | '：') && !cur.contains('=');
        // `3,000元` is one amount, not two words (a new-user trial: it was read as an item
        // 「经费3」, and `经费=3,000` as 3 then 0).
        let comma = matches!(c, ',' | '，') && !understand::thousands_comma(&all, at);
        if colon || comma || c.is_whitespace() || matches!(c, '。' | '?' | '？' | '!' | '！') {
            if !cur.is_empty() {
                out.push((std::mem::take(&mut cur), quoted));
            }
            quoted = false;
        } else {
            cur.push(c);
            quoted = false;
        }
    }
    if !cur.is_empty() {
        out.push((cur, quoted));
    }
    Ok(out)
}

/// A task field the policy (or its parent) declares beyond the contract (`字段 事项.community_type
/// 「社区类型」 取值 「城市」、「涉农」`): typed by its name or its label.
pub struct Declared {
    /// The path below the task (`community_type`).
    pub name: String,
    /// The label in the source's words (`社区类型`).
    pub label: Option<String>,
    /// Its declared type.
    pub ty: zhunru::ast::DeclaredType,
}

impl Declared {
    /// The task fields a policy declares.
    pub fn of(policy: &zhunru::Policy) -> Vec<Declared> {
        policy
            .ast()
            .fields
            .iter()
            .filter(|f| f.path.kind == SubjectKind::Task)
            .map(|f| Declared {
                name: f.path.fields.join("."),
                label: f.label.as_ref().map(|l| l.node.clone()),
                ty: f.ty.node.clone(),
            })
            .collect()
    }

    /// A typed value for the field, or what is wrong with it.
    fn value(&self, raw: &str) -> Result<Value, Text> {
        use zhunru::ast::DeclaredType as T;
        let name = self.label.as_deref().unwrap_or(&self.name);
        match &self.ty {
            T::Text => Ok(raw.into()),
            T::Texts => Ok(Value::List(
                raw.split([';', '；', '、'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Value::from)
                    .collect(),
            )),
            T::OneOf(values) => values
                .iter()
                .find(|v| {
                    std::iter::once(&v.value)
                        .chain(&v.words)
                        .any(|w| zhunru::normalize(w) == zhunru::normalize(raw))
                })
                .map(|v| Value::from(v.value.as_str()))
                .ok_or_else(|| {
                    let allowed = values
                        .iter()
                        .map(|v| match v.words.first() {
                            Some(label) => format!("「{}」（{label}）", v.value),
                            None => format!("「{}」", v.value),
                        })
                        .collect::<Vec<_>>()
                        .join("、");
                    Text::new(
                        format!("`{raw}` is not a {name}: one of {allowed}"),
                        format!("`{raw}` 不是可取的{name}：可取 {allowed}"),
                    )
                }),
            T::Number => raw
                .trim_end_matches(['元', '个', '人', '项'])
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Value::Number)
                .ok_or_else(|| {
                    Text::new(
                        format!("`{raw}` is not a number ({name})"),
                        format!("`{raw}` 不是数字（{name}）"),
                    )
                }),
            T::Date => zhunru::Date::parse(raw).map(Value::from).ok_or_else(|| {
                Text::new(
                    format!("`{raw}` is not a date ({name}): write YYYY-MM-DD"),
                    format!("`{raw}` 不是日期（{name}）：写作 YYYY-MM-DD"),
                )
            }),
            T::Bool => match raw {
                "true" | "yes" | "是" | "有" => Ok(Value::Bool(true)),
                "false" | "no" | "否" | "无" => Ok(Value::Bool(false)),
                _ => Err(Text::new(
                    format!("`{raw}` is not yes or no ({name}): write 是 or 否"),
                    format!("`{raw}` 不是“是”或“否”（{name}）：写 是 或 否"),
                )),
            },
        }
    }
}

/// What a field name typed by a reviewer stands for.
fn field_for(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "funding" | "经费" | "金额" | "funding.amount" => &["funding.amount"],
        "per" | "经费周期" | "funding.per" => &["funding.per"],
        "period" | "期限" | "截止" | "end" => &["period.end", "authorization.until"],
        "period.end" => &["period.end"],
        "start" | "开始" | "period.start" => &["period.start"],
        "basis" | "依据" | "文件依据" => &["basis"],
        "plan" | "work_plan" | "方案" | "工作方案" => &["work_plan"],
        "requirements" | "任务要求" => &["requirements"],
        "approval" | "审批" | "approval.status" => &["approval.status"],
        "by" | "审定" | "approval.by" => &["approval.by"],
        "approved_on" | "审批日期" | "审定日期" | "批准日期" | "approval.date" => {
            &["approval.date"]
        }
        "role" | "角色" | "community_role" => &["community_role"],
        "requester" | "申请单位" => &["requester"],
        "level" | "requester_level" => &["requester_level"],
        "id" | "编号" => &["id"],
        "name" | "名称" => &["name"],
        "category" | "事项" | "类别" => &["category"],
        "content" | "授权内容" | "authorization.content" => &["authorization.content"],
        "object" | "授权对象" | "authorization.object" => &["authorization.object"],
        "powers" | "权限" | "authorization.powers" => &["authorization.powers"],
        "until" | "授权期限" | "authorization.until" => &["authorization.until"],
        _ => return None,
    })
}

/// The error for a `key=` that names no field: the closest name if one is near (`fundng` →
/// `funding=`), and every name, the policy's declared fields included.
fn unknown_field(key: &str, declared: &[Declared]) -> Text {
    let declared_words: Vec<&str> = declared
        .iter()
        .flat_map(|f| std::iter::once(f.name.as_str()).chain(f.label.as_deref()))
        .collect();
    let words = FIELD_WORDS
        .iter()
        .filter_map(|w| w.strip_suffix('='))
        .chain(declared_words.iter().copied());
    let meant = zhunru::suggest::closest(key, words);
    let (hint, hint_zh) = match meant {
        Some(meant) => (
            format!("did you mean `{meant}=`? "),
            format!("是否想写 `{meant}=`？"),
        ),
        None if key.is_empty() => (
            "a field's name goes before `=`; ".to_owned(),
            "`=` 之前写字段名；".to_owned(),
        ),
        None => (String::new(), String::new()),
    };
    let (own, own_zh) = if declared_words.is_empty() {
        (String::new(), String::new())
    } else {
        let words = declared_words.join("= ");
        (
            format!("; this policy's own: {words}="),
            format!("；本政策增设的：{words}="),
        )
    };
    Text::new(
        format!(
            "unknown field `{key}`: {hint}try funding=, per=, period=, start=, basis=, plan=, requirements=, approval=, by=, approved_on=, role=, requester=, content=, object=, powers=, until= (or 经费= 经费周期= 期限= 依据= 方案= 任务要求= 审批= 审定= 审批日期= 角色= 申请单位= 授权内容= 授权对象= 权限= 授权期限=){own}"
        ),
        format!(
            "没有字段 `{key}`：{hint_zh}可用 经费= 经费周期= 期限= 开始= 依据= 方案= 任务要求= 审批= 审定= 审批日期= 角色= 申请单位= 授权内容= 授权对象= 权限= 授权期限=（或 funding= per= period= start= basis= plan= requirements= approval= by= approved_on= role= requester= content= object= powers= until=）{own_zh}"
        ),
    )
}

/// Field names offered by completion.
pub const FIELD_WORDS: &[&str] = &[
    "funding=",
    "per=",
    "period=",
    "start=",
    "basis=",
    "plan=",
    "requirements=",
    "approval=",
    "by=",
    "approved_on=",
    "role=",
    "requester=",
    "id=",
    "content=",
    "object=",
    "powers=",
    "until=",
    "经费=",
    "期限=",
    "依据=",
    "方案=",
    "审批=",
    "审定=",
    "审批日期=",
    "角色=",
    "经费周期=",
    "任务要求=",
    "申请单位=",
    "授权内容=",
    "授权对象=",
    "权限=",
    "授权期限=",
    "已审批",
    "作为责任主体",
];

/// A `field=value` as typed: the REPL's own words for a value (`经费=1.5万元`, `方案=有`,
/// `依据=甲、乙`, `审批=无`) turned into text, then typed by the library's one
/// [`coerce`](zhunru::input::coerce), as the JSON and CSV readers type theirs (enumerated
/// values in Chinese words, 已批准 负责 一次性, come from the one table `coerce` reads).
fn value_for(path: &str, raw: &str) -> Result<Value, Text> {
    let raw = raw.trim();
    let text = match path {
        "funding.amount" => {
            let digits = raw.trim_start_matches('¥').trim_end_matches(['元', '¥']);
            let (digits, scale) = match digits.strip_suffix('万') {
                Some(d) => (d, 10000.0),
                None => (digits, 1.0),
            };
            let digits = understand::without_thousands(digits);
            let amount = match coerce(SubjectKind::Task, path, &digits) {
                Ok(Value::Number(n)) if n >= 0.0 => n * scale,
                // Digits the library refuses (past 2^53): its message says why, where "not
                // an amount" would send the reviewer looking for a typo.
                Err(e) if digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') => {
                    return Err(said(&e));
                }
                _ => {
                    return Err(Text::new(
                        format!(
                            "`{raw}` is not an amount: write digits, e.g. funding=3000 or 经费=3000元"
                        ),
                        format!("`{raw}` 不是金额：用数字写，例如 经费=3000元 或 funding=3000"),
                    ));
                }
            };
            return Ok(Value::Number(amount));
        }
        "basis" => raw.replace(['；', '、'], ";"),
        "work_plan" => match raw {
            "" | "yes" | "有" => "true",
            "no" | "无" => "false",
            other => other,
        }
        .to_owned(),
        // A bare 无 means no approval asked for.
        "approval.status" if raw == "无" => "none".to_owned(),
        _ => raw.to_owned(),
    };
    coerce(SubjectKind::Task, path, &text).map_err(|e| said(&e))
}

/// A message of the library's readers, with its Chinese when they have one.
fn said(en: &str) -> Text {
    Text::new(en, message_zh(en).unwrap_or_else(|| en.to_owned()))
}

/// A question as understood: the subject, and the phrase an entry was found inside.
pub struct Understood {
    pub subject: Subject,
    /// 「违章建筑拆除工作」 when the item was read as an entry inside it.
    pub from: Option<String>,
}

/// A question, parsed: the subject to decide. `names` are the task lists' entries and
/// aliases, `known` says whether an item is on a task list.
pub fn parse(
    line: &str,
    names: &[Name],
    known: &dyn Fn(&str) -> bool,
    declared: &[Declared],
) -> Result<Understood, Text> {
    let mut declared_sets: Vec<(String, Value)> = Vec::new();
    if let Some(subject) = understand::premises_or_assessment(line) {
        return Ok(Understood {
            subject,
            from: None,
        });
    }
    let line = understand::strip_frames(&understand::narrow(line));
    let words = words(&line)?;
    let mut category: Option<String> = None;
    let mut from: Option<String> = None;
    let mut sets: Vec<(&'static str, Value)> = Vec::new();
    let mut after_as = false;
    for (word, quoted) in &words {
        // A quoted name is the item as written (「社区矫正」 keeps its 社区).
        if *quoted && !word.contains(['=', '＝']) {
            name_item(&mut category, word.trim())?;
            continue;
        }
        let bare = word.trim_end_matches(['.', '吗', '呢']);
        let lower = bare.to_lowercase();
        if after_as {
            after_as = false;
            let role = value_for("community_role", &lower)?;
            sets.push(("community_role", role));
            continue;
        }
        match lower.as_str() {
            "" | "can" | "could" | "enter" | "准入" | "may" | "the" | "a" | "an" | "task"
            | "community" | "into" | "is" | "be" | "admitted" | "allowed" | "to" | "does"
            | "it" | "what" | "how" | "about" | "and" | "then" => {
                continue;
            }
            "as" | "作为" => {
                after_as = true;
                continue;
            }
            "已审批" | "approved" | "经审批" => {
                sets.push(("approval.status", "approved".into()));
                continue;
            }
            "rejected" => {
                sets.push(("approval.status", "rejected".into()));
                continue;
            }
            "pending" => {
                sets.push(("approval.status", "pending".into()));
                continue;
            }
            "作为责任主体" | "responsible" | "责任主体" => {
                sets.push(("community_role", "responsible".into()));
                continue;
            }
            "协助" | "assisting" | "assist" => {
                sets.push(("community_role", "assist".into()));
                continue;
            }
            "有方案" | "有工作方案" => {
                sets.push(("work_plan", Value::Bool(true)));
                continue;
            }
            _ => {}
        }
        if let Some((key, value)) = bare.split_once(['=', '＝']) {
            // A field the policy declares (`community_type=涉农`, or by its label 社区类型=).
            if let Some(field) = declared
                .iter()
                .find(|f| f.name == key.trim() || f.label.as_deref() == Some(key.trim()))
            {
                declared_sets.push((field.name.clone(), field.value(value.trim())?));
                continue;
            }
            let Some(paths) = field_for(key.trim()) else {
                return Err(unknown_field(key.trim(), declared));
            };
            for path in paths {
                let v = value_for(path, value)?;
                if *path == "category" {
                    name_item(&mut category, value.trim())?;
                } else {
                    set_once(&mut sets, path, v, key.trim())?;
                }
            }
            continue;
        }
        // A quoted name is taken whole; a phrase is read for cues first.
        if known(bare) {
            name_item(&mut category, bare)?;
            continue;
        }
        let cues = understand::cues(bare, names);
        if let Some(bad) = cues.bad_date {
            return Err(Text::new(
                format!(
                    "`{bad}` is not a date: that day does not exist (write e.g. 2020-06-30 or 2020年6月30日)"
                ),
                format!("`{bad}` 不是日期：日历上没有这一天（写作 2020-06-30 或 2020年6月30日）"),
            ));
        }
        if let Some(why) = cues.bad_amount {
            return Err(said(&why));
        }
        for (path, v) in cues.sets {
            set_once(
                &mut sets,
                path,
                v,
                zhunru::labels::field_label(path).unwrap_or(path),
            )?;
        }
        for piece in cues.rest {
            if !known(&piece) && understand::core(&piece).is_empty() {
                continue;
            }
            let (item, inside) = understand::resolve(&piece, names, known);
            if inside.is_some() {
                from = inside;
            }
            name_item(&mut category, &item)?;
        }
    }
    if after_as {
        return Err(Text::new(
            "`as` needs a role: responsible (责任主体) or assist (协助)",
            "`as` 之后要写角色：责任主体（responsible）或 协助（assist）",
        ));
    }
    let Some(category) = category else {
        return Err(Text::new(
            "which item? e.g. `can 招商引资 enter?` or `招商引资 能否准入？`",
            "问的是哪个事项？例如 `招商引资 能否准入？` 或 `can 招商引资 enter?`",
        ));
    };
    let mut subject = Subject::task(&category);
    for (path, value) in sets {
        subject = subject
            .with(path, value)
            .map_err(|e| said(&e.to_string()))?;
    }
    for (path, value) in declared_sets {
        subject = subject
            .with(&path, value)
            .map_err(|e| said(&e.to_string()))?;
    }
    Ok(Understood { subject, from })
}

/// Set `path` to `v`, unless the question already gave it another value (`审批=已批准
/// 审批=驳回`, `经费=3000 经费500元`): refused, naming it as `name`, as a JSON key given twice
/// is; keeping the last one silently decided on a value the reviewer may not have meant.
fn set_once(
    sets: &mut Vec<(&'static str, Value)>,
    path: &'static str,
    v: Value,
    name: &str,
) -> Result<(), Text> {
    if sets.iter().any(|(p, earlier)| *p == path && *earlier != v) {
        return Err(Text::new(
            format!("`{name}` is given twice, with different values: give it once"),
            format!("`{name}` 给了两个不同的值：只写一次"),
        ));
    }
    sets.push((path, v));
    Ok(())
}

fn name_item(category: &mut Option<String>, item: &str) -> Result<(), Text> {
    match category {
        None => {
            *category = Some(item.to_owned());
            Ok(())
        }
        Some(c) if c == item => Ok(()),
        Some(c) => Err(Text::new(
            format!(
                "two items named: 「{c}」 and 「{item}」; ask about one at a time, or quote a name with spaces"
            ),
            format!("问到了两个事项：「{c}」和「{item}」；请一次问一个，带空格的名称请加引号"),
        )),
    }
}

/// Whether a JSON text is still open (more lines to come): it parses as far as it goes and
/// only lacks its end. A text that is already wrong is not "incomplete": it is reported.
pub fn json_incomplete(text: &str) -> bool {
    match serde_json::from_str::<serde::de::IgnoredAny>(text) {
        Ok(_) => false,
        Err(e) => e.is_eof() && braces_open(text),
    }
}

fn braces_open(text: &str) -> bool {
    let mut depth = 0i64;
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}
