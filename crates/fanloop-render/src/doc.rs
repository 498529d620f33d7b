//! The Markdown master as a small owned tree, built from pulldown-cmark's event stream.
//!
//! Every renderer walks this tree instead of the raw events, so each one is a plain
//! recursive function. The recursion is bounded here, once: containers nested deeper
//! than [`MAX_DEPTH`] are unwrapped (their content is kept, appended to the deepest
//! allowed container), so a 10,000-deep list or quote renders flat instead of blowing
//! the stack. The builder itself is a loop over events with an explicit stack.

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// How many containers (blocks and inline spans together) may nest. Real articles use
/// three or four; the bound exists for hostile input.
pub const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Text as written (never HTML; renderers escape it).
    Text(String),
    /// Inline code.
    Code(String),
    /// Raw HTML from the Markdown. Renderers escape it: it is never passed through.
    /// (Comments are dropped and `<br>` becomes [`Node::HardBreak`] while parsing; an
    /// HTML block becomes a paragraph of escaped text.)
    Html(String),
    SoftBreak,
    HardBreak,
    Rule,
    /// A task-list checkbox.
    Check(bool),
    CodeBlock {
        lang: String,
        text: String,
    },
    Image {
        url: String,
        alt: String,
        title: String,
    },
    Container(Kind, Vec<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Paragraph,
    Heading(u8),
    Quote,
    /// `Some(n)`: ordered, starting at n.
    List(Option<u64>),
    Item,
    Table(Vec<Align>),
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strike,
    Link {
        url: String,
        title: String,
    },
    /// A container that was unwrapped or that carries no meaning for us (footnote
    /// definitions, metadata); its children render inline in place.
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

/// A parsed document plus what the parse had to do to stay safe.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    pub blocks: Vec<Node>,
    /// Containers unwrapped because they nested deeper than [`MAX_DEPTH`].
    pub flattened: usize,
}

struct Frame {
    kind: Kind,
    children: Vec<Node>,
    /// Pending image (alt text is collected from the events inside it).
    image: Option<(String, String)>,
}

/// Parses CommonMark plus tables, strikethrough and task lists.
pub fn parse(markdown: &str) -> Doc {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut stack: Vec<Frame> = vec![Frame {
        kind: Kind::Group,
        children: Vec::new(),
        image: None,
    }];
    // For each open Markdown container: whether it got its own frame (false when it was
    // unwrapped because of depth), so End events pop the right thing.
    let mut opened: Vec<bool> = Vec::new();
    let mut flattened = 0;
    // Code blocks hold only text; they are collected here and pushed as one leaf.
    let mut code: Option<(String, String)> = None;

    for event in Parser::new_ext(markdown, options) {
        if let Some((_, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((lang, text)) = code.take() {
                        push(&mut stack, Node::CodeBlock { lang, text });
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Start(tag) => {
                let (kind, image) = match tag {
                    Tag::Image {
                        dest_url, title, ..
                    } => (
                        Kind::Group,
                        Some((dest_url.into_string(), title.into_string())),
                    ),
                    other => (kind_of(other), None),
                };
                // Images always get a frame: their alt text must not leak into the parent.
                if stack.len() <= MAX_DEPTH || image.is_some() {
                    stack.push(Frame {
                        kind,
                        children: Vec::new(),
                        image,
                    });
                    opened.push(true);
                } else {
                    flattened += 1;
                    opened.push(false);
                }
            }
            Event::End(_) => {
                if opened.pop() == Some(true)
                    && stack.len() > 1
                    && let Some(frame) = stack.pop()
                {
                    let node = match frame.image {
                        Some((url, title)) => Node::Image {
                            url,
                            alt: plain_text(&frame.children),
                            title,
                        },
                        None => Node::Container(frame.kind, frame.children),
                    };
                    // A block left empty (an HTML comment on its own) leaves no trace.
                    let empty = matches!(&node,
                        Node::Container(Kind::Paragraph | Kind::Group, c) if c.is_empty());
                    if !empty {
                        push(&mut stack, node);
                    }
                }
            }
            Event::Text(text) => push_text(&mut stack, &text),
            Event::Code(code) => push(&mut stack, Node::Code(code.into_string())),
            Event::Html(html) | Event::InlineHtml(html) => {
                let trimmed = html.trim();
                if trimmed.starts_with("<!--") {
                    // Comments are the author's notes, never meant for readers.
                } else if matches!(
                    trimmed.to_ascii_lowercase().as_str(),
                    "<br>" | "<br/>" | "<br />"
                ) {
                    push(&mut stack, Node::HardBreak);
                } else {
                    push(&mut stack, Node::Html(html.into_string()));
                }
            }
            Event::SoftBreak => push(&mut stack, Node::SoftBreak),
            Event::HardBreak => push(&mut stack, Node::HardBreak),
            Event::Rule => push(&mut stack, Node::Rule),
            Event::TaskListMarker(done) => push(&mut stack, Node::Check(done)),
            // Math, footnote references and the like are not enabled; keep any text.
            Event::InlineMath(t) | Event::DisplayMath(t) | Event::FootnoteReference(t) => {
                push_text(&mut stack, &t)
            }
        }
    }
    // A well-formed stream closes everything; be defensive anyway.
    while stack.len() > 1 {
        if let Some(frame) = stack.pop() {
            push(&mut stack, Node::Container(frame.kind, frame.children));
        }
    }
    let blocks = stack.pop().map(|f| f.children).unwrap_or_default();
    Doc { blocks, flattened }
}

fn kind_of(tag: Tag<'_>) -> Kind {
    match tag {
        Tag::Paragraph | Tag::HtmlBlock => Kind::Paragraph,
        Tag::Heading { level, .. } => Kind::Heading(match level {
            HeadingLevel::H1 => 1,
            HeadingLevel::H2 => 2,
            HeadingLevel::H3 => 3,
            HeadingLevel::H4 => 4,
            HeadingLevel::H5 => 5,
            HeadingLevel::H6 => 6,
        }),
        Tag::BlockQuote(_) => Kind::Quote,
        Tag::List(start) => Kind::List(start),
        Tag::Item => Kind::Item,
        Tag::Table(aligns) => Kind::Table(
            aligns
                .into_iter()
                .map(|a| match a {
                    Alignment::None => Align::None,
                    Alignment::Left => Align::Left,
                    Alignment::Center => Align::Center,
                    Alignment::Right => Align::Right,
                })
                .collect(),
        ),
        Tag::TableHead => Kind::TableHead,
        Tag::TableRow => Kind::TableRow,
        Tag::TableCell => Kind::TableCell,
        Tag::Emphasis => Kind::Emphasis,
        Tag::Strong => Kind::Strong,
        Tag::Strikethrough => Kind::Strike,
        Tag::Link {
            dest_url, title, ..
        } => Kind::Link {
            url: dest_url.into_string(),
            title: title.into_string(),
        },
        _ => Kind::Group,
    }
}

fn push(stack: &mut [Frame], node: Node) {
    if let Some(top) = stack.last_mut() {
        top.children.push(node);
    }
}

/// Adjacent text events (pulldown-cmark splits at entities and brackets) are merged so
/// hashtag and URL scanning sees whole words.
fn push_text(stack: &mut [Frame], text: &str) {
    if let Some(top) = stack.last_mut() {
        if let Some(Node::Text(last)) = top.children.last_mut() {
            last.push_str(text);
            return;
        }
        top.children.push(Node::Text(text.to_string()));
    }
}

/// The text content of nodes, without markup (for alt text, code and measuring).
/// Iterative, so it is safe on any depth.
pub fn plain_text(nodes: &[Node]) -> String {
    let mut out = String::new();
    let mut work: Vec<&Node> = nodes.iter().rev().collect();
    while let Some(node) = work.pop() {
        match node {
            Node::Text(t) | Node::Code(t) | Node::Html(t) => out.push_str(t),
            Node::SoftBreak | Node::HardBreak => out.push('\n'),
            Node::CodeBlock { text, .. } => out.push_str(text),
            Node::Image { alt, .. } => out.push_str(alt),
            Node::Rule | Node::Check(_) => {}
            Node::Container(_, children) => work.extend(children.iter().rev()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_blocks_become_leaves_with_their_language() {
        let doc = parse("```Rust extra\nfn main() {}\n```\n");
        assert_eq!(
            doc.blocks,
            vec![Node::CodeBlock {
                lang: "rust".into(),
                text: "fn main() {}\n".into()
            }]
        );
    }

    #[test]
    fn deep_quotes_are_flattened_not_recursed() {
        let doc = parse(&">".repeat(10_000));
        assert!(doc.flattened > 9_000, "{}", doc.flattened);
    }

    #[test]
    fn image_alt_text_stays_inside_the_image() {
        let doc = parse("![a *cat*](c.png \"t\")");
        assert_eq!(
            doc.blocks,
            vec![Node::Container(
                Kind::Paragraph,
                vec![Node::Image {
                    url: "c.png".into(),
                    alt: "a cat".into(),
                    title: "t".into()
                }]
            )]
        );
    }
}
