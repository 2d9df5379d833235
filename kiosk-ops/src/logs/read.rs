//! Reading the log files: every coded line parsed borrowed (no allocation per field) and
//! reduced to a small [`Record`]; lines without a `code` are not parsed at all.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use kiosk_core::model::Screen;
use kiosk_core::ops::code;
use serde::Deserialize;

use super::*;

/// One coded line, as written by the kiosk (tracing-subscriber's JSON format).
#[derive(Deserialize)]
pub(super) struct Line<'a> {
    #[serde(borrow)]
    timestamp: Cow<'a, str>,
    #[serde(borrow)]
    fields: Fields<'a>,
}

#[derive(Deserialize)]
pub(super) struct Fields<'a> {
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
pub(super) enum What {
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
pub(super) struct Record {
    pub(super) kiosk: u32,
    pub(super) ms: i64,
    pub(super) what: What,
}

/// The log files in `dir`: every regular file whose name has `.jsonl` in it (rotated and
/// compressed ones too), oldest name first.
pub(super) fn log_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
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
pub(super) struct Reader {
    pub(super) kiosks: Vec<String>,
    ids: HashMap<String, u32>,
    pub(super) records: Vec<Record>,
    pub(super) unreadable: u64,
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
    pub(super) fn read(&mut self, path: &Path, fallback: &str, q: &Query) -> std::io::Result<()> {
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
pub(super) fn review_reasons(field: Option<&str>) -> Vec<String> {
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
