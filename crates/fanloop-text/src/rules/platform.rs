//! Platform rules: lengths counted the platform's way, hashtag and image counts, a
//! missing cover, and links WeChat will not make clickable. Every limit comes from
//! `Platform::limits()`; nothing here repeats a number.

use crate::count;
use crate::dictionary::Severity;
use crate::finding::Raw;
use crate::messages::{self, Part};
use crate::post::Post;
use fanloop_domain::{Locale, Platform};
use std::ops::Range;

pub(crate) fn check(post: &Post, platform: Platform, lang: Locale, out: &mut Vec<Raw>) {
    let limits = platform.limits();
    let mut push = |range: Range<usize>, category, severity, words| {
        out.push(Raw {
            start: range.start,
            end: range.end,
            rule: "platform",
            category,
            severity,
            words,
        });
    };

    let title = post.title_text();
    let title_start = post.title.as_ref().map_or(0, |r| r.start);
    let overflow = |text, max| count::overflow_at(text, &limits, max).map(|at| (max, at));
    if let Some((max, over)) = limits.title_max.and_then(|max| overflow(title, max)) {
        let words = messages::too_long(
            Part::Title,
            platform,
            count::length(title, &limits),
            max,
            lang,
        );
        push(
            title_start + over..title_start + title.len(),
            "title-length",
            Severity::Error,
            words,
        );
    }

    let body = post.body_text();
    let body_start = if body.is_empty() { 0 } else { post.body.start };
    if let Some((max, over)) = limits.body_max.and_then(|max| overflow(body, max)) {
        let words = messages::too_long(
            Part::Body,
            platform,
            count::length(body, &limits),
            max,
            lang,
        );
        push(
            body_start + over..body_start + body.len(),
            "body-length",
            Severity::Error,
            words,
        );
    }
    if let Some((fold, over)) = limits.fold_at.and_then(|fold| overflow(body, fold)) {
        let words = messages::folded(platform, fold, lang);
        push(
            body_start + over..body_start + body.len(),
            "fold",
            Severity::Info,
            words,
        );
    }

    if let Some(max) = limits.max_hashtags {
        let inline = count::hashtags(body, limits.hashtag);
        let total = inline.len() + post.tags;
        if total > max {
            // Point at the tags past the limit when they are in the text.
            let range = match (inline.get(max), inline.last()) {
                (Some(first), Some(last)) => body_start + first.start..body_start + last.end,
                _ => 0..0,
            };
            push(
                range,
                "hashtags",
                Severity::Warning,
                messages::hashtags(platform, total, max, lang),
            );
        }
    }

    if limits.cover_required && !post.has_cover {
        push(
            0..0,
            "cover",
            Severity::Warning,
            messages::cover(platform, lang),
        );
    }
    if let Some(max) = limits.images_max.filter(|max| post.images > *max) {
        push(
            0..0,
            "images",
            Severity::Error,
            messages::images(platform, post.images, max, lang),
        );
    }

    if !limits.external_links {
        for link in count::urls(body) {
            if !is_wechat_article(&body[link.clone()]) {
                let range = body_start + link.start..body_start + link.end;
                push(
                    range,
                    "external-link",
                    Severity::Warning,
                    messages::external_link(platform, lang),
                );
            }
        }
    }
}

/// Links to other WeChat articles stay clickable inside WeChat.
fn is_wechat_article(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    host.eq_ignore_ascii_case("mp.weixin.qq.com")
}

#[cfg(test)]
mod tests {
    use crate::{Linter, Post};
    use fanloop_domain::{Locale, Platform};

    /// Expected findings as "category:start-end:severity".
    fn check(platform: Platform, post: Post, expected: &[&str]) {
        let linter = Linter::builder().build().expect("builds");
        let got: Vec<String> = linter
            .lint(&post, Some(platform), Locale::En)
            .into_iter()
            .filter(|f| f.rule == "platform")
            .map(|f| format!("{}:{}-{}:{}", f.category, f.start, f.end, f.severity.code()))
            .collect();
        assert_eq!(got, expected, "{platform:?} {:?}", post.text);
    }

    #[test]
    fn platform_rules_read_the_limits_table() {
        let long_title = format!("# {}\n正文", "字".repeat(25));
        check(
            Platform::Xiaohongshu,
            Post {
                has_cover: true,
                ..Post::markdown(&long_title)
            },
            &["title-length:22-27:error"],
        );
        check(
            Platform::WechatOa,
            Post {
                has_cover: true,
                ..Post::markdown(&long_title)
            },
            &[],
        );
        check(
            Platform::WechatOa,
            Post::plain("正文"),
            &["cover:0-0:warning"],
        );
        let weibo = "好".repeat(141);
        check(Platform::Weibo, Post::plain(&weibo), &["fold:140-141:info"]);
        let weibo = "好".repeat(2001);
        check(
            Platform::Weibo,
            Post::plain(&weibo),
            &["fold:140-2001:info", "body-length:2000-2001:error"],
        );
        check(
            Platform::X,
            Post::plain(&"中".repeat(141)),
            &["body-length:140-141:error"],
        );
        check(
            Platform::Bluesky,
            Post {
                images: 5,
                ..Post::plain("hi")
            },
            &["images:0-0:error"],
        );
        let tags = "#一 #二 #三 #四 #五 #六";
        check(
            Platform::Douyin,
            Post {
                has_cover: true,
                ..Post::plain(tags)
            },
            &["hashtags:15-17:warning"],
        );
        check(
            Platform::Douyin,
            Post {
                has_cover: true,
                tags: 6,
                ..Post::plain("正文")
            },
            &["hashtags:0-0:warning"],
        );
        let links = "看 https://example.com/a 和 https://mp.weixin.qq.com/s/xyz";
        check(
            Platform::WechatOa,
            Post {
                has_cover: true,
                ..Post::plain(links)
            },
            &["external-link:2-23:warning"],
        );
        check(Platform::Telegram, Post::plain(links), &[]);
    }
}
