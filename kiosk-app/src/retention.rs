//! Retention: how long the kiosk keeps anything about graduates.
//!
//! - Photos: deleted once the service holds them, and every photo at the end of the session
//!   (the journal, [`crate::journal::Journal::end_session`]). They never wait for this sweep.
//! - The journal's shot counters (keyed digests of shooting codes, so a graduate cannot take
//!   more shots than allowed) and its transitions: forgotten `kiosk.keep_days` after they were
//!   last written.
//! - Daily log files: removed `logging.keep_days` after their day. tracing-appender already
//!   keeps the newest `keep_days` files, by count; a booth switched off for a week would keep
//!   older days that way, and it ignores the gzipped files a log shipper leaves, so the age is
//!   checked here too.
//!
//! [`sweep`] runs when the kiosk starts and after every session. A clock behind the journal's
//! newest row stops the journal's part of it. A clock far ahead would purge early; the
//! collection service keeps its own count of shots, so a forgotten counter never gives a
//! graduate more shots than the service allows.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::journal::{Journal, Purged};

const DAY_MS: u64 = 24 * 3600 * 1000;

/// What one sweep removed.
#[derive(Debug, Default)]
pub struct Swept {
    /// Journal rows.
    pub journal: Purged,
    /// Log files.
    pub logs: Vec<PathBuf>,
}

/// Remove what is past its retention at `now_ms`. Failures are logged; the next sweep tries
/// again.
pub fn sweep(journal: &Journal, cfg: &Config, now_ms: u64) -> Swept {
    let cutoff = now_ms.saturating_sub(u64::from(cfg.kiosk.keep_days) * DAY_MS);
    let journal = match journal.newest_ms() {
        // A clock behind the journal's newest row (a booth started before its time is
        // synced): the ages are wrong, so nothing is purged until the clock is right.
        Ok(Some(newest)) if now_ms < newest => {
            tracing::warn!(
                behind_ms = newest - now_ms,
                "the clock is behind the journal's newest row; retention waits for the right time"
            );
            Purged::default()
        }
        _ => journal.purge_before(cutoff).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "journal retention not applied this time");
            Purged::default()
        }),
    };
    let log_file = cfg.data_path(&cfg.logging.json_file);
    let logs = old_logs(&log_file, cfg.logging.keep_days, now_ms)
        .into_iter()
        .filter(|p| match std::fs::remove_file(p) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(file = %p.display(), error = %e, "old log file not removed");
                false
            }
        })
        .collect::<Vec<_>>();
    if journal.counters + journal.transitions + logs.len() > 0 {
        tracing::info!(
            code = kiosk_core::ops::code::RETENTION_PURGED,
            counters = journal.counters,
            transitions = journal.transitions,
            log_files = logs.len(),
            "removed what is past its retention"
        );
    }
    Swept { journal, logs }
}

/// The daily log files beside `json_file` whose day ended more than `keep_days` before
/// `now_ms`: `<stem>.<YYYY-MM-DD>.jsonl` as the kiosk writes them, and as logrotate or a
/// shipper leaves them (`<name>.<YYYY-MM-DD>`), gzipped or not. Only files of those names:
/// nothing else in the directory is touched.
pub fn old_logs(json_file: &Path, keep_days: usize, now_ms: u64) -> Vec<PathBuf> {
    let Some(dir) = json_file.parent() else {
        return Vec::new();
    };
    let name = json_file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("kiosk.log.jsonl");
    let stem = name.strip_suffix(".jsonl").unwrap_or(name);
    let cutoff = now_ms.saturating_sub(keep_days as u64 * DAY_MS);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut old: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            let dated = |n: &str, prefix: &str, exts: &[&str]| -> Option<String> {
                let rest = n.strip_prefix(prefix)?.strip_prefix('.')?;
                let (date, ext) = rest.split_at_checked(10)?;
                exts.contains(&ext).then(|| date.to_owned())
            };
            let Some(date) = p.file_name().and_then(|n| n.to_str()).and_then(|n| {
                dated(n, stem, &[".jsonl", ".jsonl.gz"]).or_else(|| dated(n, name, &["", ".gz"]))
            }) else {
                return false;
            };
            kiosk_ops::logs::parse_time(&date)
                .is_ok_and(|day| u64::try_from(day).unwrap_or(0) + DAY_MS <= cutoff)
        })
        .collect();
    old.sort();
    old
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_behind_the_journal_purges_nothing_until_it_is_right() {
        let j = Journal::in_memory().unwrap();
        let now = kiosk_core::clock::now_ms();
        let old = kiosk_core::flow::State {
            now_ms: now - 40 * DAY_MS,
            ..Default::default()
        };
        j.record("old", &old).unwrap();
        j.store_shot("GPK1.code-aaaaaaaaaaaaaaaa", 1, b"x").unwrap();
        let mut cfg = Config::default();
        cfg.kiosk.keep_days = 30;
        cfg.logging.json_file = tempfile::tempdir().unwrap().path().join("k.jsonl");
        // A day behind the counter just written: the 40-day-old transition would go by its
        // age, but the ages cannot be trusted.
        let swept = sweep(&j, &cfg, now - DAY_MS);
        assert_eq!(swept.journal, Purged::default());
        assert_eq!(j.transitions().unwrap(), 1);
        let swept = sweep(&j, &cfg, now + 1_000);
        assert_eq!(swept.journal.transitions, 1);
        assert_eq!(swept.journal.counters, 0, "the counter is fresh");
    }

    #[test]
    fn only_daily_log_files_past_the_age_go() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "kiosk.log.2026-05-01.jsonl",
            "kiosk.log.2026-05-02.jsonl.gz",
            "kiosk.log.2026-05-30.jsonl",
            "kiosk.log.jsonl.2026-05-03.gz",
            "kiosk.log.jsonl.2026-06-10",
            "kiosk.log.2026-05-31.jsonl",
            "kiosk.log.2026-06-01.jsonl",
            "kiosk.log.jsonl",
            "kiosk.log.2026-05-01.txt",
            "notes-2026-05-01.jsonl",
            "journal.sqlite3",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        let now = kiosk_ops::logs::parse_time("2026-06-30T12:00:00Z").unwrap() as u64;
        let old = old_logs(&dir.path().join("kiosk.log.jsonl"), 30, now);
        let names: Vec<_> = old
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        // 30 days before 30 June noon is 31 May noon: the 30th's day is wholly older.
        assert_eq!(
            names,
            [
                "kiosk.log.2026-05-01.jsonl",
                "kiosk.log.2026-05-02.jsonl.gz",
                "kiosk.log.2026-05-30.jsonl",
                "kiosk.log.jsonl.2026-05-03.gz"
            ]
        );
    }
}
