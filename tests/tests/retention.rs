//! Retention: after real sessions, with the clock moved past `kiosk.keep_days` and
//! `logging.keep_days`, nothing about the graduate is left under the data directory: no
//! shot counter, no transition, no log file, and none of the code, name, ID number (whole or
//! masked) or a photo in any file.

use kiosk_app::journal::Journal;
use kiosk_e2e::{Kiosk, fast_config, paid_session, personal_traces};

const DAY_MS: u64 = 24 * 3600 * 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_retention_nothing_personal_remains() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut cfg = fast_config(&data);
    cfg.logging.json_file = data.join("logs/kiosk.log.jsonl");
    cfg.kiosk.keep_days = 30;
    cfg.logging.keep_days = 14;
    // This test binary's only test: the process-wide subscriber is ours.
    let guard = kiosk_ops::telemetry::init_in("debug", &cfg.logging.json_file).unwrap();
    let journal_path = data.join("journal.sqlite3");
    let mut k = Kiosk::start(cfg.clone(), &journal_path);
    paid_session(&mut k).await;
    k.stop().await;
    drop(guard);

    let journal = Journal::open(&journal_path).unwrap();
    let now = kiosk_core::clock::now_ms();
    assert_eq!(
        journal.counters().unwrap(),
        1,
        "the code's shots are counted"
    );
    assert!(journal.transitions().unwrap() > 10);
    let logs = || {
        std::fs::read_dir(data.join("logs"))
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().unwrap().is_file())
            .count()
    };
    assert!(
        logs() >= 1,
        "today's log file (two if the session crossed midnight UTC)"
    );

    // Within the retention a sweep keeps everything.
    let swept = kiosk_app::retention::sweep(&journal, &cfg, now + 13 * DAY_MS);
    assert_eq!(swept.journal.counters + swept.logs.len(), 0);
    assert_eq!(journal.counters().unwrap(), 1);
    // Past the log files' age, they go; the journal's counters stay.
    let swept = kiosk_app::retention::sweep(&journal, &cfg, now + 16 * DAY_MS);
    assert!(!swept.logs.is_empty());
    assert_eq!(logs(), 0);
    assert_eq!(journal.counters().unwrap(), 1);
    // Past the journal's, the counters and transitions go.
    let swept = kiosk_app::retention::sweep(&journal, &cfg, now + 31 * DAY_MS);
    assert_eq!(swept.journal.counters, 1);
    assert!(swept.journal.transitions > 10);
    assert_eq!(journal.counters().unwrap(), 0);
    assert_eq!(journal.transitions().unwrap(), 0);
    drop(journal);

    let traces = personal_traces(&data);
    assert!(traces.is_empty(), "left behind: {traces:?}");
}
