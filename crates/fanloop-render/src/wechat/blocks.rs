//! The two WeChat blocks with structure of their own: highlighted code and tables.

use super::theme::el;
use super::{Html, escape_into};
use crate::doc::{Align, Kind, Node};
use crate::highlight::{Class, runs};

impl Html<'_> {
    pub(super) fn code_block(&mut self, lang: &str, code: &str) {
        self.open("pre", el::PRE);
        self.out.push_str("<code>");
        let code = code.strip_suffix('\n').unwrap_or(code);
        for (class, run) in runs(lang, code) {
            let element = match class {
                Class::Plain => None,
                Class::Keyword => Some(el::HL_KEYWORD),
                Class::String => Some(el::HL_STRING),
                Class::Comment => Some(el::HL_COMMENT),
                Class::Number => Some(el::HL_NUMBER),
                Class::Type => Some(el::HL_TYPE),
            };
            if let Some(e) = element {
                self.open("span", e);
            }
            // WeChat's editor collapses newlines inside <pre>; <br> survives.
            for (i, line) in run.split('\n').enumerate() {
                if i > 0 {
                    self.out.push_str("<br>");
                }
                self.text(line);
            }
            if element.is_some() {
                self.close("span");
            }
        }
        self.out.push_str("</code>");
        self.close("pre");
    }

    pub(super) fn table(&mut self, aligns: &[Align], rows: &[Node]) {
        self.out
            .push_str("<section style=\"overflow-x:auto;max-width:100%;\">");
        self.open("table", el::TABLE);
        for (r, row) in rows.iter().enumerate() {
            let Node::Container(_, cells) = row else {
                continue;
            };
            let head = r == 0 && matches!(row, Node::Container(Kind::TableHead, _));
            self.out.push_str(if head { "<thead><tr>" } else { "<tr>" });
            for (c, cell) in cells.iter().enumerate() {
                let (tag, element) = if head { ("th", el::TH) } else { ("td", el::TD) };
                let align = match aligns.get(c) {
                    Some(Align::Left) => "text-align:left;",
                    Some(Align::Center) => "text-align:center;",
                    Some(Align::Right) => "text-align:right;",
                    _ => "",
                };
                self.out.push('<');
                self.out.push_str(tag);
                self.out.push_str(" style=\"");
                escape_into(&mut self.out, self.theme.style(element));
                self.out.push_str(align);
                self.out.push_str("\">");
                if let Node::Container(_, inner) = cell {
                    self.nodes(inner);
                }
                self.close(tag);
            }
            self.out
                .push_str(if head { "</tr></thead>" } else { "</tr>" });
        }
        self.close("table");
        self.out.push_str("</section>");
    }
}
