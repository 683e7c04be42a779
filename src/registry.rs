//! Many districts, reloaded live: [`Policies`], a registry that swaps whole snapshots
//! ([`PolicySet`]) so a decision never sees half a reload.
//!
//! Why `std::sync::RwLock<Arc<PolicySet>>` and not the `arc-swap` crate: a read is one
//! read lock and one reference count. Measured (release build, 2 cores shared with other
//! work): `snapshot()` 29 ns from one thread, 165 ns per call with four threads hammering it
//! at once, against 3.0 µs for one `decide` (`Policies::decide_in`, snapshot included, 3.2
//! µs): a few per cent at worst, and a service does far more per request than take a
//! snapshot. `arc-swap` would make the read lock-free, at the cost of a dependency every
//! embedder compiles, for no difference a service could measure. Writes are rare (a reload,
//! an edit); writers are serialised by a second lock and build the next set outside the
//! read lock, so readers wait only for the pointer swap.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use crate::district::{Found, found_in};
use crate::{Date, Decision, District, Policy, PolicyError, Subject, Versions, source_from_bytes};

/// A policy file that could not be (re)loaded: which, the district it would be, whether an
/// earlier version of that district is still in force, and why. A district's dated versions
/// that overlap (`bad_dates`) are reported at the later version's file, or, on a reload, at
/// the one that changed when the other did not.
///
/// ```
/// let districts = zhunru::Policies::load(["policies/hefei.policy", "policies/absent.policy"]);
/// let set = districts.snapshot();
/// let failure = &set.failures()[0];
/// assert_eq!((failure.district(), failure.previous_in_force()), ("absent", false));
/// assert_eq!(failure.error().diagnostics()[0].code(), zhunru::Code::Io);
/// assert_eq!(set.names().collect::<Vec<_>>(), ["hefei"]); // the good one is kept
/// ```
#[derive(Clone, Debug)]
pub struct LoadFailure {
    file: PathBuf,
    district: String,
    previous_in_force: bool,
    error: PolicyError,
}

impl LoadFailure {
    /// The file.
    ///
    /// See [`LoadFailure`] for an example.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The district it would be (its file stem, or the folder of its versions).
    ///
    /// See [`LoadFailure`] for an example.
    pub fn district(&self) -> &str {
        &self.district
    }

    /// Whether an earlier version of the district is still in force.
    ///
    /// See [`LoadFailure`] for an example.
    pub fn previous_in_force(&self) -> bool {
        self.previous_in_force
    }

    /// Why: every diagnostic, errors first.
    ///
    /// See [`LoadFailure`] for an example.
    pub fn error(&self) -> &PolicyError {
        &self.error
    }
}

/// One consistent view of the districts: what a request decides on from start to end,
/// whatever reloads happen meanwhile. Immutable; get one from [`Policies::snapshot`].
///
/// ```
/// use zhunru::{Date, Policies, Subject, Verdict};
/// let districts = Policies::load(["policies/nanqiao.policy", "policies/yingjiang.policy"]);
/// let set = districts.snapshot();
/// let task = Subject::task("行政执法").with("community_role", "responsible")?;
/// for (district, decision) in set.decide(&task, Date::new(2020, 6, 1)?) {
///     assert_eq!((district, decision.verdict()), (decision.policy().unwrap().name(), Verdict::Denied));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct PolicySet {
    districts: Vec<District>,
    failures: Vec<LoadFailure>,
    generation: u64,
}

impl PolicySet {
    /// The policy of a district: the version in force today ([`District::policy`]).
    ///
    /// ```
    /// let set = zhunru::Policies::load(["policies/hefei.policy"]).snapshot();
    /// assert_eq!(set.get("hefei").unwrap().jurisdiction(), "合肥市");
    /// assert!(set.get("nanqiao").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.district(name).map(District::policy)
    }

    /// A district by name, with its versions, file and load time.
    ///
    /// See [`District::file`] for an example.
    pub fn district(&self, name: &str) -> Option<&District> {
        self.districts.iter().find(|d| d.name == name)
    }

    /// Every district, in the order loaded (paths in the order given, a folder's districts
    /// sorted by name).
    ///
    /// ```
    /// let set = zhunru::Policies::load(["policies/hefei.policy"]).snapshot();
    /// assert_eq!(set.districts().len(), 1);
    /// ```
    pub fn districts(&self) -> &[District] {
        &self.districts
    }

    /// The names, in order.
    ///
    /// See [`LoadFailure`] for an example.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.districts.iter().map(|d| d.name.as_str())
    }

    /// Every district's name and policy (the version in force today), in order.
    ///
    /// ```
    /// let set = zhunru::Policies::load(["policies/hefei.policy"]).snapshot();
    /// for (name, policy) in set.iter() {
    ///     assert_eq!(name, policy.name());
    /// }
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Policy)> {
        self.districts.iter().map(|d| (d.name(), d.policy()))
    }

    /// How many districts there are.
    ///
    /// ```
    /// assert_eq!(zhunru::Policies::new().snapshot().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.districts.len()
    }

    /// Whether there are none.
    ///
    /// ```
    /// assert!(zhunru::Policies::new().snapshot().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.districts.is_empty()
    }

    /// The files that failed at the last (re)load.
    ///
    /// See [`LoadFailure`] for an example.
    pub fn failures(&self) -> &[LoadFailure] {
        &self.failures
    }

    /// How many changes built this snapshot (a load, a reload, an insert or a removal each
    /// count one): a cheap way to tell that something changed.
    ///
    /// ```
    /// let districts = zhunru::Policies::load(["policies/hefei.policy"]);
    /// let before = districts.snapshot().generation();
    /// districts.reload();
    /// assert_eq!(districts.snapshot().generation(), before + 1);
    /// ```
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Decide one subject under every district, in order, each with its version in force on
    /// `as_of`: how each would answer.
    ///
    /// See [`PolicySet`] for an example.
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Vec<(&str, Decision)> {
        self.districts
            .iter()
            .map(|d| (d.name(), d.decide(subject, as_of)))
            .collect()
    }
}

/// Several policies by name — one per district — loaded together, decided side by side and
/// reloaded while other threads decide. A cheap handle: clones share one registry, so a
/// swap through one is seen by all; `Send + Sync`.
///
/// Every read takes the current [`PolicySet`] whole ([`Policies::snapshot`]); every change
/// ([`Policies::insert`], [`Policies::remove`], [`Policies::reload`]) builds the next set
/// and swaps it in at once, so a decision never sees half a reload.
///
/// ```
/// use zhunru::{Date, Policies, Policy, Subject, Verdict};
///
/// // Load a folder: every good file is kept, every bad one reported.
/// let districts = Policies::load_dir("policies");
/// assert!(districts.names().contains(&"yingjiang".to_owned()));
/// assert!(districts.snapshot().failures().is_empty());
///
/// // Decide from other threads while one district is swapped.
/// let june = Date::new(2020, 6, 1)?;
/// let worker = {
///     let districts = districts.clone();
///     std::thread::spawn(move || {
///         (0..100)
///             .map(|_| districts.decide_in("nanqiao", &Subject::task("招商引资"), june))
///             .all(|d| d.map(|d| d.verdict()) == Some(Verdict::Denied))
///     })
/// };
/// let edited = Policy::from_file("policies/nanqiao.policy")?;
/// let previous = districts.insert("nanqiao", edited);
/// assert!(previous.is_some());
/// assert!(worker.join().unwrap());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Policies {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    current: RwLock<Arc<PolicySet>>,
    /// Held by whoever builds the next set, so two changes never lose one another.
    writer: Mutex<()>,
    /// The files and folders [`Policies::reload`] reads.
    sources: Vec<PathBuf>,
}

impl Policies {
    /// No policies yet; add them with [`Policies::insert`].
    ///
    /// ```
    /// assert!(zhunru::Policies::new().is_empty());
    /// ```
    pub fn new() -> Policies {
        Policies::default()
    }

    /// Load districts from policy files and folders, in the order given: a policy file is a
    /// district named by its stem; a folder of one district's dated versions (files named by
    /// dates, `yingjiang/2021.policy`) is a district named by the folder; a folder of
    /// districts gives each of its `*.policy` files and each subfolder holding `*.policy`
    /// files (a district with dated versions), sorted by name — the rule of
    /// [`District::paths_in`]. A file that fails is reported in [`PolicySet::failures`] and
    /// the others are kept; [`Policies::reload`] reads the same files and folders again.
    ///
    /// ```
    /// use zhunru::{Date, Policies, Subject, Verdict};
    /// let districts = Policies::load(["policies/hefei.policy", "tests/cases/versions/yingjiang"]);
    /// assert_eq!(districts.names(), ["hefei", "yingjiang"]);
    /// let task = Subject::task("食品安全协管"); // on the 准入清单 from the 2021 version
    /// let on = |year| districts.decide_in("yingjiang", &task, Date::new(year, 6, 1).unwrap());
    /// assert_eq!(on(2020).unwrap().verdict(), Verdict::NeedsApproval);
    /// assert_eq!(on(2021).unwrap().verdict(), Verdict::Admitted);
    /// ```
    ///
    /// See [`LoadFailure`] for a file that fails.
    pub fn load<P: Into<PathBuf>>(sources: impl IntoIterator<Item = P>) -> Policies {
        let policies = Policies {
            shared: Arc::new(Shared {
                sources: sources.into_iter().map(Into::into).collect(),
                ..Shared::default()
            }),
        };
        policies.reload();
        policies
    }

    /// Load the districts of a folder (its `*.policy` files and folders of versions, sorted by
    /// name), reporting each file that fails and keeping the good ones: [`Policies::load`]
    /// of one folder.
    ///
    /// See [`Policies`] for an example.
    pub fn load_dir(dir: impl Into<PathBuf>) -> Policies {
        Policies::load([dir.into()])
    }

    /// Read, parse and check policy files, each named by its file stem
    /// (`policies/yingjiang.policy` is `yingjiang`), in the order given. All or nothing: if
    /// any fails, the error holds the diagnostics of all that failed (to keep the good ones,
    /// use [`Policies::load`]).
    ///
    /// ```
    /// use zhunru::Policies;
    /// let districts = Policies::from_files(["policies/hefei.policy", "policies/nanqiao.policy"])?;
    /// assert_eq!(districts.names(), ["hefei", "nanqiao"]);
    /// assert!(Policies::from_files(["policies/hefei.policy", "policies/absent.policy"]).is_err());
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn from_files<P: AsRef<Path>>(
        paths: impl IntoIterator<Item = P>,
    ) -> Result<Policies, PolicyError> {
        let policies = Policies::load(paths.into_iter().map(|p| p.as_ref().to_path_buf()));
        let set = policies.snapshot();
        if set.failures.is_empty() {
            return Ok(policies);
        }
        let diagnostics = set
            .failures
            .iter()
            .flat_map(|f| f.error.diagnostics().iter().cloned())
            .collect::<Vec<_>>();
        Err(PolicyError::from(diagnostics))
    }

    /// The districts in force now, whole: decide a request on one snapshot from start to
    /// end. Cheap (a reference count).
    ///
    /// See [`PolicySet`] for an example.
    pub fn snapshot(&self) -> Arc<PolicySet> {
        // A poisoned lock still holds a whole set (the swap is one assignment).
        match self.shared.current.read() {
            Ok(set) => Arc::clone(&set),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The policy of a district now: the version in force today (a cheap clone).
    ///
    /// ```
    /// let districts = zhunru::Policies::load(["policies/hefei.policy"]);
    /// assert_eq!(districts.get("hefei").unwrap().name(), "hefei");
    /// ```
    pub fn get(&self, name: &str) -> Option<Policy> {
        self.snapshot().get(name).cloned()
    }

    /// Decide one subject under one district now, with its version in force on `as_of`;
    /// `None` when no district has that name.
    ///
    /// See [`Policies::load`] for an example.
    pub fn decide_in(&self, name: &str, subject: &Subject, as_of: Date) -> Option<Decision> {
        Some(self.snapshot().district(name)?.decide(subject, as_of))
    }

    /// Decide one subject under every district, in order, each with its version in force on
    /// `as_of`: how each would answer.
    ///
    /// ```
    /// use zhunru::{Date, Policies, Subject};
    /// let districts = Policies::load(["policies/hefei.policy", "policies/nanqiao.policy"]);
    /// let answers = districts.decide(&Subject::task("招商引资"), Date::new(2020, 6, 1)?);
    /// assert_eq!(answers.len(), 2);
    /// assert_eq!(answers[1].0, "nanqiao");
    /// # Ok::<(), zhunru::DateError>(())
    /// ```
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Vec<(String, Decision)> {
        let set = self.snapshot();
        set.decide(subject, as_of)
            .into_iter()
            .map(|(name, d)| (name.to_owned(), d))
            .collect()
    }

    /// The names now, in order.
    ///
    /// See [`Policies::from_files`] for an example.
    pub fn names(&self) -> Vec<String> {
        self.snapshot().names().map(str::to_owned).collect()
    }

    /// How many districts there are now.
    ///
    /// ```
    /// assert_eq!(zhunru::Policies::load(["policies/hefei.policy"]).len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.snapshot().len()
    }

    /// Whether there are none now.
    ///
    /// See [`Policies::new`] for an example.
    pub fn is_empty(&self) -> bool {
        self.snapshot().is_empty()
    }

    /// The files and folders [`Policies::reload`] reads.
    ///
    /// ```
    /// let districts = zhunru::Policies::load_dir("policies");
    /// assert_eq!(districts.sources(), [std::path::PathBuf::from("policies")]);
    /// ```
    pub fn sources(&self) -> &[PathBuf] {
        &self.shared.sources
    }

    /// Put a district under a name, atomically: one policy, or its dated [`Versions`].
    /// Decisions already under way finish on what they started with, later ones see this.
    /// A district already under that name is replaced (in its place) and returned. Its
    /// decisions name it by `name`.
    ///
    /// ```
    /// use zhunru::{Policies, Policy, Versions};
    /// let districts = Policies::new();
    /// districts.insert("nanqiao", Policy::from_file("policies/nanqiao.policy")?);
    /// districts.insert("yingjiang", Versions::from_dir("tests/cases/versions/yingjiang")?);
    /// assert_eq!(districts.len(), 2);
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn insert(
        &self,
        name: impl Into<String>,
        versions: impl Into<Versions>,
    ) -> Option<District> {
        let district = District::new(name, versions);
        let mut previous = None;
        self.change(|set| {
            match set.districts.iter_mut().find(|d| d.name == district.name) {
                Some(slot) => previous = Some(std::mem::replace(slot, district)),
                None => set.districts.push(district),
            };
        });
        previous
    }

    /// Take a district out, atomically; the district, if it was there.
    ///
    /// ```
    /// let districts = zhunru::Policies::load(["policies/hefei.policy"]);
    /// assert!(districts.remove("hefei").is_some());
    /// assert!(districts.is_empty());
    /// ```
    pub fn remove(&self, name: &str) -> Option<District> {
        let mut removed = None;
        self.change(|set| {
            if let Some(i) = set.districts.iter().position(|d| d.name == name) {
                removed = Some(set.districts.remove(i));
            }
        });
        removed
    }

    /// Read the files and folders given to [`Policies::load`] again and swap in the result
    /// whole. An unchanged file is not parsed again (unless it names a parent, which may
    /// have changed); a file or folder of versions added is picked up, one removed drops
    /// its district or version; a district whose file (or any of whose version files)
    /// fails, or whose versions overlap, keeps its previous versions in force, all of them
    /// (and says so in its [`LoadFailure`]s); a district inserted by hand stays. Returns the
    /// failures (empty when all loaded).
    ///
    /// See [`PolicySet::generation`] for an example.
    pub fn reload(&self) -> Vec<LoadFailure> {
        let _writer = self.shared.writer.lock();
        let previous = self.snapshot();
        let mut next = PolicySet {
            generation: previous.generation + 1,
            ..PolicySet::default()
        };
        for found in self.shared.sources.iter().flat_map(|s| found_in(s)) {
            let before = previous.district(&found.name);
            let name = found.name.clone();
            match load_district(found, before) {
                Ok(d) if next.district(&name).is_some() => {
                    let error = PolicyError::duplicate_name(d.versions.latest(), &name);
                    next.failures.push(LoadFailure {
                        file: d.file.clone().unwrap_or_default(),
                        district: name,
                        previous_in_force: true,
                        error,
                    });
                }
                Ok(d) => next.districts.push(d),
                Err(failed) => {
                    let kept = before.filter(|_| next.district(&name).is_none());
                    if let Some(b) = kept {
                        next.districts.push(b.clone());
                    }
                    for (file, error) in failed {
                        next.failures.push(LoadFailure {
                            file,
                            previous_in_force: before.is_some(),
                            district: name.clone(),
                            error,
                        });
                    }
                }
            }
        }
        // Districts inserted by hand are no file's: they stay.
        for d in &previous.districts {
            if d.file.is_none() && next.district(&d.name).is_none() {
                next.districts.push(d.clone());
            }
        }
        let failures = next.failures.clone();
        self.swap(next);
        failures
    }

    /// Build the next set from the current one and swap it in, one writer at a time.
    fn change(&self, edit: impl FnOnce(&mut PolicySet)) {
        let _writer = self.shared.writer.lock();
        let mut next = (*self.snapshot()).clone();
        next.generation += 1;
        edit(&mut next);
        self.swap(next);
    }

    fn swap(&self, next: PolicySet) {
        let next = Arc::new(next);
        match self.shared.current.write() {
            Ok(mut current) => *current = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
    }
}

/// Read a district's version files and build it: unchanged files (same path and bytes, no
/// parent) keep their parsed version, and a district none of whose files changed is kept
/// whole (with its load time). Every file that fails is reported, each with its diagnostics;
/// versions that overlap are reported at the file the diagnostic points at.
fn load_district(
    found: Found,
    before: Option<&District>,
) -> Result<District, Vec<(PathBuf, PolicyError)>> {
    let mut hashes = Vec::new();
    let mut versions = Vec::new();
    let mut failed = Vec::new();
    for path in found.files {
        let loaded = std::fs::read(&path)
            .map_err(|e| PolicyError::cannot_read(&path.display().to_string(), &e))
            .and_then(|bytes| {
                let hash = fnv1a(&bytes);
                let shown = path.display().to_string();
                let unchanged = before
                    .filter(|b| b.hashes.contains(&(path.clone(), hash)))
                    .and_then(|b| b.versions.versions().find(|p| p.source().name() == shown))
                    .filter(|p| !p.has_parent());
                match unchanged {
                    Some(p) => Ok((p.clone(), hash)),
                    None => Ok((
                        Policy::from_source(source_from_bytes(&shown, bytes)?)?,
                        hash,
                    )),
                }
            });
        match loaded {
            Ok((policy, hash)) => {
                hashes.push((path, hash));
                versions.push(policy);
            }
            Err(error) => failed.push((path, error)),
        }
    }
    if !failed.is_empty() {
        return Err(failed);
    }
    if let Some(b) = before.filter(|b| {
        b.hashes == hashes
            && b.file.as_deref() == Some(found.path.as_path())
            && b.versions.versions().all(|p| !p.has_parent())
    }) {
        return Ok(b.clone());
    }
    // On a reload, an overlap is blamed on the file just edited, not the one left alone.
    let changed = |p: &Policy| {
        before.is_some_and(|b| {
            hashes
                .iter()
                .find(|(path, _)| path.display().to_string() == p.source().name())
                .is_some_and(|found| !b.hashes.contains(found))
        })
    };
    let versions = Versions::checked(found.name.clone(), versions, &changed).map_err(|error| {
        let file = error
            .diagnostics()
            .first()
            .map_or_else(|| found.path.clone(), |d| PathBuf::from(d.source().name()));
        vec![(file, error)]
    })?;
    Ok(District {
        name: found.name,
        versions,
        file: Some(found.path),
        hashes,
        loaded_at: SystemTime::now(),
    })
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = crate::source::Fnv::default();
    h.write(bytes);
    h.finish()
}
