//! Accounts: users, browser sessions, API tokens, login throttling and the one-time setup
//! link.

use crate::BeginWrite;
use crate::access::{Caller, Credential};
use crate::{Store, StoreError, hash_token, new_token, now_ms, on_pool};
use fanloop_domain::{DisplayName, Email, Locale, TokenId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct UserRow {
    id: i64,
    email: String,
    display_name: String,
    password_hash: String,
    locale: String,
}

/// A person who can sign in.
#[derive(Debug, Clone)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    /// PHC string (argon2id); verifying it is the web layer's job.
    pub password_hash: String,
    pub locale: Locale,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            email: r.email,
            display_name: r.display_name,
            password_hash: r.password_hash,
            locale: Locale::parse(&r.locale).unwrap_or_default(),
        }
    }
}

/// A session just created: the raw cookie value is only ever seen here.
pub struct NewSession {
    pub cookie_value: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// An API token as listed (its secret is never stored, so never shown again).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
}

pub(crate) const USER_COLUMNS: &str = "u.id, u.email, u.display_name, u.password_hash, u.locale";

impl Store {
    pub async fn create_user(
        &self,
        email: &Email,
        display_name: &DisplayName,
        password_hash: &str,
        locale: Locale,
    ) -> Result<User, StoreError> {
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO users (email, display_name, password_hash, locale, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(email.as_str())
            .bind(display_name.as_str())
            .bind(password_hash)
            .bind(locale.code())
            .bind(now_ms())
            .fetch_one(pool)
            .await
        })
        .map_err(StoreError::unique("email"))?;
        Ok(User {
            id: UserId(id),
            email: email.as_str().to_owned(),
            display_name: display_name.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            locale,
        })
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.email = $1");
        let row: Option<UserRow> = on_pool!(self, pool => {
            sqlx::query_as(&sql).bind(email.as_str()).fetch_optional(pool).await
        })?;
        Ok(row.map(User::from))
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(
            on_pool!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await)?,
        )
    }

    pub async fn set_user_locale(&self, user: UserId, locale: Locale) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE users SET locale = $1 WHERE id = $2").bind(locale.code()).bind(user.0).execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    // ---- sessions -------------------------------------------------------------------

    pub async fn create_session(
        &self,
        user: UserId,
        ttl_ms: i64,
    ) -> Result<NewSession, StoreError> {
        let cookie_value = new_token("fls_");
        let csrf_token = new_token("");
        let now = now_ms();
        let expires_at = now + ttl_ms;
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash_token(&cookie_value))
            .bind(user.0)
            .bind(&csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(NewSession {
            cookie_value,
            csrf_token,
            expires_at,
        })
    }

    /// The live session behind a cookie value; expired sessions count as absent.
    pub async fn session(&self, cookie_value: &str) -> Result<Option<Caller>, StoreError> {
        self.caller(Credential::Session(cookie_value), None).await
    }

    pub async fn delete_session(&self, cookie_value: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(hash_token(cookie_value)).execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Housekeeping: drops expired sessions, setup links and old login failures.
    pub async fn purge_expired(&self, failure_window_ms: i64) -> Result<u64, StoreError> {
        let now = now_ms();
        let purged = on_pool!(self, pool => {
            let mut n = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM setup_tokens WHERE expires_at <= $1").bind(now).execute(pool).await?.rows_affected();
            n += sqlx::query("DELETE FROM login_failures WHERE at <= $1").bind(now - failure_window_ms).execute(pool).await?.rows_affected();
            Ok::<u64, sqlx::Error>(n)
        })?;
        Ok(purged)
    }

    // ---- API tokens -----------------------------------------------------------------

    /// Creates a token and returns its secret, which is shown once and never stored.
    pub async fn create_api_token(
        &self,
        user: UserId,
        name: &str,
    ) -> Result<(TokenId, String), StoreError> {
        let raw = new_token("flp_");
        let id: i64 = on_pool!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user.0)
            .bind(name)
            .bind(hash_token(&raw))
            .bind(now_ms())
            .fetch_one(pool)
            .await
        })?;
        Ok((TokenId(id), raw))
    }

    pub async fn user_by_api_token(&self, raw: &str) -> Result<Option<User>, StoreError> {
        Ok(self
            .caller(Credential::ApiToken(raw), None)
            .await?
            .map(|c| c.user))
    }

    pub async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiToken>, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_as("SELECT id, name, created_at FROM api_tokens WHERE user_id = $1 ORDER BY id")
                .bind(user.0)
                .fetch_all(pool)
                .await
        })?)
    }

    pub async fn revoke_api_token(&self, user: UserId, token: TokenId) -> Result<(), StoreError> {
        let n = on_pool!(self, pool => {
            sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND user_id = $2").bind(token.0).bind(user.0).execute(pool).await.map(|r| r.rows_affected())
        })?;
        if n == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    // ---- login throttling -----------------------------------------------------------

    /// Failed sign-ins for `subject` since `since_ms`. Kept in the database so every
    /// instance behind a load balancer counts the same attempts.
    pub async fn login_failures_since(
        &self,
        subject: &str,
        since_ms: i64,
    ) -> Result<i64, StoreError> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE subject = $1 AND at > $2")
                .bind(subject)
                .bind(since_ms)
                .fetch_one(pool)
                .await
        })?)
    }

    pub async fn record_login_failure(&self, subject: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO login_failures (subject, at) VALUES ($1, $2)").bind(subject).bind(now_ms()).execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    pub async fn clear_login_failures(&self, subject: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM login_failures WHERE subject = $1").bind(subject).execute(pool).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    // ---- first-run setup ------------------------------------------------------------

    /// A new one-time link for creating the owner account; earlier ones stop working.
    pub async fn new_setup_token(&self, ttl_ms: i64) -> Result<String, StoreError> {
        let raw = new_token("");
        on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            sqlx::query("DELETE FROM setup_tokens").execute(&mut *tx).await?;
            sqlx::query("INSERT INTO setup_tokens (token_hash, expires_at) VALUES ($1, $2)")
                .bind(hash_token(&raw))
                .bind(now_ms() + ttl_ms)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(raw)
    }

    pub async fn setup_token_valid(&self, raw: &str) -> Result<bool, StoreError> {
        let n: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2")
                .bind(hash_token(raw))
                .bind(now_ms())
                .fetch_one(pool)
                .await
        })?;
        Ok(n > 0)
    }

    /// Spends the setup link and creates the owner in one transaction, and only while
    /// no account exists, so a link cannot be replayed and two tabs cannot both win.
    pub async fn create_first_user(
        &self,
        raw: &str,
        email: &Email,
        display_name: &DisplayName,
        password_hash: &str,
        locale: Locale,
    ) -> Result<User, StoreError> {
        let now = now_ms();
        let id: i64 = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let spent = sqlx::query("DELETE FROM setup_tokens WHERE token_hash = $1 AND expires_at > $2")
                .bind(hash_token(raw))
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&mut *tx).await?;
            if spent == 0 || users > 0 {
                return Err(StoreError::NotFound);
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO users (email, display_name, password_hash, locale, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(email.as_str())
            .bind(display_name.as_str())
            .bind(password_hash)
            .bind(locale.code())
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::unique("email"))?;
            tx.commit().await?;
            Ok::<i64, StoreError>(id)
        })?;
        Ok(User {
            id: UserId(id),
            email: email.as_str().to_owned(),
            display_name: display_name.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            locale,
        })
    }
}
