//! The shapes of subjects (contract.md): which fields exist, for which kind, of which type,
//! with their labels and the words for their values. The contract's fields are data
//! (`schema/contract.policy`, read once); a policy's `字段` lines add to them. The checker
//! reads the schema to catch unknown fields and type errors in policies; the readers read it
//! to reject mistyped subjects with a location; labels and the REPL read its words.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The kind of subject a rule is about.
///
/// ```
/// use zhunru::SubjectKind;
/// assert_eq!(SubjectKind::Community.as_str(), "community");
/// assert_eq!(serde_json::from_str::<SubjectKind>("\"assessment\"")?, SubjectKind::Assessment);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SubjectKind {
    /// A work item pushed down to a community.
    Task,
    /// A community's premises.
    Community,
    /// An assessment plan.
    Assessment,
}

impl SubjectKind {
    /// The contract's name: `task`, `community`, `assessment`.
    ///
    /// ```
    /// assert_eq!(zhunru::SubjectKind::Task.as_str(), "task");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Task => "task",
            SubjectKind::Community => "community",
            SubjectKind::Assessment => "assessment",
        }
    }

    /// The Chinese keyword: 事项, 社区, 考核.
    ///
    /// ```
    /// assert_eq!(zhunru::SubjectKind::Task.zh(), "事项");
    /// ```
    pub fn zh(self) -> &'static str {
        match self {
            SubjectKind::Task => "事项",
            SubjectKind::Community => "社区",
            SubjectKind::Assessment => "考核",
        }
    }
}

impl Serialize for SubjectKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SubjectKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "task" => Ok(SubjectKind::Task),
            "community" => Ok(SubjectKind::Community),
            "assessment" => Ok(SubjectKind::Assessment),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["task", "community", "assessment"],
            )),
        }
    }
}

/// The type of a subject field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// Free text.
    Text,
    /// Text from a fixed set of values, each with its Chinese words.
    Enum(Vec<Choice>),
    /// A number.
    Number,
    /// `true` / `false`.
    Bool,
    /// A date `YYYY-MM-DD`.
    Date,
    /// An array of strings.
    TextList,
    /// An object with known fields.
    Object(Vec<FieldSpec>),
    /// Anything (fields nobody declares).
    Any,
}

impl FieldType {
    /// How the type reads in a message.
    pub fn describe(&self) -> &'static str {
        match self {
            FieldType::Text => "a string",
            FieldType::Enum(_) => "one of a fixed set of strings",
            FieldType::Number => "a number",
            FieldType::Bool => "`true` or `false`",
            FieldType::Date => "a date string (YYYY-MM-DD)",
            FieldType::TextList => "an array of strings",
            FieldType::Object(_) => "an object",
            FieldType::Any => "any JSON value",
        }
    }
}

/// Any value: the type of a field nobody declares.
pub(crate) static ANY: FieldType = FieldType::Any;

/// A value of a one-of field (`responsible`) and the words read as it, its label first
/// (`责任主体`, `负责`, `牵头`).
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// The value as stored and compared.
    pub value: String,
    /// The words a form or a reviewer writes for it; the first is its label.
    pub words: Vec<String>,
}

impl Choice {
    /// The value's label, if it has words.
    pub fn label(&self) -> Option<&str> {
        self.words.first().map(String::as_str)
    }
}

/// Whether an object's fields make a span: a `start` and an `end`, both dates (the
/// contract's `period`; a policy may declare its own). A span may not end before it starts:
/// every reader refuses one that does (`value::span_conflict`).
pub(crate) fn is_span(specs: &[FieldSpec]) -> bool {
    let date = |name: &str| {
        specs
            .iter()
            .any(|s| s.name == name && matches!(s.ty, FieldType::Date))
    };
    date("start") && date("end")
}

/// Why `name` is refused inside the object `parent` whose fields are `specs`: a near miss
/// of one of them (`funding.amout`) is a typo, not an unknown field to keep — kept, the
/// field meant would be missing, and the decision would ask for what was given. `None` for
/// any other name (unknown names are kept, as the contract says). One rule for JSON, CSV
/// headers, the REPL and [`Subject::with`](crate::Subject::with).
pub(crate) fn misspelt(parent: &str, specs: &[FieldSpec], name: &str) -> Option<String> {
    let meant = crate::suggest::closest(name, specs.iter().map(|s| s.name.as_str()))?;
    Some(format!(
        "`{parent}` has no field `{name}`; did you mean `{parent}.{meant}`?"
    ))
}

/// Why a subject's own field `name` is refused: a near miss of a top-level field of the
/// schema (`comunity_role`, `fundng`) would be kept as a field of its own, and the decision
/// would then miss the field meant — `community_role` absent reads as `assist`, which can turn
/// a denial into an approval procedure. Stricter than [`misspelt`], since at the top the
/// contract keeps unknown fields for policies to read: five characters or more, at most two
/// edits (one below eight characters), and not the field's plural (`names` may be a field of
/// its own). `None` for any other name. One rule for JSON, CSV headers, the REPL and
/// [`Subject::with`](crate::Subject::with).
pub(crate) fn misspelt_top<'a>(
    names: impl IntoIterator<Item = &'a str>,
    name: &str,
) -> Option<String> {
    let length = name.chars().count();
    if length < 5 {
        return None;
    }
    let meant = crate::suggest::closest_within(name, names, (length / 4).clamp(1, 2))?;
    if name.strip_suffix('s') == Some(meant) || meant.strip_suffix('s') == Some(name) {
        return None;
    }
    Some(format!(
        "a subject has no field `{name}`; did you mean `{meant}`?"
    ))
}

/// The value among `choices` that `word` stands for (trimmed): a value itself, or one of
/// its words (`负责` → `responsible`).
pub(crate) fn choose<'c>(choices: &'c [Choice], word: &str) -> Option<&'c str> {
    let word = word.trim();
    choices
        .iter()
        .find(|c| c.value == word || c.words.iter().any(|w| w == word))
        .map(|c| c.value.as_str())
}

/// The choices of a one-of field for a message: `"responsible" (责任主体), "assist" (协助)`.
pub(crate) fn choices_text(choices: &[Choice]) -> String {
    choices
        .iter()
        .map(|c| match c.label() {
            Some(zh) => format!("\"{}\" ({zh})", c.value),
            None => format!("\"{}\"", c.value),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One field of the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSpec {
    /// The JSON name.
    pub name: String,
    /// Its label in words a requesting department reads.
    pub label: Option<String>,
    /// Its type.
    pub ty: FieldType,
    /// The subject kinds that have it.
    pub kinds: Vec<SubjectKind>,
    /// The value it is read as when absent (`默认`), a one-of value or a text.
    pub default: Option<String>,
}

/// The fields of subjects: the contract's ([`contract`]), or those and a policy's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    /// The top-level fields, in the order declared (a name the kinds share is one entry).
    pub fields: Vec<FieldSpec>,
}

/// A field declared by a `字段` line: its kind, its names, label and type.
#[derive(Clone, Debug, PartialEq)]
pub struct Declared {
    /// The subject kind it belongs to.
    pub kind: SubjectKind,
    /// The field names after the subject (`["funding", "amount"]`).
    pub path: Vec<String>,
    /// Its label.
    pub label: Option<String>,
    /// Its type (never an object: objects are made by the paths under them).
    pub ty: FieldType,
    /// The value it is read as when absent (`默认`).
    pub default: Option<String>,
}

impl Schema {
    /// Why `name` is refused as a subject's own field: a near miss of one of this schema's
    /// top-level fields (see [`misspelt_top`]).
    pub(crate) fn misspelt_top(&self, name: &str) -> Option<String> {
        misspelt_top(self.fields.iter().map(|f| f.name.as_str()), name)
    }

    /// Add a declared field, creating the objects on its path. Another kind's field of the
    /// same name and type is the same field (`id` of every kind); anything else already
    /// there is an error.
    pub fn add(&mut self, d: &Declared) -> Result<(), String> {
        let dotted = d.path.join(".");
        let mut specs = &mut self.fields;
        let Some((last, parents)) = d.path.split_last() else {
            return Err("a field needs a name".to_owned());
        };
        for name in parents {
            let at = match specs.iter().position(|s| s.name == *name) {
                Some(at) => at,
                None => {
                    specs.push(FieldSpec {
                        name: name.clone(),
                        label: None,
                        ty: FieldType::Object(Vec::new()),
                        kinds: Vec::new(),
                        default: None,
                    });
                    specs.len() - 1
                }
            };
            let Some(spec) = specs.get_mut(at) else {
                return Err(format!("`{dotted}`: no room"));
            };
            if !spec.kinds.contains(&d.kind) {
                spec.kinds.push(d.kind);
            }
            specs = match &mut spec.ty {
                FieldType::Object(inner) => inner,
                other => {
                    return Err(format!(
                        "`{dotted}`: `{name}` is {}, not an object",
                        other.describe()
                    ));
                }
            };
        }
        match specs.iter_mut().find(|s| s.name == *last) {
            Some(spec) if spec.ty == d.ty && !spec.kinds.contains(&d.kind) => {
                spec.kinds.push(d.kind);
                Ok(())
            }
            Some(_) => Err(format!("`{dotted}` is declared twice")),
            None => {
                specs.push(FieldSpec {
                    name: last.clone(),
                    label: d.label.clone(),
                    ty: d.ty.clone(),
                    kinds: vec![d.kind],
                    default: d.default.clone(),
                });
                Ok(())
            }
        }
    }

    /// The spec of a top-level field of that name: one `kind` has, else any kind's.
    pub fn top_level(&self, name: &str, kind: Option<SubjectKind>) -> Option<&FieldSpec> {
        let mut named = self.fields.iter().filter(|f| f.name == name);
        let first = named.next()?;
        match kind {
            Some(kind) if !first.kinds.contains(&kind) => {
                named.find(|f| f.kinds.contains(&kind)).or(Some(first))
            }
            _ => Some(first),
        }
    }

    /// The spec at a path of names, whatever the kind.
    pub fn spec<S: AsRef<str>>(&self, kind: Option<SubjectKind>, path: &[S]) -> Option<&FieldSpec> {
        let (first, rest) = path.split_first()?;
        let mut spec = self.top_level(first.as_ref(), kind)?;
        for name in rest {
            let FieldType::Object(inner) = &spec.ty else {
                return None;
            };
            spec = inner.iter().find(|s| s.name == name.as_ref())?;
        }
        Some(spec)
    }

    /// Resolve a field path for a subject kind. `Err` holds the index of the first field
    /// that does not exist and the names that would have been valid there.
    pub fn resolve<S: AsRef<str>>(
        &self,
        kind: SubjectKind,
        path: &[S],
    ) -> Result<&FieldType, (usize, Vec<&str>)> {
        let mut specs: &[FieldSpec] = &self.fields;
        let mut ty: Option<&FieldType> = None;
        for (i, name) in path.iter().enumerate() {
            let candidates: Vec<&FieldSpec> =
                specs.iter().filter(|s| s.kinds.contains(&kind)).collect();
            let Some(spec) = candidates.iter().find(|s| s.name == name.as_ref()) else {
                return Err((i, candidates.iter().map(|s| s.name.as_str()).collect()));
            };
            ty = Some(&spec.ty);
            specs = match &spec.ty {
                FieldType::Object(inner) => inner,
                _ => &[],
            };
        }
        ty.ok_or((0, Vec::new()))
    }

    /// Every field with its dotted path, depth first in declaration order (objects
    /// themselves left out).
    pub fn leaves(&self) -> Vec<(String, &FieldSpec)> {
        fn walk<'s>(prefix: &str, specs: &'s [FieldSpec], out: &mut Vec<(String, &'s FieldSpec)>) {
            for s in specs {
                let path = if prefix.is_empty() {
                    s.name.clone()
                } else {
                    format!("{prefix}.{}", s.name)
                };
                match &s.ty {
                    FieldType::Object(inner) => walk(&path, inner, out),
                    _ => out.push((path, s)),
                }
            }
        }
        let mut out = Vec::new();
        walk("", &self.fields, &mut out);
        out
    }
}

/// The contract's fields as shipped: `schema/contract.policy`, in the policy language's own
/// `字段` lines, embedded so the binary and the file cannot disagree.
pub(crate) const CONTRACT_TEXT: &str = include_str!("../schema/contract.policy");

/// The contract's schema read from [`CONTRACT_TEXT`], once; an empty schema if the shipped
/// file cannot be read (the tests read it, and loading a policy then fails with an internal
/// error: see [`contract_error`]).
pub fn contract() -> &'static Schema {
    static EMPTY: Schema = Schema { fields: Vec::new() };
    contract_read().as_ref().unwrap_or(&EMPTY)
}

/// Why the shipped schema file could not be read, if it could not.
pub fn contract_error() -> Option<&'static str> {
    contract_read().as_ref().err().map(String::as_str)
}

fn contract_read() -> &'static Result<Schema, String> {
    static CONTRACT: OnceLock<Result<Schema, String>> = OnceLock::new();
    CONTRACT.get_or_init(|| {
        let mut schema = Schema::default();
        for (line, d) in read_fields(CONTRACT_TEXT)? {
            schema
                .add(&d)
                .map_err(|e| format!("schema/contract.policy:{line}: {e}"))?;
        }
        Ok(schema)
    })
}

/// The type of the `kind` field: `task`, `community`, `assessment`.
pub(crate) fn kind_type() -> &'static FieldType {
    static KIND: OnceLock<FieldType> = OnceLock::new();
    KIND.get_or_init(|| {
        FieldType::Enum(
            ["task", "community", "assessment"]
                .into_iter()
                .map(|v| Choice {
                    value: v.to_owned(),
                    words: Vec::new(),
                })
                .collect(),
        )
    })
}

/// The spec of a top-level field of the contract, whatever the kind.
pub fn top_level(name: &str) -> Option<&'static FieldSpec> {
    contract().top_level(name, None)
}

/// Resolve a field path of the contract for a subject kind (see [`Schema::resolve`]).
pub fn resolve<S: AsRef<str>>(
    kind: SubjectKind,
    path: &[S],
) -> Result<&'static FieldType, (usize, Vec<&'static str>)> {
    contract().resolve(kind, path)
}

/// A token of a schema file.
#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
    Separator,
}

/// The tokens of a schema file with their line numbers. The file is a policy of `字段`
/// lines only, so this reads the few tokens those use: the schema is a leaf module below
/// the parser (which uses it), so it cannot call the parser; a test in `src/parse` holds
/// the two readers to the same fields.
fn tokens(text: &str) -> Result<Vec<(usize, Token)>, String> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '/' if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '#' => {
                while chars.peek().is_some_and(|c| *c != '\n') {
                    chars.next();
                }
            }
            '「' => {
                let mut depth = 1;
                let mut s = String::new();
                loop {
                    match chars.next() {
                        Some('「') => {
                            depth += 1;
                            s.push('「');
                        }
                        Some('」') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            s.push('」');
                        }
                        Some('\n') | None => {
                            return Err(format!("line {line}: a 「 is not closed on its line"));
                        }
                        Some(c) => s.push(c),
                    }
                }
                out.push((line, Token::Quoted(s)));
            }
            '(' | '（' => out.push((line, Token::Open)),
            ')' | '）' => out.push((line, Token::Close)),
            '、' | ',' | '，' | ';' | '；' => out.push((line, Token::Separator)),
            c if c.is_alphanumeric() || c == '_' => {
                let mut s = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '.' {
                        s.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push((line, Token::Word(s)));
            }
            other => return Err(format!("line {line}: unexpected `{other}`")),
        }
    }
    Ok(out)
}

/// The `字段` lines of a schema file (a policy of a header and field declarations only),
/// each with the line it starts on.
pub(crate) fn read_fields(text: &str) -> Result<Vec<(usize, Declared)>, String> {
    let tokens = tokens(text)?;
    let mut it = tokens.iter().peekable();
    let at = |t: Option<&&(usize, Token)>| {
        t.map_or_else(|| "at the end".to_owned(), |(l, _)| format!("line {l}"))
    };
    match (it.next(), it.next()) {
        (Some((_, Token::Word(w))), Some((_, Token::Quoted(_))))
            if w == "政策" || w == "policy" => {}
        _ => return Err("the file starts with `政策 「title」`".to_owned()),
    }
    let mut out = Vec::new();
    while let Some((line, token)) = it.next() {
        let line = *line;
        if !matches!(token, Token::Word(w) if w == "字段" || w == "field") {
            return Err(format!("line {line}: expected `字段`"));
        }
        let Some((_, Token::Word(path))) = it.next() else {
            return Err(format!(
                "line {line}: expected a field path such as 事项.category"
            ));
        };
        let mut names = path.split('.');
        let kind = match names.next() {
            Some("事项" | "task") => SubjectKind::Task,
            Some("社区" | "community") => SubjectKind::Community,
            Some("考核" | "assessment") => SubjectKind::Assessment,
            _ => {
                return Err(format!(
                    "line {line}: `{path}` does not start with 事项, 社区 or 考核"
                ));
            }
        };
        let path: Vec<String> = names.map(str::to_owned).collect();
        if path.is_empty() || path.iter().any(String::is_empty) {
            return Err(format!("line {line}: `{path:?}` is not a field path"));
        }
        let label = match it.peek() {
            Some((_, Token::Quoted(l))) => {
                it.next();
                Some(l.clone())
            }
            _ => None,
        };
        let ty = match it.next() {
            Some((_, Token::Word(w))) if w == "类型" || w == "type" => match it.next() {
                Some((_, Token::Word(t))) => match t.as_str() {
                    "文本" | "text" => FieldType::Text,
                    "数字" | "number" => FieldType::Number,
                    "日期" | "date" => FieldType::Date,
                    "是否" | "yesno" => FieldType::Bool,
                    "文本清单" | "texts" => FieldType::TextList,
                    other => return Err(format!("line {line}: unknown type `{other}`")),
                },
                t => return Err(format!("{}: expected a type after 类型", at(t.as_ref()))),
            },
            Some((_, Token::Word(w))) if w == "取值" || w == "one_of" => {
                let mut choices = Vec::new();
                loop {
                    let Some((l, Token::Quoted(value))) = it.next() else {
                        return Err(format!("line {line}: expected a value 「…」 after 取值"));
                    };
                    let mut words = Vec::new();
                    if matches!(it.peek(), Some((_, Token::Open))) {
                        it.next();
                        loop {
                            match it.next() {
                                Some((_, Token::Quoted(w))) => words.push(w.clone()),
                                Some((_, Token::Separator)) => {}
                                Some((_, Token::Close)) => break,
                                _ => {
                                    return Err(format!(
                                        "line {l}: the words of 「{value}」 are not closed"
                                    ));
                                }
                            }
                        }
                    }
                    choices.push(Choice {
                        value: value.clone(),
                        words,
                    });
                    if matches!(it.peek(), Some((_, Token::Separator))) {
                        it.next();
                    } else {
                        break;
                    }
                }
                FieldType::Enum(choices)
            }
            t => return Err(format!("{}: expected 类型 or 取值", at(t.as_ref()))),
        };
        let default = match it.peek() {
            Some((_, Token::Word(w))) if w == "默认" || w == "default" => {
                it.next();
                match it.next() {
                    Some((_, Token::Quoted(v))) => Some(v.clone()),
                    t => {
                        return Err(format!(
                            "{}: expected a value 「…」 after 默认",
                            at(t.as_ref())
                        ));
                    }
                }
            }
            _ => None,
        };
        out.push((
            line,
            Declared {
                kind,
                path,
                label,
                ty,
                default,
            },
        ));
    }
    Ok(out)
}

/// Every field name the schema knows, at any depth (`kind` included), in the order of
/// [`known_index`]. Written out by hand for the fast reader's hash; a test holds it to the
/// shipped schema file name for name.
pub(crate) const KNOWN_NAMES: [&str; 34] = [
    "kind",
    "id",
    "name",
    "category",
    "requester",
    "requester_level",
    "community_role",
    "basis",
    "work_plan",
    "requirements",
    "period",
    "funding",
    "authorization",
    "approval",
    "sent_on",
    "external_signs",
    "internal_signs",
    "office_area",
    "activity_area",
    "assessor",
    "indicators",
    "veto_items",
    "passed_down",
    "start",
    "end",
    "amount",
    "per",
    "content",
    "object",
    "powers",
    "until",
    "status",
    "by",
    "date",
];

/// The schema's own spelling of a field name, at any depth (`kind` included), if it knows it.
pub fn known_name(name: &str) -> Option<&'static str> {
    KNOWN_NAMES.get(known_index(name.as_bytes())?).copied()
}

/// The index of a known field name in [`KNOWN_NAMES`]. Length, first and last byte tell
/// the names apart, so one comparison confirms the name (this runs per JSON key; a `match`
/// on the whole text compared name after name). The fast JSON Lines reader keeps the keys it
/// has seen as bits of these indices.
pub(crate) fn known_index(name: &[u8]) -> Option<usize> {
    let i = match (name.len(), *name.first()?, *name.last()?) {
        (4, b'k', b'd') => 0,   // kind
        (2, b'i', b'd') => 1,   // id
        (4, b'n', b'e') => 2,   // name
        (8, b'c', b'y') => 3,   // category
        (9, b'r', b'r') => 4,   // requester
        (15, b'r', b'l') => 5,  // requester_level
        (14, b'c', b'e') => 6,  // community_role
        (5, b'b', b's') => 7,   // basis
        (9, b'w', b'n') => 8,   // work_plan
        (12, b'r', b's') => 9,  // requirements
        (6, b'p', b'd') => 10,  // period
        (7, b'f', b'g') => 11,  // funding
        (13, b'a', b'n') => 12, // authorization
        (8, b'a', b'l') => 13,  // approval
        (7, b's', b'n') => 14,  // sent_on
        (14, b'e', b's') => 15, // external_signs
        (14, b'i', b's') => 16, // internal_signs
        (11, b'o', b'a') => 17, // office_area
        (13, b'a', b'a') => 18, // activity_area
        (8, b'a', b'r') => 19,  // assessor
        (10, b'i', b's') => 20, // indicators
        (10, b'v', b's') => 21, // veto_items
        (11, b'p', b'n') => 22, // passed_down
        (5, b's', b't') => 23,  // start
        (3, b'e', b'd') => 24,  // end
        (6, b'a', b't') => 25,  // amount
        (3, b'p', b'r') => 26,  // per
        (7, b'c', b't') => 27,  // content
        (6, b'o', b't') => 28,  // object
        (6, b'p', b's') => 29,  // powers
        (5, b'u', b'l') => 30,  // until
        (6, b's', b's') => 31,  // status
        (2, b'b', b'y') => 32,  // by
        (4, b'd', b'e') => 33,  // date
        _ => return None,
    };
    same(KNOWN_NAMES.get(i)?.as_bytes(), name).then_some(i)
}

/// `a == b` for short texts (names, enumeration words) without a call to `memcmp`: two
/// overlapping words compared, which cover texts of up to 16 bytes (profiled: the calls
/// were a tenth of reading a JSON Lines line).
pub(crate) fn same(a: &[u8], b: &[u8]) -> bool {
    fn w2(s: &[u8], at: usize) -> u16 {
        s.get(at..at + 2)
            .and_then(|x| <[u8; 2]>::try_from(x).ok())
            .map_or(0, u16::from_le_bytes)
    }
    fn w4(s: &[u8], at: usize) -> u32 {
        s.get(at..at + 4)
            .and_then(|x| <[u8; 4]>::try_from(x).ok())
            .map_or(0, u32::from_le_bytes)
    }
    fn w8(s: &[u8], at: usize) -> u64 {
        s.get(at..at + 8)
            .and_then(|x| <[u8; 8]>::try_from(x).ok())
            .map_or(0, u64::from_le_bytes)
    }
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        1 => a.first() == b.first(),
        2..=3 => w2(a, 0) == w2(b, 0) && w2(a, n - 2) == w2(b, n - 2),
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `same` is `==`, at every length and at every byte that could differ.
    #[test]
    fn same_is_equality() {
        let text: Vec<u8> = (0u8..40).collect();
        for n in 0..=text.len() {
            let a = &text[..n];
            assert!(same(a, a));
            assert!(!same(a, &text[..n.saturating_sub(1)]) || n == 0);
            for at in 0..n {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert!(!same(a, &b), "length {n}, byte {at}");
            }
        }
    }

    /// The shipped schema file reads, and holds the contract's fields.
    #[test]
    fn the_shipped_schema_reads() {
        assert_eq!(contract_error(), None);
        assert!(matches!(
            contract().resolve(SubjectKind::Task, &["funding", "per"]),
            Ok(FieldType::Enum(c)) if c.len() == 3
        ));
        assert_eq!(
            choose(
                match contract().resolve(SubjectKind::Task, &["community_role"]) {
                    Ok(FieldType::Enum(c)) => c,
                    _ => panic!("community_role is one-of"),
                },
                "负责"
            ),
            Some("responsible")
        );
        assert!(contract().resolve(SubjectKind::Community, &["id"]).is_ok());
        assert!(
            contract()
                .resolve(SubjectKind::Community, &["category"])
                .is_err()
        );
    }

    /// A broken schema file is an error naming its line, never a panic.
    #[test]
    fn a_broken_schema_file_is_an_error() {
        for (text, expected) in [
            (
                "政策 「x」\n字段 事项.a 类型 颜色",
                "line 2: unknown type `颜色`",
            ),
            (
                "政策 「x」\n字段 小区.a 类型 文本",
                "line 2: `小区.a` does not start",
            ),
            (
                "政策 「x」\n字段 事项.a 取值 「b」（「c」",
                "line 2: the words of 「b」",
            ),
            ("字段 事项.a 类型 文本", "the file starts with"),
            (
                "政策 「x」\n字段 事项.a 「未完",
                "line 2: a 「 is not closed",
            ),
        ] {
            let error = read_fields(text).unwrap_err();
            assert!(error.starts_with(expected), "{text}: {error}");
        }
        let mut schema = Schema::default();
        let twice =
            read_fields("政策 「x」\n字段 事项.a 类型 文本\n字段 事项.a 类型 数字").unwrap();
        assert!(schema.add(&twice[0].1).is_ok());
        assert_eq!(
            schema.add(&twice[1].1).unwrap_err(),
            "`a` is declared twice"
        );
    }

    /// `known_index`, the fast reader's hand-written hash, knows exactly the names of the
    /// shipped schema file (and `kind`), name for name.
    #[test]
    fn known_names_are_the_schema_names() {
        fn names<'s>(specs: &'s [FieldSpec], out: &mut Vec<&'s str>) {
            for spec in specs {
                if !out.contains(&spec.name.as_str()) {
                    out.push(&spec.name);
                }
                if let FieldType::Object(inner) = &spec.ty {
                    names(inner, out);
                }
            }
        }
        let mut schema: Vec<&str> = vec!["kind"];
        names(&contract().fields, &mut schema);
        for n in &schema {
            assert_eq!(known_name(n), Some(*n));
        }
        assert_eq!(known_name("colour"), None);
        assert_eq!(known_index(b"perios"), None);
        assert_eq!(known_index(b""), None);
        let mut sorted_schema = schema.clone();
        sorted_schema.sort_unstable();
        let mut sorted_known = KNOWN_NAMES.to_vec();
        sorted_known.sort_unstable();
        assert_eq!(sorted_schema, sorted_known);
        for (i, n) in KNOWN_NAMES.iter().enumerate() {
            assert_eq!(known_index(n.as_bytes()), Some(i));
        }
    }
}
