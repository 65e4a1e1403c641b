//! Signed download URLs for payload parts too large to send inline:
//! `GET /v1/blobs/{id}?expires=<unix s>&signature=<hex HMAC-SHA256(key, "{id}.{expires}")>`,
//! valid 15 minutes by default, checked in constant time.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::store::{self, Store, StoreError};
use crate::time::Clock;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlobDenied {
    #[error("the link has expired")]
    Expired,
    #[error("the link's signature is not valid")]
    BadSignature,
    #[error("the link is missing its expiry or signature")]
    Incomplete,
}

/// The blob ID a download URL of ours names (`…/v1/blobs/{id}?…`).
pub fn blob_id(url: &str) -> Option<String> {
    let path = url.split('?').next()?;
    let id = path.rsplit_once("/v1/blobs/")?.1;
    (!id.is_empty() && !id.contains('/')).then(|| id.to_string())
}

/// A signed download URL and how long its content must be kept (Unix ms).
pub struct BlobLink {
    pub url: String,
    pub keep_until: i64,
}

/// Signs download links and checks them: the credential part of `Blobs`, with no store.
#[derive(Clone)]
pub struct LinkSigner {
    key: Arc<[u8]>,
}

impl LinkSigner {
    pub fn new(key: &[u8]) -> Self {
        LinkSigner {
            key: Arc::from(key),
        }
    }

    fn mac(&self, id: &str, expires: i64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(format!("{id}.{expires}").as_bytes());
        mac
    }

    /// The hex signature of a link to `id` that expires at `expires` (Unix s).
    pub fn signature(&self, id: &str, expires: i64) -> String {
        hex::encode(self.mac(id, expires).finalize().into_bytes())
    }

    /// Checks a link's signature (constant-time), then its expiry against `now_secs`.
    pub fn verify(
        &self,
        id: &str,
        expires: i64,
        signature: &str,
        now_secs: i64,
    ) -> Result<(), BlobDenied> {
        let bytes = hex::decode(signature).map_err(|_| BlobDenied::BadSignature)?;
        self.mac(id, expires)
            .verify_slice(&bytes)
            .map_err(|_| BlobDenied::BadSignature)?;
        if now_secs > expires {
            return Err(BlobDenied::Expired);
        }
        Ok(())
    }
}

/// A download request's `expires` and `signature` query values, read; a link missing
/// either (or with an expiry that is no number) is refused before any check.
pub fn link_parts<'a>(
    expires: Option<&str>,
    signature: Option<&'a str>,
) -> Result<(i64, &'a str), BlobDenied> {
    let expires = expires.and_then(|e| e.parse::<i64>().ok());
    match (expires, signature) {
        (Some(e), Some(s)) => Ok((e, s)),
        _ => Err(BlobDenied::Incomplete),
    }
}

#[derive(Clone)]
pub struct Blobs {
    store: Store,
    signer: LinkSigner,
    base_url: String,
    lifetime: Duration,
    clock: Clock,
}

impl Blobs {
    pub fn new(store: Store, key: &[u8], base_url: &str, lifetime: Duration, clock: Clock) -> Self {
        Blobs {
            store,
            signer: LinkSigner::new(key),
            base_url: base_url.trim_end_matches('/').to_string(),
            lifetime,
            clock,
        }
    }

    /// Stores `content` under `id` (kept at least as long as the URL lives) and returns a
    /// fresh signed URL for it.
    pub async fn publish(&self, id: &str, content: &str) -> Result<String, StoreError> {
        let now = self.clock.now_ms();
        let link = self.link(id);
        let mut tx = self.store.begin_write().await?;
        store::blobs::put(&mut tx, id, content, now, link.keep_until).await?;
        tx.commit().await?;
        Ok(link.url)
    }

    /// A fresh signed URL for `id`, for a caller that stores the content itself (in its
    /// own transaction) and keeps it until `keep_until`.
    pub fn link(&self, id: &str) -> BlobLink {
        let expires = self.clock.now_ms() / 1000 + self.lifetime.as_secs() as i64;
        let signature = self.signer.signature(id, expires);
        BlobLink {
            url: format!(
                "{}/v1/blobs/{id}?expires={expires}&signature={signature}",
                self.base_url
            ),
            // Kept a minute past the URL's end, so a download that starts in time finishes.
            keep_until: expires * 1000 + 60_000,
        }
    }

    /// Checks a URL's expiry and signature (constant-time).
    pub fn verify(&self, id: &str, expires: i64, signature: &str) -> Result<(), BlobDenied> {
        self.signer
            .verify(id, expires, signature, self.clock.now_ms() / 1000)
    }

    /// A fresh signed URL for a stored blob, kept at least as long as the URL lives; None
    /// when the blob is gone.
    pub async fn relink(&self, id: &str) -> Result<Option<String>, StoreError> {
        let link = self.link(id);
        let mut tx = self.store.begin_write().await?;
        let kept = store::blobs::extend(&mut tx, id, link.keep_until).await?;
        tx.commit().await?;
        Ok(kept.then_some(link.url))
    }

    pub async fn get(&self, id: &str) -> Result<Option<String>, StoreError> {
        store::blobs::get(&self.store, id).await
    }

    /// Deletes blobs whose every URL has expired.
    pub async fn clean_up(&self) -> Result<u64, StoreError> {
        let mut tx = self.store.begin_write().await?;
        let deleted = store::blobs::delete_expired(&mut tx, self.clock.now_ms()).await?;
        tx.commit().await?;
        Ok(deleted)
    }
}
