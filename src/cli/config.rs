//! The user's defaults: `$XDG_CONFIG_HOME/zhunru/config.toml` (else
//! `~/.config/zhunru/config.toml`), read by `zhunru repl`. A missing file is no config; a
//! broken one is an error with its line and column, never silently ignored.
//!
//! ```toml
//! district = "yingjiang"   # the district a session starts in
//! lang = "zh"              # zh | en: messages and diagnostics
//! policies = ["/srv/policies/yingjiang.policy", "/srv/policies/nanqiao.policy"]
//! ```

use std::path::PathBuf;

use serde::Deserialize;
use zhunru::Lang;

/// What a config file may say; every key optional, no other key allowed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The district a session starts in (a policy file's stem: `yingjiang`).
    pub district: Option<String>,
    /// `zh` or `en`.
    pub lang: Option<ConfigLang>,
    /// Policies to load when none is named on the command line.
    pub policies: Option<Vec<PathBuf>>,
}

/// A language as a config file writes it.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigLang {
    /// Chinese.
    Zh,
    /// English.
    En,
}

impl From<ConfigLang> for Lang {
    fn from(l: ConfigLang) -> Lang {
        match l {
            ConfigLang::Zh => Lang::Zh,
            ConfigLang::En => Lang::En,
        }
    }
}

/// Where the config file is looked for.
pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("zhunru").join("config.toml"))
}

/// Read the config file: `Ok(default)` when there is none, `Err(message)` (with the file,
/// line and column) when it cannot be read or is not a valid config.
pub fn load() -> Result<Config, String> {
    let Some(path) = path() else {
        return Ok(Config::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let before = text.get(..s.start).unwrap_or("");
                let line = before.matches('\n').count() + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                format!(":{line}:{column}")
            })
            .unwrap_or_default();
        format!(
            "{}{at}: not a valid zhunru config: {}",
            path.display(),
            e.message()
        )
    })
}
