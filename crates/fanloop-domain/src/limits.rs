//! What each platform allows in a post: the one table the renderer, the linter, the
//! scheduler and the UI all read. Values marked "uncertain" in the platform notes are
//! still listed here (the linter reports them as warnings, never silently cuts text).

use crate::channel::Platform;

/// How a platform measures the length of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// Unicode scalar values (what most Chinese platforms call 字).
    Chars,
    /// User-perceived characters (Bluesky's 300 graphemes).
    Graphemes,
    /// X: CJK and other wide characters weigh 2, everything else 1, a URL 23.
    XWeighted,
    /// Weibo: a 汉字 counts 1, two ASCII characters count 1, a URL 11.5 → 12 (uncertain).
    WeiboHalfAscii,
}

/// How hashtags are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashtagStyle {
    /// `#话题#` (Weibo).
    Wrapped,
    /// `#话题` followed by a space (Xiaohongshu, Douyin, Bluesky, Mastodon, X, …).
    Prefix,
}

/// An aspect ratio, width : height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio(pub u32, pub u32);

/// A platform's limits for one post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextLimits {
    pub title_max: Option<usize>,
    pub body_max: Option<usize>,
    /// Where feeds fold the text ("展开全文"), if earlier than `body_max`.
    pub fold_at: Option<usize>,
    pub counting: Counting,
    /// A link counts as this many characters, whatever its length.
    pub url_weight: Option<usize>,
    pub hashtag: HashtagStyle,
    pub max_hashtags: Option<usize>,
    pub images_max: Option<usize>,
    /// The ratio images should have (crops are made around a focal point).
    pub image_ratio: Option<Ratio>,
    /// Cover crops the platform needs; empty when it takes no cover.
    pub cover_ratios: &'static [Ratio],
    pub cover_required: bool,
    /// Whether links in the body stay clickable; WeChat's do not (they become
    /// numbered footnotes, except links to mp.weixin.qq.com).
    pub external_links: bool,
}

const BASE: TextLimits = TextLimits {
    title_max: None,
    body_max: None,
    fold_at: None,
    counting: Counting::Chars,
    url_weight: None,
    hashtag: HashtagStyle::Prefix,
    max_hashtags: None,
    images_max: None,
    image_ratio: None,
    cover_ratios: &[],
    cover_required: false,
    external_links: true,
};

impl Platform {
    pub fn limits(self) -> TextLimits {
        match self {
            Platform::Sandbox => BASE,
            Platform::WechatOa => TextLimits {
                title_max: Some(32),
                body_max: Some(20_000),
                cover_ratios: &[Ratio(235, 100), Ratio(1, 1)],
                cover_required: true,
                external_links: false,
                ..BASE
            },
            Platform::Weibo => TextLimits {
                body_max: Some(2000),
                fold_at: Some(140),
                counting: Counting::WeiboHalfAscii,
                url_weight: Some(12),
                hashtag: HashtagStyle::Wrapped,
                images_max: Some(9),
                ..BASE
            },
            Platform::Xiaohongshu => TextLimits {
                title_max: Some(20),
                body_max: Some(1000),
                max_hashtags: Some(10),
                images_max: Some(18),
                image_ratio: Some(Ratio(3, 4)),
                cover_ratios: &[Ratio(3, 4)],
                cover_required: true,
                ..BASE
            },
            Platform::Douyin => TextLimits {
                title_max: Some(30),
                body_max: Some(1000),
                max_hashtags: Some(5),
                image_ratio: Some(Ratio(9, 16)),
                cover_ratios: &[Ratio(9, 16)],
                cover_required: true,
                ..BASE
            },
            Platform::Toutiao => TextLimits {
                title_max: Some(30),
                ..BASE
            },
            Platform::Bilibili => TextLimits {
                title_max: Some(80),
                body_max: Some(2000),
                max_hashtags: Some(10),
                cover_ratios: &[Ratio(16, 9)],
                cover_required: true,
                ..BASE
            },
            Platform::Zhihu => TextLimits {
                title_max: Some(100),
                ..BASE
            },
            Platform::VideoAccounts => TextLimits {
                body_max: Some(1000),
                image_ratio: Some(Ratio(9, 16)),
                cover_ratios: &[Ratio(9, 16)],
                ..BASE
            },
            Platform::Bluesky => TextLimits {
                body_max: Some(300),
                counting: Counting::Graphemes,
                images_max: Some(4),
                ..BASE
            },
            Platform::Mastodon => TextLimits {
                body_max: Some(500),
                url_weight: Some(23),
                images_max: Some(4),
                ..BASE
            },
            Platform::X => TextLimits {
                body_max: Some(280),
                counting: Counting::XWeighted,
                url_weight: Some(23),
                images_max: Some(4),
                ..BASE
            },
            Platform::Telegram => TextLimits {
                body_max: Some(4096),
                images_max: Some(10),
                ..BASE
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spot_checks_against_the_platform_notes() {
        assert_eq!(Platform::WechatOa.limits().title_max, Some(32));
        assert!(!Platform::WechatOa.limits().external_links);
        assert_eq!(Platform::Weibo.limits().hashtag, HashtagStyle::Wrapped);
        assert_eq!(Platform::Bluesky.limits().counting, Counting::Graphemes);
        assert_eq!(Platform::X.limits().body_max, Some(280));
        assert_eq!(
            Platform::Xiaohongshu.limits().image_ratio,
            Some(Ratio(3, 4))
        );
        for p in Platform::ALL {
            let l = p.limits();
            assert!(
                !l.cover_required || !l.cover_ratios.is_empty(),
                "{p:?} requires a cover of no shape"
            );
        }
    }
}
