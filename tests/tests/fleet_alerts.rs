//! The fleet end to end: a real Prometheus (Debian's package) on loopback scrapes three
//! headless kiosks with deploy/monitoring's alert rules; one kiosk's simulated camera is
//! unplugged, and the alert reaches the Alertmanager endpoint Prometheus notifies.
//!
//! The rules are deploy/monitoring/alerts.yml with one change: every `for:` is cut to one
//! second, so the test needs seconds rather than ten minutes. The expressions are the shipped
//! ones. The Alertmanager is this test's own HTTP server speaking Alertmanager's v2 API
//! (`POST /api/v2/alerts`, what Prometheus sends): a firing alert arrives as an event, with
//! no polling.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use kiosk_core::model::Screen;
use kiosk_e2e::{Kiosk, fast_config, free_port};
use tokio::sync::mpsc;

fn monitoring() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/monitoring")
}

/// Prometheus, killed when dropped.
struct Prometheus(Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The shipped rules with every `for:` cut to one second.
fn fast_rules() -> String {
    let rules = std::fs::read_to_string(monitoring().join("alerts.yml")).unwrap();
    let mut changed = 0;
    let out: Vec<String> = rules
        .lines()
        .map(|l| match l.trim_start().strip_prefix("for: ") {
            Some(_) => {
                changed += 1;
                format!("{}for: 1s", &l[..l.len() - l.trim_start().len()])
            }
            None => l.to_owned(),
        })
        .collect();
    assert!(changed >= 2, "the rules have `for:` clauses to shorten");
    out.join("\n")
}

/// An Alertmanager v2 endpoint: every alert Prometheus sends, as (alertname, kiosk, JSON).
async fn alertmanager(port: u16) -> mpsc::UnboundedReceiver<(String, String, String)> {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/api/v2/alerts",
        axum::routing::post(move |body: String| {
            let tx = tx.clone();
            async move {
                let alerts: serde_json::Value = serde_json::from_str(&body).unwrap();
                for a in alerts.as_array().unwrap() {
                    let label = |k: &str| a["labels"][k].as_str().unwrap_or("").to_owned();
                    let _ = tx.send((label("alertname"), label("kiosk"), a.to_string()));
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    rx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_fires_the_out_of_service_alert_for_the_kiosk_whose_camera_is_unplugged() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["booth-a", "booth-b", "booth-c"];
    let mut kiosks = Vec::new();
    let mut targets = String::new();
    for name in names {
        let data = dir.path().join(name);
        let mut cfg = fast_config(&data);
        cfg.kiosk.id = name.into();
        let port = free_port();
        cfg.metrics.listen = format!("127.0.0.1:{port}");
        targets.push_str(&format!(
            "      - targets: [\"127.0.0.1:{port}\"]\n        labels: {{kiosk: \"{name}\"}}\n"
        ));
        std::fs::create_dir_all(&data).unwrap();
        kiosks.push(Kiosk::start(cfg, &data.join("journal.sqlite3")));
    }
    for k in &mut kiosks {
        k.until("attract", |m| m.screen == Screen::Attract).await;
    }

    let am_port = free_port();
    let mut alerts = alertmanager(am_port).await;
    std::fs::write(dir.path().join("alerts.yml"), fast_rules()).unwrap();
    let config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
         rule_files: [alerts.yml]\n\
         alerting:\n  alertmanagers:\n    - api_version: v2\n      static_configs:\n        - targets: [\"127.0.0.1:{am_port}\"]\n\
         scrape_configs:\n  - job_name: photo-kiosk\n    static_configs:\n{targets}"
    );
    let config_path = dir.path().join("prometheus.yml");
    std::fs::write(&config_path, config).unwrap();
    let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
    let web = free_port();
    let _prometheus = Prometheus(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{web}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus (scripts/install-deps.sh installs Debian's package)"),
    );

    // The camera of the second kiosk drops out; its screen goes out of service.
    kiosks[1].sims.camera.as_ref().unwrap().unplug(true);
    kiosks[1]
        .until("out of service", |m| m.screen == Screen::OutOfService)
        .await;

    let mut others = Vec::new();
    // True for booth-b's alert; another kiosk's is noted.
    let note = |name: String, kiosk: String, others: &mut Vec<String>| {
        if name != "KioskOutOfService" {
            return false;
        }
        if kiosk == "booth-b" {
            return true;
        }
        others.push(kiosk);
        false
    };
    let fired = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some((name, kiosk, json)) = alerts.recv().await {
            if note(name, kiosk, &mut others) {
                return json;
            }
        }
        panic!("the Alertmanager endpoint closed");
    })
    .await;
    // Three more rule evaluations (1 s apart): no other kiosk's alert follows.
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some((name, kiosk, _)) = alerts.recv().await {
            note(name, kiosk, &mut others);
        }
    })
    .await;
    let prometheus_log =
        std::fs::read_to_string(dir.path().join("prometheus.log")).unwrap_or_default();
    let json = fired.unwrap_or_else(|_| {
        panic!("no KioskOutOfService alert within 60 s; Prometheus said:\n{prometheus_log}")
    });
    assert!(
        others.is_empty(),
        "only booth-b is out of service, but alerts named {others:?}"
    );
    assert!(
        json.contains("has shown the out-of-service screen"),
        "the alert carries its summary: {json}"
    );

    for k in kiosks {
        k.stop().await;
    }
}
