//! One district's policy in several dated versions side by side (the yearly review of Y6):
//! a folder such as `yingjiang/` holding `2020.policy` and `2021.policy`. Each version is in
//! force from its `生效` until the next version's `生效` (or its own `失效`, if earlier);
//! a version without `生效` is in force from the beginning. Two versions from the same day, or
//! a `失效` that reaches into the next version's time, are an error (`bad_dates`) pointing at
//! both files. Deciding picks the version in force on the date asked about.

use std::path::Path;

use crate::diagnostic::{Diagnostic, LoadError};
use crate::{Date, Decision, Policy, PolicyError, Subject};

/// A district's versions, oldest first (never empty: the oldest is held apart). Every version
/// is named by the district ([`Policy::name`], and so [`Decision::policy`]): which version
/// decided is told by its `effective` date and `hash`. Cheap to clone.
///
/// See [`Versions::from_dir`] for an example.
#[derive(Clone, Debug)]
pub struct Versions {
    name: String,
    oldest: Policy,
    newer: Vec<Policy>,
}

impl Versions {
    /// One version only: a district as a single policy file.
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn single(name: impl Into<String>, policy: Policy) -> Versions {
        let name = name.into();
        Versions {
            oldest: policy.named(&name),
            name,
            newer: Vec::new(),
        }
    }

    /// Versions of one district, checked: ordered by `生效`, none from the same day, none
    /// whose `失效` reaches past the next one's `生效`.
    ///
    /// ```
    /// use zhunru::{Policy, Versions};
    /// let old = Policy::from_str("2020.policy", "政策 「某区」\n  失效 2021-06-30\n")?;
    /// let new = Policy::from_str("2021.policy", "政策 「某区」\n  生效 2021-01-01\n")?;
    /// let err = Versions::new("某区", vec![new, old]).unwrap_err();
    /// assert_eq!(err.diagnostics()[0].code(), zhunru::Code::BadDates);
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn new(name: impl Into<String>, versions: Vec<Policy>) -> Result<Versions, PolicyError> {
        Versions::checked(name, versions, &|_| false)
    }

    /// [`Versions::new`], blaming an overlap on the version `changed` says was edited when
    /// the other was not (a reload: the file just saved, not the one left alone); else on the
    /// later version.
    pub(crate) fn checked(
        name: impl Into<String>,
        mut versions: Vec<Policy>,
        changed: &dyn Fn(&Policy) -> bool,
    ) -> Result<Versions, PolicyError> {
        let name: String = name.into();
        // `None` (in force from the beginning) sorts first.
        versions.sort_by_key(Policy::effective);
        let versions: Vec<Policy> = versions.into_iter().map(|p| p.named(&name)).collect();
        let mut diagnostics = Vec::new();
        for pair in versions.windows(2) {
            let [earlier, later] = pair else { continue };
            let same_day = earlier.effective() == later.effective();
            let reaches = match (earlier.expires(), later.effective()) {
                (Some(end), Some(start)) => end >= start,
                _ => false,
            };
            if !(same_day || reaches) {
                continue;
            }
            let blame_earlier = changed(earlier) && !changed(later);
            diagnostics.push(overlap(earlier, later, same_day, blame_earlier));
        }
        if !diagnostics.is_empty() {
            return Err(PolicyError { diagnostics });
        }
        let mut versions = versions.into_iter();
        let Some(oldest) = versions.next() else {
            let none = std::io::Error::new(std::io::ErrorKind::NotFound, "no version given");
            return Err(PolicyError::cannot_read(&name, &none));
        };
        Ok(Versions {
            name,
            oldest,
            newer: versions.collect(),
        })
    }

    /// Every `*.policy` file of a folder, as versions of the district the folder names.
    /// Every file that fails is reported, not only the first.
    ///
    /// ```
    /// use zhunru::{Date, Versions};
    /// let yingjiang = Versions::from_dir("tests/cases/versions/yingjiang")?;
    /// assert_eq!((yingjiang.name(), yingjiang.len()), ("yingjiang", 2));
    /// let in_2021 = yingjiang.in_force(Date::new(2021, 3, 1).unwrap());
    /// assert_eq!(in_2021.effective(), Some(Date::new(2021, 1, 1).unwrap()));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Versions, PolicyError> {
        let dir = dir.as_ref();
        let name = folder_name(dir);
        let entries = std::fs::read_dir(dir)
            .map_err(|e| PolicyError::cannot_read(&dir.display().to_string(), &e))?;
        let mut files: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "policy"))
            .collect();
        files.sort();
        let mut versions = Vec::new();
        let mut diagnostics = Vec::new();
        for file in files {
            match Policy::from_file(&file) {
                Ok(p) => versions.push(p),
                Err(e) => diagnostics.extend(e.diagnostics),
            }
        }
        if !diagnostics.is_empty() {
            return Err(PolicyError { diagnostics });
        }
        if versions.is_empty() {
            let none = std::io::Error::new(std::io::ErrorKind::NotFound, "no .policy file in it");
            return Err(PolicyError::cannot_read(&dir.display().to_string(), &none));
        }
        Versions::new(name, versions)
    }

    /// A folder of versions, or one policy file (a district with one version).
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn load(path: impl AsRef<Path>) -> Result<Versions, PolicyError> {
        let path = path.as_ref();
        if path.is_dir() {
            return Versions::from_dir(path);
        }
        let name = path.file_stem().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Ok(Versions::single(name, Policy::from_file(path)?))
    }

    /// The same versions under another district name (each version renamed with it).
    pub(crate) fn named(self, name: &str) -> Versions {
        if self.name == name {
            return self;
        }
        Versions {
            name: name.to_owned(),
            oldest: self.oldest.named(name),
            newer: self.newer.into_iter().map(|p| p.named(name)).collect(),
        }
    }

    /// The district's name: the folder's (or file's stem).
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The versions, oldest first.
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn versions(&self) -> impl Iterator<Item = &Policy> {
        std::iter::once(&self.oldest).chain(&self.newer)
    }

    /// How many versions there are (at least one).
    ///
    /// See [`Versions::from_dir`] for an example.
    #[allow(
        clippy::len_without_is_empty,
        reason = "never empty: a district has a version"
    )]
    pub fn len(&self) -> usize {
        1 + self.newer.len()
    }

    /// The newest version.
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn latest(&self) -> &Policy {
        self.newer.last().unwrap_or(&self.oldest)
    }

    /// The version in force on a date: the newest whose `生效` is on or before it. Before the
    /// first version's `生效`, the first version (which then decides `not_in_force`).
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn in_force(&self, date: Date) -> &Policy {
        newest_from(&self.newer, Policy::effective, date).unwrap_or(&self.oldest)
    }

    /// Read a log of tasks as [`Policy::read_subjects`] does, each record typed by the
    /// version in force on its `sent_on` (a record without one, by the version in force on
    /// `as_of`): a field one version declares is checked against that version's type and
    /// values, and is an unknown, passed-through field under a version that does not declare it.
    ///
    /// ```
    /// use zhunru::{Policy, Versions, Date, input::InputFormat};
    /// let old = Policy::from_str("2020.policy", "政策 「某区」\n  生效 2020-01-01\n")?;
    /// let new = Policy::from_str("2021.policy", "政策 「某区」\n  生效 2021-01-01\n\
    ///     字段 事项.community_type 「社区类型」 取值 「城市」、「涉农」\n")?;
    /// let versions = Versions::new("某区", vec![old, new])?;
    /// let log = "{\"category\": \"x\", \"sent_on\": \"2020-05-01\", \"community_type\": 3}\n\
    ///            {\"category\": \"x\", \"sent_on\": \"2021-05-01\", \"community_type\": 3}\n";
    /// let as_of = Date::parse("2022-01-01").unwrap();
    /// let rows: Vec<_> = versions.read_subjects(log.as_bytes(), "log", InputFormat::JsonLines, as_of).collect();
    /// assert!(rows[0].1.is_ok()); // 2020's version declares no community_type
    /// assert_eq!(rows[1].1.as_ref().unwrap_err().field(), Some("community_type"));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn read_subjects<'a, R: std::io::BufRead + 'a>(
        &self,
        reader: R,
        origin: impl Into<String>,
        format: crate::input::InputFormat,
        as_of: Date,
    ) -> Box<dyn Iterator<Item = crate::input::Read> + 'a> {
        if self.newer.is_empty() {
            return self.oldest.read_subjects(reader, origin, format);
        }
        let newer: Vec<(Option<Date>, std::sync::Arc<crate::schema::Schema>)> = self
            .newer
            .iter()
            .map(|p| (p.effective(), p.schema.clone()))
            .collect();
        let oldest = self.oldest.schema.clone();
        // The same choice as `in_force`, on the schemas alone.
        let on = move |sent_on: Option<Date>| {
            newest_from(&newer, |(from, _)| *from, sent_on.unwrap_or(as_of))
                .map_or_else(|| oldest.clone(), |(_, schema)| schema.clone())
        };
        crate::input::read_by(
            crate::input::Typing::BySentOn(std::sync::Arc::new(on)),
            reader,
            origin,
            format,
        )
    }

    /// Decide with the version in force on `as_of`.
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Decision {
        self.in_force(as_of).decide(subject, as_of)
    }
}

impl From<Policy> for Versions {
    /// One version, named by the policy's own name (a file's stem).
    ///
    /// ```
    /// let policy = zhunru::Policy::from_file("policies/hefei.policy")?;
    /// let versions = zhunru::Versions::from(policy);
    /// assert_eq!((versions.name(), versions.len()), ("hefei", 1));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    fn from(policy: Policy) -> Versions {
        Versions::single(policy.name().to_owned(), policy)
    }
}

/// Of versions oldest first, the newest whose `生效` (`effective`) is on or before `date`
/// (one without `生效` is in force from the beginning); `None` before them all.
fn newest_from<T>(
    versions: &[T],
    effective: impl Fn(&T) -> Option<Date>,
    date: Date,
) -> Option<&T> {
    versions
        .iter()
        .rev()
        .find(|v| effective(v).is_none_or(|from| from <= date))
}

/// A folder's name (`policies/yingjiang` is `yingjiang`); for `.` or `..`, the name of the
/// folder they stand for.
pub(crate) fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .or_else(|| {
            // `.` and `..` have no last component; the folder they resolve to has.
            std::fs::canonicalize(dir)
                .ok()
                .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
        })
        .unwrap_or_else(|| dir.display().to_string())
}

/// The overlap of `earlier` and `later`, said at the later version's `生效` (its title
/// without one), or with `blame_earlier` at the earlier version: at its `生效` when both take
/// effect the same day, else at the `失效` that reaches into the later one's time.
fn overlap(earlier: &Policy, later: &Policy, same_day: bool, blame_earlier: bool) -> Diagnostic {
    let (blamed, other) = if blame_earlier {
        (earlier, later)
    } else {
        (later, earlier)
    };
    let header = &blamed.ast().header;
    let effective_at = header
        .effective
        .as_ref()
        .map_or(header.title.span, |e| e.span);
    let other = other.source().name.to_string();
    let until = || earlier.expires().map(|d| d.to_string()).unwrap_or_default();
    let (at, what) = if same_day {
        let since = blamed
            .effective()
            .map_or_else(|| "the beginning".to_owned(), |d| d.to_string());
        (effective_at, LoadError::SameDayVersions { other, since })
    } else if blame_earlier {
        let at = header
            .expires
            .as_ref()
            .map_or(header.title.span, |e| e.span);
        let since = later.effective().map(|d| d.to_string()).unwrap_or_default();
        let what = LoadError::ReachesInto {
            other,
            until: until(),
            since,
        };
        (at, what)
    } else {
        let what = LoadError::OverlappingVersions {
            other,
            until: until(),
        };
        (effective_at, what)
    };
    Diagnostic::new(blamed.source(), at, &what)
}
