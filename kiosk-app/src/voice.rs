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
//! Nothing here may hold the kiosk up: a missing prompt, a missing sound card or a broken WAV
//! is one `VOICE_UNAVAILABLE` warning and the session goes on in silence.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kiosk_core::model::{
    DoneKind, Lang, PayStage, ReviewStage, ScanNotice, Screen, ScreenModel, ShootStage,
};
use serde::{Deserialize, Serialize};

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

/// One spoken prompt in both languages.
#[derive(Clone, Copy, Debug)]
pub struct Prompt {
    /// File stem, and the name tests use.
    pub key: &'static str,
    /// What is said in Chinese.
    pub zh: &'static str,
    /// What is said in English.
    pub en: &'static str,
}

impl Prompt {
    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

const fn p(key: &'static str, zh: &'static str, en: &'static str) -> Prompt {
    Prompt { key, zh, en }
}

/// Every prompt. Short: one breath each, saying what to do now. The screens say the rest.
pub const PROMPTS: &[Prompt] = &[
    p(
        "photo-type",
        "请选择照片类型。",
        "Please choose the photo type.",
    ),
    p(
        "prepare",
        "拍摄前请整理好仪容，准备好手机上的拍摄二维码。",
        "Before the photo, tidy your hair and collar, and have your shooting QR code ready.",
    ),
    p(
        "scan",
        "请把手机上的拍摄二维码对准相机。",
        "Hold the shooting QR code on your phone up to the camera.",
    ),
    p(
        "scan-chsi-code",
        "这是学信网的采集码，请打开小程序里的拍摄二维码。",
        "This is the CHSI collection code. Please open the shooting code in the mini-program.",
    ),
    p(
        "scan-refused",
        "这个二维码不能使用，请看屏幕上的说明。",
        "This code cannot be used here. Please read the screen.",
    ),
    p("confirm", "请核对您的信息。", "Please check your details."),
    p(
        "lighting",
        "您平时戴眼镜吗？请选择。",
        "Do you wear glasses? Please choose.",
    ),
    p("rules", "请阅读拍摄要求。", "Please read the photo rules."),
    p(
        "chair",
        "请调整座椅，让眼睛对准屏幕上的横线。",
        "Adjust the seat so that your eyes are on the line on the screen.",
    ),
    p(
        "glasses-off",
        "现在请摘下眼镜。",
        "Please take your glasses off now.",
    ),
    p(
        "shoot-ready",
        "确定调整好之后，请按拍照按钮。",
        "When you are ready, press the photo button.",
    ),
    p(
        "shoot-preview",
        "请查看照片，选择使用或者重拍。",
        "Please check the photo: use it, or take another.",
    ),
    p(
        "shoot-failed",
        "这次没有拍到照片，不计次数，请再试一次。",
        "The photo was not taken and does not count. Please try again.",
    ),
    p(
        "review",
        "正在审核照片，大约一分钟，请不要离开。",
        "Your photo is being checked, about one minute. Please do not leave.",
    ),
    p(
        "review-failed",
        "照片没有通过审核，请查看原因。",
        "The photo did not pass. Please see why on the screen.",
    ),
    p(
        "review-unsent",
        "照片没有提交，也不会收费，请看屏幕上的说明。",
        "The photo was not sent and you will not be charged. Please read the screen.",
    ),
    p(
        "pay",
        "审核通过，请用微信扫码付款。",
        "Your photo passed. Please pay by scanning the code with WeChat.",
    ),
    p(
        "pay-expired",
        "付款码已过期，请重新生成付款码。",
        "The payment code has expired. Please get a new one.",
    ),
    p("done", "拍摄完成，谢谢！", "All done. Thank you!"),
    p(
        "done-review-pending",
        "照片已提交，审核结果将在小程序中通知您。",
        "Your photo has been sent. The mini-program will tell you the result.",
    ),
    p(
        "out-of-service",
        "本机暂停服务，您已用的次数和付款都不会丢失，请看屏幕上的说明。",
        "This booth is out of service. Your shots and payment are kept. Please read the screen.",
    ),
    p(
        "idle-warning",
        "您还在吗？请触摸屏幕继续。",
        "Are you still there? Touch the screen to continue.",
    ),
];

/// The prompt called `key`.
pub fn prompt(key: &str) -> Option<&'static Prompt> {
    PROMPTS.iter().find(|p| p.key == key)
}

/// Something to play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cue {
    /// A prompt (its key), in a language.
    Say(&'static str, Lang),
    /// One number of the countdown.
    Beep,
    /// The photo is being taken.
    Shutter,
}

impl Cue {
    /// The name its recording gets: `scan.zh`, `beep`, `shutter`.
    pub fn name(&self) -> String {
        match self {
            Cue::Say(key, Lang::Zh) => format!("{key}.zh"),
            Cue::Say(key, Lang::En) => format!("{key}.en"),
            Cue::Beep => "beep".into(),
            Cue::Shutter => "shutter".into(),
        }
    }
}

/// The step's prompt for a screen, if it has one. Technicians' screens have none.
fn step_prompt(m: &ScreenModel) -> Option<&'static str> {
    Some(match m.screen {
        Screen::Attract | Screen::MaintenancePin | Screen::Maintenance => return None,
        Screen::PhotoType => "photo-type",
        Screen::Prepare => "prepare",
        Screen::Scan => match m.scan_notice {
            None | Some(ScanNotice::Checking) => "scan",
            Some(ScanNotice::RawChsiCode) => "scan-chsi-code",
            Some(_) => "scan-refused",
        },
        Screen::Confirm => "confirm",
        Screen::Lighting => "lighting",
        Screen::Rules => "rules",
        Screen::Chair => "chair",
        Screen::Shoot => match m.shoot_stage {
            ShootStage::Ready => "shoot-ready",
            // Beeps and the shutter; the preview's prompt follows.
            ShootStage::Countdown | ShootStage::Capturing => return None,
            ShootStage::Preview => "shoot-preview",
            ShootStage::Failed => "shoot-failed",
        },
        Screen::Review => match m.review_stage {
            ReviewStage::Uploading | ReviewStage::Waiting => "review",
            ReviewStage::Failed => "review-failed",
            ReviewStage::Refused | ReviewStage::Unreachable => "review-unsent",
        },
        Screen::Pay => match m.pay_stage {
            PayStage::Creating => return None,
            PayStage::Showing => "pay",
            PayStage::Expired | PayStage::Failed => "pay-expired",
        },
        Screen::Done => match m.done_kind {
            DoneKind::Paid => "done",
            DoneKind::ReviewPending => "done-review-pending",
        },
        Screen::OutOfService => "out-of-service",
    })
}

/// What to play when the screen goes from `before` to `now`, in order. A step's prompt plays
/// when the step (or its language) changes; "glasses off" comes before the ready screen's
/// prompt for a graduate who chose to be photographed without glasses; each countdown number
/// beeps; the shutter sounds when the capture starts; the idle warning speaks when it appears.
pub fn cues(before: &ScreenModel, now: &ScreenModel) -> Vec<Cue> {
    let mut out = Vec::new();
    if now.idle_warning_secs.is_some() && before.idle_warning_secs.is_none() {
        out.push(Cue::Say("idle-warning", now.lang));
    }
    let changed = step_prompt(now) != step_prompt(before) || now.lang != before.lang;
    if let Some(key) = step_prompt(now).filter(|_| changed) {
        let entering_ready = key == "shoot-ready"
            && !(before.screen == Screen::Shoot && before.shoot_stage == ShootStage::Ready);
        if entering_ready && now.glasses == Some(false) && now.shots_used == 0 {
            out.push(Cue::Say("glasses-off", now.lang));
        }
        out.push(Cue::Say(key, now.lang));
    }
    let counting =
        |m: &ScreenModel| m.screen == Screen::Shoot && m.shoot_stage == ShootStage::Countdown;
    if counting(now) && (!counting(before) || now.countdown != before.countdown) {
        out.push(Cue::Beep);
    }
    let shooting = |m: &ScreenModel| {
        m.screen == Screen::Shoot
            && matches!(m.shoot_stage, ShootStage::Capturing | ShootStage::Preview)
    };
    if shooting(now) && counting(before) {
        out.push(Cue::Shutter);
    }
    out
}

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
fn beep() -> Vec<f32> {
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
                let (mono, rate) = (
                    std::num::NonZero::new(1).expect("1"),
                    std::num::NonZero::new(RATE).expect("not 0"),
                );
                for (_, samples) in batch {
                    new.append(rodio::buffer::SamplesBuffer::new(mono, rate, samples));
                }
                *player = Some(new);
            }
            Output::Silent => {}
        }
    }
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
    let task = tokio::spawn(async move {
        let mut before = screens.borrow_and_update().clone();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn at(screen: Screen) -> ScreenModel {
        ScreenModel {
            screen,
            ..ScreenModel::default()
        }
    }

    fn said(cues: &[Cue]) -> Vec<&'static str> {
        cues.iter()
            .filter_map(|c| match c {
                Cue::Say(k, _) => Some(*k),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_prompt_key_is_unique_and_said_by_some_screen() {
        let mut keys: Vec<_> = PROMPTS.iter().map(|p| p.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), PROMPTS.len());
        for p in PROMPTS {
            assert!(!p.zh.is_empty() && !p.en.is_empty() && p.zh.chars().count() <= 40);
        }
    }

    #[test]
    fn each_step_speaks_once_on_entry_and_again_in_the_other_language() {
        let attract = at(Screen::Attract);
        let rules = at(Screen::Rules);
        assert_eq!(cues(&attract, &rules), vec![Cue::Say("rules", Lang::Zh)]);
        assert_eq!(cues(&rules, &rules), vec![]);
        let en = ScreenModel {
            lang: Lang::En,
            ..rules.clone()
        };
        assert_eq!(cues(&rules, &en), vec![Cue::Say("rules", Lang::En)]);
        assert_eq!(cues(&rules, &attract), vec![], "the start screen is quiet");
        assert_eq!(cues(&attract, &at(Screen::Maintenance)), vec![]);
    }

    #[test]
    fn a_refused_code_says_why_and_a_chsi_code_says_what_to_open() {
        let scan = at(Screen::Scan);
        let with = |n| ScreenModel {
            scan_notice: Some(n),
            ..scan.clone()
        };
        assert_eq!(
            said(&cues(&scan, &with(ScanNotice::RawChsiCode))),
            ["scan-chsi-code"]
        );
        assert_eq!(
            said(&cues(&scan, &with(ScanNotice::UnknownCode))),
            ["scan-refused"]
        );
        assert_eq!(
            said(&cues(&scan, &with(ScanNotice::Checking))),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn glasses_off_comes_before_the_ready_prompt_only_for_the_first_shot_without_glasses() {
        let chair = ScreenModel {
            glasses: Some(false),
            ..at(Screen::Chair)
        };
        let ready = ScreenModel {
            screen: Screen::Shoot,
            shoot_stage: ShootStage::Ready,
            ..chair.clone()
        };
        assert_eq!(said(&cues(&chair, &ready)), ["glasses-off", "shoot-ready"]);
        let with_glasses = |m: &ScreenModel| ScreenModel {
            glasses: Some(true),
            ..m.clone()
        };
        assert_eq!(
            said(&cues(&with_glasses(&chair), &with_glasses(&ready))),
            ["shoot-ready"]
        );
        let preview = ScreenModel {
            shoot_stage: ShootStage::Preview,
            shots_used: 1,
            ..ready.clone()
        };
        let retake = ScreenModel {
            shots_used: 1,
            ..ready.clone()
        };
        assert_eq!(said(&cues(&preview, &retake)), ["shoot-ready"]);
    }

    #[test]
    fn the_countdown_beeps_per_number_and_the_shutter_sounds_once() {
        let ready = ScreenModel {
            screen: Screen::Shoot,
            shoot_stage: ShootStage::Ready,
            ..ScreenModel::default()
        };
        let count = |n| ScreenModel {
            shoot_stage: ShootStage::Countdown,
            countdown: n,
            ..ready.clone()
        };
        let capturing = ScreenModel {
            shoot_stage: ShootStage::Capturing,
            ..ready.clone()
        };
        let preview = ScreenModel {
            shoot_stage: ShootStage::Preview,
            ..ready.clone()
        };
        assert_eq!(cues(&ready, &count(3)), vec![Cue::Beep]);
        assert_eq!(cues(&count(3), &count(2)), vec![Cue::Beep]);
        assert_eq!(cues(&count(2), &count(2)), vec![]);
        assert_eq!(cues(&count(1), &capturing), vec![Cue::Shutter]);
        assert_eq!(
            cues(&capturing, &preview),
            vec![Cue::Say("shoot-preview", Lang::Zh)]
        );
        // A capture so quick the capturing stage was never seen.
        assert_eq!(
            cues(&count(1), &preview),
            vec![Cue::Say("shoot-preview", Lang::Zh), Cue::Shutter]
        );
    }

    #[test]
    fn the_idle_warning_speaks_when_it_appears() {
        let rules = at(Screen::Rules);
        let warned = ScreenModel {
            idle_warning_secs: Some(10),
            ..rules.clone()
        };
        assert_eq!(said(&cues(&rules, &warned)), ["idle-warning"]);
        let later = ScreenModel {
            idle_warning_secs: Some(9),
            ..rules.clone()
        };
        assert_eq!(cues(&warned, &later), vec![]);
    }

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
