//! Black-box tests of `fanloop render`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs `fanloop render ARGS`, feeding `stdin` when given.
fn render(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fanloop"))
        .arg("render")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running fanloop render: {e}"));
    if let Some(mut pipe) = child.stdin.take() {
        // The child may exit before reading (usage errors); a broken pipe is fine then.
        let _ = pipe.write_all(stdin.unwrap_or_default());
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for fanloop render: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch file unique to this test process.
fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fanloop-render-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap_or_else(|e| panic!("{e}"));
    path
}

const POST: &str = "# 秋季上新\n\n今天发布**新品** #秋冬 见[官网](https://example.com/a)\n\n![封面](https://img.example.com/c.jpg)\n";

#[test]
fn wechat_defaults_to_inline_styled_html_with_footnotes() {
    let out = render(&["-", "--platform", "wechat"], Some(POST.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let html = text(&out.stdout);
    assert!(
        html.starts_with("<section style=\"max-width:677px;"),
        "{html}"
    );
    assert!(
        !html.contains("<style") && !html.contains(" class="),
        "{html}"
    );
    assert!(html.contains("<sup style=") && html.contains("[1] 官网: https://example.com/a"));
    let report = text(&out.stderr);
    assert!(report.contains("wechat body: "), "{report}");
    assert!(report.contains("title: 4/32"), "{report}");
    assert!(
        report.contains("1. Cover https://img.example.com/c.jpg — crop 2.35:1 + 1:1"),
        "{report}"
    );
}

#[test]
fn themes_and_custom_css_change_the_styles() {
    let file = scratch("post.md", b"## \xe5\xb0\x8f\xe8\x8a\x82\n");
    let file = file.to_string_lossy();
    let tech = render(&[&file, "--platform", "wechat", "--theme", "tech"], None);
    let plain = render(&[&file, "--platform", "wechat"], None);
    assert_eq!(tech.status.code(), Some(0));
    assert_ne!(tech.stdout, plain.stdout);

    let css = scratch(
        "brand.css",
        b"/* brand */\nh2 { color: #c00; font-size: 18px }\n",
    );
    let custom = render(
        &[
            &file,
            "--platform",
            "wechat",
            "--theme-file",
            &css.to_string_lossy(),
        ],
        None,
    );
    assert_eq!(custom.status.code(), Some(0), "{}", text(&custom.stderr));
    assert!(text(&custom.stdout).contains("font-size:18px;"));

    let bad = scratch("bad.css", b"h2 {\n  transform: rotate(2deg)\n}\n");
    let refused = render(
        &[
            &file,
            "--platform",
            "wechat",
            "--theme-file",
            &bad.to_string_lossy(),
        ],
        None,
    );
    assert_eq!(refused.status.code(), Some(2));
    let err = text(&refused.stderr);
    assert!(
        err.contains("line 2") && err.contains("\"transform\""),
        "{err}"
    );
}

#[test]
fn weibo_text_uses_wrapped_tags_and_reports_the_fold() {
    let long = format!("{}。#新品", "字".repeat(150));
    let out = render(
        &["-", "--platform", "weibo", "--tag", "好物"],
        Some(long.as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("。#新品#\n\n#好物#"),
        "{}",
        text(&out.stdout)
    );
    let report = text(&out.stderr);
    assert!(
        report.contains("counted as weibo_half_ascii; feeds fold after 140"),
        "{report}"
    );
}

#[test]
fn over_length_is_reported_with_exit_1_and_never_cut() {
    let long = "字".repeat(400);
    let out = render(&["-", "--platform", "x"], Some(long.as_bytes()));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout).trim_end(), long, "output was cut");
    assert!(text(&out.stderr).contains("800/280 — OVER by 520 (nothing was cut)"));
}

#[test]
fn bluesky_defaults_to_json_with_byte_offset_facets() {
    let out = render(
        &["-", "--platform", "bluesky"],
        Some("你好 #新品".as_bytes()),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let value: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(value["body"]["text"], "你好 #新品");
    assert_eq!(value["body"]["facets"][0]["index"]["byteStart"], 7);
    assert_eq!(value["body"]["facets"][0]["index"]["byteEnd"], 14);
    assert_eq!(
        value["body"]["facets"][0]["features"][0]["$type"],
        "app.bsky.richtext.facet#tag"
    );
    assert_eq!(value["report"]["body"]["counting"], "graphemes");
}

#[test]
fn telegram_html_and_formats() {
    let out = render(&["-", "--platform", "telegram"], Some(b"**b** <i>x</i>"));
    assert_eq!(
        text(&out.stdout).trim_end(),
        "<b>b</b> &lt;i&gt;x&lt;/i&gt;"
    );
    let json = render(
        &["-", "--platform", "xiaohongshu", "--format", "json"],
        Some(POST.as_bytes()),
    );
    let value: serde_json::Value =
        serde_json::from_slice(&json.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(value["title"], "秋季上新");
    assert_eq!(value["images"][0]["crops"], serde_json::json!(["3:4"]));
    let html = render(
        &["-", "--platform", "weibo", "--format", "html"],
        Some(b"x"),
    );
    assert_eq!(html.status.code(), Some(2));
    assert!(text(&html.stderr).contains("--format html is for wechat and telegram"));
}

#[test]
fn bad_input_gets_a_clear_error_and_exit_2() {
    let out = render(
        &["-", "--platform", "wechat"],
        Some(b"ok \xe4\xb8\xad \xff\xfe bad"),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("not valid UTF-8") && err.contains("byte offset 7"),
        "{err}"
    );

    let out = render(&["-", "--platform", "myspace"], Some(b"x"));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("unknown platform \"myspace\""), "{err}");
    assert!(err.contains("wechat, xiaohongshu, weibo"), "{err}");

    let out = render(
        &["-", "--platform", "wechat", "--theme", "neon"],
        Some(b"x"),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("valid themes: default, elegant, tech"));

    let out = render(&["/nonexistent/post.md", "--platform", "weibo"], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("/nonexistent/post.md"));

    let deep = format!("{}x", "> ".repeat(10_000));
    let out = render(&["-", "--platform", "wechat"], Some(deep.as_bytes()));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("nested too deeply were flattened"));
}
