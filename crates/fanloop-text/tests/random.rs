//! Property test: random text built from the pieces that stress the linter (terms,
//! benign compounds, links, hashtags, headings, emoji, combining marks, CR/LF) never
//! makes it panic, and every finding's position agrees with the text it reports.

use fanloop_domain::{Locale, Platform};
use fanloop_text::{Linter, Pack, Post, WordList, length};

/// A small xorshift generator: deterministic, so a failure reproduces from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const PIECES: &[&str] = &[
    "最",
    "最佳",
    "第一",
    "第一次",
    "最后",
    "限时",
    "3月8日",
    "震惊",
    "# ",
    "#",
    "##",
    "\n",
    "\r\n",
    " ",
    "http://",
    "https://mp.weixin.qq.com/s/a",
    "https://x.cn/",
    "NO.1",
    "no.",
    "100%",
    "亲",
    "竞品",
    "=>",
    "👍🏽",
    "👨‍👩‍👧",
    "e\u{301}",
    "\u{feff}",
    "![a](b)",
    "a",
    "Z",
    "9",
    "。",
    "，",
    "\u{0}",
    "\u{10FFFF}",
    "极",
    "致",
    "积",
    "抗菌",
    "华佗",
    "治疗",
    "\t",
    "…",
];

fn random_text(rng: &mut Rng) -> String {
    let mut text = String::new();
    for _ in 0..rng.below(60) {
        if rng.below(8) == 0 {
            // Arbitrary scalar values too, not only the curated pieces.
            text.push(char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{fffd}'));
        } else {
            text.push_str(PIECES[rng.below(PIECES.len())]);
        }
    }
    text
}

#[test]
fn random_posts_never_panic_and_positions_agree_with_the_text() {
    let words = WordList::parse("竞品\n亲 => 您").expect("a valid list");
    let linter = Linter::builder()
        .pack(Pack::Cosmetics)
        .pack(Pack::Food)
        .pack(Pack::Health)
        .words(words)
        .build()
        .expect("builds");
    let mut rng = Rng(0x5eed_f00d_1234_5678);
    for case in 0..3000 {
        let text = random_text(&mut rng);
        let chars: Vec<char> = text.chars().collect();
        let mut post = Post::markdown(&text);
        post.images = rng.below(30);
        post.tags = rng.below(12);
        post.has_cover = rng.below(2) == 0;
        let platform = Platform::ALL[case % Platform::ALL.len()];
        let _ = length(&text, &platform.limits());
        for finding in linter.lint(&post, Some(platform), Locale::ZhCn) {
            assert!(
                finding.start <= finding.end && finding.end <= chars.len(),
                "{text:?} {finding:?}"
            );
            let span: String = chars[finding.start..finding.end].iter().collect();
            if finding.end - finding.start <= 50 {
                assert_eq!(span, finding.text, "{text:?}");
            }
            let before = &chars[..finding.start];
            let line = 1 + before.iter().filter(|c| **c == '\n').count();
            let column = 1 + before.iter().rev().take_while(|c| **c != '\n').count();
            assert_eq!(
                (finding.line, finding.column),
                (line, column),
                "{text:?} {finding:?}"
            );
            assert!(!finding.message.is_empty() && !finding.suggestion.is_empty());
        }
    }
}

#[test]
fn ranges_that_do_not_fit_the_text_are_survived() {
    let linter = Linter::builder().build().expect("builds");
    let text = "最佳新品";
    let posts = [
        Post {
            title: Some(1..2),
            ..Post::plain(text)
        },
        Post {
            // A reversed range, as a careless caller might build.
            title: Some(std::ops::Range { start: 7, end: 3 }),
            body: 100..200,
            ..Post::plain(text)
        },
        Post {
            body: 2..5,
            ..Post::plain(text)
        },
    ];
    for post in posts {
        for platform in Platform::ALL {
            let _ = linter.lint(&post, Some(platform), Locale::En);
        }
    }
}
