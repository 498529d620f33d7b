use std::io;

/// What can go wrong below the store's API.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken; the string names what was duplicated.
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error("not found")]
    NotFound,
    #[error("unsupported database URL {0}: use postgres://… or leave it unset for SQLite")]
    UnsupportedUrl(String),
    #[error("cannot create data directory {0}: {1}")]
    DataDir(String, io::Error),
    #[error("secret key: {0}")]
    Key(String),
    #[error(
        "credentials could not be decrypted: is FANLOOP_SECRET_KEY or secret.key the one they were written with?"
    )]
    Decrypt,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("migration {version} failed: {source}")]
    Migration { version: i64, source: sqlx::Error },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// Maps a unique-constraint violation to `Conflict(what)`, anything else unchanged.
    pub(crate) fn unique(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Database(e),
        }
    }
}
