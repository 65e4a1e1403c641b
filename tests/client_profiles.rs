//! Profiles in a temporary config directory: add, list, use, remove; the key in the 0600
//! file, and in the OS keyring when `SWITCHBOARD_TEST_KEYRING=required` says one is there
//! (scripts/test provides a Secret Service; elsewhere that part is skipped with a note).

use switchboard::client::profiles::{
    KeyStore, KeyStoreChoice, NewProfile, ProfileError, Profiles, CREDENTIALS_FILE, KEYRING_SERVICE,
};

fn new(name: &str, key: Option<&str>) -> NewProfile {
    NewProfile {
        name: name.into(),
        url: "https://node.example:8700/v1/".into(),
        project: "ops".into(),
        api_key: key.map(str::to_string),
        replace: false,
        ca_cert: None,
    }
}

fn file_text(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_default()
}

fn keyring_required() -> bool {
    match std::env::var("SWITCHBOARD_TEST_KEYRING").as_deref() {
        Ok("required") => true,
        _ => {
            // Straight to stderr: the test harness captures `eprintln!`.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "note: SWITCHBOARD_TEST_KEYRING is not 'required'; the OS keyring part is skipped"
            );
            false
        }
    }
}

/// Profile names are keyring users, shared by every test run on the machine: make them unique.
fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

#[test]
fn add_list_use_remove_with_the_key_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let profiles = Profiles::at(dir.path().join("nested"));
    assert!(profiles.list().unwrap().is_empty());
    assert!(profiles.current().unwrap().is_none());

    let added = profiles
        .add(new("remote", Some("sbk_remote_key")), KeyStoreChoice::File)
        .unwrap();
    assert_eq!(
        added.profile.url, "https://node.example:8700/",
        "normalised"
    );
    assert_eq!(added.profile.key_store, Some(KeyStore::File));
    assert!(added.profile.current, "the first profile becomes current");
    assert!(added.keyring_unavailable.is_none());

    let local = profiles
        .add(
            NewProfile {
                url: "http://127.0.0.1:8700".into(),
                project: "default".into(),
                ..new("local", None)
            },
            KeyStoreChoice::File,
        )
        .unwrap()
        .profile;
    assert_eq!(local.key_store, None);
    assert!(!local.current);

    let list = profiles.list().unwrap();
    assert_eq!(
        list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["local", "remote"]
    );
    let remote = profiles.get("remote").unwrap();
    assert_eq!(remote.project, "ops");
    assert_eq!(
        profiles.api_key(&remote).unwrap().as_deref(),
        Some("sbk_remote_key")
    );
    assert_eq!(profiles.api_key(&local).unwrap(), None);

    // The key is in the 0600 credentials file, never in the config.
    let config = file_text(profiles.dir(), "config.toml");
    assert!(!config.contains("sbk_remote_key"), "{config}");
    assert!(
        config.contains("remote") && config.contains("ops"),
        "{config}"
    );
    assert!(file_text(profiles.dir(), CREDENTIALS_FILE).contains("sbk_remote_key"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(profiles.credentials_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "credentials mode {mode:o}");
    }

    // use
    assert!(profiles.set_current("local").unwrap().current);
    assert_eq!(profiles.current().unwrap().unwrap().name, "local");
    assert!(matches!(
        profiles.set_current("nope"),
        Err(ProfileError::NotFound(_))
    ));

    // add twice: refused, unless replacing; replacing without a key keeps the key.
    assert!(matches!(
        profiles.add(new("remote", Some("x")), KeyStoreChoice::File),
        Err(ProfileError::Exists(_))
    ));
    let replaced = profiles
        .add(
            NewProfile {
                project: "other".into(),
                replace: true,
                ca_cert: None,
                ..new("remote", None)
            },
            KeyStoreChoice::File,
        )
        .unwrap()
        .profile;
    assert_eq!(replaced.project, "other");
    assert_eq!(
        profiles.api_key(&replaced).unwrap().as_deref(),
        Some("sbk_remote_key")
    );

    // remove: the profile and its key go; the current one is unset when removed.
    profiles.remove("remote").unwrap();
    assert!(!file_text(profiles.dir(), CREDENTIALS_FILE).contains("sbk_remote_key"));
    assert!(matches!(
        profiles.get("remote"),
        Err(ProfileError::NotFound(_))
    ));
    profiles.remove("local").unwrap();
    assert!(profiles.current().unwrap().is_none());
    assert!(matches!(
        profiles.remove("local"),
        Err(ProfileError::NotFound(_))
    ));
}

#[test]
fn bad_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let profiles = Profiles::at(dir.path());
    for bad in ["", "has space", "a/b"] {
        assert!(matches!(
            profiles.add(new(bad, None), KeyStoreChoice::File),
            Err(ProfileError::Invalid(_))
        ));
    }
    let mut bad_url = new("x", None);
    bad_url.url = "ftp://host".into();
    assert!(matches!(
        profiles.add(bad_url, KeyStoreChoice::File),
        Err(ProfileError::Invalid(_))
    ));
    assert!(matches!(
        profiles.add(new("x", Some("  ")), KeyStoreChoice::File),
        Err(ProfileError::Invalid(_))
    ));
    std::fs::write(dir.path().join("config.toml"), "not = [valid").unwrap();
    assert!(matches!(profiles.list(), Err(ProfileError::File { .. })));
}

#[test]
fn the_key_goes_to_the_os_keyring_when_there_is_one() {
    if !keyring_required() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let profiles = Profiles::at(dir.path());
    let name = unique("kr");
    let added = profiles
        .add(new(&name, Some("sbk_in_keyring")), KeyStoreChoice::Keyring)
        .unwrap();
    assert_eq!(added.profile.key_store, Some(KeyStore::Keyring));
    let entry = keyring::Entry::new(KEYRING_SERVICE, &name).unwrap();
    assert_eq!(entry.get_password().unwrap(), "sbk_in_keyring");
    assert!(!file_text(dir.path(), "config.toml").contains("sbk_in_keyring"));
    assert!(!file_text(dir.path(), CREDENTIALS_FILE).contains("sbk_in_keyring"));
    assert_eq!(
        profiles.api_key(&added.profile).unwrap().as_deref(),
        Some("sbk_in_keyring")
    );

    // Moving the key to the file removes it from the keyring.
    let moved = profiles
        .add(
            NewProfile {
                replace: true,
                ca_cert: None,
                ..new(&name, Some("sbk_now_in_file"))
            },
            KeyStoreChoice::File,
        )
        .unwrap();
    assert_eq!(moved.profile.key_store, Some(KeyStore::File));
    assert!(matches!(entry.get_password(), Err(keyring::Error::NoEntry)));

    // Auto prefers the keyring where it works.
    let auto = unique("auto");
    let a = profiles
        .add(new(&auto, Some("sbk_auto")), KeyStoreChoice::Auto)
        .unwrap();
    assert_eq!(a.profile.key_store, Some(KeyStore::Keyring));
    assert!(a.keyring_unavailable.is_none());

    profiles.remove(&auto).unwrap();
    assert!(matches!(
        keyring::Entry::new(KEYRING_SERVICE, &auto)
            .unwrap()
            .get_password(),
        Err(keyring::Error::NoEntry)
    ));
    profiles.remove(&name).unwrap();
}

#[test]
fn auto_falls_back_to_the_file_or_uses_the_keyring() {
    // Whatever this machine has, Auto ends with a readable key and says where it went.
    let dir = tempfile::tempdir().unwrap();
    let profiles = Profiles::at(dir.path());
    let name = unique("fallback");
    let added = profiles
        .add(new(&name, Some("sbk_auto_key")), KeyStoreChoice::Auto)
        .unwrap();
    match added.profile.key_store {
        Some(KeyStore::File) => {
            assert!(added.keyring_unavailable.is_some());
            assert!(file_text(dir.path(), CREDENTIALS_FILE).contains("sbk_auto_key"));
        }
        Some(KeyStore::Keyring) => assert!(added.keyring_unavailable.is_none()),
        None => panic!("no key store recorded"),
    }
    assert_eq!(
        profiles.api_key(&added.profile).unwrap().as_deref(),
        Some("sbk_auto_key")
    );
    profiles.remove(&name).unwrap();
}
