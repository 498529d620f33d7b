//! 日历与发布: the content calendar (month and week), the publications list with the
//! assisted-publishing package, and the forms that act on publications from the post
//! page and the channels page.
//!
//! Scheduling rules live in `crate::publishing` and the store; these pages gather input,
//! call them and show the outcome. What is shared here: the filters every view keeps,
//! a publication as a card, the attention banner and local-time helpers.

pub mod actions;
pub mod grid;
pub mod health;
pub mod layout;
pub mod list;
pub mod package;
pub mod schedule;

use crate::AppState;
use crate::i18n::Tr;
use fanloop_domain::Platform;
use fanloop_domain::publish::PublicationStatus;
use fanloop_store::publishing::{Publication, PublicationFilter};
use fanloop_store::{Channel, Member, StoreError};
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use serde::Deserialize;

/// The statuses the banner never lets anyone miss, in the order it lists them.
pub const ALARMING: [PublicationStatus; 4] = [
    PublicationStatus::Failed,
    PublicationStatus::Unconfirmed,
    PublicationStatus::Held,
    PublicationStatus::Missed,
];

/// The filters of the calendar and the list, as query parameters. Values that do not
/// parse are ignored rather than refused: a stale bookmark still opens the page.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct Filters {
    pub channel: String,
    /// A status code, or `attention` for every alarming status at once.
    pub status: String,
    pub author: String,
}

impl Filters {
    pub fn channel_id(&self) -> Option<i64> {
        self.channel.trim().parse().ok()
    }

    pub fn author_id(&self) -> Option<i64> {
        self.author.trim().parse().ok()
    }

    pub fn statuses(&self) -> Vec<PublicationStatus> {
        match self.status.trim() {
            "attention" => ALARMING.to_vec(),
            code => PublicationStatus::parse(code).into_iter().collect(),
        }
    }

    pub fn apply(&self, filter: &mut PublicationFilter) {
        filter.channel_id = self.channel_id();
        filter.author_id = self.author_id();
        filter.status = self.statuses();
    }

    /// Whether the filter form should show this channel or author as chosen.
    pub fn has_channel(&self, id: &i64) -> bool {
        self.channel_id() == Some(*id)
    }

    pub fn has_author(&self, id: &i64) -> bool {
        self.author_id() == Some(*id)
    }

    pub fn is_active(&self) -> bool {
        self.channel_id().is_some() || self.author_id().is_some() || !self.statuses().is_empty()
    }

    /// `&channel=3&status=failed`: appended to links so they keep the filters.
    pub fn query(&self) -> String {
        let mut out = String::new();
        if let Some(c) = self.channel_id() {
            out.push_str(&format!("&channel={c}"));
        }
        if !self.statuses().is_empty() {
            out.push_str(&format!(
                "&status={}",
                crate::form::encode(self.status.trim())
            ));
        }
        if let Some(a) = self.author_id() {
            out.push_str(&format!("&author={a}"));
        }
        out
    }
}

/// What the filter form offers.
pub struct FilterOptions {
    pub channels: Vec<Channel>,
    pub members: Vec<Member>,
}

impl FilterOptions {
    pub async fn load(
        state: &AppState,
        ctx: &crate::gate::WorkspaceCtx,
    ) -> Result<Self, StoreError> {
        Ok(FilterOptions {
            channels: state.store.channels(ctx.id()).await?,
            members: state.store.members(ctx.id()).await?,
        })
    }

    /// `(code, label)` of every status, "needs attention" first.
    pub fn statuses(&self, tr: &Tr) -> Vec<(&'static str, &'static str)> {
        let mut out = vec![("attention", tr.t("pubs.needs_attention"))];
        out.extend(
            PublicationStatus::ALL
                .iter()
                .map(|s| (s.code(), status_label(tr, *s))),
        );
        out
    }
}

pub fn status_label(tr: &Tr, status: PublicationStatus) -> &'static str {
    tr.t(&format!("pubs.status.{}", status.code()))
}

/// A publication as a calendar card or list row shows it.
pub struct PubCard {
    pub id: i64,
    pub post_id: i64,
    pub title: String,
    pub channel: String,
    pub platform: String,
    pub platform_label: &'static str,
    pub status: PublicationStatus,
    pub status_code: &'static str,
    pub status_label: &'static str,
    /// `20:00` in the workspace's time zone.
    pub time: String,
    /// `2026-10-03 20:00`.
    pub when: String,
    /// `2026-10-03T20:00`, for a `datetime-local` input.
    pub at_input: String,
    /// The local calendar day, `2026-10-03`.
    pub day: String,
    pub late: bool,
    /// Scheduled or held, and the viewer may reschedule.
    pub movable: bool,
    pub publication: Publication,
}

impl PubCard {
    pub fn new(tr: &Tr, tz: &TimeZone, p: Publication, can_schedule: bool) -> PubCard {
        let local = local(p.scheduled_at, tz);
        let platform_label = Platform::parse(&p.platform)
            .map(|pl| pl.label(tr.lang))
            .unwrap_or("");
        PubCard {
            id: p.id,
            post_id: p.post_id,
            title: p.post_title.clone(),
            channel: p.channel_name.clone(),
            platform: p.platform.clone(),
            platform_label,
            status: p.status,
            status_code: p.status.code(),
            status_label: status_label(tr, p.status),
            time: local
                .map(|d| d.strftime("%H:%M").to_string())
                .unwrap_or_default(),
            when: local
                .map(|d| d.strftime("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_default(),
            at_input: local
                .map(|d| d.strftime("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default(),
            day: local.map(|d| d.date().to_string()).unwrap_or_default(),
            late: p.late,
            movable: can_schedule
                && matches!(
                    p.status,
                    PublicationStatus::Scheduled | PublicationStatus::Held
                ),
            publication: p,
        }
    }
}

/// The counts of publications that need someone, for the banner and the dashboard.
pub struct Attention {
    /// `(status code, count)` of the alarming statuses, non-zero only.
    pub alarming: Vec<(&'static str, i64)>,
    /// Assisted publications waiting for a person to post them.
    pub assisted: i64,
}

impl Attention {
    pub async fn load(
        state: &AppState,
        ctx: &crate::gate::WorkspaceCtx,
    ) -> Result<Self, StoreError> {
        let counts = state.store.publications_needing_attention(ctx.id()).await?;
        let count = |code: &str| {
            counts
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        Ok(Attention {
            alarming: ALARMING
                .iter()
                .map(|s| (s.code(), count(s.code())))
                .filter(|(_, n)| *n > 0)
                .collect(),
            assisted: count("assisted"),
        })
    }

    pub fn total(&self) -> i64 {
        self.alarming.iter().map(|(_, n)| n).sum::<i64>() + self.assisted
    }

    /// "2 条发布失败" for one status.
    pub fn line(&self, tr: &Tr, code: &str, n: &i64) -> String {
        tr.t1(&format!("pubs.attention.{code}"), n)
    }
}

pub fn timezone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// An instant as local civil time in `tz`.
pub fn local(at_ms: i64, tz: &TimeZone) -> Option<DateTime> {
    jiff::Timestamp::from_millisecond(at_ms)
        .ok()
        .map(|t| t.to_zoned(tz.clone()).datetime())
}

/// Today in `tz`.
pub fn today(tz: &TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned(tz.clone()).date()
}

/// Midnight starting `date` in `tz`, as milliseconds.
pub fn day_start_ms(date: Date, tz: &TimeZone) -> Option<i64> {
    date.to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

/// A `datetime-local` value (`2026-10-03T20:00`, seconds optional; a space works as
/// well as `T`) read in `tz`. A time inside a daylight-saving gap moves forward.
pub fn parse_local(raw: &str, tz: &TimeZone) -> Option<i64> {
    let raw = raw.trim().replacen(' ', "T", 1);
    let dt: DateTime = raw.parse().ok()?;
    dt.to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

/// A return address inside a page (`?view=week&date=…`), kept only when it is a plain
/// query string, so a crafted form cannot send the browser anywhere else.
pub fn safe_query(back: &str) -> &str {
    let ok = back.starts_with('?')
        && back
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"?&=%-_.+".contains(&b));
    if ok { back } else { "" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_round_trip_in_the_workspace_zone() {
        let tz = timezone("Asia/Shanghai");
        let at = parse_local("2026-10-03T20:00", &tz).unwrap();
        let utc: jiff::Timestamp = "2026-10-03T12:00:00Z".parse().unwrap();
        assert_eq!(at, utc.as_millisecond());
        assert_eq!(parse_local("2026-10-03 20:00:30", &tz), Some(at + 30_000));
        assert_eq!(parse_local("10/03 20:00", &tz), None);
        assert_eq!(parse_local("", &tz), None);
        let back = local(at, &tz).unwrap();
        assert_eq!(
            back.strftime("%Y-%m-%dT%H:%M").to_string(),
            "2026-10-03T20:00"
        );
    }

    #[test]
    fn only_plain_query_strings_are_followed_back() {
        assert_eq!(
            safe_query("?view=week&date=2026-10-01"),
            "?view=week&date=2026-10-01"
        );
        assert_eq!(safe_query("?status=%E5%A4%B1"), "?status=%E5%A4%B1");
        for bad in [
            "//evil.example",
            "/w/2/calendar",
            "?a=<b>",
            "https://x",
            "?x=\"y\"",
        ] {
            assert_eq!(safe_query(bad), "", "{bad}");
        }
    }

    /// The catalog test reads `src/pages` but not this module's folder; this covers it,
    /// and the keys built at run time from status codes.
    #[test]
    fn every_key_of_this_module_exists() {
        let tr = Tr::new(fanloop_domain::Locale::En);
        let missing = |key: &str| tr.t(key) == "⟨missing text⟩";
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages/calendar");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in ["t(\"", "t1(\""] {
                for (i, _) in text.match_indices(marker) {
                    let rest = &text[i + marker.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.contains('.') && !key.contains(' ') {
                        assert!(!missing(key), "{}: {key}", path.display());
                    }
                }
            }
        }
        for s in PublicationStatus::ALL {
            assert!(!missing(&format!("pubs.status.{}", s.code())), "{s:?}");
        }
        for code in ["failed", "unconfirmed", "held", "missed", "assisted"] {
            assert!(!missing(&format!("pubs.attention.{code}")), "{code}");
        }
        for code in [
            "ok",
            "failing",
            "token_expiring",
            "needs_reconnect",
            "unused",
        ] {
            assert!(!missing(&format!("pubs.health.{code}")), "{code}");
        }
        for step in ["copy", "images", "tags", "publish", "confirm"] {
            assert!(!missing(&format!("pubs.check.{step}")), "{step}");
        }
    }

    #[test]
    fn filters_ignore_what_does_not_parse() {
        let f = Filters {
            channel: "x".into(),
            status: "attention".into(),
            author: " 7 ".into(),
        };
        assert_eq!(f.channel_id(), None);
        assert_eq!(f.author_id(), Some(7));
        assert_eq!(f.statuses().len(), 4);
        assert_eq!(f.query(), "&status=attention&author=7");
        let none = Filters {
            status: "done".into(),
            ..Filters::default()
        };
        assert!(!none.is_active());
        assert_eq!(none.query(), "");
    }
}
