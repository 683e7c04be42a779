//! `zhunru serve`: the HTTP API and the reviewers' page over the policies in force.
//!
//! The server holds no state but the policy files: every request reads the snapshot in
//! force when it starts ([`state::Live`]), decides with the library, and answers with the
//! decision JSON that `zhunru eval --format json` writes. Several instances behind a load
//! balancer, each given the same files, answer alike.

mod api;
mod metrics;
mod problem;
mod state;

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Method, Request};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::{Semaphore, mpsc};

/// What a request may send and hold.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest body of one subject (`application/json`), in bytes.
    pub single_body: usize,
    /// Largest JSON Lines batch, in bytes (read as it streams).
    pub batch_body: usize,
    /// Longest wait for the request's headers, and between two pieces of its body; also the
    /// longest a whole single-subject body may take.
    pub read_timeout: Duration,
    /// Longest a whole JSON Lines batch body may take to arrive. With `read_timeout` alone,
    /// a client sending a byte every few seconds would hold its slot for ever.
    pub batch_timeout: Duration,
    /// `/v1` requests in progress at once; beyond, 503 with `Retry-After`.
    pub max_concurrent: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            single_body: 1 << 20,
            batch_body: 64 << 20,
            read_timeout: Duration::from_secs(10),
            batch_timeout: Duration::from_secs(300),
            max_concurrent: 256,
        }
    }
}

/// How to run the server.
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// Policy files or folders of them.
    pub sources: Vec<PathBuf>,
    /// Request limits.
    pub limits: Limits,
    /// Watch the policy files and reload on change (SIGHUP reloads in any case).
    pub watch: bool,
    /// How long requests in flight may take to finish after SIGINT/SIGTERM.
    pub grace: Duration,
    /// The district that decides requests naming none (`None`: the first loaded).
    pub default_district: Option<String>,
}

/// What every handler shares.
pub struct AppState {
    live: state::Live,
    /// The file watcher and the folders it watches (`None` without `--watch`).
    watching: std::sync::Mutex<Option<Watching>>,
    metrics: metrics::Metrics,
    limits: Limits,
    slots: Arc<Semaphore>,
    /// `--default-district`: decides requests naming none while it is loaded.
    default_district: Option<String>,
}

/// The routes of the `/v1` API and the probes, as (method, path): the OpenAPI document
/// lists exactly these (a test checks it).
pub const API_ROUTES: &[(&str, &str)] = &[
    ("post", "/v1/decide"),
    ("post", "/v1/compare"),
    ("get", "/v1/districts"),
    ("get", "/v1/districts/{name}/lists"),
    ("get", "/v1/districts/{name}/notice"),
    ("get", "/v1/openapi.json"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
];

fn router(state: Arc<AppState>) -> Router {
    // The concurrency limit (work routes only: probes must answer under load), the request
    // id, the log line and the latency metric are one layer around the router ([`Observe`]),
    // not `from_fn` middleware: each `from_fn` layer and each `route_layer` cloned and
    // boxed a service and boxed a future per request.
    Router::new()
        .route("/v1/decide", post(api::decide))
        .route("/v1/compare", post(api::compare))
        .route("/v1/districts", get(api::districts))
        .route("/v1/districts/{name}/lists", get(api::lists))
        .route("/v1/districts/{name}/notice", get(api::notice))
        .route("/v1/openapi.json", get(api::openapi))
        .route("/healthz", get(api::healthz))
        .route("/readyz", get(api::readyz))
        .route("/metrics", get(api::metrics))
        .route("/", get(api::page))
        .route("/app.js", get(api::page_js))
        .route("/style.css", get(api::page_css))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .with_state(state)
}

/// The answer to a panic in a handler: no stack trace leaves the server.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    problem::Problem::new(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "zhunru::server::internal",
        "internal error",
    )
    .zh("内部错误")
    .into_response()
}

/// A streamed response body (a batch, decided as it streams): it holds the request's
/// concurrency slot, and its latency is observed and logged, when the last of it has been
/// sent (or the client has gone), not when its headers were: a four-second batch was
/// logged as 151 µs.
struct Held {
    inner: Body,
    _permit: Option<tokio::sync::OwnedSemaphorePermit>,
    finish: Option<Finish>,
}

impl http_body::Body for Held {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let frame = Pin::new(&mut this.inner).poll_frame(cx);
        if matches!(frame, Poll::Ready(None))
            && let Some(finish) = this.finish.take()
        {
            finish.done();
        }
        frame
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // The client went away before the end: observed for as long as it ran.
        if let Some(finish) = self.finish.take() {
            finish.done();
        }
    }
}

/// What is recorded of a request once its answer is complete: the latency metric and the
/// `answered` log line.
struct Finish {
    state: Arc<AppState>,
    span: tracing::Span,
    start: Instant,
    route: &'static str,
    status: u16,
}

impl Finish {
    fn done(self) {
        let elapsed = self.start.elapsed();
        let status = self.status;
        self.state
            .metrics
            .observe(self.route, status, elapsed.as_secs_f64());
        self.span.in_scope(|| {
            tracing::info!(
                status,
                micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
                "answered"
            );
        });
    }
}

/// True when `response` is already whole (a single decision, a problem): computed, so its
/// slot is free again and its latency known; a streamed one (a batch) is not.
fn is_whole(response: &Response) -> bool {
    http_body::Body::size_hint(response.body())
        .exact()
        .is_some()
}

/// A request body that fails when no piece of it arrives within `timeout`, or when the
/// whole of it has not arrived by `deadline` (a trickle of bytes, each in time, would
/// otherwise hold a slot for ever). The idle clock starts only when the body is waited
/// for: a body already read with the headers (a small one usually is) costs no timer, where
/// a timer set and cancelled on every piece (as tower-http's body timeout does) costs two
/// registrations a request; the deadline's timer too is set only once the body is waited for.
struct ReadTimeout {
    body: hyper::body::Incoming,
    timeout: Duration,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// When the whole body must have arrived, and how long that was from the start.
    deadline: tokio::time::Instant,
    allowed: Duration,
    deadline_sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl ReadTimeout {
    fn new(body: hyper::body::Incoming, timeout: Duration, allowed: Duration) -> ReadTimeout {
        ReadTimeout {
            body,
            timeout,
            sleep: None,
            deadline: tokio::time::Instant::now() + allowed,
            allowed,
            deadline_sleep: None,
        }
    }
}

/// The error of a body that did not come in time.
#[derive(Debug)]
enum BodyTimedOut {
    /// No piece for this long.
    Idle(Duration),
    /// Not all of it within this long.
    Whole(Duration),
}

impl std::fmt::Display for BodyTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyTimedOut::Idle(d) => write!(f, "no data for {d:?}"),
            BodyTimedOut::Whole(d) => write!(f, "the whole body did not arrive within {d:?}"),
        }
    }
}

impl std::error::Error for BodyTimedOut {}

impl http_body::Body for ReadTimeout {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let late = || {
            Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut::Whole(
                this.allowed,
            )))))
        };
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            this.sleep = None;
            // Pieces that keep coming, each in time, still end at the deadline.
            if frame.is_some() && tokio::time::Instant::now() >= this.deadline {
                return late();
            }
            return Poll::Ready(frame.map(|f| f.map_err(axum::Error::new)));
        }
        let deadline = this.deadline;
        let whole = this
            .deadline_sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if whole.as_mut().poll(cx).is_ready() {
            return late();
        }
        let timeout = this.timeout;
        let sleep = this
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut::Idle(timeout)))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }
}

static REQUEST_ID: AtomicU64 = AtomicU64::new(1);

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the `n`th request, in hex (at least 8 digits), made without a `String`.
fn new_request_id(n: u64) -> HeaderValue {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digits = (16 - n.leading_zeros() as usize / 4).max(8);
    let mut buf = [b'0'; 16];
    for (i, slot) in buf.iter_mut().take(digits).enumerate() {
        let nibble = (n >> (4 * (digits - 1 - i))) & 0xf;
        *slot = HEX.get(nibble as usize).copied().unwrap_or(b'0');
    }
    HeaderValue::from_bytes(buf.get(..digits).unwrap_or(b"00000000"))
        .unwrap_or_else(|_| HeaderValue::from_static("00000000"))
}

/// The route a path belongs to, for metrics: a bounded set of labels whatever is asked.
fn route_label(path: &str) -> &'static str {
    if let Some((_, route)) = API_ROUTES.iter().find(|(_, r)| *r == path) {
        return route;
    }
    match path.split('/').collect::<Vec<_>>().as_slice() {
        ["", "v1", "districts", _, "lists"] => "/v1/districts/{name}/lists",
        ["", "v1", "districts", _, "notice"] => "/v1/districts/{name}/notice",
        ["", ""] => "/",
        ["", "app.js"] | ["", "style.css"] => "/assets",
        _ => "other",
    }
}

/// Whether a request counts against the concurrency limit: the work routes of `/v1` in
/// [`API_ROUTES`] (as the router serves them, `HEAD` with `GET`), not the OpenAPI document,
/// the probes or the page.
fn limited(method: &Method, route: &str) -> bool {
    let method = if *method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    route.starts_with("/v1/")
        && route != "/v1/openapi.json"
        && API_ROUTES
            .iter()
            .any(|(m, r)| *r == route && method.as_str().eq_ignore_ascii_case(m))
}

/// The layer of [`Observe`].
#[derive(Clone)]
struct ObserveLayer(Arc<AppState>);

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Observe<S> {
        Observe {
            inner,
            state: Arc::clone(&self.0),
        }
    }
}

/// Around the router, for every request: its id (the caller's, or a new one), a structured
/// log line and the latency metric; for the work routes, a slot of the concurrency limit,
/// or 503 with `Retry-After` when none is free.
#[derive(Clone)]
struct Observe<S> {
    inner: S,
    state: Arc<AppState>,
}

impl<S, B> tower::Service<Request<B>> for Observe<S>
where
    S: tower::Service<Request<B>, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Observed<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Observed<S::Future> {
        let start = Instant::now();
        // A caller's own id is kept when it is short and printable, so logs can be joined.
        let given = request
            .headers()
            .get(&X_REQUEST_ID)
            .filter(|v| {
                let v = v.as_bytes();
                !v.is_empty() && v.len() <= 64 && v.iter().all(u8::is_ascii_graphic)
            })
            .cloned();
        let id =
            given.unwrap_or_else(|| new_request_id(REQUEST_ID.fetch_add(1, Ordering::Relaxed)));
        let route = route_label(request.uri().path());
        let span = tracing::info_span!(
            "request",
            id = id.to_str().unwrap_or(""),
            method = %request.method(),
            route
        );
        let mut permit = None;
        let mut busy = false;
        if limited(request.method(), route) {
            match Arc::clone(&self.state.slots).try_acquire_owned() {
                Ok(p) => permit = Some(p),
                Err(_) => {
                    busy = true;
                    self.state
                        .metrics
                        .rejected_busy
                        .fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        let inner = (!busy).then(|| span.in_scope(|| self.inner.call(request)));
        Observed {
            inner,
            permit,
            state: Arc::clone(&self.state),
            span,
            start,
            route,
            id: Some(id),
        }
    }
}

/// The answer of [`Observe`]: the router's (polled inside the request's span), or 503.
struct Observed<F> {
    /// `None`: refused by the concurrency limit.
    inner: Option<F>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    state: Arc<AppState>,
    span: tracing::Span,
    start: Instant,
    route: &'static str,
    id: Option<HeaderValue>,
}

impl<F> std::future::Future for Observed<F>
where
    F: std::future::Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let mut response = match this.inner.as_mut() {
            None => problem::Problem::busy().into_response(),
            Some(inner) => {
                let _entered = this.span.enter();
                match Pin::new(inner).poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(response)) => response,
                    Poll::Ready(Err(never)) => match never {},
                }
            }
        };
        let finish = Finish {
            state: Arc::clone(&this.state),
            span: this.span.clone(),
            start: this.start,
            route: this.route,
            status: response.status().as_u16(),
        };
        if is_whole(&response) {
            this.permit = None;
            finish.done();
        } else {
            let permit = this.permit.take();
            response = response.map(|inner| {
                Body::new(Held {
                    inner,
                    _permit: permit,
                    finish: Some(finish),
                })
            });
        }
        if let Some(id) = this.id.take() {
            response.headers_mut().insert(X_REQUEST_ID, id);
        }
        Poll::Ready(Ok(response))
    }
}

/// Log lines waiting for the log thread, and whether that thread is writing some.
struct LogQueue {
    pending: std::sync::Mutex<Vec<u8>>,
    ready: std::sync::Condvar,
    /// Held while lines are written, so that [`flush_logs`] keeps their order.
    writing: std::sync::Mutex<()>,
}

static LOG_QUEUE: LogQueue = LogQueue {
    pending: std::sync::Mutex::new(Vec::new()),
    ready: std::sync::Condvar::new(),
    writing: std::sync::Mutex::new(()),
};

/// Where log lines go: appended to [`LOG_QUEUE`] and written to stderr by one thread, a
/// batch a write, so that a request never waits on a write to stderr (a line a request at
/// `info`: a system call each, which cost a third of the server's throughput).
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let mut pending = LOG_QUEUE
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let was_empty = pending.is_empty();
        pending.extend_from_slice(line);
        drop(pending);
        if was_empty {
            LOG_QUEUE.ready.notify_one();
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Write what is queued now to stderr (the log thread's step, and the last step at exit).
fn flush_logs() {
    use std::io::Write as _;
    let _writing = LOG_QUEUE
        .writing
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let lines = std::mem::take(
        &mut *LOG_QUEUE
            .pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    if !lines.is_empty() {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(&lines);
        let _ = err.flush();
    }
}

fn log_thread() {
    loop {
        {
            let pending = LOG_QUEUE
                .pending
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let _pending = LOG_QUEUE
                .ready
                .wait_while(pending, |p| p.is_empty())
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        flush_logs();
    }
}

fn init_logging() {
    let level = std::env::var("ZHUNRU_LOG")
        .ok()
        .and_then(|l| l.parse::<tracing::Level>().ok())
        .unwrap_or(tracing::Level::INFO);
    let queued = std::thread::Builder::new()
        .name("zhunru-log".to_owned())
        .spawn(log_thread)
        .is_ok();
    let builder = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_ansi(false);
    let _ = if queued {
        builder.with_writer(|| LogWriter).try_init()
    } else {
        builder.with_writer(std::io::stderr).try_init()
    };
}

fn log_failures(failed: &[state::Failure]) {
    for f in failed {
        let first = f.errors.first();
        tracing::error!(
            file = %f.file,
            district = %f.district,
            previous_in_force = f.previous_in_force,
            code = first.map_or("", |e| e.code),
            at = first.map_or("", |e| e.at.as_str()),
            "policy not loaded: {}",
            first.map_or("", |e| e.message.as_str())
        );
    }
}

/// Reload whenever asked (file events, SIGHUP), coalescing a burst into one reload.
async fn reloader(state: Arc<AppState>, mut asks: mpsc::Receiver<&'static str>) {
    while let Some(why) = asks.recv().await {
        // Let a burst of events (an editor's write, rename and chmod) settle first.
        tokio::time::sleep(Duration::from_millis(50)).await;
        while asks.try_recv().is_ok() {}
        let mut failed = reload_once(&state).await;
        // A folder of versions that appeared is watched from now on; files written into it
        // before the watch began are read by one more reload.
        if watch_new_dirs(&state) {
            failed = reload_once(&state).await;
        }
        state.metrics.reloads.fetch_add(1, Ordering::Relaxed);
        if failed.is_empty() {
            let snapshot = state.live.snapshot();
            tracing::info!(
                why,
                generation = snapshot.generation(),
                districts = ?state::names(&snapshot),
                "policies reloaded"
            );
        } else {
            state
                .metrics
                .reload_failures
                .fetch_add(1, Ordering::Relaxed);
            log_failures(&failed);
        }
    }
}

async fn reload_once(state: &Arc<AppState>) -> Vec<state::Failure> {
    let worker = Arc::clone(state);
    tokio::task::spawn_blocking(move || worker.live.reload())
        .await
        .unwrap_or_default()
}

/// The file watcher and what it watches.
struct Watching {
    watcher: notify::RecommendedWatcher,
    dirs: Vec<PathBuf>,
}

/// Watch the folders the registry now has that are not watched yet (a folder of versions
/// added since); true when there were some.
fn watch_new_dirs(state: &AppState) -> bool {
    use notify::Watcher as _;
    let Ok(mut guard) = state.watching.lock() else {
        return false;
    };
    let Some(watching) = guard.as_mut() else {
        return false;
    };
    let now = state.live.watch_dirs();
    // A folder removed is forgotten, so that it is watched again if it comes back.
    watching.dirs.retain(|d| {
        let keep = now.contains(d);
        if !keep {
            let _ = watching.watcher.unwatch(d);
        }
        keep
    });
    let mut added = false;
    for dir in now {
        if !watching.dirs.contains(&dir) {
            if let Err(e) = watching
                .watcher
                .watch(&dir, notify::RecursiveMode::NonRecursive)
            {
                tracing::warn!(dir = %dir.display(), "cannot watch ({e}); reload with SIGHUP");
            }
            watching.dirs.push(dir);
            added = true;
        }
    }
    added
}

fn watch(dirs: &[PathBuf], asks: mpsc::Sender<&'static str>) -> Option<Watching> {
    use notify::Watcher as _;
    let handler = move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        // A policy file, or a folder (of versions) added, removed or renamed: folders have no
        // extension, and a removed one can no longer be asked whether it was a folder.
        if event
            .paths
            .iter()
            .any(|p| p.extension().is_none_or(|x| x == "policy"))
        {
            // A full queue already holds a reload that will read this change.
            let _ = asks.try_send("file changed");
        }
    };
    let mut watcher = match notify::recommended_watcher(handler) {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!("cannot watch policy files ({e}); reload with SIGHUP");
            return None;
        }
    };
    for dir in dirs {
        if let Err(e) = watcher.watch(dir, notify::RecursiveMode::NonRecursive) {
            tracing::warn!(dir = %dir.display(), "cannot watch ({e}); reload with SIGHUP");
        }
    }
    Some(Watching {
        watcher,
        dirs: dirs.to_vec(),
    })
}

/// Listens for SIGINT, SIGTERM and SIGHUP from the moment it is called (a SIGHUP before
/// would end the process); the future resolves at SIGINT or SIGTERM, and SIGHUP asks for a
/// reload. Called inside a runtime.
fn signals(asks: mpsc::Sender<&'static str>) -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let streams = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        )
    };
    async move {
        #[cfg(unix)]
        if let (Ok(mut term), Ok(mut int), Ok(mut hup)) = streams {
            loop {
                tokio::select! {
                    _ = term.recv() => return,
                    _ = int.recv() => return,
                    _ = hup.recv() => { let _ = asks.try_send("SIGHUP"); }
                }
            }
        }
        let _ = asks;
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// How many threads serve connections: `TOKIO_WORKER_THREADS` when set to a number above
/// 0 (the variable the multi-thread runtime read before), else one a core.
fn worker_count() -> usize {
    std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|n| n.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .or_else(|| {
            std::thread::available_parallelism()
                .ok()
                .map(std::num::NonZeroUsize::get)
        })
        .unwrap_or(1)
}

/// A runtime of one thread (everything it runs stays on the thread that drives it; what
/// it hands to `spawn_blocking`, a batch's deciding or a reload, runs on threads named
/// `zhunru-blocking`).
fn one_thread_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .thread_name("zhunru-blocking")
        .build()
}

/// Run the server until SIGINT/SIGTERM; requests in flight finish, then 0.
///
/// Threads: one a core (see [`worker_count`]), each with its own single-thread tokio
/// runtime serving the connections it is handed, to their end; the main thread loads the
/// policies, binds, accepts, reloads and waits for the signals, and hands each connection it
/// accepts to the worker with the fewest open (in turn among equals). In a single-thread
/// runtime a task that wakes itself (hyper's dispatcher hands the body to the handler, both
/// in the connection's task) is run again by the same thread; the multi-thread runtime woke
/// an idle worker to steal it, one or two `futex` calls a request with a body (issue 11).
/// The price: no work stealing, so a thread whose connections are busy does not share them
/// with an idle one; connections, not requests, are what is shared out. Deciding a batch
/// runs on a blocking thread, so a long batch does not hold up the other connections of
/// its thread.
pub fn run(config: Config) -> ExitCode {
    init_logging();
    let code = serve(&config);
    // The last lines ("stopped") are written before the process ends.
    flush_logs();
    code
}

/// What [`prepare`] readies: the shared state, the bound socket, the reload channel.
struct Ready {
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    local: SocketAddr,
    asks: mpsc::Sender<&'static str>,
    asked: mpsc::Receiver<&'static str>,
}

/// Load the policies, bind, start watching; `None` (said on stderr) when nothing can be
/// served.
async fn prepare(config: &Config) -> Option<Ready> {
    let live = state::Live::load(config.sources.clone());
    let snapshot = live.snapshot();
    log_failures(&state::failures(&snapshot));
    if snapshot.is_empty() {
        eprintln!(
            "error[zhunru::io]: no policy could be loaded from {}",
            config
                .sources
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return None;
    }
    if let Some(name) = &config.default_district
        && snapshot.district(name).is_none()
    {
        eprintln!(
            "error[zhunru::usage]: --default-district `{name}` is not loaded (loaded: {})",
            state::names(&snapshot).join(", ")
        );
        return None;
    }
    // Accepted on by the main thread, which hands each connection to a worker thread.
    let listener = match tokio::net::TcpListener::bind(config.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error[zhunru::io]: cannot listen on {}: {e}", config.addr);
            return None;
        }
    };
    let local = listener.local_addr().unwrap_or(config.addr);
    let dirs = live.watch_dirs();
    let (asks, asked) = mpsc::channel(1);
    let watching = if config.watch {
        watch(&dirs, asks.clone())
    } else {
        None
    };
    let state = Arc::new(AppState {
        live,
        watching: std::sync::Mutex::new(watching),
        metrics: metrics::Metrics::default(),
        slots: Arc::new(Semaphore::new(config.limits.max_concurrent.max(1))),
        limits: config.limits.clone(),
        default_district: config.default_district.clone(),
    });
    Some(Ready {
        state,
        listener,
        local,
        asks,
        asked,
    })
}

/// A worker thread as the main thread sees it: where to send it a connection, and how
/// many of the connections it was sent are still open.
struct Lane {
    connections: tokio::sync::mpsc::UnboundedSender<std::net::TcpStream>,
    open: Arc<AtomicUsize>,
}

/// The lane with the fewest open connections, the first of them from `next` on (so that
/// equal lanes take turns).
fn least_busy(lanes: &[Lane], next: usize) -> Option<&Lane> {
    let n = lanes.len();
    (0..n)
        .filter_map(|k| lanes.get((next + k) % n))
        .min_by_key(|lane| lane.open.load(Ordering::Relaxed))
}

fn serve(config: &Config) -> ExitCode {
    let cannot_start = |e: std::io::Error| {
        eprintln!("error[zhunru::io]: cannot start the server's runtime: {e}");
        ExitCode::from(1)
    };
    let control = match one_thread_runtime() {
        Ok(r) => r,
        Err(e) => return cannot_start(e),
    };
    let Some(Ready {
        state,
        listener,
        local,
        asks,
        asked,
    }) = control.block_on(prepare(config))
    else {
        return ExitCode::from(1);
    };
    let threads = worker_count();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut handles = Vec::with_capacity(threads);
    let mut lanes = Vec::with_capacity(threads);
    for i in 0..threads {
        let (connections, incoming) = tokio::sync::mpsc::unbounded_channel();
        let open = Arc::new(AtomicUsize::new(0));
        let spawned = one_thread_runtime().and_then(|runtime| {
            let state = Arc::clone(&state);
            let stopped = stopped.clone();
            let open = Arc::clone(&open);
            let grace = config.grace;
            std::thread::Builder::new()
                .name(format!("zhunru-serve-{i}"))
                .spawn(move || worker(&runtime, incoming, &open, state, stopped, grace))
        });
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                let _ = stop.send(true);
                for h in handles {
                    let _ = h.join();
                }
                return cannot_start(e);
            }
        }
        lanes.push(Lane { connections, open });
    }
    control.block_on(async {
        tokio::spawn(reloader(Arc::clone(&state), asked));
        let signalled = signals(asks);
        tokio::pin!(signalled);
        // Tests and scripts read the address from this line (the port may have been 0).
        println!("zhunru serve: listening on http://{local}");
        tracing::info!(
            addr = %local,
            districts = ?state::names(&state.live.snapshot()),
            threads,
            "serving"
        );
        let mut next = 0;
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let stream = match accepted.and_then(|(s, _)| {
                        let _ = s.set_nodelay(true);
                        s.into_std()
                    }) {
                        Ok(s) => s,
                        Err(e) => {
                            // Out of file descriptors and the like: wait rather than spin.
                            tracing::warn!("accept failed: {e}");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    next += 1;
                    if let Some(lane) = least_busy(&lanes, next) {
                        lane.open.fetch_add(1, Ordering::Relaxed);
                        if lane.connections.send(stream).is_err() {
                            // Its thread has ended (only while stopping): the connection closes.
                            lane.open.fetch_sub(1, Ordering::Relaxed);
                        }
                    }
                }
                () = &mut signalled => break,
            }
        }
    });
    // No new connections from here on.
    drop(listener);
    tracing::info!("shutting down: finishing requests in flight");
    let _ = stop.send(true);
    // Every thread is waited for (each stops within the grace period).
    let mut finished = true;
    for h in handles {
        finished &= h.join().unwrap_or(false);
    }
    if finished {
        tracing::info!("stopped");
    } else {
        tracing::warn!(
            "requests still in flight after {:?}; stopping",
            config.grace
        );
    }
    ExitCode::SUCCESS
}

/// One worker thread: serve the connections the main thread sends it on its runtime until
/// `stopped`; then serve those already sent, and let them all finish, for up to `grace`.
/// True when they all finished. `open` counts its connections still open.
fn worker(
    runtime: &tokio::runtime::Runtime,
    mut incoming: tokio::sync::mpsc::UnboundedReceiver<std::net::TcpStream>,
    open: &Arc<AtomicUsize>,
    state: Arc<AppState>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    grace: Duration,
) -> bool {
    let read_timeout = state.limits.read_timeout;
    let batch_timeout = state.limits.batch_timeout;
    // Outermost, the panic guard; then the request's id, log line, metric and slot; then
    // the body timeout, which wraps the body before the router, so that every handler's body
    // has it.
    let service = tower::ServiceBuilder::new()
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(ObserveLayer(Arc::clone(&state)))
        .map_request(move |r: Request<hyper::body::Incoming>| {
            // A batch streams and may be large; anything else is one subject at most 1 MiB.
            let batch = matches!(api::body_kind(r.headers()), Ok(api::BodyKind::Lines));
            let allowed = if batch { batch_timeout } else { read_timeout };
            r.map(|body| Body::new(ReadTimeout::new(body, read_timeout, allowed)))
        })
        .service(router(state));
    runtime.block_on(async move {
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        let serve = |stream: std::net::TcpStream| {
            let open = Arc::clone(open);
            let stream = match tokio::net::TcpStream::from_std(stream) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("cannot serve a connection: {e}");
                    open.fetch_sub(1, Ordering::Relaxed);
                    return;
                }
            };
            let hyper_service = hyper_util::service::TowerToHyperService::new(service.clone());
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(read_timeout)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), hyper_service);
            let connection = graceful.watch(connection);
            tokio::spawn(async move {
                let _ = connection.await;
                open.fetch_sub(1, Ordering::Relaxed);
            });
        };
        let stop = stopped.wait_for(|stop| *stop);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                stream = incoming.recv() => match stream {
                    Some(stream) => serve(stream),
                    None => break,
                },
                // Stopped, or the sender gone (the main thread ended): stop either way.
                _ = &mut stop => break,
            }
        }
        // Connections accepted before the stop are served (and closed gracefully) too.
        incoming.close();
        while let Ok(stream) = incoming.try_recv() {
            serve(stream);
        }
        tokio::select! {
            () = graceful.shutdown() => true,
            () = tokio::time::sleep(grace) => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use axum::http::Method;

    #[test]
    fn request_ids_are_hex_of_at_least_eight_digits() {
        for (n, id) in [
            (1u64, "00000001"),
            (0xabc_def12, "abcdef12"),
            (0x1_0000_0000, "100000000"),
            (u64::MAX, "ffffffffffffffff"),
        ] {
            assert_eq!(super::new_request_id(n).to_str().unwrap(), id);
            assert_eq!(format!("{n:08x}"), id);
        }
    }

    /// The work routes of `/v1` hold a slot of the concurrency limit; the OpenAPI document,
    /// the probes and the page never do.
    #[test]
    fn only_the_work_routes_are_limited() {
        let limited = |m: Method, route| super::limited(&m, route);
        assert!(limited(Method::POST, "/v1/decide"));
        assert!(limited(Method::POST, "/v1/compare"));
        for route in [
            "/v1/districts",
            "/v1/districts/{name}/lists",
            "/v1/districts/{name}/notice",
        ] {
            assert!(limited(Method::GET, route) && limited(Method::HEAD, route));
            assert!(!limited(Method::POST, route));
        }
        assert!(!limited(Method::GET, "/v1/decide"));
        for route in [
            "/v1/openapi.json",
            "/healthz",
            "/readyz",
            "/metrics",
            "/",
            "other",
        ] {
            assert!(!limited(Method::GET, route));
        }
    }

    /// The OpenAPI document lists exactly the routes the router serves.
    #[test]
    fn openapi_lists_the_routes() {
        let doc: serde_json::Value = serde_json::from_str(super::api::OPENAPI).unwrap();
        let mut documented: Vec<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        documented.sort();
        // The page is documented too (its assets are its own business).
        let mut routes: Vec<(String, String)> = super::API_ROUTES
            .iter()
            .chain(&[("get", "/")])
            .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
            .collect();
        routes.sort();
        assert_eq!(documented, routes);
    }
}
