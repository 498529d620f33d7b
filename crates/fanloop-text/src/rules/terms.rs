//! Dictionary terms: one leftmost-longest pass of the automaton over the whole text.
//! Leftmost-longest is what makes benign compounds work: at 第一次 the longer compound
//! wins over 第一, and a match that starts inside a compound is never reported because
//! the compound has already consumed those characters.

use crate::dictionary::Severity;
use crate::finding::Raw;
use crate::linter::{Kind, Linter};
use crate::messages;
use crate::post::Post;
use fanloop_domain::Locale;
use std::borrow::Cow;

pub(crate) fn scan(linter: &Linter, post: &Post, lang: Locale, out: &mut Vec<Raw>) {
    let text = post.text;
    // ASCII case folding keeps every byte offset, so matches index `text` directly.
    let folded = if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    };
    for found in linter.automaton.leftmost_find_iter(folded.as_ref()) {
        let (start, end) = (found.start(), found.end());
        // Matches always fall on character boundaries (patterns are whole UTF-8 text).
        let matched = text.get(start..end).unwrap_or_default();
        let Some(kind) = linter.kinds.get(found.value() as usize) else {
            continue;
        };
        let (rule, category, severity, words) = match *kind {
            Kind::Benign => continue,
            Kind::Banned => (
                "workspace",
                "banned",
                Severity::Error,
                messages::banned(matched, lang),
            ),
            Kind::Preferred(index) => {
                let replacement = linter.replacements.get(index).map_or("", String::as_str);
                (
                    "workspace",
                    "preferred",
                    Severity::Warning,
                    messages::preferred(matched, replacement, lang),
                )
            }
            Kind::Term(class) => {
                if class.category == "undated" && dated_nearby(text, start, end) {
                    continue;
                }
                // Clickbait belongs to titles; in a body it is only worth a note.
                let in_title = post.title.as_ref().is_some_and(|t| t.contains(&start));
                let severity = if class.rule == "title-party" && !in_title {
                    Severity::Info
                } else {
                    class.severity
                };
                let words = messages::term(
                    class.category,
                    class.law,
                    matched,
                    severity == Severity::Error,
                    lang,
                );
                (class.rule, class.category, severity, words)
            }
        };
        out.push(Raw {
            start,
            end,
            rule,
            category,
            severity,
            words,
        });
    }
}

/// Whether a date (3月8日, 8号, 3.8, 2025-03-08, 3/8) stands within a few characters of
/// the match on the same line. The window is bounded so a 10 MB single line stays linear.
fn dated_nearby(text: &str, start: usize, end: usize) -> bool {
    const WINDOW: usize = 20;
    let before: Vec<char> = text[..start]
        .chars()
        .rev()
        .take(WINDOW)
        .take_while(|c| *c != '\n')
        .collect();
    let after = text[end..].chars().take(WINDOW).take_while(|c| *c != '\n');
    let window: Vec<char> = before.into_iter().rev().chain(after).collect();
    window.windows(3).any(|w| {
        let digit = |c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c);
        (digit(w[0]) && matches!(w[1], '月' | '日' | '号'))
            || (w[0].is_ascii_digit() && matches!(w[1], '.' | '/' | '-') && w[2].is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use crate::{Linter, Pack, Post, WordList};
    use fanloop_domain::Locale;

    /// Each case: input (Markdown), expected findings as "rule/category:text:severity".
    fn check(linter: &Linter, input: &str, expected: &[&str]) {
        let got: Vec<String> = linter
            .lint(&Post::markdown(input), None, Locale::ZhCn)
            .into_iter()
            .map(|f| format!("{}/{}:{}:{}", f.rule, f.category, f.text, f.severity.code()))
            .collect();
        assert_eq!(got, expected, "{input:?}");
    }

    #[test]
    fn advertising_law_terms_and_benign_compounds() {
        let linter = Linter::builder()
            .build()
            .expect("the built-in dictionaries build");
        let cases: &[(&str, &[&str])] = &[
            (
                "全网最低价，品质最佳",
                &[
                    "ad-law/superlative:全网最低价:error",
                    "ad-law/superlative:最佳:error",
                ],
            ),
            ("我们第一次见面，第一步先洗脸", &[]),
            ("第一行写标题，第一段讲故事，第一口就爱上", &[]),
            ("最近很忙，最后一天了，最初和最终", &[]),
            (
                "行业第一，唯一认证",
                &[
                    "ad-law/first-only:第一:error",
                    "ad-law/first-only:唯一:error",
                ],
            ),
            (
                "销量 No.1 和 top1",
                &[
                    "ad-law/first-only:No.1:error",
                    "ad-law/first-only:top1:error",
                ],
            ),
            ("积极致力于北极品种研究", &[]),
            ("极致体验", &["ad-law/grade:极致:error"]),
            ("我最爱的颜色", &["ad-law/superlative:最:warning"]),
            (
                "国家领导人推荐的驰名商标",
                &[
                    "ad-law/authority:国家领导人推荐:error",
                    "ad-law/authority:驰名商标:error",
                ],
            ),
            (
                "100%纯天然",
                &[
                    "ad-law/unprovable:100%:warning",
                    "ad-law/unprovable:纯天然:warning",
                ],
            ),
            ("最后机会！", &["marketing/urgency:最后机会:warning"]),
            (
                "限时优惠，手慢无",
                &[
                    "marketing/undated:限时优惠:warning",
                    "marketing/urgency:手慢无:warning",
                ],
            ),
            ("3月8日至10日限时优惠", &[]),
            ("限时 2025-03-08 截止", &[]),
            (
                "# 震惊！必看\n正文里说震惊",
                &[
                    "title-party/clickbait:震惊:warning",
                    "title-party/clickbait:必看:warning",
                    "title-party/clickbait:震惊:info",
                ],
            ),
            (
                "恭喜中奖，点击领奖",
                &[
                    "marketing/lure:恭喜中奖:error",
                    "marketing/lure:点击领奖:error",
                ],
            ),
            ("抗菌消炎", &[]), // the cosmetics pack is off
        ];
        for (input, expected) in cases {
            check(&linter, input, expected);
        }
    }

    #[test]
    fn industry_packs_are_opt_in_and_cite_their_rules() {
        let linter = Linter::builder()
            .pack(Pack::Cosmetics)
            .pack(Pack::Food)
            .build()
            .expect("builds");
        check(
            &linter,
            "抗菌消炎，华佗秘方",
            &[
                "cosmetics/implied-medical:抗菌:error",
                "cosmetics/implied-medical:消炎:error",
                "cosmetics/famous-physician:华佗:error",
            ],
        );
        check(
            &linter,
            "祖传秘制，可以增高",
            &[
                "food/unprovable:祖传:error",
                "food/unprovable:秘制:error",
                "food/medical:增高:error",
            ],
        );
        let health = Linter::builder()
            .pack(Pack::Health)
            .build()
            .expect("builds");
        check(
            &health,
            "无副作用，根治失眠",
            &[
                "health/guarantee:无副作用:error",
                "health/disease:根治:error",
            ],
        );
    }

    #[test]
    fn workspace_words_come_first_and_suggest_the_replacement() {
        let words = WordList::parse("竞品\n亲 => 您\n第一次").expect("parses");
        let linter = Linter::builder().words(words).build().expect("builds");
        check(
            &linter,
            "亲，竞品第一次",
            &[
                "workspace/preferred:亲:warning",
                "workspace/banned:竞品:error",
                "workspace/banned:第一次:error",
            ],
        );
        let found = linter.lint(&Post::plain("亲"), None, Locale::En);
        assert_eq!(found[0].suggestion, "Use “您”");
    }

    #[test]
    fn messages_cite_the_article_in_both_languages() {
        let linter = Linter::builder().build().expect("builds");
        let zh = &linter.lint(&Post::plain("最佳"), None, Locale::ZhCn)[0];
        assert!(
            zh.message.contains("《广告法》第九条第（三）项"),
            "{}",
            zh.message
        );
        let en = &linter.lint(&Post::plain("最佳"), None, Locale::En)[0];
        assert!(en.message.contains("Art. 9(3)"), "{}", en.message);
        assert!(!en.suggestion.is_empty());
    }

    #[test]
    fn positions_count_characters_lines_and_columns() {
        let linter = Linter::builder().build().expect("builds");
        let found = linter.lint(&Post::plain("好的\n👍 最佳"), None, Locale::ZhCn);
        let f = &found[0];
        assert_eq!((f.start, f.end, f.line, f.column), (5, 7, 2, 3));
    }
}
