//! What operators see of a session: the stable event codes, and the events one flow transition
//! means to them ([`observe`]).
//!
//! The runtime logs each [`Observed`] as one line with its `code` (and counts it in the
//! metrics); `kiosk logs summary` reads those lines back. So the funnel, the step times, the
//! review and payment figures all come from one place, the flow's own transitions, not from
//! log messages scattered over the code. Every code the kiosk logs is a row of [`CODES`], and
//! `docs/operations.md` documents each (a test holds the three together).

use std::borrow::Cow;

use crate::flow::{
    CaptureProblem, Device, Effect, Event, FaultKind, Pay, Phase, RejectReason, Review,
    ScannedCode, ServiceOp, SessionOutcome, State,
};
use crate::model::{DoneKind, Screen};

/// How loud an event is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Normal operation.
    Info,
    /// Something went wrong that the kiosk handled, or a graduate was refused.
    Warn,
    /// A part is broken or data may be lost: someone should look.
    Error,
}

/// One row of the code table.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    /// The stable code (`CAMERA_DISCONNECTED`).
    pub code: &'static str,
    /// Its level.
    pub level: Level,
}

macro_rules! codes {
    ($($name:ident: $level:ident),* $(,)?) => {
        /// The stable event codes the kiosk logs (besides the device faults, see
        /// [`fault_code`]).
        pub mod code {
            $(#[allow(missing_docs)] pub const $name: &str = stringify!($name);)*
        }
        /// Every code the kiosk logs with its level, besides the device faults
        /// ([`fault_code`]).
        pub const CODES: &[CodeInfo] = &[$(CodeInfo { code: code::$name, level: Level::$level }),*];
    };
}

codes! {
    // The session (flow transitions, see `observe`).
    SESSION_STARTED: Info,
    STEP_ENTERED: Info,
    SESSION_ENDED: Info,
    QR_PERSONAL_CODE: Info,
    QR_RAW_CHSI_CODE: Warn,
    QR_FOREIGN_CODE: Warn,
    QR_SEVERAL_CODES: Warn,
    CODE_RESOLVED: Info,
    CODE_UNKNOWN: Warn,
    CODE_EXPIRED: Warn,
    CODE_NO_SHOTS_LEFT: Warn,
    SHOT_TAKEN: Info,
    PHOTO_CHECK_FAILED: Warn,
    CAPTURE_FAILED: Warn,
    UPLOADED: Info,
    UPLOAD_REFUSED: Error,
    UPLOAD_GAVE_UP: Error,
    REVIEW_PASSED: Info,
    REVIEW_FAILED: Warn,
    REVIEW_TIMED_OUT: Warn,
    ORDER_CREATED: Info,
    ORDER_FAILED: Warn,
    ORDER_PRICE_DIFFERS: Warn,
    PAYMENT_PAID: Info,
    PAYMENT_EXPIRED: Warn,
    SERVICE_CALL_FAILED: Warn,
    OUT_OF_SERVICE: Error,
    BACK_IN_SERVICE: Info,
    // The runtime and its edges.
    KIOSK_STARTED: Info,
    KIOSK_STOPPED: Info,
    SESSION_RESUMED: Info,
    SERVICE_5XX: Warn,
    SERVICE_TIMEOUT: Warn,
    SERVICE_UNREACHABLE: Warn,
    SERVICE_REDIRECT: Error,
    SERVICE_ANSWER_TOO_LARGE: Error,
    SERVICE_RETRY: Info,
    SERVICE_REFUSED: Warn,
    PHOTO_MISSING: Error,
    PHOTO_DELETE_FAILED: Warn,
    JOURNAL_WRITE_FAILED: Error,
    RETENTION_PURGED: Info,
    CAMERA_SETTING_REFUSED: Warn,
    DEVICE_COMMAND_FAILED: Error,
    TASK_RESTARTED: Error,
    RUNTIME_PANICKED: Error,
    EMERGENCY_STOP: Error,
    SEAT_LEVELLING_STOPPED: Warn,
    MAINTENANCE_OPENED: Info,
    MAINTENANCE_CLOSED: Info,
    MAINTENANCE_PIN_ACCEPTED: Info,
    MAINTENANCE_PIN_REFUSED: Warn,
    MAINTENANCE_PIN_LOCKED: Error,
    LOG_LEVEL_CHANGED: Info,
    LOG_CAPPED: Error,
    METRICS_SERVING: Info,
    METRICS_UNAVAILABLE: Warn,
    VOICE_UNAVAILABLE: Warn,
}

/// Every device fault kind a [`fault_code`] can carry.
pub const FAULT_KINDS: [FaultKind; 17] = [
    FaultKind::Disconnected,
    FaultKind::Claimed,
    FaultKind::Busy,
    FaultKind::Timeout,
    FaultKind::Refused,
    FaultKind::Unsupported,
    FaultKind::StoreFull,
    FaultKind::DriverGone,
    FaultKind::Port,
    FaultKind::NoReply,
    FaultKind::Protocol,
    FaultKind::Exception,
    FaultKind::UnknownName,
    FaultKind::Overcurrent,
    FaultKind::Stalled,
    FaultKind::Unavailable,
    FaultKind::DiskFull,
];

/// A device fault's code: the device and the kind, `CAMERA_DISCONNECTED`, `CHAIR_OVERCURRENT`,
/// `LIGHTS_NO_REPLY`. Level [`Level::Error`].
pub fn fault_code(device: Device, kind: FaultKind) -> String {
    format!("{}_{}", device.name(), kind.name()).to_ascii_uppercase()
}

/// What one transition means to an operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observed {
    /// A graduate pressed start.
    SessionStarted,
    /// The session moved to another step.
    StepEntered {
        /// The step now on screen.
        step: Screen,
    },
    /// The session ended.
    SessionEnded {
        /// How.
        outcome: SessionOutcome,
        /// The step it ended on (where a graduate gave up).
        last_step: Screen,
        /// Shots used with the code, all sessions together.
        shots: u8,
    },
    /// A QR code was read and classified (repeats of a code held in view are not counted).
    Scanned(ScannedCode),
    /// The service resolved the code.
    CodeResolved {
        /// Shots already used with it.
        shots_used: u8,
    },
    /// The service refused the code.
    CodeRejected(RejectReason),
    /// The code has no shots left.
    NoShotsLeft,
    /// A shot was taken and checked.
    ShotTaken {
        /// Its number.
        shot: u8,
        /// The checks it failed (names).
        failed: Vec<String>,
    },
    /// The camera did not deliver; not counted.
    CaptureFailed(CaptureProblem),
    /// The service holds the photo.
    Uploaded,
    /// The service refused the photo for good.
    UploadRefused,
    /// The photo could not be sent in the allowed attempts.
    UploadGaveUp,
    /// CHSI-style review passed.
    ReviewPassed,
    /// The review failed, with its reasons (English).
    ReviewFailed(Vec<String>),
    /// The review took too long: the graduate was sent to the mini-program.
    ReviewTimedOut,
    /// The payment order exists.
    OrderCreated {
        /// Amount, fen.
        amount_fen: u32,
    },
    /// The service could not create an order.
    OrderFailed,
    /// Paid.
    Paid {
        /// Amount, fen.
        amount_fen: u32,
    },
    /// The payment window closed unpaid.
    PaymentExpired,
    /// A service call failed after its retries.
    ServiceFailed(ServiceOp),
    /// A device failed.
    DeviceFault(Device, FaultKind),
    /// The kiosk cannot serve graduates.
    OutOfService {
        /// The reference staff see.
        reference: String,
    },
    /// Every device answers again.
    BackInService,
}

impl Observed {
    /// The event's code.
    pub fn code(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Observed::SessionStarted => code::SESSION_STARTED,
            Observed::StepEntered { .. } => code::STEP_ENTERED,
            Observed::SessionEnded { .. } => code::SESSION_ENDED,
            Observed::Scanned(ScannedCode::Personal(_)) => code::QR_PERSONAL_CODE,
            Observed::Scanned(ScannedCode::RawChsi) => code::QR_RAW_CHSI_CODE,
            Observed::Scanned(ScannedCode::Foreign) => code::QR_FOREIGN_CODE,
            Observed::Scanned(ScannedCode::SeveralPersonal) => code::QR_SEVERAL_CODES,
            Observed::CodeResolved { .. } => code::CODE_RESOLVED,
            Observed::CodeRejected(RejectReason::Unknown) => code::CODE_UNKNOWN,
            Observed::CodeRejected(RejectReason::RawChsi) => code::QR_RAW_CHSI_CODE,
            Observed::CodeRejected(RejectReason::Expired) => code::CODE_EXPIRED,
            Observed::NoShotsLeft => code::CODE_NO_SHOTS_LEFT,
            Observed::ShotTaken { failed, .. } if failed.is_empty() => code::SHOT_TAKEN,
            Observed::ShotTaken { .. } => code::PHOTO_CHECK_FAILED,
            Observed::CaptureFailed(_) => code::CAPTURE_FAILED,
            Observed::Uploaded => code::UPLOADED,
            Observed::UploadRefused => code::UPLOAD_REFUSED,
            Observed::UploadGaveUp => code::UPLOAD_GAVE_UP,
            Observed::ReviewPassed => code::REVIEW_PASSED,
            Observed::ReviewFailed(_) => code::REVIEW_FAILED,
            Observed::ReviewTimedOut => code::REVIEW_TIMED_OUT,
            Observed::OrderCreated { .. } => code::ORDER_CREATED,
            Observed::OrderFailed => code::ORDER_FAILED,
            Observed::Paid { .. } => code::PAYMENT_PAID,
            Observed::PaymentExpired => code::PAYMENT_EXPIRED,
            Observed::ServiceFailed(_) => code::SERVICE_CALL_FAILED,
            Observed::DeviceFault(device, kind) => return Cow::Owned(fault_code(*device, *kind)),
            Observed::OutOfService { .. } => code::OUT_OF_SERVICE,
            Observed::BackInService => code::BACK_IN_SERVICE,
        })
    }

    /// The event's level.
    pub fn level(&self) -> Level {
        match self {
            Observed::DeviceFault(..) => Level::Error,
            other => {
                let code = other.code();
                CODES
                    .iter()
                    .find(|c| c.code == code)
                    .map_or(Level::Warn, |c| c.level)
            }
        }
    }

    /// The event's fields besides its code, as (name, value) for the log line. Never personal
    /// data: the flow's state has only masked identities, and codes are not carried here.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        match self {
            Observed::StepEntered { step } => vec![("step", step.name().into())],
            Observed::SessionEnded {
                outcome,
                last_step,
                shots,
            } => vec![
                ("outcome", outcome.as_str().into()),
                ("last_step", last_step.name().into()),
                ("shots", shots.to_string()),
            ],
            Observed::CodeResolved { shots_used } => vec![("shots_used", shots_used.to_string())],
            Observed::ShotTaken { shot, failed } => {
                vec![("shot", shot.to_string()), ("failed", failed.join(","))]
            }
            Observed::CaptureFailed(p) => vec![("problem", format!("{p:?}").to_lowercase())],
            // A JSON array: a reason is the service's free text and may hold any separator
            // ("Hair covers the eyebrows; please tidy it and retake").
            Observed::ReviewFailed(reasons) => vec![(
                "reasons",
                serde_json::to_string(reasons).unwrap_or_default(),
            )],
            Observed::OrderCreated { amount_fen } | Observed::Paid { amount_fen } => {
                vec![("amount_fen", amount_fen.to_string())]
            }
            Observed::ServiceFailed(op) => vec![("op", format!("{op:?}").to_lowercase())],
            Observed::DeviceFault(device, kind) => vec![
                ("device", device.name().into()),
                ("kind", kind.name().into()),
            ],
            Observed::OutOfService { reference } => vec![("reference", reference.clone())],
            _ => vec![],
        }
    }
}

/// What the transition `prev` --`event`/`effects`--> `next` means to operators, in the order
/// it happened: the session's start first, its end last.
pub fn observe(prev: &State, event: &Event, effects: &[Effect], next: &State) -> Vec<Observed> {
    let mut out = Vec::new();
    if effects
        .iter()
        .any(|e| matches!(e, Effect::SessionStarted { .. }))
    {
        out.push(Observed::SessionStarted);
    }
    out.extend(what_happened(prev, event, next));
    out.extend(phase_change(prev, next));
    let (from, to) = (prev.phase.screen(), next.phase.screen());
    if from != to && next.session.is_some() {
        out.push(Observed::StepEntered { step: to });
    }
    for effect in effects {
        if let Effect::SessionEnded { outcome, .. } = effect {
            out.push(Observed::SessionEnded {
                outcome: *outcome,
                last_step: from,
                shots: prev.session.as_ref().map_or(0, |s| s.shots_used),
            });
        }
    }
    out
}

/// The event itself, where it means something on its own.
fn what_happened(prev: &State, event: &Event, next: &State) -> Option<Observed> {
    match event {
        Event::CodeScanned(code)
            if prev.phase != next.phase || prev.last_refused != next.last_refused =>
        {
            Some(Observed::Scanned(match code {
                // The payload stays out of what operators see.
                ScannedCode::Personal(_) => ScannedCode::Personal(String::new()),
                other => other.clone(),
            }))
        }
        // As the flow judges it: a code past its expiry is refused, and the kiosk's own count
        // wins when it is higher.
        Event::CodeResolved {
            expires_at_ms: Some(at),
            ..
        } if *at <= prev.now_ms => Some(Observed::CodeRejected(RejectReason::Expired)),
        Event::CodeResolved {
            shots_used,
            shots_on_kiosk,
            ..
        } => Some(Observed::CodeResolved {
            shots_used: (*shots_used).max(*shots_on_kiosk),
        }),
        Event::CodeRejected(reason) => Some(Observed::CodeRejected(*reason)),
        Event::Captured { shot, checks } => Some(Observed::ShotTaken {
            shot: *shot,
            failed: checks
                .iter()
                .filter(|c| c.pass == Some(false))
                .map(|c| c.name.clone())
                .collect(),
        }),
        Event::CaptureFailed(problem) => Some(Observed::CaptureFailed(*problem)),
        Event::Uploaded { .. } if prev.phase != next.phase => Some(Observed::Uploaded),
        Event::UploadRefused => Some(Observed::UploadRefused),
        Event::ServiceFailed(op) => Some(Observed::ServiceFailed(*op)),
        Event::DeviceFault { device, kind } if prev != next => {
            Some(Observed::DeviceFault(*device, *kind))
        }
        _ => None,
    }
}

/// What entering `next`'s phase from `prev`'s means.
fn phase_change(prev: &State, next: &State) -> Option<Observed> {
    if prev.phase == next.phase {
        return None;
    }
    let amount = || {
        prev.session
            .as_ref()
            .and_then(|s| s.order.as_ref())
            .map_or(0, |o| o.amount_fen)
    };
    match (&prev.phase, &next.phase) {
        (_, Phase::Scan { notice, .. })
            if *notice == Some(crate::model::ScanNotice::NoShotsLeft) =>
        {
            Some(Observed::NoShotsLeft)
        }
        (_, Phase::Review(Review::Unsent { refused: false })) => Some(Observed::UploadGaveUp),
        (Phase::Review(_), Phase::Pay(Pay::Creating)) => Some(Observed::ReviewPassed),
        (_, Phase::Review(Review::Failed(reasons))) => Some(Observed::ReviewFailed(
            reasons.iter().map(|(_, en)| en.clone()).collect(),
        )),
        (
            _,
            Phase::Done {
                kind: DoneKind::ReviewPending,
                ..
            },
        ) => Some(Observed::ReviewTimedOut),
        (_, Phase::Pay(Pay::Showing { .. }))
            if !matches!(prev.phase, Phase::Pay(Pay::Showing { .. })) =>
        {
            Some(Observed::OrderCreated {
                amount_fen: next
                    .session
                    .as_ref()
                    .and_then(|s| s.order.as_ref())
                    .map_or(0, |o| o.amount_fen),
            })
        }
        (_, Phase::Pay(Pay::Failed)) => Some(Observed::OrderFailed),
        (_, Phase::Pay(Pay::Expired)) => Some(Observed::PaymentExpired),
        (
            Phase::Pay(_),
            Phase::Done {
                kind: DoneKind::Paid,
                ..
            },
        ) => Some(Observed::Paid {
            amount_fen: amount(),
        }),
        (_, Phase::OutOfService { reference }) => Some(Observed::OutOfService {
            reference: reference.clone(),
        }),
        (Phase::OutOfService { .. }, _) => Some(Observed::BackInService),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{
        FlowConfig, Identity, OrderInfo, PaymentState, ReviewState, ShotCheck, step,
    };
    use crate::model::Intent;

    const T0: u64 = 1_750_000_000_000;

    /// Run `script` from the attract screen and return the codes observed, with each
    /// `STEP_ENTERED` written as `STEP_ENTERED:step`.
    fn codes_of(script: Vec<Event>) -> Vec<String> {
        let cfg = FlowConfig::default();
        let mut s = State::new(T0);
        let mut now = T0;
        let mut out = vec![];
        for event in script {
            let event = match event {
                Event::Tick { now_ms } => {
                    now += now_ms;
                    Event::Tick { now_ms: now }
                }
                e => e,
            };
            let (n, effects) = step(&cfg, s.clone(), event.clone());
            for o in observe(&s, &event, &effects, &n) {
                out.push(match &o {
                    Observed::StepEntered { step } => format!("STEP_ENTERED:{step}"),
                    Observed::SessionEnded {
                        outcome, last_step, ..
                    } => {
                        format!("SESSION_ENDED:{outcome}@{last_step}")
                    }
                    other => other.code().into_owned(),
                });
            }
            s = n;
        }
        out
    }

    fn order() -> OrderInfo {
        OrderInfo {
            id: "o1".into(),
            code_url: "weixin://x".into(),
            amount_fen: 2000,
        }
    }

    fn to_confirm() -> Vec<Event> {
        vec![
            Event::Intent(Intent::Start),
            Event::Intent(Intent::ChooseGraduatePhoto),
            Event::Intent(Intent::PrepareShoot),
            Event::CodeScanned(ScannedCode::RawChsi),
            Event::CodeScanned(ScannedCode::RawChsi),
            Event::CodeScanned(ScannedCode::Personal("GPK1.token".into())),
            Event::CodeResolved {
                identity: Identity::default(),
                shots_used: 0,
                shots_on_kiosk: 0,
                shots_max: None,
                expires_at_ms: None,
            },
        ]
    }

    fn to_review(failed_check: bool) -> Vec<Event> {
        let mut v = to_confirm();
        v.extend([
            Event::Intent(Intent::ConfirmIdentity),
            Event::Intent(Intent::ChooseGlasses(true)),
            Event::Intent(Intent::AcceptRules),
            Event::Intent(Intent::ChairReady),
            Event::Intent(Intent::TakePhoto),
            Event::Tick { now_ms: 3_000 },
            Event::Captured {
                shot: 1,
                checks: vec![ShotCheck {
                    name: "head_tilt".into(),
                    pass: Some(!failed_check),
                    zh: String::new(),
                    en: String::new(),
                }],
            },
            Event::Intent(Intent::UsePhoto),
            Event::Uploaded {
                submission: "sub-1".into(),
            },
        ]);
        v
    }

    #[test]
    fn a_paid_session_reads_as_its_steps_in_order_and_one_payment() {
        let mut script = to_review(false);
        script.extend([
            Event::ReviewUpdate(ReviewState::Passed),
            Event::OrderCreated(order()),
            Event::Tick { now_ms: 2_000 },
            Event::PaymentUpdate {
                order: "o1".into(),
                state: PaymentState::Paid,
            },
            Event::Intent(Intent::Finish),
        ]);
        assert_eq!(
            codes_of(script),
            [
                "SESSION_STARTED",
                "STEP_ENTERED:photo_type",
                "STEP_ENTERED:prepare",
                "STEP_ENTERED:scan",
                // The same raw code held in view is one refusal, not two.
                "QR_RAW_CHSI_CODE",
                "QR_PERSONAL_CODE",
                "CODE_RESOLVED",
                "STEP_ENTERED:confirm",
                "STEP_ENTERED:lighting",
                "STEP_ENTERED:rules",
                "STEP_ENTERED:chair",
                "STEP_ENTERED:shoot",
                "SHOT_TAKEN",
                "STEP_ENTERED:review",
                "UPLOADED",
                "REVIEW_PASSED",
                "STEP_ENTERED:pay",
                "ORDER_CREATED",
                "PAYMENT_PAID",
                "STEP_ENTERED:done",
                "SESSION_ENDED:paid@done",
            ]
        );
    }

    #[test]
    fn a_failed_check_a_failed_review_and_an_expired_payment_are_named() {
        let mut script = to_review(true);
        script.push(Event::ReviewUpdate(ReviewState::Failed(vec![(
            "头部倾斜".into(),
            "head tilted".into(),
        )])));
        let codes = codes_of(script);
        assert!(codes.contains(&"PHOTO_CHECK_FAILED".into()), "{codes:?}");
        assert_eq!(codes.last().unwrap(), "REVIEW_FAILED");

        let mut script = to_review(false);
        script.extend([
            Event::ReviewUpdate(ReviewState::Passed),
            Event::OrderCreated(order()),
            Event::Tick { now_ms: 400_000 },
            Event::PaymentUpdate {
                order: "o1".into(),
                state: PaymentState::Closed,
            },
            Event::Intent(Intent::Cancel),
        ]);
        let codes = codes_of(script);
        assert!(codes.contains(&"PAYMENT_EXPIRED".into()), "{codes:?}");
        assert!(!codes.contains(&"PAYMENT_PAID".into()), "{codes:?}");
        assert_eq!(codes.last().unwrap(), "SESSION_ENDED:cancelled@pay");
    }

    #[test]
    fn a_graduate_who_gives_up_is_counted_where_they_left() {
        let mut script = to_confirm();
        script.push(Event::Intent(Intent::Cancel));
        let codes = codes_of(script);
        assert_eq!(codes.last().unwrap(), "SESSION_ENDED:cancelled@confirm");
        assert!(
            !codes.iter().any(|c| c == "STEP_ENTERED:attract"),
            "the attract screen is outside any session"
        );
    }

    #[test]
    fn a_device_fault_is_coded_by_device_and_kind_and_so_is_the_way_back() {
        let codes = codes_of(vec![
            Event::DeviceFault {
                device: Device::Camera,
                kind: FaultKind::Disconnected,
            },
            Event::DevicesHealthy,
        ]);
        assert_eq!(
            codes,
            ["CAMERA_DISCONNECTED", "OUT_OF_SERVICE", "BACK_IN_SERVICE"]
        );
        assert_eq!(
            fault_code(Device::Chair, FaultKind::NoReply),
            "CHAIR_NO_REPLY"
        );
    }

    /// Step and outcome names are what logs, metrics and the logs summary agree on: each is its
    /// serde name, distinct, and read back to itself.
    #[test]
    fn step_and_outcome_names_are_their_serde_names_and_read_back() {
        let screens = [
            Screen::Attract,
            Screen::OutOfService,
            Screen::MaintenancePin,
            Screen::Maintenance,
        ]
        .into_iter()
        .chain(Screen::SESSION);
        let mut seen = std::collections::HashSet::new();
        for s in screens {
            assert_eq!(serde_json::to_value(s).unwrap(), s.name(), "{s:?}");
            assert_eq!(Screen::from_name(s.name()), Some(s));
            assert!(seen.insert(s.name()), "{s:?} twice");
        }
        assert_eq!(
            seen.len(),
            15,
            "a screen missing from SESSION or the list above"
        );
        for o in SessionOutcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str(), "{o:?}");
            assert_eq!(SessionOutcome::from_name(o.as_str()), Some(o));
        }
        assert_eq!(Screen::from_name("photo-type"), None);
        assert_eq!(SessionOutcome::from_name("idle"), None);
        assert_eq!(Screen::Pay.indicated(), Some(Screen::INDICATED));
        assert_eq!(Screen::Done.indicated(), None);
    }

    #[test]
    fn every_code_is_distinct_and_shouting_snake_case() {
        let mut all: Vec<String> = CODES.iter().map(|c| c.code.to_owned()).collect();
        for device in [Device::Camera, Device::Lights, Device::Chair] {
            all.extend(FAULT_KINDS.iter().map(|k| fault_code(device, *k)));
        }
        let n = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), n, "a code is defined twice");
        for c in &all {
            assert!(
                c.chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_'),
                "{c}"
            );
        }
    }
}
