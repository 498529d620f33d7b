//! WeChat article themes: for each element we emit, the inline style it carries.
//!
//! A theme is written in a tiny CSS subset — element selectors (comma lists allowed),
//! declarations, `/* comments */` — because that is what designers already write.
//! The parser refuses what WeChat would strip or what could escape the `style`
//! attribute (positioning, transforms, animations, `url()`, at-rules, classes), with the
//! line number, so a workspace's custom theme fails loudly at save time instead of
//! rendering differently in the editor and on the phone.

use super::css::parse;
use std::fmt;

/// Built-in theme names.
pub const THEMES: [&str; 3] = ["default", "elegant", "tech"];

const DEFAULT_CSS: &str = include_str!("themes/default.css");
const ELEGANT_CSS: &str = include_str!("themes/elegant.css");
const TECH_CSS: &str = include_str!("themes/tech.css");

/// Elements a theme can style. `hl-*` are code-highlighting token classes.
pub(crate) const ELEMENTS: [&str; 31] = [
    "section",
    "h1",
    "h2",
    "h3",
    "h4",
    "p",
    "strong",
    "em",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "th",
    "td",
    "hr",
    "img",
    "caption",
    "sup",
    "footnotes",
    "footnotes-title",
    "footnote",
    "hl-keyword",
    "hl-string",
    "hl-comment",
    "hl-number",
    "hl-type",
];

/// Indexes into [`ELEMENTS`], for the renderer.
pub(crate) mod el {
    pub const SECTION: usize = 0;
    pub const H1: usize = 1;
    pub const H2: usize = 2;
    pub const H3: usize = 3;
    pub const H4: usize = 4;
    pub const P: usize = 5;
    pub const STRONG: usize = 6;
    pub const EM: usize = 7;
    pub const DEL: usize = 8;
    pub const A: usize = 9;
    pub const CODE: usize = 10;
    pub const PRE: usize = 11;
    pub const BLOCKQUOTE: usize = 12;
    pub const UL: usize = 13;
    pub const OL: usize = 14;
    pub const LI: usize = 15;
    pub const TABLE: usize = 16;
    pub const TH: usize = 17;
    pub const TD: usize = 18;
    pub const HR: usize = 19;
    pub const IMG: usize = 20;
    pub const CAPTION: usize = 21;
    pub const SUP: usize = 22;
    pub const FOOTNOTES: usize = 23;
    pub const FOOTNOTES_TITLE: usize = 24;
    pub const FOOTNOTE: usize = 25;
    pub const HL_KEYWORD: usize = 26;
    pub const HL_STRING: usize = 27;
    pub const HL_COMMENT: usize = 28;
    pub const HL_NUMBER: usize = 29;
    pub const HL_TYPE: usize = 30;
}

/// A set of inline styles, one per element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    name: String,
    /// Declarations per element (indexed like `ELEMENTS`), later ones overriding.
    decls: Vec<Vec<(String, String)>>,
    /// The same, joined as `prop:value;…` for the `style` attribute.
    compiled: Vec<String>,
}

/// Largest custom theme accepted.
pub const MAX_CSS_BYTES: usize = 64 * 1024;

/// Why a theme was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("unknown theme {name:?}; valid themes: {}", THEMES.join(", "))]
    UnknownTheme { name: String },
    #[error("theme line {line}: unknown selector {selector:?}; use element names: {}", ELEMENTS.join(", "))]
    UnknownSelector { line: usize, selector: String },
    #[error("theme line {line}: {property:?} is stripped or unsupported by WeChat; remove it")]
    Stripped { line: usize, property: String },
    #[error("theme line {line}: unknown property {property:?}")]
    UnknownProperty { line: usize, property: String },
    #[error("theme line {line}: value of {property:?} is not allowed ({why})")]
    BadValue {
        line: usize,
        property: String,
        why: &'static str,
    },
    #[error("the theme is larger than {max} bytes")]
    TooLarge { max: usize },
    #[error("theme line {line}: {what}")]
    Syntax { line: usize, what: &'static str },
}

impl Default for Theme {
    fn default() -> Self {
        Theme::builtin("default", &[])
    }
}

impl Theme {
    /// A built-in theme by name.
    pub fn named(name: &str) -> Result<Theme, ThemeError> {
        match name.trim() {
            "default" => Ok(Theme::default()),
            "elegant" => Ok(Theme::builtin("elegant", &[ELEGANT_CSS])),
            "tech" => Ok(Theme::builtin("tech", &[TECH_CSS])),
            other => Err(ThemeError::UnknownTheme {
                name: other.to_string(),
            }),
        }
    }

    fn builtin(name: &str, layers: &[&str]) -> Theme {
        let mut theme = Theme {
            name: name.to_string(),
            decls: vec![Vec::new(); ELEMENTS.len()],
            compiled: Vec::new(),
        };
        for css in std::iter::once(&DEFAULT_CSS).chain(layers) {
            // The built-in sheets are constants checked by `builtin_themes_parse`, so a
            // failure here is a bug caught by the tests, never user input.
            if let Ok(rules) = parse(css) {
                theme.apply(rules);
            }
        }
        theme.compile();
        theme
    }

    /// This theme with a workspace's custom CSS layered on top (its declarations win).
    pub fn with_css(mut self, css: &str) -> Result<Theme, ThemeError> {
        // A theme is a few dozen rules; the cap keeps error reporting (which counts
        // lines from the start) cheap on hostile input.
        if css.len() > MAX_CSS_BYTES {
            return Err(ThemeError::TooLarge { max: MAX_CSS_BYTES });
        }
        let rules = parse(css)?;
        self.apply(rules);
        self.compile();
        self.name = format!("{}+custom", self.name);
        Ok(self)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The inline style for an element name from `ELEMENTS` ("" for any other).
    pub(crate) fn style(&self, element: usize) -> &str {
        self.compiled.get(element).map_or("", String::as_str)
    }

    fn apply(&mut self, rules: Vec<(usize, String, String)>) {
        for (el, prop, value) in rules {
            let list = &mut self.decls[el];
            match list.iter_mut().find(|(p, _)| *p == prop) {
                Some(slot) => slot.1 = value,
                None => list.push((prop, value)),
            }
        }
    }

    fn compile(&mut self) {
        self.compiled = self
            .decls
            .iter()
            .map(|list| {
                let mut s = String::new();
                for (p, v) in list {
                    s.push_str(p);
                    s.push(':');
                    s.push_str(v);
                    s.push(';');
                }
                s
            })
            .collect();
    }
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_indexes_match_names() {
        assert_eq!(ELEMENTS[el::SECTION], "section");
        assert_eq!(ELEMENTS[el::BLOCKQUOTE], "blockquote");
        assert_eq!(ELEMENTS[el::FOOTNOTES_TITLE], "footnotes-title");
        assert_eq!(ELEMENTS[el::HL_TYPE], "hl-type");
    }

    #[test]
    fn builtin_themes_parse() {
        for css in [DEFAULT_CSS, ELEGANT_CSS, TECH_CSS] {
            assert!(parse(css).is_ok(), "{:?}", parse(css));
        }
        for name in THEMES {
            assert_eq!(
                Theme::named(name).map(|t| t.name().to_string()),
                Ok(name.into())
            );
        }
    }

    #[test]
    fn custom_css_overrides_and_refuses_what_wechat_strips() {
        let theme = Theme::default()
            .with_css("/* brand */\nh2, h3 { color: #c00; font-family: \"Songti SC\" }")
            .map(|t| t.style(2).to_string());
        assert!(
            theme.as_ref().is_ok_and(|s| s.contains("color:#c00;")),
            "{theme:?}"
        );
        assert!(theme.is_ok_and(|s| s.contains("font-family:'Songti SC';")));

        let cases: &[(&str, &str)] = &[
            (
                "h2 {\n  position: absolute }",
                "theme line 2: \"position\" is stripped",
            ),
            ("p { transform: rotate(3deg) }", "\"transform\" is stripped"),
            (
                ".title { color: red }",
                "theme line 1: unknown selector \".title\"",
            ),
            ("p { colour: red }", "unknown property \"colour\""),
            ("p { background: url(x.png) }", "no url()"),
            ("p { color: </style> }", "characters < >"),
            (
                "@media print { p { color: red } }",
                "at-rules are not supported",
            ),
            ("p { color: red", "missing `}`"),
            ("p color: red }", "expected `selector"),
            ("/* open", "unterminated comment"),
        ];
        for (css, expected) in cases {
            let err = Theme::default()
                .with_css(css)
                .map(|_| ())
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{css:?}: {err}");
        }
        assert!(matches!(
            Theme::named("neon"),
            Err(ThemeError::UnknownTheme { .. })
        ));
    }
}
