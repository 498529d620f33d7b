//! Spawning the app on a random port with a fresh store, and making team members.

use fanloop_domain::{DisplayName, Email, Locale, Role, WorkspaceProfile};
use fanloop_store::{Store, User, Vault, Workspace};
use fanloop_web::{AppState, WebConfig};
use std::path::PathBuf;
use std::sync::OnceLock;
use tokio::sync::oneshot;

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "fanloop-{label}-{}",
            &fanloop_store::new_token("")[..16]
        ));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub const PASSWORD: &str = "correct horse battery";

/// argon2 is deliberately slow; tests share one hash of `PASSWORD`.
pub fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| fanloop_web::hash_password(PASSWORD))
}

pub fn test_vault() -> Vault {
    Vault::from_key([42; 32])
}

pub async fn sqlite_store(dir: &TempDir) -> Store {
    Store::open(&dir.0, None, test_vault())
        .await
        .expect("open sqlite store")
}

pub struct TestApp {
    pub url: String,
    pub store: Store,
    pub http: reqwest::Client,
    pub dir: TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let dir = TempDir::new("app");
        let store = sqlite_store(&dir).await;
        TestApp::serve(store, dir).await
    }

    pub async fn serve(store: Store, dir: TempDir) -> TestApp {
        TestApp::serve_as(store, dir, None).await
    }

    /// Serves as if reached at `public_url` (e.g. https behind a proxy).
    pub async fn serve_as(store: Store, dir: TempDir, public_url: Option<&str>) -> TestApp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let config = WebConfig::new(public_url.unwrap_or(&url), &dir.0.join("media"));
        let state = AppState::new(store.clone(), config);
        tokio::spawn(fanloop_web::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        TestApp {
            url,
            store,
            http,
            dir,
            stop: Some(stop),
        }
    }

    pub async fn user(&self, email: &str) -> User {
        let email = Email::parse(email).expect("email");
        let name =
            DisplayName::parse(email.as_str().split('@').next().unwrap_or("x")).expect("name");
        self.store
            .create_user(&email, &name, password_hash(), Locale::ZhCn)
            .await
            .expect("create user")
    }

    pub async fn token(&self, user: &User) -> String {
        self.store
            .create_api_token(user.id, "test")
            .await
            .expect("token")
            .1
    }

    /// A session cookie header value and its CSRF token.
    pub async fn session(&self, user: &User) -> (String, String) {
        let s = self
            .store
            .create_session(user.id, 3_600_000)
            .await
            .expect("session");
        (
            format!("{}={}", fanloop_web::SESSION_COOKIE, s.cookie_value),
            s.csrf_token,
        )
    }

    pub async fn workspace(&self, owner: &User, name: &str) -> Workspace {
        let profile = WorkspaceProfile::parse(name, "Asia/Shanghai", "zh-CN", "").expect("profile");
        self.store
            .create_workspace(owner.id, &profile)
            .await
            .expect("workspace")
    }

    /// A new account holding `role` in `workspace`, with an API token.
    pub async fn member(&self, workspace: &Workspace, owner: &User, role: Role) -> (User, String) {
        let user = self
            .user(&format!(
                "{}-{}@example.com",
                role.code(),
                &fanloop_store::new_token("")[..8]
            ))
            .await;
        self.store
            .add_member(workspace.id(), user.id, role, owner.id)
            .await
            .expect("add member");
        let token = self.token(&user).await;
        (user, token)
    }

    pub fn get(&self, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
    }

    pub fn post_json(
        &self,
        path: &str,
        token: &str,
        body: &serde_json::Value,
    ) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
            .json(body)
    }
}

/// Whether an optional suite must run (CI) or may skip (a developer's machine).
pub fn required(var: &str) -> bool {
    std::env::var(var).is_ok_and(|v| v == "1" || v.eq_ignore_ascii_case("true"))
}
