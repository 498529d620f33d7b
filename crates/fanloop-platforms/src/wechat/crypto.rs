//! WeChat's callback crypto: the plain-mode signature, the safe-mode ("安全模式") message
//! signature, and the AES envelope of pushed messages and encrypted replies, exactly as
//! PLATFORMS.md describes them.
//!
//! The envelope: key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes,
//! plaintext = random16 ‖ len (u32, big-endian) ‖ msg ‖ appid, PKCS#7-padded to a multiple
//! of **32** (not the AES block size: WeChat's reference code pads that way), AES-256-CBC,
//! base64.
//!
//! Pure: no IO, no clock, no randomness — the caller supplies the random prefix — so
//! every function is deterministic and tested against the official vector.

use aes::Aes256;
use aes::cipher::block_padding::NoPadding;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::Engine as _;
use base64::alphabet;
use base64::engine::{GeneralPurpose, GeneralPurposeConfig};
use fanloop_domain::Locale;
use sha1::{Digest, Sha1};
use subtle::ConstantTimeEq;

/// WeChat pads to this multiple, so a full pad is 32 bytes of 0x20.
const PAD_BLOCK: usize = 32;
const AES_BLOCK: usize = 16;
const RANDOM_LEN: usize = 16;
const LEN_PREFIX: usize = 4;

/// Base64 for `EncodingAESKey + "="`. WeChat generates the 43 characters at random, so
/// the last one usually carries non-zero trailing bits that a strict decoder refuses;
/// WeChat's own code (and every SDK) ignores them.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_allow_trailing_bits(true),
);

/// Why a key, a ciphertext or a decrypted envelope was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the EncodingAESKey must be 43 base64 characters")]
    InvalidKey,
    #[error("the ciphertext is not valid base64")]
    InvalidBase64,
    #[error("the ciphertext is not a whole number of AES blocks ({0} bytes)")]
    InvalidCiphertextLength(usize),
    #[error("the decrypted message has invalid PKCS#7 padding")]
    BadPadding,
    #[error("the decrypted message's length field does not fit the envelope")]
    BadLength,
    #[error("the message was encrypted for app id {found:?}, not this channel's")]
    AppIdMismatch { found: String },
    #[error("the decrypted message is not UTF-8")]
    NotUtf8,
}

impl CryptoError {
    /// What the operator reads, in their language; the `Display` form is for logs.
    pub fn message(&self, locale: Locale) -> &'static str {
        let (zh, en) = match self {
            CryptoError::InvalidKey => (
                "EncodingAESKey 无效：应为公众号后台生成的 43 位字符",
                "The EncodingAESKey is invalid: it must be the 43 characters from the WeChat console",
            ),
            CryptoError::InvalidBase64
            | CryptoError::InvalidCiphertextLength(_)
            | CryptoError::BadPadding
            | CryptoError::BadLength
            | CryptoError::NotUtf8 => (
                "消息解密失败：请核对 EncodingAESKey 是否与公众号后台一致",
                "The message could not be decrypted: check that the EncodingAESKey matches the WeChat console",
            ),
            CryptoError::AppIdMismatch { .. } => (
                "消息不属于本公众号（AppID 不符）",
                "The message was meant for another account (the AppID does not match)",
            ),
        };
        match locale {
            Locale::ZhCn => zh,
            Locale::En => en,
        }
    }
}

/// The plain-mode signature of a callback URL: sha1 hex of the sorted, joined strings.
pub fn signature(token: &str, timestamp: &str, nonce: &str) -> String {
    sorted_sha1(&mut [token, timestamp, nonce])
}

/// The safe-mode signature, which also covers the ciphertext.
pub fn msg_signature(token: &str, timestamp: &str, nonce: &str, encrypt: &str) -> String {
    sorted_sha1(&mut [token, timestamp, nonce, encrypt])
}

fn sorted_sha1(parts: &mut [&str]) -> String {
    // Byte-wise sort, as WeChat's reference implementations compare strings.
    parts.sort_unstable();
    let mut hasher = Sha1::new();
    for p in parts.iter() {
        hasher.update(p.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Compares a computed signature with the one received without leaking, through timing,
/// how many leading characters matched. Case-insensitive: hex is hex.
pub fn signatures_match(expected: &str, received: &str) -> bool {
    let received = received.trim().to_ascii_lowercase();
    expected
        .to_ascii_lowercase()
        .as_bytes()
        .ct_eq(received.as_bytes())
        .into()
}

/// The AES key from the 43-character EncodingAESKey.
fn aes_key(key43: &str) -> Result<[u8; 32], CryptoError> {
    if key43.len() != 43 {
        return Err(CryptoError::InvalidKey);
    }
    let bytes = KEY_BASE64
        .decode(format!("{key43}="))
        .map_err(|_| CryptoError::InvalidKey)?;
    bytes.try_into().map_err(|_| CryptoError::InvalidKey)
}

type Enc = cbc::Encryptor<Aes256>;
type Dec = cbc::Decryptor<Aes256>;

/// Encrypts `msg` for `appid`, returning the base64 `Encrypt` value. `random16` must come
/// from a CSPRNG in production; tests pass fixed bytes to reproduce known vectors.
pub fn encrypt(
    key43: &str,
    appid: &str,
    random16: &[u8; 16],
    msg: &str,
) -> Result<String, CryptoError> {
    let key = aes_key(key43)?;
    let msg_len = u32::try_from(msg.len()).map_err(|_| CryptoError::BadLength)?;
    let mut buf = Vec::with_capacity(RANDOM_LEN + LEN_PREFIX + msg.len() + appid.len() + 32);
    buf.extend_from_slice(random16);
    buf.extend_from_slice(&msg_len.to_be_bytes());
    buf.extend_from_slice(msg.as_bytes());
    buf.extend_from_slice(appid.as_bytes());
    let pad = PAD_BLOCK - buf.len() % PAD_BLOCK;
    // `pad` is 1..=32, so it fits in a byte.
    buf.resize(buf.len() + pad, pad as u8);
    let len = buf.len();
    let cipher = Enc::new(&key.into(), key[..16].into())
        .encrypt_padded_mut::<NoPadding>(&mut buf, len)
        // Unreachable: the buffer is a whole number of blocks by construction.
        .map_err(|_| CryptoError::InvalidCiphertextLength(len))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(cipher))
}

/// Decrypts an `Encrypt` value and checks it was meant for `appid`. Verify the
/// `msg_signature` first: it authenticates the ciphertext, so padding errors here can
/// never serve as an oracle to someone without the token.
pub fn decrypt(key43: &str, appid: &str, b64: &str) -> Result<String, CryptoError> {
    let key = aes_key(key43)?;
    let mut buf = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| CryptoError::InvalidBase64)?;
    let len = buf.len();
    if len == 0 || len % AES_BLOCK != 0 {
        return Err(CryptoError::InvalidCiphertextLength(len));
    }
    let plain = Dec::new(&key.into(), key[..16].into())
        .decrypt_padded_mut::<NoPadding>(&mut buf)
        .map_err(|_| CryptoError::InvalidCiphertextLength(len))?;
    let unpadded = unpad(plain)?;
    if unpadded.len() < RANDOM_LEN + LEN_PREFIX {
        return Err(CryptoError::BadLength);
    }
    let body = &unpadded[RANDOM_LEN..];
    let (len_bytes, rest) = body.split_at(LEN_PREFIX);
    let msg_len = u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
    let msg_len = usize::try_from(msg_len).map_err(|_| CryptoError::BadLength)?;
    if msg_len > rest.len() {
        return Err(CryptoError::BadLength);
    }
    let (msg, found_appid) = rest.split_at(msg_len);
    if found_appid != appid.as_bytes() {
        return Err(CryptoError::AppIdMismatch {
            found: String::from_utf8_lossy(found_appid).into_owned(),
        });
    }
    String::from_utf8(msg.to_vec()).map_err(|_| CryptoError::NotUtf8)
}

/// Strict PKCS#7 removal for WeChat's 32-byte pad: every pad byte must carry the count.
fn unpad(plain: &[u8]) -> Result<&[u8], CryptoError> {
    let pad = usize::from(*plain.last().ok_or(CryptoError::BadPadding)?);
    if pad == 0 || pad > PAD_BLOCK || pad > plain.len() {
        return Err(CryptoError::BadPadding);
    }
    let (body, tail) = plain.split_at(plain.len() - pad);
    if tail.iter().any(|&b| usize::from(b) != pad) {
        return Err(CryptoError::BadPadding);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    const APPID: &str = "wxb11529c136998cb6";
    const VECTOR: &str =
        "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg==";

    #[test]
    fn official_vector_encrypts_exactly() {
        let out = encrypt(KEY, APPID, b"aaaabbbbccccdddd", "我是中文abcd123").unwrap();
        assert_eq!(out, VECTOR);
    }

    #[test]
    fn official_vector_decrypts() {
        assert_eq!(decrypt(KEY, APPID, VECTOR).unwrap(), "我是中文abcd123");
    }

    #[test]
    fn round_trips_every_pad_length() {
        // 16 + 4 + 18 (appid) = 38 bytes of overhead; messages of 0..70 bytes cover every
        // pad from 1 to 32, including the full 32-byte pad.
        for n in 0..70 {
            let msg = "x".repeat(n);
            let c = encrypt(KEY, APPID, &[7; 16], &msg).unwrap();
            assert_eq!(decrypt(KEY, APPID, &c).unwrap(), msg, "length {n}");
        }
    }

    #[test]
    fn refuses_what_it_must() {
        let c = encrypt(KEY, APPID, &[1; 16], "<xml/>").unwrap();
        assert_eq!(
            decrypt(KEY, "wx0000000000000000", &c),
            Err(CryptoError::AppIdMismatch {
                found: APPID.into()
            })
        );
        assert_eq!(decrypt("short", APPID, &c), Err(CryptoError::InvalidKey));
        assert_eq!(
            decrypt(&"!".repeat(43), APPID, &c),
            Err(CryptoError::InvalidKey)
        );
        assert_eq!(decrypt(KEY, APPID, "%%%"), Err(CryptoError::InvalidBase64));
        assert_eq!(
            decrypt(KEY, APPID, "AAAA"),
            Err(CryptoError::InvalidCiphertextLength(3))
        );
        // Another key decrypts to garbage, which the strict padding check refuses
        // (a stray valid pad would still fail the length or app id check).
        let other = "zyxwvutsrqponmlkjihgfedcba9876543210ABCDEFG";
        assert!(decrypt(other, APPID, &c).is_err());
    }

    #[test]
    fn padding_is_checked_byte_by_byte() {
        assert_eq!(unpad(&[9, 3, 3, 3]).unwrap(), &[9]);
        assert_eq!(unpad(&[9, 2, 3, 3]), Err(CryptoError::BadPadding));
        assert_eq!(unpad(&[9, 0]), Err(CryptoError::BadPadding));
        assert_eq!(unpad(&[33; 40]), Err(CryptoError::BadPadding));
        assert_eq!(unpad(&[]), Err(CryptoError::BadPadding));
    }

    #[test]
    fn signatures_sort_before_hashing() {
        // The parts are hashed in byte order, whatever order they come in.
        let s = signature("xxxxxx", "1409304348", "jxlrhxbl");
        assert_eq!(s, signature("xxxxxx", "jxlrhxbl", "1409304348"));
        let mut h = Sha1::new();
        h.update(b"1409304348jxlrhxblxxxxxx");
        assert_eq!(s, hex::encode(h.finalize()));
        let m = msg_signature("tok", "1", "n", "ENC");
        let mut h = Sha1::new();
        h.update(b"1ENCntok");
        assert_eq!(m, hex::encode(h.finalize()));
    }

    #[test]
    fn signature_comparison() {
        let s = signature("t", "1", "2");
        assert!(signatures_match(&s, &s));
        assert!(signatures_match(&s, &s.to_uppercase()));
        assert!(!signatures_match(&s, &s[..39]));
        assert!(!signatures_match(&s, &signature("t", "1", "3")));
    }
}
