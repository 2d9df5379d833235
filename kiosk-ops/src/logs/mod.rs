//! `kiosk logs summary`: what a season of a booth's (or a fleet's) JSON log lines say, for
//! operators. Reads the coded event lines ([`kiosk_core::ops`]) from every log file in the
//! given directories, rotated daily (`kiosk.log.2026-06-01.jsonl`) and compressed (`….gz`) alike.
//!
//! Lines are parsed borrowed (no allocation per field), only lines carrying a `code` are
//! parsed at all, and each is reduced to a small record; the records are then sorted by
//! kiosk and time and folded session by session. A million events take about a second on one
//! core (`cargo bench -p kiosk-ops --bench logs_summary`).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use kiosk_core::model::Screen;
use serde::Serialize;

mod fold;
mod read;

use fold::Fold;
use read::{Reader, log_files};

/// The time window and the directories to read.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// Directories holding log files (one kiosk's, or a fleet's shipped logs).
    pub dirs: Vec<PathBuf>,
    /// Only events at or after this (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Only events before this.
    pub until_ms: Option<i64>,
}

/// A step of the funnel.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct StepRow {
    /// The step.
    pub step: String,
    /// Sessions that reached it.
    pub reached: u64,
    /// Sessions that were abandoned on it (cancelled, idle, a device fault).
    pub gave_up: u64,
    /// Median seconds on it.
    pub median_secs: Option<f64>,
    /// 90th percentile seconds on it.
    pub p90_secs: Option<f64>,
}

/// The summary of one kiosk (or of all).
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Summary {
    /// The kiosk id, or `all`.
    pub kiosk: String,
    /// Sessions started.
    pub sessions_started: u64,
    /// Sessions ended, by outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Sessions that ended paid.
    pub completed: u64,
    /// The funnel, in the order of the steps.
    pub funnel: Vec<StepRow>,
    /// Sessions that ended with 0, 1, 2, 3… shots used.
    pub shots_per_session: BTreeMap<u8, u64>,
    /// Shots taken.
    pub shots: u64,
    /// Reviews passed and failed.
    pub reviews_passed: u64,
    /// Reviews failed.
    pub reviews_failed: u64,
    /// The review's pass rate (passed / (passed + failed)).
    pub review_pass_rate: Option<f64>,
    /// The commonest reasons: the service's review reasons and the kiosk's failed checks.
    pub top_rejections: Vec<(String, u64)>,
    /// Payments made.
    pub payments_paid: u64,
    /// Money taken, fen.
    pub paid_fen: u64,
    /// Payment windows that closed unpaid.
    pub payments_expired: u64,
    /// Device and service faults by code.
    pub faults: BTreeMap<String, u64>,
    /// Seconds on the out-of-service screen.
    pub out_of_service_secs: f64,
    /// Coded lines read.
    pub events: u64,
}

/// Everything read: per kiosk, and all together (when there are several).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// One summary per kiosk, by id.
    pub kiosks: Vec<Summary>,
    /// All kiosks together (present when there are several).
    pub all: Option<Summary>,
    /// Files read.
    pub files: usize,
    /// Lines that were not JSON or had no readable time (skipped, counted).
    pub unreadable_lines: u64,
}

/// Why the logs could not be summarised, or a time not read.
#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    /// A `--since`/`--until` (or a log line's time) that is neither a date nor an RFC 3339 time.
    #[error("{given:?} is not a date (2026-06-01) or an RFC 3339 time: {reason}")]
    BadTime {
        /// What was given.
        given: String,
        /// The parser's words.
        reason: String,
    },
    /// A log directory or file that could not be read.
    #[error("{}: {source}", path.display())]
    Unreadable {
        /// The directory or file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// An RFC 3339 time (`2026-06-01T08:00:00Z`) or a date (`2026-06-01`, midnight UTC), as ms.
pub fn parse_time(s: &str) -> Result<i64, LogsError> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    let full = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_owned()
    };
    time::OffsetDateTime::parse(&full, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|e| LogsError::BadTime {
            given: s.to_owned(),
            reason: e.to_string(),
        })
}

/// Read every directory of `q` and summarise.
pub fn summarise(q: &Query) -> Result<Report, LogsError> {
    let mut reader = Reader::default();
    let mut files = 0;
    for dir in &q.dirs {
        let fallback = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("kiosk")
            .to_owned();
        let listed = log_files(dir).map_err(|source| LogsError::Unreadable {
            path: dir.clone(),
            source,
        })?;
        for file in listed {
            reader
                .read(&file, &fallback, q)
                .map_err(|source| LogsError::Unreadable {
                    path: file.clone(),
                    source,
                })?;
            files += 1;
        }
    }
    let Reader {
        kiosks,
        mut records,
        unreadable,
        ..
    } = reader;
    // Files of one kiosk may be read out of order (rotated names): time puts them right.
    records.sort_by_key(|r| (r.kiosk, r.ms));
    let mut summaries: Vec<Summary> = kiosks
        .iter()
        .map(|k| Summary {
            kiosk: k.clone(),
            ..Summary::default()
        })
        .collect();
    let mut folds: Vec<Fold> = kiosks.iter().map(|_| Fold::default()).collect();
    for r in &records {
        folds[r.kiosk as usize].add(r, &mut summaries[r.kiosk as usize]);
    }
    for (fold, s) in folds.iter_mut().zip(summaries.iter_mut()) {
        let end = q.until_ms.unwrap_or(fold.last_ms);
        fold.finish(s, end);
    }
    let all = (summaries.len() > 1).then(|| {
        let mut all_fold = Fold::default();
        let mut all = Summary {
            kiosk: "all".into(),
            ..Summary::default()
        };
        for f in &folds {
            all_fold.merge(f);
        }
        for s in &summaries {
            all.merge(s);
        }
        all_fold.finish_steps(&mut all);
        all
    });
    summaries.sort_by(|a, b| a.kiosk.cmp(&b.kiosk));
    Ok(Report {
        kiosks: summaries,
        all,
        files,
        unreadable_lines: unreadable,
    })
}

/// The report as a table for a terminal.
pub fn table(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let secs = |v: Option<f64>| v.map_or("–".to_owned(), |s| format!("{s:.1}"));
    for s in report.kiosks.iter().chain(report.all.iter()) {
        let _ = writeln!(out, "== {} ==", s.kiosk);
        let ended: u64 = s.outcomes.values().sum();
        let _ = writeln!(
            out,
            "sessions: {} started, {} ended, {} paid",
            s.sessions_started, ended, s.completed
        );
        let outcomes: Vec<String> = s.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(out, "outcomes: {}", outcomes.join(", "));
        let _ = writeln!(
            out,
            "{:<12} {:>8} {:>8} {:>10} {:>8}",
            "step", "reached", "gave up", "median s", "p90 s"
        );
        for row in &s.funnel {
            let _ = writeln!(
                out,
                "{:<12} {:>8} {:>8} {:>10} {:>8}",
                row.step,
                row.reached,
                row.gave_up,
                secs(row.median_secs),
                secs(row.p90_secs)
            );
        }
        let per: Vec<String> = s
            .shots_per_session
            .iter()
            .map(|(k, v)| format!("{k} shots: {v}"))
            .collect();
        let _ = writeln!(
            out,
            "shots: {} taken; sessions with {}",
            s.shots,
            per.join(", ")
        );
        let _ = writeln!(
            out,
            "review: {} passed, {} failed, pass rate {}",
            s.reviews_passed,
            s.reviews_failed,
            s.review_pass_rate
                .map_or("–".into(), |r| format!("{:.0} %", r * 100.0))
        );
        for (reason, n) in &s.top_rejections {
            let _ = writeln!(out, "  {n:>5}  {reason}");
        }
        let _ = writeln!(
            out,
            "payments: {} paid ({:.2} yuan), {} expired",
            s.payments_paid,
            s.paid_fen as f64 / 100.0,
            s.payments_expired
        );
        let faults: Vec<String> = s.faults.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(
            out,
            "faults: {}",
            if faults.is_empty() {
                "none".into()
            } else {
                faults.join(", ")
            }
        );
        let _ = writeln!(
            out,
            "out of service: {:.0} min\n",
            s.out_of_service_secs / 60.0
        );
    }
    let _ = writeln!(
        out,
        "{} files, {} unreadable lines",
        report.files, report.unreadable_lines
    );
    out
}

#[cfg(test)]
mod tests {
    use kiosk_core::ops::Observed;

    /// A log line as the kiosk writes an observed event (tracing's JSON: the code and the
    /// event's fields under `fields`).
    fn line(at: &str, code: &str, observed: Option<&Observed>) -> String {
        let mut fields = serde_json::Map::new();
        fields.insert("code".into(), code.into());
        fields.insert("kiosk".into(), "booth-1".into());
        for (k, v) in observed.map(Observed::fields).unwrap_or_default() {
            fields.insert(k.into(), v.into());
        }
        serde_json::json!({ "timestamp": at, "level": "WARN", "fields": fields }).to_string()
    }

    #[test]
    fn a_review_reason_is_counted_whole_whatever_punctuation_it_holds() {
        let hair = "Hair covers the eyebrows; please tidy it and retake";
        let tilt = "Head tilted, eyes not level";
        let failed = Observed::ReviewFailed(vec![hair.into(), tilt.into()]);
        let dir = tempfile::tempdir().unwrap();
        let text = [
            line("2026-06-01T08:00:00Z", "SESSION_STARTED", None),
            line("2026-06-01T08:01:00Z", "REVIEW_FAILED", Some(&failed)),
            line("2026-06-01T08:02:00Z", "REVIEW_FAILED", Some(&failed)),
        ]
        .join("\n");
        std::fs::write(dir.path().join("kiosk.log.jsonl"), text).unwrap();
        let report = super::summarise(&super::Query {
            dirs: vec![dir.path().to_owned()],
            ..Default::default()
        })
        .unwrap();
        let s = &report.kiosks[0];
        assert_eq!(s.reviews_failed, 2);
        let top: Vec<(&str, u64)> = s
            .top_rejections
            .iter()
            .map(|(r, n)| (r.as_str(), *n))
            .collect();
        assert_eq!(
            top,
            [
                (
                    "review: Hair covers the eyebrows; please tidy it and retake",
                    2
                ),
                ("review: Head tilted, eyes not level", 2),
            ],
            "each reason once per review, not split at its punctuation"
        );
    }

    #[test]
    fn reasons_from_logs_before_the_json_array_are_still_read() {
        assert_eq!(
            super::read::review_reasons(Some("Head tilted; Eyes closed")),
            ["Head tilted", "Eyes closed"]
        );
        assert_eq!(
            super::read::review_reasons(Some("[]")),
            Vec::<String>::new()
        );
        assert_eq!(super::read::review_reasons(None), Vec::<String>::new());
    }
}
