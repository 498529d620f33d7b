//! Benchmark helper for `bench/render/run.sh`.
//!
//! `bench_wechat article` prints a deterministic ~20,000-character Chinese article in
//! Markdown (headings, lists, code, tables, links, quotes); `bench_wechat time FILE RUNS`
//! renders FILE to WeChat HTML RUNS times after a warm-up and prints the median, the
//! 90th percentile (both in ms) and the output size.

use fanloop_render::{Options, Target, render};
use std::time::Instant;

const WORDS: &[&str] = &[
    "新媒体",
    "运营",
    "内容",
    "选题",
    "用户",
    "增长",
    "数据",
    "复盘",
    "品牌",
    "渠道",
    "社群",
    "转化",
    "留存",
    "活动",
    "直播",
    "短视频",
    "公众号",
    "小红书",
    "微博",
    "抖音",
    "策略",
    "团队",
    "流程",
    "效率",
    "创意",
    "热点",
    "节日",
    "粉丝",
    "互动",
    "评论",
];
const JOINERS: &[&str] = &["，", "的", "和", "让", "需要", "通过", "提升", "关注", "。"];

/// A linear congruential generator: the article must be identical on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn sentence(rng: &mut Lcg, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        s.push_str(WORDS[rng.next(WORDS.len())]);
        if i + 1 < words {
            s.push_str(JOINERS[rng.next(JOINERS.len() - 1)]);
        }
    }
    s.push('。');
    s
}

fn article() -> String {
    let mut rng = Lcg(2026);
    let mut md = String::from("# 新媒体运营全流程实践指南\n\n");
    let mut section = 0;
    while md.chars().count() < 20_000 {
        section += 1;
        md.push_str(&format!(
            "## 第{section}部分：{}\n\n",
            sentence(&mut rng, 2)
        ));
        for p in 0..3 {
            md.push_str(&sentence(&mut rng, 12));
            md.push_str(&format!(
                "**{}**，参考[案例{section}-{p}](https://example.com/case/{section}/{p})与\
                 [往期文章](https://mp.weixin.qq.com/s/{section}{p})，使用 `metric_{p}` 统计。",
                sentence(&mut rng, 3)
            ));
            md.push_str(&sentence(&mut rng, 10));
            md.push_str("\n\n");
        }
        md.push_str("### 要点\n\n");
        for _ in 0..4 {
            md.push_str(&format!("- {}\n", sentence(&mut rng, 5)));
        }
        md.push_str(&format!(
            "\n1. {}\n2. {}\n\n",
            sentence(&mut rng, 4),
            sentence(&mut rng, 4)
        ));
        md.push_str(&format!(
            "> {}\n> {}\n\n",
            sentence(&mut rng, 8),
            sentence(&mut rng, 6)
        ));
        match section % 3 {
            0 => md.push_str(
                "```rust\n// 统计每个渠道的转化率\nfn rate(clicks: u64, views: u64) -> f64 {\n    if views == 0 { return 0.0; }\n    clicks as f64 / views as f64\n}\n```\n\n",
            ),
            1 => md.push_str(
                "```javascript\n// 计算发布时间\nconst hours = [17, 18, 20];\nfunction best(data) {\n  return data.filter(d => hours.includes(d.hour)).length;\n}\n```\n\n",
            ),
            _ => md.push_str(
                "```python\n# 汇总互动数据\ndef total(rows):\n    return sum(r[\"likes\"] + r[\"shares\"] for r in rows)\n```\n\n",
            ),
        }
        if section % 2 == 0 {
            md.push_str("| 渠道 | 阅读量 | 转化率 |\n|:--|--:|:-:|\n");
            for r in 0..4 {
                md.push_str(&format!(
                    "| {} | {} | {}.{}% |\n",
                    WORDS[rng.next(WORDS.len())],
                    1000 + rng.next(90_000),
                    r + 1,
                    rng.next(10)
                ));
            }
            md.push('\n');
        }
    }
    md
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["article"] => {
            print!("{}", article());
            std::process::ExitCode::SUCCESS
        }
        ["time", file, runs] => {
            let Ok(markdown) = std::fs::read_to_string(file) else {
                eprintln!("cannot read {file}");
                return std::process::ExitCode::from(2);
            };
            let runs: usize = runs.parse().unwrap_or(500);
            let options = Options::default();
            let mut size = 0;
            for _ in 0..runs / 10 + 5 {
                size = render(&markdown, Target::Wechat, &options)
                    .body
                    .as_str()
                    .len();
            }
            let mut times: Vec<f64> = (0..runs)
                .map(|_| {
                    let start = Instant::now();
                    let r = render(&markdown, Target::Wechat, &options);
                    let ms = start.elapsed().as_secs_f64() * 1000.0;
                    std::hint::black_box(r);
                    ms
                })
                .collect();
            times.sort_by(f64::total_cmp);
            let median = times[times.len() / 2];
            let p90 = times[times.len() * 9 / 10];
            println!("{median:.3} {p90:.3} {size}");
            std::process::ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: bench_wechat article | bench_wechat time FILE RUNS");
            std::process::ExitCode::from(2)
        }
    }
}
