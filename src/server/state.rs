//! The policies in force: the library's live registry ([`zhunru::Policies`]), whose
//! snapshots are swapped whole on reload, so a request decides on the version it started
//! with and never sees half a reload. This file only adds what the HTTP API shows of it.

use std::path::PathBuf;

use zhunru::{LoadFailure, Policies, PolicySet};

/// One loaded district.
pub type District = zhunru::District;

/// Everything a request reads, immutable once built.
pub type Snapshot = PolicySet;

/// A file that could not be (re)loaded, and why, as `/readyz` and `/v1/districts` show it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Failure {
    /// The file.
    pub file: String,
    /// The district it would be.
    pub district: String,
    /// Whether an earlier version of the district is still in force.
    pub previous_in_force: bool,
    /// Each error: code, message, `path:line:col`.
    pub errors: Vec<FailureItem>,
    /// The diagnostics rendered as `zhunru check` prints them (no colour).
    pub rendered: String,
}

/// One diagnostic of a [`Failure`].
#[derive(Clone, Debug, serde::Serialize)]
pub struct FailureItem {
    /// The stable code (`zhunru::syntax` …).
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// What is wrong, in Chinese (for a problem's `detail_zh`; not in the JSON, whose
    /// shape the contract fixes).
    #[serde(skip)]
    pub message_zh: String,
    /// `path:line:col`.
    pub at: String,
}

impl Failure {
    /// What the API shows of a failure the registry reports.
    /// Paths are shown as decisions cite them ([`zhunru::cited_path`]): a client never
    /// reads the folder the server is deployed in.
    pub fn of(f: &LoadFailure) -> Failure {
        let e = f.error();
        let file = f.file().display().to_string();
        Failure {
            file: zhunru::cited_path(&file),
            district: f.district().to_owned(),
            previous_in_force: f.previous_in_force(),
            errors: e
                .errors()
                .map(|d| FailureItem {
                    code: d.code().as_str(),
                    message: cited_in(d.message(), &file),
                    message_zh: cited_in(d.message_text().get(zhunru::Lang::Zh), &file),
                    at: cited_location(&d.location()),
                })
                .collect(),
            rendered: e
                .diagnostics()
                .iter()
                .map(|d| {
                    let location = d.location();
                    let text = zhunru::render(d, false);
                    cited_in(&cited_in(&text, location_path(&location)), &file)
                })
                .collect(),
        }
    }
}

/// The path of a `path:line:col` location.
fn location_path(location: &str) -> &str {
    let mut parts = location.rsplitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(_), Some(_), Some(path)) => path,
        _ => location,
    }
}

/// A `path:line:col` location with its path as decisions cite it.
fn cited_location(location: &str) -> String {
    let path = location_path(location);
    let rest = location.get(path.len()..).unwrap_or("");
    format!("{}{rest}", zhunru::cited_path(path))
}

/// `text` with each mention of `path` as decisions cite it.
fn cited_in(text: &str, path: &str) -> String {
    let cited = zhunru::cited_path(path);
    if path.is_empty() || cited == path {
        return text.to_owned();
    }
    text.replace(path, &cited)
}

/// The failures of a snapshot, as the API shows them.
pub fn failures(snapshot: &Snapshot) -> Vec<Failure> {
    snapshot.failures().iter().map(Failure::of).collect()
}

/// The default district: `preferred` (`--default-district`) while it is loaded, else the
/// first policy given.
pub fn default_district<'s>(
    snapshot: &'s Snapshot,
    preferred: Option<&str>,
) -> Option<&'s District> {
    preferred
        .and_then(|name| snapshot.district(name))
        .or_else(|| snapshot.districts().first())
}

/// The names of the loaded districts.
pub fn names(snapshot: &Snapshot) -> Vec<String> {
    snapshot.names().map(str::to_owned).collect()
}

/// When a district's version was loaded, in seconds since the Unix epoch.
pub fn loaded_at(district: &District) -> u64 {
    district
        .loaded_at()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The registry, and what the server watches of it.
pub struct Live {
    policies: Policies,
}

impl Live {
    /// Load the policies named by `sources` (files, or folders of `*.policy` files).
    pub fn load(sources: Vec<PathBuf>) -> Live {
        Live {
            policies: Policies::load(sources),
        }
    }

    /// The snapshot in force.
    pub fn snapshot(&self) -> std::sync::Arc<Snapshot> {
        self.policies.snapshot()
    }

    /// The folders to watch: each folder given, each folder of a district's versions inside
    /// it, and the folder of each file given (editors save by writing a new file and
    /// renaming it over the old one, which a watch on the file itself would lose). Computed
    /// again after each reload, so a folder of versions added later is watched too.
    pub fn watch_dirs(&self) -> Vec<PathBuf> {
        let mut dirs = Vec::new();
        for p in self.policies.sources() {
            if p.is_dir() {
                dirs.push(p.clone());
                dirs.extend(District::paths_in(p).into_iter().filter(|d| d.is_dir()));
            } else {
                dirs.push(match p.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                    _ => PathBuf::from("."),
                });
            }
        }
        dirs.sort();
        dirs.dedup();
        dirs
    }

    /// Read every file again and swap in the new snapshot. A district whose file (or any
    /// version file) fails keeps its previous versions in force; an unchanged file is not
    /// parsed again.
    /// Returns the failures (empty when all loaded).
    pub fn reload(&self) -> Vec<Failure> {
        self.policies.reload().iter().map(Failure::of).collect()
    }
}
