//! Reading a question as people write it: 「区城管局要求社区负责违章建筑拆除，能否准入？」.
//! Question frames (能否准入, 可以进入吗, can … enter?) are dropped; inside the sentence the
//! requester (区…局, 街道…), the community's role (负责/牵头, 协助/配合), an amount with its
//! period (经费2000元, 每月300元), approval words (已批准, 驳回, 待审批) and dates are
//! recognised; what is left names the item, matched against the policy's task lists (an
//! entry or alias inside a longer name counts).

use zhunru::ast::{ExprKind, Literal};
use zhunru::input::coerce;
use zhunru::{Date, Policy, Subject, SubjectKind, Value, normalize};

/// A name a task list knows: an entry, or an alias of one.
#[derive(Clone, Debug)]
pub struct Name {
    /// The name as written (normalised).
    pub text: String,
    /// The entry it stands for.
    pub entry: String,
    /// The list it is on.
    pub list: String,
}

/// The lists that rules match `事项.category` against (not the sign or indicator lists).
pub fn task_lists(policy: &Policy) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for rule in &policy.ast().rules {
        for expr in rule.when.iter().chain(rule.unless.iter()) {
            for e in expr.subexpressions() {
                if let ExprKind::InList { value, list, .. } = &*e.kind
                    && let ExprKind::Field(path) = &*value.kind
                    && path.kind == SubjectKind::Task
                    && path.fields.iter().map(String::as_str).eq(["category"])
                    && !out.contains(&list.node)
                {
                    out.push(list.node.clone());
                }
            }
        }
    }
    out
}

/// Every entry and alias of a policy's task lists.
pub fn task_names(policy: &Policy) -> Vec<Name> {
    let mut out = Vec::new();
    for list_name in task_lists(policy) {
        let Some(list) = policy.list_decl(&list_name) else {
            continue;
        };
        for e in &list.entries {
            let Literal::Text(entry) = &e.value.node else {
                continue;
            };
            out.push(Name {
                text: normalize(entry).into_owned(),
                entry: entry.clone(),
                list: list_name.clone(),
            });
            for a in &e.aliases {
                out.push(Name {
                    text: normalize(&a.node).into_owned(),
                    entry: entry.clone(),
                    list: list_name.clone(),
                });
            }
        }
    }
    out
}

/// Full-width ASCII (`３０００`, `＝`, `？`, `，`) and the ideographic space, made half-width.
pub fn narrow(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Question frames, dropped wherever they stand (longest first when used).
const FRAMES: &[&str] = &[
    "能否准入社区",
    "能否进入社区",
    "能否下放社区",
    "能否下沉社区",
    "能不能进入社区",
    "能不能进社区",
    "可不可以进社区",
    "可以进入社区吗",
    "可以进社区吗",
    "能进社区吗",
    "能进入社区吗",
    "能否准入",
    "能否进入",
    "能否下放",
    "可否准入",
    "可否进入",
    "能不能准入",
    "能不能进入",
    "可以准入吗",
    "可以进入吗",
    "是否可以准入",
    "是否可以进入",
    "是否允许进入",
    "是否准入",
    "能准入吗",
    "准入吗",
    "可以吗",
    "行不行",
    "行吗",
    "请问",
    "能否",
    "能不能",
    "可否",
    "是否",
];

/// Drop the question frames from a line (outside quotes too: a frame is never part of a name).
pub fn strip_frames(line: &str) -> String {
    let mut frames: Vec<&str> = FRAMES.to_vec();
    frames.sort_by_key(|f| std::cmp::Reverse(f.chars().count()));
    let mut out = line.to_owned();
    for f in frames {
        out = out.replace(f, " ");
    }
    // A trailing 吗/呢 after the frames went is a question particle.
    out
}

/// What a phrase (a word with no `=`) said besides the item.
#[derive(Default, Debug)]
pub struct Cues {
    pub sets: Vec<(&'static str, Value)>,
    /// What is left: the pieces that may name the item.
    pub rest: Vec<String>,
    /// A date written as one (`2020年13月40日`) but naming no day.
    pub bad_date: Option<String>,
    /// Why an amount written as one (`9007199254740993元`) cannot be read: the library's
    /// message.
    pub bad_amount: Option<String>,
}

const ROLE_RESPONSIBLE: &[&str] = &[
    "作为责任主体",
    "为责任主体",
    "责任主体",
    "牵头负责",
    "负责",
    "牵头",
    "主责",
];
const ROLE_ASSIST: &[&str] = &["协助", "配合", "协同", "协办"];
/// The responsible role denied (「社区不负责拆迁拆违，只协助」): read before the cues above,
/// whose 「负责」 is inside each. The contract knows two roles, so not responsible is assisting.
const ROLE_NOT_RESPONSIBLE: &[&str] = &[
    "不作为责任主体",
    "不是责任主体",
    "不为责任主体",
    "非责任主体",
    "不牵头负责",
    "不负责",
    "不牵头",
];
const APPROVAL: &[(&str, &str)] = &[
    ("未经审批", "none"),
    ("未审批", "none"),
    ("没有审批", "none"),
    ("未报批", "none"),
    ("不予批准", "rejected"),
    ("未获批准", "rejected"),
    ("未批准", "rejected"),
    ("未通过", "rejected"),
    ("不通过", "rejected"),
    ("被驳回", "rejected"),
    ("驳回", "rejected"),
    ("不同意", "rejected"),
    ("待审批", "pending"),
    ("审批中", "pending"),
    ("正在审批", "pending"),
    ("报批中", "pending"),
    ("待审", "pending"),
    ("审批通过", "approved"),
    ("通过审批", "approved"),
    ("已经批准", "approved"),
    ("已审批", "approved"),
    ("已批准", "approved"),
    ("经审批", "approved"),
    ("经批准", "approved"),
    ("已审定", "approved"),
    ("审定同意", "approved"),
    ("批准同意", "approved"),
    ("已同意", "approved"),
    ("已获批", "approved"),
];
/// Verbs between a requester and what it asks: 区城管局【要求】社区….
const ASKS: &[&str] = &[
    "要求", "安排", "布置", "下派", "交由", "交给", "委托", "通知", "申请", "让", "请",
];
const UNIT_ENDS: &[&str] = &[
    "局",
    "委",
    "办",
    "部",
    "室",
    "处",
    "科",
    "街道",
    "镇",
    "乡",
    "政府",
    "中心",
    "小组",
    "委员会",
    "厅",
    "院",
    "所",
    "站",
    "队",
];
const UNIT_STARTS: &[&str] = &["区", "市", "县", "省", "街道", "镇", "乡"];
/// Words around the item that are not part of it.
const LEADING: &[&str] = &[
    "社区", "要求", "开展", "进行", "做好", "承担", "参与", "组织", "完成", "办理", "落实", "开具",
    "出具", "审批", "搞", "做", "的", "和", "并", "且", "给", "配套",
];
const TRAILING: &[&str] = &[
    "工作", "任务", "事项", "活动", "审批", "的", "吗", "呢", "啊",
];
/// Words that alone name nothing.
const FILLER: &[&str] = &[
    "社区", "要求", "的", "了", "吗", "呢", "和", "并", "且", "给", "配套", "经费", "工作", "任务",
    "事项", "这个", "这项", "我们", "本", "有", "审批", "完成", "只", "仅", "只是", "仅仅",
];

/// Placeholder for a protected list name while cues are taken out.
const HOLD: char = '\u{e000}';

fn take_first(phrase: &mut String, cues: &[&str]) -> Option<String> {
    for cue in cues {
        if let Some(i) = phrase.find(cue) {
            phrase.replace_range(i..i + cue.len(), " ");
            return Some((*cue).to_owned());
        }
    }
    None
}

/// Read the cues out of one phrase; `names` are the policy's task names (protected).
pub fn cues(phrase: &str, names: &[Name]) -> Cues {
    let mut out = Cues::default();
    // Protect the longest list name inside the phrase: 「同意住宅改变为经营性用房证明」 keeps
    // its 同意.
    let mut phrase = phrase.to_owned();
    let held = names
        .iter()
        .filter(|n| !n.text.is_empty() && phrase.contains(&n.text))
        .max_by_key(|n| n.text.chars().count())
        .map(|n| n.text.clone());
    if let Some(h) = &held {
        phrase = phrase.replacen(h.as_str(), &HOLD.to_string(), 1);
    }

    // Requester: 区城管局要求…, or the phrase is a unit itself.
    for ask in ASKS {
        if let Some(i) = phrase.find(ask)
            && let Some(before) = phrase.get(..i)
            && looks_like_unit(before.trim())
        {
            let unit = before.trim().to_owned();
            out.sets.push(("requester", unit.as_str().into()));
            if let Some(level) = level_of(&unit) {
                out.sets.push(("requester_level", level.into()));
            }
            phrase = phrase.get(i + ask.len()..).unwrap_or("").to_owned();
            break;
        }
    }
    if looks_like_unit(phrase.trim()) && UNIT_STARTS.iter().any(|s| phrase.trim().starts_with(s)) {
        let unit = phrase.trim().to_owned();
        out.sets.push(("requester", unit.as_str().into()));
        if let Some(level) = level_of(&unit) {
            out.sets.push(("requester_level", level.into()));
        }
        phrase.clear();
    }

    for (cue, status) in APPROVAL {
        if let Some(i) = phrase.find(cue) {
            phrase.replace_range(i..i + cue.len(), " ");
            out.sets.push(("approval.status", (*status).into()));
            break;
        }
    }
    if take_first(&mut phrase, ROLE_NOT_RESPONSIBLE).is_some() {
        let _ = take_first(&mut phrase, ROLE_ASSIST);
        out.sets.push(("community_role", "assist".into()));
    } else if take_first(&mut phrase, ROLE_RESPONSIBLE).is_some() {
        out.sets.push(("community_role", "responsible".into()));
    } else if take_first(&mut phrase, ROLE_ASSIST).is_some() {
        out.sets.push(("community_role", "assist".into()));
    }
    if let Some((amount, per, rest)) = amount_in(&phrase) {
        match amount {
            Ok(amount) => out.sets.push(("funding.amount", Value::Number(amount))),
            Err(e) => out.bad_amount = Some(e),
        }
        if let Some(per) = per {
            out.sets.push(("funding.per", per.into()));
        }
        phrase = rest;
    } else if let Some(rest) = ["无经费", "没有经费", "不给经费", "没经费"]
        .iter()
        .find_map(|c| phrase.find(c).map(|i| (i, c.len())))
        .map(|(i, n)| {
            let mut p = phrase.clone();
            p.replace_range(i..i + n, " ");
            p
        })
    {
        out.sets.push(("funding.amount", Value::Number(0.0)));
        phrase = rest;
    }
    let (dates, rest, bad) = dates_in(&phrase);
    phrase = rest;
    out.bad_date = bad;
    match dates.as_slice() {
        [(end, _)] => out.sets.push(("period.end", (*end).into())),
        [(start, _), (end, _), ..] => {
            out.sets.push(("period.start", (*start).into()));
            out.sets.push(("period.end", (*end).into()));
        }
        [] => {}
    }
    for (cue, set) in [("有工作方案", "work_plan"), ("有方案", "work_plan")] {
        if let Some(i) = phrase.find(cue) {
            phrase.replace_range(i..i + cue.len(), " ");
            out.sets.push((set, Value::Bool(true)));
        }
    }

    let restored = match &held {
        Some(h) => phrase.replace(HOLD, h),
        None => phrase,
    };
    for piece in restored.split_whitespace() {
        if !FILLER.contains(&piece) {
            out.rest.push(piece.to_owned());
        }
    }
    out
}

fn looks_like_unit(text: &str) -> bool {
    text.chars().count() >= 2
        && !text.contains(HOLD)
        && UNIT_ENDS.iter().any(|e| text.ends_with(e))
        && !text.chars().any(char::is_whitespace)
}

/// The contract's requester level from a unit's name: 市… municipal, 区/县… district,
/// …街道/镇/乡 street.
fn level_of(unit: &str) -> Option<&'static str> {
    if unit.ends_with("街道") || unit.ends_with("街道办") || unit.starts_with("街道") {
        Some("street")
    } else if unit.starts_with('市') {
        Some("municipal_department")
    } else if unit.starts_with('区') || unit.starts_with('县') {
        Some("district_department")
    } else {
        None
    }
}

/// Whether the comma at `at` in `chars` separates thousands (`3,000`, `1,250,000.5`): the run
/// of digits and commas around it is 1–3 digits then groups of `,` and exactly three digits,
/// and does not continue a date or a decimal (`2020-06-30,300` is a date and a number).
pub fn thousands_comma(chars: &[char], at: usize) -> bool {
    let in_number = |c: &char| c.is_ascii_digit() || matches!(c, ',' | '，');
    if !chars.get(at).is_some_and(|c| matches!(c, ',' | '，')) {
        return false;
    }
    let mut start = at;
    while start > 0 && chars.get(start - 1).is_some_and(in_number) {
        start -= 1;
    }
    let mut end = at;
    while chars.get(end).is_some_and(in_number) {
        end += 1;
    }
    if start > 0
        && chars
            .get(start - 1)
            .is_some_and(|c| matches!(c, '.' | '-' | '/'))
    {
        return false;
    }
    let Some(run) = chars.get(start..end) else {
        return false;
    };
    let mut groups = run.split(|c| matches!(c, ',' | '，'));
    let first_ok = groups.next().is_some_and(|g| (1..=3).contains(&g.len()));
    first_ok && groups.all(|g| g.len() == 3)
}

/// `text` without the commas that group its digits by thousands (`3,000` → `3000`).
pub fn without_thousands(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|(at, _)| !thousands_comma(&chars, *at))
        .map(|(_, c)| *c)
        .collect()
}

/// An amount (`经费2000元`, `每月300元`, `1.5万元`, `300元/月`, `3,000元`) with its period,
/// and the phrase without it; the amount is the library's reading of the digits, so an
/// amount it refuses (past 2^53, which an `f64` would round) is refused here with its
/// message.
fn amount_in(phrase: &str) -> Option<(Result<f64, String>, Option<&'static str>, String)> {
    let chars: Vec<char> = phrase.chars().collect();
    let yuan = chars.iter().position(|c| *c == '元')?;
    let mut start = yuan;
    let mut wan = false;
    if start > 0 && chars.get(start - 1) == Some(&'万') {
        wan = true;
        start -= 1;
    }
    let digits_end = start;
    while start > 0
        && chars
            .get(start - 1)
            .is_some_and(|c| c.is_ascii_digit() || *c == '.' || thousands_comma(&chars, start - 1))
    {
        start -= 1;
    }
    let digits = without_thousands(&chars.get(start..digits_end)?.iter().collect::<String>());
    if !digits.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let amount = match coerce(SubjectKind::Task, "funding.amount", &digits) {
        Ok(Value::Number(n)) if wan => Ok(n * 10000.0),
        Ok(Value::Number(n)) => Ok(n),
        Ok(_) => return None,
        Err(e) => Err(e),
    };
    let mut per = None;
    // Words just before the number: 每月、经费、配套经费…
    let before: String = chars.get(..start)?.iter().collect();
    let mut cut = before.as_str();
    loop {
        let trimmed = cut.trim_end();
        let mut changed = false;
        for (word, p) in [
            ("每月", Some("month")),
            ("按月", Some("month")),
            ("月均", Some("month")),
            ("每年", Some("year")),
            ("按年", Some("year")),
            ("一次性", Some("once")),
            ("工作经费", None),
            ("配套经费", None),
            ("经费", None),
            ("补助", None),
            ("资金", None),
            ("拨付", None),
            ("配套", None),
            ("给", None),
        ] {
            if let Some(rest) = trimmed.strip_suffix(word) {
                if per.is_none() {
                    per = p;
                }
                cut = rest;
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    let after: String = chars.get(yuan + 1..)?.iter().collect();
    let mut after = after.as_str();
    for (word, p) in [
        ("/月", "month"),
        ("每月", "month"),
        ("/年", "year"),
        ("每年", "year"),
        ("一次性", "once"),
    ] {
        if let Some(rest) = after.strip_prefix(word) {
            per = per.or(Some(p));
            after = rest;
            break;
        }
    }
    Some((amount, per, format!("{cut} {after}")))
}

/// Dates in a phrase (`2020-06-30`, `2020年6月30日`, `2020.6.30`, `2020/6/30`), in order, with
/// the phrase without them (and their 至/到/截至/期限 words).
fn dates_in(phrase: &str) -> (Vec<(Date, usize)>, String, Option<String>) {
    let chars: Vec<char> = phrase.chars().collect();
    let mut found = Vec::new();
    let mut bad = None;
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((date, len)) = date_at(&chars, i) {
            match date {
                Some(date) => found.push((date, i)),
                None => {
                    bad = chars.get(i..i + len).map(|c| c.iter().collect::<String>());
                }
            }
            for word in ["截至", "截止", "期限", "至", "到", "从", "自"] {
                if let Some(rest) = out.strip_suffix(word) {
                    out = rest.to_owned();
                    break;
                }
            }
            out.push(' ');
            i += len;
            for word in ["止", "前", "起"] {
                if chars.get(i).is_some_and(|c| word.starts_with(*c)) {
                    i += 1;
                }
            }
            continue;
        }
        if let Some(c) = chars.get(i) {
            out.push(*c);
        }
        i += 1;
    }
    (found, out, bad)
}

fn number_at(chars: &[char], i: usize, max: usize) -> Option<(u32, usize)> {
    let mut n = 0u32;
    let mut len = 0;
    while len < max {
        match chars.get(i + len).and_then(|c| c.to_digit(10)) {
            Some(d) => {
                n = n * 10 + d;
                len += 1;
            }
            None => break,
        }
    }
    (len > 0).then_some((n, len))
}

/// A date written at `i`, and its length in characters; `None` for the date when it is
/// written as one but names no day (2020-02-30).
fn date_at(chars: &[char], i: usize) -> Option<(Option<Date>, usize)> {
    if i > 0 && chars.get(i - 1).is_some_and(char::is_ascii_digit) {
        return None;
    }
    let (y, ylen) = number_at(chars, i, 4)?;
    if ylen != 4 {
        return None;
    }
    let sep = *chars.get(i + 4)?;
    if !matches!(sep, '-' | '年' | '.' | '/') {
        return None;
    }
    let (m, mlen) = number_at(chars, i + 5, 2)?;
    let sep2 = *chars.get(i + 5 + mlen)?;
    let expected = if sep == '年' { '月' } else { sep };
    if sep2 != expected {
        return None;
    }
    let (d, dlen) = number_at(chars, i + 6 + mlen, 2)?;
    let mut len = 6 + mlen + dlen;
    if sep == '年' && chars.get(i + len) == Some(&'日') {
        len += 1;
    }
    Some((Date::new(y as i32, m, d).ok(), len))
}

/// The item a piece names: itself when a task list knows it (after dropping words such as
/// 社区/开展 around it), else a list name inside it (`招商引资任务分解` → 招商引资), else the
/// piece without those words (but with a 社区 directly before the item: 社区矫正). The
/// second value is the piece when an entry inside it was taken.
pub fn resolve(
    piece: &str,
    names: &[Name],
    known: &dyn Fn(&str) -> bool,
) -> (String, Option<String>) {
    let mut cand = piece.trim();
    // What followed a leading 社区 when it was the last word taken off the front: an item no
    // list knows keeps it (社区矫正 is an item of its own, not 矫正).
    let mut after_community: Option<&str> = None;
    loop {
        if known(cand) {
            return (cand.to_owned(), None);
        }
        let before = cand;
        for w in LEADING {
            if let Some(rest) = cand.strip_prefix(w)
                && !rest.is_empty()
            {
                after_community = (*w == "社区").then_some(rest);
                cand = rest;
                break;
            }
        }
        if cand == before {
            for w in TRAILING {
                if let Some(rest) = cand.strip_suffix(w)
                    && !rest.is_empty()
                {
                    cand = rest;
                    break;
                }
            }
        }
        if cand == before {
            break;
        }
    }
    let norm = normalize(piece);
    if let Some(n) = names
        .iter()
        .filter(|n| n.text.chars().count() >= 2 && norm.contains(n.text.as_str()))
        .max_by_key(|n| n.text.chars().count())
    {
        return (n.text.clone(), Some(core(piece).to_owned()));
    }
    match after_community {
        Some(rest) if rest.starts_with(cand) => (format!("社区{cand}"), None),
        _ => (cand.to_owned(), None),
    }
}

/// The entries nearest an unknown item: sharing the most characters with it (at least two).
pub fn nearest<'a>(item: &str, names: &'a [Name]) -> Vec<&'a Name> {
    let item = normalize(item);
    let mut scored: Vec<(usize, &Name)> = names
        .iter()
        .map(|n| {
            let mut pool: Vec<char> = n.text.chars().collect();
            let mut shared = 0;
            for c in item.chars() {
                if let Some(i) = pool.iter().position(|p| *p == c) {
                    pool.swap_remove(i);
                    shared += 1;
                }
            }
            (shared, n)
        })
        // At least two shared, half the entry's characters and a third of the item's.
        .filter(|(s, n)| {
            *s >= 2 && *s * 2 >= n.text.chars().count() && *s * 3 >= item.chars().count()
        })
        .collect();
    scored.sort_by_key(|(s, _)| std::cmp::Reverse(*s));
    let mut out: Vec<&Name> = Vec::new();
    for (_, n) in scored {
        if !out.iter().any(|o| o.entry == n.entry) {
            out.push(n);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

/// A piece without the words around an item (社区、开展、工作 …); empty when it names nothing.
pub fn core(piece: &str) -> &str {
    let mut cand = piece.trim();
    loop {
        if FILLER.contains(&cand) {
            return "";
        }
        let before = cand;
        if let Some(rest) = LEADING.iter().find_map(|w| cand.strip_prefix(w)) {
            cand = rest;
        } else if let Some(rest) = TRAILING.iter().find_map(|w| cand.strip_suffix(w)) {
            cand = rest;
        }
        if cand == before || cand.is_empty() {
            return cand;
        }
    }
}

/// Texts in quotes (‘…’ “…” 「…」 『…』 '…' "…"), in order.
fn quoted(line: &str) -> Vec<String> {
    let pairs = [
        ('‘', '’'),
        ('“', '”'),
        ('「', '」'),
        ('『', '』'),
        ('\'', '\''),
        ('"', '"'),
    ];
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let Some((_, close)) = pairs.iter().find(|(open, _)| *open == c) else {
            continue;
        };
        let inside: String = chars.by_ref().take_while(|x| x != close).collect();
        let inside = inside.trim();
        if !inside.is_empty() {
            out.push(inside.to_owned());
        }
    }
    out
}

/// Items listed after a cue: 「…一票否决：安全生产、信访稳定」 → 安全生产, 信访稳定.
fn listed_after(line: &str, cue: &str) -> Vec<String> {
    let Some((_, rest)) = line.split_once(cue) else {
        return Vec::new();
    };
    rest.trim_start_matches(['：', ':', ' ', '为', '是', '有', '包', '括', '含'])
        .split(['、', '，', ',', '；', ';', '和', '及'])
        .map(|s| {
            s.trim()
                .trim_matches(['。', '？', '?', '！', '!', ' '])
                .trim_end_matches("事项")
                .to_owned()
        })
        .filter(|s| !s.is_empty() && !FRAMES.contains(&s.as_str()))
        .collect()
}

/// A question about signs or assessment told in words, as the subject it is about:
/// 「街道要求挂‘创建全国文明城市指挥部’牌子」 → premises with that external sign;
/// 「考核设一票否决：安全生产」 → an assessment with that veto item; 「考核指标包括台账资料规范」
/// → an assessment with that indicator; 「把上级考核转嫁给社区」 → passed down. `None`: a task.
pub fn premises_or_assessment(line: &str) -> Option<Subject> {
    let line = narrow(line);
    let quotes = quoted(&line);
    // Hanging (挂) a plaque (牌) or sign (标识): 门牌号核查 is a task, not a sign.
    let about_signs = (line.contains('牌') || line.contains("标识")) && line.contains('挂');
    if about_signs && !line.contains("考核") {
        let mut signs = quotes;
        if signs.is_empty() {
            // 挂X牌子 without quotes.
            let after = line.split_once('挂').map_or("", |(_, r)| r);
            let name = after
                .split(['牌', '的', '，', ',', '。', '？', '?'])
                .next()
                .unwrap_or("")
                .trim();
            if !name.is_empty() {
                signs.push(name.to_owned());
            }
        }
        if signs.is_empty() {
            return None;
        }
        let field = if line.contains("内部") || line.contains("功能室") {
            "internal_signs"
        } else {
            "external_signs"
        };
        let list: Vec<&str> = signs.iter().map(String::as_str).collect();
        return Subject::new(SubjectKind::Community).with(field, list).ok();
    }
    // An assessment question names its indicators, a veto or a passed-down assessment;
    // 「协助考核评估」 alone is a task.
    let assessing = line.contains("考核") || line.contains("考评");
    if !(line.contains("一票否决") || assessing && (line.contains("指标") || line.contains("转嫁")))
    {
        return None;
    }
    let mut subject = Subject::new(SubjectKind::Assessment);
    let mut said = false;
    if line.contains("一票否决") {
        let mut items = listed_after(&line, "一票否决");
        items.extend(quotes.iter().cloned());
        if items.is_empty() {
            items.push("一票否决（未写明事项）".to_owned());
        }
        let list: Vec<&str> = items.iter().map(String::as_str).collect();
        subject = subject.with("veto_items", list).ok()?;
        said = true;
    }
    if line.contains("转嫁") {
        let mut items = quotes.clone();
        if items.is_empty() {
            items.push("上级考核（转嫁）".to_owned());
        }
        let list: Vec<&str> = items.iter().map(String::as_str).collect();
        subject = subject.with("passed_down", list).ok()?;
        said = true;
    }
    for cue in [
        "指标包括",
        "指标有",
        "指标为",
        "指标是",
        "指标：",
        "指标:",
        "指标",
    ] {
        if said {
            break;
        }
        let mut items = listed_after(&line, cue);
        if items.is_empty() {
            items = quotes.clone();
        }
        if !items.is_empty() {
            let list: Vec<&str> = items.iter().map(String::as_str).collect();
            subject = subject.with("indicators", list).ok()?;
            said = true;
        }
    }
    said.then_some(subject)
}
