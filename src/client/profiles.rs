//! Named connection profiles: which node (base URL), which project, and the API key.
//!
//! Where things live:
//! - `config.toml` in the platform's config dir (`~/.config/switchboard` on Linux), or in
//!   `$SWITCHBOARD_CONFIG_DIR`: the profiles' URLs and projects and the current profile.
//!   It never holds a key.
//! - The API key goes to the OS keyring (service `switchboard-profiles`, user = the profile
//!   name) when one works. Headless machines often have none; there the key goes to
//!   `credentials.toml` beside the config, created with mode 0600 (readable by its owner
//!   only, like `~/.aws/credentials`). Each profile records which of the two holds its key.
//!   `SWITCHBOARD_PROFILE_KEY_STORE=keyring|file` (or `--key-store`) forces one.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const CONFIG_DIR_ENV: &str = "SWITCHBOARD_CONFIG_DIR";
pub const KEY_STORE_ENV: &str = "SWITCHBOARD_PROFILE_KEY_STORE";
pub const KEYRING_SERVICE: &str = "switchboard-profiles";
pub const CONFIG_FILE: &str = "config.toml";
pub const CREDENTIALS_FILE: &str = "credentials.toml";
/// The profile of the node on this machine, and where it listens by default.
pub const LOCAL_PROFILE: &str = "local";
pub const LOCAL_URL: &str = "http://127.0.0.1:8700";
pub const DEFAULT_PROJECT: &str = "default";

/// Where a profile's API key is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum KeyStore {
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// `credentials.toml` beside the config, mode 0600.
    File,
}

impl KeyStore {
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyStore::Keyring => "keyring",
            KeyStore::File => "file",
        }
    }
}

/// Which store to put a new key in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyStoreChoice {
    /// The OS keyring when it works, else the file.
    #[default]
    Auto,
    Keyring,
    File,
}

impl KeyStoreChoice {
    /// `SWITCHBOARD_PROFILE_KEY_STORE`, or `Auto`.
    pub fn from_env() -> Result<Self, ProfileError> {
        match std::env::var(KEY_STORE_ENV).ok().as_deref() {
            None | Some("") | Some("auto") => Ok(Self::Auto),
            Some("keyring") => Ok(Self::Keyring),
            Some("file") => Ok(Self::File),
            Some(other) => Err(ProfileError::Invalid(format!(
                "{KEY_STORE_ENV}='{other}': expected auto, keyring or file"
            ))),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("no profile named '{0}' (see `switchboard profiles list`)")]
    NotFound(String),
    #[error("a profile named '{0}' exists already (pass --replace to overwrite it)")]
    Exists(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the OS keyring: {0}")]
    Keyring(String),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("no config directory: set {CONFIG_DIR_ENV}")]
    NoConfigDir,
}

/// A profile as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub name: String,
    pub url: String,
    pub project: String,
    /// Where the key is, or `None` when the profile has no key.
    pub key_store: Option<KeyStore>,
    /// CA certificates (PEM) to trust for this node's TLS certificate.
    pub ca_cert: Option<PathBuf>,
    pub current: bool,
}

/// What `add` takes.
#[derive(Clone, Debug)]
pub struct NewProfile {
    pub name: String,
    pub url: String,
    pub project: String,
    /// `None` keeps the key of a profile being replaced, or leaves the profile without one.
    pub api_key: Option<String>,
    /// Overwrite a profile of the same name.
    pub replace: bool,
    /// CA certificates (PEM) to trust for this node's TLS certificate.
    pub ca_cert: Option<PathBuf>,
}

/// What `add` did.
#[derive(Clone, Debug)]
pub struct Added {
    pub profile: Profile,
    /// Why the keyring was not used when `Auto` fell back to the file.
    pub keyring_unavailable: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ConfigFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Entry>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Entry {
    url: String,
    project: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_store: Option<KeyStore>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ca_cert: Option<PathBuf>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CredentialsFile {
    #[serde(flatten)]
    keys: BTreeMap<String, Credential>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Credential {
    api_key: String,
}

/// The profiles of one config directory.
#[derive(Clone, Debug)]
pub struct Profiles {
    dir: PathBuf,
}

/// The platform's config directory for Switchboard, or `$SWITCHBOARD_CONFIG_DIR`.
pub fn config_dir() -> Result<PathBuf, ProfileError> {
    if let Some(dir) = std::env::var_os(CONFIG_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("dev", "switchboard", "switchboard")
        .map(|d| d.config_dir().to_path_buf())
        .ok_or(ProfileError::NoConfigDir)
}

fn check_name(name: &str) -> Result<(), ProfileError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(ProfileError::Invalid(format!(
            "'{name}' is not a valid profile name: use 1 to 64 letters, digits, '-', '_' or '.'"
        )))
    }
}

fn keyring_entry(name: &str) -> Result<keyring::Entry, ProfileError> {
    keyring::Entry::new(KEYRING_SERVICE, name).map_err(|e| ProfileError::Keyring(e.to_string()))
}

/// Stores `key` in the keyring and reads it back, so a keyring that accepts writes but
/// loses them is not trusted.
fn keyring_store(name: &str, key: &str) -> Result<(), ProfileError> {
    let entry = keyring_entry(name)?;
    entry
        .set_password(key)
        .map_err(|e| ProfileError::Keyring(e.to_string()))?;
    match entry.get_password() {
        Ok(back) if back == key => Ok(()),
        Ok(_) => Err(ProfileError::Keyring(
            "the keyring returned a different value".into(),
        )),
        Err(e) => Err(ProfileError::Keyring(e.to_string())),
    }
}

fn keyring_delete(name: &str) -> Result<(), ProfileError> {
    match keyring_entry(name)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(ProfileError::Keyring(e.to_string())),
    }
}

impl Profiles {
    /// The profiles in `config_dir()`.
    pub fn open() -> Result<Self, ProfileError> {
        Ok(Self::at(config_dir()?))
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Profiles { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn config_path(&self) -> PathBuf {
        self.dir.join(CONFIG_FILE)
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.dir.join(CREDENTIALS_FILE)
    }

    fn read_config(&self) -> Result<ConfigFile, ProfileError> {
        read_toml(&self.config_path())
    }

    fn write_config(&self, config: &ConfigFile) -> Result<(), ProfileError> {
        write_toml(&self.config_path(), config, false)
    }

    fn read_credentials(&self) -> Result<CredentialsFile, ProfileError> {
        read_toml(&self.credentials_path())
    }

    fn write_credentials(&self, creds: &CredentialsFile) -> Result<(), ProfileError> {
        write_toml(&self.credentials_path(), creds, true)
    }

    fn view(config: &ConfigFile, name: &str, entry: &Entry) -> Profile {
        Profile {
            name: name.to_string(),
            url: entry.url.clone(),
            project: entry.project.clone(),
            key_store: entry.key_store,
            ca_cert: entry.ca_cert.clone(),
            current: config.current.as_deref() == Some(name),
        }
    }

    pub fn list(&self) -> Result<Vec<Profile>, ProfileError> {
        let config = self.read_config()?;
        Ok(config
            .profiles
            .iter()
            .map(|(name, entry)| Self::view(&config, name, entry))
            .collect())
    }

    pub fn get(&self, name: &str) -> Result<Profile, ProfileError> {
        let config = self.read_config()?;
        config
            .profiles
            .get(name)
            .map(|entry| Self::view(&config, name, entry))
            .ok_or_else(|| ProfileError::NotFound(name.to_string()))
    }

    /// The profile `profiles use` selected, if it still exists.
    pub fn current(&self) -> Result<Option<Profile>, ProfileError> {
        let config = self.read_config()?;
        Ok(config.current.as_deref().and_then(|name| {
            config
                .profiles
                .get(name)
                .map(|entry| Self::view(&config, name, entry))
        }))
    }

    /// Adds (or with `replace`, overwrites) a profile. The first profile becomes current.
    pub fn add(&self, new: NewProfile, choice: KeyStoreChoice) -> Result<Added, ProfileError> {
        check_name(&new.name)?;
        let url = crate::client::normalize_base_url(&new.url)
            .map_err(|e| ProfileError::Invalid(e.to_string()))?
            .to_string();
        if new.project.trim().is_empty() {
            return Err(ProfileError::Invalid(
                "the project must not be empty".into(),
            ));
        }
        let mut config = self.read_config()?;
        let old = config.profiles.get(&new.name).cloned();
        if old.is_some() && !new.replace {
            return Err(ProfileError::Exists(new.name));
        }
        let mut keyring_unavailable = None;
        let key_store = match &new.api_key {
            None => old.as_ref().and_then(|o| o.key_store),
            Some(key) => {
                if key.trim().is_empty() {
                    return Err(ProfileError::Invalid(
                        "the API key must not be empty".into(),
                    ));
                }
                let store = match choice {
                    KeyStoreChoice::File => KeyStore::File,
                    KeyStoreChoice::Keyring => {
                        keyring_store(&new.name, key)?;
                        KeyStore::Keyring
                    }
                    KeyStoreChoice::Auto => match keyring_store(&new.name, key) {
                        Ok(()) => KeyStore::Keyring,
                        Err(e) => {
                            keyring_unavailable = Some(e.to_string());
                            KeyStore::File
                        }
                    },
                };
                if store == KeyStore::File {
                    let mut creds = self.read_credentials()?;
                    creds.keys.insert(
                        new.name.clone(),
                        Credential {
                            api_key: key.trim().to_string(),
                        },
                    );
                    self.write_credentials(&creds)?;
                }
                // The key left the store it was in before: do not leave a copy behind.
                match old.as_ref().and_then(|o| o.key_store) {
                    Some(KeyStore::Keyring) if store != KeyStore::Keyring => {
                        keyring_delete(&new.name)?
                    }
                    Some(KeyStore::File) if store != KeyStore::File => {
                        self.forget_file_key(&new.name)?
                    }
                    _ => {}
                }
                Some(store)
            }
        };
        config.profiles.insert(
            new.name.clone(),
            Entry {
                url,
                project: new.project.trim().to_string(),
                key_store,
                ca_cert: new.ca_cert.clone(),
            },
        );
        if config
            .current
            .as_ref()
            .is_none_or(|c| !config.profiles.contains_key(c))
        {
            config.current = Some(new.name.clone());
        }
        self.write_config(&config)?;
        let entry = &config.profiles[&new.name];
        Ok(Added {
            profile: Self::view(&config, &new.name, entry),
            keyring_unavailable,
        })
    }

    /// Makes `name` the profile used when none is named.
    pub fn set_current(&self, name: &str) -> Result<Profile, ProfileError> {
        let mut config = self.read_config()?;
        if !config.profiles.contains_key(name) {
            return Err(ProfileError::NotFound(name.to_string()));
        }
        config.current = Some(name.to_string());
        self.write_config(&config)?;
        self.get(name)
    }

    /// Removes a profile and its key.
    pub fn remove(&self, name: &str) -> Result<(), ProfileError> {
        let mut config = self.read_config()?;
        let entry = config
            .profiles
            .remove(name)
            .ok_or_else(|| ProfileError::NotFound(name.to_string()))?;
        match entry.key_store {
            Some(KeyStore::Keyring) => keyring_delete(name)?,
            Some(KeyStore::File) => self.forget_file_key(name)?,
            None => {}
        }
        if config.current.as_deref() == Some(name) {
            config.current = None;
        }
        self.write_config(&config)
    }

    /// The API key of `profile`, from wherever it is kept.
    pub fn api_key(&self, profile: &Profile) -> Result<Option<String>, ProfileError> {
        match profile.key_store {
            None => Ok(None),
            Some(KeyStore::Keyring) => match keyring_entry(&profile.name)?.get_password() {
                Ok(key) => Ok(Some(key)),
                Err(keyring::Error::NoEntry) => Err(ProfileError::Keyring(format!(
                    "the key of profile '{}' is missing from the keyring; add it again",
                    profile.name
                ))),
                Err(e) => Err(ProfileError::Keyring(e.to_string())),
            },
            Some(KeyStore::File) => {
                let creds = self.read_credentials()?;
                match creds.keys.get(&profile.name) {
                    Some(c) => Ok(Some(c.api_key.clone())),
                    None => Err(ProfileError::File {
                        path: self.credentials_path(),
                        message: format!("holds no key for profile '{}'", profile.name),
                    }),
                }
            }
        }
    }

    fn forget_file_key(&self, name: &str) -> Result<(), ProfileError> {
        let mut creds = self.read_credentials()?;
        if creds.keys.remove(name).is_some() {
            self.write_credentials(&creds)?;
        }
        Ok(())
    }
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> ProfileError {
    ProfileError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

fn read_toml<T: Default + serde::de::DeserializeOwned>(path: &Path) -> Result<T, ProfileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => toml::from_str(&text).map_err(|e| file_error(path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(e) => Err(file_error(path, e)),
    }
}

/// Writes through a temporary file and a rename, so a crash never leaves half a file.
/// `private` files are created readable by their owner only.
fn write_toml<T: Serialize>(path: &Path, value: &T, private: bool) -> Result<(), ProfileError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
    let text = toml::to_string_pretty(value).map_err(|e| file_error(path, e))?;
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    let result = options.open(&tmp).and_then(|mut f| {
        #[cfg(unix)]
        if private {
            // `mode` only applies to new files; a leftover temp file keeps its own.
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = result.and_then(|()| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(file_error(path, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(check_name("local").is_ok());
        assert!(check_name("prod-eu_1.a").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("a/b").is_err());
    }
}
