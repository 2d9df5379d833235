//! The fuzzing harness: every target in `tests/fuzz.rs` goes through [`fuzz`].
//!
//! A target is a check that must not panic (and may assert more) on any bytes. [`fuzz`] runs
//! it on
//!
//! 1. every file of its committed seed corpus, `fuzz/corpus/<target>/` (valid inputs, and every
//!    input that ever made a target fail: a crash found becomes a file there, so a regression
//!    test), and the seeds the target makes in code (images, frames with a valid CRC);
//! 2. then, under bolero, on generated inputs, each used twice: as it is, and as a list of
//!    mutations applied to one of the seeds (insert, delete, overwrite, flip a bit, repeat a
//!    run, splice a token such as `"`, `-1` or a UTF-8 fragment). Random bytes alone rarely get
//!    past a parser's first byte; mutated seeds reach the code behind it.
//!
//! Under `cargo test` bolero's engine is random, not coverage-guided, and runs for
//! `BOLERO_RANDOM_TEST_TIME_MS` per target (1 s by default; `scripts/test.sh` sets the CI
//! bound). With a nightly toolchain `cargo bolero test --engine libfuzzer` runs the same
//! targets coverage-guided. Each run prints how many inputs the target saw.

use std::panic::RefUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Tokens a mutation may splice in: the characters and numbers parsers trip on.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"=",
    b"\n",
    b"\\u0000",
    b"\\",
    b"null",
    b"true",
    b"-1",
    b"0",
    b"255",
    b"256",
    b"65535",
    b"65536",
    b"4294967296",
    b"18446744073709551616",
    b"1e999",
    b"NaN",
    b"\xff",
    b"\xe5\xbc",
    "张".as_bytes(),
    b"\x00",
    b"[[",
    b"]]",
];

/// Longest input a mutation may grow to.
const MAX_INPUT: usize = 1 << 16;

/// The seed corpus committed for `target`: every file in `fuzz/corpus/<target>/`, sorted by
/// name (none if there is no such directory).
pub fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    // A target whose seeds are all made in code (images) has no directory until a failing
    // input is kept there.
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|entry| entry.expect("a corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).expect("a corpus file");
            (p.display().to_string(), bytes)
        })
        .collect()
}

/// Apply `ops` to one of `seeds`: the first byte picks the seed, then every 4 bytes are one
/// mutation (kind, position high and low byte, argument).
pub fn mutate(seeds: &[Vec<u8>], ops: &[u8]) -> Vec<u8> {
    let Some((&pick, ops)) = ops.split_first() else {
        return seeds.first().cloned().unwrap_or_default();
    };
    let mut out = match seeds.len() {
        0 => Vec::new(),
        n => seeds[usize::from(pick) % n].clone(),
    };
    for op in ops.chunks_exact(4) {
        let at = ((usize::from(op[1]) << 8) | usize::from(op[2])) % (out.len() + 1);
        let arg = op[3];
        match op[0] % 6 {
            0 => out.insert(at, arg),
            1 if at < out.len() => {
                let end = (at + 1 + usize::from(arg % 8)).min(out.len());
                out.drain(at..end);
            }
            2 if at < out.len() => out[at] = arg,
            3 if at < out.len() => out[at] ^= 1 << (arg % 8),
            4 => {
                let end = (at + usize::from(arg % 32)).min(out.len());
                let run = out[at..end].to_vec();
                out.splice(at..at, run);
            }
            5 => {
                let token = TOKENS[usize::from(arg) % TOKENS.len()];
                out.splice(at..at, token.iter().copied());
            }
            _ => {}
        }
        out.truncate(MAX_INPUT);
    }
    out
}

/// Run `check` on the committed corpus of `target`, the `generated` seeds, and then bolero's
/// inputs; prints how many. A panic in `check` fails the test, naming the input
/// (bolero shrinks it and prints `BOLERO_RANDOM_SEED` to replay it).
pub fn fuzz(target: &str, generated: Vec<Vec<u8>>, check: impl Fn(&[u8]) + RefUnwindSafe) {
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for (name, bytes) in corpus(target) {
        if let Err(panic) = std::panic::catch_unwind(|| check(&bytes)) {
            eprintln!("fuzz {target}: the corpus file {name} fails");
            std::panic::resume_unwind(panic);
        }
        seeds.push(bytes);
    }
    for bytes in generated {
        check(&bytes);
        seeds.push(bytes);
    }
    assert!(!seeds.is_empty(), "fuzz {target}: no seeds");
    let runs = AtomicU64::new(0);
    // `check!` returns early under some engines, so it runs in a closure of its own.
    let run_generated = || {
        bolero::check!().for_each(|input: &[u8]| {
            runs.fetch_add(1, Ordering::Relaxed);
            check(input);
            check(&mutate(&seeds, input));
        });
    };
    run_generated();
    let generated = runs.load(Ordering::Relaxed);
    eprintln!(
        "fuzz {target}: {} seeds, {generated} generated inputs ({} executions), no failure",
        seeds.len(),
        seeds.len() as u64 + 2 * generated
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_stay_bounded_and_start_from_a_seed() {
        let seeds = vec![b"abc".to_vec(), b"{\"a\":1}".to_vec()];
        assert_eq!(mutate(&seeds, &[]), b"abc");
        assert_eq!(mutate(&seeds, &[1]), b"{\"a\":1}");
        // Overwrite byte 0 of seed 0 with 'x'.
        assert_eq!(mutate(&seeds, &[0, 2, 0, 0, b'x']), b"xbc");
        // Splice a token at the end.
        let spliced = mutate(&seeds, &[0, 5, 0, 3, 0]);
        assert_eq!(spliced, b"abc\"");
        // Growing runs cannot exceed the bound.
        let mut ops = vec![0];
        for _ in 0..10_000 {
            ops.extend_from_slice(&[4, 0, 0, 31]);
        }
        assert!(mutate(&[vec![7; 1000]], &ops).len() <= MAX_INPUT);
    }
}
