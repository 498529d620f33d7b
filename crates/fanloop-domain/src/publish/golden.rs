//! Golden time: which hours of the week a channel's posts do best, from the channel's
//! own history (an hour-of-week model, recent posts weighing more), leaning on the
//! platform's typical daily rhythm while the history is thin.

use crate::channel::Platform;
use crate::workspace::Locale;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

/// One past post: when it went out and how much engagement it drew (reads, or
/// likes + comments + shares where reads are unknown).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub posted_at_ms: i64,
    pub engagement: f64,
}

/// A suggested hour of the week.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoldenSlot {
    /// 0 = Monday … 6 = Sunday, in the workspace's time zone.
    pub weekday: u8,
    pub hour: u8,
    /// Expected engagement relative to the channel's median post (1.0 = typical).
    pub lift: f64,
}

/// Suggestions with what they rest on.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldenTime {
    pub slots: Vec<GoldenSlot>,
    /// How many of the channel's posts informed it.
    pub based_on: usize,
    /// False while the history is too thin and the platform's rhythm dominates.
    pub from_history: bool,
}

/// Posts older than this count half as much (recency weighting).
const HALF_LIFE_DAYS: f64 = 60.0;
/// Pseudo-posts of prior belief per hour bucket: with fewer real posts than this in an
/// hour, the platform rhythm still outweighs them.
const PRIOR_STRENGTH: f64 = 2.0;
/// Below this many posts the suggestion is labelled as platform-based.
const ENOUGH_HISTORY: usize = 12;

/// The `top` best hours of the week for a channel.
pub fn suggest(
    platform: Platform,
    samples: &[Sample],
    tz: &TimeZone,
    now_ms: i64,
    top: usize,
) -> GoldenTime {
    let prior = rhythm(platform);
    let median = median(samples.iter().map(|s| s.engagement)).unwrap_or(0.0);
    let mut weight = [0.0f64; 168];
    let mut lift_sum = [0.0f64; 168];
    if median > 0.0 {
        for s in samples {
            let Ok(ts) = Timestamp::from_millisecond(s.posted_at_ms) else {
                continue;
            };
            let local = ts.to_zoned(tz.clone());
            let bucket = usize::from(local.weekday().to_monday_zero_offset() as u8) * 24
                + local.hour() as usize;
            let age_days = ((now_ms - s.posted_at_ms).max(0) as f64) / 86_400_000.0;
            let w = 0.5f64.powf(age_days / HALF_LIFE_DAYS);
            weight[bucket] += w;
            lift_sum[bucket] += w * (s.engagement / median);
        }
    }
    // The rhythm shapes the prior fully with no history and fades as posts accumulate,
    // so an hour the channel never tried drifts towards "typical" rather than staying
    // at the platform's peak.
    let fade = ENOUGH_HISTORY as f64 / (ENOUGH_HISTORY + samples.len()) as f64;
    let mut scored: Vec<GoldenSlot> = (0..168)
        .map(|b| {
            let p = 1.0 + fade * (prior[b % 24] - 1.0);
            GoldenSlot {
                weekday: (b / 24) as u8,
                hour: (b % 24) as u8,
                lift: (lift_sum[b] + PRIOR_STRENGTH * p) / (weight[b] + PRIOR_STRENGTH),
            }
        })
        .collect();
    // Highest lift first; ties go to the earlier hour of the week, so the order is stable.
    scored.sort_by(|a, b| {
        b.lift
            .total_cmp(&a.lift)
            .then((a.weekday, a.hour).cmp(&(b.weekday, b.hour)))
    });
    scored.truncate(top);
    GoldenTime {
        slots: scored,
        based_on: samples.len(),
        from_history: samples.len() >= ENOUGH_HISTORY && median > 0.0,
    }
}

impl GoldenTime {
    /// "基于 42 篇内容，周二/周四 20:00 的阅读是中位数的 1.8 倍" — the best hour and
    /// every weekday that shares it, for the suggestion card.
    pub fn explain(&self, locale: Locale) -> String {
        let Some(best) = self.slots.first() else {
            return String::new();
        };
        let zh = locale == Locale::ZhCn;
        let mut weekdays: Vec<u8> = self
            .slots
            .iter()
            .filter(|s| s.hour == best.hour && s.lift >= best.lift * 0.9)
            .map(|s| s.weekday)
            .collect();
        weekdays.sort_unstable();
        let days: Vec<&str> = weekdays.iter().map(|d| day_name(*d, zh)).collect();
        let days = days.join("/");
        let hour = best.hour;
        let lift = best.lift;
        match (self.from_history, zh) {
            (true, true) => format!(
                "基于 {} 篇内容，{days} {hour:02}:00 的互动是中位数的 {lift:.1} 倍",
                self.based_on
            ),
            (true, false) => format!(
                "Based on {} posts, {days} {hour:02}:00 get {lift:.1}× the median engagement",
                self.based_on
            ),
            (false, true) => format!(
                "历史数据不足（{} 篇），按平台常见作息推荐 {days} {hour:02}:00",
                self.based_on
            ),
            (false, false) => format!(
                "Too little history ({} posts): the platform's usual rhythm suggests {days} {hour:02}:00",
                self.based_on
            ),
        }
    }
}

fn day_name(weekday: u8, zh: bool) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = usize::from(weekday.min(6));
    if zh { ZH[i] } else { EN[i] }
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite() && *x >= 0.0).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// A platform's typical engagement by local hour, relative to its average hour. Chinese
/// platforms peak on the commute, at lunch and in the evening (WeChat reading peaks
/// 20:00–22:00); international ones earlier in the evening. These only shape the
/// suggestion until a channel's own history takes over.
fn rhythm(platform: Platform) -> [f64; 24] {
    const CN: [f64; 24] = [
        0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.5, 1.1, 1.3, 1.0, 0.9, 1.0, 1.4, 1.3, 0.9, 0.8, 0.9, 1.0,
        1.2, 1.4, 1.7, 1.8, 1.6, 0.9,
    ];
    const WECHAT: [f64; 24] = [
        0.3, 0.2, 0.1, 0.1, 0.1, 0.2, 0.6, 1.3, 1.4, 1.0, 0.8, 0.9, 1.3, 1.2, 0.8, 0.7, 0.8, 0.9,
        1.1, 1.3, 1.8, 2.0, 1.7, 0.9,
    ];
    const INTL: [f64; 24] = [
        0.4, 0.3, 0.2, 0.2, 0.2, 0.3, 0.6, 0.9, 1.2, 1.3, 1.2, 1.2, 1.4, 1.3, 1.1, 1.1, 1.2, 1.4,
        1.5, 1.5, 1.4, 1.2, 0.9, 0.6,
    ];
    match platform {
        Platform::WechatOa | Platform::VideoAccounts => WECHAT,
        Platform::Bluesky | Platform::Mastodon | Platform::X | Platform::Telegram => INTL,
        _ => CN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
            .unwrap()
            .timestamp()
            .as_millisecond()
    }

    #[test]
    fn without_history_the_platform_rhythm_decides() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let g = suggest(Platform::WechatOa, &[], &tz, 0, 3);
        assert!(!g.from_history);
        assert_eq!(g.slots.len(), 3);
        assert!(g.slots.iter().all(|s| s.hour == 21));
        assert!(g.explain(Locale::ZhCn).contains("历史数据不足"));
    }

    #[test]
    fn a_channels_own_history_moves_the_suggestion() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        // Twelve weeks of posts: Tuesday and Thursday 10:00 do three times better than
        // the other posts (at 21:00 on other days).
        let mut samples = Vec::new();
        for week in 0..12 {
            let day = 1 + week * 7; // 2026-09-01 is a Tuesday
            let base = at("2026-09-01T10:00") + (day - 1) * 86_400_000;
            samples.push(Sample {
                posted_at_ms: base,
                engagement: 3000.0,
            });
            samples.push(Sample {
                posted_at_ms: base + 2 * 86_400_000,
                engagement: 3000.0,
            });
            samples.push(Sample {
                posted_at_ms: base + 86_400_000 + 11 * 3_600_000,
                engagement: 1000.0,
            });
            samples.push(Sample {
                posted_at_ms: base + 4 * 86_400_000 + 11 * 3_600_000,
                engagement: 1000.0,
            });
        }
        let now = at("2026-11-30T00:00");
        let g = suggest(Platform::WechatOa, &samples, &tz, now, 2);
        assert!(g.from_history);
        let mut top: Vec<(u8, u8)> = g.slots.iter().map(|s| (s.weekday, s.hour)).collect();
        top.sort_unstable();
        assert_eq!(top, vec![(1, 10), (3, 10)]);
        assert!(g.slots[0].lift > 1.3, "{:?}", g.slots[0]);
        let text = g.explain(Locale::En);
        assert!(
            text.starts_with("Based on 48 posts, Tue/Thu 10:00 get"),
            "{text}"
        );
    }

    #[test]
    fn recent_posts_weigh_more_than_old_ones() {
        let tz = TimeZone::get("Asia/Shanghai").unwrap();
        let now = at("2026-11-30T00:00");
        let old = at("2025-11-03T09:00"); // a Monday, a year ago
        let recent = at("2026-11-24T15:00"); // a Tuesday, last week
        let mut samples = vec![];
        // Without recency weighting the old Monday posts (4× better) would win.
        for i in 0..6 {
            samples.push(Sample {
                posted_at_ms: old + i * 7 * 86_400_000,
                engagement: 20_000.0,
            });
            samples.push(Sample {
                posted_at_ms: recent - i * 7 * 86_400_000,
                engagement: 5000.0,
            });
            for d in 1..3 {
                let t = recent - i * 7 * 86_400_000 + d * 86_400_000;
                samples.push(Sample {
                    posted_at_ms: t,
                    engagement: 500.0,
                });
            }
        }
        let g = suggest(Platform::Weibo, &samples, &tz, now, 1);
        assert_eq!((g.slots[0].weekday, g.slots[0].hour), (1, 15));
    }
}
