//! Errors as `application/problem+json` (RFC 9457): a status, a stable `code`, a message,
//! and for input errors the line and column within the request body. Never a stack trace.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of every error answer.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One problem answer (boxed: it travels in `Err`s, which should stay small).
#[derive(Debug)]
pub struct Problem(Box<Body>);

#[derive(Debug, Serialize)]
struct Body {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    /// The diagnostic's stable code (`zhunru::input`, `zhunru::server::unknown_district` …).
    code: &'static str,
    /// What is wrong, for a person.
    detail: String,
    /// The detail in Chinese (the page shows it; `detail` stays the English every client
    /// can match on).
    #[serde(skip_serializing_if = "Option::is_none")]
    detail_zh: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    /// The subject field the error concerns (`funding.amount`), so a form can mark it.
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// For an unknown district: the districts that are loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    known: Option<Vec<String>>,
    /// For a district whose policy could not be loaded: its diagnostics.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<super::state::FailureItem>>,
    #[serde(skip)]
    retry_after: Option<u32>,
}

impl Problem {
    /// A problem with a status, code and detail.
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Problem {
        Problem(Box::new(Body {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            code,
            detail: detail.into(),
            detail_zh: None,
            line: None,
            column: None,
            field: None,
            known: None,
            errors: None,
            retry_after: None,
        }))
    }

    /// The same problem with its detail in Chinese.
    pub fn zh(mut self, detail: impl Into<String>) -> Problem {
        self.0.detail_zh = Some(detail.into());
        self
    }

    /// An input error (400) located in the body, with the field it concerns.
    pub fn input(e: &zhunru::InputError, line: usize, column: usize) -> Problem {
        let mut p = Problem::new(
            StatusCode::BAD_REQUEST,
            "zhunru::input",
            e.message().to_owned(),
        );
        p.0.line = Some(line);
        p.0.column = Some(column);
        p.0.field = e.field().map(str::to_owned);
        let zh = e.localized(zhunru::Lang::Zh);
        let zh = zh.message_shown();
        if zh != e.message() {
            p.0.detail_zh = Some(zh.into_owned());
        }
        p
    }

    /// The same problem, its detail saying which district it arose under.
    pub fn under_district(mut self, district: &str) -> Problem {
        self.0.detail = format!("under district `{district}`: {}", self.0.detail);
        if let Some(zh) = &mut self.0.detail_zh {
            *zh = format!("按辖区 `{district}`：{zh}");
        }
        self
    }

    /// 404 for a district that is not loaded, with the ones that are.
    pub fn unknown_district(name: &str, known: Vec<String>) -> Problem {
        let mut p = Problem::new(
            StatusCode::NOT_FOUND,
            "zhunru::server::unknown_district",
            format!("no district `{name}` is loaded"),
        )
        .zh(format!("没有加载名为 `{name}` 的辖区"));
        p.0.known = Some(known);
        p
    }

    /// 422: the district's policy could not be loaded, so nothing can be decided under it.
    pub fn policy_failed(f: &super::state::Failure) -> Problem {
        let first = f.errors.first();
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            first.map_or("zhunru::policy", |e| e.code),
            format!(
                "the policy of `{}` ({}) could not be loaded: {}",
                f.district,
                f.file,
                first.map_or("", |e| e.message.as_str())
            ),
        )
        .zh(format!(
            "辖区 `{}` 的政策（{}）未能加载：{}",
            f.district,
            f.file,
            first.map_or("", |e| e.message_zh.as_str())
        ));
        p.0.errors = Some(f.errors.clone());
        p
    }

    /// 503 with `Retry-After`.
    pub fn busy() -> Problem {
        let mut p = Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "zhunru::server::busy",
            "too many requests in progress; retry shortly",
        )
        .zh("正在处理的请求过多，请稍后重试");
        p.0.retry_after = Some(1);
        p
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&*self.0).unwrap_or_default();
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.0.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    /// The field comes typed from the library's error, never from its message.
    #[test]
    fn field_from_the_input_error() {
        let field = |body: &str| {
            let Err(e) = zhunru::Subject::from_json("body", body) else {
                return None;
            };
            super::Problem::input(&e, 1, 1).0.field.clone()
        };
        assert_eq!(
            field(r#"{"category": "x", "funding": {"amount": "3000"}}"#).as_deref(),
            Some("funding.amount")
        );
        assert_eq!(field(r#"{"category": "x",}"#), None);
    }
}
