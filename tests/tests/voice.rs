//! Voice guidance against real prompts: `kiosk voice build`'s espeak-ng WAVs, and a whole
//! session on a kiosk that records each cue to a WAV file instead of playing it.

use std::path::Path;
use std::time::Duration;

use kiosk_app::graduate::{Graduate, Pace};
use kiosk_app::voice::{self, PROMPTS, RATE};
use kiosk_core::model::{Intent, Lang, Screen, ShootStage};
use kiosk_e2e::{Kiosk, fast_config, to_chair};

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len().max(1) as f32).sqrt()
}

/// Every prompt, built into `dir`.
fn build(dir: &Path) {
    let n = voice::build(dir).expect("kiosk voice build (espeak-ng from scripts/install-deps.sh)");
    assert_eq!(n, 2 * PROMPTS.len());
}

#[test]
fn every_prompt_is_spoken_in_both_languages_at_a_length_that_fits_its_text() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let (prompts, problems) = voice::Prompts::load(dir.path());
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(prompts.len(), 2 * PROMPTS.len());
    for p in PROMPTS {
        for (lang, text) in [("zh", p.zh), ("en", p.en)] {
            let path = dir.path().join(format!("{}.{lang}.wav", p.key));
            let samples = voice::read_wav(&path).unwrap();
            let secs = samples.len() as f32 / RATE as f32;
            // At 150 words a minute a Chinese character takes about 0.2 s, an English word 0.4 s;
            // a prompt far shorter than its text was not spoken (an error message read out, or
            // the tone digits of the wrong voice are longer).
            let units = if lang == "zh" {
                text.chars()
                    .filter(|c| !c.is_ascii_punctuation() && *c > '\u{2fff}')
                    .count()
            } else {
                text.split_whitespace().count()
            } as f32;
            let per_unit = secs / units;
            assert!(
                (0.1..0.8).contains(&per_unit),
                "{}.{lang}: {secs:.2} s for {units} units ({per_unit:.2} s each): {text}",
                p.key
            );
            assert!(rms(&samples) > 0.02, "{}.{lang} is nearly silent", p.key);
        }
    }
}

#[test]
fn a_stale_prompt_dir_is_reported_and_the_rest_still_loads() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    std::fs::remove_file(dir.path().join("rules.en.wav")).unwrap();
    std::fs::write(dir.path().join("chair.zh.wav"), b"RIFF\0\0\0\0WAVEjunk").unwrap();
    let (prompts, problems) = voice::Prompts::load(dir.path());
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().any(|p| p.starts_with("rules.en:")));
    assert!(problems.iter().any(|p| p.starts_with("chair.zh:")));
    assert_eq!(prompts.len(), 2 * PROMPTS.len() - 2);
}

/// Wait (at most 20 s) until the voice has played `name`; returns everything played so far.
async fn until_played(k: &Kiosk, name: &str) -> Vec<String> {
    let log = k.voice.as_ref().expect("voice on").played.clone();
    let mut played = log.clone();
    match tokio::time::timeout(
        Duration::from_secs(20),
        played.wait_for(|p| p.iter().any(|n| n == name)),
    )
    .await
    {
        Ok(Ok(p)) => p.clone(),
        _ => panic!("{name} never played; played {:?}", *log.borrow()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_step_of_a_session_speaks_its_prompt_and_the_countdown_beeps() {
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("prompts");
    build(&prompts);
    let rec = dir.path().join("rec");
    let mut cfg = fast_config(dir.path());
    cfg.voice.enabled = true;
    cfg.voice.dir = prompts.clone();
    cfg.voice.record_dir = Some(rec.clone());
    cfg.voice.volume = 0.5;
    cfg.flow.countdown_secs = 2;
    let k = Kiosk::start(cfg, &dir.path().join("journal.sqlite3"));
    // Step by step, each touch after the step's prompt was handed to the output: touches
    // quicker than the screens are drawn skip screens, and a skipped screen says nothing.
    k.until("attract", |m| m.screen == Screen::Attract).await;
    for (touch, then) in [
        (Intent::Start, "photo-type.zh"),
        (Intent::ChooseGraduatePhoto, "prepare.zh"),
        (Intent::PrepareShoot, "scan.zh"),
    ] {
        k.touch(touch);
        until_played(&k, then).await;
    }
    let graduate = Graduate::new(&k.sims, Pace::Immediate);
    graduate.show_code();
    until_played(&k, "confirm.zh").await;
    graduate.put_code_away();
    for (touch, then) in [
        (Intent::ConfirmIdentity, "lighting.zh"),
        (Intent::ChooseGlasses(false), "rules.zh"),
        (Intent::AcceptRules, "chair.zh"),
        (Intent::SetLanguage(Lang::En), "chair.en"),
        (Intent::ChairReady, "shoot-ready.en"),
        (Intent::TakePhoto, "shoot-preview.en"),
        (Intent::UsePhoto, "done.en"),
    ] {
        k.touch(touch);
        until_played(&k, then).await;
    }
    let played = until_played(&k, "done.en").await;
    k.stop().await;

    // In order, each once: the steps in Chinese, the chair again in English when the graduate
    // switched, "glasses off" (they chose no glasses) before the ready prompt, a beep per
    // second of the countdown, the shutter, then the preview, review, pay and done prompts.
    let expected = [
        "photo-type.zh",
        "prepare.zh",
        "scan.zh",
        "confirm.zh",
        "lighting.zh",
        "rules.zh",
        "chair.zh",
        "chair.en",
        "glasses-off.en",
        "shoot-ready.en",
        "beep",
        "beep",
        "shutter",
        "shoot-preview.en",
        "review.en",
        "pay.en",
        "done.en",
    ];
    let mut at = 0;
    for name in expected {
        let Some(i) = played[at..].iter().position(|p| p == name) else {
            panic!(
                "{name} not played after {:?}; played {played:?}",
                &played[..at]
            );
        };
        at += i + 1;
    }
    for name in ["beep", "shutter"] {
        assert_eq!(
            played.iter().filter(|p| *p == name).count(),
            if name == "beep" { 2 } else { 1 },
            "{played:?}"
        );
    }
    // The recordings are the prompts at the configured volume.
    let mut files: Vec<_> = std::fs::read_dir(&rec)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files.len(), played.len(), "{files:?}");
    let pay = files.iter().find(|f| f.ends_with("-pay.en.wav")).unwrap();
    let recorded = voice::read_wav(&rec.join(pay)).unwrap();
    let built = voice::read_wav(&prompts.join("pay.en.wav")).unwrap();
    assert_eq!(recorded.len(), built.len());
    let ratio = rms(&recorded) / rms(&built);
    assert!((0.45..0.55).contains(&ratio), "volume 0.5 gave {ratio}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_without_prompts_still_beeps_and_runs_its_session() {
    let dir = tempfile::tempdir().unwrap();
    let rec = dir.path().join("rec");
    let mut cfg = fast_config(dir.path());
    cfg.voice.enabled = true;
    cfg.voice.dir = dir.path().join("no-prompts-here");
    cfg.voice.record_dir = Some(rec);
    let mut k = Kiosk::start(cfg, &dir.path().join("journal.sqlite3"));
    let _graduate = to_chair(&mut k, 0.0).await;
    k.touch(Intent::ChairReady);
    k.touch(Intent::TakePhoto);
    let played = until_played(&k, "shutter").await;
    assert_eq!(
        played,
        ["beep", "shutter"],
        "only what needs no prompt file"
    );
    k.until("preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    k.stop().await;
}
