//! What the linter reads: one text plus where its title and body are, and the facts
//! about the post that are not text (tags, images, cover).

use std::ops::Range;

/// A post to lint. Positions in findings count characters of `text`, so a caller
/// whose title and body live apart joins them (`# title\nbody`) and uses
/// [`Post::markdown`], or fills the ranges itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post<'a> {
    /// The whole text; every term rule scans all of it.
    pub text: &'a str,
    /// Byte range of the title within `text`, if the post has one.
    pub title: Option<Range<usize>>,
    /// Byte range of the body within `text`; length, hashtag and link rules read it.
    pub body: Range<usize>,
    /// Hashtags given outside the body (a platform's separate tag field).
    pub tags: usize,
    /// Images attached to the post.
    pub images: usize,
    pub has_cover: bool,
}

impl<'a> Post<'a> {
    /// A post that is all body.
    pub fn plain(text: &'a str) -> Post<'a> {
        Post {
            text,
            title: None,
            body: 0..text.len(),
            tags: 0,
            images: 0,
            has_cover: false,
        }
    }

    /// A Markdown post: when the first non-blank line is a level-1 heading (`# 标题`),
    /// its text is the title and what follows is the body; images are the body's
    /// `![alt](src)`s. Lengths are counted on the Markdown source, so syntax characters
    /// count too and the check errs on the long side.
    pub fn markdown(text: &'a str) -> Post<'a> {
        let mut post = Post::plain(text);
        let leading_blank = text.len()
            - text
                .trim_start_matches(['\n', '\r', ' ', '\t', '\u{feff}'])
                .len();
        // Back up to the start of the first non-blank line so indentation is seen.
        let line_start = text[..leading_blank].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |i| line_start + i);
        let line = &text[line_start..line_end];
        if let Some(heading) = line.strip_prefix("# ") {
            let inner = heading.trim();
            let start = line_start + 2 + (heading.len() - heading.trim_start().len());
            post.title = Some(start..start + inner.len());
            post.body = (line_end + 1).min(text.len())..text.len();
        }
        post.images = text[post.body.clone()].matches("![").count();
        post
    }

    /// The title's text (empty when there is none or its range is not in `text`).
    pub fn title_text(&self) -> &'a str {
        self.title
            .clone()
            .and_then(|r| self.text.get(r))
            .unwrap_or_default()
    }

    /// The body's text (empty when its range is not in `text`).
    pub fn body_text(&self) -> &'a str {
        self.text.get(self.body.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, title: &str, body: &str, images: usize) {
        let post = Post::markdown(input);
        assert_eq!(
            (post.title_text(), post.body_text(), post.images),
            (title, body, images),
            "{input:?}"
        );
    }

    #[test]
    fn a_first_level_one_heading_is_the_title() {
        check("# 新品  \n正文", "新品", "正文", 0);
        check(
            "\n\n#  标题\r\n![a](b.png) ![c](d.png)",
            "标题",
            "![a](b.png) ![c](d.png)",
            2,
        );
        check("## 小标题\n正文", "", "## 小标题\n正文", 0);
        check("正文\n# 不是标题", "", "正文\n# 不是标题", 0);
        check("# 只有标题", "只有标题", "", 0);
        check("", "", "", 0);
    }

    #[test]
    fn ranges_outside_the_text_read_as_empty() {
        let post = Post {
            title: Some(3..99),
            body: 1..2,
            ..Post::plain("新品")
        };
        assert_eq!((post.title_text(), post.body_text()), ("", ""));
    }
}
