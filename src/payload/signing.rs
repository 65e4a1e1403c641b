//! Standard Webhooks (Svix-compatible) signatures for outgoing webhook messages.
//!
//! A signature is `v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>`, where the key is
//! the base64-decoded part of a `whsec_…` secret. While a secret is being rotated, the
//! `webhook-signature` header carries one signature per live secret, separated by spaces.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Header names from the Standard Webhooks specification.
pub const HEADER_ID: &str = "webhook-id";
pub const HEADER_TIMESTAMP: &str = "webhook-timestamp";
pub const HEADER_SIGNATURE: &str = "webhook-signature";

/// The prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// How far a receiver should let a message's timestamp drift from its clock (the spec's default).
pub const DEFAULT_TOLERANCE_SECS: i64 = 5 * 60;

/// Random bytes in a generated secret (Svix uses 24; the spec allows 24 to 64).
const SECRET_BYTES: usize = 24;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigningError {
    #[error("the signing secret is not valid base64 after `whsec_`")]
    InvalidSecret,
    #[error("the signing secret is empty")]
    EmptySecret,
    #[error("no signing secret was given")]
    NoSecrets,
    #[error("no signature in the header matches the message")]
    NoMatchingSignature,
    #[error("the message timestamp is too far from the current time")]
    TimestampOutOfTolerance,
}

type HmacSha256 = Hmac<Sha256>;

/// Decodes `whsec_<base64>` into the HMAC key. As in the reference libraries, a secret without
/// the prefix is taken to be the bare base64 key.
fn key(secret: &str) -> Result<Vec<u8>, SigningError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = BASE64
        .decode(encoded)
        .map_err(|_| SigningError::InvalidSecret)?;
    if key.is_empty() {
        return Err(SigningError::EmptySecret);
    }
    Ok(key)
}

fn mac(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<HmacSha256, SigningError> {
    let key = key(secret)?;
    let mut mac = HmacSha256::new_from_slice(&key).expect("HMAC takes a key of any length");
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(mac)
}

/// Signs one message with one secret: `v1,<base64 signature>`.
pub fn sign(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SigningError> {
    let tag = mac(secret, msg_id, timestamp, body)?
        .finalize()
        .into_bytes();
    Ok(format!("v1,{}", BASE64.encode(tag)))
}

/// The `webhook-signature` value: one signature per secret, joined by a single space, so
/// receivers holding either the old or the new secret accept the message during rotation.
pub fn signature_header(
    secrets: &[&str],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, SigningError> {
    if secrets.is_empty() {
        return Err(SigningError::NoSecrets);
    }
    let signatures = secrets
        .iter()
        .map(|secret| sign(secret, msg_id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// A new secret: `whsec_` and the standard base64 of 24 random bytes.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", BASE64.encode(bytes))
}

/// Checks that some `v1` signature in `header` (space-separated, as sent) was made with
/// `secret` over this message. Comparison is constant-time; other versions are ignored.
/// The timestamp's freshness is a separate check: [`check_timestamp`].
pub fn verify(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
    header: &str,
) -> Result<(), SigningError> {
    let expected = mac(secret, msg_id, timestamp, body)?;
    let matches = header
        .split(' ')
        .filter_map(|sig| sig.strip_prefix("v1,"))
        .filter_map(|sig| BASE64.decode(sig).ok())
        .any(|sig| expected.clone().verify_slice(&sig).is_ok());
    if matches {
        Ok(())
    } else {
        Err(SigningError::NoMatchingSignature)
    }
}

/// Rejects a message whose timestamp is more than `tolerance_secs` away from `now` (both Unix
/// seconds), which limits replays of captured messages.
pub fn check_timestamp(timestamp: i64, now: i64, tolerance_secs: i64) -> Result<(), SigningError> {
    if now.abs_diff(timestamp) > tolerance_secs.unsigned_abs() {
        return Err(SigningError::TimestampOutOfTolerance);
    }
    Ok(())
}

/// The published Standard Webhooks / Svix test vector, for this crate's tests.
#[cfg(test)]
pub(crate) mod vector {
    pub const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
    pub const MSG_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
    pub const TIMESTAMP: i64 = 1649367553;
    pub const BODY: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
    pub const SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";
}

#[cfg(test)]
mod tests {
    use super::vector::*;
    use super::*;

    #[test]
    fn matches_the_published_vector() {
        assert_eq!(sign(SECRET, MSG_ID, TIMESTAMP, BODY).unwrap(), SIGNATURE);
        // The prefix is optional, as in the reference libraries.
        let bare = SECRET.strip_prefix(SECRET_PREFIX).unwrap();
        assert_eq!(sign(bare, MSG_ID, TIMESTAMP, BODY).unwrap(), SIGNATURE);
    }

    #[test]
    fn header_joins_one_signature_per_secret() {
        let other = generate_secret();
        let header = signature_header(&[SECRET, &other], MSG_ID, TIMESTAMP, BODY).unwrap();
        let parts: Vec<_> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], SIGNATURE);
        assert_eq!(parts[1], sign(&other, MSG_ID, TIMESTAMP, BODY).unwrap());
        assert_eq!(
            signature_header(&[], MSG_ID, TIMESTAMP, BODY),
            Err(SigningError::NoSecrets)
        );
    }

    #[test]
    fn verify_accepts_any_matching_signature_and_nothing_else() {
        let other = generate_secret();
        let header = format!(
            "v1a,ignored {} {SIGNATURE}",
            sign(&other, MSG_ID, TIMESTAMP, BODY).unwrap()
        );
        assert_eq!(verify(SECRET, MSG_ID, TIMESTAMP, BODY, &header), Ok(()));
        assert_eq!(verify(&other, MSG_ID, TIMESTAMP, BODY, &header), Ok(()));

        let no = Err(SigningError::NoMatchingSignature);
        assert_eq!(verify(SECRET, MSG_ID, TIMESTAMP + 1, BODY, SIGNATURE), no);
        assert_eq!(verify(SECRET, "msg_other", TIMESTAMP, BODY, SIGNATURE), no);
        assert_eq!(verify(SECRET, MSG_ID, TIMESTAMP, b"{}", SIGNATURE), no);
        assert_eq!(
            verify(&generate_secret(), MSG_ID, TIMESTAMP, BODY, SIGNATURE),
            no
        );
        assert_eq!(
            verify(SECRET, MSG_ID, TIMESTAMP, BODY, "v1,not-base64!"),
            no
        );
        assert_eq!(verify(SECRET, MSG_ID, TIMESTAMP, BODY, ""), no);
    }

    #[test]
    fn generated_secrets_are_24_random_bytes() {
        let a = generate_secret();
        let b = generate_secret();
        assert_ne!(a, b);
        let key = BASE64
            .decode(a.strip_prefix(SECRET_PREFIX).unwrap())
            .unwrap();
        assert_eq!(key.len(), 24);
        assert_eq!(a.len(), SECRET_PREFIX.len() + 32);
    }

    #[test]
    fn bad_secrets_are_errors() {
        assert_eq!(
            sign("whsec_%%%", MSG_ID, TIMESTAMP, BODY),
            Err(SigningError::InvalidSecret)
        );
        assert_eq!(
            sign("whsec_", MSG_ID, TIMESTAMP, BODY),
            Err(SigningError::EmptySecret)
        );
        assert_eq!(
            signature_header(&[SECRET, "whsec_%"], MSG_ID, TIMESTAMP, BODY),
            Err(SigningError::InvalidSecret)
        );
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_rejected() {
        let t = DEFAULT_TOLERANCE_SECS;
        assert_eq!(check_timestamp(TIMESTAMP, TIMESTAMP + t, t), Ok(()));
        assert_eq!(check_timestamp(TIMESTAMP, TIMESTAMP - t, t), Ok(()));
        assert_eq!(
            check_timestamp(TIMESTAMP, TIMESTAMP + t + 1, t),
            Err(SigningError::TimestampOutOfTolerance)
        );
        assert_eq!(
            check_timestamp(TIMESTAMP + t + 1, TIMESTAMP, t),
            Err(SigningError::TimestampOutOfTolerance)
        );
    }
}
