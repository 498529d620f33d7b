//! Bad input: random Markdown for every target, huge and deeply nested documents, and
//! HTML/script injection. Nothing may panic, overflow the stack, or pass markup through.

use fanloop_render::{Body, MAX_DEPTH, Note, Options, Rendered, Target, render};

/// xorshift64*: a tiny deterministic generator, so failures reproduce from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "# ",
    "## ",
    "###### ",
    "- ",
    "* ",
    "1. ",
    "> ",
    "    ",
    "\n",
    "\n\n",
    "```",
    "```rust\n",
    "~~~",
    "`",
    "**",
    "*",
    "_",
    "~~",
    "[",
    "]",
    "(",
    ")",
    "![",
    "](https://a.io/x.png)",
    "](javascript:x)",
    "<",
    ">",
    "</",
    "<script>",
    "<!--",
    "-->",
    "&amp;",
    "&#x0;",
    "\\",
    "|",
    "|---|",
    ":-:",
    "#话题",
    "#tag#",
    "@alice.test",
    "@",
    "https://example.com/p?q=1&r=2",
    "http://",
    "中文内容",
    "👨‍👩‍👧",
    "e\u{301}",
    "\u{200d}",
    "\t",
    " ",
    "- [ ] ",
    "- [x] ",
    "---",
    "***",
    "===",
    "\"",
    "'",
    "{",
    "}",
    "\u{feff}",
    "\r\n",
    "\r",
    "[^1]",
    "[^1]: note",
    "<https://auto.link>",
    "<a@b.c>",
    "<br>",
    "$x$",
];

fn random_markdown(rng: &mut Rng) -> String {
    let len = rng.next() % 120;
    (0..len).map(|_| rng.pick(PIECES)).collect()
}

/// Invariants every rendering keeps, whatever the input.
fn check_invariants(r: &Rendered, input: &str) {
    let body = r.body.as_str();
    match &r.body {
        Body::Html(html) => {
            let lower = html.to_ascii_lowercase();
            for bad in [
                "<script",
                "<iframe",
                "<style",
                "<form",
                "<link",
                " class=\"x",
                " onclick",
            ] {
                assert!(!lower.contains(bad), "{bad} in {html:?} from {input:?}");
            }
            if r.target == Target::Telegram {
                for tag in html.split('<').skip(1) {
                    let name: String = tag
                        .trim_start_matches('/')
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric())
                        .collect();
                    assert!(
                        ["b", "i", "u", "s", "a", "code", "pre", "blockquote"]
                            .contains(&name.as_str()),
                        "<{name}> in Telegram output {html:?} from {input:?}"
                    );
                }
            }
        }
        Body::Bluesky(post) => {
            for f in &post.facets {
                assert!(f.index.byte_start < f.index.byte_end, "{input:?}");
                assert!(
                    post.text
                        .get(f.index.byte_start..f.index.byte_end)
                        .is_some()
                );
            }
        }
        Body::Text(_) => {}
    }
    let limit = r.report.body.limit;
    assert_eq!(
        r.report.body.over,
        limit.is_some_and(|l| r.report.body.count > l)
    );
    if let Some(at) = r.report.body.limit_byte {
        assert!(
            body.is_char_boundary(at) || r.target == Target::Telegram,
            "{input:?}"
        );
    }
}

#[test]
fn random_markdown_renders_for_every_target_deterministically() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..400 {
        let input = random_markdown(&mut rng);
        for target in Target::ALL {
            let options = Options {
                tags: vec!["标签".into(), "#x#".into(), " ".into()],
                ..Options::default()
            };
            let first = render(&input, target, &options);
            check_invariants(&first, &input);
            assert_eq!(first, render(&input, target, &options), "not deterministic");
        }
    }
}

/// Runs `f` on a thread with a deliberately small stack, so any recursion that grows
/// with the input fails here rather than in production.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(512 * 1024).spawn(f);
    assert!(handle.is_ok_and(|h| h.join().is_ok()), "thread failed");
}

#[test]
fn ten_thousand_deep_lists_and_quotes_render_flat() {
    on_small_stack(|| {
        let inputs = [
            format!("{}深", "- ".repeat(10_000)),
            format!("{}深", "1. ".repeat(10_000)),
            format!("{}深", "> ".repeat(10_000)),
            format!("{}深", "> - ".repeat(5_000)),
            format!("{}深{}", "*".repeat(10_000), "*".repeat(10_000)),
            format!("{}深{}", "[".repeat(10_000), "](x)".repeat(10_000)),
        ];
        for input in &inputs {
            for target in Target::ALL {
                let r = render(input, target, &Options::default());
                assert!(r.body.as_str().contains('深'), "{target}: content lost");
                check_invariants(&r, "deep");
            }
        }
        let r = render(&inputs[2], Target::Wechat, &Options::default());
        assert!(
            r.report
                .notes
                .iter()
                .any(|n| matches!(n, Note::Flattened { count } if *count > 9_000))
        );
        let depth = r.body.as_str().matches("<blockquote").count();
        assert!(depth <= MAX_DEPTH, "{depth} nested quotes");
    });
}

#[test]
fn ten_megabytes_of_markdown_render() {
    let unit = "## 小节标题\n\n这是一段中文正文，包含**重点**和[链接](https://example.com/a)。#话题\n\n\
- 列表项一\n- 列表项二\n\n> 引用的话\n\n```rust\nfn main() { let x = 1; }\n```\n\n| 列 | 值 |\n|---|---|\n| a | 1 |\n\n";
    let markdown = unit.repeat(10 * 1024 * 1024 / unit.len() + 1);
    assert!(markdown.len() >= 10 * 1024 * 1024);
    for target in [
        Target::Wechat,
        Target::Weibo,
        Target::Bluesky,
        Target::Telegram,
    ] {
        let r = render(&markdown, target, &Options::default());
        assert!(
            r.report.body.over,
            "{target}: 10 MB must overflow every limit"
        );
        assert!(
            r.body.as_str().len() > markdown.len() / 2,
            "{target}: nothing is cut"
        );
    }
}

#[test]
fn script_and_html_injection_never_passes_through() {
    let attacks = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "![x](javascript:alert(1))",
        "![x\" onerror=\"alert(1)](https://a.io/\"onerror=\"x)",
        "[x](https://a.io/\"><script>alert(1)</script>)",
        "<iframe src=//evil></iframe>",
        "<style>*{display:none}</style>",
        "<svg onload=alert(1)>",
        "```html\n<script>alert(1)</script>\n```",
        "`<script>`",
        "<<script>script>alert(1)<</script>/script>",
        "<form action=x><input name=p></form>",
    ];
    for attack in attacks {
        for target in [Target::Wechat, Target::Telegram] {
            let r = render(attack, target, &Options::default());
            let html = r.body.as_str();
            check_invariants(&r, attack);
            // Every `<` in the output opens a tag the renderer wrote; none from input.
            for tag in html.split('<').skip(1) {
                assert!(
                    !tag.to_ascii_lowercase().starts_with("img src=x")
                        && !tag.contains("onerror=\"alert")
                        && !tag.contains("href=\"javascript"),
                    "{target}: {html}"
                );
            }
        }
    }
}
