//! Kinesis destinations: each message becomes one JSON record, sent in SigV4-signed
//! `PutRecords` requests; a record Kinesis turns away fails alone and is retried alone.

pub mod api;
mod record;

use futures_util::stream::{self, StreamExt};

use super::{AttemptResult, ErrorClass, Outgoing, Target};
use record::Record;

/// Kinesis' limits for `PutRecords`.
pub const MAX_RECORDS_PER_REQUEST: usize = 500;
pub const MAX_REQUEST_BYTES: usize = 5 * 1024 * 1024;
/// Data plus partition key, in bytes.
pub const MAX_RECORD_BYTES: usize = 1024 * 1024;
pub const MAX_PARTITION_KEY_CHARS: usize = 256;
/// How many requests of one batch (split by the 5 MiB rule) are in flight at once.
const PARALLEL_REQUESTS: usize = 4;

#[derive(Clone)]
pub struct KinesisSink {
    http: reqwest::Client,
}

impl KinesisSink {
    /// `extra_roots`: CA certificates to trust besides the Mozilla roots; `policy`: where
    /// endpoints may be (names are judged as they resolve).
    pub fn new(
        extra_roots: &[rustls::pki_types::CertificateDer<'static>],
        policy: std::sync::Arc<super::policy::NetworkPolicy>,
    ) -> anyhow::Result<Self> {
        let mut builder = reqwest::Client::builder()
            .dns_resolver(std::sync::Arc::new(super::policy::PolicyResolver::new(
                policy,
            )))
            .connect_timeout(std::time::Duration::from_secs(10))
            .pool_max_idle_per_host(64)
            // Kinesis answers; it does not send us elsewhere.
            .redirect(reqwest::redirect::Policy::none());
        for cert in extra_roots {
            builder = builder.add_root_certificate(reqwest::Certificate::from_der(cert)?);
        }
        Ok(KinesisSink {
            http: builder.build()?,
        })
    }

    /// Delivers up to `MAX_RECORDS_PER_REQUEST` messages of one destination; one result
    /// per message, in order.
    pub async fn deliver(&self, target: &Target, batch: &[Outgoing]) -> Vec<AttemptResult> {
        let endpoint = match api::Endpoint::for_target(target) {
            Ok(e) => e,
            Err(why) => {
                return batch
                    .iter()
                    .map(|_| AttemptResult::failed(ErrorClass::Config, why.clone()))
                    .collect()
            }
        };
        let mut results: Vec<Option<AttemptResult>> = vec![None; batch.len()];
        let prepared =
            record::prepare_all(target.metadata.partition_key_template.as_deref(), batch);
        let mut ready: Vec<(usize, Record)> = Vec::with_capacity(batch.len());
        for (i, p) in prepared.into_iter().enumerate() {
            match p {
                Ok(r) => ready.push((i, r)),
                Err(failed) => results[i] = Some(failed),
            }
        }
        // The futures are built first: a stream mapping a closure to futures that borrow
        // would not be `Send` enough for the dispatcher's spawned task.
        let requests: Vec<_> = split(&ready)
            .into_iter()
            .map(|chunk| self.send(&endpoint, target, chunk))
            .collect();
        let answers: Vec<_> = stream::iter(requests)
            .buffered(PARALLEL_REQUESTS)
            .collect()
            .await;
        for (chunk, answers) in answers {
            for (i, answer) in chunk.into_iter().zip(answers) {
                results[i] = Some(answer);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| AttemptResult::failed(ErrorClass::Io, "no outcome")))
            .collect()
    }
}

impl KinesisSink {
    /// One request; the batch positions of its records with their outcomes.
    async fn send(
        &self,
        endpoint: &api::Endpoint<'_>,
        target: &Target,
        chunk: Vec<(usize, &Record)>,
    ) -> (Vec<usize>, Vec<AttemptResult>) {
        let (positions, records): (Vec<usize>, Vec<&Record>) = chunk.into_iter().unzip();
        let answers = api::put_records(&self.http, endpoint, target.timeout, &records).await;
        (positions, answers)
    }
}

/// Groups records, in order, into requests within Kinesis' count and size limits.
fn split(records: &[(usize, Record)]) -> Vec<Vec<(usize, &Record)>> {
    let mut requests = Vec::new();
    let mut current: Vec<(usize, &Record)> = Vec::new();
    let mut bytes = 0;
    for (i, r) in records {
        if !current.is_empty()
            && (current.len() == MAX_RECORDS_PER_REQUEST || bytes + r.size() > MAX_REQUEST_BYTES)
        {
            requests.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += r.size();
        current.push((*i, r));
    }
    if !current.is_empty() {
        requests.push(current);
    }
    requests
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(size: usize) -> Record {
        Record {
            data: vec![b'x'; size - 1],
            partition_key: "k".into(),
        }
    }

    #[test]
    fn requests_respect_the_count_and_size_limits() {
        let small: Vec<_> = (0..1200).map(|i| (i, rec(10))).collect();
        let sizes: Vec<usize> = split(&small).iter().map(Vec::len).collect();
        assert_eq!(sizes, [500, 500, 200]);

        let big: Vec<_> = (0..12).map(|i| (i, rec(MAX_RECORD_BYTES))).collect();
        let requests = split(&big);
        let sizes: Vec<usize> = requests.iter().map(Vec::len).collect();
        assert_eq!(sizes, [5, 5, 2]);
        let order: Vec<usize> = requests.iter().flatten().map(|(i, _)| *i).collect();
        assert_eq!(order, (0..12).collect::<Vec<_>>());
    }
}
