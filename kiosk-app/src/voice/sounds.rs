//! The sounds: prompt files spoken by espeak-ng at set-up (`kiosk voice build`) and checked when
//! loaded, the computed beep and shutter, and WAV reading and writing.

use std::collections::BTreeMap;
use std::path::Path;

use kiosk_core::model::Lang;
use serde::{Deserialize, Serialize};

use super::cues::{Cue, PROMPTS};

/// Sample rate of every sound: espeak-ng's own.
pub const RATE: u32 = 22_050;
/// The longest prompt file the kiosk reads.
pub const MAX_PROMPT_BYTES: u64 = 2 << 20;

/// The prompts, as samples (−1.0 … 1.0), keyed by [`Cue::name`].
#[derive(Default)]
pub struct Prompts {
    sounds: BTreeMap<String, Vec<f32>>,
}

/// What `texts.json` records: the text of each prompt file, and the voice that spoke it.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Texts {
    voices: BTreeMap<String, String>,
    texts: BTreeMap<String, String>,
}

impl Prompts {
    /// Read every prompt from `dir`. Returns what loaded and, for the rest, what is wrong
    /// (missing, too large, not mono 16-bit at [`RATE`], or saying another text).
    pub fn load(dir: &Path) -> (Self, Vec<String>) {
        let mut problems = Vec::new();
        let texts: Texts = match std::fs::read(dir.join("texts.json")) {
            Ok(bytes) => match serde_json::from_slice(&bytes) {
                Ok(t) => t,
                Err(e) => {
                    problems.push(format!("{}: {e}", dir.join("texts.json").display()));
                    Texts::default()
                }
            },
            Err(e) => {
                return (
                    Self::default(),
                    vec![format!(
                        "{}: {e} (build the prompts with `kiosk voice build`)",
                        dir.join("texts.json").display()
                    )],
                );
            }
        };
        let mut sounds = BTreeMap::new();
        for prompt in PROMPTS {
            for lang in [Lang::Zh, Lang::En] {
                let name = Cue::Say(prompt.key, lang).name();
                if texts.texts.get(&name).map(String::as_str) != Some(prompt.text(lang)) {
                    problems.push(format!("{name}: built for another text; rebuild"));
                    continue;
                }
                match read_wav(&dir.join(format!("{name}.wav"))) {
                    Ok(samples) => {
                        sounds.insert(name, samples);
                    }
                    Err(e) => problems.push(format!("{name}: {e}")),
                }
            }
        }
        (Self { sounds }, problems)
    }

    /// The samples of `cue`, if there are any. Beep and shutter are made here.
    pub fn samples(&self, cue: Cue) -> Option<Vec<f32>> {
        match cue {
            Cue::Beep => Some(beep()),
            Cue::Shutter => Some(shutter()),
            Cue::Say(..) => self.sounds.get(&cue.name()).cloned(),
        }
    }

    /// How many prompt files loaded.
    pub fn len(&self) -> usize {
        self.sounds.len()
    }

    /// No prompt loaded.
    pub fn is_empty(&self) -> bool {
        self.sounds.is_empty()
    }
}

/// A prompt file's samples, checked before anything is allocated for them: size, then format.
pub fn read_wav(path: &Path) -> Result<Vec<f32>, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > MAX_PROMPT_BYTES {
        return Err(format!("{size} bytes, more than {MAX_PROMPT_BYTES}"));
    }
    let reader = hound::WavReader::open(path).map_err(|e| e.to_string())?;
    let spec = reader.spec();
    if spec.channels != 1
        || spec.sample_rate != RATE
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(format!(
            "{} channels, {} Hz, {} bits: want mono 16-bit at {RATE} Hz",
            spec.channels, spec.sample_rate, spec.bits_per_sample
        ));
    }
    reader
        .into_samples::<i16>()
        .map(|s| s.map(|s| f32::from(s) / 32768.0))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())
}

/// Write `samples` as mono 16-bit WAV at [`RATE`].
pub fn write_wav(path: &Path, samples: &[f32]) -> std::io::Result<()> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(std::io::Error::other)?;
    for s in samples {
        let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
        w.write_sample(v).map_err(std::io::Error::other)?;
    }
    w.finalize().map_err(std::io::Error::other)
}

/// 880 Hz for 150 ms, faded in and out over 10 ms (no click).
pub(super) fn beep() -> Vec<f32> {
    let n = (RATE as usize) * 150 / 1000;
    let fade = (RATE as usize) / 100;
    (0..n)
        .map(|i| {
            let env = (i.min(n - 1 - i) as f32 / fade as f32).min(1.0);
            let t = i as f32 / RATE as f32;
            0.5 * env * (2.0 * std::f32::consts::PI * 880.0 * t).sin()
        })
        .collect()
}

/// A shutter: two short bursts of decaying noise (a fixed pseudo-random sequence, so every
/// kiosk sounds the same).
fn shutter() -> Vec<f32> {
    let burst = (RATE as usize) * 40 / 1000;
    let gap = (RATE as usize) * 60 / 1000;
    let mut state: u32 = 0x1234_5678;
    let mut noise = move || {
        // xorshift32
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (state as f32 / u32::MAX as f32) * 2.0 - 1.0
    };
    let mut out = Vec::with_capacity(2 * burst + gap);
    for part in 0..2 {
        for i in 0..burst {
            let decay = (-(i as f32) / (burst as f32 / 5.0)).exp();
            out.push(0.6 * decay * noise());
        }
        if part == 0 {
            out.extend(std::iter::repeat_n(0.0, gap));
        }
    }
    out
}

/// The espeak-ng voice for each language.
pub fn espeak_voice(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "cmn-latn-pinyin",
        Lang::En => "en-us",
    }
}

/// `kiosk voice build`: every prompt in both languages into `dir` with espeak-ng, then
/// `texts.json`. Refuses an espeak-ng whose Mandarin voice does not read Chinese characters.
pub fn build(dir: &Path) -> anyhow::Result<usize> {
    use anyhow::Context;
    let espeak = |args: &[&str]| {
        std::process::Command::new("espeak-ng")
            .args(args)
            .output()
            .context("running espeak-ng (Debian package espeak-ng: scripts/install-deps.sh)")
    };
    let check = espeak(&["-q", "-x", "-v", espeak_voice(Lang::Zh), "你好"])?;
    let phonemes = String::from_utf8_lossy(&check.stdout);
    if !check.status.success() || phonemes.contains("(en)") || !phonemes.contains("35") {
        anyhow::bail!(
            "espeak-ng's voice {} does not read Chinese with tones (it said {:?})",
            espeak_voice(Lang::Zh),
            phonemes.trim()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut texts = Texts::default();
    for lang in [Lang::Zh, Lang::En] {
        texts.voices.insert(
            format!("{lang:?}").to_lowercase(),
            espeak_voice(lang).into(),
        );
    }
    for prompt in PROMPTS {
        for lang in [Lang::Zh, Lang::En] {
            let name = Cue::Say(prompt.key, lang).name();
            let path = dir.join(format!("{name}.wav"));
            let path_arg = path.to_str().context("prompt path is not UTF-8")?;
            // 150 words a minute: slower than espeak's 175, for a stressed graduate.
            let out = espeak(&[
                "-v",
                espeak_voice(lang),
                "-s",
                "150",
                "-w",
                path_arg,
                prompt.text(lang),
            ])?;
            if !out.status.success() {
                anyhow::bail!(
                    "espeak-ng failed on {name}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            read_wav(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            texts.texts.insert(name, prompt.text(lang).into());
        }
    }
    std::fs::write(
        dir.join("texts.json"),
        serde_json::to_vec_pretty(&texts).expect("plain data"),
    )?;
    Ok(texts.texts.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beep_and_shutter_are_short_and_audible() {
        for s in [beep(), shutter()] {
            let secs = s.len() as f32 / RATE as f32;
            assert!((0.05..0.5).contains(&secs), "{secs} s");
            let rms = (s.iter().map(|x| x * x).sum::<f32>() / s.len() as f32).sqrt();
            assert!(rms > 0.05, "rms {rms}");
        }
    }

    #[test]
    fn prompts_from_an_empty_dir_say_how_to_build_them() {
        let dir = tempfile::tempdir().unwrap();
        let (prompts, problems) = Prompts::load(dir.path());
        assert!(prompts.is_empty());
        assert!(problems[0].contains("kiosk voice build"), "{problems:?}");
    }

    #[test]
    fn a_stale_or_oversized_or_stereo_prompt_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut texts = Texts::default();
        let p = PROMPTS[0];
        texts
            .texts
            .insert("photo-type.zh".into(), "旧的文字".into());
        texts.texts.insert("photo-type.en".into(), p.en.into());
        std::fs::write(
            dir.path().join("texts.json"),
            serde_json::to_vec(&texts).unwrap(),
        )
        .unwrap();
        let stereo = hound::WavSpec {
            channels: 2,
            sample_rate: RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(dir.path().join("photo-type.en.wav"), stereo).unwrap();
        w.write_sample(0i16).unwrap();
        w.write_sample(0i16).unwrap();
        w.finalize().unwrap();
        let (prompts, problems) = Prompts::load(dir.path());
        assert!(prompts.is_empty());
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("photo-type.zh: built for another text"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("photo-type.en: 2 channels")),
            "{problems:?}"
        );
        let big = dir.path().join("big.wav");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(MAX_PROMPT_BYTES + 1)
            .unwrap();
        assert!(read_wav(&big).unwrap_err().contains("more than"));
    }
}
