//! One delivery to one target, in each service's documented message shape (email has
//! its own module).

use base64::Engine as _;
use fanloop_domain::Locale;
use fanloop_platforms::Reason;
use fanloop_store::notifications::DueDelivery;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn locale(d: &DueDelivery) -> Locale {
    Locale::parse(&d.locale).unwrap_or_default()
}

/// What happened, in the workspace's language: "[Fanloop · 小满咖啡] 发布失败". The start
/// of every message, and an email's subject.
pub fn headline(d: &DueDelivery) -> String {
    let zh = locale(d) == Locale::ZhCn;
    let what = match (d.notification.kind.as_str(), zh) {
        ("publish_failed", true) => "发布失败",
        ("publish_failed", false) => "Publishing failed",
        ("publish_unconfirmed", true) => "发布结果待核实",
        ("publish_unconfirmed", false) => "Publication unconfirmed",
        ("reconnect_needed", true) => "账号需要重新连接",
        ("reconnect_needed", false) => "Channel needs reconnecting",
        ("publish_missed", true) => "错过发布时间",
        ("publish_missed", false) => "Publication missed",
        ("assisted_ready", true) => "待人工发布",
        ("assisted_ready", false) => "Ready to post by hand",
        ("assisted_overdue", true) => "人工发布超时未确认",
        ("assisted_overdue", false) => "Assisted post overdue",
        (_, true) => "通知",
        (_, false) => "Notice",
    };
    format!("[Fanloop · {}] {what}", d.workspace_name)
}

/// The notification as one line of text in the workspace's language.
pub fn text(d: &DueDelivery) -> String {
    let locale = locale(d);
    let zh = locale == Locale::ZhCn;
    let n = &d.notification;
    let reason: Option<Reason> =
        serde_json::from_value(serde_json::Value::String(n.detail.clone())).ok();
    let reason = reason.map(|r| r.message(locale)).unwrap_or("");
    let title = n.post_title.as_deref().unwrap_or("");
    let channel = n.channel_name.as_deref().unwrap_or("");
    let mut line = headline(d);
    if !title.is_empty() {
        line.push_str(if zh { "：《" } else { ": “" });
        line.push_str(title);
        line.push_str(if zh { "》" } else { "”" });
    }
    if !channel.is_empty() {
        line.push_str(if zh { " · " } else { " on " });
        line.push_str(channel);
    }
    if !reason.is_empty() {
        line.push_str(if zh { "。" } else { ". " });
        line.push_str(reason);
    }
    line
}

pub async fn deliver(client: &reqwest::Client, d: &DueDelivery) -> Result<(), String> {
    if d.target_kind == "email" {
        return super::email::deliver(d).await;
    }
    let url = d
        .target
        .get("url")
        .filter(|u| !u.is_empty())
        .ok_or("the target has no URL")?;
    let secret = d.target.get("secret").map(String::as_str).unwrap_or("");
    let content = text(d);
    let now_ms = crate::now_ms();
    let request = match d.target_kind.as_str() {
        "wecom" => client
            .post(url)
            .json(&serde_json::json!({"msgtype": "text", "text": {"content": content}})),
        "dingtalk" => {
            let mut url = url.clone();
            if !secret.is_empty() {
                // DingTalk: sign = base64(HmacSHA256(secret, timestamp + "\n" + secret)).
                let sign = sign(secret.as_bytes(), format!("{now_ms}\n{secret}").as_bytes());
                let sign = percent_encoding::utf8_percent_encode(
                    &base64::engine::general_purpose::STANDARD.encode(sign),
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string();
                // The robot URL carries its access_token already; add ours after it.
                let joiner = if url.contains('?') { '&' } else { '?' };
                url.push_str(&format!("{joiner}timestamp={now_ms}&sign={sign}"));
            }
            client
                .post(url)
                .json(&serde_json::json!({"msgtype": "text", "text": {"content": content}}))
        }
        "feishu" => {
            let mut body = serde_json::json!({"msg_type": "text", "content": {"text": content}});
            if !secret.is_empty() {
                // Feishu: the key is timestamp + "\n" + secret, the message empty.
                let ts = now_ms / 1000;
                let key = format!("{ts}\n{secret}");
                let sign =
                    base64::engine::general_purpose::STANDARD.encode(sign(key.as_bytes(), b""));
                body["timestamp"] = serde_json::Value::String(ts.to_string());
                body["sign"] = serde_json::Value::String(sign);
            }
            client.post(url).json(&body)
        }
        "slack" => client.post(url).json(&serde_json::json!({"text": content})),
        "webhook" => {
            let n = &d.notification;
            let body = serde_json::json!({
                "kind": n.kind,
                "workspace_id": n.workspace_id,
                "publication_id": n.publication_id,
                "channel_id": n.channel_id,
                "post_title": n.post_title,
                "channel_name": n.channel_name,
                "reason": n.detail,
                "text": content,
                "created_at": n.created_at,
            })
            .to_string();
            // Receivers verify HMAC-SHA256(secret, timestamp + "." + body).
            let signed = format!("{now_ms}.{body}");
            let signature = hex::encode(sign(secret.as_bytes(), signed.as_bytes()));
            client
                .post(url)
                .header("content-type", "application/json")
                .header("x-fanloop-timestamp", now_ms.to_string())
                .header("x-fanloop-signature", format!("sha256={signature}"))
                .body(body)
        }
        other => return Err(format!("unknown target kind {other}")),
    };
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    if !status.is_success() {
        return Err(format!("HTTP {}: {}", status.as_u16(), snippet(&body)));
    }
    // The group robots answer 200 with an error code in the body.
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&body) {
        let code = v
            .get("errcode")
            .or_else(|| v.get("code"))
            .and_then(|c| c.as_i64());
        if let Some(code) = code.filter(|c| *c != 0) {
            let msg = v
                .get("errmsg")
                .or_else(|| v.get("msg"))
                .and_then(|m| m.as_str());
            return Err(format!("error {code}: {}", msg.unwrap_or("")));
        }
    }
    Ok(())
}

fn sign(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn snippet(body: &str) -> String {
    body.chars().take(200).collect()
}
