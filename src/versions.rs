//! One district's policy in several dated versions side by side (the yearly review of Y6):
//! a folder such as `yingjiang/` holding `2020.policy` and `2021.policy`. Each version is in
//! force from its `生效` until the next version's `生效` (or its own `失效`, if earlier);
//! a version without `生效` is in force from the beginning. Two versions from the same day, or
//! a `失效` that reaches into the next version's time, are an error (`bad_dates`) pointing at
//! both files. Deciding picks the version in force on the date asked about.

use std::path::Path;

use crate::diagnostic::{Diagnostic, LoadError};
use crate::{Date, Decision, Policy, PolicyError, Subject};

/// A district's versions, oldest first (never empty: the oldest is held apart).
#[derive(Debug)]
///
/// See [`Versions::from_dir`] for an example.
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
        Versions {
            name: name.into(),
            oldest: policy,
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
    pub fn new(
        name: impl Into<String>,
        mut versions: Vec<Policy>,
    ) -> Result<Versions, PolicyError> {
        let name: String = name.into();
        // `None` (in force from the beginning) sorts first.
        versions.sort_by_key(Policy::effective);
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
            let other = earlier.source().name.to_string();
            // Either way the error points at the later version's 生效 (its title without one).
            let at = later
                .ast()
                .header
                .effective
                .as_ref()
                .map_or(later.ast().header.title.span, |e| e.span);
            let what = if same_day {
                let since = later
                    .effective()
                    .map_or_else(|| "the beginning".to_owned(), |d| d.to_string());
                LoadError::SameDayVersions { other, since }
            } else {
                let until = earlier.expires().map(|d| d.to_string()).unwrap_or_default();
                LoadError::OverlappingVersions { other, until }
            };
            diagnostics.push(Diagnostic::new(later.source(), at, &what));
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
    /// assert_eq!(yingjiang.name(), "yingjiang");
    /// let in_2021 = yingjiang.in_force(Date::new(2021, 3, 1).unwrap());
    /// assert_eq!(in_2021.effective(), Some(Date::new(2021, 1, 1).unwrap()));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Versions, PolicyError> {
        let dir = dir.as_ref();
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
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
        self.newer
            .iter()
            .rev()
            .find(|p| p.effective().is_none_or(|from| from <= date))
            .unwrap_or(&self.oldest)
    }

    /// Decide with the version in force on `as_of`.
    ///
    /// See [`Versions::from_dir`] for an example.
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Decision {
        self.in_force(as_of).decide(subject, as_of)
    }
}
