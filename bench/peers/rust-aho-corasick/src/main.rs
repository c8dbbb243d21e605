//! A peer for `npm run bench`: Rust's aho-corasick on the same keywords and normalized listings as
//! the project's automaton, timed round by round on command so that the rounds interleave.
//!
//! Usage: `wildintel-bench-aho-corasick KEYWORDS TEXTS` (one keyword per line; one listing per
//! line: normalized text holds no line breaks). Prints `ready <build seconds> <kind> <heap bytes>`,
//! then answers on standard input: `round` → `round <wall seconds> <CPU seconds> <hits>` (every
//! overlapping occurrence in every listing; CPU time is this single-threaded process's time on a
//! core, from /proc/self/schedstat), `hits` → one `<listing> <pattern> <start> <end>` line per
//! occurrence (offsets in UTF-16 code units, as JavaScript counts them), then `end`.
use aho_corasick::AhoCorasick;
use std::io::{self, BufRead, BufWriter, Write};
use std::time::Instant;

fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    stat.split(' ').next().and_then(|ns| ns.parse::<f64>().ok()).unwrap_or(f64::NAN) / 1e9
}

fn utf16_offsets(text: &str) -> Vec<usize> {
    let mut offsets = vec![0; text.len() + 1];
    let mut units = 0;
    for (at, ch) in text.char_indices() {
        offsets[at] = units;
        units += ch.len_utf16();
    }
    offsets[text.len()] = units;
    offsets
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let keywords = std::fs::read_to_string(&args[1]).expect("keywords file");
    let texts = std::fs::read_to_string(&args[2]).expect("texts file");
    let patterns: Vec<&str> = keywords.lines().collect();
    let listings: Vec<&str> = texts.lines().collect();
    let started = Instant::now();
    let ac = AhoCorasick::new(&patterns).expect("automaton");
    let build = started.elapsed().as_secs_f64();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    writeln!(out, "ready {} {:?} {}", build, ac.kind(), ac.memory_usage()).unwrap();
    out.flush().unwrap();
    for command in io::stdin().lock().lines() {
        match command.unwrap().as_str() {
            "round" => {
                let started = Instant::now();
                let cpu = cpu_seconds();
                let mut hits: u64 = 0;
                for listing in &listings {
                    for _ in ac.find_overlapping_iter(listing) {
                        hits += 1;
                    }
                }
                writeln!(out, "round {} {} {}", started.elapsed().as_secs_f64(), cpu_seconds() - cpu, hits).unwrap();
            }
            "hits" => {
                for (i, listing) in listings.iter().enumerate() {
                    let offsets = utf16_offsets(listing);
                    for m in ac.find_overlapping_iter(listing) {
                        writeln!(out, "{} {} {} {}", i, m.pattern().as_usize(), offsets[m.start()], offsets[m.end()]).unwrap();
                    }
                }
                writeln!(out, "end").unwrap();
            }
            _ => break,
        }
        out.flush().unwrap();
    }
}
