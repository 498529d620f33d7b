//! A real Bluesky PDS for the tests: `node peers/bluesky-pds/pds.mjs`, started once per
//! test run (start-up takes seconds) and shared by every test, each with its own
//! accounts.
//!
//! The PDS is skipped, with a message, when `peers/bluesky-pds/node_modules` is missing
//! (`npm ci --prefix peers/bluesky-pds`), unless `FANLOOP_REQUIRE_PEERS=1` says it must
//! run. The script stops and deletes its data when its stdin closes: the shared child
//! lives in a static that is never dropped, and the test process closing its end of the
//! pipe as it exits is what stops the PDS, even when the run is killed.

use serde_json::{Value, json};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};
use tokio::sync::OnceCell;

/// How long start-up may take: loading the PDS's modules dominates (10–20 s on a busy
/// machine).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running PDS.
pub struct Pds {
    pub url: String,
    /// Held open: the PDS stops when this closes.
    _stdin: ChildStdin,
    /// Held open too, so a stray write of the PDS's never meets a closed pipe.
    _stdout: BufReader<ChildStdout>,
    _child: Child,
}

/// An account on the PDS, with an app password for the connector.
pub struct Account {
    pub handle: String,
    pub did: String,
    pub app_password: String,
}

static SHARED: OnceCell<Option<Pds>> = OnceCell::const_new();

/// The shared PDS, or `None` (after saying so) when the peer is not installed.
pub async fn shared(test: &str) -> Option<&'static Pds> {
    let pds = SHARED.get_or_init(start).await.as_ref();
    if pds.is_none() {
        // Straight to stderr: the test harness would swallow `eprintln!` of a passing test.
        let _ = writeln!(
            std::io::stderr(),
            "skipped {test}: peers/bluesky-pds/node_modules is missing \
             (npm ci --prefix peers/bluesky-pds && npm rebuild --prefix peers/bluesky-pds \
             better-sqlite3)"
        );
    }
    pds
}

async fn start() -> Option<Pds> {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../peers/bluesky-pds"
    ));
    if !dir.join("node_modules").is_dir() {
        assert!(
            std::env::var("FANLOOP_REQUIRE_PEERS").as_deref() != Ok("1"),
            "FANLOOP_REQUIRE_PEERS=1 but the Bluesky PDS is not installed in {}",
            dir.display()
        );
        return None;
    }
    let mut child = Command::new("node")
        .arg("pds.mjs")
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("run node (Node 20 or newer must be on PATH)");
    let stdin = child.stdin.take().expect("piped stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut line = String::new();
    match tokio::time::timeout(START_TIMEOUT, stdout.read_line(&mut line)).await {
        Ok(Ok(n)) if n > 0 => {}
        Ok(_) => panic!("the PDS exited before it was ready (its errors are above)"),
        Err(_) => panic!("the PDS was not ready within {START_TIMEOUT:?}"),
    }
    let ready: Value = serde_json::from_str(&line).expect("the PDS's readiness line is JSON");
    let url = ready["pds"]
        .as_str()
        .expect("the readiness line names the PDS")
        .to_owned();
    Some(Pds {
        url,
        _stdin: stdin,
        _stdout: stdout,
        _child: child,
    })
}

impl Pds {
    /// A client for one call. Not one shared client: its pooled connections would belong
    /// to the runtime of the test that made them, which ends with that test.
    fn http(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    async fn xrpc(&self, request: reqwest::RequestBuilder) -> Value {
        let response = request.send().await.expect("reach the PDS");
        let status = response.status();
        let body: Value = response.json().await.expect("a JSON answer");
        assert!(status.is_success(), "the PDS answered {status}: {body}");
        body
    }

    fn url(&self, nsid: &str) -> String {
        format!("{}/xrpc/{nsid}", self.url)
    }

    /// Creates `{name}.test` and an app password for it.
    pub async fn account(&self, name: &str) -> Account {
        let handle = format!("{name}.test");
        let created = self
            .xrpc(
                self.http()
                    .post(self.url("com.atproto.server.createAccount"))
                    .json(&json!({
                        "handle": handle,
                        "email": format!("{name}@example.com"),
                        "password": format!("{name}-main-password"),
                    })),
            )
            .await;
        let access = created["accessJwt"].as_str().expect("accessJwt");
        let app = self
            .xrpc(
                self.http()
                    .post(self.url("com.atproto.server.createAppPassword"))
                    .bearer_auth(access)
                    .json(&json!({"name": "fanloop"})),
            )
            .await;
        Account {
            handle,
            did: created["did"].as_str().expect("did").to_owned(),
            app_password: app["password"].as_str().expect("app password").to_owned(),
        }
    }

    /// Every post in an account's repository.
    pub async fn posts(&self, did: &str) -> Vec<Value> {
        let listed = self
            .xrpc(
                self.http()
                    .get(self.url("com.atproto.repo.listRecords"))
                    .query(&[
                        ("repo", did),
                        ("collection", "app.bsky.feed.post"),
                        ("limit", "100"),
                    ]),
            )
            .await;
        listed["records"].as_array().expect("records").clone()
    }

    /// One stored post record, by its `at://` URI.
    pub async fn post(&self, uri: &str) -> Value {
        let rkey = uri.rsplit('/').next().expect("an rkey");
        let did = uri
            .trim_start_matches("at://")
            .split('/')
            .next()
            .expect("a DID");
        let stored = self
            .xrpc(
                self.http()
                    .get(self.url("com.atproto.repo.getRecord"))
                    .query(&[
                        ("repo", did),
                        ("collection", "app.bsky.feed.post"),
                        ("rkey", rkey),
                    ]),
            )
            .await;
        stored["value"].clone()
    }
}
