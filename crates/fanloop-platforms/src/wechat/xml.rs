//! The little XML WeChat's push callback speaks: reading a flat `<xml>` envelope with
//! roxmltree, and writing one where every text value goes into CDATA.
//!
//! Writing never escapes by hand: a value is wrapped in CDATA, and the one sequence CDATA
//! cannot hold, `]]>`, is split across two sections. Characters XML 1.0 forbids outright
//! (most C0 controls) are dropped, since no quoting can carry them.

use roxmltree::{Document, Node, ParsingOptions};

/// Parses an envelope; DTDs are refused (WeChat never sends one, and they are how entity
/// expansion attacks arrive).
pub(super) fn parse(body: &str) -> Result<Document<'_>, String> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(body, options).map_err(|e| e.to_string())?;
    if doc.root_element().tag_name().name() != "xml" {
        return Err(format!(
            "the root element is <{}>, not <xml>",
            doc.root_element().tag_name().name()
        ));
    }
    Ok(doc)
}

/// The first direct child element named `name`.
pub(super) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

/// Every direct child element named `name`, in order.
pub(super) fn children<'a, 'i>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

/// The text of an element: its text and CDATA children joined (a split CDATA section
/// reads back as one value).
pub(super) fn text_of(node: Node<'_, '_>) -> String {
    node.children()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// The text of the child `name`, if present.
pub(super) fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(text_of)
}

/// Appends `<name><![CDATA[value]]></name>`.
pub(super) fn push_cdata(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push_str("><![CDATA[");
    let mut first = true;
    for piece in value.split("]]>") {
        if !first {
            // Close after "]]", reopen, and continue with ">".
            out.push_str("]]]]><![CDATA[>");
        }
        first = false;
        out.extend(piece.chars().filter(|&c| xml_char(c)));
    }
    out.push_str("]]></");
    out.push_str(name);
    out.push('>');
}

/// Appends `<name>number</name>`; numbers need no quoting.
pub(super) fn push_number(out: &mut String, name: &str, value: i64) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&value.to_string());
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// XML 1.0's `Char` production.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: &str) -> String {
        let mut out = String::from("<xml>");
        push_cdata(&mut out, "V", value);
        out.push_str("</xml>");
        let doc = parse(&out).unwrap();
        child_text(doc.root_element(), "V").unwrap()
    }

    #[test]
    fn cdata_carries_anything_xml_can() {
        for v in [
            "",
            "plain",
            "a]]>b",
            "]]>",
            "]]>]]>",
            "<b>&amp;</b>",
            "中文 ]] > ]]",
        ] {
            assert_eq!(round_trip(v), v);
        }
        assert_eq!(round_trip("bell\u{7}tab\t"), "belltab\t");
    }

    #[test]
    fn refuses_dtds_and_other_roots() {
        let bomb = r#"<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><V>&a;</V></xml>"#;
        assert!(parse(bomb).is_err());
        assert!(parse("<html/>").is_err());
        assert!(parse("<xml>").is_err());
    }

    #[test]
    fn numbers_are_bare() {
        let mut out = String::new();
        push_number(&mut out, "CreateTime", 1_700_000_000);
        assert_eq!(out, "<CreateTime>1700000000</CreateTime>");
    }
}
