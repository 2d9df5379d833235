//! The runtime: feeds events to the flow, journals each transition before acting on it, and
//! carries out the flow's effects, turning the world's answers back into events. The only
//! place where effects meet the world. It decides nothing: what it needs to know arrives as an
//! effect (the device wants, the camera preset, whether the keypad takes PINs), never by
//! looking at the flow's phase.
//!
//! Its rooms:
//! - this file: the loop (step -> journal -> dispatch -> publish);
//! - [`dispatch`]: the dispatch table, each effect to the room that carries it out;
//! - [`camera`]: the camera preset and the shot;
//! - [`service_calls`]: collection-service calls and the heartbeat;
//! - [`health`]: one monitor for camera and serial health, at the rate the flow asks for;
//! - [`devices`]: ordered lights and chair workers, and the emergency stop;
//! - [`sources`]: events from outside (QR worker, USB scanner);
//! - [`maintenance`]: the technician's PIN, checks, test shot and seat;
//! - [`seat`]: the face on the live view (seat hint, eye guide, crop frame) and the seat's
//!   automatic levelling.

mod camera;
mod devices;
mod dispatch;
mod health;
mod maintenance;
mod ops_log;
mod rooms;
mod seat;
mod service_calls;
mod sources;
mod supervisor;

use std::sync::Arc;
use std::time::Duration;

use camera_driver::Frame;
use kiosk_core::flow::{self, Device, Effect, Event, LightPreset, ScannedCode, State};
use kiosk_core::model::ScreenModel;
use tokio::sync::{mpsc, watch};
use tracing::{Instrument, Span, error, info, info_span, warn};

use crate::config::Config;
use crate::journal::Journal;
use kiosk_core::mask;

pub use devices::emergency_stop;
pub use health::{Faults, check_devices};
pub use seat::Tracked;
use supervisor::keep_running;
pub use supervisor::{Ended, settle, spawn_owned};

pub use crate::world::World;

/// What the UI (or a test) holds to watch and drive the kiosk.
#[derive(Clone)]
pub struct Handle {
    /// Send events (touches arrive as `Event::Intent`).
    pub events: mpsc::UnboundedSender<Event>,
    /// The screen to show.
    pub screen: watch::Receiver<ScreenModel>,
    /// The flow state after each transition (tests, walkthrough report).
    pub state: watch::Receiver<State>,
    /// Live-view frames.
    pub frames: watch::Receiver<Option<Arc<Frame>>>,
    /// The photo on the preview screen (processed 480 × 640 JPEG), or the maintenance
    /// screen's test shot.
    pub photo: watch::Receiver<Option<Arc<Vec<u8>>>>,
    /// The face on the live view while the flow tracks it (chair step, ready screen): the
    /// screen's eye marks and crop frame.
    pub tracked: watch::Receiver<Option<Arc<Tracked>>>,
    /// PINs typed on the maintenance keypad. Checked against the config's hash here; never
    /// passed to the flow, the journal or a log.
    pub pins: mpsc::UnboundedSender<String>,
}

/// The runtime; [`Runtime::run`] drives it until shutdown.
pub struct Runtime {
    cfg: Arc<Config>,
    world: World,
    camera: camera::CameraRoom,
    state: State,
    tx: mpsc::UnboundedSender<Event>,
    rx: mpsc::UnboundedReceiver<Event>,
    pins: mpsc::UnboundedReceiver<String>,
    /// The flow's `PinEntry`: whether the keypad is up and PINs are checked.
    pin_entry: bool,
    screen: watch::Sender<ScreenModel>,
    state_tx: watch::Sender<State>,
    photo: watch::Sender<Option<Arc<Vec<u8>>>>,
    scanning: watch::Sender<bool>,
    lights_cmd: watch::Sender<Option<LightPreset>>,
    chair_cmd: watch::Sender<Option<bool>>,
    /// The flow's `FaceTracking`.
    tracking: watch::Sender<bool>,
    /// The tracker's judgements.
    tracked: watch::Sender<Option<Arc<Tracked>>>,
    /// The leveller may drive the seat: auto-level configured, tracking on, motor on.
    level_active: watch::Sender<bool>,
    /// The leveller is driving the seat now.
    levelling: watch::Sender<bool>,
    /// Device faults as reported to the flow (for the health monitor and the heartbeat).
    faults: watch::Sender<Faults>,
    /// The session's span (kiosk and session id); none between sessions.
    span: Span,
    /// The step's span inside it (the step's name); what the session's work runs in.
    step_span: Span,
    /// The out-of-service screen's reference as shown: the flow's, and the kiosk's with the
    /// time it first appeared.
    fault_stamp: Option<(String, String)>,
    /// The effects' work in flight (service calls, captures, checks): owned, so that when the
    /// runtime ends (stopped, or aborted as by a power cut) none of it runs on behind it with
    /// the world it holds; the journal says what to do again after a restart. Finished ones are
    /// reaped on every tick.
    effects: tokio::task::JoinSet<()>,
}

/// How an event is written to the journal and logs: no personal data, no full codes.
pub fn describe(event: &Event) -> String {
    match event {
        Event::CodeScanned(ScannedCode::Personal(code)) => {
            format!("CodeScanned(Personal {})", mask::token(code))
        }
        Event::CodeResolved { shots_used, .. } => format!("CodeResolved(shots_used={shots_used})"),
        Event::OrderCreated(o) => format!("OrderCreated({}, {} fen)", o.id, o.amount_fen),
        other => format!("{other:?}"),
    }
}

impl Runtime {
    /// A runtime over `world`, resuming from the journal's last state if there is one.
    pub fn new(cfg: Arc<Config>, world: World) -> (Self, Handle) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (pins_tx, pins) = mpsc::unbounded_channel();
        let state = world
            .journal
            .resume_state(world.clock.now_ms(), cfg.kiosk.language);
        // Photos of no session in progress (a killed kiosk's, a late capture's) go now.
        keep_session_photos(&world.journal, &state);
        crate::retention::sweep(&world.journal, &cfg, world.clock.now_ms());
        let (screen, screen_rx) = watch::channel(flow::view(&cfg.flow, &state));
        let (state_tx, state_rx) = watch::channel(state.clone());
        let (photo, photo_rx) = watch::channel(None);
        let (tracked, tracked_rx) = watch::channel(None);
        let handle = Handle {
            events: tx.clone(),
            screen: screen_rx,
            state: state_rx,
            frames: world.camera.frames(),
            photo: photo_rx,
            tracked: tracked_rx,
            pins: pins_tx,
        };
        let runtime = Self {
            camera: camera::CameraRoom::new(
                world.camera.clone(),
                cfg.camera.presets.clone(),
                world.photo.clone(),
            ),
            cfg,
            world,
            state,
            tx,
            rx,
            pins,
            pin_entry: false,
            screen,
            state_tx,
            photo,
            scanning: watch::channel(false).0,
            lights_cmd: watch::channel(None).0,
            chair_cmd: watch::channel(None).0,
            tracking: watch::channel(false).0,
            tracked,
            level_active: watch::channel(false).0,
            levelling: watch::channel(false).0,
            faults: watch::channel(Faults::default()).0,
            span: Span::none(),
            step_span: Span::none(),
            fault_stamp: None,
            effects: tokio::task::JoinSet::new(),
        };
        (runtime, handle)
    }

    /// Run until `shutdown` completes; then lights off and chair motor off.
    pub async fn run(mut self, shutdown: impl std::future::Future<Output = ()>) {
        let (rooms, workers) = self.start_rooms();
        info!(
            code = kiosk_core::ops::code::KIOSK_STARTED,
            kiosk = %self.cfg.kiosk.id,
            version = env!("CARGO_PKG_VERSION"),
            "kiosk started"
        );
        if let Some(seq) = self.state.session.as_ref().map(|s| s.seq) {
            self.span = self.session_span(seq);
            info!(parent: &self.span, code = kiosk_core::ops::code::SESSION_RESUMED, "resuming session after restart");
        }
        self.apply(Event::Tick {
            now_ms: self.world.clock.now_ms(),
        });
        self.apply(Event::Restored);

        let mut tick = tokio::time::interval(Duration::from_millis(200));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        tokio::pin!(shutdown);
        kiosk_ops::systemd::ready();
        let mut watchdog = kiosk_ops::systemd::Watchdog::from_env();
        loop {
            tokio::select! {
                Some(event) = self.rx.recv() => self.apply(event),
                Some(pin) = self.pins.recv() => self.check_pin(pin),
                _ = tick.tick() => {
                    while self.effects.try_join_next().is_some() {}
                    self.apply(Event::Tick { now_ms: self.world.clock.now_ms() });
                    watchdog.pet(std::time::Instant::now());
                }
                () = &mut shutdown => break,
            }
        }
        kiosk_ops::systemd::stopping();
        info!(
            code = kiosk_core::ops::code::KIOSK_STOPPED,
            "shutting down: chair motor off, lights off"
        );
        // Through the same ordered workers, so nothing queued earlier lands after this.
        self.chair_cmd.send_replace(Some(false));
        self.lights_cmd.send_replace(Some(LightPreset::Off));
        let Self {
            chair_cmd,
            lights_cmd,
            ..
        } = self;
        drop((chair_cmd, lights_cmd));
        if tokio::time::timeout(Duration::from_secs(3), async {
            for worker in workers {
                let _ = worker.await;
            }
        })
        .await
        .is_err()
        {
            error!("devices did not confirm shutdown within 3 s");
        }
        // The other rooms end here (also when this task is aborted instead: they are owned).
        drop(rooms);
    }

    fn session_span(&self, seq: u64) -> Span {
        info_span!("session", kiosk = %self.cfg.kiosk.id, id = %format!("{}-{}", self.cfg.kiosk.id, seq))
    }

    /// One transition: step, journal, act, publish.
    fn apply(&mut self, event: Event) {
        let is_tick = matches!(event, Event::Tick { .. });
        let is_capture = matches!(event, Event::Captured { .. });
        let summary = describe(&event);
        if let Event::OrderCreated(order) = &event
            && order.amount_fen != self.cfg.notice.price_fen
        {
            // As text, as every coded line's figures (`kiosk logs summary` reads them so).
            warn!(
                code = kiosk_core::ops::code::ORDER_PRICE_DIFFERS,
                amount_fen = %order.amount_fen,
                price_fen = %self.cfg.notice.price_fen,
                "the order is for another amount than the screens promised ([notice] price_fen)"
            );
        }
        let faults_changed = self.faults.send_if_modified(|f| f.note(&event));
        let (next, effects) = flow::step(&self.cfg.flow, self.state.clone(), event.clone());
        let now = self.world.clock.now_ms();
        let mut step_entered = None;
        for seen in kiosk_core::ops::observe(&self.state, &event, &effects, &next) {
            if let kiosk_core::ops::Observed::StepEntered { step } = seen {
                step_entered = Some(step);
            }
            self.world.metrics.observe(&seen, now);
            ops_log::emit(&self.cfg.kiosk.id, session_of(&self.state, &next), &seen);
        }
        let significant = !effects.is_empty() || {
            let mut a = next.clone();
            a.now_ms = self.state.now_ms;
            a.last_activity_ms = self.state.last_activity_ms;
            a != self.state
        };
        if significant || faults_changed {
            self.world
                .metrics
                .follow(&next, &self.faults.borrow().by_device);
        }
        if significant {
            if !is_tick {
                tracing::debug!(parent: &self.step_span, event = %summary, "event");
            }
            if let Err(e) = self.world.journal.record(&summary, &next) {
                error!(code = kiosk_core::ops::code::JOURNAL_WRITE_FAILED, error = %e, "journal write failed; continuing without it");
            }
        }
        if is_capture {
            // A capture that finished after its session ended stored a photo nobody will use.
            keep_session_photos(&self.world.journal, &next);
        }
        self.state = next;
        // The spans first, so the work this transition starts runs in the step it enters.
        for effect in &effects {
            if let Effect::SessionStarted { seq } = effect {
                self.span = self.session_span(*seq);
            }
        }
        if let Some(step) = step_entered {
            self.step_span = if self.span.is_none() {
                Span::none()
            } else {
                info_span!(parent: &self.span, "step", step = step.name())
            };
        }
        for effect in effects {
            self.execute(effect);
        }
        let mut new = flow::view(&self.cfg.flow, &self.state);
        new.fault_reference = new.fault_reference.map(|r| self.stamp_fault(r));
        self.screen.send_if_modified(|m| {
            let changed = *m != new;
            *m = new;
            changed
        });
        if significant {
            self.state_tx.send_replace(self.state.clone());
        }
    }

    /// An operator looks a fault up by kiosk, fault and time: "kiosk · device-kind · HH:MM UTC"
    /// (UTC, as the logs are), stamped when the fault first shows.
    fn stamp_fault(&mut self, reference: String) -> String {
        match &self.fault_stamp {
            Some((raw, shown)) if *raw == reference => shown.clone(),
            _ => {
                let now = time::OffsetDateTime::now_utc();
                let shown = format!(
                    "{} · {reference} · {:02}:{:02} UTC",
                    self.cfg.kiosk.id,
                    now.hour(),
                    now.minute()
                );
                self.fault_stamp = Some((reference, shown.clone()));
                shown
            }
        }
    }

    fn check_pin(&mut self, pin: String) {
        if self.pin_entry {
            let hash = self.cfg.maintenance.pin_hash.clone();
            self.spawn(async move { Some(maintenance::check_pin(pin, hash).await) });
        }
    }

    /// Run `work` in the step's span (inside the session's) and feed its answer back to the
    /// flow.
    fn spawn(&mut self, work: impl std::future::Future<Output = Option<Event>> + Send + 'static) {
        let tx = self.tx.clone();
        let span = if self.step_span.is_none() {
            self.span.clone()
        } else {
            self.step_span.clone()
        };
        self.effects.spawn(
            async move {
                if let Some(event) = work.await {
                    let _ = tx.send(event);
                }
            }
            .instrument(span),
        );
    }

    /// The seat levels itself only with `chair.auto_level`, while faces are tracked and the
    /// motor is enabled (the flow does both only in the chair step).
    fn update_levelling(&self) {
        let active = self.cfg.chair.auto_level
            && *self.tracking.borrow()
            && *self.chair_cmd.borrow() == Some(true);
        self.level_active
            .send_if_modified(|a| std::mem::replace(a, active) != active);
    }
}

/// The session a transition belongs to (the one that just ended, on its last transition).
fn session_of(prev: &State, next: &State) -> Option<u64> {
    next.session
        .as_ref()
        .or(prev.session.as_ref())
        .map(|s| s.seq)
}

/// Delete every journaled photo that is not the current session's.
fn keep_session_photos(journal: &Journal, state: &State) {
    let code = state.session.as_ref().and_then(|s| s.code.as_deref());
    match journal.keep_photos_of(code) {
        Ok(0) => {}
        Ok(n) => info!(photos = n, "photos of no current session deleted"),
        Err(e) => warn!(
            code = kiosk_core::ops::code::PHOTO_DELETE_FAILED,
            error = %e,
            "could not delete photos of no current session"
        ),
    }
}

/// Run the runtime to completion and make the booth safe if it panics; `ended` says how it
/// ended ([`supervisor::settle`]).
pub async fn supervise(
    runtime: Runtime,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ended: watch::Sender<Ended>,
) {
    let world = runtime.world.clone();
    let outcome = supervisor::settle(&world, spawn_owned(runtime.run(shutdown))).await;
    ended.send_replace(outcome);
}
