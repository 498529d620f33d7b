//! A small code highlighter: splits code into keyword, string, comment, number, type
//! and plain runs for the languages articles usually show. It is a lexer, not a parser:
//! good enough for colouring, and linear in the input so a hostile code block costs
//! nothing special. Unknown languages come back as one plain run.

/// What a run of code is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Plain,
    Keyword,
    String,
    Comment,
    Number,
    Type,
}

mod langs;

use langs::{Lang, lang};

/// Splits `code` into classified runs that concatenate back to `code`.
pub fn runs<'a>(language: &str, code: &'a str) -> Vec<(Class, &'a str)> {
    let Some(lang) = lang(language) else {
        return vec![(Class::Plain, code)];
    };
    let mut out: Vec<(Class, &'a str)> = Vec::new();
    let push = |class: Class, s: &'a str, out: &mut Vec<(Class, &'a str)>| {
        if class == Class::Plain
            && let Some((Class::Plain, last)) = out.last_mut()
        {
            // Extend the previous plain run; both slices are adjacent in `code`.
            let start = last.as_ptr() as usize - code.as_ptr() as usize;
            *last = &code[start..start + last.len() + s.len()];
            return;
        }
        out.push((class, s));
    };
    let mut i = 0;
    while i < code.len() {
        let rest = &code[i..];
        let (class, len) = if let Some(n) = comment_len(lang, rest) {
            (Class::Comment, n)
        } else if let Some(n) = string_len(lang, rest) {
            (Class::String, n)
        } else {
            let c = rest.chars().next().unwrap_or(' ');
            if c.is_ascii_digit() {
                let n = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                    .unwrap_or(rest.len());
                (Class::Number, n)
            } else if c.is_alphabetic() || c == '_' || c == '$' {
                let n = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                    .unwrap_or(rest.len());
                (word_class(lang, &rest[..n]), n)
            } else {
                (Class::Plain, c.len_utf8())
            }
        };
        push(class, &rest[..len], &mut out);
        i += len;
    }
    out
}

fn word_class(lang: &Lang, word: &str) -> Class {
    let keyword = if lang.ignore_case {
        lang.keywords.iter().any(|k| k.eq_ignore_ascii_case(word))
    } else {
        lang.keywords.contains(&word)
    };
    if keyword {
        Class::Keyword
    } else if lang.caps_are_types && word.starts_with(|c: char| c.is_ascii_uppercase()) {
        Class::Type
    } else {
        Class::Plain
    }
}

fn comment_len(lang: &Lang, rest: &str) -> Option<usize> {
    if lang.line_comments.iter().any(|m| rest.starts_with(m)) {
        return Some(rest.find('\n').unwrap_or(rest.len()));
    }
    let (open, close) = lang.block_comment?;
    let body = rest.strip_prefix(open)?;
    Some(open.len() + body.find(close).map_or(body.len(), |e| e + close.len()))
}

/// A string literal up to its closing quote (backslash escapes honoured) or the end of
/// the line, so an unbalanced quote colours one line, not the rest of the block.
fn string_len(lang: &Lang, rest: &str) -> Option<usize> {
    let quote = rest.chars().next().filter(|c| lang.quotes.contains(c))?;
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '\n' if quote != '`' => return Some(i),
            c if c == quote => return Some(i + c.len_utf8()),
            _ => {}
        }
    }
    Some(rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(lang: &str, code: &str) -> String {
        runs(lang, code)
            .into_iter()
            .map(|(class, s)| match class {
                Class::Plain => s.to_string(),
                other => format!("[{other:?} {s}]"),
            })
            .collect()
    }

    #[test]
    fn classifies_common_languages() {
        let cases = [
            (
                "rust",
                "fn main() { let s = \"hi\\\"\"; } // done",
                "[Keyword fn] main() { [Keyword let] s = [String \"hi\\\"\"]; } [Comment // done]",
            ),
            (
                "py",
                "def f(x): return 42 # no",
                "[Keyword def] f(x): [Keyword return] [Number 42] [Comment # no]",
            ),
            (
                "sql",
                "SELECT a FROM t -- c",
                "[Keyword SELECT] a [Keyword FROM] t [Comment -- c]",
            ),
            (
                "ts",
                "const v: Map = 'x",
                "[Keyword const] v: [Type Map] = [String 'x]",
            ),
            ("brainfuck", "+[-]", "+[-]"),
            ("go", "/* open", "[Comment /* open]"),
        ];
        for (lang, code, expected) in cases {
            assert_eq!(show(lang, code), expected, "{lang}");
        }
    }

    #[test]
    fn runs_concatenate_back_to_the_input() {
        let code = "let 名字 = \"值\"; /* 注释 */ x += 1.5e3;\n'a' `b` $c";
        for lang in ["rust", "js", "python", "sql", "sh", "json", "css", "none"] {
            let joined: String = runs(lang, code).into_iter().map(|(_, s)| s).collect();
            assert_eq!(joined, code, "{lang}");
        }
    }
}
