//! `kiosk walkthrough`: one complete scripted session through the real flow, runtime, devices
//! (simulated) and UI (Slint, software-rendered, no display). Every screen is written to PNG in
//! Chinese and English, and `report.json` lists the screens visited and the time spent in each.
//!
//! The script only does what a graduate would: touch buttons (through the UI's own callback),
//! hold up their QR code, press the seat button. A technician then pulls the camera's cable to
//! show the out-of-maintenance screen, plugs it back, and opens maintenance mode (hidden corner, PIN,
//! diagnostics, a test shot) before leaving it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kiosk_core::model::{Lang, ScreenModel};
use kiosk_ui::pixels::Pixels;
use kiosk_ui::{Action, Ui, headless, screen_key};
use serde::Serialize;

use crate::assemble;
use crate::config::Config;
use kiosk_core::flow::Event;

/// One screen visited.
#[derive(Debug, Serialize)]
pub struct Visit {
    /// Screen key (e.g. `shoot-countdown`).
    pub screen: String,
    /// Time spent on it, ms.
    pub ms: u64,
}

/// What `report.json` holds.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Whether the session reached the done screen.
    pub reached_done: bool,
    /// Screens in the order visited.
    pub visits: Vec<Visit>,
    /// PNG files written.
    pub pngs: Vec<String>,
    /// What the layout check found on them (`kiosk_ui::layout_check`): PNG, text, problem.
    pub layout_problems: Vec<String>,
    /// Transitions the journal recorded.
    pub journal_transitions: u64,
    /// Wall time of the whole walkthrough, ms.
    pub total_ms: u64,
}

#[derive(Clone, Copy, Debug)]
enum Do {
    Press(Action),
    PresentQr,
    PutAwayQrThen(Action),
    /// Hold the seat button until the eyes are on the guide.
    AdjustSeat,
    /// The graduate leans their head (degrees; 0 straightens it), then touches.
    TiltThenPress(f32, Action),
    Wait,
    Unplug,
    Replug,
    EnterPin,
    End,
}

/// The script: on this screen, after it is rendered, do this.
const SCRIPT: &[(&str, Do)] = &[
    ("attract", Do::Press(Action::Start)),
    ("photo-type", Do::Press(Action::ChooseGraduatePhoto)),
    ("prepare", Do::Press(Action::PrepareShoot)),
    ("scan", Do::PresentQr),
    ("confirm", Do::PutAwayQrThen(Action::ConfirmIdentity)),
    ("lighting-idle-warning", Do::Press(Action::GlassesNo)),
    ("rules", Do::Press(Action::AcceptRules)),
    // The graduate sits low (see `run`): the chair step says "raise"; they hold the seat
    // button until it says "good".
    ("chair-raise", Do::AdjustSeat),
    ("chair-good", Do::Press(Action::ChairReady)),
    // The first shot with the head tilted: the preview flags it and offers the retake first.
    ("shoot-ready", Do::TiltThenPress(8.0, Action::TakePhoto)),
    (
        "shoot-preview-flagged",
        Do::TiltThenPress(0.0, Action::Retake),
    ),
    ("shoot-ready", Do::Press(Action::TakePhoto)),
    ("shoot-preview", Do::Press(Action::UsePhoto)),
    ("pay-showing", Do::Wait),
    ("done", Do::Press(Action::Finish)),
    ("attract", Do::Unplug),
    ("out-of-service", Do::Replug),
    ("attract", Do::Press(Action::ServiceGesture)),
    ("service-pin", Do::EnterPin),
    ("service", Do::Press(Action::SvcTestShot)),
    ("service-test-shot", Do::Press(Action::SvcExit)),
    ("attract", Do::End),
];

/// The demo configuration with delays short enough for a walkthrough, and an idle timeout
/// short enough that its warning appears (on the lighting screen, where the script waits).
pub fn config(mut cfg: Config) -> Config {
    cfg.flow.idle_timeout_secs = 40;
    cfg.flow.idle_warning_secs = 37;
    cfg.flow.review_expected_secs = 4;
    cfg.flow.review_poll_secs = 1;
    cfg.flow.payment_poll_secs = 1;
    cfg.service.sim.review_ms = 3_000;
    cfg.service.sim.auto_pay_ms = Some(2_500);
    cfg.service.sim.latency_ms = 20;
    // The script opens maintenance mode with the demo PIN.
    cfg.service_mode.pin_hash = crate::maintenance::DEMO_PIN_HASH.into();
    cfg
}

/// Run the walkthrough, writing PNGs and `report.json` into `out`.
pub fn run(cfg: Config, out: &Path) -> anyhow::Result<Report> {
    let started = Instant::now();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    // Everything of this run stays in `out`: the maintenance screen's disk check and log tail
    // look there.
    let mut cfg = cfg;
    let out_abs = std::path::absolute(out)?;
    cfg.kiosk.data_dir = out_abs.clone();
    cfg.logging.json_file = out_abs.join("kiosk.log.jsonl");
    let cfg = Arc::new(cfg);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let _enter = rt.enter();

    let journal_path = out.join("journal.sqlite3");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(PathBuf::from(format!("{}{suffix}", journal_path.display())));
    }
    let kiosk = assemble::Started::start(cfg.clone())?;
    let (handle, journal) = (kiosk.handle.clone(), kiosk.world.journal.clone());
    let camera_sim = kiosk
        .sims
        .camera
        .clone()
        .context("the walkthrough needs the simulated camera")?;
    let graduate = crate::graduate::Graduate::new(&kiosk.sims, crate::graduate::Pace::Immediate);
    // 45 mm shorter in the chair than the reference graduate: eyes below the guide.
    graduate.sit_at(-45.0);

    // Decode live-view frames and the photo off the UI thread; the UI takes the latest.
    let latest_frame: Arc<Mutex<Option<Pixels>>> = Arc::default();
    let latest_photo: Arc<Mutex<Option<Pixels>>> = Arc::default();
    let slot = latest_frame.clone();
    rt.spawn(crate::ui_feed::frames(handle.clone(), move |px| {
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = px;
    }));
    let slot = latest_photo.clone();
    rt.spawn(crate::ui_feed::photo(handle.clone(), move |px| {
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = px;
    }));
    let latest_window: Arc<Mutex<Option<[f32; 4]>>> = Arc::default();
    let slot = latest_window.clone();
    rt.spawn(crate::ui_feed::face_window(handle.clone(), move |w| {
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = w;
    }));

    let (width, height) = match cfg.display.orientation {
        crate::config::Orientation::Landscape => (1920, 1080),
        crate::config::Orientation::Portrait => (1080, 1920),
    };
    let screen = headless::install(width, height)?;
    let ui = Ui::new()?;
    ui.set_portrait(height > width);
    ui.set_eye_guide(cfg.photo.eye_guide);
    ui.set_notice(&cfg.notice);
    screen.show(ui.window())?;
    let events = handle.events.clone();
    ui.connect(move |intent| {
        let _ = events.send(Event::Intent(intent));
    });
    let pins = handle.pins.clone();
    ui.connect_pin(move |pin| {
        let _ = pins.send(pin);
    });

    let mut screen_rx = handle.screen.clone();
    let mut visits: Vec<(String, Instant)> = Vec::new();
    let mut rendered: HashSet<String> = HashSet::new();
    let mut pngs = Vec::new();
    let mut layout_problems = Vec::new();
    let mut step = 0;
    let mut reached_done = false;
    let deadline = Instant::now() + Duration::from_secs(120);

    while step < SCRIPT.len() {
        if Instant::now() > deadline {
            bail!(
                "walkthrough stuck: waited for screen {:?}, last seen {:?}",
                SCRIPT[step].0,
                visits.last().map(|v| &v.0)
            );
        }
        let _ = rt.block_on(async {
            tokio::time::timeout(Duration::from_millis(100), screen_rx.changed()).await
        });
        let model: ScreenModel = screen_rx.borrow_and_update().clone();
        let photo = latest_photo
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let has_photo = photo.is_some();
        ui.set_photo(photo);
        let key = screen_key(&model);
        if visits.last().map(|v| &v.0) != Some(&key) {
            if visits
                .last()
                .is_some_and(|v| v.0.split('-').next() != key.split('-').next())
            {
                // A new screen: wait for a frame taken on it, not one left from the last.
                *latest_frame.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            if visits.last().is_some_and(|v| {
                v.0.starts_with("shoot-preview") && !key.starts_with("shoot-preview")
            }) {
                // Left a preview (retake): the next preview must show its own photo.
                *latest_photo.lock().unwrap_or_else(|p| p.into_inner()) = None;
            }
            visits.push((key.clone(), Instant::now()));
        }
        let frame = latest_frame
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let has_frame = frame.is_some();
        ui.set_live_frame(frame);
        let window = *latest_window.lock().unwrap_or_else(|p| p.into_inner());
        ui.set_face_window(window);
        reached_done |= key == "done";

        let ready = (!model.live_view || has_frame)
            && (model.shoot_stage != kiosk_core::model::ShootStage::Preview || has_photo)
            && (key != "service-test-shot" || has_photo)
            // The chair step is about its hint, the ready screen about the photo's window.
            && (model.screen != kiosk_core::model::Screen::Chair || model.seat_hint.is_some())
            && (key != "shoot-ready" || window.is_some());
        if ready && !rendered.contains(&key) {
            let n = rendered.len() + 1;
            for lang in [Lang::Zh, Lang::En] {
                ui.render(&ScreenModel {
                    lang,
                    ..model.clone()
                });
                let name = match lang {
                    Lang::Zh => format!("{n:02}-{key}.png"),
                    Lang::En => format!("{n:02}-{key}.en.png"),
                };
                let frame = screen.snapshot();
                for p in kiosk_ui::layout_check::check(ui.window(), &frame) {
                    layout_problems.push(format!("{name}: {p}"));
                }
                frame.save(out.join(&name))?;
                pngs.push(name);
            }
            rendered.insert(key.clone());
        }
        ui.render(&model);

        let (want, action) = SCRIPT[step];
        // The idle warning may come up on any screen the script lingers on; it is the same
        // screen underneath.
        let matches = key == want || key.strip_suffix("-idle-warning") == Some(want);
        if !matches || !rendered.contains(&key) {
            continue;
        }
        step += 1;
        match action {
            Do::Press(a) => ui.act(a),
            Do::PresentQr => graduate.show_code(),
            Do::PutAwayQrThen(a) => {
                graduate.put_code_away();
                ui.act(a);
            }
            Do::AdjustSeat => rt.block_on(graduate.adjust_seat()),
            Do::TiltThenPress(deg, a) => {
                graduate.tilt_head(deg);
                ui.act(a);
            }
            Do::Wait => {}
            Do::Unplug => {
                graduate.put_code_away();
                camera_sim.unplug(true);
            }
            Do::Replug => camera_sim.unplug(false),
            Do::EnterPin => ui.enter_pin(crate::maintenance::DEMO_PIN),
            Do::End => {}
        }
    }

    let now = Instant::now();
    let mut report_visits = Vec::new();
    for (i, (key, at)) in visits.iter().enumerate() {
        let until = visits.get(i + 1).map_or(now, |v| v.1);
        report_visits.push(Visit {
            screen: key.clone(),
            ms: until.duration_since(*at).as_millis() as u64,
        });
    }
    rt.block_on(kiosk.stop());
    let report = Report {
        reached_done,
        visits: report_visits,
        pngs,
        layout_problems,
        journal_transitions: journal.transitions().unwrap_or(0),
        total_ms: started.elapsed().as_millis() as u64,
    };
    std::fs::write(out.join("report.json"), serde_json::to_vec_pretty(&report)?)?;
    if !reached_done {
        bail!("the session did not reach the done screen");
    }
    if !report.layout_problems.is_empty() {
        bail!(
            "{} layout problems (report.json):\n{}",
            report.layout_problems.len(),
            report.layout_problems.join("\n")
        );
    }
    Ok(report)
}
