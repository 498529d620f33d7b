//! Forward-only migrations, embedded in the binary, one folder per backend.
//!
//! Hand-rolled rather than `sqlx::migrate!` so the build needs no database and no
//! proc-macro offline data; the runner is a few lines and takes a lock so several
//! instances starting together on PostgreSQL migrate once.

use crate::{Backend, Store, StoreError, now_ms};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

/// One migration: its version and file name, the same in both backends' folders.
macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            sqlite: include_str!(concat!("../migrations/sqlite/", $file)),
            postgres: include_str!(concat!("../migrations/postgres/", $file)),
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation.sql"),
    migration!(2, "0002_posts.sql"),
    migration!(3, "0003_topics.sql"),
    migration!(4, "0004_media.sql"),
    migration!(5, "0005_post_extras.sql"),
    migration!(6, "0006_scripts_words.sql"),
    migration!(7, "0007_calendar_events.sql"),
    migration!(8, "0008_themes.sql"),
    migration!(9, "0009_publishing.sql"),
    migration!(10, "0010_escalation_refresh.sql"),
    migration!(11, "0011_media_video.sql"),
    migration!(12, "0012_notification_recipients.sql"),
    migration!(13, "0013_job_signal.sql"),
];

/// An arbitrary constant naming Fanloop's migration lock among PostgreSQL advisory locks.
const PG_LOCK_KEY: i64 = 0x46_41_4E_4C_4F_4F_50;

/// Applies the migrations not yet in the ledger, on a connection already inside a
/// transaction. A macro because the two connection types share no convenient trait.
macro_rules! apply_pending {
    ($conn:expr, $sql:ident) => {{
        let applied: Vec<(i64,)> = sqlx::query_as("SELECT version FROM fanloop_migrations")
            .fetch_all(&mut *$conn)
            .await?;
        for m in MIGRATIONS {
            if applied.iter().any(|(v,)| *v == m.version) {
                continue;
            }
            tracing::info!(version = m.version, "applying migration");
            sqlx::raw_sql(m.$sql)
                .execute(&mut *$conn)
                .await
                .map_err(|source| StoreError::Migration {
                    version: m.version,
                    source,
                })?;
            sqlx::query("INSERT INTO fanloop_migrations (version, applied_at) VALUES ($1, $2)")
                .bind(m.version)
                .bind(now_ms())
                .execute(&mut *$conn)
                .await?;
        }
        Ok::<(), StoreError>(())
    }};
}

pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    const LEDGER: &str = "CREATE TABLE IF NOT EXISTS fanloop_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)";
    match &store.backend {
        Backend::Sqlite(pool) => {
            sqlx::query(LEDGER).execute(pool).await?;
            let mut conn = pool.acquire().await?;
            // IMMEDIATE takes the write lock up front, so two processes opening the same
            // file cannot both decide a migration is missing.
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
            let result = async { apply_pending!(conn, sqlite) }.await;
            let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
            sqlx::query(end).execute(&mut *conn).await?;
            result
        }
        Backend::Postgres(pool) => {
            let mut conn = pool.acquire().await?;
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            let result = async {
                sqlx::query(LEDGER).execute(&mut *conn).await?;
                sqlx::query("BEGIN").execute(&mut *conn).await?;
                let applied = async { apply_pending!(conn, postgres) }.await;
                let end = if applied.is_ok() {
                    "COMMIT"
                } else {
                    "ROLLBACK"
                };
                sqlx::query(end).execute(&mut *conn).await?;
                applied
            }
            .await;
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
            result
        }
    }
}
