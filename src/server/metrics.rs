//! Prometheus text exposition, written by hand: a few counters and one histogram do not
//! need a metrics crate.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The server's counters.
#[derive(Default)]
pub struct Metrics {
    // Keyed so that counting a request allocates nothing once its labels have been seen:
    // district, then verdict; route (one of a bounded set) and status.
    decisions: Mutex<BTreeMap<String, BTreeMap<&'static str, u64>>>,
    latency: Mutex<BTreeMap<(&'static str, u16), Histogram>>,
    /// Reloads attempted (file events and SIGHUP).
    pub reloads: AtomicU64,
    /// Reloads where some file failed.
    pub reload_failures: AtomicU64,
    /// Subjects that could not be read (bad JSON, mistyped field).
    pub input_errors: AtomicU64,
    /// Requests turned away by the concurrency limit.
    pub rejected_busy: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves counts that are still counts.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// Count decisions under a district with a verdict.
    pub fn decided(&self, district: &str, verdict: &'static str, n: u64) {
        let mut map = lock(&self.decisions);
        let verdicts = match map.get_mut(district) {
            Some(v) => v,
            None => map.entry(district.to_owned()).or_default(),
        };
        *verdicts.entry(verdict).or_default() += n;
    }

    /// Record one request's latency under its route and status.
    pub fn observe(&self, route: &'static str, status: u16, seconds: f64) {
        let mut map = lock(&self.latency);
        let h = map.entry((route, status)).or_default();
        for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The exposition text.
    pub fn render(&self, districts: usize, generation: u64) -> String {
        let mut out = String::new();
        out.push_str("# HELP zhunru_decisions_total Decisions made, by district and verdict.\n# TYPE zhunru_decisions_total counter\n");
        for (district, verdicts) in lock(&self.decisions).iter() {
            for (verdict, n) in verdicts {
                let _ = writeln!(
                    out,
                    "zhunru_decisions_total{{district=\"{}\",verdict=\"{verdict}\"}} {n}",
                    escape(district)
                );
            }
        }
        out.push_str("# HELP zhunru_http_request_duration_seconds Request latency, by route and status.\n# TYPE zhunru_http_request_duration_seconds histogram\n");
        for ((route, status), h) in lock(&self.latency).iter() {
            let labels = format!("route=\"{}\",status=\"{status}\"", escape(route));
            for (bound, count) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "zhunru_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "zhunru_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\nzhunru_http_request_duration_seconds_sum{{{labels}}} {}\nzhunru_http_request_duration_seconds_count{{{labels}}} {}",
                h.count, h.sum, h.count
            );
        }
        let counters = [
            (
                "zhunru_reloads_total",
                "Policy reloads attempted.",
                &self.reloads,
            ),
            (
                "zhunru_reload_failures_total",
                "Reloads in which some policy file failed.",
                &self.reload_failures,
            ),
            (
                "zhunru_input_errors_total",
                "Subjects that could not be read.",
                &self.input_errors,
            ),
            (
                "zhunru_rejected_busy_total",
                "Requests refused by the concurrency limit (503).",
                &self.rejected_busy,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP zhunru_districts Districts in force.\n# TYPE zhunru_districts gauge\nzhunru_districts {districts}\n# HELP zhunru_policy_generation Loads of the policy set so far.\n# TYPE zhunru_policy_generation gauge\nzhunru_policy_generation {generation}"
        );
        out
    }
}

/// A label value with `\`, `"` and newlines escaped, as the exposition format asks.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
