//! The REPL's backend: the loaded districts, the date, the last answer, and one method that
//! turns a line into the text to print. No terminal here, so transcripts test it whole.

use std::fmt::Write as _;
use std::path::PathBuf;

use zhunru::ast::{Literal, Outcome};
use zhunru::{Date, Decision, District, Policy, Subject, Text, Value, Verdict, render, report};

use super::answer;
use super::question::{self, Understood};
use super::understand;

/// The REPL's names for a district: its name (`nanqiao`, or the folder of its versions), a
/// part of its jurisdiction as of the session's date (`南桥`), or the path it was loaded from.
fn matches(d: &District, name: &str, as_of: Date) -> bool {
    let name = name.trim();
    !name.is_empty()
        && (d.name() == name
            || d.in_force(as_of).jurisdiction().contains(name)
            || d.file().is_some_and(|f| f.display().to_string() == name))
}

/// The last answer: which district and version gave it, as of when, to what.
struct Last {
    name: String,
    policy: Policy,
    as_of: Date,
    subject: Subject,
    decision: Decision,
}

/// What the front end should do after a line.
pub struct Reply {
    pub text: String,
    pub quit: bool,
}

impl Reply {
    fn text(text: String) -> Reply {
        Reply { text, quit: false }
    }
}

pub struct Session {
    pub districts: Vec<District>,
    pub current: usize,
    pub as_of: Date,
    pub color: bool,
    last: Option<Last>,
    /// The language diagnostics are shown in (`--lang`).
    lang: zhunru::Lang,
    /// Answer in full (the report with source lines) rather than short: `:explain on`.
    explain: bool,
    /// This one question was asked with `--explain`.
    explain_once: bool,
    /// The line being answered (for the history).
    asking: String,
    /// Past questions with their verdicts: `:history`.
    history: Vec<Asked>,
}

/// A question asked in this session, with its answer.
struct Asked {
    district: String,
    question: String,
    understood: String,
    verdict: Verdict,
}

const HELP: &str = "\
Ask about a task (问一件事项能否准入):
  can 招商引资 enter?                      招商引资 能否准入？
  can 行政执法 enter as responsible?       能否准入 企业摸底 已审批 经费=3000 期限=2020-06-30
  fields: funding= per= period= start= basis= plan= requirements= approval= by=
          approved_on= role= requester= level= id= name=
          authorization: content= object= powers= until=  (or authorization.content= …)
  字段:   经费= 经费周期= 期限= 开始= 依据= 方案= 任务要求= 审批= 审定= 审批日期= 角色=
          申请单位=
          授权内容= 授权对象= 权限= 授权期限=
  or paste a whole JSON subject (it may span several lines)
Commands:
  :district NAME        switch the district in force (:d)
  :districts            the loaded districts
  :compare QUESTION     every loaded district side by side (:c); a question, fields or JSON
  :history              the questions asked so far, with their verdicts
  :why                  the last answer in full, with the policy's source lines (:w)
  :save FILE            the last answer as a record for the file (.md, or .html to print)
  :explain on|off       every answer in full (or add --explain to one question)
  :lists  :list NAME    the policy's lists      :rules   its rules
  :as-of DATE           the date decisions are made as of
  :load FILE            load another policy and switch to it
  :reload               re-read the policy files (a broken file keeps the old policy)
  :help (:h)  :quit (:q)  :clear   also without the colon: help 帮助 exit quit 退出 clear
  Ctrl-C cancels a line, Ctrl-D leaves";

/// [`HELP`] under `--lang zh`.
const HELP_ZH: &str = "\
问一件事项能否准入（Ask about a task）：
  招商引资 能否准入？                      can 招商引资 enter?
  能否准入 企业摸底 已审批 经费=3000 期限=2020-06-30
  字段：  经费= 经费周期= 期限= 开始= 依据= 方案= 任务要求= 审批= 审定= 审批日期= 角色=
          申请单位=
          授权内容= 授权对象= 权限= 授权期限=
  English: funding= per= period= start= basis= plan= requirements= approval= by=
          approved_on= role= requester= level= id= name=
          content= object= powers= until=
  也可以粘贴整个 JSON 对象（可跨多行）
命令：
  :district 名称        切换所用辖区（:d）
  :districts            已加载的辖区
  :compare 问题         各辖区并列比较（:c）；问题、字段或 JSON 均可
  :history              已问过的问题及其结论
  :why                  上一个回答的全文，附政策原文行（:w）
  :save 文件            把上一个回答存为审核意见（.md，或 .html 便于打印）
  :explain on|off       每个回答都给全文（或在一个问题后加 --explain）
  :lists  :list 名称    政策的清单      :rules   政策的规则
  :as-of 日期           作出决定所按的日期
  :load 文件            加载另一份政策并切换过去
  :reload               重读政策文件（文件有错时沿用原政策）
  :help (:h)  :quit (:q)  :clear   不带冒号也可：help 帮助 exit quit 退出 clear
  Ctrl-C 取消当前行，Ctrl-D 退出";

impl Session {
    pub fn new(districts: Vec<District>, as_of: Date, color: bool, lang: zhunru::Lang) -> Session {
        Session {
            districts,
            current: 0,
            as_of,
            color,
            lang,
            last: None,
            explain: false,
            explain_once: false,
            asking: String::new(),
            history: Vec::new(),
        }
    }

    pub fn prompt(&self) -> String {
        match self.districts.get(self.current) {
            Some(d) => format!("准入[{}]> ", d.name()),
            None => "准入> ".to_owned(),
        }
    }

    /// Start in the district of this short name (`yingjiang`); false when none is loaded.
    pub fn start_in(&mut self, name: &str) -> bool {
        match self.districts.iter().position(|d| d.name() == name) {
            Some(i) => {
                self.current = i;
                true
            }
            None => false,
        }
    }

    /// The loaded districts' short names, in order.
    pub fn district_names(&self) -> Vec<String> {
        self.districts.iter().map(|d| d.name().to_owned()).collect()
    }

    /// Names for completion: commands, districts, list entries, fields.
    pub fn completions(&self) -> Vec<String> {
        let mut out: Vec<String> = [
            ":district",
            ":districts",
            ":compare",
            ":why",
            ":save",
            ":history",
            ":explain",
            ":clear",
            ":lists",
            ":list",
            ":rules",
            ":as-of",
            ":load",
            ":reload",
            ":help",
            ":quit",
            "can",
            "enter?",
            "能否准入",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        out.extend(question::FIELD_WORDS.iter().map(|s| s.to_string()));
        // Fields the districts declare, by name and by label (`community_type=`, `社区类型=`).
        for d in &self.districts {
            for f in question::Declared::of(d.in_force(self.as_of)) {
                out.push(format!("{}=", f.name));
                if let Some(label) = f.label {
                    out.push(format!("{label}="));
                }
            }
        }
        for d in &self.districts {
            out.push(d.name().to_owned());
        }
        if let Some(d) = self.districts.get(self.current) {
            for list in &d.in_force(self.as_of).ast().lists {
                out.push(list.name.node.clone());
                for e in &list.entries {
                    if let Literal::Text(t) = &e.value.node {
                        out.push(t.clone());
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    pub fn handle(&mut self, line: &str) -> Reply {
        let line = line.trim();
        if line.is_empty() {
            return Reply::text(String::new());
        }
        if let Some(command) = line.strip_prefix(':') {
            let (name, rest) = command
                .split_once(char::is_whitespace)
                .unwrap_or((command, ""));
            return self.command(name, rest.trim());
        }
        if let Some(name) = bare_command(line) {
            return self.command(name, "");
        }
        self.asking = line.split_whitespace().collect::<Vec<_>>().join(" ");
        let line = match line.strip_suffix("--explain") {
            Some(rest) => {
                self.explain_once = true;
                rest.trim()
            }
            None => line,
        };
        if line.starts_with('{') {
            // A JSON subject left open, followed by a question (pasted, or typed after it):
            // report the JSON and answer the question rather than swallow it.
            if let Some((json, question)) = split_unfinished_json(line) {
                let mut text = self.handle(json).text;
                text.push_str(&self.handle(question).text);
                return Reply::text(text);
            }
            return Reply::text(self.pasted(line));
        }
        let parsed = self.parse(line);
        Reply::text(match parsed {
            Ok(understood) => self.answer(understood),
            Err(e) => self.error(
                &e,
                &Text::new("type :help for examples", "输入 :help 看示例"),
            ),
        })
    }

    /// A question read against the district in force (its task lists' names).
    fn parse(&self, line: &str) -> Result<Understood, Text> {
        let names = self
            .policy()
            .map(|d| understand::task_names(d.in_force(self.as_of)))
            .unwrap_or_default();
        let known = |c: &str| self.is_known(c);
        let declared = self
            .policy()
            .map(|d| question::Declared::of(d.in_force(self.as_of)))
            .unwrap_or_default();
        question::parse(line, &names, &known, &declared)
    }

    /// Whether an item is on a task list of the district in force.
    fn is_known(&self, item: &str) -> bool {
        self.policy().is_some_and(|d| {
            understand::task_lists(d.in_force(self.as_of))
                .iter()
                .any(|l| d.in_force(self.as_of).list_contains(l, item))
        })
    }

    fn policy(&self) -> Option<&District> {
        self.districts.get(self.current)
    }

    fn answer(&mut self, understood: Understood) -> String {
        let Understood { subject, from } = understood;
        let full = std::mem::take(&mut self.explain_once) || self.explain;
        let Some(district) = self.policy() else {
            return self.said(&Text::new(
                "error: no policy loaded; use :load FILE",
                "错误：没有加载政策；用 :load 文件 加载",
            ));
        };
        // The version in force on the session's date decides.
        let version = district.in_force(self.as_of).clone();
        let name = district.name().to_owned();
        let decision = version.decide(&subject, self.as_of);
        let mut out = String::new();
        if subject.kind() == zhunru::SubjectKind::Task {
            let names = understand::task_names(&version);
            out.push_str(&understood_line(&subject, from.as_deref(), &names));
            if let Some(note) = self.unknown_category_note(&subject) {
                out.push_str(&note);
            }
        } else {
            out.push_str(&premises_line(&subject));
        }
        if full {
            out.push_str(&report::decision_text_in(
                &version, &decision, self.color, self.lang,
            ));
        } else {
            out.push_str(&answer::short(
                &version, &subject, &decision, self.as_of, self.color,
            ));
        }
        let understood = match subject.kind() {
            zhunru::SubjectKind::Task => subject.category().unwrap_or("").to_owned(),
            kind => format!("{kind:?}").to_lowercase(),
        };
        self.history.push(Asked {
            district: name.clone(),
            question: std::mem::take(&mut self.asking),
            understood,
            verdict: decision.verdict(),
        });
        self.last = Some(Last {
            name,
            policy: version,
            as_of: self.as_of,
            subject,
            decision,
        });
        out
    }

    /// `:history`: the questions asked so far, each with its district and verdict.
    fn history(&self) -> String {
        if self.history.is_empty() {
            return self.said(&Text::new("nothing asked yet", "还没有提问"));
        }
        let mut out = String::new();
        for (i, a) in self.history.iter().enumerate() {
            let question = clip(&a.question, 48);
            let _ = writeln!(
                out,
                "{:>3}  {:<10} {question}{}  → {}  （事项 {}）",
                i + 1,
                a.district,
                " ".repeat(48usize.saturating_sub(display_width(&question))),
                report::verdict_line(a.verdict),
                a.understood
            );
        }
        out
    }

    /// An item on no task list of the district: said plainly, with the nearest entries when
    /// some share at least two characters with it.
    fn unknown_category_note(&self, subject: &Subject) -> Option<String> {
        let district = self.policy()?;
        let category = subject.category()?;
        if self.is_known(category) {
            return None;
        }
        let names = understand::task_names(district.in_force(self.as_of));
        let near = understand::nearest(category, &names);
        let mut out = format!(
            "未在任何清单中找到“{category}”（{}）— on no list of {}",
            district.in_force(self.as_of).jurisdiction(),
            district.name()
        );
        if near.is_empty() {
            out.push('\n');
        } else {
            let near: Vec<String> = near
                .iter()
                .map(|n| {
                    let title = district
                        .in_force(self.as_of)
                        .list_decl(&n.list)
                        .and_then(|l| l.title.as_ref())
                        .map_or(n.list.as_str(), |t| t.node.as_str());
                    format!("「{}」（{title}）", n.entry)
                })
                .collect();
            let _ = writeln!(out, "；最接近 nearest: {}", near.join("、"));
        }
        Some(out)
    }

    fn command(&mut self, name: &str, rest: &str) -> Reply {
        let text = match name {
            "q" | "quit" | "exit" => {
                return Reply {
                    text: String::new(),
                    quit: true,
                };
            }
            "h" | "help" | "?" => match self.lang {
                zhunru::Lang::Zh => format!("{HELP_ZH}\n"),
                _ => format!("{HELP}\n"),
            },
            // On a terminal the screen is cleared; piped, there is nothing to clear.
            "clear" | "cls" => {
                if self.color {
                    "\x1b[2J\x1b[H".to_owned()
                } else {
                    String::new()
                }
            }
            "d" | "district" => self.switch(rest),
            "districts" => self.list_districts(),
            "c" | "compare" => self.compare(rest),
            "w" | "why" => self.why(),
            "save" | "保存" => self.save(rest),
            "history" | "hist" | "历史" => self.history(),
            "explain" => match rest {
                "on" | "开" => {
                    self.explain = true;
                    "answers are now given in full, with the policy's source lines (:explain off for short ones)\n".to_owned()
                }
                "off" | "关" => {
                    self.explain = false;
                    "answers are now short; :why gives the last one in full\n".to_owned()
                }
                _ => format!(
                    "answers are {}: :explain on|off\n",
                    if self.explain { "in full" } else { "short" }
                ),
            },
            "lists" => self.lists(),
            "list" => self.list(rest),
            "rules" => self.rules(),
            "as-of" | "asof" => match Date::parse(&zhunru::normalize(rest)) {
                Some(d) => {
                    self.as_of = d;
                    let mut out = self.said(&Text::new(
                        format!("decisions are now made as of {d}"),
                        format!("此后按 {d} 作出决定"),
                    ));
                    // A folder of versions: the version in force on the new date decides.
                    for district in &self.districts {
                        if district.file().is_some_and(std::path::Path::is_dir) {
                            let _ = writeln!(
                                out,
                                "{}: the version in force is {}",
                                district.name(),
                                district.in_force(d).source().name()
                            );
                        }
                    }
                    out
                }
                None if rest.is_empty() => self.said(&Text::new(
                    format!("decisions are made as of {}", self.as_of),
                    format!("按 {} 作出决定", self.as_of),
                )),
                None => self.said(&Text::new(
                    format!("error: `{rest}` is not a date: write YYYY-MM-DD, a day that exists"),
                    format!("错误：`{rest}` 不是日期：写作 YYYY-MM-DD，且须是日历上存在的日子"),
                )),
            },
            "load" | "l" => self.load(rest),
            "reload" | "r" => self.reload(),
            _ => self.error(
                &Text::new(
                    format!("unknown command `:{name}`"),
                    format!("没有命令 `:{name}`"),
                ),
                &Text::new("type :help for the commands", "输入 :help 看命令"),
            ),
        };
        Reply::text(text)
    }

    /// The language the session speaks (`--lang`).
    pub fn lang(&self) -> zhunru::Lang {
        self.lang
    }

    /// A line of the session's own, in its language (`--lang`).
    fn said(&self, text: &Text) -> String {
        format!("{}\n", text.get(self.lang))
    }

    /// `error: …` and `help: …` in the session's language.
    fn error(&self, message: &Text, help: &Text) -> String {
        match self.lang {
            zhunru::Lang::Zh => format!(
                "错误：{}\n  提示：{}\n",
                message.get(self.lang),
                help.get(self.lang)
            ),
            _ => format!(
                "error: {}\n  help: {}\n",
                message.get(self.lang),
                help.get(self.lang)
            ),
        }
    }

    fn list_districts(&self) -> String {
        let mut out = String::new();
        for (i, d) in self.districts.iter().enumerate() {
            let mark = if i == self.current { "*" } else { " " };
            let _ = writeln!(
                out,
                "{mark} {:<10} {}  ({})",
                d.name(),
                d.in_force(self.as_of).jurisdiction(),
                d.file()
                    .map(|f| f.display().to_string())
                    .unwrap_or_default()
            );
        }
        out
    }

    #[allow(
        clippy::indexing_slicing,
        reason = "the index comes from position() over the same vector"
    )]
    fn switch(&mut self, name: &str) -> String {
        // `:district` alone asks which there are, not for a district named "".
        if name.trim().is_empty() {
            return self.list_districts();
        }
        match self
            .districts
            .iter()
            .position(|d| matches(d, name, self.as_of))
        {
            Some(i) => {
                self.current = i;
                let d = &self.districts[i];
                format!(
                    "district in force: {} — {}\n",
                    d.name(),
                    d.in_force(self.as_of).jurisdiction()
                )
            }
            None => {
                let names: Vec<String> =
                    self.districts.iter().map(|d| d.name().to_owned()).collect();
                let names = names.join(", ");
                self.error(
                    &Text::new(
                        format!("no district `{name}` is loaded"),
                        format!("没有加载名为 `{name}` 的辖区"),
                    ),
                    &Text::new(
                        format!("the loaded districts are {names}; :load FILE adds one"),
                        format!("已加载的辖区：{names}；用 :load 文件 添加"),
                    ),
                )
            }
        }
    }

    fn compare(&mut self, rest: &str) -> String {
        let understood = if rest.trim_start().starts_with('{') {
            match serde_json::from_str::<Subject>(rest) {
                Ok(subject) => Understood {
                    subject,
                    from: None,
                },
                Err(e) => {
                    let en = zhunru::json_message(&e);
                    let zh = zhunru::input::message_zh(&en).unwrap_or_else(|| en.clone());
                    return self.error(
                        &Text::new(
                            format!("this JSON subject cannot be read: {en}"),
                            format!("这个 JSON 对象无法读取：{zh}"),
                        ),
                        &Text::new(
                            ":compare {\"category\": \"行政执法\", \"community_role\": \"assist\"}",
                            ":compare {\"category\": \"行政执法\", \"community_role\": \"assist\"}",
                        ),
                    );
                }
            }
        } else {
            match self.parse(rest) {
                Ok(u) => u,
                Err(e) => {
                    return self.error(
                        &e,
                        &Text::new(
                            ":compare 行政执法 role=responsible",
                            ":compare 行政执法 角色=责任主体",
                        ),
                    );
                }
            }
        };
        let subject = understood.subject;
        let names = self
            .policy()
            .map(|d| understand::task_names(d.in_force(self.as_of)))
            .unwrap_or_default();
        let rows: Vec<(String, Decision)> = self
            .districts
            .iter()
            .map(|d| (d.name().to_owned(), d.decide(&subject, self.as_of)))
            .collect();
        let mut out = format!("问：{} — as of {}\n", clip(rest, 60), self.as_of);
        if subject.kind() == zhunru::SubjectKind::Task {
            out.push_str(&understood_line(
                &subject,
                understood.from.as_deref(),
                &names,
            ));
        }
        let width = rows
            .iter()
            .map(|r| display_width(&r.0))
            .max()
            .unwrap_or(8)
            .max(8);
        let _ = writeln!(
            out,
            "{:<width$}  {:<29}  {:<40}  rules",
            "district", "verdict", "missing"
        );
        for (name, d) in &rows {
            let verdict = report::verdict_line(d.verdict());
            let rules: Vec<String> = d
                .reasons()
                .iter()
                .map(|r| format!("{} [{}]", r.rule(), r.cites().join(",")))
                .collect();
            let pad = 29usize.saturating_sub(display_width(&verdict));
            let missing = if d.missing().is_empty() {
                "-".to_owned()
            } else {
                d.missing()
                    .iter()
                    .map(|m| answer::plain(m).0.to_owned())
                    .collect::<Vec<_>>()
                    .join("、")
            };
            let mpad = 40usize.saturating_sub(display_width(&missing));
            let _ = writeln!(
                out,
                "{:<width$}  {verdict}{}  {missing}{}  {}",
                name,
                " ".repeat(pad),
                " ".repeat(mpad),
                rules.join("; "),
            );
        }
        out
    }

    /// `:save FILE`: the last answer as a printable record (审核意见) — HTML for a `.html`
    /// file, else Markdown.
    fn save(&self, file: &str) -> String {
        let file = file.trim();
        if file.is_empty() {
            return self.said(&Text::new(
                "error: where to? e.g. `:save 审核意见.md` or `:save 审核意见.html`",
                "错误：保存到哪里？例如 `:save 审核意见.md` 或 `:save 审核意见.html`",
            ));
        }
        let Some(last) = &self.last else {
            return self.said(&Text::new(
                "nothing asked yet: ask about an item first",
                "还没有提问：请先问一个事项",
            ));
        };
        let question = self.history.last().map(|a| a.question.as_str());
        let record = zhunru::record::Record {
            policy: &last.policy,
            subject: &last.subject,
            decision: &last.decision,
            as_of: last.as_of,
            question,
            origin: None,
        };
        let lower = file.to_lowercase();
        let text = if lower.ends_with(".html") || lower.ends_with(".htm") {
            zhunru::record::html_page(&zhunru::record::html(&record))
        } else {
            zhunru::record::markdown(&record)
        };
        match std::fs::write(file, text) {
            Ok(()) => format!("saved the last answer to {file} (审核意见已保存)\n"),
            Err(e) => self.said(&Text::new(
                format!("error: cannot write `{file}`: {e}"),
                format!("错误：无法写入 `{file}`：{e}"),
            )),
        }
    }

    fn why(&self) -> String {
        let Some(Last {
            name,
            policy,
            as_of,
            subject,
            decision,
        }) = &self.last
        else {
            return self.said(&Text::new(
                "nothing asked yet: ask about an item first",
                "还没有提问：请先问一个事项",
            ));
        };
        let mut out = format!(
            "district {name} — {}, as of {as_of}\nsubject as understood:\n  {}\n",
            policy.jurisdiction(),
            serde_json::to_string(subject).unwrap_or_default()
        );
        out.push_str(&report::decision_text_in(
            policy, decision, self.color, self.lang,
        ));
        for m in decision.missing_items() {
            let _ = writeln!(
                out,
                "  missing {:<22} required by {}: {}",
                m.name(),
                m.rule(),
                m.requirement()
            );
        }
        if decision.verdict() == Verdict::NeedsApproval && decision.missing().is_empty() {
            out.push_str("  every material is there; the application still has to be approved\n");
        }
        let _ = writeln!(
            out,
            "decision as JSON:\n  {}",
            serde_json::to_string(decision).unwrap_or_default()
        );
        out
    }

    fn lists(&self) -> String {
        let Some(d) = self.policy() else {
            return self.said(&Text::new("no policy loaded", "没有加载政策"));
        };
        let mut out = String::new();
        for list in &d.in_force(self.as_of).ast().lists {
            let examples = list.entries.iter().filter(|e| e.example).count();
            let cites: Vec<&str> = list.cite.iter().map(|c| c.node.as_str()).collect();
            let n = list.entries.len();
            let count = match (self.lang, examples) {
                (zhunru::Lang::Zh, 0) => format!("{n} 项"),
                (zhunru::Lang::Zh, _) => format!("{n} 项（其中 {examples} 项示例）"),
                (_, 0) => format!("{n} entries"),
                (_, _) => format!("{n} entries ({examples} 示例)"),
            };
            let _ = writeln!(
                out,
                "{}  {}  [{}]  {count}",
                list.name.node,
                list.title.as_ref().map_or("", |t| t.node.as_str()),
                cites.join(", "),
            );
        }
        out
    }

    fn list(&self, name: &str) -> String {
        // `:list` alone: which lists there are.
        if name.trim().is_empty() {
            return self.lists();
        }
        let Some(d) = self.policy() else {
            return self.said(&Text::new("no policy loaded", "没有加载政策"));
        };
        let Some(list) = d.in_force(self.as_of).list_decl(name) else {
            let names: Vec<&str> = d
                .in_force(self.as_of)
                .ast()
                .lists
                .iter()
                .map(|l| l.name.node.as_str())
                .collect();
            let names = names.join(", ");
            return self.error(
                &Text::new(
                    format!("no list `{name}` in {}", d.name()),
                    format!("{} 没有清单 `{name}`", d.name()),
                ),
                &Text::new(format!("the lists are {names}"), format!("清单有：{names}")),
            );
        };
        let mut out = format!(
            "{} {} [{}]\n",
            list.name.node,
            list.title.as_ref().map_or("", |t| t.node.as_str()),
            list.cite
                .iter()
                .map(|c| c.node.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        for e in &list.entries {
            let value = match &e.value.node {
                Literal::Text(t) => t.clone(),
                Literal::Number(n) => n.to_string(),
                Literal::Date(d) => d.to_string(),
                Literal::Bool(b) => b.to_string(),
                Literal::Duration(d) => format!("{} {:?}", d.amount, d.unit),
            };
            let aliases: Vec<&str> = e.aliases.iter().map(|a| a.node.as_str()).collect();
            let _ = writeln!(
                out,
                "  {}{}{}{}",
                value,
                if aliases.is_empty() {
                    String::new()
                } else {
                    format!("（别名 {}）", aliases.join("、"))
                },
                if e.cite.is_empty() {
                    String::new()
                } else {
                    let ids: Vec<&str> = e.cite.iter().map(|c| c.node.as_str()).collect();
                    format!(
                        "   追加，依据 {} (added to the parent's list)",
                        ids.join("、")
                    )
                },
                if e.example {
                    "   示例 (illustrative, not quoted from the source)"
                } else {
                    ""
                }
            );
        }
        out
    }

    fn rules(&self) -> String {
        let Some(d) = self.policy() else {
            return self.said(&Text::new("no policy loaded", "没有加载政策"));
        };
        let mut out = String::new();
        let policy = d.in_force(self.as_of);
        for (index, rule) in policy.ast().rules.iter().enumerate() {
            let outcome = match rule.outcome.node {
                Outcome::Deny(_) => "不予准入 deny",
                Outcome::Admit(_) => "准予准入 admit",
                Outcome::Refer(_) => "须经审批 refer",
                Outcome::Violation(_) => "违规 violation",
            };
            let pad = 26usize.saturating_sub(display_width(&rule.name.node));
            let _ = writeln!(
                out,
                "{}{} [{}]  {}  {}",
                rule.name.node,
                " ".repeat(pad),
                rule.cite
                    .iter()
                    .map(|c| c.node.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                outcome,
                // The rule's own file: a parent's for an inherited rule (its span counts in
                // that file, not this one).
                policy
                    .rule_position(index)
                    .map_or_else(String::new, |p| p.to_string())
            );
        }
        out
    }

    #[allow(
        clippy::indexing_slicing,
        reason = "the index comes from position() or push() on the same vector"
    )]
    fn load(&mut self, path: &str) -> String {
        if path.is_empty() {
            return self.said(&Text::new(
                "error: :load needs a file, e.g. :load policies/DISTRICT.policy",
                "错误：:load 要写文件，例如 :load policies/辖区.policy",
            ));
        }
        let path = PathBuf::from(path);
        match District::load(&path) {
            Ok(district) => {
                let existing = self
                    .districts
                    .iter()
                    .position(|d| d.file() == district.file());
                let index = match existing {
                    Some(i) => {
                        self.districts[i] = district;
                        i
                    }
                    None => {
                        self.districts.push(district);
                        self.districts.len() - 1
                    }
                };
                self.current = index;
                let d = &self.districts[index];
                format!(
                    "loaded {} — {} ({} rules)\n",
                    d.name(),
                    d.in_force(self.as_of).jurisdiction(),
                    d.in_force(self.as_of).ast().rules.len()
                )
            }
            Err(e) => self.broken(&e, "nothing was loaded"),
        }
    }

    fn reload(&mut self) -> String {
        let mut out = String::new();
        for d in &mut self.districts {
            let Some(file) = d.file() else { continue };
            match District::load(file) {
                Ok(fresh) => {
                    *d = fresh;
                    let _ = writeln!(out, "reloaded {}", d.name());
                }
                Err(e) => {
                    for diag in e.diagnostics() {
                        out.push_str(&render(&diag.localized(self.lang), self.color));
                    }
                    let _ = writeln!(
                        out,
                        "{} is broken; the previous policy stays in force",
                        d.name()
                    );
                }
            }
        }
        out
    }

    fn broken(&self, e: &zhunru::PolicyError, what: &str) -> String {
        let mut out = String::new();
        for diag in e.diagnostics() {
            out.push_str(&render(&diag.localized(self.lang), self.color));
        }
        let _ = writeln!(out, "{what}");
        out
    }
}

/// 「理解为：社区 对外牌子 创建全国文明城市指挥部」: how a sign or assessment question was read.
fn premises_line(subject: &Subject) -> String {
    let mut parts = vec![subject.kind().zh().to_owned()];
    for (field, label) in [
        ("external_signs", "对外牌子"),
        ("internal_signs", "内部标识"),
        ("office_area", "办公面积"),
        ("activity_area", "活动用房面积"),
        ("indicators", "考核指标"),
        ("veto_items", "一票否决事项"),
        ("passed_down", "转嫁的考核"),
    ] {
        match subject.fields().get(field) {
            Some(Value::List(items)) => {
                let shown: Vec<&str> = items
                    .iter()
                    .filter_map(|v| match v {
                        Value::Text(t) => Some(t.as_str()),
                        _ => None,
                    })
                    .collect();
                // An empty list says there are none: 「内部标识 无」, not a blank.
                let shown = if shown.is_empty() {
                    "无".to_owned()
                } else {
                    shown.join("、")
                };
                parts.push(format!("{label} {shown}"));
            }
            Some(Value::Number(n)) => parts.push(format!("{label} {}", number(*n))),
            _ => {}
        }
    }
    format!("理解为：{}\n", parts.join(" · "))
}

/// 「理解为：事项 拆迁拆违（据“违章建筑拆除工作”）· 角色 责任主体 · 提出单位 区城管局」: how a
/// question was read, before its answer.
fn understood_line(subject: &Subject, from: Option<&str>, names: &[understand::Name]) -> String {
    let text = |path: &[&str]| match subject.fields().get_path(&path.join(".")) {
        Some(Value::Text(t)) => Some(t.clone()),
        Some(Value::Number(n)) => Some(number(*n)),
        Some(Value::Bool(b)) => Some(if *b { "有" } else { "无" }.to_owned()),
        Some(Value::List(items)) => Some(
            items
                .iter()
                .filter_map(|v| match v {
                    Value::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("、"),
        ),
        _ => None,
    };
    let mut parts = Vec::new();
    let category = subject.category().unwrap_or("");
    // An alias is named with the entry it stands for; not a name that is an entry itself
    // (Nanqiao lists 「行政执法」, which the national list gives as an alias of 「执法」: the
    // district's own entry decides, and naming 「执法」 misled a new-user trial).
    let norm = zhunru::normalize(category);
    let is_entry = names
        .iter()
        .any(|n| n.text == norm && zhunru::normalize(&n.entry) == norm);
    let entry = names
        .iter()
        .find(|n| !is_entry && n.text == norm && n.entry != n.text)
        .map(|n| format!("（即清单条目「{}」）", n.entry))
        .unwrap_or_default();
    parts.push(match from {
        Some(f) => format!("事项 {category}{entry}（据“{f}”）"),
        None => format!("事项 {category}{entry}"),
    });
    if let Some(role) = text(&["community_role"]) {
        parts.push(format!(
            "角色 {}",
            match role.as_str() {
                "responsible" => "责任主体",
                "assist" => "协助",
                other => other,
            }
        ));
    }
    if let Some(r) = text(&["requester"]) {
        parts.push(format!("提出单位 {r}"));
    }
    if let Some(a) = text(&["funding", "amount"]) {
        parts.push(match text(&["funding", "per"]).as_deref() {
            Some("month") => format!("经费 每月{a}元"),
            Some("year") => format!("经费 每年{a}元"),
            Some("once") => format!("经费 {a}元（一次性）"),
            _ => format!("经费 {a}元"),
        });
    }
    if let Some(status) = text(&["approval", "status"]) {
        parts.push(format!(
            "审批 {}",
            match status.as_str() {
                "approved" => "已批准",
                "rejected" => "未通过（驳回）",
                "pending" => "审批中",
                "none" => "未审批",
                other => other,
            }
        ));
    }
    if let Some(by) = text(&["approval", "by"]) {
        parts.push(format!("审定 {by}"));
    }
    if let Some(on) = text(&["approval", "date"]) {
        parts.push(format!("审批日期 {on}"));
    }
    for (path, label) in [
        (&["basis"][..], "依据"),
        (&["work_plan"][..], "工作方案"),
        (&["requirements"][..], "任务要求"),
        (&["period", "start"][..], "开始"),
        (&["period", "end"][..], "期限至"),
        (&["authorization", "content"][..], "授权内容"),
        (&["authorization", "object"][..], "授权对象"),
        (&["authorization", "powers"][..], "权限"),
        (&["authorization", "until"][..], "授权至"),
    ] {
        if label == "授权至" && text(path) == text(&["period", "end"]) {
            continue;
        }
        if let Some(v) = text(path) {
            parts.push(format!("{label} {v}"));
        }
    }
    // Fields beyond the contract (a policy's declared fields, `community_type=涉农`).
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(subject) {
        for (name, _) in fields {
            if name != "kind"
                && zhunru::labels::field_label(&name).is_none()
                && let Some(v) = text(&[name.as_str()])
            {
                parts.push(format!("{name} {v}"));
            }
        }
    }
    format!("理解为：{}\n", parts.join(" · "))
}

/// 3000, 2.5: a number without a needless `.0`.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// `{"category": "企业摸底",` then a question: the JSON that was left open, and the question
/// after it. None when the text is JSON (finished or not) throughout.
fn split_unfinished_json(text: &str) -> Option<(&str, &str)> {
    let e = serde_json::from_str::<serde::de::IgnoredAny>(text).err()?;
    if e.is_eof() || e.line() < 2 {
        return None;
    }
    // The line the error is on starts the question.
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i + 1 == e.line() {
            let first = line.trim_start().chars().next()?;
            if matches!(first, '"' | '}' | ']' | '{' | '[' | ',' | ':') || first.is_ascii_digit() {
                return None;
            }
            let json = text.get(..offset)?.trim_end();
            let question = text.get(offset..)?;
            return question::json_incomplete(json).then_some((json, question));
        }
        offset += line.len();
    }
    None
}

impl Session {
    /// Pasted JSON, read by the same reader as `zhunru eval` reads a file: every well-formed
    /// subject is answered in order, every malformed one reported once at its own line and
    /// column; one bad subject loses none of the others.
    fn pasted(&mut self, text: &str) -> String {
        let reads: Vec<_> = zhunru::input::SubjectReader::new(text.as_bytes(), "<input>").collect();
        let several = reads.len() > 1;
        let mut out = String::new();
        for (line, read) in reads {
            if several {
                let _ = writeln!(out, "— 第 {line} 行 line {line} —");
            }
            match read {
                Ok(subject) => out.push_str(&self.answer(Understood {
                    subject,
                    from: None,
                })),
                Err(e) => out.push_str(&render(&e.localized(self.lang), self.color)),
            }
        }
        out
    }
}

/// A text cut to `width` terminal columns, with `…` when cut.
fn clip(text: &str, width: usize) -> String {
    if display_width(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        if display_width(&out) + display_width(&c.to_string()) + 1 > width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// A command typed without its colon: a line that is only `exit`, `quit`, `help`, `clear`,
/// `退出` or `帮助` (no task is named like that), so it is not decided as a category.
fn bare_command(line: &str) -> Option<&'static str> {
    let word = line
        .trim()
        .trim_end_matches(['。', '.', '!', '！', '?', '？'])
        .trim()
        .to_lowercase();
    Some(match word.as_str() {
        "exit" | "quit" | "退出" | "再见" | "bye" => "quit",
        "help" | "帮助" | "?" | "？" => "help",
        "clear" | "cls" | "清屏" => "clear",
        _ => return None,
    })
}

/// Columns a text takes in a terminal (the library's width: `unicode-width`).
fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // a test stops at the line that failed
mod tests {
    use super::*;

    /// A paste of several subjects (a terminal delivers it as one input) is read as eval
    /// reads a file: each good subject answered, the bad one reported at its own line.
    #[test]
    fn a_paste_of_several_subjects_answers_each() {
        let district = zhunru::District::load("policies/hefei.policy").unwrap();
        let as_of = Date::new(2024, 1, 1).unwrap();
        let mut session = Session::new(vec![district], as_of, false, zhunru::Lang::Zh);
        let paste = "{\"id\":\"T-1\",\"category\":\"招商\n{\"id\":\"T-2\",\"category\":\"招商引资\"}\n{\"id\":\"T-3\",\"category\":\"创卫迎检\"}";
        let text = session.handle(paste).text;
        assert!(text.contains("<input>:1:"), "{text}");
        assert!(text.contains("不予准入"), "{text}");
        assert!(text.contains("须经准入审批"), "{text}");
        assert_eq!(text.matches("— 第 ").count(), 3, "{text}");
    }
}
