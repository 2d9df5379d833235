//! The runtime: feeds events to the flow, journals each transition before acting on it, and
//! carries out the flow's effects against the camera, lights, chair and collection service,
//! turning their answers back into events. The only place where effects meet the world.

use std::sync::Arc;
use std::time::Duration;

use camera_driver::{CameraActor, ErrorKind as CamErr, Frame, Health};
use chair_control::{Chair, Lights};
use kiosk_core::model::ScreenModel;
use tokio::sync::{mpsc, watch};
use tracing::{Instrument, Span, error, info, info_span, warn};

use crate::config::Config;
use crate::journal::Journal;
use crate::mask;
use crate::photo;
use crate::qr;
use crate::service::{CollectionService, ServiceError};
use kiosk_core::flow::{
    self, CaptureProblem, ChairMove, Device, Effect, Event, LightPreset, Phase, ScannedCode,
    ServiceOp, State,
};

/// What the runtime drives.
#[derive(Clone)]
pub struct World {
    /// The camera thread.
    pub camera: Arc<CameraActor>,
    /// Studio lights.
    pub lights: Arc<Lights>,
    /// The chair.
    pub chair: Arc<Chair>,
    /// The collection service.
    pub service: Arc<dyn CollectionService>,
    /// The journal.
    pub journal: Arc<Journal>,
}

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
    /// The photo on the preview screen (processed 480 × 640 JPEG), or the maintenance screen's
    /// test shot.
    pub photo: watch::Receiver<Option<Arc<Vec<u8>>>>,
    /// PINs typed on the maintenance keypad. Checked against the config's hash here; never passed
    /// to the flow, the journal or a log.
    pub pins: mpsc::UnboundedSender<String>,
}

/// The runtime; [`Runtime::run`] drives it until shutdown.
pub struct Runtime {
    cfg: Arc<Config>,
    parts: World,
    state: State,
    tx: mpsc::UnboundedSender<Event>,
    rx: mpsc::UnboundedReceiver<Event>,
    pins: mpsc::UnboundedReceiver<String>,
    screen: watch::Sender<ScreenModel>,
    state_tx: watch::Sender<State>,
    photo: watch::Sender<Option<Arc<Vec<u8>>>>,
    scanning: watch::Sender<bool>,
    lights_cmd: watch::Sender<Option<LightPreset>>,
    chair_cmd: watch::Sender<Option<bool>>,
    /// The camera preset last applied (true: glasses), so a shot does not wait for it twice.
    camera_preset: Arc<std::sync::Mutex<Option<bool>>>,
    span: Span,
}

pub use crate::clock::now_ms;

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

fn camera_problem(kind: CamErr) -> CaptureProblem {
    match kind {
        CamErr::Timeout => CaptureProblem::Timeout,
        CamErr::Disconnected | CamErr::Claimed | CamErr::ActorGone => CaptureProblem::Disconnected,
        _ => CaptureProblem::Busy,
    }
}

impl Runtime {
    /// A runtime over `parts`, resuming from the journal's last state if there is one.
    pub fn new(cfg: Arc<Config>, parts: World) -> (Self, Handle) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (pins_tx, pins) = mpsc::unbounded_channel();
        let now = now_ms();
        let state = parts.journal.resume_state(now, cfg.kiosk.language);
        let (screen, screen_rx) = watch::channel(flow::view(&cfg.flow, &state));
        let (state_tx, state_rx) = watch::channel(state.clone());
        let (photo, photo_rx) = watch::channel(None);
        let (scanning, _) = watch::channel(false);
        let (lights_cmd, _) = watch::channel(None);
        let (chair_cmd, _) = watch::channel(None);
        let handle = Handle {
            events: tx.clone(),
            screen: screen_rx,
            state: state_rx,
            frames: parts.camera.frames(),
            photo: photo_rx,
            pins: pins_tx,
        };
        let runtime = Self {
            cfg,
            parts,
            state,
            tx,
            rx,
            pins,
            screen,
            state_tx,
            photo,
            scanning,
            lights_cmd,
            chair_cmd,
            camera_preset: Arc::default(),
            span: Span::none(),
        };
        (runtime, handle)
    }

    /// Run until `shutdown` completes; then lights off and chair motor off.
    pub async fn run(mut self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::spawn(qr_worker(
            self.parts.camera.frames(),
            self.scanning.subscribe(),
            self.cfg.qr.clone(),
            self.tx.clone(),
        ));
        tokio::spawn(health_watcher(self.parts.clone(), self.tx.clone()));
        tokio::spawn(heartbeats(
            self.parts.clone(),
            self.cfg.clone(),
            self.screen.subscribe(),
            self.state_tx.subscribe(),
        ));
        let (scanned_tx, scanned) = mpsc::unbounded_channel();
        tokio::spawn(crate::scanner::run(self.cfg.scanner.clone(), scanned_tx));
        tokio::spawn(scanner_worker(
            scanned,
            self.scanning.subscribe(),
            self.cfg.qr.clone(),
            self.tx.clone(),
        ));
        tokio::spawn(serial_monitor(
            self.parts.clone(),
            self.state_tx.subscribe(),
            self.tx.clone(),
            Duration::from_millis(self.cfg.serial.chair_poll_ms),
            Duration::from_millis(self.cfg.serial.health_interval_ms),
        ));
        let lights = self.parts.lights.clone();
        let lights_task = tokio::spawn(device_worker(
            Device::Lights,
            self.lights_cmd.subscribe(),
            self.tx.clone(),
            move |preset: LightPreset| {
                let lights = lights.clone();
                async move { lights.preset(preset.name()).await }
            },
        ));
        let chair = self.parts.chair.clone();
        let chair_task = tokio::spawn(device_worker(
            Device::Chair,
            self.chair_cmd.subscribe(),
            self.tx.clone(),
            move |on: bool| {
                let chair = chair.clone();
                async move { chair.motor(on).await }
            },
        ));
        if self.state.session.is_some() {
            let seq = self.state.session.as_ref().map_or(0, |s| s.seq);
            self.span = self.session_span(seq);
            info!(parent: &self.span, "resuming session after restart");
        }
        self.apply(Event::Tick { now_ms: now_ms() });
        self.apply(Event::Restored);

        let mut tick = tokio::time::interval(Duration::from_millis(200));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                Some(event) = self.rx.recv() => self.apply(event),
                Some(pin) = self.pins.recv() => self.check_pin(pin),
                _ = tick.tick() => self.apply(Event::Tick { now_ms: now_ms() }),
                () = &mut shutdown => break,
            }
        }
        info!("shutting down: chair motor off, lights off");
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
            let _ = chair_task.await;
            let _ = lights_task.await;
        })
        .await
        .is_err()
        {
            error!("devices did not confirm shutdown within 3 s");
        }
    }

    fn session_span(&self, seq: u64) -> Span {
        info_span!("session", id = %format!("{}-{}", self.cfg.kiosk.id, seq))
    }

    /// One transition: step, journal, act, publish.
    fn apply(&mut self, event: Event) {
        let is_tick = matches!(event, Event::Tick { .. });
        let summary = describe(&event);
        let old_code = self.state.session.as_ref().and_then(|s| s.code.clone());
        let (next, effects) = flow::step(&self.cfg.flow, self.state.clone(), event);
        let significant = !effects.is_empty() || {
            let mut a = next.clone();
            a.now_ms = self.state.now_ms;
            a.last_activity_ms = self.state.last_activity_ms;
            a != self.state
        };
        if significant {
            if !is_tick {
                tracing::debug!(parent: &self.span, event = %summary, "event");
            }
            if let Err(e) = self.parts.journal.record(&summary, &next) {
                error!(error = %e, "journal write failed; continuing without it");
            }
        }
        self.state = next;
        for effect in effects {
            if let Effect::SessionEnded { ref outcome, .. } = effect
                && let Some(code) = &old_code
            {
                // Whatever the service does not hold by now was not chosen: delete it.
                if let Err(e) = self.parts.journal.delete_photos(code) {
                    warn!(error = %e, "could not delete the session's photos");
                }
                info!(parent: &self.span, outcome = %outcome, "session ended");
            }
            self.execute(effect);
        }
        self.screen.send_if_modified(|m| {
            let mut new = flow::view(&self.cfg.flow, &self.state);
            // Staff need to know which kiosk: "kiosk-id/device-kind".
            new.fault_reference = new
                .fault_reference
                .map(|r| format!("{}/{r}", self.cfg.kiosk.id));
            let changed = *m != new;
            *m = new;
            changed
        });
        if significant {
            self.state_tx.send_replace(self.state.clone());
        }
    }

    /// A PIN from the maintenance keypad: verified off the async threads (Argon2id is slow on
    /// purpose), answered to the flow as `PinChecked`. Ignored unless the keypad is up.
    fn check_pin(&self, pin: String) {
        if !matches!(self.state.phase, Phase::MaintenancePin { .. }) {
            return;
        }
        let hash = self.cfg.service_mode.pin_hash.clone();
        self.spawn(async move {
            let ok =
                tokio::task::spawn_blocking(move || crate::maintenance::verify_pin(&pin, &hash))
                    .await
                    .unwrap_or(false);
            if ok {
                info!("maintenance PIN accepted");
            } else {
                warn!("maintenance PIN refused");
            }
            Some(Event::PinChecked { ok })
        });
    }

    fn spawn(&self, work: impl std::future::Future<Output = Option<Event>> + Send + 'static) {
        let tx = self.tx.clone();
        tokio::spawn(
            async move {
                if let Some(event) = work.await {
                    let _ = tx.send(event);
                }
            }
            .instrument(self.span.clone()),
        );
    }

    fn service_timeout(&self) -> Duration {
        Duration::from_millis(self.cfg.service.timeout_ms)
    }

    fn execute(&mut self, effect: Effect) {
        let service = self.parts.service.clone();
        let timeout = self.service_timeout();
        match effect {
            Effect::LiveView(on) => self.parts.camera.live_view(on),
            Effect::QrScanning(on) => {
                self.scanning.send_replace(on);
            }
            Effect::Lights(preset) => {
                self.lights_cmd.send_replace(Some(preset));
                // The shooting light is chosen: set the camera up for it now, well before
                // the shot.
                let glasses = match preset {
                    LightPreset::Glasses => Some(true),
                    LightPreset::Standard => Some(false),
                    _ => None,
                };
                if let Some(glasses) = glasses {
                    let (camera, cfg) = (self.parts.camera.clone(), self.cfg.clone());
                    let applied = self.camera_preset.clone();
                    self.spawn(async move {
                        apply_camera_preset(&camera, &cfg, glasses, &applied).await;
                        None
                    });
                }
            }
            Effect::ChairMotor(on) => {
                self.chair_cmd.send_replace(Some(on));
            }
            Effect::ResolveCode { code } => {
                let journal = self.parts.journal.clone();
                self.spawn(async move {
                    match bounded(timeout, service.resolve(&code)).await {
                        Ok(r) => {
                            let shots_used =
                                r.shots_used.max(journal.shots_used(&code).unwrap_or(0));
                            info!(
                                name = %mask::name(&r.identity.name),
                                id = %mask::id_number(&r.identity.id_number),
                                shots_used,
                                "code resolved"
                            );
                            Some(Event::CodeResolved {
                                identity: r.identity,
                                shots_used,
                            })
                        }
                        Err(ServiceError::Rejected(reason)) => Some(Event::CodeRejected(reason)),
                        Err(e) => service_failure(ServiceOp::Resolve, &e),
                    }
                });
            }
            Effect::Capture { shot } => self.capture(shot),
            Effect::Upload { code, shot } => {
                let journal = self.parts.journal.clone();
                self.spawn(async move {
                    let jpeg = match journal.photo(&code, shot) {
                        Ok(Some(jpeg)) => jpeg,
                        other => {
                            error!(?other, shot, "the photo to upload is not in the journal");
                            return Some(Event::ServiceFailed(ServiceOp::Upload));
                        }
                    };
                    match bounded(timeout, service.upload(&code, shot, &jpeg)).await {
                        Ok(submission) => {
                            // The service holds the photo now: no copy stays on the kiosk.
                            if let Err(e) = journal.delete_photos(&code) {
                                warn!(error = %e, "could not delete uploaded photos");
                            }
                            info!(shot, %submission, "photo uploaded");
                            Some(Event::Uploaded { submission })
                        }
                        Err(e) => service_failure(ServiceOp::Upload, &e),
                    }
                });
            }
            Effect::PollReview { submission } => self.spawn(async move {
                match bounded(timeout, service.review(&submission)).await {
                    Ok(state) => Some(Event::ReviewUpdate(state)),
                    Err(e) => service_failure(ServiceOp::Review, &e),
                }
            }),
            Effect::CreateOrder { submission } => self.spawn(async move {
                match bounded(timeout, service.create_order(&submission)).await {
                    Ok(order) => Some(Event::OrderCreated(order)),
                    Err(e) => service_failure(ServiceOp::CreateOrder, &e),
                }
            }),
            Effect::PollPayment { order } => self.spawn(async move {
                match bounded(timeout, service.payment(&order)).await {
                    Ok(state) => Some(Event::PaymentUpdate(state)),
                    Err(e) => service_failure(ServiceOp::Payment, &e),
                }
            }),
            Effect::CloseOrder { order } => self.spawn(async move {
                if let Err(e) = bounded(timeout, service.close_order(&order)).await {
                    warn!(error = %e, %order, "could not close the order");
                }
                None
            }),
            Effect::CheckDevices => {
                let parts = self.parts.clone();
                self.spawn(async move { Some(check_devices(&parts).await) });
            }
            Effect::MaintenanceDiagnostics => {
                let (parts, cfg) = (self.parts.clone(), self.cfg.clone());
                let test_shot = self.service_report().and_then(|r| r.test_shot);
                self.spawn(async move {
                    let report = crate::maintenance::diagnostics(&parts, &cfg, test_shot).await;
                    Some(Event::MaintenanceReport(report))
                });
            }
            Effect::MaintenanceTestShot => {
                let (parts, cfg) = (self.parts.clone(), self.cfg.clone());
                let mut report = self.service_report().unwrap_or_default();
                let photo_tx = self.photo.clone();
                self.spawn(async move {
                    let (line, jpeg) = crate::maintenance::test_shot(&parts, &cfg).await;
                    info!(result = %line, "service test shot");
                    photo_tx.send_replace(jpeg.map(Arc::new));
                    report.test_shot = Some(line);
                    report.busy = false;
                    Some(Event::MaintenanceReport(report))
                });
            }
            Effect::ChairDrive(direction) => {
                let chair = self.parts.chair.clone();
                let tx = self.tx.clone();
                let direction = match direction {
                    ChairMove::Up => Some(chair_control::Direction::Up),
                    ChairMove::Down => Some(chair_control::Direction::Down),
                    ChairMove::Stop => None,
                };
                tokio::spawn(async move {
                    if let Err(e) = chair.drive(direction).await {
                        warn!(error = %e, "maintenance mode: the chair did not take the command");
                        let _ = tx.send(Event::DeviceFault {
                            device: Device::Chair,
                            kind: e.kind().name().into(),
                        });
                    }
                });
            }
            Effect::MaintenanceMode { open } => {
                self.photo.send_replace(None);
                info!(
                    open,
                    "maintenance mode {}",
                    if open { "opened" } else { "closed" }
                );
            }
            Effect::SessionStarted { seq } => {
                self.span = self.session_span(seq);
                info!(parent: &self.span, "session started");
            }
            Effect::SessionEnded { .. } => {
                // The next graduate's choice is applied afresh (the camera may have been
                // re-plugged or touched by a technician in between).
                *self.camera_preset.lock().unwrap_or_else(|p| p.into_inner()) = None;
                self.span = Span::none();
                self.photo.send_replace(None);
            }
        }
    }

    /// The maintenance screen's current report, if it is up.
    fn service_report(&self) -> Option<kiosk_core::model::MaintenanceView> {
        match &self.state.phase {
            Phase::Maintenance(panel) => panel.report.clone(),
            _ => None,
        }
    }

    fn capture(&mut self, shot: u8) {
        let Some(code) = self.state.session.as_ref().and_then(|s| s.code.clone()) else {
            return;
        };
        let camera = self.parts.camera.clone();
        let journal = self.parts.journal.clone();
        let photo_tx = self.photo.clone();
        let photo_cfg = self.cfg.photo.clone();
        let glasses = self.state.session.as_ref().and_then(|s| s.glasses);
        let (cfg, applied) = (self.cfg.clone(), self.camera_preset.clone());
        self.spawn(async move {
            if let Some(glasses) = glasses {
                apply_camera_preset(&camera, &cfg, glasses, &applied).await;
            }
            let started = std::time::Instant::now();
            let raw = match camera.capture().await {
                Ok(raw) => raw,
                Err(e) => {
                    warn!(error = %e, shot, "capture failed; not counted");
                    return Some(Event::CaptureFailed(camera_problem(e.kind())));
                }
            };
            let processed =
                tokio::task::spawn_blocking(move || photo::process(&photo_cfg, &raw)).await;
            let jpeg = match processed {
                Ok(Ok(jpeg)) => jpeg,
                other => {
                    error!(
                        ?other,
                        shot, "the camera's image could not be processed; not counted"
                    );
                    return Some(Event::CaptureFailed(CaptureProblem::Busy));
                }
            };
            // Counted only once the photo is safely in the journal.
            if let Err(e) = journal.store_shot(&code, shot, &jpeg) {
                error!(error = %e, shot, "could not journal the photo; not counted");
                return Some(Event::CaptureFailed(CaptureProblem::Busy));
            }
            info!(
                shot,
                ms = started.elapsed().as_millis() as u64,
                bytes = jpeg.len(),
                "shot taken"
            );
            photo_tx.send_replace(Some(Arc::new(jpeg)));
            Some(Event::Captured { shot })
        });
    }
}

/// Apply the camera settings for the lighting mode unless they already are, reading back what
/// the camera accepted. A refused setting is logged and the shot goes ahead with what the
/// camera has (a slightly different exposure beats no photo).
async fn apply_camera_preset(
    camera: &CameraActor,
    cfg: &Config,
    glasses: bool,
    applied: &std::sync::Mutex<Option<bool>>,
) {
    if *applied.lock().unwrap_or_else(|p| p.into_inner()) == Some(glasses) {
        return;
    }
    let (name, preset) = if glasses {
        ("glasses", &cfg.camera.presets.glasses)
    } else {
        ("standard", &cfg.camera.presets.standard)
    };
    let mut all = true;
    for (key, want) in preset {
        match camera.set_config(key, want).await {
            Ok(got) if got == *want => {}
            Ok(got) => {
                warn!(preset = name, key = %key, wanted = %want, accepted = %got, "the camera took a different value");
            }
            Err(e) => {
                all = false;
                warn!(preset = name, key = %key, wanted = %want, error = %e, "the camera refused a preset setting");
            }
        }
    }
    info!(
        preset = name,
        settings = preset.len(),
        "camera preset applied"
    );
    // A refused setting is tried again before the next shot (the camera may have been busy).
    *applied.lock().unwrap_or_else(|p| p.into_inner()) = all.then_some(glasses);
}

/// Tell the service every `service.heartbeat_secs` that this kiosk is alive: the screen it
/// shows and its devices ("ok" or a fault reference). No personal data. A failed heartbeat is
/// only logged: the next one follows.
async fn heartbeats(
    parts: World,
    cfg: Arc<Config>,
    screen: watch::Receiver<ScreenModel>,
    state: watch::Receiver<State>,
) {
    let mut tick = tokio::time::interval(Duration::from_secs(cfg.service.heartbeat_secs.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let mut devices = std::collections::BTreeMap::new();
        let camera = match &*parts.camera.health().borrow() {
            Health::Connected(_) => "ok".to_owned(),
            Health::Starting => "starting".to_owned(),
            Health::Disconnected { kind, .. } => format!("camera-{}", kind.name()),
        };
        devices.insert("camera".to_owned(), camera);
        let fault = {
            let s = state.borrow();
            match &s.phase {
                Phase::OutOfService { reference } => Some(reference.clone()),
                _ => s.pending_fault.clone(),
            }
        };
        devices.insert("fault".to_owned(), fault.unwrap_or_else(|| "ok".into()));
        let beat = crate::service::wire::Heartbeat {
            kiosk: cfg.kiosk.id.clone(),
            screen: kiosk_ui::screen_key(&screen.borrow()),
            devices,
        };
        let timeout = Duration::from_millis(cfg.service.timeout_ms);
        if let Err(e) = bounded(timeout, parts.service.heartbeat(&beat)).await {
            tracing::debug!(error = %e, "heartbeat not delivered");
        }
    }
}

/// A service call bounded by the configured timeout; no answer in time is `Unavailable`.
async fn bounded<T>(
    timeout: Duration,
    call: impl std::future::Future<Output = Result<T, ServiceError>>,
) -> Result<T, ServiceError> {
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or_else(|_| {
            Err(ServiceError::Unavailable(format!(
                "no answer within {} ms",
                timeout.as_millis()
            )))
        })
}

/// A failed service call becomes the flow's `ServiceFailed`; polls fail quietly (the next poll
/// follows in seconds), the rest are warnings.
fn service_failure(op: ServiceOp, e: &ServiceError) -> Option<Event> {
    if matches!(op, ServiceOp::Review | ServiceOp::Payment) {
        tracing::debug!(?op, error = %e, "service poll failed");
    } else {
        warn!(?op, error = %e, "service call failed");
    }
    Some(Event::ServiceFailed(op))
}

/// Make the booth safe from outside the runtime (it panicked or hung): chair motor off, lights
/// off. Called by whoever supervises the runtime task.
pub async fn emergency_stop(parts: &World) {
    error!("runtime stopped abnormally: disabling the chair motor and switching the lights off");
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        if let Err(e) = parts.chair.motor(false).await {
            error!(error = %e, "could not disable the chair motor");
        }
        if let Err(e) = parts.lights.preset("off").await {
            error!(error = %e, "could not switch the lights off");
        }
    })
    .await;
}

/// Run the runtime to completion and make the booth safe if it panics.
pub async fn supervise(
    runtime: Runtime,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let parts = runtime.parts.clone();
    if tokio::spawn(runtime.run(shutdown)).await.is_err() {
        emergency_stop(&parts).await;
    }
}

/// Ask every device whether it answers.
pub async fn check_devices(parts: &World) -> Event {
    parts.camera.reconnect();
    if let Err(e) = parts.camera.info().await {
        return Event::DeviceFault {
            device: Device::Camera,
            kind: e.kind().name().into(),
        };
    }
    if let Err(e) = parts.lights.levels().await {
        return Event::DeviceFault {
            device: Device::Lights,
            kind: e.kind().name().into(),
        };
    }
    if let Err(e) = parts.chair.status().await {
        return Event::DeviceFault {
            device: Device::Chair,
            kind: e.kind().name().into(),
        };
    }
    Event::DevicesHealthy
}

/// Camera health → flow events: lost → fault; back → check everything → healthy.
async fn health_watcher(parts: World, tx: mpsc::UnboundedSender<Event>) {
    let mut health = parts.camera.health();
    let mut was_down = false;
    loop {
        let current = health.borrow_and_update().clone();
        match current {
            Health::Disconnected { kind, .. } => {
                was_down = true;
                let _ = tx.send(Event::DeviceFault {
                    device: Device::Camera,
                    kind: kind.name().into(),
                });
            }
            Health::Connected(_) if was_down => {
                was_down = false;
                let _ = tx.send(check_devices(&parts).await);
            }
            _ => {}
        }
        if health.changed().await.is_err() {
            return;
        }
    }
}

/// While scanning is on, decode the newest live-view frame on a blocking worker; frames that
/// arrive meanwhile are skipped (the watch channel keeps only the latest). The same payload is
/// reported again only after two seconds.
async fn qr_worker(
    mut frames: watch::Receiver<Option<Arc<Frame>>>,
    mut scanning: watch::Receiver<bool>,
    rules: qr::QrRules,
    tx: mpsc::UnboundedSender<Event>,
) {
    let mut last: Option<(String, std::time::Instant)> = None;
    loop {
        if !*scanning.borrow_and_update() {
            if scanning.changed().await.is_err() {
                return;
            }
            continue;
        }
        tokio::select! {
            r = frames.changed() => if r.is_err() { return },
            r = scanning.changed() => { if r.is_err() { return } continue; }
        }
        let Some(frame) = frames.borrow_and_update().clone() else {
            continue;
        };
        let Ok(Ok(codes)) =
            tokio::task::spawn_blocking(move || qr::decode_image(&frame.jpeg)).await
        else {
            continue;
        };
        for payload in codes {
            if last
                .as_ref()
                .is_some_and(|(p, at)| *p == payload && at.elapsed() < Duration::from_secs(2))
            {
                continue;
            }
            let kind = qr::classify(&rules, &payload);
            let kind_name = match kind {
                ScannedCode::Personal(_) => "personal",
                ScannedCode::RawChsi => "raw_chsi",
                ScannedCode::Foreign => "foreign",
            };
            info!(code = %mask::token(&payload), kind = kind_name, "QR code read");
            last = Some((payload, std::time::Instant::now()));
            let _ = tx.send(Event::CodeScanned(kind));
            break;
        }
    }
}

/// Applies one device's commands one at a time, in order; when several are waiting only the
/// newest is applied (it is the state the flow wants now). Independent tasks could land out of
/// order and, say, leave the booth dim during a shot. A failure becomes a `DeviceFault`.
async fn device_worker<T, F, Fut>(
    device: Device,
    mut wanted: watch::Receiver<Option<T>>,
    tx: mpsc::UnboundedSender<Event>,
    apply: F,
) where
    T: Copy + std::fmt::Debug,
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<(), chair_control::DeviceError>>,
{
    while wanted.changed().await.is_ok() {
        let Some(command) = *wanted.borrow_and_update() else {
            continue;
        };
        if let Err(e) = apply(command).await {
            error!(device = device.name(), ?command, error = %e, "device command failed");
            let _ = tx.send(Event::DeviceFault {
                device,
                kind: e.kind().name().into(),
            });
        }
    }
}

/// Reads the chair's status often during the chair step (a motor fault must stop the step at
/// once) and checks lights and chair now and then otherwise, so a dead bus is noticed before
/// a graduate needs it. A device that answers again is reported healthy after a full check.
async fn serial_monitor(
    parts: World,
    state: watch::Receiver<State>,
    tx: mpsc::UnboundedSender<Event>,
    chair_poll: Duration,
    health_interval: Duration,
) {
    let mut tick = tokio::time::interval(chair_poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_check = std::time::Instant::now();
    let mut failing = false;
    loop {
        tick.tick().await;
        if tx.is_closed() {
            return;
        }
        let (in_chair, faulted) = {
            let s = state.borrow();
            let faulted =
                matches!(s.phase, Phase::OutOfService { .. }) || s.pending_fault.is_some();
            (matches!(s.phase, Phase::Chair), faulted)
        };
        // A fault may have been reported by anyone (a light command, a capture); while the
        // kiosk is out of service, look for recovery at every health interval.
        failing |= faulted;
        if !in_chair && last_check.elapsed() < health_interval {
            continue;
        }
        last_check = std::time::Instant::now();
        let problem = match parts.chair.status().await {
            Err(e) => Some((Device::Chair, e.kind().name().to_owned())),
            Ok(s) if s.overcurrent => Some((Device::Chair, "overcurrent".to_owned())),
            Ok(s) if s.stalled => Some((Device::Chair, "stalled".to_owned())),
            Ok(_) if in_chair => None,
            Ok(_) => parts
                .lights
                .levels()
                .await
                .err()
                .map(|e| (Device::Lights, e.kind().name().to_owned())),
        };
        match problem {
            Some((device, kind)) => {
                if !failing {
                    warn!(device = device.name(), %kind, "serial device fault");
                }
                failing = true;
                let _ = tx.send(Event::DeviceFault { device, kind });
            }
            None if failing => {
                let event = check_devices(&parts).await;
                failing = !matches!(event, Event::DevicesHealthy);
                let _ = tx.send(event);
            }
            None => {}
        }
    }
}

/// Codes from a USB scanner count only while the scan screen is up (like the live view's).
async fn scanner_worker(
    mut lines: mpsc::UnboundedReceiver<String>,
    scanning: watch::Receiver<bool>,
    rules: qr::QrRules,
    tx: mpsc::UnboundedSender<Event>,
) {
    while let Some(line) = lines.recv().await {
        if *scanning.borrow() {
            let _ = tx.send(Event::CodeScanned(qr::classify(&rules, &line)));
        }
    }
}
