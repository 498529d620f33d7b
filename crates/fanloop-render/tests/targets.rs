//! Input → expected output, per target. WeChat bodies are compared with their
//! `style="…"` attributes removed (so the tables read as structure); the styles
//! themselves are checked in `wechat.rs`.

use fanloop_render::{Options, Target, render};

fn options(tags: &[&str]) -> Options {
    Options {
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Options::default()
    }
}

/// Removes every ` style="…"` attribute.
pub fn unstyled(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find(" style=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 8..];
        rest = after.find('"').map_or("", |e| &after[e + 1..]);
    }
    out.push_str(rest);
    out
}

fn check(target: Target, tags: &[&str], input: &str, expected: &str) {
    let rendered = render(input, target, &options(tags));
    let body = match target {
        Target::Wechat => unstyled(rendered.body.as_str()),
        _ => rendered.body.as_str().to_string(),
    };
    assert_eq!(body, expected, "\n{target} ← {input:?}");
}

#[test]
fn wechat() {
    let cases: &[(&str, &str)] = &[
        ("# 标题\n\n正文", "<section><p>正文</p></section>"),
        (
            "第一行\n第二行 and\nmore",
            "<section><p>第一行第二行 and more</p></section>",
        ),
        (
            "看[官网](https://a.com/x)和[它](https://a.com/x)，[旧文](https://mp.weixin.qq.com/s/1)",
            "<section><p>看<span>官网</span><sup>[1]</sup>和<span>它</span><sup>[1]</sup>，\
             <a href=\"https://mp.weixin.qq.com/s/1\">旧文</a></p>\
             <section><p>参考资料</p><p>[1] 官网: https://a.com/x</p></section></section>",
        ),
        (
            "<https://a.com>",
            "<section><p><span>https://a.com</span></p></section>",
        ),
        (
            "[x](javascript:alert(1)) ![p](data:image/png;base64,AA)",
            "<section><p>x </p></section>",
        ),
        (
            "> 引\n\n- a\n- **b**\n\n3. c\n",
            "<section><blockquote><p>引</p></blockquote><ul><li>a</li><li><strong>b</strong></li></ul>\
             <ol start=\"3\"><li>c</li></ol></section>",
        ),
        (
            "| a | b |\n|:-:|--|\n| `1` | ~~2~~ |",
            "<section><section><table><thead><tr><th>a</th><th>b</th></tr></thead>\
             <tr><td><code>1</code></td><td><del>2</del></td></tr></table></section></section>",
        ),
        (
            "```js\nlet a = 'x' // c\n  b\n```",
            "<section><pre><code><span>let</span> a = <span>'x'</span> <span>// c</span><br>  b\
             </code></pre></section>",
        ),
        (
            "![猫](https://i.com/c.png \"我的猫\")",
            "<section><p><img src=\"https://i.com/c.png\" alt=\"猫\"><span>我的猫</span></p></section>",
        ),
        (
            "a<script>x</script> <!-- note --> b<br>c\n\n<div onclick=\"x\">\n",
            "<section><p>a&lt;script&gt;x&lt;/script&gt;  b<br>c</p><p>&lt;div onclick=&quot;x&quot;&gt;</p></section>",
        ),
        (
            "#话题 *em* ---\n\n---",
            "<section><p>#话题 <em>em</em> ---</p><hr></section>",
        ),
    ];
    for (input, expected) in cases {
        check(Target::Wechat, &[], input, expected);
    }
}

#[test]
fn weibo() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &[],
            "# 新品\n\n上新啦 #秋冬 好看",
            "【新品】\n\n上新啦 #秋冬# 好看",
        ),
        (&["好物", "#秋冬#"], "上新 #秋冬#", "上新 #秋冬#\n\n#好物#"),
        (&[], "见[官网](https://a.com)。", "见官网 https://a.com。"),
        (&[], "- 一\n- 二\n  1. 甲", "• 一\n• 二\n  1. 甲"),
        (&[], "> 引用\n>\n> 第二段", "> 引用\n>\n> 第二段"),
    ];
    for (tags, input, expected) in cases {
        check(Target::Weibo, tags, input, expected);
    }
}

#[test]
fn chinese_platforms_use_prefix_tags_and_title_fields() {
    for target in [Target::Xiaohongshu, Target::Douyin, Target::Bilibili] {
        check(
            target,
            &["穿搭"],
            "# 标题\n\n今天 #OOTD#分享",
            "今天 #OOTD 分享\n\n#穿搭",
        );
    }
    for target in [Target::Toutiao, Target::Zhihu] {
        check(
            target,
            &[],
            "## 小节\n\n正文**重点**",
            "【小节】\n\n正文重点",
        );
    }
    let r = render(
        "# 秋冬穿搭\n\n正文",
        Target::Xiaohongshu,
        &Options::default(),
    );
    assert_eq!(r.title.as_deref(), Some("秋冬穿搭"));
}

#[test]
fn international_text_targets() {
    check(
        Target::Mastodon,
        &["rust"],
        "# Release\n\nSee [notes](https://a.io/n) for *details*.",
        "Release\n\nSee notes https://a.io/n for details.\n\n#rust",
    );
    check(Target::X, &[], "Hi @bob #launch!", "Hi @bob #launch !");
    check(
        Target::Plain,
        &[],
        "# T\n\n```\ncode\n```\n\n- [x] done\n- [ ] todo",
        "code\n\n• ☑ done\n• ☐ todo",
    );
}

#[test]
fn telegram() {
    let cases: &[(&str, &str)] = &[
        (
            "# 标题\n\n**粗** _斜_ ~~删~~ `c<d>` [链接](https://a.io?x=1&y=\"2\")",
            "<b>标题</b>\n\n<b>粗</b> <i>斜</i> <s>删</s> <code>c&lt;d&gt;</code> \
             <a href=\"https://a.io?x=1&amp;y=&quot;2&quot;\">链接</a>",
        ),
        (
            "> 引\n\n```py\nif a < b: pass\n```",
            "<blockquote>引</blockquote>\n\n<pre><code class=\"language-py\">if a &lt; b: pass</code></pre>",
        ),
        (
            "<b onclick=x>hi</b> & [x](javascript:void(0))",
            "&lt;b onclick=x&gt;hi&lt;/b&gt; &amp; x",
        ),
        (
            "```a\"><script>\nx\n```",
            "<pre><code class=\"language-ascript\">x</code></pre>",
        ),
    ];
    for (input, expected) in cases {
        check(Target::Telegram, &[], input, expected);
    }
}

#[test]
fn every_target_reads_its_limits_from_the_platform_table() {
    for target in Target::ALL {
        let r = render("正文", target, &Options::default());
        let expected = target.platform().and_then(|p| p.limits().body_max);
        assert_eq!(r.report.body.limit, expected, "{target}");
    }
}
