//! The CSS subset themes are written in: element selectors (comma lists allowed),
//! `property: value` declarations and comments. Anything else is refused with its line.

use super::theme::{ELEMENTS, ThemeError};

/// Properties that survive WeChat's editor and are meaningful inline.
const PROPERTIES: &[&str] = &[
    "background",
    "background-color",
    "border",
    "border-bottom",
    "border-collapse",
    "border-color",
    "border-left",
    "border-radius",
    "border-right",
    "border-style",
    "border-top",
    "border-width",
    "box-shadow",
    "box-sizing",
    "color",
    "display",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "height",
    "letter-spacing",
    "line-height",
    "list-style",
    "list-style-type",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-width",
    "min-width",
    "opacity",
    "overflow",
    "overflow-wrap",
    "overflow-x",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "text-align",
    "text-decoration",
    "text-indent",
    "text-shadow",
    "vertical-align",
    "white-space",
    "width",
    "word-break",
    "word-wrap",
];

/// Properties WeChat strips or does not support; named so the error can say why.
const STRIPPED: &[&str] = &[
    "position",
    "transform",
    "transform-origin",
    "top",
    "left",
    "right",
    "bottom",
    "z-index",
    "animation",
    "transition",
    "float",
    "filter",
    "clip-path",
];

/// Parses the CSS subset into (element index, property, value) in source order.
pub(super) fn parse(css: &str) -> Result<Vec<(usize, String, String)>, ThemeError> {
    let css = strip_comments(css)?;
    let line_at = |offset: usize| css[..offset].matches('\n').count() + 1;
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let rest = &css[pos..];
        let Some(open) = rest.find('{') else {
            if !rest.trim().is_empty() {
                let at = pos + (rest.len() - rest.trim_start().len());
                return Err(ThemeError::Syntax {
                    line: line_at(at),
                    what: "expected `selector { property: value }`",
                });
            }
            return Ok(out);
        };
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or(ThemeError::Syntax {
                line: line_at(pos + open),
                what: "missing `}`",
            })?;
        let selectors = &rest[..open];
        let body = &rest[open + 1..close];
        if body.contains('{') {
            return Err(ThemeError::Syntax {
                line: line_at(pos + open),
                what: "nested blocks and at-rules are not supported",
            });
        }
        let mut elements = Vec::new();
        for sel in selectors.split(',') {
            let name = sel.trim();
            let lead = sel.len() - sel.trim_start().len();
            let line = line_at(pos + (sel.as_ptr() as usize - rest.as_ptr() as usize) + lead);
            match ELEMENTS.iter().position(|e| *e == name) {
                Some(i) => elements.push(i),
                None => {
                    return Err(ThemeError::UnknownSelector {
                        line,
                        selector: name.to_string(),
                    });
                }
            }
        }
        let body_at = pos + open + 1;
        for decl in body.split(';') {
            if decl.trim().is_empty() {
                continue;
            }
            let lead = decl.len() - decl.trim_start().len();
            let line = line_at(body_at + (decl.as_ptr() as usize - body.as_ptr() as usize) + lead);
            let (prop, value) = declaration(decl, line)?;
            for &el in &elements {
                out.push((el, prop.clone(), value.clone()));
            }
        }
        pos += close + 1;
    }
}

fn declaration(decl: &str, line: usize) -> Result<(String, String), ThemeError> {
    let (prop, value) = decl.split_once(':').ok_or(ThemeError::Syntax {
        line,
        what: "expected `property: value`",
    })?;
    let prop = prop.trim().to_ascii_lowercase();
    let value = value.trim();
    if STRIPPED
        .iter()
        .any(|s| prop == *s || prop.starts_with(&format!("{s}-")))
    {
        return Err(ThemeError::Stripped {
            line,
            property: prop,
        });
    }
    if !PROPERTIES.contains(&prop.as_str()) {
        return Err(ThemeError::UnknownProperty {
            line,
            property: prop,
        });
    }
    let bad = |why| {
        Err(ThemeError::BadValue {
            line,
            property: prop.clone(),
            why,
        })
    };
    let lower = value.to_ascii_lowercase();
    if value.is_empty() {
        return bad("empty");
    }
    if lower.contains("url(") || lower.contains("expression(") || lower.contains("javascript:") {
        return bad("no url(), expression() or scripts: WeChat filters external resources");
    }
    if lower.contains("!important") {
        return bad("inline styles need no !important");
    }
    if value.contains(['<', '>', '\\', '{', '}', '&']) {
        return bad("characters < > \\ { } & are not allowed");
    }
    if value.len() > 300 {
        return bad("longer than 300 characters");
    }
    // Double quotes would end the style attribute; CSS accepts single quotes equally.
    Ok((prop, value.replace('"', "'")))
}

fn strip_comments(css: &str) -> Result<String, ThemeError> {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("*/").ok_or(ThemeError::Syntax {
            line: css[..css.len() - rest.len() + start].matches('\n').count() + 1,
            what: "unterminated comment",
        })?;
        // Keep the newlines so error lines stay right.
        out.extend(after[..end].chars().filter(|c| *c == '\n'));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}
