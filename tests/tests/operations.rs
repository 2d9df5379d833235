//! What operators get from real simulated sessions: coded log lines that `kiosk logs summary`
//! reads back into the right funnel, outcomes, payments and faults, and a Prometheus endpoint
//! that says the same.

use kiosk_core::model::{Intent, Screen};
use kiosk_e2e::{Kiosk, fast_config, free_port, paid_session, to_scan};

async fn scrape(port: u16) -> String {
    let resp = reqwest::get(format!("http://127.0.0.1:{port}/metrics"))
        .await
        .unwrap();
    assert!(resp.status().is_success());
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text"),
        "Prometheus must be told the format"
    );
    resp.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logs_of_real_sessions_summarise_and_the_metrics_agree() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    // This test binary's only test: the process-wide subscriber is ours.
    let guard = kiosk_ops::telemetry::init_in("info", &logs.join("kiosk.log.jsonl")).unwrap();
    let mut cfg = fast_config(dir.path());
    cfg.kiosk.id = "booth-7".into();
    let port = free_port();
    cfg.metrics.listen = format!("127.0.0.1:{port}");
    cfg.service.heartbeat_secs = 1;
    // The screens promise ¥30.00; the demo service's order is for ¥20.00.
    cfg.notice.price_fen = 3_000;
    let mut k = Kiosk::start(cfg, &dir.path().join("j.sqlite3"));
    let mut beats = k.sims.service.as_ref().unwrap().watch_heartbeats();

    // 1: paid.
    paid_session(&mut k).await;
    // 2: gives up on the scan screen.
    to_scan(&mut k).await;
    k.touch(Intent::Cancel);
    k.until("attract", |m| m.screen == Screen::Attract).await;
    // The camera drops out while idle, and comes back.
    let camera = k.sims.camera.clone().unwrap();
    camera.unplug(true);
    k.until("out of service", |m| m.screen == Screen::OutOfService)
        .await;
    let metrics = scrape(port).await;
    for line in [
        "kiosk_out_of_service 1",
        "kiosk_device_up{part=\"camera\"} 0",
    ] {
        assert!(metrics.contains(line), "no {line:?} in\n{metrics}");
    }
    // The heartbeat to the service carries the same health.
    let beat = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        beats.wait_for(|b| {
            b.as_deref()
                .is_some_and(|b| b.contains("\"out_of_service\":true"))
        }),
    )
    .await
    .expect("a heartbeat while out of service")
    .unwrap()
    .clone()
    .unwrap();
    let beat: serde_json::Value = serde_json::from_str(&beat).unwrap();
    let health = &beat["health"];
    assert_eq!(health["parts_up"]["camera"], false, "{beat}");
    assert_eq!(health["parts_up"]["lights"], true, "{beat}");
    assert_eq!(health["upload_backlog"], 0, "{beat}");
    assert!(
        health["data_dir_free_bytes"].as_u64().unwrap() > 0,
        "{beat}"
    );
    assert!(
        health["service_since_success_secs"].as_u64().unwrap() < 60,
        "{beat}"
    );
    assert_eq!(beat["devices"]["camera"], "camera-disconnected", "{beat}");
    camera.unplug(false);
    k.until("back in service", |m| m.screen == Screen::Attract)
        .await;

    let metrics = scrape(port).await;
    for line in [
        "kiosk_sessions_started_total 2",
        "kiosk_sessions_total{outcome=\"paid\"} 1",
        "kiosk_sessions_total{outcome=\"cancelled\"} 1",
        "kiosk_step_entered_total{step=\"scan\"} 2",
        "kiosk_step_entered_total{step=\"pay\"} 1",
        "kiosk_shots_total 1",
        "kiosk_reviews_total{result=\"passed\"} 1",
        "kiosk_payments_total{result=\"paid\"} 1",
        "kiosk_device_faults_total{device=\"camera\",kind=\"disconnected\"} 1",
        "kiosk_out_of_service 0",
        "kiosk_device_up{part=\"camera\"} 1",
        "kiosk_device_up{part=\"service\"} 1",
        "kiosk_build_info{",
        "kiosk=\"booth-7\"",
    ] {
        assert!(metrics.contains(line), "no {line:?} in\n{metrics}");
    }
    k.stop().await;
    drop(guard);

    let report = kiosk_ops::logs::summarise(&kiosk_ops::logs::Query {
        dirs: vec![logs.clone()],
        ..Default::default()
    })
    .unwrap();
    assert_eq!(report.unreadable_lines, 0);
    assert!(report.all.is_none(), "one kiosk");
    let s = &report.kiosks[0];
    assert_eq!(s.kiosk, "booth-7");
    assert_eq!(s.sessions_started, 2);
    assert_eq!(s.completed, 1);
    assert_eq!(s.outcomes.get("cancelled"), Some(&1));
    let row = |step: &str| s.funnel.iter().find(|r| r.step == step).unwrap().clone();
    assert_eq!(row("scan").reached, 2);
    assert_eq!(
        row("scan").gave_up,
        1,
        "the second graduate left on the scan screen"
    );
    assert_eq!(row("confirm").reached, 1);
    assert_eq!(row("done").reached, 1);
    assert!(
        row("shoot").median_secs.unwrap() > 0.5,
        "countdown and capture take time"
    );
    assert_eq!(s.shots, 1);
    assert_eq!(s.shots_per_session.get(&1), Some(&1));
    assert_eq!(s.review_pass_rate, Some(1.0));
    assert_eq!((s.payments_paid, s.payments_expired), (1, 0));
    assert!(s.paid_fen > 0);
    assert_eq!(s.faults.get("CAMERA_DISCONNECTED"), Some(&1));
    assert!(s.out_of_service_secs > 0.0);

    // A window before anything happened holds nothing; the day's window holds it all.
    let report = kiosk_ops::logs::summarise(&kiosk_ops::logs::Query {
        dirs: vec![logs.clone()],
        until_ms: Some(kiosk_ops::logs::parse_time("2020-01-01").unwrap()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(report.kiosks.first().map_or(0, |s| s.sessions_started), 0);

    // The same log rotated and gzipped, beside a second kiosk's: per kiosk and for all.
    let fleet = dir.path().join("fleet");
    let (a, b) = (fleet.join("a"), fleet.join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let text = std::fs::read_to_string(logs.join("kiosk.log.jsonl")).unwrap();
    // The session's work runs in its step's span, inside the session's (kiosk and id).
    let shot: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["fields"]["message"] == "shot taken" && l["fields"]["code"].is_null())
        .expect("the capture's own line");
    let spans = shot["spans"].as_array().expect("a span list");
    assert_eq!(spans.len(), 2, "{shot}");
    assert_eq!(spans[0]["name"], "session");
    assert_eq!(spans[0]["kiosk"], "booth-7");
    assert_eq!(spans[0]["id"], "booth-7-1");
    assert_eq!(spans[1]["name"], "step");
    assert_eq!(spans[1]["step"], "shoot");
    // Work started by the transition into a step runs in that step: the upload in review.
    let upload: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["fields"]["message"] == "photo uploaded")
        .expect("the upload's own line");
    assert_eq!(upload["spans"][1]["step"], "review", "{upload}");
    // The order's amount is not the price the screens said: operators hear it.
    let differs: serde_json::Value = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|l| l["fields"]["code"] == "ORDER_PRICE_DIFFERS")
        .expect("the price mismatch's line");
    assert_eq!(differs["fields"]["amount_fen"], "2000", "{differs}");
    assert_eq!(differs["fields"]["price_fen"], "3000", "{differs}");
    let gz = std::fs::File::create(a.join("kiosk.log.jsonl.2026-06-01.gz")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(gz, flate2::Compression::fast());
    std::io::Write::write_all(&mut enc, text.as_bytes()).unwrap();
    enc.finish().unwrap();
    std::fs::write(
        b.join("kiosk.log.jsonl"),
        text.replace("booth-7", "booth-8"),
    )
    .unwrap();
    let report = kiosk_ops::logs::summarise(&kiosk_ops::logs::Query {
        dirs: vec![a, b],
        ..Default::default()
    })
    .unwrap();
    let names: Vec<&str> = report.kiosks.iter().map(|s| s.kiosk.as_str()).collect();
    assert_eq!(names, ["booth-7", "booth-8"]);
    let all = report.all.unwrap();
    assert_eq!((all.sessions_started, all.completed), (4, 2));
    assert_eq!(
        all.funnel
            .iter()
            .find(|r| r.step == "scan")
            .unwrap()
            .gave_up,
        2
    );
}
