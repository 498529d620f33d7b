//! The lint benchmark's Rust side (driven by `bench/lint/run.sh`).
//!
//! `lint_bench generate DIR` writes `DIR/dict.txt` (50,000 distinct terms of 2–4 Han
//! characters) and `DIR/corpus.txt` (about 10 MB of Chinese lines with dictionary terms
//! sown in), both from a fixed seed, so every run measures the same input.
//! `lint_bench measure DIR RUNS` builds a linter from the list (plus the built-in
//! dictionaries), reports build time and memory, then lints the corpus RUNS times on
//! one thread and reports the best throughput.

use fanloop_domain::Locale;
use fanloop_text::{Linter, Post, WordList};
use std::collections::HashSet;
use std::time::Instant;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % u64::from(n)) as u32
    }

    /// A Han character from the first 6,000 of the CJK block.
    fn han(&mut self) -> char {
        char::from_u32(0x4E00 + self.below(6000)).unwrap_or('中')
    }
}

const TERMS: usize = 50_000;
const CORPUS_BYTES: usize = 10 * 1024 * 1024;

fn generate(dir: &str) -> std::io::Result<()> {
    let mut rng = Rng(0x00fa_1100_b00c_0de5);
    let mut seen = HashSet::new();
    let mut terms = Vec::with_capacity(TERMS);
    while terms.len() < TERMS {
        let len = 2 + rng.below(3);
        let term: String = (0..len).map(|_| rng.han()).collect();
        if seen.insert(term.clone()) {
            terms.push(term);
        }
    }
    std::fs::write(format!("{dir}/dict.txt"), terms.join("\n") + "\n")?;

    let mut corpus = String::with_capacity(CORPUS_BYTES + 1024);
    while corpus.len() < CORPUS_BYTES {
        // A line of 20–120 characters with punctuation, and now and then a term.
        for _ in 0..20 + rng.below(100) {
            match rng.below(400) {
                0 => corpus.push_str(&terms[rng.below(TERMS as u32) as usize]),
                1..=12 => corpus.push('，'),
                13..=16 => corpus.push('。'),
                17..=20 => corpus.push(' '),
                _ => corpus.push(rng.han()),
            }
        }
        corpus.push('\n');
    }
    std::fs::write(format!("{dir}/corpus.txt"), corpus)
}

/// Resident memory in kB, where the system reports it (Linux); 0 elsewhere.
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time of this thread in seconds, where the system reports it (Linux), so a busy
/// machine's other work does not count against the figure; `None` elsewhere.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: f64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(nanos / 1e9)
}

fn measure(dir: &str, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let dict = std::fs::read_to_string(format!("{dir}/dict.txt"))?;
    let corpus = std::fs::read_to_string(format!("{dir}/corpus.txt"))?;
    // What every start-up pays: the built-in dictionaries alone.
    let started = Instant::now();
    let builtin = Linter::builder().build()?;
    println!(
        "fanloop-text builtin patterns={} build_ms={:.2} heap_kb={:.0}",
        builtin.patterns(),
        started.elapsed().as_secs_f64() * 1e3,
        builtin.memory_usage() as f64 / 1e3
    );
    let before = rss_kb();
    let started = Instant::now();
    let linter = Linter::builder().words(WordList::parse(&dict)?).build()?;
    let build = started.elapsed();
    let grown = rss_kb().saturating_sub(before);
    println!(
        "fanloop-text build patterns={} build_ms={:.1} heap_mb={:.1} rss_growth_mb={:.1}",
        linter.patterns(),
        build.as_secs_f64() * 1e3,
        linter.memory_usage() as f64 / 1e6,
        grown as f64 / 1024.0
    );
    let post = Post::plain(&corpus);
    let (mut best, mut best_cpu, mut found) = (f64::MAX, f64::MAX, 0);
    for _ in 0..runs.max(1) {
        let (started, cpu) = (Instant::now(), cpu_seconds());
        let findings = linter.lint(&post, None, Locale::ZhCn);
        best = best.min(started.elapsed().as_secs_f64());
        if let (Some(before), Some(after)) = (cpu, cpu_seconds()) {
            best_cpu = best_cpu.min(after - before);
        }
        found = findings.len();
    }
    let mb = corpus.len() as f64 / 1e6;
    println!(
        "fanloop-text lint bytes={} findings={found} best_s={best:.3} mb_per_s={:.2} cpu_mb_per_s={:.2}",
        corpus.len(),
        mb / best,
        mb / best_cpu
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [_, "generate", dir] => Ok(generate(dir)?),
        [_, "measure", dir, runs] => measure(dir, runs.parse()?),
        _ => Err("usage: lint_bench generate DIR | lint_bench measure DIR RUNS".into()),
    }
}
