//! `fanloop render`: typeset a Markdown file for one platform and print it, with the
//! length report (on stderr for text and HTML output, inside the JSON otherwise).

use anyhow::{Context, bail};
use clap::ValueEnum;
use fanloop_render::{Body, Options, Rendered, Target, Theme, markdown_from_bytes};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 rendered within the platform's limits; 1 rendered, \
but something exceeds a limit (nothing is cut: see the report); 2 usage or input error."
)]
pub struct Args {
    /// The Markdown file, or `-` for standard input.
    file: PathBuf,
    /// Target: wechat, xiaohongshu, weibo, douyin, toutiao, zhihu, bilibili, bluesky,
    /// mastodon, telegram, x or plain (platform codes such as wechat_oa work too).
    #[arg(long)]
    platform: String,
    /// WeChat theme: default, elegant or tech.
    #[arg(long)]
    theme: Option<String>,
    /// A custom theme (CSS subset: `h2 { color: #c00 }`) layered over --theme.
    #[arg(long, value_name = "CSS")]
    theme_file: Option<PathBuf>,
    /// Hashtag to add (repeatable), after any written inline.
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Output format; by default html for wechat and telegram, json for bluesky, text
    /// otherwise.
    #[arg(long, value_enum)]
    format: Option<OutputFormat>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Text,
    Json,
    Html,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(target) = Target::parse(&args.platform) else {
        bail!(
            "unknown platform {:?}; valid platforms: {}",
            args.platform,
            Target::names()
        );
    };
    let mut theme = Theme::named(args.theme.as_deref().unwrap_or("default"))?;
    if let Some(path) = &args.theme_file {
        let css = std::fs::read_to_string(path)
            .with_context(|| format!("reading the theme file {}", path.display()))?;
        theme = theme
            .with_css(&css)
            .with_context(|| format!("in the theme file {}", path.display()))?;
    }
    let bytes = read_input(&args.file)?;
    let markdown =
        markdown_from_bytes(&bytes).with_context(|| format!("reading {}", args.file.display()))?;

    let options = Options {
        title: None,
        tags: args.tags,
        theme,
    };
    let rendered = fanloop_render::render(markdown, target, &options);
    let format = args.format.unwrap_or(match rendered.body {
        Body::Html(_) => OutputFormat::Html,
        Body::Bluesky(_) => OutputFormat::Json,
        Body::Text(_) => OutputFormat::Text,
    });

    let mut stdout = std::io::stdout().lock();
    match format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut stdout, &rendered)?;
            writeln!(stdout)?;
        }
        OutputFormat::Html => {
            let Body::Html(html) = &rendered.body else {
                bail!(
                    "--format html is for wechat and telegram; {} renders {}",
                    target,
                    if matches!(rendered.body, Body::Bluesky(_)) {
                        "json"
                    } else {
                        "text"
                    }
                );
            };
            writeln!(stdout, "{html}")?;
            print_report(&rendered);
        }
        OutputFormat::Text => {
            if let Some(title) = &rendered.title {
                writeln!(stdout, "{title}\n")?;
            }
            writeln!(stdout, "{}", rendered.body.as_str())?;
            print_report(&rendered);
        }
    }
    stdout.flush()?;
    Ok(if rendered.report.over_limit() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_input(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
    } else {
        bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    }
    Ok(bytes)
}

/// The report, for people, on stderr so stdout stays the post itself.
fn print_report(r: &Rendered) {
    let report = &r.report;
    let mut lines = Vec::new();
    let limit = |over: bool, count: usize, limit: Option<usize>| match limit {
        Some(l) if over => format!("{count}/{l} — OVER by {} (nothing was cut)", count - l),
        Some(l) => format!("{count}/{l}"),
        None => format!("{count} (no limit)"),
    };
    let body = &report.body;
    let mut line = format!(
        "{} body: {} counted as {}",
        r.target,
        limit(body.over, body.count, body.limit),
        body.counting
    );
    if let (Some(fold), Some(at)) = (body.fold_at, body.fold_byte) {
        let text = r.body.as_str();
        let before: String = text
            .get(..at)
            .unwrap_or("")
            .chars()
            .rev()
            .take(12)
            .collect();
        let before: String = before.chars().rev().collect();
        line.push_str(&format!(
            "; feeds fold after {fold}, at \"…{}\"",
            before.replace('\n', " ")
        ));
    }
    lines.push(line);
    if let Some(t) = &report.title {
        lines.push(format!("title: {}", limit(t.over, t.count, t.limit)));
    }
    if report.hashtags.count > 0 || report.hashtags.over {
        let h = report.hashtags;
        lines.push(format!("hashtags: {}", limit(h.over, h.count, h.max)));
    }
    if !r.images.is_empty() {
        let i = report.images;
        lines.push(format!("images: {}", limit(i.over, i.count, i.max)));
        for img in &r.images {
            let crops: Vec<String> = img
                .crops
                .iter()
                .map(|c| fanloop_render::ratio_name(c.0, c.1))
                .collect();
            let crops = if crops.is_empty() {
                "any".into()
            } else {
                crops.join(" + ")
            };
            lines.push(format!(
                "  {}. {:?} {} — crop {crops}",
                img.index, img.role, img.url
            ));
        }
    }
    for note in &report.notes {
        lines.push(format!("note: {note}"));
    }
    let mut stderr = std::io::stderr().lock();
    for l in lines {
        // A closed stderr is not worth failing the rendering for.
        let _ = writeln!(stderr, "{l}");
    }
}
