//! `fanloop admin create` and `fanloop token create`.

use anyhow::{Context, bail};
use fanloop_domain::{DisplayName, Email, Locale, Password};
use fanloop_store::{Store, StoreError};
use std::io::BufRead;

pub async fn create_admin(store: &Store, email: &str, name: Option<&str>) -> anyhow::Result<()> {
    let email =
        Email::parse(email).map_err(|_| anyhow::anyhow!("not a valid email address: {email:?}"))?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']);
    let password = Password::parse(password).map_err(|_| {
        anyhow::anyhow!(
            "the password must be {}–{} characters",
            Password::MIN_CHARS,
            Password::MAX_CHARS
        )
    })?;
    let default_name = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("owner")
        .to_owned();
    let name = DisplayName::parse(name.unwrap_or(&default_name))
        .map_err(|e| anyhow::anyhow!("invalid --name: {e}"))?;
    let hash = fanloop_web::hash_password(password.expose());
    match store.create_user(&email, &name, &hash, Locale::ZhCn).await {
        Ok(user) => {
            eprintln!("created account {} (id {})", user.email, user.id);
            Ok(())
        }
        Err(StoreError::Conflict(_)) => bail!(
            "an account with the email {} already exists",
            email.as_str()
        ),
        Err(e) => Err(e).context("creating the account"),
    }
}

pub async fn create_token(store: &Store, email: &str, name: &str) -> anyhow::Result<()> {
    let email =
        Email::parse(email).map_err(|_| anyhow::anyhow!("not a valid email address: {email:?}"))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        bail!("--name must be 1–80 characters");
    }
    let Some(user) = store.user_by_email(&email).await? else {
        bail!(
            "no account has the email {}; create one with `fanloop admin create`",
            email.as_str()
        );
    };
    let (_, token) = store.create_api_token(user.id, name).await?;
    println!("{token}");
    Ok(())
}
