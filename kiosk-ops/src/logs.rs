//! `kiosk logs summary`: what a season of a booth's (or a fleet's) JSON log lines say, for
//! operators. Reads the coded event lines ([`kiosk_core::ops`]) from every log file in the
//! given directories, rotated daily (`kiosk.log.2026-06-01.jsonl`) and compressed (`….gz`) alike.
//!
//! Lines are parsed borrowed (no allocation per field), only lines carrying a `code` are
//! parsed at all, and each is reduced to a small record; the records are then sorted by
//! kiosk and time and folded session by session. A million events take about a second on one
//! core (`cargo bench -p kiosk-ops --bench logs_summary`).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use kiosk_core::flow::SessionOutcome;
use kiosk_core::model::Screen;
use kiosk_core::ops::code;
use serde::{Deserialize, Serialize};

/// One coded line, as written by the kiosk (tracing-subscriber's JSON format).
#[derive(Deserialize)]
struct Line<'a> {
    #[serde(borrow)]
    timestamp: Cow<'a, str>,
    #[serde(borrow)]
    fields: Fields<'a>,
}

#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(borrow, default)]
    code: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    kiosk: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    step: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    outcome: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    last_step: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    shots: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    failed: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    reasons: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    amount_fen: Option<Cow<'a, str>>,
}

/// What a record means to the summary.
#[derive(Clone, Debug, PartialEq)]
enum What {
    Started,
    Step(u8),
    Ended {
        outcome: String,
        last_step: u8,
        shots: u8,
    },
    Shot {
        failed: Vec<String>,
    },
    ReviewPassed,
    ReviewFailed(Vec<String>),
    Paid(u64),
    Expired,
    OutOfService,
    Back,
    Fault(String),
}

#[derive(Clone, Debug)]
struct Record {
    kiosk: u32,
    ms: i64,
    what: What,
}

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

/// An RFC 3339 time (`2026-06-01T08:00:00Z`) or a date (`2026-06-01`, midnight UTC), as ms.
pub fn parse_time(s: &str) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    let s = s.trim();
    let full = if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_owned()
    };
    time::OffsetDateTime::parse(&full, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|e| format!("{s:?} is not a date (2026-06-01) or an RFC 3339 time: {e}"))
}

/// The log files in `dir`: every regular file whose name has `.jsonl` in it (rotated and
/// compressed ones too), oldest name first.
fn log_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        // Not the link to today's file (`logging.json_file`): its target is read anyway.
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains(".jsonl"))
        })
        .collect();
    files.sort();
    Ok(files)
}

fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn Read> = if path.extension().is_some_and(|x| x == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(file))
    } else {
        Box::new(file)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 16, reader)))
}

fn step_index(step: &str) -> Option<u8> {
    Screen::from_name(step)
        .and_then(Screen::session_index)
        .map(|i| i as u8)
}

/// Codes that are faults of a device or of the service (counted as such).
fn is_fault(code: &str) -> bool {
    const DEVICES: [&str; 3] = ["CAMERA_", "LIGHTS_", "CHAIR_"];
    (DEVICES.iter().any(|d| code.starts_with(d)) && code != code::CAMERA_SETTING_REFUSED)
        || matches!(
            code,
            code::SERVICE_5XX
                | code::SERVICE_TIMEOUT
                | code::SERVICE_UNREACHABLE
                | code::SERVICE_REDIRECT
                | code::SERVICE_ANSWER_TOO_LARGE
                | code::SERVICE_CALL_FAILED
                | code::CAPTURE_FAILED
                | code::UPLOAD_REFUSED
                | code::UPLOAD_GAVE_UP
                | code::JOURNAL_WRITE_FAILED
                | code::TASK_RESTARTED
                | code::RUNTIME_PANICKED
                | code::DEVICE_COMMAND_FAILED
                | code::PHOTO_MISSING
        )
}

/// The reading state: kiosk ids interned, records collected.
#[derive(Default)]
struct Reader {
    kiosks: Vec<String>,
    ids: HashMap<String, u32>,
    records: Vec<Record>,
    unreadable: u64,
}

impl Reader {
    fn kiosk(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.kiosks.len() as u32;
        self.kiosks.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// Read one file; lines with no `kiosk` field belong to the last kiosk named in the file
    /// (one file is one kiosk's), or to `fallback` before any.
    fn read(&mut self, path: &Path, fallback: &str, q: &Query) -> std::io::Result<()> {
        let mut input = open(path)?;
        let mut current = None;
        let mut buf = Vec::with_capacity(512);
        loop {
            buf.clear();
            if input.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            // Most lines of a busy log are not coded: skip them before parsing.
            if memchr_code(&buf).is_none() {
                continue;
            }
            let Ok(line) = serde_json::from_slice::<Line>(&buf) else {
                self.unreadable += 1;
                continue;
            };
            let Some(code) = line.fields.code.as_deref() else {
                continue;
            };
            let Ok(ms) = parse_time(&line.timestamp) else {
                self.unreadable += 1;
                continue;
            };
            if let Some(k) = line.fields.kiosk.as_deref() {
                current = Some(self.kiosk(k));
            }
            if q.since_ms.is_some_and(|s| ms < s) || q.until_ms.is_some_and(|u| ms >= u) {
                continue;
            }
            let Some(what) = what_of(code, &line.fields) else {
                continue;
            };
            let kiosk = match current {
                Some(k) => k,
                None => self.kiosk(fallback),
            };
            self.records.push(Record { kiosk, ms, what });
        }
        Ok(())
    }
}

/// A failed review's reasons: a JSON array of strings (each reason whole, whatever it holds).
/// Lines of earlier kiosks joined them with "; ", which also splits a reason that holds one;
/// they are read that way, as well as can be.
fn review_reasons(field: Option<&str>) -> Vec<String> {
    let Some(field) = field else {
        return Vec::new();
    };
    if let Ok(reasons) = serde_json::from_str::<Vec<String>>(field) {
        return reasons;
    }
    field
        .split("; ")
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Where `"code":"` is in a line.
fn memchr_code(line: &[u8]) -> Option<usize> {
    memchr::memmem::find(line, b"\"code\":\"")
}

fn what_of(code: &str, f: &Fields) -> Option<What> {
    let num = |v: &Option<Cow<str>>| v.as_deref().and_then(|s| s.parse::<u64>().ok());
    let list = |v: &Option<Cow<str>>, sep: &str| -> Vec<String> {
        v.as_deref()
            .map(|s| {
                s.split(sep)
                    .filter(|x| !x.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    Some(match code {
        code::SESSION_STARTED => What::Started,
        code::STEP_ENTERED => What::Step(step_index(f.step.as_deref()?)?),
        code::SESSION_ENDED => What::Ended {
            outcome: f.outcome.as_deref().unwrap_or("unknown").to_owned(),
            last_step: f
                .last_step
                .as_deref()
                .and_then(step_index)
                .unwrap_or(u8::MAX),
            shots: num(&f.shots).unwrap_or(0).min(255) as u8,
        },
        code::SHOT_TAKEN | code::PHOTO_CHECK_FAILED => What::Shot {
            failed: list(&f.failed, ","),
        },
        code::REVIEW_PASSED => What::ReviewPassed,
        code::REVIEW_FAILED => What::ReviewFailed(review_reasons(f.reasons.as_deref())),
        code::PAYMENT_PAID => What::Paid(num(&f.amount_fen).unwrap_or(0)),
        code::PAYMENT_EXPIRED => What::Expired,
        code::OUT_OF_SERVICE => What::OutOfService,
        code::BACK_IN_SERVICE | code::KIOSK_STOPPED | code::KIOSK_STARTED => What::Back,
        other if is_fault(other) => What::Fault(other.to_owned()),
        _ => return None,
    })
}

/// Read every directory of `q` and summarise.
pub fn summarise(q: &Query) -> Result<Report, String> {
    let mut reader = Reader::default();
    let mut files = 0;
    for dir in &q.dirs {
        let fallback = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("kiosk")
            .to_owned();
        let listed = log_files(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for file in listed {
            reader
                .read(&file, &fallback, q)
                .map_err(|e| format!("{}: {e}", file.display()))?;
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

/// Per-kiosk folding state.
#[derive(Default)]
struct Fold {
    /// A session is in progress (`Some`), with the step on screen and since when.
    open: Option<Option<(u8, i64)>>,
    reached: [u64; Screen::SESSION.len()],
    gave_up: [u64; Screen::SESSION.len()],
    step_secs: [Vec<f64>; Screen::SESSION.len()],
    rejections: HashMap<String, u64>,
    out_since: Option<i64>,
    /// The latest event's time.
    last_ms: i64,
}

impl Fold {
    fn close_step(&mut self, ms: i64) {
        if let Some(Some((step, since))) = self.open.as_mut()
            && let Some(v) = self.step_secs.get_mut(usize::from(*step))
        {
            v.push((ms - *since).max(0) as f64 / 1e3);
        }
    }

    fn add(&mut self, r: &Record, s: &mut Summary) {
        s.events += 1;
        self.last_ms = r.ms;
        match &r.what {
            What::Started => {
                s.sessions_started += 1;
                self.open = Some(None);
            }
            What::Step(step) => {
                self.close_step(r.ms);
                if let Some(current) = self.open.as_mut() {
                    *current = Some((*step, r.ms));
                }
                if let Some(n) = self.reached.get_mut(usize::from(*step)) {
                    *n += 1;
                }
            }
            What::Ended {
                outcome,
                last_step,
                shots,
            } => {
                self.close_step(r.ms);
                self.open = None;
                *s.outcomes.entry(outcome.clone()).or_default() += 1;
                let known = SessionOutcome::from_name(outcome);
                if known == Some(SessionOutcome::Paid) {
                    s.completed += 1;
                }
                if matches!(
                    known,
                    Some(
                        SessionOutcome::Cancelled
                            | SessionOutcome::IdleTimeout
                            | SessionOutcome::DeviceFault
                    )
                ) && let Some(n) = self.gave_up.get_mut(usize::from(*last_step))
                {
                    *n += 1;
                }
                *s.shots_per_session.entry(*shots).or_default() += 1;
            }
            What::Shot { failed } => {
                s.shots += 1;
                for f in failed {
                    *self.rejections.entry(format!("check: {f}")).or_default() += 1;
                }
            }
            What::ReviewPassed => s.reviews_passed += 1,
            What::ReviewFailed(reasons) => {
                s.reviews_failed += 1;
                for reason in reasons {
                    *self
                        .rejections
                        .entry(format!("review: {reason}"))
                        .or_default() += 1;
                }
            }
            What::Paid(fen) => {
                s.payments_paid += 1;
                s.paid_fen += fen;
            }
            What::Expired => s.payments_expired += 1,
            What::OutOfService => {
                self.out_since.get_or_insert(r.ms);
            }
            What::Back => {
                if let Some(since) = self.out_since.take() {
                    s.out_of_service_secs += (r.ms - since).max(0) as f64 / 1e3;
                }
            }
            What::Fault(code) => *s.faults.entry(code.clone()).or_default() += 1,
        }
    }

    /// End of the window: a kiosk still out of service counts until `end_ms`.
    fn finish(&mut self, s: &mut Summary, end_ms: i64) {
        if let Some(since) = self.out_since.take() {
            s.out_of_service_secs += (end_ms - since).max(0) as f64 / 1e3;
        }
        self.finish_steps(s);
    }

    fn finish_steps(&mut self, s: &mut Summary) {
        s.funnel = Screen::SESSION
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let v = &mut self.step_secs[i];
                v.sort_by(f64::total_cmp);
                StepRow {
                    step: step.name().into(),
                    reached: self.reached[i],
                    gave_up: self.gave_up[i],
                    median_secs: percentile(v, 0.5),
                    p90_secs: percentile(v, 0.9),
                }
            })
            .collect();
        let mut top: Vec<(String, u64)> = self
            .rejections
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(5);
        s.top_rejections = top;
        let reviewed = s.reviews_passed + s.reviews_failed;
        s.review_pass_rate = (reviewed > 0).then(|| s.reviews_passed as f64 / reviewed as f64);
    }

    fn merge(&mut self, other: &Fold) {
        for i in 0..Screen::SESSION.len() {
            self.reached[i] += other.reached[i];
            self.gave_up[i] += other.gave_up[i];
            self.step_secs[i].extend_from_slice(&other.step_secs[i]);
        }
        for (k, v) in &other.rejections {
            *self.rejections.entry(k.clone()).or_default() += v;
        }
    }
}

impl Summary {
    fn merge(&mut self, o: &Summary) {
        self.sessions_started += o.sessions_started;
        self.completed += o.completed;
        for (k, v) in &o.outcomes {
            *self.outcomes.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.shots_per_session {
            *self.shots_per_session.entry(*k).or_default() += v;
        }
        for (k, v) in &o.faults {
            *self.faults.entry(k.clone()).or_default() += v;
        }
        self.shots += o.shots;
        self.reviews_passed += o.reviews_passed;
        self.reviews_failed += o.reviews_failed;
        self.payments_paid += o.payments_paid;
        self.paid_fen += o.paid_fen;
        self.payments_expired += o.payments_expired;
        self.out_of_service_secs += o.out_of_service_secs;
        self.events += o.events;
    }
}

/// The `q`-quantile of sorted `v` (nearest rank).
fn percentile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
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
            super::review_reasons(Some("Head tilted; Eyes closed")),
            ["Head tilted", "Eyes closed"]
        );
        assert_eq!(super::review_reasons(Some("[]")), Vec::<String>::new());
        assert_eq!(super::review_reasons(None), Vec::<String>::new());
    }
}
