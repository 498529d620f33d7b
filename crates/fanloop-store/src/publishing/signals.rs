//! Hearing, on PostgreSQL, that another instance queued a job: the `jobs_queued`
//! trigger (migration 13) sends `NOTIFY fanloop_jobs` whenever a job becomes claimable,
//! and each scheduler listens. SQLite has no other instances to hear from.

use crate::{Backend, Store, StoreError};
use sqlx::postgres::PgListener;

const CHANNEL: &str = "fanloop_jobs";

/// A subscription to "a job became claimable somewhere".
pub struct JobSignals(PgListener);

impl Store {
    /// Listens for jobs queued by any instance; `None` on SQLite.
    pub async fn job_signals(&self) -> Result<Option<JobSignals>, StoreError> {
        match &self.backend {
            Backend::Sqlite(_) => Ok(None),
            Backend::Postgres(pool) => {
                let mut listener = PgListener::connect_with(pool).await?;
                listener.listen(CHANNEL).await?;
                Ok(Some(JobSignals(listener)))
            }
        }
    }
}

impl JobSignals {
    /// Waits for the next signal. Also returns after the connection dropped and was
    /// re-established, since signals sent meanwhile were lost: the caller should look.
    pub async fn next(&mut self) -> Result<(), StoreError> {
        self.0.try_recv().await?;
        Ok(())
    }
}
