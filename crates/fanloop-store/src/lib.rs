//! Fanloop's persistence: one `Store` over SQLite (embedded default) or PostgreSQL
//! (several instances sharing one database), chosen at run time from the URL.
//!
//! Queries are written once in portable SQL (`$1` placeholders, `RETURNING`, `ON
//! CONFLICT`) and run on whichever pool is open; only the migrations differ per backend.
//! Channel credentials pass through the `Vault` on their way in and out, so no secret
//! reaches the database in clear text.
//!
//! Architecture invariant: nothing above this crate writes SQL, and nothing here knows
//! about HTTP or presentation.

mod access;
mod accounts;
mod channels;
mod error;
pub mod inbound;
pub mod media;
mod migrate;
pub mod notifications;
pub mod post_extras;
mod posts;
pub mod publishing;
pub mod scripts;
mod secret;
mod topics;
mod vault;
mod workspaces;

pub use access::{Caller, Credential};
pub use accounts::{ApiToken, NewSession, User};
pub use channels::{Channel, ChannelConnection};
pub use error::StoreError;
pub use posts::{NewPost, Post, ReviewEntry, Variant};
pub use secret::{hash_token, new_token};
pub use topics::{CalendarEvent, Topic};
pub use vault::Vault;
pub use workspaces::{AuditEntry, Invitation, Member, Workspace};

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::path::Path;
use std::time::Duration;

/// Runs `$body` with `$pool` bound to whichever backend is open. Both arms compile the
/// same query text, which is what keeps the SQL portable.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The handle every part of Fanloop uses to read and write state. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    pub(crate) vault: Vault,
}

impl Store {
    /// Opens (creating if needed) the SQLite file `fanloop.db` in `data_dir`, or the
    /// PostgreSQL database at `database_url` when one is given, and runs migrations.
    pub async fn open(
        data_dir: &Path,
        database_url: Option<&str>,
        vault: Vault,
    ) -> Result<Store, StoreError> {
        let backend = match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let pool = PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                Backend::Postgres(pool)
            }
            Some(url) => return Err(StoreError::UnsupportedUrl(redact(url))),
            None => {
                std::fs::create_dir_all(data_dir)
                    .map_err(|e| StoreError::DataDir(data_dir.display().to_string(), e))?;
                let options = SqliteConnectOptions::new()
                    .filename(data_dir.join("fanloop.db"))
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5));
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .min_connections(1)
                    .connect_with(options)
                    .await?;
                Backend::Sqlite(pool)
            }
        };
        let store = Store { backend, vault };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// "sqlite" or "postgres", for logs and `/metrics`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Succeeds when the database answers a trivial query; `/readyz` uses it.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes the pools, letting SQLite checkpoint its WAL on a clean shutdown.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes fails with
/// "database is locked" — without waiting — when another connection wrote in between,
/// which under the publishing engine's concurrency is the common case. PostgreSQL's
/// row locks need no such help.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<WriteTx<Self::Db>, sqlx::Error>> + Send;

    /// This process's turn to write, for a single statement run outside a transaction:
    /// one statement is atomic on its own, and skipping `BEGIN`/`COMMIT` saves two round
    /// trips to SQLite's connection thread on the publishing hot path. Hold the guard
    /// until the statement has run. PostgreSQL needs no turn.
    fn write_turn(
        &self,
    ) -> impl std::future::Future<Output = Option<tokio::sync::OwnedMutexGuard<()>>> + Send;
}

/// A write transaction. On SQLite it also holds this process's write gate for the
/// database file: writers queue here, first come first served, instead of in SQLite's
/// busy handler, which sleeps in growing steps (up to 100 ms) and under the publishing
/// engine's concurrency turned one millisecond of work into tens of milliseconds of
/// waiting. Other processes on the same file still meet the busy handler, which stays
/// the correctness backstop.
pub(crate) struct WriteTx<DB: sqlx::Database> {
    tx: sqlx::Transaction<'static, DB>,
    // Dropped after `tx` (fields drop in order), so the gate opens once the
    // transaction has ended.
    _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<DB: sqlx::Database> WriteTx<DB> {
    pub(crate) async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl<DB: sqlx::Database> std::ops::Deref for WriteTx<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.tx
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for WriteTx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.tx
    }
}

/// One gate per SQLite database file open in this process (tests open several).
fn write_gate(pool: &SqlitePool) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static GATES: OnceLock<Mutex<HashMap<std::path::PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        OnceLock::new();
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    Arc::clone(gates.entry(file).or_default())
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<WriteTx<sqlx::Sqlite>, sqlx::Error> {
        let gate = write_gate(self).lock_owned().await;
        let tx = self.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx {
            tx,
            _gate: Some(gate),
        })
    }

    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        Some(write_gate(self).lock_owned().await)
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<WriteTx<sqlx::Postgres>, sqlx::Error> {
        Ok(WriteTx {
            tx: self.begin().await?,
            _gate: None,
        })
    }

    async fn write_turn(&self) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        None
    }
}

/// The current instant in Unix milliseconds. Stored times are always UTC instants.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Keeps passwords in database URLs out of error messages and logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => format!("{}://…{}", &url[..scheme], &url[at..]),
        _ => url.to_owned(),
    }
}
