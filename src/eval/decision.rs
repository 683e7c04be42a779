//! The answer: a verdict, the reasons that decided it, and what an application lacks.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::ast::{RuleDecl, SubjectKind};
use crate::date::Date;
use crate::diagnostic::Lang;
use crate::source::{Position, Span};
use crate::value::Subject;

/// The verdict on a subject; `Display` is the contract's word. `Ord` is the order declared
/// here, which ranks nothing: it is there so that verdicts can be keys of a sorted map
/// (counts by verdict), not to say that one verdict is worse than another.
///
/// ```
/// use zhunru::Verdict;
/// assert_eq!(Verdict::NeedsApproval.to_string(), "needs_approval");
/// assert!(Verdict::Admitted < Verdict::Denied);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// The task may enter the community (准予准入).
    Admitted,
    /// The task may not enter: a negative list or a ban applies (不予准入).
    Denied,
    /// The task enters only through the admission procedure (须经准入审批).
    NeedsApproval,
    /// The premises or assessment plan break no rule (合规).
    Compliant,
    /// Some rule is broken (不合规).
    NonCompliant,
    /// No rule is broken, but some rule could not be told either way (a field its condition
    /// reads is not given, or a division by zero in it): nothing is certified (无法判定).
    Undecided,
    /// No version of the policy is in force on the date asked about (不在施行期): before
    /// it takes effect (`生效`) or after it lapses (`失效`). Nothing was decided.
    NotInForce,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Verdict {
    /// The contract's word: `admitted`, `denied`, `needs_approval`, `compliant`,
    /// `non_compliant`, `undecided`, `not_in_force`.
    ///
    /// ```
    /// assert_eq!(zhunru::Verdict::Denied.as_str(), "denied");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Admitted => "admitted",
            Verdict::Denied => "denied",
            Verdict::NeedsApproval => "needs_approval",
            Verdict::Compliant => "compliant",
            Verdict::NonCompliant => "non_compliant",
            Verdict::Undecided => "undecided",
            Verdict::NotInForce => "not_in_force",
        }
    }

    /// The Chinese label: 准予准入, 不予准入, 须经准入审批, 合规, 不合规, 无法判定, 不在施行期.
    ///
    /// ```
    /// assert_eq!(zhunru::Verdict::Denied.zh(), "不予准入");
    /// ```
    pub fn zh(self) -> &'static str {
        match self {
            Verdict::Admitted => "准予准入",
            Verdict::Denied => "不予准入",
            Verdict::NeedsApproval => "须经准入审批",
            Verdict::Compliant => "合规",
            Verdict::NonCompliant => "不合规",
            Verdict::Undecided => "无法判定",
            Verdict::NotInForce => "不在施行期",
        }
    }
}

/// What a [`Reason`] stands for: a rule of the policy, or one of the engine's own answers.
///
/// ```
/// use zhunru::{Date, Policy, ReasonKind, Subject, Verdict};
/// let policy = Policy::from_file("policies/nanqiao.policy")?;
/// let june = Date::new(2020, 6, 1)?;
/// assert_eq!(policy.decide(&Subject::task("行政执法"), june).reasons()[0].kind(), ReasonKind::Rule);
/// // Hefei's policy takes effect on 2019-08-31: asked about 2018, it decides nothing.
/// let hefei = Policy::from_file("policies/hefei.policy")?;
/// let early = hefei.decide(&Subject::task("企业摸底"), Date::new(2018, 1, 1)?);
/// assert_eq!(early.verdict(), Verdict::NotInForce);
/// assert_eq!(early.reasons()[0].kind(), ReasonKind::NotInForce);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReasonKind {
    /// A rule of the policy (or of a parent) decided: [`Reason::rule`] names it.
    Rule,
    /// No rule admits the task, so it goes to the admission procedure (清单之外的事项须经准入
    /// 审批). Its JSON keeps the contract's `"rule": "no_rule_admits"`.
    NoRuleAdmits,
    /// No version of the policy is in force on the date asked about (`"rule": "not_in_force"`).
    NotInForce,
    /// No rule of the policy is about community premises or assessments, so `compliant`
    /// certifies nothing (`"rule": "no_rule_covers"`).
    NoRuleCovers,
}

/// One rule that decided a verdict: its name, message, the clauses it cites and where it
/// stands. Its JSON is the contract's reason (`rule`, `message`, `cite`, `cites`, `at`, and
/// `clauses`); fields may be added to it, none removed.
///
/// ```
/// use zhunru::{Date, Policy, ReasonKind, Subject};
/// let policy = Policy::from_file("policies/nanqiao.policy")?;
/// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
/// let reason = &decision.reasons()[0];
/// assert_eq!(reason.kind(), ReasonKind::Rule);
/// assert_eq!(reason.cite(), Some("N2"));
/// assert!(reason.clauses()[0].document().title().contains("南谯区"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Deserialize)]
#[serde(from = "ReasonJson")]
pub struct Reason {
    pub(crate) rule: String,
    pub(crate) kind: ReasonKind,
    pub(crate) message: String,
    pub(crate) cite: Option<String>,
    pub(crate) cites: Vec<String>,
    pub(crate) at: Option<Position>,
    pub(crate) clauses: Vec<CitedClause>,
    /// The rule's span in its policy file (for rendering; not serialised, not compared).
    pub(crate) span: Option<Span>,
    /// Which file of the policy chain the rule is written in (0: the policy itself; a
    /// parent's rules count from 1). For rendering; not serialised, not compared.
    pub(crate) origin: usize,
    /// For the engine's own reasons, what the message says, so a renderer can say it in
    /// one language ([`Reason::message_in`]); `None` for a rule's message (the policy's
    /// own words) and for a reason read back from JSON. Not serialised, not compared.
    pub(crate) engine: Option<EngineText>,
}

/// The JSON of a reason, as read.
#[derive(Deserialize)]
struct ReasonJson {
    rule: String,
    message: String,
    cite: Option<String>,
    #[serde(default)]
    cites: Vec<String>,
    at: Option<Position>,
    #[serde(default)]
    clauses: Vec<CitedClause>,
}

impl From<ReasonJson> for Reason {
    fn from(r: ReasonJson) -> Reason {
        // A rule always cites a clause (the grammar demands it): the engine's own reasons
        // cite none, and keep the contract's names.
        let kind = match r.rule.as_str() {
            NO_RULE_ADMITS if r.cites.is_empty() => ReasonKind::NoRuleAdmits,
            NOT_IN_FORCE if r.cites.is_empty() => ReasonKind::NotInForce,
            NO_RULE_COVERS if r.cites.is_empty() => ReasonKind::NoRuleCovers,
            _ => ReasonKind::Rule,
        };
        Reason {
            rule: r.rule,
            kind,
            message: r.message,
            cite: r.cite,
            cites: r.cites,
            at: r.at,
            clauses: r.clauses,
            span: None,
            origin: 0,
            engine: None,
        }
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut r = s.serialize_struct("Reason", 6)?;
        r.serialize_field("rule", &self.rule)?;
        r.serialize_field("message", &self.message)?;
        r.serialize_field("cite", &self.cite)?;
        r.serialize_field("cites", &self.cites)?;
        r.serialize_field("at", &self.at)?;
        if self.clauses.is_empty() {
            r.skip_field("clauses")?;
        } else {
            r.serialize_field("clauses", &self.clauses)?;
        }
        r.end()
    }
}

/// Equal when their JSON is: the span and file index kept for rendering are not compared.
impl PartialEq for Reason {
    fn eq(&self, other: &Reason) -> bool {
        self.rule == other.rule
            && self.kind == other.kind
            && self.message == other.message
            && self.cite == other.cite
            && self.cites == other.cites
            && self.at == other.at
            && self.clauses == other.clauses
    }
}

const NO_RULE_ADMITS: &str = "no_rule_admits";
const NOT_IN_FORCE: &str = "not_in_force";
const NO_RULE_COVERS: &str = "no_rule_covers";

impl Reason {
    /// The rule's name in the policy; for the engine's own reasons the contract's name
    /// (`no_rule_admits`, `not_in_force`): tell them apart with [`Reason::kind`].
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].rule(), "负面事项不得下放");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// What the reason stands for: a rule, or one of the engine's own answers.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, ReasonKind, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].kind(), ReasonKind::Rule);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> ReasonKind {
        self.kind
    }

    /// Its message, the subject's fields quoted in.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert!(decision.reasons()[0].message().contains("行政执法"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The clause id it encodes (the first, when it cites several).
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].cite(), Some("N2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cite(&self) -> Option<&str> {
        self.cite.as_deref()
    }

    /// Every clause id it cites.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].cites(), ["N2"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cites(&self) -> &[String] {
        &self.cites
    }

    /// Where the rule stands (the contract's `at`); `None` for [`ReasonKind::NoRuleAdmits`].
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].position().unwrap().line(), 52);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn position(&self) -> Option<&Position> {
        self.at.as_ref()
    }

    /// The clauses it cites, each with its document: what a district official looks up.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.reasons()[0].clauses()[0].id(), "N2");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clauses(&self) -> &[CitedClause] {
        &self.clauses
    }

    /// The rule's span in its policy file, for rendering; `None` once read back from JSON.
    #[doc(hidden)]
    pub fn span(&self) -> Option<Span> {
        self.span
    }

    /// Which file of the policy chain the rule is written in (0: the policy itself).
    #[doc(hidden)]
    pub fn origin(&self) -> usize {
        self.origin
    }

    /// This reason, also citing `ids` (clauses of the list entries its rule matched that
    /// were added with `追加 引用 …`), after the rule's own, with their clauses.
    pub(crate) fn crediting(mut self, ids: Vec<String>, policy: &crate::Policy) -> Reason {
        for id in ids {
            if self.cites.contains(&id) {
                continue;
            }
            if let Some(clause) = policy.clause(&id) {
                self.clauses.push(clause);
            }
            self.cites.push(id);
        }
        self
    }

    pub(crate) fn from_rule(
        rule: &RuleDecl,
        message: String,
        at: Position,
        clauses: Vec<CitedClause>,
        origin: usize,
    ) -> Reason {
        Reason {
            rule: rule.name.node.clone(),
            kind: ReasonKind::Rule,
            message,
            cite: rule.cite.first().map(|c| c.node.clone()),
            cites: rule.cite.iter().map(|c| c.node.clone()).collect(),
            at: Some(at),
            clauses,
            span: Some(rule.span),
            origin,
            engine: None,
        }
    }

    /// The reason given when no version of the policy is in force on the date.
    pub(crate) fn not_in_force(text: EngineText, at: Position) -> Reason {
        Reason {
            rule: NOT_IN_FORCE.to_owned(),
            kind: ReasonKind::NotInForce,
            message: text.both(),
            cite: None,
            cites: Vec::new(),
            at: Some(at),
            clauses: Vec::new(),
            span: None,
            origin: 0,
            engine: Some(text),
        }
    }

    /// The reason given when no rule of the policy speaks to a task at all.
    pub(crate) fn fallback() -> Reason {
        Reason::engine(
            NO_RULE_ADMITS,
            ReasonKind::NoRuleAdmits,
            EngineText::NoRuleAdmits,
        )
    }

    /// The reason given when no rule of the policy is about a community or an assessment:
    /// the verdict `compliant` then certifies nothing, and says so.
    pub(crate) fn no_rule_covers(kind: SubjectKind) -> Reason {
        Reason::engine(
            NO_RULE_COVERS,
            ReasonKind::NoRuleCovers,
            EngineText::NoRuleCovers(kind),
        )
    }

    fn engine(rule: &str, kind: ReasonKind, text: EngineText) -> Reason {
        Reason {
            rule: rule.to_owned(),
            kind,
            message: text.both(),
            cite: None,
            cites: Vec::new(),
            at: None,
            clauses: Vec::new(),
            span: None,
            origin: 0,
            engine: Some(text),
        }
    }

    /// The message in one language, for people: a rule's message is the policy's own
    /// words (whatever language the drafter wrote); the engine's own reasons (no rule
    /// admits, no rule covers, not in force) come from the catalogue in `lang`, where
    /// [`Reason::message`] — the contract's JSON field — holds both languages.
    ///
    /// ```
    /// use zhunru::{Date, Lang, Policy, Subject};
    /// // The national baseline admits nothing itself: no rule admits an unlisted task.
    /// let policy = Policy::from_file("policies/national.policy")?;
    /// let task = Subject::from_json("task", r#"{"category": "创卫迎检"}"#)?;
    /// let decision = policy.decide(&task, Date::new(2020, 6, 1)?);
    /// let reason = &decision.reasons()[0];
    /// assert!(reason.message().starts_with("没有规则准予此事项准入"));
    /// assert_eq!(reason.message_in(Lang::En), "no rule admits this task");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message_in(&self, lang: Lang) -> std::borrow::Cow<'_, str> {
        match &self.engine {
            Some(text) => std::borrow::Cow::Owned(text.in_lang(lang)),
            None => std::borrow::Cow::Borrowed(&self.message),
        }
    }
}

/// A reason's cites with their documents, as printed: clauses of one document share it,
/// 「民发〔2015〕136号 136-一；《…》 Y2、Y7」 (see [`sources_text`]).
pub(crate) fn cited_sources(reason: &Reason) -> String {
    sources_text(reason.cites.iter().map(|c| {
        let clause = reason.clauses.iter().find(|k| &k.id == c);
        (clause.map(|k| &k.document), c.as_str())
    }))
}

/// Clause ids with their documents, in the order given, each document once with its
/// clauses after it (「民发〔2015〕136号 136-一；《…》 Y2、Y7」); a clause without a known
/// document is its bare id.
pub(crate) fn sources_text<'a>(
    clauses: impl IntoIterator<Item = (Option<&'a CitedDocument>, &'a str)>,
) -> String {
    let mut groups: Vec<(Option<String>, Vec<&str>)> = Vec::new();
    for (document, id) in clauses {
        let key = document.map(|d| match &d.number {
            Some(n) => n.clone(),
            None => format!("《{}》", d.title),
        });
        match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, ids)) => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            None => groups.push((key, vec![id])),
        }
    }
    groups
        .into_iter()
        .map(|(key, ids)| match key {
            Some(k) => format!("{k} {}", ids.join("、")),
            None => ids.join("、"),
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// What the engine itself says when no rule of the policy decided (the catalogue of its
/// own reasons, in both languages): the text lives here, the renderers choose a language.
#[derive(Clone, Debug)]
pub(crate) enum EngineText {
    /// No rule admits the task.
    NoRuleAdmits,
    /// No rule of the policy is about this kind of subject.
    NoRuleCovers(SubjectKind),
    /// The policy is not in force on the date asked about.
    NotInForce {
        title: String,
        from: Option<crate::Date>,
        to: Option<crate::Date>,
        date: crate::Date,
    },
}

impl EngineText {
    fn zh(&self) -> String {
        match self {
            EngineText::NoRuleAdmits => {
                "没有规则准予此事项准入；清单之外的事项须经准入审批".to_owned()
            }
            EngineText::NoRuleCovers(kind) => {
                let what = match kind {
                    SubjectKind::Community => "社区场所",
                    SubjectKind::Assessment => "考核",
                    SubjectKind::Task => "工作事项",
                };
                format!("本政策没有关于{what}的规则，未作任何检查")
            }
            EngineText::NotInForce {
                title,
                from,
                to,
                date,
            } => {
                let window = match (from, to) {
                    (Some(a), Some(b)) => format!("{a} 至 {b}"),
                    (Some(a), None) => format!("{a} 起"),
                    (None, Some(b)) => format!("至 {b}"),
                    (None, None) => String::new(),
                };
                format!("《{title}》的施行期为 {window}，{date} 不在其内，未作判断")
            }
        }
    }

    fn en(&self) -> String {
        match self {
            EngineText::NoRuleAdmits => "no rule admits this task".to_owned(),
            EngineText::NoRuleCovers(kind) => {
                let what = match kind {
                    SubjectKind::Community => "community premises",
                    SubjectKind::Assessment => "assessment plans",
                    SubjectKind::Task => "tasks",
                };
                format!("no rule of this policy covers {what}: nothing was checked")
            }
            EngineText::NotInForce { date, .. } => {
                format!("no version of this policy is in force on {date}")
            }
        }
    }

    fn in_lang(&self, lang: Lang) -> String {
        match lang {
            Lang::Zh => self.zh(),
            Lang::En => self.en(),
        }
    }

    /// Both languages, as the contract's JSON `message` carries them.
    fn both(&self) -> String {
        format!("{} — {}", self.zh(), self.en())
    }
}

/// A clause a reason cites, with its document: what a district official looks up.
///
/// ```
/// use zhunru::{Date, Policy, Subject};
/// let policy = Policy::from_file("policies/yingjiang.policy")?;
/// let decision = policy.decide(&Subject::task("经济创收"), Date::new(2020, 6, 1)?);
/// let national = &decision.reasons()[0].clauses()[0];
/// assert_eq!(national.document().number(), Some("民发〔2015〕136号"));
/// assert_eq!(national.label(), format!("民发〔2015〕136号 {}", national.id()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedClause {
    id: String,
    text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    example: bool,
    document: CitedDocument,
}

/// The document of a [`CitedClause`]: its title, number (文号), issuer, level, date and
/// address, as the policy declares them.
///
/// ```
/// use zhunru::Policy;
/// // Jiangyuan builds on the national baseline, whose clauses it may cite.
/// let policy = Policy::from_file("policies/jiangyuan.policy")?;
/// let clause = policy.clause("136-一").unwrap();
/// let document = clause.document();
/// assert_eq!(document.number(), Some("民发〔2015〕136号"));
/// assert_eq!(document.issued().map(|d| d.year()), Some(2015));
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedDocument {
    title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    level: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
}

impl CitedClause {
    pub(crate) fn new(id: String, text: String, example: bool, document: CitedDocument) -> Self {
        CitedClause {
            id,
            text,
            example,
            document,
        }
    }

    /// The clause id the policy declares (`第三条`, `Y3`).
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert_eq!(policy.clause("N2").unwrap().id(), "N2");
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The clause's text or summary, as the policy gives it.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(!policy.clause("N2").unwrap().text().is_empty());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Marked 示例: an example, not confirmed from the source document.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(!policy.clause("N2").unwrap().is_example());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn is_example(&self) -> bool {
        self.example
    }

    /// The document it belongs to.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(policy.clause("N2").unwrap().document().title().contains("南谯区"));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn document(&self) -> &CitedDocument {
        &self.document
    }

    /// 「民发〔2015〕136号 第三条」: the document number (else title) and the clause id.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/jiangyuan.policy")?;
    /// assert_eq!(policy.clause("136-一").unwrap().label(), "民发〔2015〕136号 136-一");
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(policy.clause("N2").unwrap().label().ends_with("》 N2")); // no 文号: the title
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn label(&self) -> String {
        match &self.document.number {
            Some(n) => format!("{n} {}", self.id),
            None => format!("《{}》 {}", self.document.title, self.id),
        }
    }
}

impl CitedDocument {
    pub(crate) fn new(
        title: String,
        number: Option<String>,
        issuer: Option<String>,
        level: Option<String>,
        issued: Option<Date>,
        address: Option<String>,
    ) -> Self {
        CitedDocument {
            title,
            number,
            issuer,
            level,
            issued,
            address,
        }
    }

    /// Its title.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// assert!(!policy.clause("N2").unwrap().document().title().is_empty());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Its document number (文号).
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/jiangyuan.policy")?;
    /// assert_eq!(policy.clause("136-一").unwrap().document().number(), Some("民发〔2015〕136号"));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn number(&self) -> Option<&str> {
        self.number.as_deref()
    }

    /// Who issued it.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// let _issuer: Option<&str> = policy.clause("N2").unwrap().document().issuer();
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Its level: 国家, 省, 市, 区县 or 街道.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/yingjiang.policy")?;
    /// let _level: Option<&str> = policy.clause("Y3").unwrap().document().level();
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn level(&self) -> Option<&str> {
        self.level.as_deref()
    }

    /// The date it was issued.
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// let _issued: Option<zhunru::Date> = policy.clause("N2").unwrap().document().issued();
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn issued(&self) -> Option<Date> {
        self.issued
    }

    /// Where it is published (an address on the web, or a gazette).
    ///
    /// ```
    /// # let policy = zhunru::Policy::from_file("policies/nanqiao.policy")?;
    /// let _address: Option<&str> = policy.clause("N2").unwrap().document().address();
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn address(&self) -> Option<&str> {
        self.address.as_deref()
    }
}

/// A rule set aside by its exception (`除非`): its condition held, so it would have
/// decided, but the exception held too (原则上…，…除外).
///
/// ```
/// use zhunru::{Date, Policy, Subject};
/// let policy = Policy::from_str("demo.policy", r#"
///     policy "Demo"
///     document "Demo measures" { clause N2 "banned items" clause N3 "approval" }
///     rule banned cite N2 when task.category == "招商引资" unless task.work_plan deny "banned"
///     rule others cite N3 when task.category != "" refer "needs approval"
/// "#)?;
/// let task = Subject::task("招商引资").with("work_plan", true)?;
/// let decision = policy.decide(&task, Date::new(2020, 6, 1)?);
/// let set_aside = &decision.exceptions()[0];
/// assert_eq!((set_aside.rule(), set_aside.unless()), ("banned", "task.work_plan"));
/// assert_eq!(set_aside.position().unwrap().line(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    rule: String,
    unless: String,
    at: Option<Position>,
}

impl Exception {
    pub(crate) fn new(rule: String, unless: String, at: Option<Position>) -> Exception {
        Exception { rule, unless, at }
    }

    /// The rule set aside.
    ///
    /// See [`Exception`] for an example.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// Its exception as written in the policy.
    ///
    /// See [`Exception`] for an example.
    pub fn unless(&self) -> &str {
        &self.unless
    }

    /// Where the rule stands.
    ///
    /// See [`Exception`] for an example.
    pub fn position(&self) -> Option<&Position> {
        self.at.as_ref()
    }
}

/// A requirement an application failed: the name reported in `missing`, the field it
/// concerns (so a form can highlight it), the requirement as written and its rule.
/// Serialised (in a decision's `missing_items`) without its span.
///
/// ```
/// use zhunru::{Date, Policy, Subject};
/// let policy = Policy::from_file("policies/yingjiang.policy")?;
/// let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1)?);
/// let approval = decision.missing_items().iter().find(|m| m.name() == "approval_by").unwrap();
/// assert_eq!(approval.field(), Some("approval.by"));
/// let json = serde_json::to_value(approval)?;
/// assert_eq!(json["field"], "approval.by");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MissingItem {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    requirement: String,
    rule: String,
    #[serde(skip)]
    span: Option<Span>,
}

/// Equal when their JSON is (the span is for rendering).
impl PartialEq for MissingItem {
    fn eq(&self, other: &MissingItem) -> bool {
        self.name == other.name
            && self.field == other.field
            && self.requirement == other.requirement
            && self.rule == other.rule
    }
}

impl MissingItem {
    pub(crate) fn new(
        name: String,
        field: Option<String>,
        requirement: String,
        rule: String,
        span: Span,
    ) -> MissingItem {
        MissingItem {
            name,
            field,
            requirement,
            rule,
            span: Some(span),
        }
    }

    /// The name reported in `missing` (`funding`, `basis`, `approval_by` …): the
    /// requirement's label in the policy.
    ///
    /// See [`MissingItem`] for an example.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The subject's field the requirement reads, as a dotted path (`approval.by`), the
    /// same path [`Subject::get`](crate::Subject::get) and [`Subject::with`](crate::Subject::with)
    /// take; `None` when it reads none (a date of the calendar, say).
    ///
    /// See [`MissingItem`] for an example.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The requirement as written in the policy.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/yingjiang.policy")?;
    /// let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1)?);
    /// assert!(decision.missing_items().iter().any(|m| m.requirement().contains("approval")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn requirement(&self) -> &str {
        &self.requirement
    }

    /// The rule that requires it.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/yingjiang.policy")?;
    /// let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1)?);
    /// assert!(!decision.missing_items()[0].rule().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// Where the requirement is written, for rendering; `None` once read back from JSON.
    #[doc(hidden)]
    pub fn span(&self) -> Option<Span> {
        self.span
    }
}

/// Which policy decided: its name (the district), title, the date it took effect (its
/// version), and a hash of its text and its parents' (so two services can tell they
/// decided on the same files). The `policy` of a decision's JSON.
///
/// ```
/// use zhunru::{Date, Policy, Subject};
/// let policy = Policy::from_file("policies/hefei.policy")?;
/// let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1)?);
/// let by = decision.policy().unwrap();
/// assert_eq!(by.name(), "hefei");
/// assert_eq!(by.effective(), Date::new(2019, 8, 31).ok());
/// assert_eq!(by.hash(), policy.content_hash());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DecidedBy {
    name: String,
    title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    effective: Option<Date>,
    hash: String,
}

impl DecidedBy {
    pub(crate) fn new(name: &str, title: &str, effective: Option<Date>, hash: &str) -> Self {
        DecidedBy {
            name: name.to_owned(),
            title: title.to_owned(),
            effective,
            hash: hash.to_owned(),
        }
    }

    /// The policy's name: the district (`hefei`), as [`Policy::name`](crate::Policy::name).
    ///
    /// See [`DecidedBy`] for an example.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The policy's title (`政策 「…」`).
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/hefei.policy")?;
    /// let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.policy().unwrap().title(), policy.title());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The date the policy takes effect (`生效`), which tells its versions apart.
    ///
    /// See [`DecidedBy`] for an example.
    pub fn effective(&self) -> Option<Date> {
        self.effective
    }

    /// The content hash ([`Policy::content_hash`](crate::Policy::content_hash)).
    ///
    /// See [`DecidedBy`] for an example.
    pub fn hash(&self) -> &str {
        &self.hash
    }
}

/// A decision: the verdict, the reasons that decided it, what an application lacks, and
/// which policy decided. The JSON of contract.md is its serialisation, and it reads back:
/// `serde_json::from_str(&serde_json::to_string(&d)?)? == d`.
///
/// ```
/// use zhunru::{Date, Decision, Policy, Subject, Verdict};
/// let policy = Policy::from_file("policies/nanqiao.policy")?;
/// let task = Subject::task("行政执法").with("id", "NQ-2020-0012")?;
/// let decision = policy.decide(&task, Date::new(2020, 6, 1)?);
/// let json = serde_json::to_value(&decision)?;
/// assert_eq!(json["verdict"], "denied");
/// assert_eq!(json["reasons"][0]["cite"], "N2");
/// assert_eq!(json["reasons"][0]["at"], "policies/nanqiao.policy:52:1");
/// // Each reason names the clause and its document.
/// assert_eq!(json["reasons"][0]["clauses"][0]["id"], "N2");
/// assert_eq!(json["policy"]["name"], "nanqiao");
///
/// // And back: a tool can read the contract's JSON into a Decision.
/// let read: Decision = serde_json::from_value(json)?;
/// assert_eq!((read.verdict(), read.id()), (Verdict::Denied, Some("NQ-2020-0012")));
/// assert_eq!(read, decision);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub(crate) subject: SubjectKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) id: Option<String>,
    pub(crate) verdict: Verdict,
    pub(crate) reasons: Vec<Reason>,
    pub(crate) missing: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) exceptions: Vec<Exception>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) missing_items: Vec<MissingItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) policy: Option<DecidedBy>,
}

impl Decision {
    pub(crate) fn new(
        subject: &Subject,
        verdict: Verdict,
        reasons: Vec<Reason>,
        missing: Vec<MissingItem>,
        exceptions: Vec<Exception>,
        policy: DecidedBy,
    ) -> Decision {
        Decision {
            subject: subject.kind(),
            id: subject.id().map(str::to_owned),
            verdict,
            reasons,
            missing: missing.iter().map(|m| m.name.clone()).collect(),
            exceptions,
            missing_items: missing,
            policy: Some(policy),
        }
    }

    /// The kind of subject decided: `task`, `community` or `assessment`.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject, SubjectKind};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.kind(), SubjectKind::Task);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> SubjectKind {
        self.subject
    }

    /// The subject's `id`, when it has one.
    ///
    /// See [`Decision`] for an example.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The verdict.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject, Verdict};
    /// # let policy = Policy::from_file("policies/nanqiao.policy")?;
    /// let decision = policy.decide(&Subject::task("行政执法"), Date::new(2020, 6, 1)?);
    /// assert_eq!(decision.verdict(), Verdict::Denied);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verdict(&self) -> Verdict {
        self.verdict
    }

    /// Every rule that decided the verdict, in policy order.
    ///
    /// See [`Reason`] for an example.
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// For `needs_approval`: what the application still lacks, by name (the contract's
    /// `missing`); [`Decision::missing_items`] has the field each concerns.
    ///
    /// ```
    /// # use zhunru::{Date, Policy, Subject};
    /// # let policy = Policy::from_file("policies/yingjiang.policy")?;
    /// let decision = policy.decide(&Subject::task("企业摸底"), Date::new(2020, 6, 1)?);
    /// assert!(decision.missing().iter().any(|m| m == "approval_by"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn missing(&self) -> &[String] {
        &self.missing
    }

    /// The failed requirements behind [`Decision::missing`], one for each name.
    ///
    /// See [`MissingItem`] for an example.
    pub fn missing_items(&self) -> &[MissingItem] {
        &self.missing_items
    }

    /// Rules set aside by their exception (`除非`), when one was what kept a rule from
    /// deciding.
    ///
    /// See [`Exception`] for an example.
    pub fn exceptions(&self) -> &[Exception] {
        &self.exceptions
    }

    /// Which policy decided; `None` only for a decision read from JSON written before
    /// decisions said so.
    ///
    /// See [`DecidedBy`] for an example.
    pub fn policy(&self) -> Option<&DecidedBy> {
        self.policy.as_ref()
    }
}
