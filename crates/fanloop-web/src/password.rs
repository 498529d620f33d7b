//! Password hashing with argon2id (OWASP's recommended parameters, the crate default),
//! run off the async threads because each hash costs tens of milliseconds of CPU.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::LazyLock;

/// A PHC-format argon2id hash of `password`.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random generator failed");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password length we allow")
        .to_string()
}

/// Checked against when no account has the email, so both cases take the same time and
/// response timing does not reveal which emails have accounts.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("fanloop-dummy-password"));

pub fn verify(password: &str, hash: Option<&str>) -> bool {
    let hash = hash.unwrap_or(&DUMMY_HASH);
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

pub async fn verify_async(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, hash.as_deref()))
        .await
        .unwrap_or(false)
}

/// `None` only if the hashing thread died, which callers report as an internal error.
pub async fn hash_async(password: String) -> Option<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip() {
        let h = super::hash_password("十个字的中文密码很安全");
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("十个字的中文密码很安全", Some(&h)));
        assert!(!super::verify("wrong password", Some(&h)));
        assert!(!super::verify("anything", None));
    }
}
