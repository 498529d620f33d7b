//! `fanloop lint`: checks a Markdown post against the compliance dictionaries and,
//! given a platform, that platform's limits. The file's first `# heading` line is the
//! post's title; everything after it is the body.
//!
//! Exit status: 0 when no finding is an error, 1 when one is, 2 for a usage or input
//! error (unreadable file, invalid UTF-8, unknown platform, malformed word list).

use anyhow::Context;
use fanloop_domain::{Locale, Platform};
use fanloop_text::{Finding, Linter, Pack, Post, Severity, WordList};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Markdown file to check, or `-` for standard input. A first `# heading` line
    /// is the title.
    file: PathBuf,
    /// Also check this platform's rules (lengths, hashtags, cover, images, links).
    #[arg(long)]
    platform: Option<String>,
    /// A workspace word list: one banned term per line, `term => replacement` for a
    /// preferred word, `#` for comments. Repeatable.
    #[arg(long = "words", value_name = "LIST")]
    words: Vec<PathBuf>,
    /// Switch on an industry pack: cosmetics, food or health. Repeatable.
    #[arg(long = "pack", value_name = "PACK")]
    packs: Vec<String>,
    /// The post has a cover image (platforms that require one are not warned).
    #[arg(long)]
    has_cover: bool,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Language of messages and suggestions: zh-CN or en.
    #[arg(long, default_value = "zh-CN")]
    lang: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let lang = Locale::parse(&args.lang)
        .map_err(|_| anyhow::anyhow!("unknown language `{}`; use zh-CN or en", args.lang))?;
    let platform = match &args.platform {
        None => None,
        Some(raw) => Some(Platform::parse(raw).map_err(|_| {
            let valid: Vec<&str> = Platform::ALL.iter().map(|p| p.code()).collect();
            anyhow::anyhow!(
                "unknown platform `{raw}`; valid platforms: {}",
                valid.join(", ")
            )
        })?),
    };
    let mut builder = Linter::builder();
    for raw in &args.packs {
        let pack = Pack::parse(raw).with_context(|| {
            let valid: Vec<&str> = Pack::ALL.iter().map(|p| p.code()).collect();
            format!("unknown pack `{raw}`; valid packs: {}", valid.join(", "))
        })?;
        builder = builder.pack(pack);
    }
    for path in &args.words {
        let text = read_text(path)?;
        let list = WordList::parse(&text)
            .with_context(|| format!("reading the word list {}", path.display()))?;
        builder = builder.words(list);
    }
    let linter = builder.build().context("building the linter")?;

    let source = read_text(&args.file)?;
    let mut post = Post::markdown(&source);
    post.has_cover = args.has_cover;
    let findings = linter.lint(&post, platform, lang);

    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer(&mut out, &serde_json::json!({ "findings": findings }))?;
            writeln!(out)?;
        }
        Format::Text => print_text(&mut out, &args.file, &source, &findings, lang)?,
    }
    out.flush()?;
    let failed = findings.iter().any(|f| f.severity == Severity::Error);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads a file (or stdin for `-`) and insists on UTF-8, naming the first bad byte.
fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("reading {}", path.display()))?
    };
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        anyhow::anyhow!(
            "{} is not valid UTF-8: invalid byte at offset {offset}; save it as UTF-8 and try again",
            path.display()
        )
    })
}

fn print_text(
    out: &mut impl Write,
    file: &Path,
    source: &str,
    findings: &[Finding],
    lang: Locale,
) -> std::io::Result<()> {
    let lines: Vec<&str> = source.split('\n').collect();
    let (suggest, label) = match lang {
        Locale::ZhCn => ("建议", ["错误", "警告", "提示"]),
        Locale::En => ("suggestion", ["error", "warning", "note"]),
    };
    for f in findings {
        let severity = match f.severity {
            Severity::Error => label[0],
            Severity::Warning => label[1],
            Severity::Info => label[2],
        };
        writeln!(
            out,
            "{}:{}:{}: {severity} [{}/{}] {}",
            file.display(),
            f.line,
            f.column,
            f.rule,
            f.category,
            f.message
        )?;
        if f.end > f.start {
            let line = lines
                .get(f.line - 1)
                .copied()
                .unwrap_or_default()
                .trim_end_matches('\r');
            writeln!(out, "    | {}", excerpt(line, f.column - 1))?;
        }
        writeln!(out, "    = {suggest}: {}", f.suggestion)?;
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let summary = fanloop_text::summary(
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
        lang,
    );
    writeln!(out, "{summary}")
}

/// Up to 20 characters either side of the column, with `…` where the line was cut.
fn excerpt(line: &str, column: usize) -> String {
    const SIDE: usize = 20;
    let chars: Vec<char> = line.chars().collect();
    let from = column.saturating_sub(SIDE).min(chars.len());
    let to = (column + SIDE).min(chars.len());
    let mut text: String = chars[from..to].iter().collect();
    if from > 0 {
        text.insert(0, '…');
    }
    if to < chars.len() {
        text.push('…');
    }
    text
}
