//! Voice guidance, as government self-service terminals have it: a short spoken prompt when a
//! step begins (in Chinese, or English when the graduate chose English), a beep for each number
//! of the countdown and a shutter sound when the photo is taken.
//!
//! - The prompts are produced at set-up by `kiosk voice build` with espeak-ng (Debian's package;
//!   its `cmn-latn-pinyin` voice reads Chinese characters with tones, where its `cmn` voice
//!   reads the tone digits of its own dictionary as English numbers), one WAV per prompt and
//!   language, plus `texts.json` naming the text each WAV says. The kiosk refuses a WAV whose
//!   text is not the one in [`PROMPTS`] (prompts built by an older kiosk).
//! - [`cues`] decides, from two successive screen models, what to play. It is pure: the tests
//!   walk it over every step.
//! - [`start`] follows the runtime's screens and plays the cues through rodio (ALSA's default
//!   output), or writes each to a WAV file in `voice.record_dir` (the tests, the walkthrough).
//!
//! Here: `[voice]` and the player ([`start`]); what to play when in [`cues`], the sounds in
//! [`sounds`].
//!
//! Nothing here may hold the kiosk up: a missing prompt, a missing sound card or a broken WAV
//! is one `VOICE_UNAVAILABLE` warning and the session goes on in silence.

use std::path::{Path, PathBuf};

use kiosk_core::model::ScreenModel;
use serde::{Deserialize, Serialize};

mod cues;
mod sounds;

pub use cues::{Cue, PROMPTS, Prompt, cues, prompt};
pub use sounds::{MAX_PROMPT_BYTES, Prompts, RATE, build, espeak_voice, read_wav, write_wav};

/// `[voice]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct VoiceSection {
    /// Speak at all.
    pub enabled: bool,
    /// 0.0 (silent) to 1.0 (the prompts as built).
    pub volume: f32,
    /// Where `kiosk voice build` put the prompts.
    pub dir: PathBuf,
    /// Write each cue as a WAV file here instead of playing it (tests, rehearsals).
    pub record_dir: Option<PathBuf>,
}

impl Default for VoiceSection {
    fn default() -> Self {
        Self {
            enabled: true,
            volume: 0.8,
            dir: PathBuf::from("target/voice"),
            record_dir: None,
        }
    }
}

impl VoiceSection {
    /// Rules serde cannot express: (key, message).
    pub fn validate(&self) -> Result<(), (String, String)> {
        if !(0.0..=1.0).contains(&self.volume) {
            return Err(("voice.volume".into(), "must be 0.0..=1.0".into()));
        }
        Ok(())
    }
}

/// Where the cues go.
enum Output {
    /// Files `NNN-name.wav` in a directory.
    Record(PathBuf, u32),
    /// The sound card, through rodio. The player playing now: a new batch of cues replaces it.
    Play(rodio::MixerDeviceSink, Option<rodio::Player>),
    /// Nowhere (no sound card).
    Silent,
}

impl Output {
    fn open(record_dir: Option<&Path>) -> Result<Self, String> {
        if let Some(dir) = record_dir {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            return Ok(Output::Record(dir.to_owned(), 0));
        }
        let mut stream = rodio::DeviceSinkBuilder::open_default_sink()
            .map_err(|e| format!("no sound output: {e}"))?;
        stream.log_on_drop(false);
        Ok(Output::Play(stream, None))
    }

    fn play(&mut self, batch: Vec<(Cue, Vec<f32>)>, volume: f32) {
        match self {
            Output::Record(dir, n) => {
                for (cue, samples) in batch {
                    let scaled: Vec<f32> = samples.iter().map(|s| s * volume).collect();
                    let path = dir.join(format!("{:03}-{}.wav", *n, cue.name()));
                    *n += 1;
                    if let Err(e) = write_wav(&path, &scaled) {
                        tracing::warn!(path = %path.display(), error = %e, "voice: cannot record a cue");
                    }
                }
            }
            Output::Play(stream, player) => {
                // Replacing the player stops what it was playing: the new step's prompt is the
                // one that matters.
                let new = rodio::Player::connect_new(stream.mixer());
                new.set_volume(volume);
                for (_, samples) in batch {
                    new.append(mono(samples));
                }
                *player = Some(new);
            }
            Output::Silent => {}
        }
    }
}

/// Open the sound output the kiosk plays through (ALSA's default, through rodio) and, with
/// `beep`, play one countdown beep on it to the end: what `kiosk doctor` does so that a
/// technician at the booth hears the speaker. Blocking (about a quarter of a second with the
/// beep). The error says why there is no sound.
pub fn probe_output(beep: bool) -> Result<(), String> {
    let Output::Play(stream, _) = Output::open(None)? else {
        unreachable!("no record directory was given")
    };
    if beep {
        let player = rodio::Player::connect_new(stream.mixer());
        player.append(mono(sounds::beep()));
        player.sleep_until_end();
    }
    Ok(())
}

/// Our samples as rodio plays them: one channel at [`RATE`].
fn mono(samples: Vec<f32>) -> rodio::buffer::SamplesBuffer {
    let (channels, rate) = (
        std::num::NonZero::new(1).expect("1"),
        std::num::NonZero::new(RATE).expect("not 0"),
    );
    rodio::buffer::SamplesBuffer::new(channels, rate, samples)
}

/// Voice guidance running: the task following the screens, and what it has played.
pub struct Voice {
    task: tokio::task::JoinHandle<()>,
    /// The names ([`Cue::name`]) of every cue handed to the output so far, in order: what the
    /// tests and the walkthrough wait on and check.
    pub played: tokio::sync::watch::Receiver<Vec<String>>,
}

impl Voice {
    /// Stop following the screens (the player thread ends with it).
    pub fn abort(&self) {
        self.task.abort();
    }
}

/// Follow `screens` and speak. Aborting the returned [`Voice`] (or the screens' sender going
/// away) ends it, and the player thread with it. None when `[voice] enabled = false`.
pub fn start(
    cfg: &VoiceSection,
    mut screens: tokio::sync::watch::Receiver<ScreenModel>,
) -> Option<Voice> {
    if !cfg.enabled {
        return None;
    }
    let (prompts, problems) = Prompts::load(&cfg.dir);
    if !problems.is_empty() {
        let shown: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
        tracing::warn!(
            code = kiosk_core::ops::code::VOICE_UNAVAILABLE,
            dir = %cfg.dir.display(),
            loaded = prompts.len(),
            problems = problems.len(),
            first = %shown.join("; "),
            "voice prompts missing or stale (config key `voice.dir`); those steps are silent"
        );
    }
    let (tx, rx) = std::sync::mpsc::channel::<Vec<(Cue, Vec<f32>)>>();
    let (played_tx, played) = tokio::sync::watch::channel(Vec::new());
    let (record_dir, volume) = (cfg.record_dir.clone(), cfg.volume);
    // rodio's device sink is not Send: it lives on a thread of its own, which ends when the
    // task below drops its sender.
    let spawned = std::thread::Builder::new()
        .name("voice".into())
        .spawn(move || {
            let mut output = Output::open(record_dir.as_deref()).unwrap_or_else(|e| {
                tracing::warn!(
                    code = kiosk_core::ops::code::VOICE_UNAVAILABLE,
                    error = %e,
                    "no voice guidance: {e}"
                );
                Output::Silent
            });
            while let Ok(batch) = rx.recv() {
                let names: Vec<String> = batch.iter().map(|(cue, _)| cue.name()).collect();
                output.play(batch, volume);
                played_tx.send_modify(|played| played.extend(names));
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(code = kiosk_core::ops::code::VOICE_UNAVAILABLE, error = %e, "no voice thread");
        return None;
    }
    // The screen as it is now, taken here and not when the task first runs: a touch that
    // changes the screen before the task is scheduled (a busy machine) would otherwise become
    // its starting point, and that step would never be spoken.
    let mut before = screens.borrow_and_update().clone();
    let task = tokio::spawn(async move {
        while screens.changed().await.is_ok() {
            let now = screens.borrow_and_update().clone();
            let batch: Vec<(Cue, Vec<f32>)> = cues(&before, &now)
                .into_iter()
                .filter_map(|cue| prompts.samples(cue).map(|s| (cue, s)))
                .collect();
            if !batch.is_empty() && tx.send(batch).is_err() {
                break;
            }
            before = now;
        }
    });
    Some(Voice { task, played })
}
