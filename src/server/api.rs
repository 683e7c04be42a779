//! The `/v1` handlers, health, metrics and the page. Every decision is the library's
//! `Decision` serialised as `zhunru eval --format json` writes it.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use zhunru::input::fast::{Blocks, Item};
use zhunru::{Date, Decision, Lang, Subject, Text, notice};

use super::AppState;
use super::problem::Problem;
use super::state::{self, District, Snapshot};

/// What a request body read as `origin` in error locations.
const ORIGIN: &str = "body";

type Shared = State<Arc<AppState>>;

fn json_response(status: StatusCode, mut body: Vec<u8>, content_type: &'static str) -> Response {
    body.push(b'\n');
    // Built directly: one header, no default content type to replace.
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn to_json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => json_response(StatusCode::OK, body, "application/json"),
        Err(e) => Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "zhunru::server::internal",
            format!("cannot write JSON: {e}"),
        )
        .zh(format!("无法写出 JSON：{e}"))
        .into_response(),
    }
}

/// How the request body is to be read, from its `Content-Type`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum BodyKind {
    Json,
    Lines,
}

pub(super) fn body_kind(headers: &HeaderMap) -> Result<BodyKind, Problem> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Compared without case, in place: no lowercased copy of the header per request.
    let essence = given.split(';').next().unwrap_or("").trim();
    let is = |name: &str| essence.eq_ignore_ascii_case(name);
    let starts = |p: &str| {
        essence
            .get(..p.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    let ends = |p: &str| {
        essence
            .len()
            .checked_sub(p.len())
            .and_then(|at| essence.get(at..))
            .is_some_and(|s| s.eq_ignore_ascii_case(p))
    };
    match () {
        () if is("application/json") => Ok(BodyKind::Json),
        () if is("application/x-ndjson")
            || is("application/jsonl")
            || is("application/json-lines") =>
        {
            Ok(BodyKind::Lines)
        }
        () if starts("application/") && ends("+json") => Ok(BodyKind::Json),
        _ => Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "zhunru::server::content_type",
            if given.is_empty() {
                "the request has no `Content-Type`: send `application/json` (one subject) or `application/x-ndjson` (JSON Lines)".to_owned()
            } else {
                format!(
                    "send `Content-Type: application/json` (one subject) or `application/x-ndjson` (JSON Lines), not `{given}`"
                )
            },
        )
        .zh(if given.is_empty() {
            "请求没有 `Content-Type`：单个对象用 `application/json`，JSON Lines 用 `application/x-ndjson`".to_owned()
        } else {
            format!(
                "请用 `Content-Type: application/json`（单个对象）或 `application/x-ndjson`（JSON Lines），而不是 `{given}`"
            )
        })),
    }
}

fn too_large(limit: usize) -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "zhunru::server::too_large",
        format!("the body is larger than the limit of {limit} bytes"),
    )
    .zh(format!("请求体超过 {limit} 字节的上限"))
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// The answer to a body that could not be read before an answer was started: 408 when it
/// did not come in time, 400 when it was malformed (a chunk size that is no number; a
/// malformed chunked body was answered 408 as if late).
fn unreadable(e: axum::Error) -> Problem {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    // Each cause's words once (hyper's outer error says only "error reading a body").
    let mut why = String::new();
    while let Some(c) = cause {
        if c.is::<super::BodyTimedOut>() {
            return Problem::new(
                StatusCode::REQUEST_TIMEOUT,
                "zhunru::server::body",
                format!("the request body could not be read in time: {c}"),
            )
            .zh(format!("未能及时读完请求体：{c}"));
        }
        let words = c.to_string();
        if !why.ends_with(&words) {
            if !why.is_empty() {
                why.push_str(": ");
            }
            why.push_str(&words);
        }
        cause = c.source();
    }
    Problem::new(
        StatusCode::BAD_REQUEST,
        "zhunru::server::body",
        format!("the request body could not be read: {why}"),
    )
    .zh(format!("无法读取请求体：{why}"))
}

/// How long the rest of a body over its limit is read and dropped before the answer ends.
/// Closing a connection with a body still arriving makes the kernel reset it, and a reset
/// makes the client's kernel drop what it had not yet read of the answer: a batch's
/// decisions were cut off mid-line and its closing error line lost (a new-user trial, 3 runs
/// of 3). Bounded by time, not bytes (dropping costs little, and a byte bound cut off a client
/// that sent three times the limit), so that a client sending without end is still cut off.
const DRAIN_FOR: std::time::Duration = std::time::Duration::from_secs(5);

/// Read and drop the rest of `body`, for at most [`DRAIN_FOR`].
async fn drain(body: &mut Body) {
    let deadline = tokio::time::Instant::now() + DRAIN_FOR;
    while let Ok(Some(Ok(_))) = tokio::time::timeout_at(deadline, body.frame()).await {}
}

/// Read a whole body up to `limit` bytes. A body that came in one piece (a small one
/// usually does) is kept as it came, not copied.
async fn read_limited(body: Body, limit: usize, declared: Option<u64>) -> Result<Bytes, Problem> {
    let mut body = body;
    let mut first: Option<Bytes> = None;
    let mut out: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(unreadable)?;
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let so_far = first.as_ref().map_or(0, Bytes::len) + out.len();
        if so_far + data.len() > limit {
            drain(&mut body).await;
            return Err(too_large(limit));
        }
        match first.take() {
            None if out.is_empty() => first = Some(data),
            held => {
                if out.is_empty() {
                    let hint = declared.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
                    out.reserve(hint.clamp(so_far + data.len(), limit));
                }
                if let Some(held) = held {
                    out.extend_from_slice(&held);
                }
                out.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(out)))
}

/// The text of line `line` (1-based) of `text`.
fn line_of(text: &str, line: usize) -> &str {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("")
}

/// An input error located in the body; `zh` says it in Chinese when the readers' own
/// translations do not know the message (the envelope's are the server's own).
fn input_problem(
    text: &str,
    line: usize,
    column: usize,
    message: String,
    zh: Option<String>,
) -> Problem {
    // serde_json says column 0 for an error before the first byte (an empty body, `[`).
    let column = column.max(1);
    let e = zhunru::InputError::new(ORIGIN, line, column, message, line_of(text, line));
    let p = Problem::input(&e, e.line().unwrap_or(0), e.column().unwrap_or(0));
    match zh {
        Some(zh) => p.zh(zh),
        None => p,
    }
}

/// A single request's envelope: one subject, or `{"district", "as_of", "subject"}`. The
/// subject is left as text, to be read once, typed by the version that decides it.
struct Single<'a> {
    district: Option<String>,
    as_of: Option<Date>,
    /// The subject's text: the whole body, or its `subject` member.
    subject: &'a str,
}

impl Single<'_> {
    /// The query's `district` and `as_of`, where the envelope gives none; both giving one
    /// that differs is an error, not a silent choice.
    fn take_query(&mut self, query: Query) -> Result<(), Problem> {
        let conflict = |key: &str, body: &str, query: &str| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "zhunru::input",
                format!("the body's `{key}` is `{body}` and the query's `{query}`: give it once"),
            )
            .zh(format!(
                "请求体的 `{key}` 为 `{body}`，查询参数的为 `{query}`：只给一次"
            ))
        };
        match (&self.district, query.district) {
            (Some(b), Some(q)) if *b != q => return Err(conflict("district", b, &q)),
            (None, q) => self.district = q,
            _ => {}
        }
        match (self.as_of, query.as_of) {
            (Some(b), Some(q)) if b != q => {
                return Err(conflict("as_of", &b.to_string(), &q.to_string()));
            }
            (None, q) => self.as_of = q,
            _ => {}
        }
        Ok(())
    }
}

/// The top-level keys of a body: the envelope's three, where they stand, and the first
/// other key (a subject's field, or a misspelt envelope key). Read with a visitor so that
/// no key is copied unless it is the first unknown one.
#[derive(Default)]
struct Envelope<'a> {
    subject: Option<&'a RawValue>,
    district: Option<&'a RawValue>,
    as_of: Option<&'a RawValue>,
    /// The first key that is none of the three, and its value (for its place).
    other: Option<(String, &'a RawValue)>,
}

/// A key as written: borrowed from the body unless it has an escape (serde's own `Cow`
/// always copies, a `String` for every field of every subject).
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> serde::de::Visitor<'de> for Text {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key")
            }

            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// The envelope's keys, in the order the problems list them.
const ENVELOPE_KEYS: &str = "`district`, `as_of` and `subject`";
const ENVELOPE_KEYS_ZH: &str = "`district`、`as_of` 和 `subject`";

impl<'de> Deserialize<'de> for Envelope<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = Envelope<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("one JSON object")
            }

            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Self::Value, M::Error> {
                let mut out = Envelope::default();
                while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    let slot = match key.as_ref() {
                        "subject" => &mut out.subject,
                        "district" => &mut out.district,
                        "as_of" => &mut out.as_of,
                        _ => {
                            if out.other.is_none() {
                                out.other = Some((key.into_owned(), value));
                            }
                            continue;
                        }
                    };
                    if slot.replace(value).is_some() {
                        // The subject's own reader says this of a subject's field.
                        return Err(serde::de::Error::custom(format!("`{key}` is given twice")));
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(Keys)
    }
}

/// Line and character column (1-based) of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Line (1-based) and byte column (1-based, as serde_json counts and as
/// [`zhunru::InputError::new`] takes it) of byte `offset` in `text`.
fn byte_position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, offset - line_start + 1)
}

/// Where `part` (a slice of `text`) starts in `text`, in bytes.
fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(text.as_ptr() as usize)
        .filter(|o| *o <= text.len())
        .unwrap_or(0)
}

/// The body as text, or the problem locating its first byte that is not UTF-8.
fn body_text(body: &[u8]) -> Result<&str, Problem> {
    // SIMD first (std's check was the largest user-space symbol of a single decide's
    // profile, 2.5 %); std's again only to locate a bad byte.
    // A byte-order mark first is skipped, as `eval` skips it (Windows tools write one).
    let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
    if let Ok(text) = simdutf8::basic::from_utf8(body) {
        return Ok(text);
    }
    std::str::from_utf8(body).map_err(|u| {
        let (line, column) = position(
            std::str::from_utf8(body.get(..u.valid_up_to()).unwrap_or(&[])).unwrap_or(""),
            u.valid_up_to(),
        );
        Problem::input(
            &zhunru::InputError::new(
                ORIGIN,
                line,
                column,
                "the body is not valid UTF-8".to_owned(),
                "",
            ),
            line,
            column,
        )
        .zh("请求体不是有效的 UTF-8")
    })
}

/// A request's own key (`district`, `as_of`) among the top-level keys of the object in
/// `text`, with its value (for its place). `None` when there is none, or when `text` is not
/// an object or is an envelope itself (a `subject` key): the subject's reader says what is
/// wrong with those. Without this, a subject's `district` was passed over as an unknown
/// field and the task decided under another district, or another day, without a word.
fn request_key(text: &str) -> Option<(&'static str, &RawValue)> {
    let keys: Envelope<'_> = serde_json::from_str(text).ok()?;
    if keys.subject.is_some() {
        return None;
    }
    [("district", keys.district), ("as_of", keys.as_of)]
        .into_iter()
        .find_map(|(k, v)| Some((k, v?)))
}

/// The error for a batch line that gives a request's own key (see [`request_key`]).
fn request_key_in_line(bytes: &[u8], line: usize) -> Option<zhunru::InputError> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (key, raw) = request_key(text)?;
    let (_, column) = byte_position(text, offset_in(text, raw.get()));
    Some(zhunru::InputError::new(
        ORIGIN,
        line,
        column,
        format!(
            "`{key}` belongs to the request, not to a subject: a batch is decided under the query's `?district=` and `?as_of=`"
        ),
        text,
    ))
}

/// The request's envelope (district, date, the subject's text), without reading the
/// subject: which version types and decides it is known only once these are.
fn parse_envelope(text: &str) -> Result<Single<'_>, Problem> {
    let envelope: Envelope<'_> = serde_json::from_str(text).map_err(|e| {
        // A body that is not an object; a key given twice says so itself.
        let (message, zh) = if e.classify() == serde_json::error::Category::Data
            && e.to_string().starts_with("invalid type")
        {
            (
                "the body should be one JSON object: a subject, or {\"district\", \"as_of\", \"subject\"}"
                    .to_owned(),
                Some(
                    "请求体应为一个 JSON 对象：一个事项，或 {\"district\", \"as_of\", \"subject\"}"
                        .to_owned(),
                ),
            )
        } else {
            let message = zhunru::json_message(&e);
            // The envelope's own (a key given twice); the readers' translations know the rest.
            let zh = message
                .strip_suffix(" is given twice")
                .map(|key| format!("{key} 出现了两次"));
            (message, zh)
        };
        input_problem(text, e.line(), e.column(), message, zh)
    })?;
    let located = |raw: &RawValue, message: String, zh: String| {
        // A byte column, which the error turns into characters (a character column was
        // read as bytes: placed too far left after CJK text).
        let (line, column) = byte_position(text, offset_in(text, raw.get()));
        input_problem(text, line, column, message, Some(zh))
    };
    let Some(raw) = envelope.subject else {
        // A bare subject. An envelope key beside its fields (or an envelope that forgot
        // `subject`) would otherwise be passed over as an unknown field, and the task
        // decided under the default district, today.
        if let Some((key, raw)) = [("district", envelope.district), ("as_of", envelope.as_of)]
            .into_iter()
            .find_map(|(k, v)| Some((k, v?)))
        {
            // Nothing but envelope keys: the subject was left out, not misplaced.
            let (message, zh) = if envelope.other.is_none() {
                (
                    format!(
                        "the envelope has `{key}` but no `subject`: give the task as {{\"district\", \"as_of\", \"subject\": {{\"category\": …}}}}"
                    ),
                    format!(
                        "封装有 `{key}` 却没有 `subject`：事项写作 {{\"district\", \"as_of\", \"subject\": {{\"category\": …}}}}"
                    ),
                )
            } else {
                (
                    format!(
                        "`{key}` belongs to the envelope {{\"district\", \"as_of\", \"subject\": {{…}}}}: put the task's fields under `subject` (or pass `?{key}=` in the query)"
                    ),
                    format!(
                        "`{key}` 属于封装 {{\"district\", \"as_of\", \"subject\": {{…}}}}：请把事项的字段放在 `subject` 之下（或在查询中用 `?{key}=`）"
                    ),
                )
            };
            return Err(located(raw, message, zh));
        }
        return Ok(Single {
            district: None,
            as_of: None,
            subject: text,
        });
    };
    if let Some((key, raw)) = &envelope.other {
        return Err(located(
            raw,
            format!(
                "`{key}` is not a key of the envelope: it holds {ENVELOPE_KEYS} (the task's own fields go under `subject`)"
            ),
            format!(
                "`{key}` 不是封装的键：封装只有 {ENVELOPE_KEYS_ZH}（事项自己的字段放在 `subject` 之下）"
            ),
        ));
    }
    if let Some((key, inner)) = request_key(raw.get()) {
        return Err(located(
            inner,
            format!("`{key}` is inside `subject`: it belongs to the envelope, beside `subject`"),
            format!("`{key}` 写在了 `subject` 之内：它属于封装，与 `subject` 并列"),
        ));
    }
    let district = match envelope.district {
        None => None,
        Some(raw) => Some(
            serde_json::from_str::<Option<String>>(raw.get()).map_err(|_| {
                located(
                    raw,
                    "`district` should be a district's name, as text".to_owned(),
                    "`district` 应为辖区名称（文本）".to_owned(),
                )
            })?,
        )
        .flatten(),
    };
    let as_of = match envelope.as_of {
        None => None,
        Some(raw) => match serde_json::from_str::<Option<String>>(raw.get()) {
            Ok(None) => None,
            // Trimmed, as a subject's dates are.
            Ok(Some(s)) => Some(Date::parse(s.trim()).ok_or_else(|| {
                located(
                    raw,
                    format!("`as_of` should be a date (YYYY-MM-DD, a day that exists), not `{s}`"),
                    format!("`as_of` 应为日期（YYYY-MM-DD，日历上存在的日子），而不是 `{s}`"),
                )
            })?),
            Err(_) => {
                return Err(located(
                    raw,
                    "`as_of` should be a date (YYYY-MM-DD)".to_owned(),
                    "`as_of` 应为日期（YYYY-MM-DD）".to_owned(),
                ));
            }
        },
    };
    Ok(Single {
        district,
        as_of,
        subject: raw.get(),
    })
}

/// The subject of a request whose envelope is `single` (read from `text`, the body),
/// typed by `policy`'s fields when given (else the contract's); errors are located in the
/// whole body.
fn parse_subject(
    text: &str,
    single: &Single<'_>,
    policy: Option<&zhunru::Policy>,
) -> Result<Subject, Problem> {
    let inner = single.subject;
    let parsed = match policy {
        Some(policy) => policy.subject_from_json(ORIGIN, inner),
        None => Subject::from_json(ORIGIN, inner),
    };
    parsed.map_err(|e| {
        if std::ptr::eq(inner, text) {
            return Problem::input(&e, e.line().unwrap_or(0), e.column().unwrap_or(0));
        }
        // Locate the error in the whole body, not in the subject's own text.
        let (line0, column0) = position(text, offset_in(text, inner));
        let (e_line, e_column) = (e.line().unwrap_or(1), e.column().unwrap_or(0));
        let (line, column) = if e_line <= 1 {
            (line0, column0 + e_column.saturating_sub(1))
        } else {
            (line0 + e_line - 1, e_column)
        };
        let located = zhunru::InputError::new(ORIGIN, line, 0, e.message().to_owned(), "");
        Problem::input(&located, line, column)
    })
}

/// The district a request names (or the default), or the problem to answer.
fn pick<'s>(
    state: &AppState,
    snapshot: &'s Snapshot,
    name: Option<&str>,
) -> Result<&'s District, Problem> {
    let found = match name {
        Some(n) => snapshot.district(n),
        None => state::default_district(snapshot, state.default_district.as_deref()),
    };
    if let Some(d) = found {
        return Ok(d);
    }
    let name = name.unwrap_or("");
    if let Some(f) = snapshot.failures().iter().find(|f| f.district() == name) {
        return Err(Problem::policy_failed(&state::Failure::of(f)));
    }
    if snapshot.is_empty() {
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "zhunru::server::not_ready",
            "no policy is loaded",
        )
        .zh("尚未加载任何政策"));
    }
    Err(Problem::unknown_district(name, state::names(snapshot)))
}

fn record(state: &AppState, district: &str, decision: &Decision) {
    state
        .metrics
        .decided(district, decision.verdict().as_str(), 1);
}

/// `POST /v1/decide`: one subject (JSON), or a batch (JSON Lines, streamed).
pub async fn decide(State(state): Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    match body_kind(&parts.headers) {
        Err(p) => p.into_response(),
        Ok(BodyKind::Lines) => batch(state, &parts, body).await,
        Ok(BodyKind::Json) => match single(&state, &parts, body).await {
            Ok(bytes) => json_response(StatusCode::OK, bytes, "application/json"),
            Err(p) => p.into_response(),
        },
    }
}

/// One subject decided: `eval`'s bytes, written without building the decision, by the
/// version in force on `as_of`. The body is read once: the envelope first, then the
/// subject, typed by the fields (`字段`) of the version that decides it.
async fn single(
    state: &AppState,
    parts: &axum::http::request::Parts,
    body: Body,
) -> Result<Vec<u8>, Problem> {
    let query = query_of(&parts.uri)?;
    let limit = state.limits.single_body;
    let declared = declared_length(&parts.headers);
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    let bytes = read_limited(body, limit, declared).await?;
    let input_error = |_: &Problem| {
        state.metrics.input_errors.fetch_add(1, Ordering::Relaxed);
    };
    let text = body_text(&bytes).inspect_err(input_error)?;
    let mut single = parse_envelope(text).inspect_err(input_error)?;
    single.take_query(query)?;
    let snapshot = state.live.snapshot();
    let district = pick(state, &snapshot, single.district.as_deref())?;
    let as_of = single.as_of.unwrap_or_else(Date::today);
    let version = district.in_force(as_of);
    let subject = parse_subject(text, &single, Some(version)).inspect_err(input_error)?;
    // Room for most decisions and the line end `json_response` adds: one allocation, no
    // growing (a needs_approval decision with its reasons is 1.5–2.5 KB).
    let mut out = Vec::with_capacity(4096);
    let verdict = version.decide_json(&subject, as_of, &mut out);
    state.metrics.decided(district.name(), verdict.as_str(), 1);
    Ok(out)
}

/// A request's query: `?district=NAME&as_of=DATE`, each optional.
#[derive(Default)]
struct Query {
    district: Option<String>,
    as_of: Option<Date>,
}

/// A response body fed by a channel: the batch is decided while it streams.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl http_body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        self.get_mut()
            .0
            .poll_recv(cx)
            .map(|b| b.map(|b| Ok(http_body::Frame::data(b))))
    }
}

/// A piece of a batch body on its way from the reader to the decider.
enum Piece {
    Data(Bytes),
    /// The body ended early: why (unreadable, over the limit).
    Stop(String),
}

/// The first output buffer's size (later ones are sized by the block before).
const CHUNK: usize = 32 * 1024;

/// The batch body as `std::io::Read` on the deciding thread, so that the batch is read by
/// the same [`Blocks`] as `zhunru eval` (line ends, BOM, blank lines, the line limit): one
/// rule for a record everywhere input is read.
struct PieceReader {
    incoming: mpsc::Receiver<Piece>,
    current: Bytes,
    /// Why the body ended early, once it has (read back after the reader is done).
    stop: std::rc::Rc<std::cell::RefCell<Option<String>>>,
}

impl std::io::Read for PieceReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            if self.stop.borrow().is_some() {
                return Ok(0);
            }
            match self.incoming.blocking_recv() {
                Some(Piece::Data(data)) => self.current = data,
                Some(Piece::Stop(message)) => {
                    *self.stop.borrow_mut() = Some(message.clone());
                    // An error, not the end: a line cut off by the limit is not decided.
                    return Err(std::io::Error::other(message));
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        let (head, _) = buf.split_at_mut(n);
        head.copy_from_slice(self.current.get(..n).unwrap_or(&[]));
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

/// Decides JSON Lines as `zhunru eval --format json` does: one line out per subject line,
/// blank lines skipped but counted, a bad line's error object in its place.
struct LineDecider {
    /// The district's version in force on `as_of`.
    policy: zhunru::Policy,
    as_of: Date,
    out: Vec<u8>,
    counts: [u64; 5],
    bad: u64,
}

const VERDICTS: [zhunru::Verdict; 5] = [
    zhunru::Verdict::Admitted,
    zhunru::Verdict::Denied,
    zhunru::Verdict::NeedsApproval,
    zhunru::Verdict::Compliant,
    zhunru::Verdict::NonCompliant,
];

impl LineDecider {
    fn error_line(&mut self, e: &zhunru::InputError) {
        self.bad += 1;
        // The same object as `eval` writes for a bad line.
        let obj = serde_json::json!({
            "line": e.line(),
            "error": {"code": "zhunru::input", "message": e.message(), "at": e.location()},
        });
        let _ = serde_json::to_writer(&mut self.out, &obj);
        self.out.push(b'\n');
    }

    fn decide(&mut self, subject: &Subject) {
        // The same bytes as serialising the decision, without building it.
        let verdict = self.policy.decide_json(subject, self.as_of, &mut self.out);
        if let Some(slot) = VERDICTS
            .iter()
            .position(|v| *v == verdict)
            .and_then(|i| self.counts.get_mut(i))
        {
            *slot += 1;
        }
        self.out.push(b'\n');
    }

    /// Read and decide the whole body; `send` takes each block's output and says whether
    /// the client is still there. Returns why the body ended early, if it did.
    ///
    /// The body is read as `zhunru eval` reads JSON Lines: in blocks of whole lines
    /// ([`Blocks`], one rule for a record: line ends, BOM, blank lines, the line limit), each
    /// line by the policy's `LineDecoder` when it can, else by the exact reader. Splitting
    /// lines one at a time with the exact reader was about 35 % of the server's time on a
    /// 100k batch (issue 11).
    fn run(
        &mut self,
        incoming: mpsc::Receiver<Piece>,
        mut send: impl FnMut(Vec<u8>) -> bool,
    ) -> Option<String> {
        let stop = std::rc::Rc::default();
        let pieces = PieceReader {
            incoming,
            current: Bytes::new(),
            stop: std::rc::Rc::clone(&stop),
        };
        let mut blocks = Blocks::new(pieces, ORIGIN);
        // Lines that give `district` or `as_of` come back whole, to be refused.
        let mut decoder = self
            .policy
            .line_decoder()
            .hand_back(["district".to_owned(), "as_of".to_owned()]);
        while let Some(mut block) = blocks.next_block() {
            block.for_each(ORIGIN, &mut decoder, |line, item| match item {
                Item::Subject(subject) => self.decide(subject),
                Item::Exact(bytes) => match request_key_in_line(bytes, line) {
                    Some(e) => self.error_line(&e),
                    None => match self.policy.parse_line(bytes, line, ORIGIN) {
                        Ok(subject) => self.decide(&subject),
                        Err(e) => self.error_line(&e),
                    },
                },
                // The body's own end (over the limit, unreadable) is said once, below.
                Item::Error(e) if e.kind() == zhunru::InputErrorKind::Io => {}
                Item::Error(e) => self.error_line(&e),
            });
            blocks.recycle(block);
            // Each block's answers go out as soon as they are decided: a block is what one
            // piece of the body held, so the answers stream as the body does.
            let room = self.out.len();
            if room > 0 && !send(std::mem::replace(&mut self.out, Vec::with_capacity(room))) {
                return None; // the client went away
            }
        }
        drop(blocks);
        stop.take()
    }
}

async fn batch(state: Arc<AppState>, parts: &axum::http::request::Parts, body: Body) -> Response {
    let limit = state.limits.batch_body;
    if declared_length(&parts.headers).is_some_and(|n| n > limit as u64) {
        return too_large(limit).into_response();
    }
    let query = match query_of(&parts.uri) {
        Ok(q) => q,
        Err(p) => return p.into_response(),
    };
    let as_of = query.as_of.unwrap_or_else(Date::today);
    // The whole batch is decided by the version in force when it started.
    let snapshot = state.live.snapshot();
    let district = match pick(&state, &snapshot, query.district.as_deref()) {
        Ok(d) => d,
        Err(p) => return p.into_response(),
    };
    let (tx, rx) = mpsc::channel::<Bytes>(4);
    // The body is read here, on the runtime, and decided on a blocking thread, so that
    // reading and deciding overlap (and deciding never stalls the other connections served
    // by this runtime's thread).
    let (pieces, incoming) = mpsc::channel::<Piece>(8);
    let name = district.name().to_owned();
    let policy = district.in_force(as_of).clone();
    // The body is asked for before the answer starts: that is when hyper sends `100
    // Continue` to a client that waits for it (curl does for a body over 1 MiB). Answering
    // first left such a client waiting for its own timeout (curl's: 1 s) before it sent a
    // byte, more than the whole batch of 100,000 lines took to decide.
    let mut body = body;
    let first = body.frame().await;
    if let Some(Err(e)) = first {
        // Nothing is answered yet, so this is said as the single decide says it.
        return unreadable(e).into_response();
    }
    // The answer ends when every sender is gone: this one keeps it open until the rest of
    // a body over the limit has been drained (see `drain`).
    let answer_open = tx.clone();
    tokio::spawn(async move {
        let mut received = 0usize;
        let mut first = Some(first);
        while let Some(frame) = match first.take() {
            Some(frame) => frame,
            None => body.frame().await,
        } {
            let piece = match frame {
                Err(e) => Piece::Stop(format!("the request body could not be read: {e}")),
                Ok(frame) => {
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    received += data.len();
                    if received > limit {
                        Piece::Stop(format!(
                            "the body is larger than the limit of {limit} bytes; lines after this were not decided"
                        ))
                    } else {
                        Piece::Data(data)
                    }
                }
            };
            let stop = matches!(piece, Piece::Stop(_));
            if pieces.send(piece).await.is_err() {
                return; // the decider stopped: the client went away
            }
            if stop {
                drain(&mut body).await;
                break;
            }
        }
        drop(answer_open);
    });
    tokio::task::spawn_blocking(move || {
        let mut decider = LineDecider {
            policy,
            as_of,
            out: Vec::with_capacity(CHUNK * 2),
            counts: [0; 5],
            bad: 0,
        };
        let stop = decider.run(incoming, |piece| {
            tx.blocking_send(Bytes::from(piece)).is_ok()
        });
        if let Some(message) = &stop {
            let obj =
                serde_json::json!({"error": {"code": "zhunru::server::body", "message": message}});
            let _ = serde_json::to_writer(&mut decider.out, &obj);
            decider.out.push(b'\n');
        }
        for (verdict, n) in VERDICTS.iter().zip(decider.counts) {
            if n > 0 {
                state.metrics.decided(&name, verdict.as_str(), n);
            }
        }
        state
            .metrics
            .input_errors
            .fetch_add(decider.bad, Ordering::Relaxed);
        if !decider.out.is_empty() {
            let _ = tx.blocking_send(Bytes::from(decider.out));
        }
    });
    let mut response = Response::new(Body::new(ChannelBody(rx)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-ndjson"),
    );
    response
}

/// The query's `district` and `as_of`. Any other parameter is an error, not passed over:
/// `?distrct=` would otherwise decide under the default district.
fn query_of(uri: &axum::http::Uri) -> Result<Query, Problem> {
    query_named(
        uri,
        &Text::new(
            "they are `district` and `as_of`",
            "可用的是 `district` 和 `as_of`",
        ),
    )
}

/// [`query_of`], saying `which` parameters the route takes when another is given.
fn query_named(uri: &axum::http::Uri, which: &Text) -> Result<Query, Problem> {
    let mut out = Query::default();
    let bad = |detail: String, zh: String| {
        Problem::new(StatusCode::BAD_REQUEST, "zhunru::input", detail).zh(zh)
    };
    for pair in uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v).ok_or_else(|| {
            bad(
                format!("the query parameter `{k}` is not valid percent-encoded UTF-8"),
                format!("查询参数 `{k}` 不是有效的百分号编码 UTF-8"),
            )
        })?;
        // Given twice, one of the two would be passed over (`?district=a&district=b`).
        let twice = match k {
            "district" => out.district.is_some(),
            "as_of" => out.as_of.is_some(),
            _ => false,
        };
        if twice {
            return Err(bad(
                format!("the query parameter `{k}` is given twice: give it once"),
                format!("查询参数 `{k}` 出现了两次：只给一次"),
            ));
        }
        match k {
            "district" => out.district = Some(v),
            "as_of" => {
                out.as_of = Some(Date::parse(v.trim()).ok_or_else(|| {
                    bad(
                        format!(
                            "`as_of` should be a date (YYYY-MM-DD, a day that exists), not `{v}`"
                        ),
                        format!("`as_of` 应为日期（YYYY-MM-DD，日历上存在的日子），而不是 `{v}`"),
                    )
                })?);
            }
            _ => {
                return Err(bad(
                    format!(
                        "`{k}` is not a query parameter here: {}",
                        which.get(Lang::En)
                    ),
                    format!("`{k}` 不是这里的查询参数：{}", which.get(Lang::Zh)),
                ));
            }
        }
    }
    Ok(out)
}

/// The query of a route whose district is in its path: `as_of` only.
fn as_of_query(uri: &axum::http::Uri) -> Result<Date, Problem> {
    let query = query_named(uri, &Text::new("the only one is `as_of`", "只有 `as_of`"))?;
    if query.district.is_some() {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "zhunru::input",
            "`district` is not a query parameter here: the district is named in the path",
        )
        .zh("`district` 不是这里的查询参数：辖区写在路径中"));
    }
    Ok(query.as_of.unwrap_or_else(Date::today))
}

fn percent_decode(s: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut it = s.bytes();
    while let Some(b) = it.next() {
        match b {
            b'%' => {
                let hi = (it.next()? as char).to_digit(16)?;
                let lo = (it.next()? as char).to_digit(16)?;
                bytes.push(u8::try_from(hi * 16 + lo).ok()?);
            }
            b'+' => bytes.push(b' '),
            b => bytes.push(b),
        }
    }
    String::from_utf8(bytes).ok()
}

#[derive(Serialize)]
struct CompareAnswer<'a> {
    as_of: Date,
    districts: Vec<CompareColumn<'a>>,
    /// Districts not compared: their policy failed to load and no earlier version is in
    /// force (a district with one in force is compared by it).
    not_loaded: Vec<state::Failure>,
}

#[derive(Serialize)]
struct CompareColumn<'a> {
    district: &'a str,
    jurisdiction: &'a str,
    title: &'a str,
    decision: Decision,
}

/// `POST /v1/compare`: one subject under every loaded district.
pub async fn compare(State(state): Shared, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    match body_kind(&parts.headers) {
        Err(p) => return p.into_response(),
        Ok(BodyKind::Lines) => {
            return Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "zhunru::server::content_type",
                "compare takes one subject as `application/json`",
            )
            .zh("比较只接受一个对象，以 `application/json` 发送")
            .into_response();
        }
        Ok(BodyKind::Json) => {}
    }
    let limit = state.limits.single_body;
    if declared_length(&parts.headers).is_some_and(|n| n > limit as u64) {
        return too_large(limit).into_response();
    }
    let bytes = match read_limited(body, limit, declared_length(&parts.headers)).await {
        Ok(b) => b,
        Err(p) => return p.into_response(),
    };
    let input_error = |p: Problem| {
        state.metrics.input_errors.fetch_add(1, Ordering::Relaxed);
        p.into_response()
    };
    // Read by the contract's fields first (for `as_of`), then under each district by the
    // fields its version in force declares: a field one district declares is typed there,
    // and passed through untyped elsewhere.
    let parsed = body_text(&bytes).and_then(|text| {
        let single = parse_envelope(text)?;
        let subject = parse_subject(text, &single, None)?;
        Ok((text, single, subject))
    });
    let (text, mut single, subject) = match parsed {
        Ok(s) => s,
        Err(p) => return input_error(p),
    };
    if let Err(p) = query_of(&parts.uri).and_then(|q| single.take_query(q)) {
        return p.into_response();
    }
    if single.district.is_some() {
        return Problem::new(
            StatusCode::BAD_REQUEST,
            "zhunru::input",
            "compare decides under every loaded district: leave out `district`",
        )
        .zh("比较会在每个已加载的辖区下作出决定：请去掉 `district`")
        .into_response();
    }
    let snapshot = state.live.snapshot();
    let as_of = single.as_of.unwrap_or_else(Date::today);
    let mut subjects = Vec::new();
    for d in snapshot.districts() {
        let version = d.in_force(as_of);
        if version.ast().fields.is_empty() {
            subjects.push(None);
            continue;
        }
        match parse_subject(text, &single, Some(version)) {
            Ok(typed) => subjects.push(Some(typed)),
            Err(p) => return input_error(p.under_district(d.name())),
        }
    }
    let districts = snapshot
        .districts()
        .iter()
        .zip(&subjects)
        .map(|(d, typed)| {
            let version = d.in_force(as_of);
            let decision = version.decide(typed.as_ref().unwrap_or(&subject), as_of);
            record(&state, d.name(), &decision);
            CompareColumn {
                district: d.name(),
                jurisdiction: version.jurisdiction(),
                title: version.title(),
                decision,
            }
        })
        .collect();
    // A district whose policy failed to load is said, not dropped from the comparison.
    let not_loaded = snapshot
        .failures()
        .iter()
        .filter(|f| !f.previous_in_force())
        .map(state::Failure::of)
        .collect();
    to_json(&CompareAnswer {
        as_of,
        districts,
        not_loaded,
    })
}

/// What `/v1/districts` says of a district: the fields before `versions` describe the
/// version in force today.
#[derive(Serialize)]
struct DistrictInfo<'a> {
    name: &'a str,
    title: &'a str,
    jurisdiction: &'a str,
    /// The document the policy encodes (its `来源`/`source`).
    source: Option<&'a str>,
    /// The date it takes effect (`生效`), when given.
    effective: Option<Date>,
    /// The last day it is in force (`失效`), when given.
    expires: Option<Date>,
    /// Whether it is on trial (`试行`).
    trial: bool,
    /// The clause ids its rules cite, in order of first citation.
    cites: Vec<&'a str>,
    rules: usize,
    lists: Vec<&'a str>,
    file: String,
    /// The version in force: the policy's content hash (its text and its parents').
    hash: &'a str,
    /// When that version was loaded (Unix seconds).
    loaded_at: u64,
    default: bool,
    /// Every dated version, oldest first (one for a single policy file).
    versions: Vec<VersionInfo<'a>>,
}

/// One dated version of a district.
#[derive(Serialize)]
struct VersionInfo<'a> {
    /// The version's file (`policies/yingjiang/2021.policy`).
    file: String,
    title: &'a str,
    effective: Option<Date>,
    expires: Option<Date>,
    trial: bool,
    hash: &'a str,
    /// Whether this is the version in force today (exactly one is).
    in_force: bool,
}

#[derive(Serialize)]
struct DistrictsAnswer<'a> {
    /// The date "in force" refers to (today, China's date).
    today: Date,
    districts: Vec<DistrictInfo<'a>>,
    failed: Vec<super::state::Failure>,
    generation: u64,
}

/// `GET /v1/districts`.
pub async fn districts(State(state): Shared, uri: axum::http::Uri) -> Response {
    let snapshot = state.live.snapshot();
    // `?as_of=`: the versions in force on that day (default today); nothing else is taken.
    let today = match as_of_query(&uri) {
        Ok(day) => day,
        Err(problem) => return problem.into_response(),
    };
    let default =
        state::default_district(&snapshot, state.default_district.as_deref()).map(District::name);
    let districts = snapshot
        .districts()
        .iter()
        .map(|d| {
            let now = d.in_force(today);
            let ast = now.ast();
            let mut cites: Vec<&str> = Vec::new();
            for c in ast.rules.iter().flat_map(|r| &r.cite) {
                if !cites.contains(&c.node.as_str()) {
                    cites.push(&c.node);
                }
            }
            DistrictInfo {
                name: d.name(),
                title: now.title(),
                jurisdiction: now.jurisdiction(),
                source: ast.header.source.as_ref().map(|s| s.node.as_str()),
                effective: now.effective(),
                expires: now.expires(),
                trial: now.is_trial(),
                cites,
                rules: ast.rules.len(),
                lists: ast.lists.iter().map(|l| l.name.node.as_str()).collect(),
                file: d
                    .file()
                    .map(|f| zhunru::cited_path(&f.display().to_string()))
                    .unwrap_or_default(),
                hash: now.content_hash(),
                loaded_at: state::loaded_at(d),
                default: Some(d.name()) == default,
                versions: d
                    .versions()
                    .versions()
                    .map(|v| VersionInfo {
                        file: zhunru::cited_path(v.source().name()),
                        title: v.title(),
                        effective: v.effective(),
                        expires: v.expires(),
                        trial: v.is_trial(),
                        hash: v.content_hash(),
                        // The version chosen for the day, if it is in force then: before
                        // the first version's 生效 the first is chosen and is not.
                        in_force: std::ptr::eq(v, now) && now.in_force(today),
                    })
                    .collect(),
            }
        })
        .collect();
    to_json(&DistrictsAnswer {
        today,
        districts,
        failed: state::failures(&snapshot),
        generation: snapshot.generation(),
    })
}

/// The district named in a path, as `decide` finds it: a district whose policy failed to
/// load is a 422 with its diagnostics here too, not a 404.
fn lookup(
    state: &AppState,
    name: Result<Path<String>, PathRejection>,
) -> Result<District, Problem> {
    // axum's own answer to a bad path is plain text; every error here is problem JSON.
    let Path(name) = name.map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "zhunru::input",
            format!(
                "the district's name in the path cannot be read: {}",
                e.body_text()
            ),
        )
        .zh(format!("无法读取路径中的辖区名称：{}", e.body_text()))
    })?;
    let snapshot = state.live.snapshot();
    pick(state, &snapshot, Some(&name)).cloned()
}

/// `GET /v1/districts/{name}/lists[?as_of=DATE]`: the lists as the notice publishes them,
/// of the version in force on `as_of` (default today).
pub async fn lists(
    State(state): Shared,
    name: Result<Path<String>, PathRejection>,
    uri: axum::http::Uri,
) -> Response {
    let (d, as_of) = match lookup(&state, name).and_then(|d| Ok((d, as_of_query(&uri)?))) {
        Ok(found) => found,
        Err(p) => return p.into_response(),
    };
    let version = d.in_force(as_of);
    let n = notice::notice(version);
    to_json(&serde_json::json!({
        "district": d.name(),
        "as_of": as_of,
        "effective": version.effective(),
        "in_force": version.in_force(as_of),
        "lists": n.lists,
    }))
}

/// `GET /v1/districts/{name}/notice[?as_of=DATE]`: HTML, or Markdown with
/// `Accept: text/markdown`, of the version in force on `as_of` (default today).
pub async fn notice(
    State(state): Shared,
    name: Result<Path<String>, PathRejection>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let (d, as_of) = match lookup(&state, name).and_then(|d| Ok((d, as_of_query(&uri)?))) {
        Ok(found) => found,
        Err(p) => return p.into_response(),
    };
    let n = notice::notice(d.in_force(as_of));
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // Markdown when asked for above HTML; HTML otherwise (and on a tie).
    let (md, html) = (
        quality(accept, "text/markdown"),
        quality(accept, "text/html"),
    );
    // A client that accepts neither (`application/pdf`) is told so, not sent HTML it
    // would store under the wrong type. No `Accept` at all accepts anything.
    if !accept.trim().is_empty() && md == 0.0 && html == 0.0 {
        return Problem::new(
            StatusCode::NOT_ACCEPTABLE,
            "zhunru::server::not_acceptable",
            format!(
                "the notice is served as `text/html` or `text/markdown`; `Accept: {accept}` takes neither"
            ),
        )
        .zh(format!(
            "公告以 `text/html` 或 `text/markdown` 提供；`Accept: {accept}` 两者都不接受"
        ))
        .into_response();
    }
    let markdown = md > 0.0 && md > html;
    let (text, kind) = if markdown {
        (notice::render_markdown(&n), "text/markdown; charset=utf-8")
    } else {
        (notice::render_html(&n), "text/html; charset=utf-8")
    };
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::VARY, "accept"),
            (header::CONTENT_SECURITY_POLICY, NOTICE_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        text,
    )
        .into_response()
}

/// The quality an `Accept` header gives `media` (`type/subtype`, lower case): that of the
/// most specific range matching it (`type/subtype`, then `type/*`, then `*/*`), 0 when
/// none does. Media types compare without case (RFC 9110 §8.3.1).
fn quality(accept: &str, media: &str) -> f32 {
    let kind = media.split('/').next().unwrap_or(media);
    let mut best: Option<(u8, f32)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let specificity = match name.split_once('/') {
            Some(_) if name == media => 3,
            Some((t, "*")) if t == kind => 2,
            Some(("*", "*")) => 1,
            _ => continue,
        };
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, v)| v.trim().parse::<f32>().ok())
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        if best.is_none_or(|(s, _)| specificity > s) {
            best = Some((specificity, q));
        }
    }
    best.map_or(0.0, |(_, q)| q)
}

/// `GET /healthz`: the process answers.
pub async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: 200 once some policy is in force; says which files failed to (re)load.
pub async fn readyz(State(state): Shared) -> Response {
    let snapshot = state.live.snapshot();
    let ready = !snapshot.is_empty();
    let failed = state::failures(&snapshot);
    // Serving, but a district is not: its file failed and no earlier version stands in.
    let status = match () {
        () if !ready => "not_ready",
        () if failed.iter().any(|f| !f.previous_in_force) => "degraded",
        () => "ready",
    };
    let body = serde_json::json!({
        "status": status,
        "districts": state::names(&snapshot),
        "failed": failed,
        "generation": snapshot.generation(),
    });
    let mut r = to_json(&body);
    if !ready {
        *r.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    }
    r
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): Shared) -> Response {
    let snapshot = state.live.snapshot();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(snapshot.len(), snapshot.generation()),
    )
        .into_response()
}

/// The OpenAPI document of the routes above.
pub const OPENAPI: &str = include_str!("openapi.json");

/// `GET /v1/openapi.json`.
pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// The reviewers' page and its assets, embedded: the page works with no network.
/// What the page may load and do: only its own script and style, from this server; no
/// frames around it, no plugins. A policy's text reaches the page as data (the script never
/// writes HTML), and this is the second wall.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The notice is a document to read and print: its style is inline, nothing runs.
const NOTICE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

pub async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        include_str!("page/index.html"),
    )
        .into_response()
}

/// `GET /app.js`.
pub async fn page_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("page/app.js"),
    )
        .into_response()
}

/// `GET /style.css`.
pub async fn page_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        include_str!("page/style.css"),
    )
        .into_response()
}

/// Any other path.
pub async fn not_found(uri: axum::http::Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "zhunru::server::not_found",
        format!("no route `{}`; see /v1/openapi.json", uri.path()),
    )
    .zh(format!("没有路由 `{}`；见 /v1/openapi.json", uri.path()))
}

/// A known path with another method.
pub async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "zhunru::server::method",
        "this route does not take that method; see /v1/openapi.json",
    )
    .zh("此路由不接受这个请求方法；见 /v1/openapi.json")
}
