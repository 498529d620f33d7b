//! Email targets: checked and sealed like the others, and delivered end to end to a real
//! SMTP server (nodemailer's `smtp-server`, from `peers/smtp-server`), which reports the
//! login, the envelope and the raw message it received.

use super::{call, failed_publication, setup};
use crate::helpers::required;
use base64::Engine as _;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout};

#[tokio::test]
async fn email_targets_are_checked_and_sealed() {
    let (app, owner, ws, token) = setup().await;
    let path = format!("/api/v1/workspaces/{}/notification-targets", ws.id);
    let target = json!({"kind": "email", "name": "值班邮箱", "smtp_host": "smtp.example.com",
        "smtp_port": 465, "smtp_security": "tls", "smtp_username": "ops@example.com",
        "smtp_password": "PASSWORD-123", "mail_from": "ops@example.com",
        "mail_to": ["a@example.com", "b@example.com"]});
    let (status, created) = call(app.post_json(&path, &token, &target)).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["kind"], "email");
    let (_, listed) = call(app.get(&path, &token)).await;
    for body in [&created, &listed] {
        let text = body.to_string();
        assert!(
            !text.contains("PASSWORD") && !text.contains("smtp"),
            "SMTP settings are sealed: {text}"
        );
    }

    // Plain SMTP is for a relay on this machine only; the words say what to choose.
    let plain = |host: &str| {
        json!({"kind": "email", "name": "n", "smtp_host": host, "smtp_security": "none",
            "mail_from": "ops@example.com", "mail_to": "a@example.com"})
    };
    let (status, refused) = call(
        app.post_json(&path, &token, &plain("smtp.example.com"))
            .header("accept-language", "en"),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(refused["errors"][0]["field"], "smtp_security", "{refused}");
    let words = refused["errors"][0]["message"].as_str().unwrap();
    assert!(words.contains("tls or starttls"), "{words}");
    let (status, _) = call(app.post_json(&path, &token, &plain("127.0.0.1"))).await;
    assert_eq!(status, 201);
    let cases = [
        (
            json!({"kind": "email", "name": "n", "url": "https://x.example",
                "smtp_host": "smtp.example.com", "smtp_security": "tls",
                "mail_from": "ops@example.com", "mail_to": "a@example.com"}),
            "url",
        ),
        (
            json!({"kind": "wecom", "name": "n", "url": "https://x.example", "mail_to": "a@example.com"}),
            "mail_to",
        ),
        (
            json!({"kind": "email", "name": "n", "smtp_host": "smtp.example.com",
                "smtp_security": "tls", "smtp_port": 0, "mail_from": "ops@example.com",
                "mail_to": "a@example.com"}),
            "smtp_port",
        ),
    ];
    for (body, field) in cases {
        let (status, refused) = call(app.post_json(&path, &token, &body)).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(refused["errors"][0]["field"], field, "{body}: {refused}");
    }

    // The settings form keeps what was typed, opens the email section and says why.
    let (cookie, csrf) = app.session(&owner).await;
    let page = format!("{}/w/{}/settings/notifications", app.url, ws.id);
    let r = app
        .http
        .post(&page)
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "_csrf={csrf}&kind=email&name=ops&url=&secret=&smtp_host=mail.example.com\
             &smtp_port=25&smtp_security=none&smtp_username=&smtp_password=\
             &mail_from=ops%40example.com&mail_to=a%40example.com%0Ab%40example.com&events=publish_failed"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("value=\"mail.example.com\""),
        "the host stays"
    );
    assert!(
        html.contains("a@example.com\nb@example.com"),
        "the recipients stay"
    );
    assert!(html.contains("class=\"email-target\" open"), "{html}");
    assert!(html.contains("只能用于本机的邮件服务器"), "and says why");
}

#[tokio::test]
async fn email_reaches_a_real_smtp_server() {
    let Some(mut peer) = SmtpPeer::start().await else {
        return;
    };
    let (app, owner, ws, token) = setup().await;
    let path = format!("/api/v1/workspaces/{}/notification-targets", ws.id);
    let target = json!({"kind": "email", "name": "值班邮箱", "smtp_host": "127.0.0.1",
        "smtp_port": peer.port, "smtp_security": "none", "smtp_username": "ops@example.com",
        "smtp_password": "app-password", "mail_from": "fanloop@example.com",
        "mail_to": "ops@example.com; Boss@Example.com", "events": "publish_failed"});
    let (status, body) = call(app.post_json(&path, &token, &target)).await;
    assert_eq!(status, 201, "{body}");
    failed_publication(&app, &ws, &owner).await;

    let client = reqwest::Client::new();
    let now = jiff::Timestamp::now().as_millisecond();
    let reports = fanloop_engine::deliver_due(&app.store, &client, now)
        .await
        .unwrap();
    assert_eq!(reports.len(), 1, "{reports:?}");
    assert_eq!(reports[0].status, "sent", "{reports:?}");

    let (auth, mail) = peer.received().await;
    assert_eq!(auth["username"], "ops@example.com", "AUTH was used: {auth}");
    assert_eq!(mail["user"], "ops@example.com");
    assert_eq!(mail["from"], "fanloop@example.com");
    assert_eq!(mail["to"], json!(["ops@example.com", "boss@example.com"]));
    let message = Mail::parse(mail["data"].as_str().unwrap());
    let subject = message.header("subject");
    assert!(
        !subject.is_ascii(),
        "the encoded subject was decoded: {subject}"
    );
    assert!(message.raw_header("subject").is_ascii(), "and sent encoded");
    assert_eq!(subject, "[Fanloop · 小满咖啡] 发布失败");
    assert!(message.header("to").contains("boss@example.com"));
    assert!(
        message.header("content-type").contains("charset=utf-8"),
        "{}",
        message.header("content-type")
    );
    let body = message.body();
    assert!(
        body.contains("发布失败")
            && body.contains("《桂花拿铁回来了》")
            && body.contains("内容被平台拒绝"),
        "{body}"
    );
}

/// `node server.js PORT` from `peers/smtp-server`, with its event lines to read.
struct SmtpPeer {
    _child: Child,
    port: u16,
    events: Lines<BufReader<ChildStdout>>,
}

impl SmtpPeer {
    /// `None` (after saying "skipped") when node or the peer is not installed, unless
    /// `FANLOOP_REQUIRE_PEERS=1` makes that a failure.
    async fn start() -> Option<SmtpPeer> {
        let dir = PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../peers/smtp-server"
        ));
        let hint = "install node and `npm ci --prefix peers/smtp-server`";
        let skip = |why: String| {
            if required("FANLOOP_REQUIRE_PEERS") {
                panic!("FANLOOP_REQUIRE_PEERS=1 but {why} ({hint})");
            }
            eprintln!("skipped: {why} ({hint})");
        };
        if !dir.join("node_modules/smtp-server").is_dir() {
            skip("the smtp-server peer is not installed".to_owned());
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free loopback port")
            .port();
        let spawned = tokio::process::Command::new("node")
            .arg("server.js")
            .arg(port.to_string())
            .arg("--exit-with-stdin")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                skip(format!("node could not be started: {e}"));
                return None;
            }
        };
        let stdout = child.stdout.take().expect("piped stdout");
        let mut peer = SmtpPeer {
            _child: child,
            port,
            events: BufReader::new(stdout).lines(),
        };
        let ready = peer.next().await;
        assert!(
            ready["ready"].is_string(),
            "the peer announces itself: {ready}"
        );
        Some(peer)
    }

    async fn next(&mut self) -> Value {
        let line = tokio::time::timeout(Duration::from_secs(30), self.events.next_line())
            .await
            .expect("the SMTP peer reports within 30 s")
            .expect("read the SMTP peer's output")
            .expect("the SMTP peer is still running");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// The login and the message of one delivery, in the order the server saw them.
    async fn received(&mut self) -> (Value, Value) {
        let mut auth = None;
        loop {
            let mut event = self.next().await;
            if let Some(a) = event.get_mut("auth") {
                auth = Some(a.take());
            } else if let Some(mail) = event.get_mut("mail") {
                return (auth.unwrap_or(Value::Null), mail.take());
            }
        }
    }
}

/// Just enough of a MIME reader to check what a mail client would show: unfolded headers,
/// RFC 2047 encoded words, and a single-part body in base64 or quoted-printable.
struct Mail {
    headers: Vec<(String, String)>,
    body: String,
}

impl Mail {
    fn parse(raw: &str) -> Mail {
        let (head, body) = raw.split_once("\r\n\r\n").expect("headers, then a body");
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                let last = headers.last_mut().expect("a folded line follows a header");
                last.1.push_str(line);
            } else {
                let (name, value) = line.split_once(':').expect("name: value");
                headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
            }
        }
        Mail {
            headers,
            body: body.to_owned(),
        }
    }

    fn raw_header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn header(&self, name: &str) -> String {
        decode_words(self.raw_header(name))
    }

    fn body(&self) -> String {
        let encoding = self
            .headers
            .iter()
            .find(|(n, _)| n == "content-transfer-encoding")
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = match encoding.as_str() {
            "base64" => {
                let compact: String = self.body.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("base64 body")
            }
            "quoted-printable" => quoted_printable(&self.body.replace("=\r\n", ""), false),
            _ => self.body.clone().into_bytes(),
        };
        String::from_utf8(bytes).expect("a UTF-8 body")
    }
}

/// `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words; the space between two of them is not text.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut after_word = false;
    for (i, token) in value.split([' ', '\t']).enumerate() {
        let word = token
            .strip_prefix("=?")
            .and_then(|t| t.strip_suffix("?="))
            .and_then(|t| {
                let mut parts = t.splitn(3, '?');
                Some((parts.next()?, parts.next()?, parts.next()?))
            });
        match word {
            Some((charset, encoding, text)) => {
                assert!(charset.eq_ignore_ascii_case("utf-8"), "{value}");
                let bytes = if encoding.eq_ignore_ascii_case("b") {
                    base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .expect("base64 word")
                } else {
                    quoted_printable(text, true)
                };
                if i > 0 && !after_word {
                    out.push(' ');
                }
                out.push_str(&String::from_utf8(bytes).expect("a UTF-8 word"));
                after_word = true;
            }
            None => {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(token);
                after_word = false;
            }
        }
    }
    out
}

/// `=XX` escapes; in an encoded word `_` is a space.
fn quoted_printable(text: &str, word: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("ASCII escape");
                out.push(u8::from_str_radix(hex, 16).expect("a hex escape"));
                i += 3;
            }
            b'_' if word => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}
