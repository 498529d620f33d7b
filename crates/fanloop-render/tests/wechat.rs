//! WeChat-specific guarantees: inline styles only, themes, custom CSS, the report.

use fanloop_render::{Note, Options, THEMES, Target, Theme, ThemeError, render};

const ARTICLE: &str = "# 标题\n\n## 小节\n\n正文 **粗** *斜* `code` [链接](https://a.com)\n\n\
> 引用\n\n- 一\n- 二\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn f() {}\n```\n\n---\n\n\
![图](https://i.com/a.png)\n\n<style>p{}</style><iframe src=x></iframe><form><input></form>\
<link rel=stylesheet href=x><p class=\"x\" id=\"y\">";

fn wechat(markdown: &str, theme: Theme) -> String {
    let options = Options {
        theme,
        ..Options::default()
    };
    render(markdown, Target::Wechat, &options)
        .body
        .as_str()
        .to_string()
}

/// Every tag the renderer opens, with its attributes.
fn tags(html: &str) -> Vec<&str> {
    html.split('<')
        .skip(1)
        .filter_map(|t| t.split('>').next())
        .filter(|t| !t.starts_with('/'))
        .collect()
}

#[test]
fn every_element_is_styled_inline_and_nothing_wechat_strips_comes_out() {
    for name in THEMES {
        let theme = Theme::named(name).unwrap_or_default();
        let html = wechat(ARTICLE, theme);
        for tag in tags(&html) {
            let name = tag.split(' ').next().unwrap_or("");
            assert!(
                ["style", "script", "iframe", "form", "input", "link"]
                    .iter()
                    .all(|t| name != *t),
                "{name} in {html}"
            );
            assert!(!tag.contains(" class=") && !tag.contains(" id="), "{tag}");
            // Structural wrappers that need no theme style: `code` inside `pre`.
            if name != "code" && name != "thead" && name != "tr" {
                assert!(
                    tag.contains(" style=\""),
                    "unstyled <{tag}> in theme {name}"
                );
            }
        }
        assert!(
            html.starts_with("<section style=\"max-width:677px;"),
            "{html}"
        );
    }
}

#[test]
fn themes_differ_and_unknown_names_are_refused() {
    let bodies: Vec<String> = THEMES
        .iter()
        .map(|n| wechat(ARTICLE, Theme::named(n).unwrap_or_default()))
        .collect();
    assert_ne!(bodies[0], bodies[1]);
    assert_ne!(bodies[1], bodies[2]);
    let err = Theme::named("neon").map(|_| ()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown theme \"neon\"; valid themes: default, elegant, tech"
    );
}

#[test]
fn custom_css_layers_over_a_builtin_theme() {
    let theme = Theme::named("tech").and_then(|t| {
        t.with_css("h2 { color: #c00; font-size: 18px }\nsection { font-size: 17px }")
    });
    let theme = theme.unwrap_or_default();
    assert_eq!(theme.name(), "tech+custom");
    let html = wechat("## 小节", theme);
    assert!(html.contains("<h2 style=\"font-size:18px;"), "{html}");
    assert!(html.contains("color:#c00;"), "{html}");
    assert!(html.contains("font-size:17px;"), "{html}");

    let refused = Theme::default().with_css("h2 { position: fixed; top: 0 }");
    assert!(
        matches!(refused, Err(ThemeError::Stripped { line: 1, .. })),
        "{refused:?}"
    );
    let huge = "p { color: red }\n".repeat(10_000);
    let refused = Theme::default().with_css(&huge);
    assert!(
        matches!(refused, Err(ThemeError::TooLarge { .. })),
        "{refused:?}"
    );
}

#[test]
fn report_counts_markup_notes_footnotes_and_picks_the_cover() {
    let markdown = format!(
        "# {}\n\n[a](https://x.com) ![c](https://i.com/c.png) ![d](https://i.com/d.png)",
        "标".repeat(33)
    );
    let r = render(
        &markdown,
        Target::Wechat,
        &Options {
            tags: vec!["t".into()],
            ..Options::default()
        },
    );
    let title = r.report.title.clone().unwrap_or_else(|| panic!("no title"));
    assert_eq!((title.count, title.limit, title.over), (33, Some(32), true));
    assert!(r.report.over_limit());
    assert_eq!(r.report.body.count, r.body.as_str().chars().count());
    assert!(
        r.report
            .notes
            .contains(&Note::LinksToFootnotes { count: 1 })
    );
    assert!(
        r.report
            .notes
            .contains(&Note::ImagesNeedUpload { count: 2 })
    );
    assert!(r.report.notes.contains(&Note::TagsNotRendered { count: 1 }));
    let crops: Vec<Vec<String>> = r
        .images
        .iter()
        .map(|i| {
            i.crops
                .iter()
                .map(|c| fanloop_render::ratio_name(c.0, c.1))
                .collect()
        })
        .collect();
    assert_eq!(crops, [vec!["2.35:1".to_string(), "1:1".into()], vec![]]);
}

#[test]
fn long_articles_overflow_the_api_limit_without_being_cut() {
    let markdown = "段落文字。".repeat(5000);
    let r = render(&markdown, Target::Wechat, &Options::default());
    assert!(r.report.body.over);
    assert!(r.body.as_str().contains(&"段落文字。".repeat(5000)));
}

#[test]
fn the_last_paragraph_in_a_quote_or_item_drops_its_bottom_margin() {
    let html = wechat("> 一\n>\n> 二\n\n- 项\n\n- 项\n", Theme::default());
    assert_eq!(html.matches("margin-bottom:0;\">").count(), 3, "{html}");
    assert!(html.contains("<blockquote"), "{html}");
}
