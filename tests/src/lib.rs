//! Helpers for the end-to-end tests in `tests/`: a whole kiosk on its simulators, and waits on
//! its screen with timeouts (never fixed sleeps).

pub use qr_corpus;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use collection_service::sim::SimService;
use collection_service::sim_server::SimServer;
use kiosk_app::assemble::Started;
use kiosk_app::config::Config;
use kiosk_app::graduate::{Graduate, Pace};
use kiosk_app::journal::Journal;
use kiosk_core::flow::Event;
use kiosk_core::model::{Intent, ScreenModel};

/// The first demo graduate's code (the one [`Graduate`] shows).
pub const CODE: &str = collection_service::sim::DEMO_ROSTER[0].0;

/// What a finished session must not leave anywhere under the data dir: `"file: what"` for
/// each file holding the first demo graduate's code, name or ID number (whole or masked), or
/// a JPEG start marker.
pub fn personal_traces(dir: &Path) -> Vec<String> {
    let (code, name, id, ..) = collection_service::sim::DEMO_ROSTER[0];
    let needles: [(&str, &[u8]); 6] = [
        ("code", code.as_bytes()),
        ("name", name.as_bytes()),
        ("ID number", id.as_bytes()),
        ("masked name", "张**三".as_bytes()),
        ("masked ID number", b"*****8746"),
        ("JPEG", &[0xFF, 0xD8, 0xFF]),
    ];
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                dirs.push(path);
                continue;
            }
            if kind.is_symlink() {
                // A link (today's log) names a file that is scanned itself, or none.
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for (what, needle) in needles {
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    found.push(format!("{}: {what}", path.display()));
                }
            }
        }
    }
    found
}

/// Demo config with short delays and small images, for tests.
pub fn fast_config(data_dir: &Path) -> Config {
    let mut cfg = Config::default();
    cfg.kiosk.data_dir = data_dir.to_owned();
    cfg.flow.countdown_secs = 1;
    cfg.flow.review_poll_secs = 1;
    cfg.flow.payment_poll_secs = 1;
    cfg.flow.upload_retry_secs = 1;
    cfg.camera.sim_capture_size = (1500, 1000);
    cfg.camera.preview_interval_ms = 20;
    cfg.service.sim.review_ms = 300;
    cfg.service.sim.auto_pay_ms = Some(300);
    cfg.service.sim.latency_ms = 5;
    // Silent: tests/tests/voice.rs turns it on where it is what is tested.
    cfg.voice.enabled = false;
    cfg
}

/// The kiosk credential the loopback service simulator is started with in these tests.
pub const SECRET: &str = "test-credential-0123456789";

/// Make `path` readable by its owner only (as the kiosk requires of its credential).
pub fn owner_only(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// [`fast_config`] talking to the real-service client at `url` (the simulator on loopback),
/// with the credential [`SECRET`] written owner-only into `dir`.
pub fn http_config(dir: &Path, url: &str) -> Config {
    let mut cfg = fast_config(dir);
    let credential = dir.join("credential");
    std::fs::write(&credential, format!("{SECRET}\n")).unwrap();
    owner_only(&credential);
    cfg.service.backend = kiosk_app::config::Backend::Real;
    cfg.service.url = url.to_owned();
    cfg.service.credential_path = credential;
    cfg.service.request_timeout_ms = 1_000;
    cfg.service.retries = 2;
    cfg
}

/// The service simulator on loopback, where nobody pays until the test says so.
pub async fn service_paid_by_hand(dir: &Path) -> (Arc<SimService>, SimServer) {
    let mut base = fast_config(dir);
    base.service.sim.auto_pay_ms = None;
    let sim = Arc::new(SimService::new(
        base.service.sim.clone(),
        std::sync::Arc::new(kiosk_app::photo_lab::PhotoReviewer(base.photo.clone())),
    ));
    let server = SimServer::start(sim.clone(), &base.kiosk.id, SECRET.as_bytes())
        .await
        .unwrap();
    (sim, server)
}

/// A running kiosk: [`assemble::Started`], the one way every mode starts one, with the
/// tests' waits.
pub struct Kiosk(Option<Started>);

impl std::ops::Deref for Kiosk {
    type Target = Started;
    fn deref(&self) -> &Started {
        self.0.as_ref().expect("the kiosk is running")
    }
}

impl Kiosk {
    /// Start a kiosk with `cfg`, its journal at `journal`.
    pub fn start(cfg: Config, journal: &Path) -> Self {
        let journal = Journal::open(journal).unwrap();
        Self(Some(
            Started::with_journal(Arc::new(cfg), journal, kiosk_core::clock::Clock::Wall).unwrap(),
        ))
    }

    /// Touch something.
    pub fn touch(&self, intent: Intent) {
        self.handle.events.send(Event::Intent(intent)).unwrap();
    }

    /// Wait (at most 20 s) until the screen satisfies `pred`; returns that screen.
    pub async fn until(&self, what: &str, pred: impl Fn(&ScreenModel) -> bool) -> ScreenModel {
        let mut rx = self.handle.screen.clone();
        match tokio::time::timeout(Duration::from_secs(20), rx.wait_for(|m| pred(m))).await {
            Ok(Ok(m)) => m.clone(),
            _ => panic!(
                "timed out waiting for {what}; the screen is {:?}",
                self.handle.screen.borrow()
            ),
        }
    }

    /// Stop the runtime as a shutdown would.
    pub async fn stop(mut self) {
        if let Some(started) = self.0.take() {
            started.stop().await;
        }
    }
}

/// From the start screen to the scan screen, by touches.
pub async fn to_scan(k: &mut Kiosk) {
    k.until("attract", |m| {
        m.screen == kiosk_core::model::Screen::Attract
    })
    .await;
    k.touch(Intent::Start);
    k.until("photo type", |m| {
        m.screen == kiosk_core::model::Screen::PhotoType
    })
    .await;
    k.touch(Intent::ChooseGraduatePhoto);
    k.until("prepare", |m| {
        m.screen == kiosk_core::model::Screen::Prepare
    })
    .await;
    k.touch(Intent::PrepareShoot);
    k.until("scan", |m| m.screen == kiosk_core::model::Screen::Scan)
        .await;
}

/// From the start screen to the chair step with the first demo graduate (no glasses), sitting
/// `offset_mm` taller in the chair than the reference graduate (negative: eyes below the
/// guide). Returns the graduate, to move them.
pub async fn to_chair(k: &mut Kiosk, offset_mm: f32) -> Graduate {
    use kiosk_core::model::Screen;
    to_scan(k).await;
    let graduate = Graduate::new(&k.sims, Pace::Immediate);
    graduate.sit_at(offset_mm);
    graduate.show_code();
    k.until("confirm", |m| m.screen == Screen::Confirm).await;
    graduate.put_code_away();
    k.touch(Intent::ConfirmIdentity);
    k.touch(Intent::ChooseGlasses(false));
    k.touch(Intent::AcceptRules);
    k.until("chair", |m| m.screen == Screen::Chair).await;
    graduate
}

/// From the start screen to the shoot screen with the first demo graduate, glasses on.
pub async fn to_shoot(k: &mut Kiosk) {
    to_scan(k).await;
    // The demo's simulated graduate, as every mode has it.
    let graduate = Graduate::new(&k.sims, Pace::Immediate);
    graduate.show_code();
    let m = k
        .until("confirm", |m| {
            m.screen == kiosk_core::model::Screen::Confirm
        })
        .await;
    graduate.put_code_away();
    let id = m.identity.unwrap();
    assert_eq!(
        (id.name.as_str(), id.id_number.as_str()),
        ("张**三", "*****8746")
    );
    k.touch(Intent::ConfirmIdentity);
    k.until("lighting", |m| {
        m.screen == kiosk_core::model::Screen::Lighting
    })
    .await;
    k.touch(Intent::ChooseGlasses(true));
    k.until("rules", |m| m.screen == kiosk_core::model::Screen::Rules)
        .await;
    k.touch(Intent::AcceptRules);
    k.until("chair", |m| m.screen == kiosk_core::model::Screen::Chair)
        .await;
    let serial = k.sims.serial.as_ref().unwrap().handle();
    // The motor command is a task; wait for the controller to see it.
    // Device commands are applied by the runtime's device workers; wait for the controllers.
    assert!(
        serial
            .until(std::time::Duration::from_secs(5), |s| {
                s.motor_enabled() && s.light_level("key") == Some(900)
            })
            .await,
        "chair motor enabled and glasses preset applied in the chair step"
    );
    k.touch(Intent::ChairReady);
    k.until("shoot", |m| {
        m.screen == kiosk_core::model::Screen::Shoot
            && m.shoot_stage == kiosk_core::model::ShootStage::Ready
    })
    .await;
    assert!(
        serial
            .until(std::time::Duration::from_secs(5), |s| !s.motor_enabled())
            .await,
        "motor disabled after the chair step"
    );
}

/// A whole paid session from the start screen: one shot, used, reviewed, paid, back to the
/// start screen.
pub async fn paid_session(k: &mut Kiosk) {
    use kiosk_core::model::{Intent, Screen, ShootStage};
    to_shoot(k).await;
    k.touch(Intent::TakePhoto);
    k.until("preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    k.touch(Intent::UsePhoto);
    k.until("done", |m| m.screen == Screen::Done).await;
    k.touch(Intent::Finish);
    k.until("attract", |m| m.screen == Screen::Attract).await;
}

/// A loopback port nobody listens on now (bound and released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
