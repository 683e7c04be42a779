//! A district: its name and its dated versions ([`Versions`]; a single policy file is a
//! district with one version), and where they were read from. What [`crate::Policies`]
//! holds, `zhunru serve` serves and the REPL answers with.
//!
//! Which paths hold which districts (the one rule `serve`, `repl` and `check` follow):
//! - a policy file is a district, named by its stem (`policies/nanqiao.policy` is `nanqiao`);
//! - a folder whose `*.policy` files are all named by a date or a year (the name begins with
//!   a digit: `2020.policy`, `2021-07-01.policy`) holds one district's dated versions, named
//!   by the folder (`yingjiang/`);
//! - any other folder is a folder of districts: each `*.policy` file in it is a district, and
//!   each subfolder holding `*.policy` files is a district whose files are its dated versions
//!   (whatever their names), named by the subfolder.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::versions::folder_name;
use crate::{Date, Decision, Policy, PolicyError, Subject, Versions};

/// A district: a name and its dated versions, oldest first. Deciding picks the version in
/// force on the date asked about ([`District::in_force`]).
///
/// ```
/// use zhunru::{Date, District, Subject, Verdict};
/// let yingjiang = District::load("tests/cases/versions/yingjiang")?;
/// assert_eq!((yingjiang.name(), yingjiang.versions().len()), ("yingjiang", 2));
/// let june = |year| Date::new(year, 6, 1).unwrap();
/// assert_eq!(yingjiang.in_force(june(2021)).effective(), Date::new(2021, 1, 1).ok());
/// // 食品安全协管 joined the 准入清单 in the 2021 version.
/// let task = Subject::task("食品安全协管");
/// assert_eq!(yingjiang.decide(&task, june(2020)).verdict(), Verdict::NeedsApproval);
/// assert_eq!(yingjiang.decide(&task, june(2021)).verdict(), Verdict::Admitted);
/// # Ok::<(), zhunru::PolicyError>(())
/// ```
#[derive(Clone, Debug)]
pub struct District {
    pub(crate) name: String,
    pub(crate) versions: Versions,
    /// The policy file, or the folder of versions.
    pub(crate) file: Option<PathBuf>,
    /// Each version's file with the FNV-1a of its bytes: an unchanged file is not parsed
    /// again on reload.
    pub(crate) hashes: Vec<(PathBuf, u64)>,
    pub(crate) loaded_at: SystemTime,
}

impl District {
    /// A district made in memory (no file): one policy, or [`Versions`]. Every version is
    /// named `name`, so decisions name the district.
    ///
    /// ```
    /// use zhunru::{District, Policy};
    /// let d = District::new("南桥", Policy::from_file("policies/nanqiao.policy")?);
    /// assert_eq!((d.name(), d.policy().name(), d.file()), ("南桥", "南桥", None));
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn new(name: impl Into<String>, versions: impl Into<Versions>) -> District {
        let name = name.into();
        District {
            versions: versions.into().named(&name),
            name,
            file: None,
            hashes: Vec::new(),
            loaded_at: SystemTime::now(),
        }
    }

    /// Load a district from a policy file (one version) or a folder of its dated versions
    /// (every `*.policy` file in it, as [`Versions::load`] reads them).
    ///
    /// See [`District`] for an example.
    pub fn load(path: impl AsRef<Path>) -> Result<District, PolicyError> {
        let path = path.as_ref();
        let versions = Versions::load(path)?;
        Ok(District {
            name: versions.name().to_owned(),
            versions,
            file: Some(path.to_path_buf()),
            hashes: Vec::new(),
            loaded_at: SystemTime::now(),
        })
    }

    /// Its name: the file stem (`policies/nanqiao.policy` is `nanqiao`), the folder of its
    /// versions (`policies/yingjiang/` is `yingjiang`), or the name it was made under.
    ///
    /// See [`District`] for an example.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its dated versions, oldest first.
    ///
    /// See [`District`] for an example.
    pub fn versions(&self) -> &Versions {
        &self.versions
    }

    /// The version in force on `date`: the newest whose `生效` is on or before it (before the
    /// first one's `生效`, the first, which then decides `not_in_force`).
    ///
    /// See [`District`] for an example.
    pub fn in_force(&self, date: Date) -> &Policy {
        self.versions.in_force(date)
    }

    /// The version in force today ([`Date::today`], China's date): what the district's notice
    /// and lists show now. To decide as of another day, use [`District::in_force`] or
    /// [`District::decide`].
    ///
    /// ```
    /// let hefei = zhunru::District::load("policies/hefei.policy")?;
    /// assert_eq!(hefei.policy().jurisdiction(), "合肥市");
    /// # Ok::<(), zhunru::PolicyError>(())
    /// ```
    pub fn policy(&self) -> &Policy {
        self.in_force(Date::today())
    }

    /// Decide with the version in force on `as_of`.
    ///
    /// See [`District`] for an example.
    pub fn decide(&self, subject: &Subject, as_of: Date) -> Decision {
        self.in_force(as_of).decide(subject, as_of)
    }

    /// The policy file or folder of versions it was read from; `None` for a district made in
    /// memory.
    ///
    /// ```
    /// let districts = zhunru::Policies::load(["policies/hefei.policy"]);
    /// let set = districts.snapshot();
    /// let hefei = set.district("hefei").unwrap();
    /// assert_eq!(hefei.file(), Some(std::path::Path::new("policies/hefei.policy")));
    /// ```
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// When it was loaded (or last changed on reload).
    ///
    /// ```
    /// let districts = zhunru::Policies::load(["policies/hefei.policy"]);
    /// let loaded = districts.snapshot().district("hefei").unwrap().loaded_at();
    /// assert!(loaded <= std::time::SystemTime::now());
    /// ```
    pub fn loaded_at(&self) -> SystemTime {
        self.loaded_at
    }

    /// The districts a path holds, each as a policy file or a folder of dated versions, by
    /// the rule in this module's documentation: a file is itself; a folder of one district's
    /// versions (files named by dates) is itself; a folder of districts gives its `*.policy`
    /// files and its subfolders that hold `*.policy` files, sorted by name. A path that is
    /// not a folder is given back as it is (reading it will say whether it exists).
    ///
    /// ```
    /// use std::path::PathBuf;
    /// use zhunru::District;
    /// let versions = PathBuf::from("tests/cases/versions/yingjiang");
    /// assert_eq!(District::paths_in(&versions), [versions]);
    /// assert_eq!(District::paths_in("tests/cases/versions").len(), 2); // overlap/, yingjiang/
    /// assert!(District::paths_in("policies").contains(&PathBuf::from("policies/hefei.policy")));
    /// ```
    pub fn paths_in(path: impl AsRef<Path>) -> Vec<PathBuf> {
        found_in(path.as_ref())
            .into_iter()
            .map(|f| f.path)
            .collect()
    }
}

/// A district found on disk: its name, the file or folder, and its version files (sorted).
#[derive(Debug)]
pub(crate) struct Found {
    pub name: String,
    pub path: PathBuf,
    pub files: Vec<PathBuf>,
}

/// The `*.policy` files directly in a folder, sorted; `None` when it cannot be listed.
fn policy_files(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "policy"))
        .collect();
    files.sort();
    Some(files)
}

/// Whether a file is named by a date or a year (`2021.policy`, `2021-07-01.policy`).
fn dated(file: &Path) -> bool {
    file.file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| s.chars().next())
        .is_some_and(|c| c.is_ascii_digit())
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// The districts `path` holds (see the module's documentation).
pub(crate) fn found_in(path: &Path) -> Vec<Found> {
    if !path.is_dir() {
        return vec![Found {
            name: file_stem(path),
            path: path.to_path_buf(),
            files: vec![path.to_path_buf()],
        }];
    }
    let Some(files) = policy_files(path) else {
        // A folder that cannot be listed is reported as a file that cannot be read.
        return vec![Found {
            name: folder_name(path),
            path: path.to_path_buf(),
            files: vec![path.to_path_buf()],
        }];
    };
    if !files.is_empty() && files.iter().all(|f| dated(f)) {
        return vec![Found {
            name: folder_name(path),
            path: path.to_path_buf(),
            files,
        }];
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    let mut out = Vec::new();
    for entry in entries {
        if entry.is_dir() {
            let inside = policy_files(&entry).unwrap_or_default();
            if !inside.is_empty() {
                out.push(Found {
                    name: folder_name(&entry),
                    path: entry,
                    files: inside,
                });
            }
        } else if files.contains(&entry) {
            out.push(Found {
                name: file_stem(&entry),
                files: vec![entry.clone()],
                path: entry,
            });
        }
    }
    out
}
