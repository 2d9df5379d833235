//! Builds the runtime's parts from the configuration: real devices where the config says so,
//! simulators otherwise (the default: demo mode).

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use camera_driver::sim::{Following, SeatLink, Seating, SimConfig, SimControl};
use camera_driver::{ActorConfig, CameraActor};
use chair_control::sim::{ChairPhysics, SimBus};
use chair_control::{Bus, Chair, Lights, PortConfig};

use crate::config::{Backend, Config};
use crate::journal::Journal;
use crate::runtime::{Ended, World};
use collection_service::CollectionService;
use collection_service::sim::SimService;

/// Simulators started for demo mode; they live as long as this value.
pub struct Simulators {
    /// The simulated camera's script handle (None with a real camera).
    pub camera: Option<SimControl>,
    /// The serial simulator (None with real serial devices).
    pub serial: Option<SimBus>,
    /// The in-process service (None with the real service).
    pub service: Option<Arc<SimService>>,
    /// The simulated graduate's seat: the simulated chair's height moves them in the simulated
    /// camera's frame (None unless both are simulated).
    pub seat: Option<SeatLink>,
    /// Keeps `seat` following the chair; stops when dropped.
    _following: Option<Following>,
}

/// A kiosk running on `cfg`, the one way every mode starts one (the window and the booth's
/// display, `kiosk headless`, the walkthrough, the tests): journal opened, world built, the
/// runtime running under [`crate::runtime::supervise`]. Call inside a tokio runtime. Dropped
/// without [`Started::stop`], the runtime task is aborted.
pub struct Started {
    /// Events in, screens out.
    pub handle: crate::runtime::Handle,
    /// The simulators of demo mode.
    pub sims: Simulators,
    /// What the runtime drives (the journal, for tests and reports).
    pub world: World,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    /// The `/metrics` endpoint (when `metrics.listen` names one).
    metrics: Option<tokio::task::JoinHandle<()>>,
    /// Voice guidance (when `voice.enabled`).
    pub voice: Option<crate::voice::Voice>,
    ended: tokio::sync::watch::Receiver<Ended>,
}

impl Started {
    /// Start the kiosk on the journal in `kiosk.data_dir` (created if need be), on the wall
    /// clock.
    pub fn start(cfg: Arc<Config>) -> anyhow::Result<Self> {
        Self::start_on(cfg, kiosk_core::clock::Clock::Wall)
    }

    /// Start the kiosk going by `clock` (the walkthrough's own).
    pub fn start_on(cfg: Arc<Config>, clock: kiosk_core::clock::Clock) -> anyhow::Result<Self> {
        cfg.make_data_dir()
            .with_context(|| format!("creating {}", cfg.kiosk.data_dir.display()))?;
        let journal = Journal::open(&cfg.kiosk.data_dir.join("journal.sqlite3"))?;
        Self::with_journal(cfg, journal, clock)
    }

    /// Start the kiosk on `journal`, going by `clock`.
    pub fn with_journal(
        cfg: Arc<Config>,
        journal: Journal,
        clock: kiosk_core::clock::Clock,
    ) -> anyhow::Result<Self> {
        let (world, sims) = world(&cfg, journal, clock)?;
        let (runtime, handle) = crate::runtime::Runtime::new(cfg.clone(), world.clone());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ended_tx, ended) = tokio::sync::watch::channel(Ended::Running);
        let task = tokio::spawn(crate::runtime::supervise(
            runtime,
            async {
                let _ = stopped.await;
            },
            ended_tx,
        ));
        let metrics = cfg.metrics.addr().ok().flatten().map(|addr| {
            let (metrics, dir) = (world.metrics.clone(), cfg.kiosk.data_dir.clone());
            tokio::spawn(async move {
                if let Err(e) = kiosk_ops::metrics::serve(addr, metrics, dir).await {
                    tracing::warn!(
                        code = kiosk_core::ops::code::METRICS_UNAVAILABLE,
                        %addr,
                        error = %e,
                        "no metrics endpoint (config key `metrics.listen`); the kiosk runs on"
                    );
                }
            })
        });
        let voice = crate::voice::start(&cfg.voice, handle.screen.clone());
        Ok(Self {
            handle,
            sims,
            world,
            stop: Some(stop),
            task: Some(task),
            metrics,
            voice,
            ended,
        })
    }

    /// Resolves if the runtime crashes (after the emergency stop has run): the process should
    /// then end non-zero so that systemd starts it again.
    pub fn crashed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut ended = self.ended.clone();
        async move {
            if ended.wait_for(|e| *e == Ended::Crashed).await.is_err() {
                // The supervisor is gone without saying: it was aborted, not crashed.
                std::future::pending::<()>().await;
            }
        }
    }

    /// Shut down (chair motor off, lights off) and wait for the runtime.
    pub async fn stop(mut self) {
        if let Some(metrics) = self.metrics.take() {
            metrics.abort();
        }
        if let Some(voice) = self.voice.take() {
            voice.abort();
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        if let Some(voice) = self.voice.take() {
            voice.abort();
        }
        for task in [self.task.take(), self.metrics.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }
}

/// The camera thread for the configured backend (and the simulator's handle in demo mode).
pub fn camera(cfg: &Config) -> (CameraActor, Option<SimControl>) {
    let actor_cfg = ActorConfig {
        capture_timeout: Duration::from_millis(cfg.camera.capture_timeout_ms),
        preview_interval: Duration::from_millis(cfg.camera.preview_interval_ms),
        ..ActorConfig::default()
    };
    match cfg.camera.backend {
        Backend::Sim => {
            let control = SimControl::new();
            let sim = SimConfig {
                capture_size: cfg.camera.sim_capture_size,
                ..SimConfig::default()
            };
            (
                CameraActor::spawn(control.opener(sim), actor_cfg),
                Some(control),
            )
        }
        Backend::Real => {
            let selector = camera_driver::Selector {
                model: cfg.camera.model.clone(),
                port: cfg.camera.port.clone(),
            };
            let opener: camera_driver::Opener = Box::new(move || {
                camera_driver::GphotoCamera::open(&selector)
                    .map(|c| Box::new(c) as Box<dyn camera_driver::Camera>)
            });
            (CameraActor::spawn(opener, actor_cfg), None)
        }
    }
}

/// Build the world the runtime drives. Must run inside a tokio runtime (the serial simulator is a task).
pub fn world(
    cfg: &Config,
    journal: Journal,
    clock: kiosk_core::clock::Clock,
) -> anyhow::Result<(World, Simulators)> {
    let photo = crate::photo_lab::PhotoLab::load(&cfg.photo).map_err(|e| {
        anyhow::anyhow!("loading the face detector (config key `photo.model_dir`): {e}")
    })?;
    let (camera, sim_camera) = camera(cfg);
    let physics = ChairPhysics::default();
    let (port, sim_serial) = match cfg.serial.backend {
        Backend::Sim => {
            let sim = SimBus::spawn(cfg.lights.clone(), cfg.chair.clone(), physics.clone())
                .context("starting the serial simulator on a pseudo-terminal")?;
            let port = PortConfig {
                path: sim.path().to_owned(),
                ..cfg.serial.port.clone()
            };
            (port, Some(sim))
        }
        Backend::Real => (cfg.serial.port.clone(), None),
    };
    // The seat moves the simulated graduate: one who sits like the reference graduate has their
    // eyes on the eye line at the chair's starting height. The simulator's seat moves lazily
    // (when asked), so its height is read ten times a second.
    let (seat, following) = match (&sim_camera, &sim_serial) {
        (Some(camera), Some(serial)) => {
            let seating = Seating {
                reference_seat_mm: physics.start_mm,
                ..Seating::default()
            };
            let link = SeatLink::new(camera.pose_handle(), seating);
            let chair = serial.handle();
            let following = link.follow(move || chair.height_mm(), Duration::from_millis(100));
            (Some(link), Some(following))
        }
        _ => (None, None),
    };
    let bus = Arc::new(Bus::new(port));
    let lights = Arc::new(Lights::new(bus.clone(), cfg.lights.clone()));
    let chair = Arc::new(Chair::new(bus, cfg.chair.clone()));
    let (service, sim_service): (Arc<dyn CollectionService>, _) = match cfg.service.backend {
        Backend::Sim => {
            let sim = Arc::new(SimService::new(
                cfg.service.sim.clone(),
                std::sync::Arc::new(crate::photo_lab::PhotoReviewer(cfg.photo.clone())),
            ));
            (sim.clone(), Some(sim))
        }
        Backend::Real => {
            let secret = collection_service::read_credential(&cfg.service.credential_path)?;
            let http = collection_service::client::HttpService::new(
                &cfg.service.url,
                &cfg.kiosk.id,
                secret,
                Duration::from_millis(cfg.service.request_timeout_ms),
                cfg.service.retries,
            )
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            (Arc::new(http) as Arc<dyn CollectionService>, None)
        }
    };
    Ok((
        World {
            camera: Arc::new(camera),
            lights,
            chair,
            service,
            journal: Arc::new(journal),
            photo,
            metrics: Arc::new(kiosk_ops::metrics::Metrics::new(
                &cfg.kiosk.id,
                clock.now_ms(),
            )),
            clock,
        },
        Simulators {
            camera: sim_camera,
            serial: sim_serial,
            service: sim_service,
            seat,
            _following: following,
        },
    ))
}
