//! `fanloop serve`: open the store, seed the demo if asked, start the engine and the web
//! app, and stop cleanly on SIGTERM or Ctrl-C.

use crate::{LogFormat, demo, init_logging, open_store};
use anyhow::Context;
use clap::Args;
use fanloop_engine::{Engine, EngineConfig};
use fanloop_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::path::Path;

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "FANLOOP_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,
    /// Create a demo workspace with sandbox channels and sample data (idempotent).
    #[arg(long)]
    demo: bool,
    /// The URL people use to reach this server (for invitation and setup links, and
    /// Secure cookies when https). Defaults to http://<bind>.
    #[arg(long, env = "FANLOOP_PUBLIC_URL")]
    public_url: Option<String>,
    /// Log as human-readable text or as JSON lines.
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Platform calls in flight at once (default 32).
    #[arg(long, env = "FANLOOP_PUBLISH_CONCURRENCY")]
    publish_concurrency: Option<usize>,
    /// Seconds a publishing job stays claimed before another instance may take it over
    /// (renewed while a call runs; default 30).
    #[arg(long, env = "FANLOOP_LEASE_SECS", hide = true)]
    lease_secs: Option<u64>,
}

/// A first setup link stays valid this long.
const SETUP_LINK_TTL_MS: i64 = 24 * 3600 * 1000;

pub async fn run(
    data_dir: &Path,
    database_url: Option<&str>,
    args: ServeArgs,
) -> anyhow::Result<()> {
    init_logging(args.log_format);
    let store = open_store(data_dir, database_url).await?;
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (is another server using it? choose one with --bind)",
                args.bind
            )
        })?;
    let local = listener.local_addr()?;
    let public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let config = WebConfig::new(&public_url, &data_dir.join("media"));

    if args.demo {
        demo::seed(&store).await.context("creating the demo data")?;
    }
    println!("Fanloop is running at {}", config.public_url);
    if args.demo {
        println!("Demo sign-in: {} / {}", demo::EMAIL, demo::PASSWORD);
    } else if store.count_users().await? == 0 {
        let token = store.new_setup_token(SETUP_LINK_TTL_MS).await?;
        println!(
            "First run: create the owner account at {}/setup/{token}",
            config.public_url
        );
        println!("(The link works once and expires in 24 hours; restarting prints a new one.)");
    }
    tracing::info!(address = %local, store = store.backend_name(), "serving");

    // Uploads cut off by a crash or a kill leave partial files; an hour is far longer
    // than any upload in progress on another instance sharing the directory.
    let swept = fanloop_web::sweep_partial_uploads(
        &data_dir.join("media"),
        std::time::Duration::from_secs(3600),
    );
    if swept > 0 {
        tracing::info!(
            removed = swept,
            "removed partial uploads left by an earlier run"
        );
    }
    let mut engine_config = EngineConfig::default();
    engine_config.publisher.media_dir = data_dir.join("media");
    if let Some(n) = args.publish_concurrency {
        engine_config.publisher.concurrency = n.max(1);
    }
    if let Some(secs) = args.lease_secs {
        engine_config.publisher.lease = std::time::Duration::from_secs(secs.max(1));
    }
    let engine = Engine::start(store.clone(), engine_config);
    fanloop_web::serve(
        listener,
        AppState::new(store.clone(), config).with_wake(engine.wake_handle()),
        shutdown_signal(),
    )
    .await
    .context("serving HTTP")?;
    tracing::info!("shutting down");
    engine.stop().await;
    store.close().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM; in-flight requests then finish before exit.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
