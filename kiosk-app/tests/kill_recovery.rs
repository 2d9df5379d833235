//! Power cut at every step: the kiosk process (`kiosk headless`, the real runtime and journal,
//! simulated camera and serial devices, the HTTP client) is killed with SIGKILL at each step
//! of a session and started again on the same data directory, against the collection-service
//! simulator on loopback (which, like the real service, outlives the kiosk). Every run must end
//! paid with one photo submitted, one shot counted, one order, nothing left on the kiosk.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use collection_service::sim::SimServiceConfig;
use collection_service::sim::{DEMO_ROSTER, SimService};
use collection_service::sim_server::SimServer;
use kiosk_app::journal::Journal;
use kiosk_app::photo_lab::PhotoConfig;
use serde_json::Value;

const SECRET: &str = "kill-test-credential";

struct Kiosk {
    child: Child,
    stdin: ChildStdin,
    screens: Receiver<(String, Value)>,
}

impl Kiosk {
    fn start(cfg: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kiosk"))
            .arg("--config")
            .arg(cfg)
            .arg("headless")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, screens) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line).unwrap();
                let key = v["key"].as_str().unwrap_or_default().to_owned();
                if tx.send((key, v["screen"].clone())).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            screens,
        }
    }

    fn touch(&mut self, intent: &str) {
        // A killed process no longer reads; the next screen wait notices.
        let _ = writeln!(self.stdin, "{intent}");
    }

    fn next(&self, deadline: Instant) -> Option<(String, Value)> {
        match self
            .screens
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(s) => Some(s),
            Err(RecvTimeoutError::Timeout) => panic!("no new screen before the deadline"),
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// SIGKILL: no shutdown code runs, exactly like a power cut.
    fn kill(mut self) {
        self.child.kill().unwrap();
        let _ = self.child.wait();
    }
}

/// What the graduate does on each screen. Returns true once the session is over (done seen
/// and the start screen back).
fn act(
    k: &mut Kiosk,
    key: &str,
    sim: &SimService,
    server: &SimServer,
    seen_done: &mut bool,
) -> bool {
    let base = key.strip_suffix("-idle-warning");
    if base.is_some() {
        k.touch("\"still_here\"");
    }
    match base.unwrap_or(key) {
        "attract" if *seen_done => return true,
        "attract" => k.touch("\"start\""),
        "photo-type" => k.touch("\"choose_graduate_photo\""),
        "prepare" => k.touch("\"prepare_shoot\""),
        "confirm" => k.touch("\"confirm_identity\""),
        "lighting" => k.touch("{\"choose_glasses\": false}"),
        "rules" => k.touch("\"accept_rules\""),
        "chair" => k.touch("\"chair_ready\""),
        "shoot-ready" | "shoot-failed" => k.touch("\"take_photo\""),
        "shoot-preview" => k.touch("\"use_photo\""),
        "pay-showing" => {
            let order = server.last_order().expect("an order behind the QR");
            // WeChat's notification, twice (it happens): paid once.
            assert!(sim.pay(&order) && sim.pay(&order));
        }
        "pay-expired" | "pay-failed" => k.touch("\"retry_payment\""),
        "done" => {
            *seen_done = true;
            k.touch("\"finish\"");
        }
        "out-of-service" | "review-failed" => panic!("unexpected screen {key}"),
        _ => {}
    }
    false
}

fn config(dir: &Path, url: &str) -> std::path::PathBuf {
    let credential = dir.join("credential");
    std::fs::write(&credential, SECRET).unwrap();
    std::fs::set_permissions(
        &credential,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let pin = kiosk_app::pin::hash_pin("975310").unwrap();
    let text = format!(
        r#"
[kiosk]
data_dir = "{data}"
[flow]
countdown_secs = 1
review_poll_secs = 1
payment_poll_secs = 1
upload_retry_secs = 1
[camera]
sim_capture_size = [1500, 1000]
preview_interval_ms = 20
[service]
backend = "real"
url = "{url}"
credential_path = "{cred}"
timeout_ms = 5000
request_timeout_ms = 1000
retries = 2
[maintenance]
pin_hash = "{pin}"
[logging]
level = "warn"
"#,
        data = dir.join("data").display(),
        cred = credential.display(),
    );
    let path = dir.join("kiosk.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// One session with a kill when `kill_at` shows (or, for "paid", right after the service
/// records the payment and before the kiosk has seen it).
async fn session_killed_at(kill_at: &str) {
    let dir = tempfile::tempdir().unwrap();
    let sim = Arc::new(SimService::new(
        SimServiceConfig {
            review_ms: 300,
            auto_pay_ms: None,
            amount_fen: 2000,
            latency_ms: 0,
            ..SimServiceConfig::default()
        },
        Arc::new(kiosk_app::photo_lab::PhotoReviewer(PhotoConfig::default())),
    ));
    let server = SimServer::start(sim.clone(), "demo-kiosk", SECRET.as_bytes())
        .await
        .unwrap();
    // Slow answers widen the windows between request and answer, where kills hurt most.
    server
        .faults()
        .latency_ms
        .store(150, std::sync::atomic::Ordering::SeqCst);
    let cfg = config(dir.path(), &server.url());
    let deadline = Instant::now() + Duration::from_secs(90);

    let mut killed = false;
    let mut seen_done = false;
    let mut k = Kiosk::start(&cfg);
    let mut trail = Vec::new();
    loop {
        let Some((key, _screen)) = tokio::task::block_in_place(|| k.next(deadline)) else {
            panic!("kiosk exited; screens: {trail:?}");
        };
        trail.push(key.clone());
        if !killed && (key == kill_at || (kill_at == "paid" && key == "pay-showing")) {
            if kill_at == "paid" {
                let order = server.last_order().unwrap();
                assert!(sim.pay(&order));
            }
            killed = true;
            seen_done |= key == "done";
            k.kill();
            trail.push("KILL".into());
            k = Kiosk::start(&cfg);
            continue;
        }
        if act(&mut k, &key, &sim, &server, &mut seen_done) {
            break;
        }
    }
    k.kill();
    assert!(killed, "never reached {kill_at}: {trail:?}");
    // After the kill: what the restarted kiosk showed first and how it went on.
    let after: Vec<&str> = trail
        .iter()
        .skip_while(|k| *k != "KILL")
        .map(String::as_str)
        .collect();
    println!("killed at {kill_at}: {}", after.join(" → "));

    // The service's view: one photo, one shot, one order, paid.
    let code = DEMO_ROSTER[0].0;
    let exchanges = server.exchanges();
    let stored = exchanges
        .iter()
        .filter(|x| x.route == "/v1/uploads" && x.status == 201)
        .count();
    assert_eq!(stored, 1, "{kill_at}: photos stored {stored}; {trail:?}");
    assert_eq!(
        sim.shots(code),
        1,
        "{kill_at}: shots counted by the service"
    );
    let orders: std::collections::BTreeSet<String> = exchanges
        .iter()
        .filter(|x| x.route == "/v1/submissions/{submission}/order" && x.status == 200)
        .filter_map(|x| x.body["order"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(orders.len(), 1, "{kill_at}: orders {orders:?}; {trail:?}");
    // The kiosk's view: one shot counted, no photo left behind.
    let journal = Journal::open(&dir.path().join("data/journal.sqlite3")).unwrap();
    assert_eq!(journal.shots_used(code).unwrap(), 1, "{kill_at}");
    assert!(
        journal.photo(code, 1).unwrap().is_none(),
        "{kill_at}: photo left on the kiosk"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_at_every_step_the_session_ends_paid_with_nothing_lost_or_doubled() {
    for step in [
        "photo-type",
        "prepare",
        "scan",
        "scan-checking",
        "confirm",
        "lighting",
        "rules",
        "chair",
        "shoot-ready",
        "shoot-countdown",
        "shoot-capturing",
        "shoot-preview",
        "review-uploading",
        "review-waiting",
        "pay-creating",
        "pay-showing",
        "paid",
        "done",
    ] {
        session_killed_at(step).await;
    }
}
