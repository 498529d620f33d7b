//! The `fanloop` binary as a user runs it: serve, admin create, token create, SIGTERM.

use crate::helpers::TempDir;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_fanloop");

fn fanloop(dir: &TempDir) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("--data-dir")
        .arg(&dir.0)
        .env_remove("FANLOOP_DATABASE_URL")
        .env_remove("FANLOOP_SECRET_KEY")
        .kill_on_drop(true);
    command
}

/// Starts `fanloop serve` on a free port and returns it with its base URL and every
/// line it printed before it began serving.
async fn serve(dir: &TempDir, extra: &[&str]) -> (Child, String, Vec<String>) {
    let mut child = fanloop(dir)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn fanloop serve");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let url = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            printed.push(line.clone());
            if let Some(url) = line.strip_prefix("Fanloop is running at ") {
                return url.to_owned();
            }
        }
        panic!("serve exited before announcing its URL: {printed:?}");
    })
    .await
    .expect("serve announced its URL");
    // The lines after the URL (demo sign-in or setup link) come right after it.
    for _ in 0..2 {
        if let Ok(Ok(Some(line))) =
            tokio::time::timeout(Duration::from_millis(500), lines.next_line()).await
        {
            printed.push(line);
        }
    }
    (child, url, printed)
}

async fn run(dir: &TempDir, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = fanloop(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = child.wait_with_output().await.unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn terminate(mut child: Child) -> i32 {
    let pid = child.id().expect("running").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("stops within 10 s after SIGTERM")
        .unwrap();
    status.code().unwrap_or(-1)
}

#[tokio::test]
async fn admin_and_token_commands_then_serve() {
    let dir = TempDir::new("cli");
    let (code, _, err) = run(
        &dir,
        &[
            "admin",
            "create",
            "--email",
            "Boss@Example.com",
            "--password-stdin",
        ],
        "long enough pw\n",
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        &dir,
        &[
            "admin",
            "create",
            "--email",
            "boss@example.com",
            "--password-stdin",
        ],
        "long enough pw\n",
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");
    let (code, _, err) = run(
        &dir,
        &[
            "admin",
            "create",
            "--email",
            "x@example.com",
            "--password-stdin",
        ],
        "short\n",
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("password"), "{err}");
    let (code, _, err) = run(
        &dir,
        &[
            "token",
            "create",
            "--email",
            "nobody@example.com",
            "--name",
            "ci",
        ],
        "",
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("no account"), "{err}");

    let (code, out, err) = run(
        &dir,
        &[
            "token",
            "create",
            "--email",
            "boss@example.com",
            "--name",
            "ci",
        ],
        "",
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let token = out.trim_end_matches('\n');
    assert!(
        token.starts_with("flp_") && !token.contains('\n') && token.len() == 68,
        "stdout is the token only: {out:?}"
    );

    let (child, url, printed) = serve(&dir, &[]).await;
    assert!(
        !printed.iter().any(|l| l.contains("/setup/")),
        "no setup link once an account exists: {printed:?}"
    );
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{url}/api/v1/workspaces"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": "CLI brand"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(terminate(child).await, 0, "a clean exit on SIGTERM");
}

#[tokio::test]
async fn first_start_prints_a_setup_link() {
    let dir = TempDir::new("setup");
    let (child, url, printed) = serve(&dir, &[]).await;
    let link = printed
        .iter()
        .find_map(|l| l.split_whitespace().find(|w| w.contains("/setup/")))
        .expect("setup link printed");
    assert!(link.starts_with(&url));
    let page = reqwest::get(link).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(dir.0.join("fanloop.db").exists() && dir.0.join("secret.key").exists());
    terminate(child).await;
}

#[tokio::test]
async fn demo_is_ready_and_idempotent() {
    let dir = TempDir::new("demo");
    for _ in 0..2 {
        let (child, url, printed) = serve(&dir, &["--demo"]).await;
        assert!(
            printed.iter().any(|l| l.contains("demo@fanloop.local")),
            "{printed:?}"
        );
        assert_eq!(
            reqwest::get(format!("{url}/readyz"))
                .await
                .unwrap()
                .status()
                .as_u16(),
            200
        );
        terminate(child).await;
    }
    let (code, out, _) = run(
        &dir,
        &[
            "token",
            "create",
            "--email",
            "demo@fanloop.local",
            "--name",
            "t",
        ],
        "",
    )
    .await;
    assert_eq!(code, 0);
    let (child, url, _) = serve(&dir, &[]).await;
    let http = reqwest::Client::new();
    let workspaces: serde_json::Value = http
        .get(format!("{url}/api/v1/workspaces"))
        .bearer_auth(out.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        workspaces.as_array().unwrap().len(),
        2,
        "seeding twice created nothing twice: {workspaces}"
    );
    let id = workspaces[0]["id"].as_i64().unwrap();
    let channels: serde_json::Value = http
        .get(format!("{url}/api/v1/workspaces/{id}/channels"))
        .bearer_auth(out.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(channels.as_array().unwrap().len(), 5);
    let posts: serde_json::Value = http
        .get(format!("{url}/api/v1/workspaces/{id}/posts"))
        .bearer_auth(out.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut statuses: Vec<&str> = posts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    statuses.sort();
    statuses.dedup();
    assert_eq!(
        statuses,
        ["approved", "changes_requested", "draft", "in_review"],
        "the demo shows every review state"
    );
    let topics: serde_json::Value = http
        .get(format!("{url}/api/v1/workspaces/{id}/topics"))
        .bearer_auth(out.trim())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(topics.as_array().unwrap().len(), 6);
    terminate(child).await;
}
