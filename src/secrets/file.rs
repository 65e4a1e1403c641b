//! Secrets encrypted at rest, for servers without an OS keyring: XChaCha20-Poly1305 with a
//! master key from `SWITCHBOARD_MASTER_KEY` (base64 of 32 bytes) or, failing that, a 0600
//! `master.key` file in the data directory. The secret's ID is authenticated with it, so a
//! ciphertext copied onto another secret's row does not decrypt.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, OsRng, Payload};
use chacha20poly1305::{AeadCore, XChaCha20Poly1305, XNonce};

use super::SecretsError;

pub const MASTER_KEY_ENV: &str = "SWITCHBOARD_MASTER_KEY";
const KEY_FILE: &str = "master.key";
const NONCE_LEN: usize = 24;

pub struct FileBackend {
    cipher: XChaCha20Poly1305,
}

impl FileBackend {
    pub fn open(data_dir: &Path) -> Result<Self, SecretsError> {
        let key = match std::env::var(MASTER_KEY_ENV) {
            Ok(encoded) => decode_key(&encoded, MASTER_KEY_ENV)?,
            Err(_) => load_or_create_key_file(&data_dir.join(KEY_FILE))?,
        };
        Ok(FileBackend {
            cipher: XChaCha20Poly1305::new(&key.into()),
        })
    }

    pub fn encrypt(&self, id: &str, value: &str) -> Result<Vec<u8>, SecretsError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: value.as_bytes(),
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| SecretsError::Decrypt(id.to_string()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    pub fn decrypt(&self, id: &str, sealed: &[u8]) -> Result<String, SecretsError> {
        if sealed.len() < NONCE_LEN {
            return Err(SecretsError::Decrypt(id.to_string()));
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: id.as_bytes(),
                },
            )
            .map_err(|_| SecretsError::Decrypt(id.to_string()))?;
        String::from_utf8(plain).map_err(|_| SecretsError::Decrypt(id.to_string()))
    }
}

fn decode_key(encoded: &str, origin: &str) -> Result<[u8; 32], SecretsError> {
    let bytes = STANDARD
        .decode(encoded.trim())
        .map_err(|_| SecretsError::MasterKey(format!("{origin} is not base64")))?;
    bytes
        .try_into()
        .map_err(|_| SecretsError::MasterKey(format!("{origin} must decode to exactly 32 bytes")))
}

fn load_or_create_key_file(path: &Path) -> Result<[u8; 32], SecretsError> {
    match std::fs::read_to_string(path) {
        Ok(encoded) => decode_key(&encoded, &path.display().to_string()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = XChaCha20Poly1305::generate_key(&mut OsRng).into();
            write_private(path, STANDARD.encode(key).as_bytes())?;
            Ok(key)
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates `path` readable by its owner only; fails rather than overwrite an existing key.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_binds_ciphertext_to_its_id() {
        let dir = tempfile::tempdir().unwrap();
        let backend = FileBackend::open(dir.path()).unwrap();
        let sealed = backend.encrypt("dest/1/key", "hunter2").unwrap();
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(backend.decrypt("dest/1/key", &sealed).unwrap(), "hunter2");
        assert!(backend.decrypt("dest/2/key", &sealed).is_err());
        // The key file is reused, and private.
        let again = FileBackend::open(dir.path()).unwrap();
        assert_eq!(again.decrypt("dest/1/key", &sealed).unwrap(), "hunter2");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
