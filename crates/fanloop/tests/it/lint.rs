//! Black-box tests of `fanloop lint`: the binary as a user runs it, on files and stdin.

use crate::helpers::TempDir;
use std::io::Write;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_fanloop");

/// Runs `fanloop lint ARGS` with `stdin`; returns (exit code, stdout, stderr).
fn lint(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(BIN)
        .arg("lint")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn fanloop lint");
    // A usage error exits before reading stdin; the broken pipe that leaves is expected.
    if let Some(mut pipe) = child.stdin.take() {
        let _ = pipe.write_all(stdin);
    }
    let out = child.wait_with_output().expect("fanloop lint finishes");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn findings(stdout: &str) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(stdout).expect("JSON output");
    value["findings"]
        .as_array()
        .expect("a findings array")
        .clone()
}

/// (rule/category, text) of each finding, for compact expectations.
fn summary(stdout: &str) -> Vec<String> {
    findings(stdout)
        .iter()
        .map(|f| {
            format!(
                "{}/{}:{}",
                f["rule"].as_str().unwrap_or(""),
                f["category"].as_str().unwrap_or(""),
                f["text"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn exit_codes_follow_the_worst_severity() {
    let cases: &[(&str, i32)] = &[
        ("我们第一次见面，最近很好。\n", 0),
        ("我最爱的颜色\n", 0), // a warning only
        ("全网最低价，品质最佳\n", 1),
    ];
    for (input, code) in cases {
        let (status, stdout, stderr) = lint(&["-", "--format", "json"], input.as_bytes());
        assert_eq!(status, *code, "{input:?}: {stdout} {stderr}");
    }
}

#[test]
fn json_findings_have_the_documented_shape() {
    let (status, stdout, _) = lint(
        &["-", "--format", "json", "--lang", "en"],
        "# 标题\n好的，最佳之选".as_bytes(),
    );
    assert_eq!(status, 1);
    let found = findings(&stdout);
    assert_eq!(found.len(), 1, "{stdout}");
    let f = &found[0];
    let mut keys: Vec<&str> = f
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "category",
            "column",
            "end",
            "line",
            "message",
            "rule",
            "severity",
            "start",
            "suggestion",
            "text"
        ]
    );
    assert_eq!(
        (
            f["rule"].as_str(),
            f["category"].as_str(),
            f["severity"].as_str()
        ),
        (Some("ad-law"), Some("superlative"), Some("error"))
    );
    // "# 标题\n" is 5 characters; 最佳 starts 3 characters into line 2.
    assert_eq!(
        (
            f["start"].as_u64(),
            f["end"].as_u64(),
            f["line"].as_u64(),
            f["column"].as_u64()
        ),
        (Some(8), Some(10), Some(2), Some(4))
    );
    assert_eq!(f["text"], "最佳");
    assert!(
        f["message"]
            .as_str()
            .is_some_and(|m| m.contains("Art. 9(3)")),
        "{f}"
    );
}

#[test]
fn benign_compounds_are_not_claims() {
    let text = "第一次来，第一步先看第一天的安排。最近很忙，最后一天也忙，最初和最终都一样。";
    let (status, stdout, _) = lint(&["-", "--format", "json"], text.as_bytes());
    assert_eq!((status, summary(&stdout)), (0, Vec::<String>::new()));
    let (status, stdout, _) = lint(&["-", "--format", "json"], "行业第一，最后机会".as_bytes());
    assert_eq!(status, 1);
    assert_eq!(
        summary(&stdout),
        ["ad-law/first-only:第一", "marketing/urgency:最后机会"]
    );
}

#[test]
fn word_lists_add_banned_and_preferred_words() {
    let dir = TempDir::new("lint");
    let words = dir.0.join("words.txt");
    std::fs::write(&words, "# 品牌词表\n竞品甲\n亲 => 您\n").expect("write list");
    let post = dir.0.join("post.md");
    std::fs::write(&post, "亲，别买竞品甲").expect("write post");
    let (status, stdout, _) = lint(
        &[
            post.to_str().unwrap_or_default(),
            "--words",
            words.to_str().unwrap_or_default(),
            "--format",
            "json",
        ],
        b"",
    );
    assert_eq!(status, 1);
    assert_eq!(
        summary(&stdout),
        ["workspace/preferred:亲", "workspace/banned:竞品甲"]
    );
    assert_eq!(findings(&stdout)[0]["suggestion"], "改为「您」");

    std::fs::write(&words, "亲 =>\n").expect("write list");
    let (status, _, stderr) = lint(
        &[
            post.to_str().unwrap_or_default(),
            "--words",
            words.to_str().unwrap_or_default(),
        ],
        b"",
    );
    assert_eq!(status, 2);
    assert!(stderr.contains("line 1"), "{stderr}");
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let mut input = "最佳".as_bytes().to_vec();
    input.extend_from_slice(&[0xff, 0xfe]);
    let (status, stdout, stderr) = lint(&["-"], &input);
    assert_eq!(status, 2, "{stdout}");
    assert!(
        stderr.contains("not valid UTF-8") && stderr.contains("offset 6"),
        "{stderr}"
    );
}

#[test]
fn unknown_platform_lists_the_valid_ones() {
    let (status, _, stderr) = lint(&["-", "--platform", "myspace"], "好".as_bytes());
    assert_eq!(status, 2);
    assert!(
        stderr.contains("myspace") && stderr.contains("wechat_oa") && stderr.contains("weibo"),
        "{stderr}"
    );
}

#[test]
fn platform_rules_apply_to_the_markdown_title_and_body() {
    let post = format!("# {}\n正文 https://example.com/a", "字".repeat(21));
    let (status, stdout, _) = lint(
        &["-", "--platform", "xiaohongshu", "--format", "json"],
        post.as_bytes(),
    );
    assert_eq!(status, 1);
    assert_eq!(
        summary(&stdout),
        ["platform/cover:", "platform/title-length:字"]
    );
    let (status, stdout, _) = lint(
        &[
            "-",
            "--platform",
            "wechat_oa",
            "--has-cover",
            "--format",
            "json",
        ],
        post.as_bytes(),
    );
    assert_eq!(status, 0);
    assert_eq!(
        summary(&stdout),
        ["platform/external-link:https://example.com/a"]
    );
}

#[test]
fn text_output_shows_position_excerpt_and_suggestion() {
    let (status, stdout, _) = lint(&["-", "--lang", "en"], "好的\n这是最佳选择".as_bytes());
    assert_eq!(status, 1);
    assert!(
        stdout.contains("-:2:3: error [ad-law/superlative]"),
        "{stdout}"
    );
    assert!(stdout.contains("| 这是最佳选择"), "{stdout}");
    assert!(stdout.contains("= suggestion: "), "{stdout}");
    assert!(
        stdout.contains("1 error(s), 0 warning(s), 0 note(s)"),
        "{stdout}"
    );
}
