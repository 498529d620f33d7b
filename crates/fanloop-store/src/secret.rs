//! Bearer secrets (sessions, API tokens, invitation and setup links): random, shown to
//! their holder once, and stored only as a SHA-256 hash so a database leak reveals none.

use sha2::{Digest, Sha256};

/// A new random secret with a readable prefix (`flp_`, `fls_`, …) so a leaked one is
/// easy to recognise in logs and secret scanners.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    // The OS generator failing means the machine cannot make secrets at all; nothing
    // sensible can continue.
    getrandom::fill(&mut bytes).expect("the operating system's random generator failed");
    format!("{prefix}{}", hex::encode(bytes))
}

/// The stored form of a bearer secret. Tokens carry 256 random bits, so a fast hash is
/// enough; a slow one would only cost every request.
pub fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}
