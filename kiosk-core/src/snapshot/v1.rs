//! Version 1 of the snapshot: its serde types, each with the conversion from the flow's type
//! and back. Changing a type here changes what is on disk: make a version 2 instead.

use serde::{Deserialize, Serialize};

use super::*;

/// Version 1 of the snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotV1 {
    /// Always [`VERSION`] when written; absent (0) in the first format.
    #[serde(default)]
    pub version: u32,
    phase: PhaseV1,
    lang: LangV1,
    now_ms: u64,
    last_activity_ms: u64,
    session: Option<SessionV1>,
    sessions_started: u64,
    pending_fault: Option<String>,
    last_refused: Option<(CodeV1, u64)>,
    /// Added after version 1 shipped; absent in older snapshots (no wrong PINs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pin_guard: Option<(u32, u64)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum LangV1 {
    Zh,
    En,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct SessionV1 {
    seq: u64,
    code: Option<String>,
    identity: Option<IdentityV1>,
    shots_used: u8,
    glasses: Option<bool>,
    shot_on_screen: Option<u8>,
    /// Added after version 1 shipped; absent in older snapshots (the config's count applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shots_max: Option<u8>,
    /// Added after version 1 shipped; absent in older snapshots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    shot_checks: Vec<ShotCheckV1>,
    submitted_shot: Option<u8>,
    submission: Option<String>,
    order: Option<OrderV1>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ShotCheckV1 {
    name: String,
    pass: Option<bool>,
    zh: String,
    en: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct IdentityV1 {
    name: String,
    id_number: String,
    school: String,
    level: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct OrderV1 {
    id: String,
    code_url: String,
    amount_fen: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum CodeV1 {
    Personal(String),
    RawChsi,
    Foreign,
    SeveralPersonal,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum PhaseV1 {
    Attract,
    PhotoType,
    Prepare,
    Scan {
        notice: Option<NoticeV1>,
        resolving: bool,
    },
    Confirm,
    Lighting,
    Rules,
    Chair,
    Shoot(ShootV1),
    Review(ReviewV1),
    Pay(PayV1),
    Done {
        kind: DoneV1,
        until_ms: u64,
    },
    /// The maintenance PIN keypad (on disk under its first name). Never resumed after a
    /// restart; kept readable so old snapshots decode.
    ServicePin {
        #[serde(default)]
        failures: u8,
    },
    /// Maintenance mode (on disk under its first name), as above.
    Service(serde_json::Value),
    OutOfService {
        reference: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum NoticeV1 {
    Checking,
    RawChsiCode,
    ForeignCode,
    SeveralCodes,
    UnknownCode,
    ExpiredCode,
    NoShotsLeft,
    ServiceUnavailable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum DoneV1 {
    Paid,
    ReviewPending,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum ShootV1 {
    Ready,
    Countdown { fire_at_ms: u64 },
    Capturing,
    Preview,
    Failed(CaptureV1),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum CaptureV1 {
    Timeout,
    Busy,
    Disconnected,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum ReviewV1 {
    Uploading {
        failures: u32,
        retry_at_ms: Option<u64>,
    },
    Waiting {
        since_ms: u64,
        next_poll_ms: u64,
    },
    Failed(Vec<(String, String)>),
    /// Added after version 1 shipped.
    Unsent {
        refused: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum PayV1 {
    Creating,
    Showing {
        expires_at_ms: u64,
        next_poll_ms: u64,
    },
    Expired,
    Failed,
}

impl From<&State> for SnapshotV1 {
    fn from(s: &State) -> Self {
        Self {
            version: VERSION,
            phase: PhaseV1::from(&s.phase),
            lang: match s.lang {
                Lang::Zh => LangV1::Zh,
                Lang::En => LangV1::En,
            },
            now_ms: s.now_ms,
            last_activity_ms: s.last_activity_ms,
            session: s.session.as_ref().map(SessionV1::from),
            sessions_started: s.sessions_started,
            pending_fault: s.pending_fault.clone(),
            last_refused: s
                .last_refused
                .as_ref()
                .map(|(code, at)| (CodeV1::from(code), *at)),
            pin_guard: (s.pin_guard != PinGuard::default())
                .then_some((s.pin_guard.failures, s.pin_guard.locked_until_ms)),
        }
    }
}

impl SnapshotV1 {
    /// The flow state this snapshot describes. Maintenance mode is not resumed: a restart
    /// during it lands on the attract screen (the flow's `Restored` then checks the devices).
    pub fn into_state(self) -> State {
        State {
            phase: self.phase.into_phase(),
            lang: match self.lang {
                LangV1::Zh => Lang::Zh,
                LangV1::En => Lang::En,
            },
            now_ms: self.now_ms,
            last_activity_ms: self.last_activity_ms,
            session: self.session.map(SessionV1::into_session),
            sessions_started: self.sessions_started,
            pending_fault: self.pending_fault,
            last_refused: self.last_refused.map(|(c, at)| (c.into_code(), at)),
            seat: None,
            pin_guard: self
                .pin_guard
                .map(|(failures, locked_until_ms)| PinGuard {
                    failures,
                    locked_until_ms,
                })
                .unwrap_or_default(),
        }
    }
}

impl From<&Session> for SessionV1 {
    fn from(s: &Session) -> Self {
        Self {
            seq: s.seq,
            code: s.code.clone(),
            identity: s.identity.as_ref().map(|i| IdentityV1 {
                name: i.name.clone(),
                id_number: i.id_number.clone(),
                school: i.school.clone(),
                level: i.level.clone(),
            }),
            shots_used: s.shots_used,
            shots_max: s.shots_max,
            glasses: s.glasses,
            shot_on_screen: s.shot_on_screen,
            shot_checks: s
                .shot_checks
                .iter()
                .map(|c| ShotCheckV1 {
                    name: c.name.clone(),
                    pass: c.pass,
                    zh: c.zh.clone(),
                    en: c.en.clone(),
                })
                .collect(),
            submitted_shot: s.submitted_shot,
            submission: s.submission.clone(),
            order: s.order.as_ref().map(|o| OrderV1 {
                id: o.id.clone(),
                code_url: o.code_url.clone(),
                amount_fen: o.amount_fen,
            }),
        }
    }
}

impl SessionV1 {
    fn into_session(self) -> Session {
        Session {
            seq: self.seq,
            code: self.code,
            identity: self.identity.map(|i| Identity {
                name: i.name,
                id_number: i.id_number,
                school: i.school,
                level: i.level,
            }),
            shots_used: self.shots_used,
            shots_max: self.shots_max,
            glasses: self.glasses,
            shot_on_screen: self.shot_on_screen,
            shot_checks: self
                .shot_checks
                .into_iter()
                .map(|c| ShotCheck {
                    name: c.name,
                    pass: c.pass,
                    zh: c.zh,
                    en: c.en,
                })
                .collect(),
            submitted_shot: self.submitted_shot,
            submission: self.submission,
            order: self.order.map(|o| OrderInfo {
                id: o.id,
                code_url: o.code_url,
                amount_fen: o.amount_fen,
            }),
        }
    }
}

impl From<&ScannedCode> for CodeV1 {
    fn from(c: &ScannedCode) -> Self {
        match c {
            ScannedCode::Personal(p) => CodeV1::Personal(p.clone()),
            ScannedCode::RawChsi => CodeV1::RawChsi,
            ScannedCode::Foreign => CodeV1::Foreign,
            ScannedCode::SeveralPersonal => CodeV1::SeveralPersonal,
        }
    }
}

impl CodeV1 {
    fn into_code(self) -> ScannedCode {
        match self {
            CodeV1::Personal(p) => ScannedCode::Personal(p),
            CodeV1::RawChsi => ScannedCode::RawChsi,
            CodeV1::Foreign => ScannedCode::Foreign,
            CodeV1::SeveralPersonal => ScannedCode::SeveralPersonal,
        }
    }
}

impl From<&Phase> for PhaseV1 {
    fn from(p: &Phase) -> Self {
        match p {
            Phase::Attract => PhaseV1::Attract,
            Phase::PhotoType => PhaseV1::PhotoType,
            Phase::Prepare => PhaseV1::Prepare,
            Phase::Scan { notice, resolving } => PhaseV1::Scan {
                notice: notice.map(NoticeV1::from),
                resolving: *resolving,
            },
            Phase::Confirm => PhaseV1::Confirm,
            Phase::Lighting => PhaseV1::Lighting,
            Phase::Rules => PhaseV1::Rules,
            Phase::Chair => PhaseV1::Chair,
            Phase::Shoot(s) => PhaseV1::Shoot(match s {
                Shoot::Ready => ShootV1::Ready,
                Shoot::Countdown { fire_at_ms } => ShootV1::Countdown {
                    fire_at_ms: *fire_at_ms,
                },
                Shoot::Capturing => ShootV1::Capturing,
                Shoot::Preview => ShootV1::Preview,
                Shoot::Failed(c) => ShootV1::Failed(match c {
                    CaptureProblem::Timeout => CaptureV1::Timeout,
                    CaptureProblem::Busy => CaptureV1::Busy,
                    CaptureProblem::Disconnected => CaptureV1::Disconnected,
                }),
            }),
            Phase::Review(r) => PhaseV1::Review(match r {
                Review::Uploading {
                    failures,
                    retry_at_ms,
                } => ReviewV1::Uploading {
                    failures: *failures,
                    retry_at_ms: *retry_at_ms,
                },
                Review::Waiting {
                    since_ms,
                    next_poll_ms,
                } => ReviewV1::Waiting {
                    since_ms: *since_ms,
                    next_poll_ms: *next_poll_ms,
                },
                Review::Failed(reasons) => ReviewV1::Failed(reasons.clone()),
                Review::Unsent { refused } => ReviewV1::Unsent { refused: *refused },
            }),
            Phase::Pay(p) => PhaseV1::Pay(match p {
                Pay::Creating => PayV1::Creating,
                Pay::Showing {
                    expires_at_ms,
                    next_poll_ms,
                } => PayV1::Showing {
                    expires_at_ms: *expires_at_ms,
                    next_poll_ms: *next_poll_ms,
                },
                Pay::Expired => PayV1::Expired,
                Pay::Failed => PayV1::Failed,
            }),
            Phase::Done { kind, until_ms } => PhaseV1::Done {
                kind: match kind {
                    DoneKind::Paid => DoneV1::Paid,
                    DoneKind::ReviewPending => DoneV1::ReviewPending,
                },
                until_ms: *until_ms,
            },
            Phase::MaintenancePin { failures, .. } => PhaseV1::ServicePin {
                failures: *failures,
            },
            // The technician's panel is never resumed, so its contents are not written.
            Phase::Maintenance(_) => PhaseV1::Service(serde_json::Value::Null),
            Phase::OutOfService { reference } => PhaseV1::OutOfService {
                reference: reference.clone(),
            },
        }
    }
}

impl PhaseV1 {
    fn into_phase(self) -> Phase {
        match self {
            PhaseV1::Attract | PhaseV1::ServicePin { .. } | PhaseV1::Service(_) => Phase::Attract,
            PhaseV1::PhotoType => Phase::PhotoType,
            PhaseV1::Prepare => Phase::Prepare,
            PhaseV1::Scan { notice, resolving } => Phase::Scan {
                notice: notice.map(NoticeV1::into_notice),
                resolving,
            },
            PhaseV1::Confirm => Phase::Confirm,
            PhaseV1::Lighting => Phase::Lighting,
            PhaseV1::Rules => Phase::Rules,
            PhaseV1::Chair => Phase::Chair,
            PhaseV1::Shoot(s) => Phase::Shoot(match s {
                ShootV1::Ready => Shoot::Ready,
                ShootV1::Countdown { fire_at_ms } => Shoot::Countdown { fire_at_ms },
                ShootV1::Capturing => Shoot::Capturing,
                ShootV1::Preview => Shoot::Preview,
                ShootV1::Failed(c) => Shoot::Failed(match c {
                    CaptureV1::Timeout => CaptureProblem::Timeout,
                    CaptureV1::Busy => CaptureProblem::Busy,
                    CaptureV1::Disconnected => CaptureProblem::Disconnected,
                }),
            }),
            PhaseV1::Review(r) => Phase::Review(match r {
                ReviewV1::Uploading {
                    failures,
                    retry_at_ms,
                } => Review::Uploading {
                    failures,
                    retry_at_ms,
                },
                ReviewV1::Waiting {
                    since_ms,
                    next_poll_ms,
                } => Review::Waiting {
                    since_ms,
                    next_poll_ms,
                },
                ReviewV1::Failed(reasons) => Review::Failed(reasons),
                ReviewV1::Unsent { refused } => Review::Unsent { refused },
            }),
            PhaseV1::Pay(p) => Phase::Pay(match p {
                PayV1::Creating => Pay::Creating,
                PayV1::Showing {
                    expires_at_ms,
                    next_poll_ms,
                } => Pay::Showing {
                    expires_at_ms,
                    next_poll_ms,
                },
                PayV1::Expired => Pay::Expired,
                PayV1::Failed => Pay::Failed,
            }),
            PhaseV1::Done { kind, until_ms } => Phase::Done {
                kind: match kind {
                    DoneV1::Paid => DoneKind::Paid,
                    DoneV1::ReviewPending => DoneKind::ReviewPending,
                },
                until_ms,
            },
            PhaseV1::OutOfService { reference } => Phase::OutOfService { reference },
        }
    }
}

impl From<ScanNotice> for NoticeV1 {
    fn from(n: ScanNotice) -> Self {
        match n {
            ScanNotice::Checking => NoticeV1::Checking,
            ScanNotice::RawChsiCode => NoticeV1::RawChsiCode,
            ScanNotice::ForeignCode => NoticeV1::ForeignCode,
            ScanNotice::SeveralCodes => NoticeV1::SeveralCodes,
            ScanNotice::UnknownCode => NoticeV1::UnknownCode,
            ScanNotice::ExpiredCode => NoticeV1::ExpiredCode,
            ScanNotice::NoShotsLeft => NoticeV1::NoShotsLeft,
            ScanNotice::ServiceUnavailable => NoticeV1::ServiceUnavailable,
        }
    }
}

impl NoticeV1 {
    fn into_notice(self) -> ScanNotice {
        match self {
            NoticeV1::Checking => ScanNotice::Checking,
            NoticeV1::RawChsiCode => ScanNotice::RawChsiCode,
            NoticeV1::ForeignCode => ScanNotice::ForeignCode,
            NoticeV1::SeveralCodes => ScanNotice::SeveralCodes,
            NoticeV1::UnknownCode => ScanNotice::UnknownCode,
            NoticeV1::ExpiredCode => ScanNotice::ExpiredCode,
            NoticeV1::NoShotsLeft => ScanNotice::NoShotsLeft,
            NoticeV1::ServiceUnavailable => ScanNotice::ServiceUnavailable,
        }
    }
}
