//! Email targets: the SMTP server a workspace sends its notifications through and the
//! people who receive them. Parsed once when the target is added and again when the
//! notifier opens the sealed settings, so both agree on what a valid target is.

use crate::account::Email;
use crate::invalid::{Invalid, Reason, single_line};
use std::collections::BTreeMap;

/// More recipients than this is a mailing list, which belongs in the mail system.
pub const MAX_RECIPIENTS: usize = 20;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// A plain connection upgraded with STARTTLS before anything is sent (usually 587).
    StartTls,
    /// No encryption: only to a relay on this machine, like plain http elsewhere.
    None,
}

impl SmtpSecurity {
    pub const ALL: [SmtpSecurity; 3] = [
        SmtpSecurity::Tls,
        SmtpSecurity::StartTls,
        SmtpSecurity::None,
    ];

    pub fn parse(raw: &str) -> Option<SmtpSecurity> {
        let raw = raw.trim().to_ascii_lowercase();
        SmtpSecurity::ALL.into_iter().find(|s| s.code() == raw)
    }

    pub fn code(self) -> &'static str {
        match self {
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::StartTls => "starttls",
            SmtpSecurity::None => "none",
        }
    }

    /// The port a server conventionally listens on for this mode.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::None => 25,
        }
    }
}

/// The SMTP fields as typed (a form) or sent (the API); empty means not given.
#[derive(Debug, Clone, Copy, Default)]
pub struct SmtpInput<'a> {
    pub host: &'a str,
    pub port: &'a str,
    pub security: &'a str,
    pub username: &'a str,
    pub password: &'a str,
    pub from: &'a str,
    /// Addresses separated by commas, semicolons or line breaks, as mail clients paste them.
    pub to: &'a str,
}

impl SmtpInput<'_> {
    /// The fields that hold something, by name: refused on a target that is not email.
    pub fn given(&self) -> Vec<&'static str> {
        [
            ("smtp_host", self.host),
            ("smtp_port", self.port),
            ("smtp_security", self.security),
            ("smtp_username", self.username),
            ("smtp_password", self.password),
            ("mail_from", self.from),
            ("mail_to", self.to),
        ]
        .into_iter()
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|(field, _)| field)
        .collect()
    }
}

/// A checked email target. `password` is a secret: it is sealed with the rest and never
/// shown again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password, when the server asks for them.
    pub login: Option<(String, String)>,
    pub from: String,
    pub to: Vec<String>,
}

impl SmtpSettings {
    /// Checks every field and reports each refused one. Refusals: `smtp_security`
    /// InsecureUrl (`none` to a host other than this machine), `smtp_port` OutOfRange,
    /// `smtp_username`/`smtp_password` Required (one without the other), `mail_to`
    /// TooLong (more than [`MAX_RECIPIENTS`]) or NotAnEmail.
    pub fn parse(input: &SmtpInput) -> Result<SmtpSettings, Vec<Invalid>> {
        let mut errors = Vec::new();
        let host = check_host(input.host).map_err(|e| errors.push(e));
        let security = match input.security.trim() {
            "" => Err(Invalid::new("smtp_security", Reason::Required)),
            raw => SmtpSecurity::parse(raw).ok_or(Invalid::new("smtp_security", Reason::BadFormat)),
        };
        let security = security.map_err(|e| errors.push(e));
        // Credentials and mail in clear text may cross only this machine.
        if let (Ok(host), Ok(SmtpSecurity::None)) = (&host, &security)
            && !is_loopback(host)
        {
            errors.push(Invalid::new("smtp_security", Reason::InsecureUrl));
        }
        let port = match input.port.trim() {
            "" => Ok(None),
            raw => raw
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .map(Some)
                .ok_or_else(|| errors.push(Invalid::new("smtp_port", Reason::OutOfRange))),
        };
        let login = check_login(input.username, input.password).map_err(|e| errors.push(e));
        let from = mailbox("mail_from", input.from).map_err(|e| errors.push(e));
        let to = recipients(input.to).map_err(|e| errors.push(e));
        match (host, security, port, login, from, to) {
            (Ok(host), Ok(security), Ok(port), Ok(login), Ok(from), Ok(to))
                if errors.is_empty() =>
            {
                Ok(SmtpSettings {
                    host,
                    port: port.unwrap_or(security.default_port()),
                    security,
                    login,
                    from,
                    to,
                })
            }
            _ => Err(errors),
        }
    }

    /// Reads back what [`SmtpSettings::sealed`] stored, checking it again: a target
    /// written by another version is refused here rather than half-sent.
    pub fn from_sealed(settings: &BTreeMap<String, String>) -> Result<SmtpSettings, Vec<Invalid>> {
        let get = |key: &str| settings.get(key).map(String::as_str).unwrap_or("");
        SmtpSettings::parse(&SmtpInput {
            host: get("smtp_host"),
            port: get("smtp_port"),
            security: get("smtp_security"),
            username: get("smtp_username"),
            password: get("smtp_password"),
            from: get("mail_from"),
            to: get("mail_to"),
        })
    }

    /// Everything the store seals, the password included.
    pub fn sealed(&self) -> BTreeMap<String, String> {
        let mut settings = BTreeMap::from([
            ("smtp_host".to_owned(), self.host.clone()),
            ("smtp_port".to_owned(), self.port.to_string()),
            ("smtp_security".to_owned(), self.security.code().to_owned()),
            ("mail_from".to_owned(), self.from.clone()),
            ("mail_to".to_owned(), self.to.join(",")),
        ]);
        if let Some((username, password)) = &self.login {
            settings.insert("smtp_username".to_owned(), username.clone());
            settings.insert("smtp_password".to_owned(), password.clone());
        }
        settings
    }
}

/// A host name or an IP address (IPv6 with or without brackets), stored bare.
fn check_host(raw: &str) -> Result<String, Invalid> {
    let host = single_line("smtp_host", raw, 253, true)?.to_ascii_lowercase();
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(&host);
    if bare.parse::<std::net::IpAddr>().is_ok() {
        return Ok(bare.to_owned());
    }
    // Letters, digits and hyphens in dot-separated labels; a name in another script is
    // typed in its punycode form (xn--…), as mail servers expect.
    let name_ok = bare.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if name_ok {
        Ok(bare.to_owned())
    } else {
        Err(Invalid::new("smtp_host", Reason::BadFormat))
    }
}

/// The same rule as [`crate::channel::check_url`]: a loopback address or `localhost`, not
/// a name that merely starts like one.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Both or neither: a user name alone would fail at the server with a less clear error.
fn check_login(username: &str, password: &str) -> Result<Option<(String, String)>, Invalid> {
    let username = single_line("smtp_username", username, 254, false)?;
    // Not trimmed: spaces at either end can be part of a password.
    if password.chars().count() > 200 {
        return Err(Invalid::new("smtp_password", Reason::TooLong { max: 200 }));
    }
    if password.chars().any(char::is_control) {
        return Err(Invalid::new("smtp_password", Reason::ControlCharacters));
    }
    match (username.is_empty(), password.is_empty()) {
        (true, true) => Ok(None),
        (false, true) => Err(Invalid::new("smtp_password", Reason::Required)),
        (true, false) => Err(Invalid::new("smtp_username", Reason::Required)),
        (false, false) => Ok(Some((username, password.to_owned()))),
    }
}

/// One plain ASCII address. Characters that only make sense quoted or around a display
/// name are refused, so the envelope and the header carry exactly what was typed; so is
/// non-ASCII, which many servers refuse (no SMTPUTF8) long after the form said yes.
fn mailbox(field: &str, raw: &str) -> Result<String, Invalid> {
    let email = Email::parse(raw).map_err(|e| Invalid::new(field, e.reason))?;
    let address = email.as_str();
    if !address.is_ascii()
        || address.contains(['<', '>', '(', ')', '[', ']', ',', ';', ':', '"', '\\'])
    {
        return Err(Invalid::new(field, Reason::NotAnEmail));
    }
    Ok(address.to_owned())
}

fn recipients(raw: &str) -> Result<Vec<String>, Invalid> {
    let mut to: Vec<String> = Vec::new();
    for part in raw
        .split([',', ';', '\n', '\r'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let address = mailbox("mail_to", part)?;
        if !to.contains(&address) {
            to.push(address);
        }
    }
    if to.is_empty() {
        return Err(Invalid::new("mail_to", Reason::Required));
    }
    if to.len() > MAX_RECIPIENTS {
        return Err(Invalid::new(
            "mail_to",
            Reason::TooLong {
                max: MAX_RECIPIENTS,
            },
        ));
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(host: &'a str, security: &'a str) -> SmtpInput<'a> {
        SmtpInput {
            host,
            port: "",
            security,
            username: "ops@example.com",
            password: " p@ss word ",
            from: "Fanloop@Example.com",
            to: "a@example.com; b@example.com,\na@example.com",
        }
    }

    fn refused(input: SmtpInput) -> Vec<(String, Reason)> {
        match SmtpSettings::parse(&input) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (e.field, e.reason)).collect(),
        }
    }

    #[test]
    fn settings() {
        let ok = input("smtp.example.com", "starttls");
        let no = |field: &str, reason: Reason| vec![(field.to_owned(), reason)];
        // An input → the fields refused and why.
        let table: Vec<(SmtpInput, Vec<(String, Reason)>)> = vec![
            (ok, vec![]),
            (input("smtp.example.com", "TLS"), vec![]),
            (input("127.0.0.1", "none"), vec![]),
            (input("[::1]", "none"), vec![]),
            (input("localhost", "none"), vec![]),
            (
                input("smtp.example.com", "none"),
                no("smtp_security", Reason::InsecureUrl),
            ),
            (
                input("127.0.0.1.example.com", "none"),
                no("smtp_security", Reason::InsecureUrl),
            ),
            (
                input("10.0.0.5", "none"),
                no("smtp_security", Reason::InsecureUrl),
            ),
            (
                input("smtp.example.com", ""),
                no("smtp_security", Reason::Required),
            ),
            (
                input("smtp.example.com", "ssl"),
                no("smtp_security", Reason::BadFormat),
            ),
            (input("", "tls"), no("smtp_host", Reason::Required)),
            (
                input("smtp example.com", "tls"),
                no("smtp_host", Reason::BadFormat),
            ),
            (
                input("smtp..example.com", "tls"),
                no("smtp_host", Reason::BadFormat),
            ),
            (
                input("smtp.example.com:587", "tls"),
                no("smtp_host", Reason::BadFormat),
            ),
            (
                input("smtp.example.com\r\nRCPT", "tls"),
                no("smtp_host", Reason::ControlCharacters),
            ),
            (
                input("邮件.example.com", "tls"),
                no("smtp_host", Reason::BadFormat),
            ),
            (
                SmtpInput { port: "0", ..ok },
                no("smtp_port", Reason::OutOfRange),
            ),
            (
                SmtpInput {
                    port: "65536",
                    ..ok
                },
                no("smtp_port", Reason::OutOfRange),
            ),
            (
                SmtpInput { port: "smtp", ..ok },
                no("smtp_port", Reason::OutOfRange),
            ),
            (
                SmtpInput { password: "", ..ok },
                no("smtp_password", Reason::Required),
            ),
            (
                SmtpInput {
                    username: " ",
                    ..ok
                },
                no("smtp_username", Reason::Required),
            ),
            (
                SmtpInput {
                    username: "",
                    password: "",
                    ..ok
                },
                vec![],
            ),
            (
                SmtpInput {
                    password: "a\r\nb",
                    ..ok
                },
                no("smtp_password", Reason::ControlCharacters),
            ),
            (
                SmtpInput { from: "", ..ok },
                no("mail_from", Reason::Required),
            ),
            (
                SmtpInput {
                    from: "Fanloop <bot@example.com>",
                    ..ok
                },
                no("mail_from", Reason::NotAnEmail),
            ),
            (
                SmtpInput { to: " ;, ", ..ok },
                no("mail_to", Reason::Required),
            ),
            (
                SmtpInput {
                    to: "a@example.com, not-an-address",
                    ..ok
                },
                no("mail_to", Reason::NotAnEmail),
            ),
            (
                SmtpInput {
                    to: "\"a,b\"@example.com",
                    ..ok
                },
                no("mail_to", Reason::NotAnEmail),
            ),
            (
                SmtpInput {
                    to: "运营@example.com",
                    ..ok
                },
                no("mail_to", Reason::NotAnEmail),
            ),
            (
                SmtpInput {
                    host: "",
                    security: "",
                    from: "x",
                    ..ok
                },
                vec![
                    ("smtp_host".to_owned(), Reason::Required),
                    ("smtp_security".to_owned(), Reason::Required),
                    ("mail_from".to_owned(), Reason::NotAnEmail),
                ],
            ),
        ];
        for (input, want) in table {
            assert_eq!(refused(input), want, "{input:?}");
        }
    }

    #[test]
    fn too_many_recipients() {
        let many: Vec<String> = (0..=MAX_RECIPIENTS)
            .map(|i| format!("r{i}@example.com"))
            .collect();
        let many = many.join(",");
        let input = SmtpInput {
            to: &many,
            ..input("smtp.example.com", "tls")
        };
        assert_eq!(
            refused(input),
            vec![(
                "mail_to".to_owned(),
                Reason::TooLong {
                    max: MAX_RECIPIENTS
                }
            )]
        );
    }

    #[test]
    fn normalised_and_read_back() {
        let parsed = SmtpSettings::parse(&input("SMTP.Example.com", "tls")).unwrap();
        assert_eq!(parsed.host, "smtp.example.com");
        assert_eq!((parsed.security, parsed.port), (SmtpSecurity::Tls, 465));
        assert_eq!(parsed.from, "fanloop@example.com");
        assert_eq!(parsed.to, ["a@example.com", "b@example.com"]);
        assert_eq!(
            parsed.login,
            Some(("ops@example.com".to_owned(), " p@ss word ".to_owned()))
        );
        assert_eq!(SmtpSettings::from_sealed(&parsed.sealed()), Ok(parsed));

        let starttls = SmtpSettings::parse(&SmtpInput {
            port: " 2525 ",
            ..input("[::1]", "starttls")
        })
        .unwrap();
        assert_eq!((starttls.host.as_str(), starttls.port), ("::1", 2525));
        let anonymous = SmtpInput {
            username: "",
            password: "",
            ..input("localhost", "none")
        };
        let anonymous = SmtpSettings::parse(&anonymous).unwrap();
        assert_eq!(anonymous.port, 25);
        assert!(!anonymous.sealed().contains_key("smtp_password"));
    }
}
