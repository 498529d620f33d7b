//! A post's master as an author writes it: title, Markdown body and tags.

use crate::invalid::{Invalid, Reason, single_line};

/// A validated master.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostDraft {
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
}

impl PostDraft {
    pub const TITLE_MAX: usize = 200;
    /// Long-form articles run to a few tens of thousands of characters; this leaves room
    /// and keeps one post from filling the database.
    pub const BODY_MAX: usize = 200_000;
    pub const TAG_MAX: usize = 30;
    pub const TAGS_MAX: usize = 30;

    pub fn parse(title: &str, body: &str, tags: &[String]) -> Result<PostDraft, Vec<Invalid>> {
        let mut errors = Vec::new();
        let title = single_line("title", title, Self::TITLE_MAX, true)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if body.chars().count() > Self::BODY_MAX {
            errors.push(Invalid::new(
                "body",
                Reason::TooLong {
                    max: Self::BODY_MAX,
                },
            ));
        }
        if body
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            errors.push(Invalid::new("body", Reason::ControlCharacters));
        }
        if tags.len() > Self::TAGS_MAX {
            errors.push(Invalid::new(
                "tags",
                Reason::TooLong {
                    max: Self::TAGS_MAX,
                },
            ));
        }
        let mut clean = Vec::new();
        for (i, tag) in tags.iter().enumerate() {
            // Tags are stored bare; each platform adds its own # syntax when rendering.
            let bare = tag.trim().trim_matches('#');
            match single_line(&format!("tags[{i}]"), bare, Self::TAG_MAX, true) {
                Ok(tag) if tag.contains(char::is_whitespace) => {
                    errors.push(Invalid::new(format!("tags[{i}]"), Reason::NotText))
                }
                Ok(tag) if !clean.contains(&tag) => clean.push(tag),
                Ok(_) => {}
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(PostDraft {
                title,
                body: body.to_owned(),
                tags: clean,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts() {
        let ok = PostDraft::parse(
            " 秋季新品 ",
            "# 秋季新品\n\n正文",
            &["#咖啡#".into(), "秋天".into(), "咖啡".into()],
        )
        .unwrap();
        assert_eq!(ok.title, "秋季新品");
        assert_eq!(ok.tags, ["咖啡", "秋天"]);
        let errors = PostDraft::parse("", "x\u{0}", &["两个 词".into()]).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "body", "tags[0]"]);
        assert!(PostDraft::parse("t", &"字".repeat(PostDraft::BODY_MAX + 1), &[]).is_err());
    }
}
