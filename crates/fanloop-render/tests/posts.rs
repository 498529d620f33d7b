//! Short-post targets: Bluesky facets, length reports, folds, hashtags and images.

use fanloop_render::{Body, ImageRole, Options, Target, render};
use serde_json::json;

fn tagged(tags: &[&str]) -> Options {
    Options {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Options::default()
    }
}

#[test]
fn bluesky_facets_use_utf8_byte_offsets() {
    let r = render(
        "你好 [文章](https://a.io/p) #新品 @alice.test 见 https://b.io",
        Target::Bluesky,
        &tagged(&["rust"]),
    );
    let Body::Bluesky(post) = &r.body else {
        panic!("not a Bluesky body: {:?}", r.body);
    };
    assert_eq!(
        post.text,
        "你好 文章 #新品 @alice.test 见 https://b.io\n\n#rust"
    );
    let value = serde_json::to_value(post).unwrap_or_default();
    assert_eq!(
        value["facets"],
        json!([
            {"index": {"byteStart": 7, "byteEnd": 13},
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://a.io/p"}]},
            {"index": {"byteStart": 14, "byteEnd": 21},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "新品"}]},
            {"index": {"byteStart": 38, "byteEnd": 50},
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://b.io"}]},
            {"index": {"byteStart": 52, "byteEnd": 57},
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "rust"}]},
        ])
    );
    assert_eq!(
        value["mentions"],
        json!([{"index": {"byteStart": 22, "byteEnd": 33}, "handle": "alice.test"}])
    );
    // Every facet's byte range slices the text at character boundaries.
    for facet in &post.facets {
        assert!(
            post.text
                .get(facet.index.byte_start..facet.index.byte_end)
                .is_some()
        );
    }
}

#[test]
fn bluesky_counts_graphemes_and_reports_overflow() {
    let text = "👨‍👩‍👧".repeat(300);
    let r = render(&text, Target::Bluesky, &Options::default());
    assert_eq!((r.report.body.count, r.report.body.over), (300, false));
    let r = render(&format!("{text}a"), Target::Bluesky, &Options::default());
    assert_eq!((r.report.body.count, r.report.body.over), (301, true));
    assert_eq!(r.report.body.limit_byte, Some(text.len()));
    assert!(r.body.as_str().ends_with('a'), "nothing is cut");
}

#[test]
fn weibo_reports_where_the_feed_folds() {
    let markdown = format!("{}后面的字", "字".repeat(140));
    let r = render(&markdown, Target::Weibo, &Options::default());
    let body = &r.report.body;
    assert_eq!(
        (body.count, body.limit, body.fold_at, body.over),
        (144, Some(2000), Some(140), false)
    );
    assert_eq!(
        body.fold_byte.and_then(|b| r.body.as_str().get(b..)),
        Some("后面的字")
    );
    // Two ASCII characters count as one; a link counts 12.
    let r = render(
        "abcd https://example.com/very/long/path",
        Target::Weibo,
        &Options::default(),
    );
    assert_eq!(r.report.body.count, 15);
}

#[test]
fn x_weighs_cjk_double_and_links_23() {
    let r = render(
        "中文 https://example.com/a/b/c",
        Target::X,
        &Options::default(),
    );
    assert_eq!(r.report.body.count, 2 * 2 + 1 + 23);
    let r = render(&"字".repeat(141), Target::X, &Options::default());
    assert!(r.report.body.over && r.report.over_limit());
}

#[test]
fn hashtags_are_counted_against_the_platform_maximum() {
    let tags = ["a", "b", "c", "d", "e", "f"];
    let r = render("#g 正文", Target::Douyin, &tagged(&tags));
    assert_eq!(r.tags, ["g", "a", "b", "c", "d", "e", "f"]);
    assert_eq!(
        (r.report.hashtags.count, r.report.hashtags.max),
        (7, Some(5))
    );
    assert!(r.report.hashtags.over);
    assert!(r.body.as_str().ends_with("#a #b #c #d #e #f"));
}

#[test]
fn images_are_listed_in_order_with_the_crops_each_needs() {
    let markdown = "![封面](https://i.io/1.jpg)\n\n文字\n\n![](https://i.io/2.jpg) ![细节](https://i.io/3.jpg)";
    let r = render(markdown, Target::Xiaohongshu, &Options::default());
    let listed: Vec<(usize, &str, ImageRole, Vec<String>)> = r
        .images
        .iter()
        .map(|i| {
            let crops = i.crops.iter().map(|c| fanloop_render::ratio_name(c.0, c.1));
            (i.index, i.url.as_str(), i.role, crops.collect())
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                1,
                "https://i.io/1.jpg",
                ImageRole::Cover,
                vec!["3:4".to_string()]
            ),
            (
                2,
                "https://i.io/2.jpg",
                ImageRole::Body,
                vec!["3:4".to_string()]
            ),
            (
                3,
                "https://i.io/3.jpg",
                ImageRole::Body,
                vec!["3:4".to_string()]
            ),
        ]
    );
    assert_eq!(r.body.as_str(), "文字");
    let r = render(
        &"![](https://i.io/x.jpg)\n\n".repeat(5),
        Target::Bluesky,
        &Options::default(),
    );
    assert!(r.report.images.over, "Bluesky takes at most 4 images");
}

#[test]
fn json_shape_is_stable() {
    let r = render("# T\n\n正文 #话题", Target::Weibo, &Options::default());
    let value = serde_json::to_value(&r).unwrap_or_default();
    assert_eq!(value["target"], "weibo");
    assert_eq!(value["body"], "【T】\n\n正文 #话题#");
    assert_eq!(value["tags"], json!(["话题"]));
    assert_eq!(value["report"]["body"]["counting"], "weibo_half_ascii");
    assert_eq!(value["report"]["body"]["fold_at"], 140);
}
