//! Shooting codes in hard frames: the kiosk's decoder (rqrr plus pre-processing steps, each
//! measured on its own) against zbar's `zbarimg`, on a corpus generated in code.
//!
//! zbarimg decodes every file in one process (`--xml` reports per file), so its time per image
//! includes loading the JPEG, as ours does, and its start-up only once.
//! Run: `cargo bench -p kiosk-e2e --bench qr_vs_zbar` (QR_PER_CLASS=N to change the size).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use kiosk_app::qr::{self, Filter, Scale, Step};
use kiosk_e2e::qr_corpus::{Difficulty, Sample, generate};

struct Score {
    found: HashMap<Difficulty, usize>,
    false_positives: usize,
    secs: f64,
}

fn score(samples: &[Sample], results: &HashMap<String, Vec<String>>, secs: f64) -> Score {
    let mut found = HashMap::new();
    let mut false_positives = 0;
    for s in samples {
        let got = results.get(&s.name).cloned().unwrap_or_default();
        match &s.payload {
            Some(p) if got.iter().any(|g| g == p) => *found.entry(s.difficulty).or_insert(0) += 1,
            _ => {}
        }
        false_positives += got
            .iter()
            .filter(|g| Some(*g) != s.payload.as_ref())
            .count();
    }
    Score {
        found,
        false_positives,
        secs,
    }
}

fn ours(samples: &[Sample], files: &[PathBuf], steps: &[Step]) -> Score {
    let started = Instant::now();
    let mut results = HashMap::new();
    for (s, f) in samples.iter().zip(files) {
        let bytes = std::fs::read(f).unwrap();
        results.insert(
            s.name.clone(),
            qr::decode_image_with(&bytes, steps).unwrap(),
        );
    }
    score(samples, &results, started.elapsed().as_secs_f64())
}

fn zbar(samples: &[Sample], files: &[PathBuf]) -> Option<Score> {
    let started = Instant::now();
    let out = std::process::Command::new("zbarimg")
        .args(["--xml", "-q"])
        .args(files)
        .output()
        .ok()?;
    let secs = started.elapsed().as_secs_f64();
    let xml = String::from_utf8_lossy(&out.stdout);
    let mut results: HashMap<String, Vec<String>> = HashMap::new();
    for source in xml.split("<source href='").skip(1) {
        let path = source.split('\'').next().unwrap_or_default();
        let name = Path::new(path)
            .file_stem()
            .unwrap()
            .to_string_lossy()
            .to_string();
        let codes = source
            .split("<![CDATA[")
            .skip(1)
            .map(|d| d.split("]]>").next().unwrap_or_default().to_owned())
            .collect();
        results.insert(name, codes);
    }
    Some(score(samples, &results, secs))
}

fn main() {
    let per_class: usize = std::env::var("QR_PER_CLASS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let samples = generate(per_class, 2026);
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<PathBuf> = samples
        .iter()
        .map(|s| {
            let f = dir.path().join(format!("{}.jpg", s.name));
            std::fs::write(&f, &s.jpeg).unwrap();
            f
        })
        .collect();
    let n = samples.len();
    println!("{} frames (1280×720 JPEG), {per_class} per class", n);

    // Each column adds one step to the one before; "kiosk" is what the kiosk runs.
    let mut variants: Vec<(String, Vec<Step>)> = Vec::new();
    for (i, step) in qr::STEPS.iter().enumerate() {
        let name = match step {
            (Scale::Full, Filter::None) if i == 0 => "rqrr".to_owned(),
            (scale, filter) => format!(
                "+{}{}",
                if *scale == Scale::Half { "½" } else { "" },
                format!("{filter:?}").to_lowercase()
            ),
        };
        variants.push((name, qr::STEPS[..=i].to_vec()));
    }
    variants.insert(0, ("rqrr".into(), vec![(Scale::Full, Filter::None)]));
    variants.last_mut().unwrap().0 = "kiosk".into();
    let mut columns: Vec<(String, Score)> = variants
        .iter()
        .map(|(name, steps)| (name.clone(), ours(&samples, &files, steps)))
        .collect();
    match zbar(&samples, &files) {
        Some(z) => columns.push(("zbarimg".into(), z)),
        None => println!("zbarimg not found: install zbar-tools to compare"),
    }

    print!("{:<13}", "class");
    for (name, _) in &columns {
        print!("{name:>10}");
    }
    println!();
    for d in Difficulty::ALL.iter().filter(|d| **d != Difficulty::NoCode) {
        print!("{:<13}", d.name());
        for (_, s) in &columns {
            print!(
                "{:>9}%",
                100 * s.found.get(d).copied().unwrap_or(0) / per_class
            );
        }
        println!();
    }
    let coded = n - per_class;
    print!("{:<13}", "all codes");
    for (_, s) in &columns {
        print!("{:>9}%", 100 * s.found.values().sum::<usize>() / coded);
    }
    println!();
    print!("{:<13}", "false pos.");
    for (_, s) in &columns {
        print!("{:>10}", s.false_positives);
    }
    println!();
    print!("{:<13}", "ms / frame");
    for (_, s) in &columns {
        print!("{:>10.1}", s.secs * 1000.0 / n as f64);
    }
    println!();
    if let (Some((_, k)), Some((_, z))) = (
        columns.iter().find(|c| c.0 == "kiosk"),
        columns.iter().find(|c| c.0 == "zbarimg"),
    ) {
        println!(
            "kiosk vs zbarimg: decodes {} vs {} of {coded} codes; {:.2}× zbar's time per frame",
            k.found.values().sum::<usize>(),
            z.found.values().sum::<usize>(),
            k.secs / z.secs
        );
    }
}
