//! Email delivery: one plain-text message per notification, sent through the SMTP
//! server the workspace configured, in the workspace's language.

use super::send;
use fanloop_domain::notify::{SmtpSecurity, SmtpSettings};
use fanloop_store::notifications::DueDelivery;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// Each SMTP command waits at most this long, as a webhook call does.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole conversation (connect, TLS, login, data) is bounded too: a server that
/// answers every command slowly must not hold the delivery loop either.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

pub async fn deliver(d: &DueDelivery) -> Result<(), String> {
    let smtp = SmtpSettings::from_sealed(&d.target).map_err(|errors| {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        format!(
            "the email target's settings are not valid ({})",
            fields.join(", ")
        )
    })?;
    let message = message(d, &smtp)?;
    let transport = transport(&smtp)?;
    match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("SMTP {}:{}: {e}", smtp.host, smtp.port)),
        Err(_) => Err(format!(
            "SMTP {}:{}: no answer within {} s",
            smtp.host,
            smtp.port,
            SEND_TIMEOUT.as_secs()
        )),
    }
}

/// The headline as the subject (lettre encodes it for non-ASCII), the full text as the
/// body. The Message-ID names the notification and target, so a retry after a lost
/// reply is the same message to a mail client that removes duplicates.
fn message(d: &DueDelivery, smtp: &SmtpSettings) -> Result<Message, String> {
    let address = |raw: &str| {
        raw.parse()
            .map_err(|e| format!("the address {raw} is not usable: {e}"))
    };
    let from_domain = smtp.from.rsplit('@').next().unwrap_or("localhost");
    let mut builder = Message::builder()
        .from(Mailbox::new(
            Some("Fanloop".to_owned()),
            address(&smtp.from)?,
        ))
        .subject(send::headline(d))
        .message_id(Some(format!(
            "<fanloop.{}.{}@{from_domain}>",
            d.notification.id, d.target_id
        )));
    for to in &smtp.to {
        builder = builder.to(Mailbox::new(None, address(to)?));
    }
    builder
        .header(ContentType::TEXT_PLAIN)
        .body(format!("{}\n", send::text(d)))
        .map_err(|e| format!("the message could not be built: {e}"))
}

/// A connection for one message: notifications are rare, so no pool is kept open.
fn transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let parameters =
        || TlsParameters::new(smtp.host.clone()).map_err(|e| format!("TLS for {}: {e}", smtp.host));
    let tls = match smtp.security {
        SmtpSecurity::Tls => Tls::Wrapper(parameters()?),
        // Required, not Opportunistic: a server that does not offer STARTTLS is refused
        // rather than sent the password in clear text.
        SmtpSecurity::StartTls => Tls::Required(parameters()?),
        // The domain allows this only to a relay on this machine.
        SmtpSecurity::None => Tls::None,
    };
    // "Dangerous" only because it starts without TLS; the mode is set just below.
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(COMMAND_TIMEOUT));
    if let Some((username, password)) = &smtp.login {
        builder = builder.credentials(Credentials::new(username.clone(), password.clone()));
    }
    Ok(builder.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use fanloop_store::notifications::Notification;
    use std::collections::BTreeMap;

    fn delivery(locale: &str) -> DueDelivery {
        let settings = BTreeMap::from(
            [
                ("smtp_host", "127.0.0.1"),
                ("smtp_security", "none"),
                ("mail_from", "fanloop@example.com"),
                ("mail_to", "a@example.com,b@example.com"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        DueDelivery {
            notification: Notification {
                id: 7,
                workspace_id: 1,
                kind: "publish_failed".to_owned(),
                publication_id: Some(3),
                channel_id: Some(2),
                detail: String::new(),
                created_at: 0,
                read_at: None,
                post_title: Some("桂花拿铁回来了".to_owned()),
                channel_name: None,
            },
            target_id: 9,
            target_kind: "email".to_owned(),
            target: settings,
            attempts: 0,
            locale: locale.to_owned(),
            workspace_name: "小满咖啡".to_owned(),
        }
    }

    #[test]
    fn message_headers() {
        let d = delivery("zh-CN");
        let smtp = SmtpSettings::from_sealed(&d.target).unwrap();
        let message = message(&d, &smtp).unwrap();
        let envelope = message.envelope();
        let to: Vec<String> = envelope.to().iter().map(|a| a.to_string()).collect();
        assert_eq!(to, ["a@example.com", "b@example.com"]);
        let raw = String::from_utf8(message.formatted()).unwrap();
        let subject = raw
            .lines()
            .find(|l| l.starts_with("Subject: "))
            .expect("a subject");
        // Non-ASCII headers go out as RFC 2047 encoded words, never raw UTF-8.
        assert!(
            subject.is_ascii() && subject.contains("=?utf-8?"),
            "{subject}"
        );
        assert!(
            raw.contains("Message-ID: <fanloop.7.9@example.com>"),
            "{raw}"
        );
        assert!(
            raw.contains("Content-Type: text/plain; charset=utf-8"),
            "{raw}"
        );
    }

    #[test]
    fn an_invalid_stored_target_is_not_sent() {
        let mut d = delivery("en");
        d.target
            .insert("smtp_host".to_owned(), "smtp.example.com".to_owned());
        let error = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(deliver(&d))
            .unwrap_err();
        assert!(error.contains("smtp_security"), "{error}");
    }
}
