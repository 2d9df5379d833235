//! `kiosk walkthrough`: scripted sessions through the real flow, runtime, devices (simulated)
//! and UI (Slint, software-rendered, no display). Every screen they reach is written to PNG in
//! Chinese and English, checked by [`kiosk_ui::layout_check`], and `report.json` lists the
//! sessions, the screens each visited and the time spent on each.
//!
//! The scripts only do what a graduate would: touch buttons (through the UI's own callback),
//! hold up a QR code, press the seat button, lean their head, walk away. The simulators play
//! the rest: a review that fails or is slow, an order left unpaid until it expires, a shot the
//! camera does not take, a technician pulling the camera's cable and opening maintenance mode.
//! Each session runs on a kiosk of its own (its own journal and simulated service).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use kiosk_core::clock::Clock;
use kiosk_core::model::{Lang, ScreenModel};
use kiosk_ui::pixels::Pixels;
use kiosk_ui::{Ui, headless};
use serde::Serialize;

use crate::assemble;
use crate::config::Config;

mod sessions;
use sessions::Do;
pub use sessions::{SESSIONS, Session};

/// One screen visited.
#[derive(Debug, Serialize)]
pub struct Visit {
    /// The session it was visited in ([`Session::name`]).
    pub session: &'static str,
    /// Screen key (e.g. `shoot-countdown`).
    pub screen: String,
    /// Time spent on it, ms.
    pub ms: u64,
}

/// One scripted session, as `report.json` names it.
#[derive(Debug, Serialize)]
pub struct SessionReport {
    /// Short name, also in the PNGs' names (`happy`, `raw-chsi-code` …).
    pub name: &'static str,
    /// What the graduate does or what goes wrong.
    pub about: &'static str,
    /// PNGs written in this session (screens already drawn by an earlier one are not drawn
    /// again).
    pub pngs: Vec<String>,
    /// The voice's cues in the order played (`scan.zh`, `beep` …; each also a WAV in
    /// `sessions/NAME/voice/`). Empty with `voice.enabled = false`; without prompts (`kiosk
    /// voice build`) only the beeps and the shutter.
    pub voice: Vec<String>,
}

/// What `report.json` holds.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Whether the happy session reached the done screen.
    pub reached_done: bool,
    /// The sessions run, in order.
    pub sessions: Vec<SessionReport>,
    /// Screens in the order visited, each with its session.
    pub visits: Vec<Visit>,
    /// PNG files written.
    pub pngs: Vec<String>,
    /// Whether the layout check ran: it is test tooling, built in with the `layout-check`
    /// feature (the demo and the tests), not in a booth's build.
    pub layout_checked: bool,
    /// What the layout check found on them (`kiosk_ui::layout_check`): PNG, text, problem.
    pub layout_problems: Vec<String>,
    /// Transitions the journals recorded, all sessions.
    pub journal_transitions: u64,
    /// Wall time of the whole walkthrough, ms.
    pub total_ms: u64,
}

/// The demo configuration with delays short enough for a walkthrough.
pub fn config(mut cfg: Config) -> Config {
    cfg.flow.review_expected_secs = 4;
    cfg.flow.review_poll_secs = 1;
    cfg.flow.payment_poll_secs = 1;
    cfg.service.sim.review_ms = 3_000;
    cfg.service.sim.auto_pay_ms = Some(2_500);
    cfg.service.sim.latency_ms = 20;
    // The script opens maintenance mode with the demo PIN.
    cfg.maintenance.pin_hash = crate::pin::DEMO_PIN_HASH.into();
    cfg
}

/// Run the walkthrough, writing PNGs and `report.json` into `out`.
pub fn run(cfg: Config, out: &Path) -> anyhow::Result<Report> {
    let started = Instant::now();
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    if !cfg!(feature = "layout-check") {
        tracing::warn!(
            "this kiosk binary was built without the layout check (feature `layout-check`): \
             the screens are rendered but not checked for text cut off or covered"
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let _enter = rt.enter();
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

    let mut walk = Walk {
        out: out.to_owned(),
        visits: Vec::new(),
        rendered: HashSet::new(),
        pngs: Vec::new(),
        layout_problems: Vec::new(),
        reached_done: false,
        journal_transitions: 0,
        voice: Vec::new(),
    };
    let mut sessions = Vec::new();
    for session in SESSIONS {
        let first_png = walk.pngs.len();
        walk.session(&rt, &screen, &ui, &cfg, session)
            .with_context(|| format!("session {:?}", session.name))?;
        sessions.push(SessionReport {
            name: session.name,
            about: session.about,
            pngs: walk.pngs[first_png..].to_vec(),
            voice: std::mem::take(&mut walk.voice),
        });
    }

    let report = Report {
        reached_done: walk.reached_done,
        sessions,
        visits: walk.visits,
        pngs: walk.pngs,
        layout_checked: cfg!(feature = "layout-check"),
        layout_problems: walk.layout_problems,
        journal_transitions: walk.journal_transitions,
        total_ms: started.elapsed().as_millis() as u64,
    };
    std::fs::write(out.join("report.json"), serde_json::to_vec_pretty(&report)?)?;
    if !report.reached_done {
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

/// What the sessions have found so far.
struct Walk {
    out: PathBuf,
    visits: Vec<Visit>,
    /// What has been drawn: [`look`]s.
    rendered: HashSet<String>,
    pngs: Vec<String>,
    layout_problems: Vec<String>,
    reached_done: bool,
    journal_transitions: u64,
    /// The last session's voice cues.
    voice: Vec<String>,
}

/// What makes a screen look different: its key, and on the camera and review screens the
/// shots used (还可拍 N 次, and no retake after the third) and the checks a preview flags.
fn look(model: &ScreenModel, key: &str) -> String {
    use kiosk_core::model::Screen;
    match model.screen {
        // The camera screens differ by the shots used and by the glasses choice (现在请摘下眼镜
        // only without glasses).
        // A preview also differs by what its checks flag (each fault has its own).
        Screen::Shoot => {
            let flagged: Vec<&str> = model
                .photo_checks
                .iter()
                .filter(|c| c.pass != Some(true))
                .map(|c| c.en.as_str())
                .collect();
            format!(
                "{key}/{}/{:?}/{}",
                model.shots_used,
                model.glasses,
                flagged.join("|")
            )
        }
        Screen::Review => format!("{key}/{}", model.shots_used),
        _ => key.to_owned(),
    }
}

impl Walk {
    /// One session on a kiosk of its own, drawn into the shared window.
    fn session(
        &mut self,
        rt: &tokio::runtime::Runtime,
        screen: &headless::Screen,
        ui: &Ui,
        base: &Config,
        session: &Session,
    ) -> anyhow::Result<()> {
        // Everything of this session stays in its own directory under `out`: the journal
        // (a session ended mid-way would otherwise resume in the next), the photos, the log
        // the maintenance screen shows.
        let mut cfg = base.clone();
        (session.tune)(&mut cfg);
        let data = std::path::absolute(self.out.join("sessions").join(session.name))?;
        if data.exists() {
            std::fs::remove_dir_all(&data)
                .with_context(|| format!("clearing {}", data.display()))?;
        }
        std::fs::create_dir_all(&data)?;
        cfg.kiosk.data_dir = data.clone();
        cfg.logging.json_file = data.join("kiosk.log.jsonl");
        cfg.voice.record_dir = Some(data.join("voice"));
        let cfg = Arc::new(cfg);

        // The kiosk goes by the walkthrough's clock, moved on only while the walkthrough waits
        // for the kiosk (at most 100 ms a wait), never while it draws and checks a screen:
        // however slow or busy the machine, a graduate who acts at once never meets an idle
        // warning the script did not ask for.
        let clock = Clock::manual(kiosk_core::clock::now_ms());
        let kiosk = assemble::Started::start_on(cfg.clone(), clock.clone())?;
        let (handle, journal) = (kiosk.handle.clone(), kiosk.world.journal.clone());
        let camera_sim = kiosk
            .sims
            .camera
            .clone()
            .context("the walkthrough needs the simulated camera")?;
        let graduate =
            crate::graduate::Graduate::new(&kiosk.sims, crate::graduate::Pace::Immediate);
        graduate.sit_at(session.sit_mm);

        // Decode live-view frames and the photo off the UI thread; the UI takes the latest.
        let latest_frame: Arc<Mutex<Option<Pixels>>> = Arc::default();
        let latest_photo: Arc<Mutex<Option<Pixels>>> = Arc::default();
        let latest_window: Arc<Mutex<Option<[f32; 4]>>> = Arc::default();
        let feeds = [
            rt.spawn(crate::ui_feed::frames(handle.clone(), {
                let slot = latest_frame.clone();
                move |px| *lock(&slot) = px
            })),
            rt.spawn(crate::ui_feed::photo(handle.clone(), {
                let slot = latest_photo.clone();
                move |px| *lock(&slot) = px
            })),
            rt.spawn(crate::ui_feed::face_window(handle.clone(), {
                let slot = latest_window.clone();
                move |w| *lock(&slot) = w
            })),
        ];
        crate::ui_feed::connect(ui, &handle);

        let mut screen_rx = handle.screen.clone();
        let mut seen: Vec<(String, Instant)> = Vec::new();
        let mut step = 0;
        let deadline = Instant::now() + Duration::from_secs(90);
        let script = session.script;
        let outcome = loop {
            if step == script.len() {
                break Ok(());
            }
            if Instant::now() > deadline {
                break Err(anyhow::anyhow!(
                    "stuck: waited for screen {:?}, last seen {:?}",
                    script[step].0,
                    seen.last().map(|v| &v.0)
                ));
            }
            let waiting = Instant::now();
            let _ = rt.block_on(async {
                tokio::time::timeout(Duration::from_millis(100), screen_rx.changed()).await
            });
            clock.advance(waiting.elapsed().as_millis().min(100) as u64);
            let model: ScreenModel = screen_rx.borrow_and_update().clone();
            let photo = lock(&latest_photo).clone();
            let has_photo = photo.is_some();
            ui.set_photo(photo);
            let mut key = model.key();
            ui.render(&model);
            if ui.exit_dialog_open() {
                key.push_str("-confirm-exit");
            }
            if seen.last().map(|v| &v.0) != Some(&key) {
                if seen
                    .last()
                    .is_some_and(|v| v.0.split('-').next() != key.split('-').next())
                {
                    // A new screen: wait for a frame taken on it, not one left from the last.
                    *lock(&latest_frame) = None;
                }
                if key == "shoot-ready" {
                    // Back at the camera (a retake): the next preview must show its own
                    // photo, not the one the kiosk still holds.
                    *lock(&latest_photo) = None;
                }
                seen.push((key.clone(), Instant::now()));
            }
            let frame = lock(&latest_frame).clone();
            let has_frame = frame.is_some();
            ui.set_live_frame(frame);
            let window = *lock(&latest_window);
            ui.set_face_window(window);
            if session.name == "happy" {
                self.reached_done |= key == "done";
            }

            let ready = (!model.live_view || has_frame)
                && (model.shoot_stage != kiosk_core::model::ShootStage::Preview || has_photo)
                && (!["maintenance-test-shot", "review-failed"].contains(&key.as_str()) || has_photo)
                // The chair step is about its hint, the ready screen about the photo's window.
                && (model.screen != kiosk_core::model::Screen::Chair || model.seat_hint.is_some())
                && (key != "shoot-ready" || window.is_some());
            let look = look(&model, &key);
            if ready && !self.rendered.contains(&look) {
                self.draw(screen, ui, &model, session.name, &key)?;
                self.rendered.insert(look);
                // Drawing left the window in English; back to the graduate's language.
                ui.render(&model);
            }

            let (want, action) = script[step];
            // The idle warning may come up on any screen the script lingers on; it is the same
            // screen underneath.
            let matches = key == want || key.strip_suffix("-idle-warning") == Some(want);
            if !matches || !ready {
                continue;
            }
            step += 1;
            match action {
                Do::Press(a) => ui.act(a),
                Do::PresentQr => graduate.show_code(),
                Do::ShowQr(payload) => camera_sim.present_qr(Some(payload)),
                Do::PutAwayQrThen(a) => {
                    graduate.put_code_away();
                    ui.act(a);
                }
                Do::AdjustSeat => {
                    // The chair moves in real time; so does the graduate's wait for it.
                    let moving = Instant::now();
                    rt.block_on(graduate.adjust_seat());
                    clock.advance(moving.elapsed().as_millis() as u64);
                }
                Do::TiltThenPress(deg, a) => {
                    graduate.tilt_head(deg);
                    ui.act(a);
                }
                Do::PoseThenPress(change, a) => {
                    graduate.pose(change);
                    ui.act(a);
                }
                Do::SitThenPress(mm, a) => {
                    graduate.sit_at(mm);
                    ui.act(a);
                }
                Do::JamThenPress(a) => {
                    // Busy on every try the camera actor makes before it gives up.
                    for _ in 0..camera_driver::SHUTTER_BUSY_TRIES {
                        camera_sim.inject(camera_driver::sim::SimFault::Busy);
                    }
                    ui.act(a);
                }
                Do::AskToLeave => ui.leave(),
                Do::Stay => ui.stay(),
                Do::Wait | Do::End => {}
                Do::Unplug => {
                    graduate.put_code_away();
                    camera_sim.unplug(true);
                }
                Do::Replug => camera_sim.unplug(false),
                Do::EnterPin => ui.enter_pin(crate::pin::DEMO_PIN),
            }
        };

        let now = Instant::now();
        for (i, (key, at)) in seen.iter().enumerate() {
            let until = seen.get(i + 1).map_or(now, |v| v.1);
            self.visits.push(Visit {
                session: session.name,
                screen: key.clone(),
                ms: until.duration_since(*at).as_millis() as u64,
            });
        }
        for feed in feeds {
            feed.abort();
        }
        if let Some(voice) = &kiosk.voice {
            self.voice = voice.played.borrow().clone();
        }
        rt.block_on(kiosk.stop());
        self.journal_transitions += journal.transitions().unwrap_or(0);
        outcome
    }

    /// Draw the screen in both languages, check its layout and save the PNGs.
    fn draw(
        &mut self,
        screen: &headless::Screen,
        ui: &Ui,
        model: &ScreenModel,
        session: &str,
        key: &str,
    ) -> anyhow::Result<()> {
        let n = self.pngs.len() / 2 + 1;
        for lang in [Lang::Zh, Lang::En] {
            ui.render(&ScreenModel {
                lang,
                ..model.clone()
            });
            let name = match lang {
                Lang::Zh => format!("{n:02}-{session}-{key}.png"),
                Lang::En => format!("{n:02}-{session}-{key}.en.png"),
            };
            let frame = screen.snapshot();
            #[cfg(feature = "layout-check")]
            for p in kiosk_ui::layout_check::check(ui.window(), &frame) {
                self.layout_problems.push(format!("{name}: {p}"));
            }
            frame.save(self.out.join(&name))?;
            self.pngs.push(name);
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
