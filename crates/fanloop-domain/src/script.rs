//! 短视频脚本: a shot list (scene, shot size, duration, voice-over, on-screen text), its
//! running time, and the check that the first three seconds carry a hook.
//!
//! The hook rule, in full (viewers decide to swipe away in about three seconds, so the
//! opening must give them a reason to stay):
//!
//! 1. `no_shots` — a script without shots has no opening at all.
//! 2. `silent_opening` — the *opening shots* (every shot that starts before 3 s, so a
//!    long first shot counts on its own) carry neither voice-over nor on-screen text.
//!    Pictures alone are not judged: the check reads text, not footage.
//! 3. `no_hook_device` — the opening text (voice-over and on-screen text of the opening
//!    shots) contains none of the four devices below.
//!
//! The devices, each a short list so an operator can predict the verdict:
//! - **question**: `?`/`？`, or 吗 呢 为什么 怎么 如何 什么 哪 谁 多少 是不是 难道, or
//!   English why / how / what;
//! - **number**: an Arabic digit (half- or full-width) or a Chinese numeral other than 一
//!   (二 三 … 十 百 千 万 亿 两 〇) — 一 is left out because 一下, 一起 are no numbers,
//!   and 千万 ("by all means") is a strong claim, not a number;
//! - **contrast**: 但是 却 其实 没想到 竟然 居然 反而 原来 结果 而是, or English but /
//!   actually / instead;
//! - **strong claim**: 千万 一定 必须 别再 不要 停止 秘密 真相 揭秘 后悔 警告 注意 只需,
//!   or English never / stop / secret / must.
//!
//! A pass names the devices found; a failure names the rule that failed.

use crate::invalid::{Invalid, Reason, single_line};
use serde::Serialize;

/// How much of the frame a shot takes in (景别).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ShotSize {
    /// 远景
    ExtremeLong,
    /// 全景
    Long,
    /// 中景
    Medium,
    /// 近景
    CloseUp,
    /// 特写
    ExtremeCloseUp,
}

impl ShotSize {
    pub const ALL: [ShotSize; 5] = [
        ShotSize::ExtremeLong,
        ShotSize::Long,
        ShotSize::Medium,
        ShotSize::CloseUp,
        ShotSize::ExtremeCloseUp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ShotSize::ExtremeLong => "extreme_long",
            ShotSize::Long => "long",
            ShotSize::Medium => "medium",
            ShotSize::CloseUp => "close_up",
            ShotSize::ExtremeCloseUp => "extreme_close_up",
        }
    }

    pub fn parse(raw: &str) -> Option<ShotSize> {
        Self::ALL.into_iter().find(|s| s.code() == raw.trim())
    }
}

/// Shortest and longest shot, in milliseconds (0.5 s – 10 min).
pub const MIN_SHOT_MS: u32 = 500;
pub const MAX_SHOT_MS: u32 = 600_000;
/// Enough for any short video; keeps one script's form and row count bounded.
pub const MAX_SHOTS: usize = 200;
/// The opening that must hook the viewer.
pub const HOOK_WINDOW_MS: u64 = 3_000;

/// One shot, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shot {
    pub scene: String,
    pub size: ShotSize,
    pub duration_ms: u32,
    pub voice_over: String,
    pub on_screen_text: String,
}

/// A shot as typed or sent; `seconds` is `None` when it was not a number.
#[derive(Debug, Clone, Default)]
pub struct RawShot<'a> {
    pub scene: &'a str,
    pub size: &'a str,
    pub seconds: Option<f64>,
    pub voice_over: &'a str,
    pub on_screen_text: &'a str,
}

/// A script as written, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptDraft {
    pub title: String,
    pub post_id: Option<i64>,
    pub shots: Vec<Shot>,
}

/// Seconds as whole milliseconds, when finite and within a shot's range.
pub fn shot_ms(seconds: f64) -> Option<u32> {
    let ms = (seconds * 1000.0).round();
    (ms.is_finite() && (f64::from(MIN_SHOT_MS)..=f64::from(MAX_SHOT_MS)).contains(&ms))
        .then_some(ms as u32)
}

/// Free text that may span lines (voice-over), checked for length and stray controls.
fn multi_line(field: &str, raw: &str, max: usize) -> Result<String, Invalid> {
    let text = raw.trim().replace("\r\n", "\n");
    if text.chars().count() > max {
        return Err(Invalid::new(field, Reason::TooLong { max }));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new(field, Reason::ControlCharacters));
    }
    Ok(text)
}

impl Shot {
    /// Field names are `shots[i].scene`, `shots[i].size`, `shots[i].duration`, … so a
    /// form can show each message beside its cell.
    fn parse(i: usize, raw: &RawShot) -> Result<Shot, Vec<Invalid>> {
        let name = |f: &str| format!("shots[{i}].{f}");
        let scene = single_line(&name("scene"), raw.scene, 200, false);
        let size = ShotSize::parse(raw.size)
            .ok_or_else(|| Invalid::new(name("size"), Reason::UnknownField));
        let duration = raw
            .seconds
            .and_then(shot_ms)
            .ok_or_else(|| Invalid::new(name("duration"), Reason::NotText));
        let voice_over = multi_line(&name("voice_over"), raw.voice_over, 1000);
        let on_screen = single_line(&name("on_screen_text"), raw.on_screen_text, 200, false);
        match (scene, size, duration, voice_over, on_screen) {
            (Ok(scene), Ok(size), Ok(duration_ms), Ok(voice_over), Ok(on_screen_text)) => {
                Ok(Shot {
                    scene,
                    size,
                    duration_ms,
                    voice_over,
                    on_screen_text,
                })
            }
            (a, b, c, d, e) => Err([a.err(), b.err(), c.err(), d.err(), e.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

impl ScriptDraft {
    pub fn parse(
        title: &str,
        post_id: Option<i64>,
        shots: &[RawShot],
    ) -> Result<ScriptDraft, Vec<Invalid>> {
        let mut errors = Vec::new();
        let title = single_line("title", title, 120, true).map_err(|e| errors.push(e));
        if shots.len() > MAX_SHOTS {
            errors.push(Invalid::new("shots", Reason::TooLong { max: MAX_SHOTS }));
        }
        let mut parsed = Vec::with_capacity(shots.len());
        for (i, raw) in shots.iter().take(MAX_SHOTS).enumerate() {
            match Shot::parse(i, raw) {
                Ok(shot) => parsed.push(shot),
                Err(mut e) => errors.append(&mut e),
            }
        }
        match title {
            Ok(title) if errors.is_empty() => Ok(ScriptDraft {
                title,
                post_id,
                shots: parsed,
            }),
            _ => Err(errors),
        }
    }
}

/// The running time of a shot list, in milliseconds.
pub fn total_ms(shots: &[Shot]) -> u64 {
    shots.iter().map(|s| u64::from(s.duration_ms)).sum()
}

/// A device that makes an opening worth staying for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookDevice {
    Question,
    Number,
    Contrast,
    StrongClaim,
}

impl HookDevice {
    pub fn code(self) -> &'static str {
        match self {
            HookDevice::Question => "question",
            HookDevice::Number => "number",
            HookDevice::Contrast => "contrast",
            HookDevice::StrongClaim => "strong_claim",
        }
    }
}

/// Which rule of the hook check failed (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookFailure {
    NoShots,
    SilentOpening,
    NoHookDevice,
}

impl HookFailure {
    pub fn code(self) -> &'static str {
        match self {
            HookFailure::NoShots => "no_shots",
            HookFailure::SilentOpening => "silent_opening",
            HookFailure::NoHookDevice => "no_hook_device",
        }
    }
}

/// The verdict on the first three seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hook {
    Pass(Vec<HookDevice>),
    Fail(HookFailure),
}

impl Hook {
    pub fn passed(&self) -> bool {
        matches!(self, Hook::Pass(_))
    }
}

const QUESTION: &[&str] = &[
    "?",
    "？",
    "吗",
    "呢",
    "为什么",
    "怎么",
    "如何",
    "什么",
    "哪",
    "谁",
    "多少",
    "是不是",
    "难道",
    "why",
    "how",
    "what",
];
const CONTRAST: &[&str] = &[
    "但是",
    "却",
    "其实",
    "没想到",
    "竟然",
    "居然",
    "反而",
    "原来",
    "结果",
    "而是",
    "but",
    "actually",
    "instead",
];
const STRONG_CLAIM: &[&str] = &[
    "千万", "一定", "必须", "别再", "不要", "停止", "秘密", "真相", "揭秘", "后悔", "警告", "注意",
    "只需", "never", "stop", "secret", "must",
];
const CHINESE_NUMERALS: &str = "〇二三四五六七八九十百千万亿两";

/// Whether `text` holds an English `word` on its own (so "but" is not found in "button").
fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w == word)
}

fn has_any(text: &str, list: &[&str]) -> bool {
    list.iter().any(|term| {
        if term.is_ascii() && term.chars().all(|c| c.is_ascii_alphabetic()) {
            has_word(text, term)
        } else {
            text.contains(term)
        }
    })
}

/// The hook devices found in an opening's text, in a fixed order.
pub fn hook_devices(text: &str) -> Vec<HookDevice> {
    let lower = text.to_lowercase();
    // 千万 ("by all means") is a claim, not a quantity.
    let number = lower
        .replace("千万", "")
        .chars()
        .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || CHINESE_NUMERALS.contains(c));
    [
        (HookDevice::Question, has_any(&lower, QUESTION)),
        (HookDevice::Number, number),
        (HookDevice::Contrast, has_any(&lower, CONTRAST)),
        (HookDevice::StrongClaim, has_any(&lower, STRONG_CLAIM)),
    ]
    .into_iter()
    .filter_map(|(device, found)| found.then_some(device))
    .collect()
}

/// Judges the first three seconds of a shot list.
pub fn hook(shots: &[Shot]) -> Hook {
    if shots.is_empty() {
        return Hook::Fail(HookFailure::NoShots);
    }
    let mut start = 0u64;
    let mut opening = String::new();
    for shot in shots {
        if start >= HOOK_WINDOW_MS {
            break;
        }
        for part in [&shot.voice_over, &shot.on_screen_text] {
            if !part.trim().is_empty() {
                opening.push_str(part);
                opening.push('\n');
            }
        }
        start += u64::from(shot.duration_ms);
    }
    if opening.is_empty() {
        return Hook::Fail(HookFailure::SilentOpening);
    }
    match hook_devices(&opening) {
        devices if devices.is_empty() => Hook::Fail(HookFailure::NoHookDevice),
        devices => Hook::Pass(devices),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shot(seconds: f64, voice_over: &str, on_screen_text: &str) -> Shot {
        Shot {
            scene: String::new(),
            size: ShotSize::Medium,
            duration_ms: shot_ms(seconds).unwrap(),
            voice_over: voice_over.into(),
            on_screen_text: on_screen_text.into(),
        }
    }

    #[test]
    fn hook_verdicts() {
        use HookDevice::*;
        use HookFailure::*;
        let cases: Vec<(Vec<Shot>, Hook)> = vec![
            (vec![], Hook::Fail(NoShots)),
            (
                vec![shot(3.0, "", ""), shot(2.0, "为什么？", "")],
                Hook::Fail(SilentOpening),
            ),
            (
                vec![shot(1.0, "大家好", "今天的视频")],
                Hook::Fail(NoHookDevice),
            ),
            (vec![shot(1.0, "你知道吗", "")], Hook::Pass(vec![Question])),
            (vec![shot(1.0, "", "3 个技巧")], Hook::Pass(vec![Number])),
            (vec![shot(1.0, "三个技巧", "")], Hook::Pass(vec![Number])),
            (vec![shot(1.0, "", "１秒学会")], Hook::Pass(vec![Number])),
            (vec![shot(1.0, "一起来看", "")], Hook::Fail(NoHookDevice)),
            (
                vec![shot(1.0, "看着贵，其实很便宜", "")],
                Hook::Pass(vec![Contrast]),
            ),
            (
                vec![shot(1.0, "千万别这样洗脸", "")],
                Hook::Pass(vec![StrongClaim]),
            ),
            (
                vec![shot(1.0, "Stop doing this", "")],
                Hook::Pass(vec![StrongClaim]),
            ),
            (
                vec![shot(1.0, "Press the button", "")],
                Hook::Fail(NoHookDevice),
            ),
            (
                vec![shot(1.0, "Why 9 out of ten fail", "")],
                Hook::Pass(vec![Question, Number]),
            ),
            // The second shot starts at 2.5 s, inside the window, so its text counts.
            (
                vec![shot(2.5, "", ""), shot(4.0, "真相是", "")],
                Hook::Pass(vec![StrongClaim]),
            ),
            // The hook comes at 3 s exactly: too late.
            (
                vec![shot(3.0, "大家好", ""), shot(2.0, "为什么？", "")],
                Hook::Fail(NoHookDevice),
            ),
            // A 10 s opening shot covers the window on its own.
            (vec![shot(10.0, "原来如此", "")], Hook::Pass(vec![Contrast])),
        ];
        for (shots, expected) in cases {
            assert_eq!(hook(&shots), expected, "{shots:?}");
        }
    }

    #[test]
    fn durations() {
        let cases = [
            (0.5, Some(500)),
            (0.49, None),
            (2.25, Some(2250)),
            (600.0, Some(600_000)),
            (600.1, None),
            (-1.0, None),
            (f64::NAN, None),
            (f64::INFINITY, None),
        ];
        for (seconds, expected) in cases {
            assert_eq!(shot_ms(seconds), expected, "{seconds}");
        }
        assert_eq!(total_ms(&[shot(1.5, "", ""), shot(2.0, "", "")]), 3500);
    }

    #[test]
    fn drafts_name_every_refused_cell() {
        let good = RawShot {
            scene: "厨房",
            size: "close_up",
            seconds: Some(2.0),
            voice_over: "第一句\r\n第二句",
            on_screen_text: "3 个技巧",
        };
        let draft = ScriptDraft::parse(" 早餐 ", Some(7), std::slice::from_ref(&good)).unwrap();
        assert_eq!(draft.title, "早餐");
        assert_eq!(draft.shots[0].voice_over, "第一句\n第二句");
        assert_eq!(draft.shots[0].size, ShotSize::CloseUp);
        let bad = RawShot {
            size: "wide",
            seconds: Some(0.1),
            on_screen_text: "a\nb",
            ..good.clone()
        };
        let errors = ScriptDraft::parse("", None, &[good, bad]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "shots[1].size",
                "shots[1].duration",
                "shots[1].on_screen_text"
            ]
        );
        let many = vec![RawShot::default(); MAX_SHOTS + 1];
        let errors = ScriptDraft::parse("x", None, &many).unwrap_err();
        assert_eq!(errors[0].field, "shots");
        assert!(
            ScriptDraft::parse("x", None, &[]).is_ok(),
            "an empty list is a draft"
        );
        for size in ShotSize::ALL {
            assert_eq!(ShotSize::parse(size.code()), Some(size));
        }
    }
}
