//! The signature report: for each header spelling a webhook may carry (`webhook-*` of
//! Standard Webhooks, `svix-*` of Svix), what was signed, which `v1,` signature matched
//! which secret, how far the timestamp is from now, and — when nothing matched — why.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::payload::signing::{self, SigningError, DEFAULT_TOLERANCE_SECS, SECRET_PREFIX};

/// A secret to check signatures with, and what to call it in the report ("current",
/// "previous", "given 1").
#[derive(Clone, Debug)]
pub struct NamedSecret {
    pub label: String,
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// True when some signature matched a secret and the timestamp is within tolerance.
    pub verified: bool,
    /// One entry per header spelling present (`webhook`, `svix`).
    pub header_sets: Vec<HeaderSet>,
    /// The secrets that were tried, by label, and whether each is usable.
    pub secrets: Vec<SecretCheck>,
    /// Why nothing verified, most likely first; empty when verified.
    pub causes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeaderSet {
    /// `webhook` (webhook-id, webhook-timestamp, webhook-signature) or `svix`.
    pub prefix: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timestamp: Option<i64>,
    /// Seconds the timestamp is ahead of (positive) or behind (negative) now.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub skew_seconds: Option<i64>,
    pub tolerance_seconds: i64,
    /// `id.timestamp.body`, with the body shortened.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub signed_content: Option<String>,
    pub signatures: Vec<SignatureCheck>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignatureCheck {
    /// As sent, e.g. `v1,K5oZ…`.
    pub signature: String,
    /// The label of the secret it matched, if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub matched_secret: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretCheck {
    pub label: String,
    /// Why it cannot be used, when it cannot (not base64 after `whsec_`, empty).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub problem: Option<String>,
}

const SPELLINGS: [&str; 2] = ["webhook", "svix"];
const SHOWN_BODY: usize = 48;

/// Reports on the signatures in `headers` (names compared without case) over `body`,
/// checked with `secrets`, at `now` (Unix seconds). None when the request carries no
/// signature header of either spelling and no secret was given: nothing to report.
pub fn report(
    headers: &[(String, String)],
    body: &[u8],
    secrets: &[NamedSecret],
    now: i64,
) -> Option<SignatureReport> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    let present: Vec<&str> = SPELLINGS
        .into_iter()
        .filter(|p| {
            ["id", "timestamp", "signature"]
                .iter()
                .any(|h| header(&format!("{p}-{h}")).is_some())
        })
        .collect();
    if present.is_empty() && secrets.is_empty() {
        return None;
    }

    let secret_checks: Vec<SecretCheck> = secrets
        .iter()
        .map(|s| SecretCheck {
            label: s.label.clone(),
            problem: signing::sign(&s.secret, "", 0, b"").err().map(|e| match e {
                SigningError::InvalidSecret => format!(
                    "is not valid base64 after `{SECRET_PREFIX}` (check for a truncated copy or a stray character)"
                ),
                other => other.to_string(),
            }),
        })
        .collect();
    let usable: Vec<&NamedSecret> = secrets
        .iter()
        .zip(&secret_checks)
        .filter(|(_, c)| c.problem.is_none())
        .map(|(s, _)| s)
        .collect();

    let mut causes = Vec::new();
    let mut sets = Vec::new();
    let mut verified = false;
    for prefix in &present {
        let id = header(&format!("{prefix}-id"));
        let raw_timestamp = header(&format!("{prefix}-timestamp"));
        let timestamp = raw_timestamp.as_deref().and_then(|t| t.parse::<i64>().ok());
        let sent = header(&format!("{prefix}-signature")).unwrap_or_default();
        for missing in ["id", "timestamp", "signature"] {
            if header(&format!("{prefix}-{missing}")).is_none() {
                causes.push(format!("the {prefix}-{missing} header is missing"));
            }
        }
        if let (Some(raw), None) = (&raw_timestamp, timestamp) {
            causes.push(format!(
                "{prefix}-timestamp '{raw}' is not a number of Unix seconds"
            ));
        }
        let skew = timestamp.map(|t| t - now);
        let fresh = skew.is_some_and(|s| s.abs() <= DEFAULT_TOLERANCE_SECS);
        if let Some(s) = skew.filter(|_| !fresh) {
            causes.push(if s < 0 {
                format!("{prefix}-timestamp is {} s old, past the {DEFAULT_TOLERANCE_SECS} s tolerance (a replay, or a receiver clock that is off)", -s)
            } else {
                format!("{prefix}-timestamp is {s} s in the future, past the {DEFAULT_TOLERANCE_SECS} s tolerance (a sender clock that is off)")
            });
        }
        let mut checks = Vec::new();
        let mut matched_any = false;
        for signature in sent.split(' ').filter(|s| !s.is_empty()) {
            let matched = match (&id, timestamp) {
                (Some(id), Some(ts)) => usable
                    .iter()
                    .find(|s| signing::verify(&s.secret, id, ts, body, signature).is_ok())
                    .map(|s| s.label.clone()),
                _ => None,
            };
            matched_any |= matched.is_some();
            checks.push(SignatureCheck {
                signature: signature.to_string(),
                matched_secret: matched,
            });
        }
        if !sent.is_empty() && !sent.split(' ').any(|s| s.starts_with("v1,")) {
            causes.push(format!("{prefix}-signature has no `v1,` signature"));
        }
        if let (Some(id), Some(ts), false) = (&id, timestamp, matched_any) {
            if let Some(cause) = explain_mismatch(prefix, id, ts, body, &sent, &usable) {
                causes.push(cause);
            }
        }
        verified |= matched_any && fresh;
        sets.push(HeaderSet {
            prefix: prefix.to_string(),
            signed_content: id
                .as_ref()
                .zip(raw_timestamp.as_ref())
                .map(|(id, ts)| format!("{id}.{ts}.{}", shorten(body))),
            id,
            timestamp,
            skew_seconds: skew,
            tolerance_seconds: DEFAULT_TOLERANCE_SECS,
            signatures: checks,
        });
    }
    if present.is_empty() {
        causes.push(
            "no signature headers: neither webhook-id/-timestamp/-signature nor svix-*".into(),
        );
    }
    if let [a, b] = sets.as_slice() {
        if a.id.is_some() && b.id.is_some() && a.id != b.id {
            // Which one a receiver's library reads is up to it: not verified either way.
            verified = false;
            causes.push(format!(
                "the two header sets name different messages: {}-id is {}, {}-id is {}",
                a.prefix,
                a.id.as_deref().unwrap_or_default(),
                b.prefix,
                b.id.as_deref().unwrap_or_default()
            ));
        }
    }
    for check in secret_checks.iter().filter(|c| c.problem.is_some()) {
        causes.push(format!(
            "the {} secret {}",
            check.label,
            check.problem.as_deref().unwrap_or_default()
        ));
    }
    if secrets.is_empty() && !present.is_empty() {
        causes.push("no secret to check with: give one, or name the destination".into());
    }
    if verified {
        causes.clear();
    }
    Some(SignatureReport {
        verified,
        header_sets: sets,
        secrets: secret_checks,
        causes,
    })
}

/// Why no signature matched although the headers are there: the body was re-serialized
/// (a signature matches a canonical form of it), or no secret made any of them.
fn explain_mismatch(
    prefix: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
    sent: &str,
    secrets: &[&NamedSecret],
) -> Option<String> {
    if secrets.is_empty() {
        return None;
    }
    if let Ok(value) = serde_json::from_slice::<Value>(body) {
        // The likeliest first: the same JSON without its whitespace (a framework that
        // pretty-printed it kept the key order), then forms with the keys sorted.
        let forms = [
            ("compact", Some(minify(body))),
            ("compact, keys sorted,", serde_json::to_vec(&value).ok()),
            ("pretty-printed", serde_json::to_vec_pretty(&value).ok()),
        ];
        for (name, form) in forms {
            let Some(form) = form.filter(|f| f.as_slice() != body) else {
                continue;
            };
            let hit = secrets
                .iter()
                .any(|s| signing::verify(&s.secret, id, timestamp, &form, sent).is_ok());
            if hit {
                let at = first_difference(body, &form);
                return Some(format!(
                    "the body was re-serialized: the signature is over its {name} JSON form, which first differs at byte {at} (received {}, signed {}); verify the raw bytes as received, before any JSON parsing",
                    byte_at(body, at),
                    byte_at(&form, at)
                ));
            }
        }
    }
    let labels: Vec<&str> = secrets.iter().map(|s| s.label.as_str()).collect();
    Some(format!(
        "no {prefix}-signature matches the {} secret{}: a different secret signed it, or the body, ID or timestamp changed after signing",
        labels.join(" or "),
        if labels.len() == 1 { "" } else { "s" }
    ))
}

/// `json` without the whitespace between its tokens, keys and strings untouched.
fn minify(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            out.push(b);
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if !b.is_ascii_whitespace() {
            in_string = b == b'"';
            out.push(b);
        }
    }
    out
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

fn byte_at(bytes: &[u8], at: usize) -> String {
    match bytes.get(at) {
        Some(b) if b.is_ascii_graphic() => format!("'{}'", *b as char),
        Some(b' ') => "a space".into(),
        Some(b'\n') => "a newline".into(),
        Some(b) => format!("0x{b:02x}"),
        None => "the end".into(),
    }
}

fn shorten(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(SHOWN_BODY)]);
    if body.len() > SHOWN_BODY {
        format!("{text}… ({} bytes)", body.len())
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::payload::signing::vector::{BODY, MSG_ID, SECRET, SIGNATURE, TIMESTAMP};

    fn headers(prefix: &str) -> Vec<(String, String)> {
        vec![
            (format!("{prefix}-id"), MSG_ID.into()),
            (format!("{prefix}-timestamp"), TIMESTAMP.to_string()),
            (format!("{prefix}-signature"), SIGNATURE.into()),
        ]
    }

    fn secret(label: &str, secret: &str) -> NamedSecret {
        NamedSecret {
            label: label.into(),
            secret: secret.into(),
        }
    }

    #[test]
    fn the_published_vector_verifies_under_both_spellings() {
        for prefix in ["webhook", "Svix"] {
            let r = report(
                &headers(prefix),
                BODY,
                &[secret("current", SECRET)],
                TIMESTAMP + 10,
            )
            .unwrap();
            assert!(r.verified, "{r:?}");
            assert_eq!(
                r.header_sets[0].signatures[0].matched_secret.as_deref(),
                Some("current")
            );
            assert_eq!(r.header_sets[0].skew_seconds, Some(-10));
            assert!(r.causes.is_empty());
        }
    }

    #[test]
    fn the_previous_key_is_named_when_it_matched() {
        let other = signing::generate_secret();
        let r = report(
            &headers("webhook"),
            BODY,
            &[secret("current", &other), secret("previous", SECRET)],
            TIMESTAMP,
        )
        .unwrap();
        assert!(r.verified);
        assert_eq!(
            r.header_sets[0].signatures[0].matched_secret.as_deref(),
            Some("previous")
        );
    }

    #[test]
    fn each_cause_is_named() {
        let now = TIMESTAMP;
        let cause = |h: &[(String, String)], body: &[u8], secrets: &[NamedSecret], now: i64| {
            let r = report(h, body, secrets, now).unwrap();
            assert!(!r.verified);
            r.causes.join(" | ")
        };
        let good = [secret("current", SECRET)];
        // Re-serialized: the body as received is pretty-printed, the signature is over the
        // compact form.
        let pretty = br#"{ "username": "test_user",
  "email":   "test@example.com" }"#;
        let pretty = &pretty[..];
        // Keys reordered too: the sorted compact form is what was signed.
        let c = cause(&headers("webhook"), pretty, &good, now);
        assert!(
            c.contains("re-serialized") && c.contains("keys sorted"),
            "{c}"
        );
        let pretty =
            serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(BODY).unwrap()).unwrap();
        let c = cause(&headers("webhook"), &pretty, &good, now);
        assert!(
            c.contains("re-serialized") && c.contains("compact") && c.contains("byte 1"),
            "{c}"
        );
        // A secret that is not base64.
        let c = cause(
            &headers("webhook"),
            BODY,
            &[secret("given 1", "whsec_not*base64")],
            now,
        );
        assert!(c.contains("given 1 secret is not valid base64"), "{c}");
        // Stale and future timestamps.
        assert!(cause(&headers("webhook"), BODY, &good, now + 3600).contains("3600 s old"));
        assert!(cause(&headers("webhook"), BODY, &good, now - 600).contains("600 s in the future"));
        // The two spellings name different messages.
        let mut both = headers("webhook");
        both.extend(headers("svix").into_iter().map(|(n, v)| {
            if n == "svix-id" {
                (n, "msg_other".to_string())
            } else {
                (n, v)
            }
        }));
        let r = report(&both, BODY, &good, now).unwrap();
        assert!(
            r.causes.iter().any(|c| c.contains("different messages")),
            "{r:?}"
        );
        // A missing header.
        let c = cause(&headers("webhook")[..2], BODY, &good, now);
        assert!(c.contains("webhook-signature header is missing"), "{c}");
        // A wrong secret.
        let c = cause(
            &headers("webhook"),
            BODY,
            &[secret("current", &signing::generate_secret())],
            now,
        );
        assert!(
            c.contains("no webhook-signature matches the current secret"),
            "{c}"
        );
        // Nothing to report at all.
        assert!(report(&[], BODY, &[], now).is_none());
    }
}
