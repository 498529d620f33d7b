//! Encryption at rest for channel credentials (XChaCha20-Poly1305).
//!
//! The key never lives in the database: it comes from `FANLOOP_SECRET_KEY` (64 hex
//! characters) or from `secret.key` in the data directory, created with mode 0600 on
//! first start. Instances sharing one PostgreSQL must share the key too.

use crate::StoreError;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use std::path::Path;
use std::sync::Arc;

const NONCE_LEN: usize = 24;
/// Binds ciphertexts to their purpose, so a blob copied elsewhere will not decrypt.
const AAD: &[u8] = b"fanloop/channel-credentials/v1";

#[derive(Clone)]
pub struct Vault {
    cipher: Arc<XChaCha20Poly1305>,
}

impl Vault {
    pub fn from_key(key: [u8; 32]) -> Vault {
        Vault {
            cipher: Arc::new(XChaCha20Poly1305::new(Key::from_slice(&key))),
        }
    }

    /// The key from `env_key` if given, else from `data_dir/secret.key`, created if absent.
    pub fn load_or_create(data_dir: &Path, env_key: Option<&str>) -> Result<Vault, StoreError> {
        if let Some(hex_key) = env_key {
            return parse_key(hex_key.trim()).map(Vault::from_key);
        }
        std::fs::create_dir_all(data_dir)
            .map_err(|e| StoreError::DataDir(data_dir.display().to_string(), e))?;
        let path = data_dir.join("secret.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => parse_key(text.trim()).map(Vault::from_key),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| StoreError::Key(e.to_string()))?;
                write_private(&path, &hex::encode(key))
                    .map_err(|e| StoreError::Key(format!("{}: {e}", path.display())))?;
                Ok(Vault::from_key(key))
            }
            Err(e) => Err(StoreError::Key(format!("{}: {e}", path.display()))),
        }
    }

    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random generator failed");
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: AAD,
                },
            )
            .expect("XChaCha20-Poly1305 encryption does not fail for in-memory buffers");
        [nonce.as_slice(), &sealed].concat()
    }

    pub fn open(&self, blob: &[u8]) -> Result<Vec<u8>, StoreError> {
        if blob.len() < NONCE_LEN {
            return Err(StoreError::Decrypt);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: AAD,
                },
            )
            .map_err(|_| StoreError::Decrypt)
    }
}

fn parse_key(hex_key: &str) -> Result<[u8; 32], StoreError> {
    let bytes = hex::decode(hex_key).map_err(|_| StoreError::Key("not hex".into()))?;
    bytes
        .try_into()
        .map_err(|_| StoreError::Key("must be 32 bytes (64 hex characters)".into()))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens() {
        let vault = Vault::from_key([7; 32]);
        let blob = vault.seal(b"app_secret=abc");
        assert!(!blob.windows(3).any(|w| w == b"abc"));
        assert_eq!(vault.open(&blob).unwrap(), b"app_secret=abc");
        assert!(Vault::from_key([8; 32]).open(&blob).is_err());
        let mut tampered = blob.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(vault.open(&tampered).is_err());
    }

    #[test]
    fn key_file_is_private_and_stable() {
        let dir = std::env::temp_dir().join(format!("fanloop-vault-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Vault::load_or_create(&dir, None).unwrap();
        let blob = first.seal(b"x");
        let second = Vault::load_or_create(&dir, None).unwrap();
        assert_eq!(second.open(&blob).unwrap(), b"x");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(Vault::load_or_create(&dir, Some("abcd")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
