//! The policies in force: a snapshot swapped whole on reload, so a request decides on the
//! version it started with and never sees half a reload.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use zhunru::{Policy, PolicyError, Severity};

/// One loaded district.
#[derive(Clone)]
pub struct District {
    /// Its name: the policy file's stem (`policies/nanqiao.policy` is `nanqiao`).
    pub name: String,
    /// The file, as given on the command line (reasons cite it in `at`, as `eval` does).
    pub file: PathBuf,
    /// The policy; shared between snapshots while its file is unchanged.
    pub policy: Arc<Policy>,
    /// FNV-1a of the file's bytes, hex: which version is in force.
    pub hash: String,
    /// When this version was loaded (seconds since the Unix epoch).
    pub loaded_at: u64,
}

/// A file that could not be (re)loaded, and why.
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
    /// `path:line:col`.
    pub at: String,
}

/// Everything a request reads, immutable once built.
#[derive(Clone, Default)]
pub struct Snapshot {
    /// The districts in force, in the order given (the first is the default).
    pub districts: Vec<District>,
    /// Files that failed at the last (re)load.
    pub failed: Vec<Failure>,
    /// How many loads built this snapshot (1 = the first).
    pub generation: u64,
}

impl Snapshot {
    /// The district of that name. Names are looked up among the loaded ones only: no request
    /// can make the server open a file.
    pub fn get(&self, name: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.name == name)
    }

    /// The default district (the first policy given).
    pub fn default_district(&self) -> Option<&District> {
        self.districts.first()
    }

    /// The names of the loaded districts.
    pub fn names(&self) -> Vec<String> {
        self.districts.iter().map(|d| d.name.clone()).collect()
    }
}

/// The shared, swappable snapshot. A read clones the `Arc` under a read lock held for
/// nanoseconds; a reload builds the next snapshot outside the lock and swaps it in.
pub struct Live {
    current: RwLock<Arc<Snapshot>>,
    /// The command line's policy arguments, expanded again on every reload so a file added
    /// to a folder is picked up.
    sources: Vec<PathBuf>,
    expand: fn(&[PathBuf]) -> Vec<PathBuf>,
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// FNV-1a, 64 bits: stable across builds and platforms (std's hasher is not).
fn fnv1a(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn district_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

fn failure(path: &Path, name: &str, previous: bool, e: &PolicyError) -> Failure {
    let errors = e
        .diagnostics()
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .map(|d| FailureItem {
            code: d.code().as_str(),
            message: d.message().to_owned(),
            at: d.location(),
        })
        .collect();
    let rendered = e
        .diagnostics()
        .iter()
        .map(|d| zhunru::render(d, false))
        .collect();
    Failure {
        file: path.display().to_string(),
        district: name.to_owned(),
        previous_in_force: previous,
        errors,
        rendered,
    }
}

impl Live {
    /// Load the policies named by `sources` (files or folders, expanded by `expand`).
    pub fn load(sources: Vec<PathBuf>, expand: fn(&[PathBuf]) -> Vec<PathBuf>) -> Live {
        let live = Live {
            current: RwLock::new(Arc::new(Snapshot::default())),
            sources,
            expand,
        };
        live.reload();
        live
    }

    /// The snapshot in force. A poisoned lock still holds a whole snapshot (the swap is one
    /// assignment), so it is read rather than failing every request.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The files being served (for the watcher).
    pub fn files(&self) -> Vec<PathBuf> {
        (self.expand)(&self.sources)
    }

    /// The folders to watch: each folder given, and the folder of each file given (editors
    /// save by writing a new file and renaming it over the old one, which a watch on the
    /// file itself would lose).
    pub fn watch_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = self
            .sources
            .iter()
            .map(|p| {
                if p.is_dir() {
                    p.clone()
                } else {
                    match p.parent() {
                        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
                        _ => PathBuf::from("."),
                    }
                }
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }

    /// Read every file again and swap in the new snapshot. A file that fails keeps its
    /// district's previous version in force; an unchanged file is not parsed again.
    /// Returns the failures (empty when all loaded).
    pub fn reload(&self) -> Vec<Failure> {
        let previous = self.snapshot();
        let mut next = Snapshot {
            generation: previous.generation + 1,
            ..Snapshot::default()
        };
        for path in self.files() {
            let name = district_name(&path);
            let before = previous.get(&name);
            let loaded = std::fs::read(&path)
                .map_err(|e| PolicyError::cannot_read(&path.display().to_string(), &e))
                .and_then(|bytes| {
                    let hash = fnv1a(&bytes);
                    match before {
                        // A policy with a parent is read again: its parent may have changed.
                        Some(b) if b.hash == hash && b.file == path && !b.policy.has_parent() => {
                            Ok(b.clone())
                        }
                        _ => {
                            let source =
                                zhunru::source_from_bytes(&path.display().to_string(), bytes)?;
                            let policy = Policy::from_source(source)?;
                            Ok(District {
                                name: name.clone(),
                                file: path.clone(),
                                policy: Arc::new(policy),
                                hash,
                                loaded_at: now_secs(),
                            })
                        }
                    }
                });
            match loaded {
                Ok(d) if next.get(&name).is_some() => {
                    let e = PolicyError::duplicate_name(&d.policy, &name);
                    next.failed.push(failure(&path, &name, true, &e));
                }
                Ok(d) => next.districts.push(d),
                Err(e) => {
                    if let Some(b) = before
                        && next.get(&name).is_none()
                    {
                        next.districts.push(b.clone());
                    }
                    next.failed
                        .push(failure(&path, &name, before.is_some(), &e));
                }
            }
        }
        let failed = next.failed.clone();
        let next = Arc::new(next);
        match self.current.write() {
            Ok(mut g) => *g = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
        failed
    }
}
