//! Kinesis destinations (issue 4 completes this: PutRecords with SigV4). Until then a
//! Kinesis attempt fails with a clear configuration error and the message stays
//! recoverable; nothing is reported as delivered.

use super::{AttemptResult, ErrorClass, Outgoing, Target};

pub const MAX_RECORDS_PER_REQUEST: usize = 500;

#[derive(Clone)]
pub struct KinesisSink;

impl KinesisSink {
    pub fn new() -> anyhow::Result<Self> {
        Ok(KinesisSink)
    }

    pub async fn deliver(&self, _target: &Target, batch: &[Outgoing]) -> Vec<AttemptResult> {
        batch
            .iter()
            .map(|_| {
                AttemptResult::failed(
                    ErrorClass::Config,
                    "Kinesis delivery is not available in this build yet",
                )
            })
            .collect()
    }
}
