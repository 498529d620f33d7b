//! The `fanloop` binary: a thin command line over the library crates.
//!
//! `serve` runs the web app and the engine; `admin` and `token` manage accounts from a
//! shell. Every command takes `--data-dir` and honours `FANLOOP_DATABASE_URL`.

mod accounts;
mod calendar;
mod demo;
mod demo_publishing;
mod lint;
mod render;
mod serve;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use fanloop_store::{Store, Vault};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "fanloop",
    version,
    about = "Fanloop: self-hosted new-media operations platform"
)]
struct Cli {
    /// Where the SQLite database and the secret key live.
    #[arg(
        long,
        global = true,
        env = "FANLOOP_DATA_DIR",
        default_value = "./fanloop-data"
    )]
    data_dir: PathBuf,
    /// PostgreSQL URL (postgres://…); when unset, SQLite in the data directory is used.
    #[arg(
        long,
        global = true,
        env = "FANLOOP_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app, the API and the background engine.
    Serve(serve::ServeArgs),
    /// Manage accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check a post for Advertising-Law terms, platform limits and word lists.
    Lint(lint::Args),
    /// Typeset a Markdown file for one platform.
    Render(render::Args),
    /// Print a year's hot-spot calendar.
    Calendar(calendar::Args),
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account (an owner of any workspace it creates) with the password read
    /// from standard input.
    Create {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (one line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Display name; defaults to the part of the email before '@'.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for an account and print it (and nothing else) on stdout.
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "sync script".
        #[arg(long)]
        name: String,
    },
}

#[derive(Clone, Copy, ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Logs go to stderr so stdout stays clean for output meant for scripts.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().flatten_event(true).init(),
    }
}

/// Opens the store named by the global options, creating and migrating it if needed.
pub async fn open_store(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
) -> anyhow::Result<Store> {
    let env_key = std::env::var("FANLOOP_SECRET_KEY").ok();
    let vault =
        Vault::load_or_create(data_dir, env_key.as_deref()).context("loading the secret key")?;
    Store::open(data_dir, database_url, vault)
        .await
        .context("opening the store")
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // The offline tools need neither a store nor an async runtime.
    let offline = match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Render(args) => render::run(args),
        Command::Calendar(args) => calendar::run(args),
        command => return run_online(cli.data_dir, cli.database_url, command),
    };
    offline.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        // 2 is a usage or input error; lint keeps 1 for "findings with errors".
        std::process::ExitCode::from(2)
    })
}

fn run_online(
    data_dir: PathBuf,
    database_url: Option<String>,
    command: Command,
) -> std::process::ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let database_url = database_url.as_deref().filter(|u| !u.is_empty());
        match command {
            Command::Serve(args) => serve::run(&data_dir, database_url, args).await,
            Command::Admin {
                command:
                    AdminCommand::Create {
                        email,
                        password_stdin: _,
                        name,
                    },
            } => {
                init_logging(LogFormat::Text);
                let store = open_store(&data_dir, database_url).await?;
                accounts::create_admin(&store, &email, name.as_deref()).await
            }
            Command::Token {
                command: TokenCommand::Create { email, name },
            } => {
                init_logging(LogFormat::Text);
                let store = open_store(&data_dir, database_url).await?;
                accounts::create_token(&store, &email, &name).await
            }
            // Answered in `main` without a runtime.
            Command::Lint(_) | Command::Render(_) | Command::Calendar(_) => Ok(()),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
