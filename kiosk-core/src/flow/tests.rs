//! Table-driven tests of every transition, plus an exhaustive sweep of every event in every
//! phase checking the invariants that must hold whatever happens.

use crate::model::{
    DoneKind, Intent, Lang, MaintenanceCommand, MaintenanceView, ScanNotice, Screen,
};

use super::*;
use crate::diagnostics::{Check, Part};

const T0: u64 = 1_750_000_000_000;

fn cfg() -> FlowConfig {
    FlowConfig::default()
}

fn identity() -> Identity {
    Identity {
        name: "张**三".into(),
        id_number: "*****8746".into(),
        school: "示例大学".into(),
        level: "本科".into(),
    }
}

fn order() -> OrderInfo {
    OrderInfo {
        id: "ord-1".into(),
        code_url: "weixin://wxpay/bizpayurl?pr=abc".into(),
        amount_fen: 2000,
    }
}

/// A state in `phase` with a session that has got as far as that phase needs.
fn at(phase: Phase) -> State {
    let mut s = State::new(T0);
    let needs_session = !matches!(
        phase,
        Phase::Attract
            | Phase::OutOfService { .. }
            | Phase::MaintenancePin { .. }
            | Phase::Maintenance(_)
    );
    if needs_session {
        s.sessions_started = 1;
        let mut session = Session {
            seq: 1,
            ..Session::default()
        };
        let past_scan = !matches!(
            phase,
            Phase::PhotoType | Phase::Prepare | Phase::Scan { .. }
        );
        if past_scan
            || matches!(
                phase,
                Phase::Scan {
                    resolving: true,
                    ..
                }
            )
        {
            session.code = Some("GPK1.token".into());
        }
        if past_scan {
            session.identity = Some(identity());
        }
        if matches!(
            phase,
            Phase::Rules
                | Phase::Chair
                | Phase::Shoot(_)
                | Phase::Review(_)
                | Phase::Pay(_)
                | Phase::Done { .. }
        ) {
            session.glasses = Some(false);
        }
        if matches!(
            phase,
            Phase::Shoot(Shoot::Preview) | Phase::Review(_) | Phase::Pay(_) | Phase::Done { .. }
        ) {
            session.shots_used = 1;
            session.shot_on_screen = Some(1);
        }
        if matches!(phase, Phase::Review(_) | Phase::Pay(_) | Phase::Done { .. }) {
            session.submitted_shot = Some(1);
        }
        if matches!(
            phase,
            Phase::Review(Review::Waiting { .. } | Review::Failed(_))
                | Phase::Pay(_)
                | Phase::Done { .. }
        ) {
            session.submission = Some("sub-1".into());
        }
        if matches!(
            phase,
            Phase::Pay(Pay::Showing { .. } | Pay::Expired) | Phase::Done { .. }
        ) {
            session.order = Some(order());
        }
        s.session = Some(session);
    }
    s.phase = phase;
    s
}

fn all_phases() -> Vec<Phase> {
    vec![
        Phase::Attract,
        Phase::PhotoType,
        Phase::Prepare,
        Phase::Scan {
            notice: None,
            resolving: false,
        },
        Phase::Scan {
            notice: Some(ScanNotice::Checking),
            resolving: true,
        },
        Phase::Confirm,
        Phase::Lighting,
        Phase::Rules,
        Phase::Chair,
        Phase::Shoot(Shoot::Ready),
        Phase::Shoot(Shoot::Countdown {
            fire_at_ms: T0 + 3_000,
        }),
        Phase::Shoot(Shoot::Capturing),
        Phase::Shoot(Shoot::Preview),
        Phase::Shoot(Shoot::Failed(CaptureProblem::Busy)),
        Phase::Review(Review::Uploading {
            failures: 0,
            retry_at_ms: None,
        }),
        Phase::Review(Review::Uploading {
            failures: 1,
            retry_at_ms: Some(T0 + 5_000),
        }),
        Phase::Review(Review::Waiting {
            since_ms: T0,
            next_poll_ms: T0 + 3_000,
        }),
        Phase::Review(Review::Failed(vec![(
            "背景不均匀".into(),
            "Uneven background".into(),
        )])),
        Phase::Review(Review::Unsent { refused: true }),
        Phase::Review(Review::Unsent { refused: false }),
        Phase::Pay(Pay::Creating),
        Phase::Pay(Pay::Showing {
            expires_at_ms: T0 + 300_000,
            next_poll_ms: T0 + 2_000,
        }),
        Phase::Pay(Pay::Expired),
        Phase::Pay(Pay::Failed),
        Phase::Done {
            kind: DoneKind::Paid,
            until_ms: T0 + 20_000,
        },
        Phase::OutOfService {
            reference: "camera-disconnected".into(),
        },
        Phase::MaintenancePin {
            failures: 0,
            locked: false,
        },
        Phase::MaintenancePin {
            failures: 2,
            locked: false,
        },
        Phase::MaintenancePin {
            failures: 0,
            locked: true,
        },
        Phase::Maintenance(panel(LightPreset::Idle, false)),
        Phase::Maintenance(panel(LightPreset::Glasses, true)),
    ]
}

fn panel(lights: LightPreset, busy: bool) -> MaintenancePanel {
    MaintenancePanel {
        lights,
        report: None,
        busy,
        next_refresh_ms: T0 + 5_000,
    }
}

fn report() -> MaintenanceView {
    MaintenanceView {
        checks: vec![Check::passed(Part::Camera, "Simulated EOS on sim:0")],
        log_lines: vec!["08:00:00 INFO  session started".into()],
        test_shot: None,
        busy: false,
    }
}

const SERVICE_COMMANDS: [MaintenanceCommand; 10] = [
    MaintenanceCommand::Refresh,
    MaintenanceCommand::TestShot,
    MaintenanceCommand::LightsIdle,
    MaintenanceCommand::LightsStandard,
    MaintenanceCommand::LightsGlasses,
    MaintenanceCommand::LightsOff,
    MaintenanceCommand::ChairUp,
    MaintenanceCommand::ChairDown,
    MaintenanceCommand::ChairStop,
    MaintenanceCommand::Exit,
];

fn all_events() -> Vec<Event> {
    let intents = [
        Intent::Start,
        Intent::ChooseGraduatePhoto,
        Intent::PrepareShoot,
        Intent::ConfirmIdentity,
        Intent::ChooseGlasses(true),
        Intent::ChooseGlasses(false),
        Intent::AcceptRules,
        Intent::ChairReady,
        Intent::TakePhoto,
        Intent::Retake,
        Intent::UsePhoto,
        Intent::RetryPayment,
        Intent::Back,
        Intent::Cancel,
        Intent::StillHere,
        Intent::Finish,
        Intent::SetLanguage(Lang::En),
        Intent::RetryDevices,
    ];
    let mut events: Vec<Event> = intents.into_iter().map(Event::Intent).collect();
    events.push(Event::Intent(Intent::MaintenanceGesture));
    events.extend(
        SERVICE_COMMANDS
            .into_iter()
            .map(|c| Event::Intent(Intent::Maintenance(c))),
    );
    events.extend([
        Event::PinChecked { ok: true },
        Event::PinChecked { ok: false },
        Event::MaintenanceReport(report()),
        Event::TestShotTaken {
            summary: "6000×4000 JPEG".into(),
        },
    ]);
    events.extend([
        Event::Tick { now_ms: T0 + 1_000 },
        Event::Tick {
            now_ms: T0 + 10_000_000,
        },
        Event::Tick { now_ms: 0 },
        Event::CodeScanned(ScannedCode::Personal("GPK1.token".into())),
        Event::CodeScanned(ScannedCode::RawChsi),
        Event::CodeScanned(ScannedCode::Foreign),
        Event::CodeResolved {
            identity: identity(),
            shots_used: 0,
            shots_on_kiosk: 0,
            shots_max: None,
            expires_at_ms: None,
        },
        Event::CodeResolved {
            identity: identity(),
            shots_used: 3,
            shots_on_kiosk: 0,
            shots_max: None,
            expires_at_ms: None,
        },
        Event::CodeRejected(RejectReason::Unknown),
        Event::CodeRejected(RejectReason::RawChsi),
        Event::CodeRejected(RejectReason::Expired),
        Event::ServiceFailed(ServiceOp::Resolve),
        Event::ServiceFailed(ServiceOp::Upload),
        Event::UploadRefused,
        Event::ServiceFailed(ServiceOp::Review),
        Event::ServiceFailed(ServiceOp::CreateOrder),
        Event::ServiceFailed(ServiceOp::Payment),
        Event::Captured {
            shot: 1,
            checks: vec![],
        },
        Event::Captured {
            shot: 2,
            checks: vec![],
        },
        Event::Captured {
            shot: 9,
            checks: vec![],
        },
        Event::CaptureFailed(CaptureProblem::Timeout),
        Event::CaptureFailed(CaptureProblem::Disconnected),
        Event::Uploaded {
            submission: "sub-1".into(),
        },
        Event::ReviewUpdate(ReviewState::Pending),
        Event::ReviewUpdate(ReviewState::Passed),
        Event::ReviewUpdate(ReviewState::Failed(vec![("模糊".into(), "Blurred".into())])),
        Event::OrderCreated(order()),
        Event::PaymentUpdate {
            order: "ord-1".into(),
            state: PaymentState::Pending,
        },
        Event::PaymentUpdate {
            order: "ord-1".into(),
            state: PaymentState::Paid,
        },
        Event::PaymentUpdate {
            order: "ord-1".into(),
            state: PaymentState::Closed,
        },
        Event::DeviceFault {
            device: Device::Camera,
            kind: FaultKind::Disconnected,
        },
        Event::DeviceFault {
            device: Device::Chair,
            kind: FaultKind::NoReply,
        },
        Event::DeviceFault {
            device: Device::Lights,
            kind: FaultKind::Protocol,
        },
        Event::DevicesHealthy,
        Event::Seat {
            hint: Some(crate::model::SeatHint::Raise),
            levelling: true,
        },
        Event::Seat {
            hint: None,
            levelling: false,
        },
        Event::Restored,
    ]);
    events
}

/// Every event in every phase: no panic, and the device invariants hold.
#[test]
fn every_event_in_every_phase_keeps_the_invariants() {
    let cfg = cfg();
    let mut count = 0;
    for phase in all_phases() {
        for event in all_events() {
            let before = at(phase.clone());
            let (after, effects) = step(&cfg, before.clone(), event.clone());
            count += 1;
            let ctx = format!(
                "{phase:?} + {event:?} -> {:?} with {effects:?}",
                after.phase
            );

            // The chair motor is switched on only when entering the chair step or service
            // mode…
            let motor_phase = |p: &Phase| matches!(p, Phase::Chair | Phase::Maintenance(_));
            if effects.contains(&Effect::ChairMotor(true)) {
                assert!(motor_phase(&after.phase), "{ctx}");
            }
            // …and off on every way out of them.
            if motor_phase(&before.phase) && !motor_phase(&after.phase) {
                assert!(effects.contains(&Effect::ChairMotor(false)), "{ctx}");
            }
            // Faces are tracked (and the seat may level itself) only on the chair step and the
            // ready screen, and a seat hint is never left behind anywhere else.
            let tracked = |p: &Phase| matches!(p, Phase::Chair | Phase::Shoot(Shoot::Ready));
            if effects.contains(&Effect::FaceTracking(true)) {
                assert!(tracked(&after.phase), "{ctx}");
            }
            if tracked(&before.phase) && !tracked(&after.phase) {
                assert!(effects.contains(&Effect::FaceTracking(false)), "{ctx}");
            }
            if !tracked(&after.phase) {
                assert_eq!(after.seat, None, "{ctx}");
            }
            // The seat moves only for a technician in maintenance mode.
            if effects.iter().any(|e| matches!(e, Effect::ChairDrive(_))) {
                assert!(matches!(before.phase, Phase::Maintenance(_)), "{ctx}");
            }
            // Maintenance mode never opens over a graduate's session, and leaving it (or its
            // keypad) always has the devices checked again.
            if matches!(
                after.phase,
                Phase::MaintenancePin { .. } | Phase::Maintenance(_)
            ) {
                assert!(after.session.is_none(), "{ctx}");
            }
            let service =
                |p: &Phase| matches!(p, Phase::MaintenancePin { .. } | Phase::Maintenance(_));
            if service(&before.phase) && !service(&after.phase) {
                assert!(effects.contains(&Effect::CheckDevices), "{ctx}");
            }
            // A session that ends says so, and leaves no session behind.
            if before.session.is_some() && after.session.is_none() {
                assert!(
                    effects
                        .iter()
                        .any(|e| matches!(e, Effect::SessionEnded { .. })),
                    "{ctx}"
                );
                assert!(
                    matches!(after.phase, Phase::Attract | Phase::OutOfService { .. }),
                    "{ctx}"
                );
            }
            // An order left behind on the pay screen is always closed.
            if matches!(before.phase, Phase::Pay(Pay::Showing { .. })) && after.session.is_none() {
                assert!(
                    effects
                        .iter()
                        .any(|e| matches!(e, Effect::CloseOrder { .. })),
                    "{ctx}"
                );
            }
            // Shots never go down within a session, and never above the limit.
            if let (Some(b), Some(a)) = (&before.session, &after.session) {
                assert!(a.shots_used >= b.shots_used || a.code.is_none(), "{ctx}");
                assert!(a.shots_used <= cfg.max_shots, "{ctx}");
            }
            // Only the screens that take a session have one.
            let screen = view(&cfg, &after).screen;
            if after.session.is_none() {
                assert!(
                    matches!(
                        screen,
                        Screen::Attract
                            | Screen::OutOfService
                            | Screen::MaintenancePin
                            | Screen::Maintenance
                    ),
                    "{ctx}"
                );
            }
            // Time never runs backwards.
            assert!(after.now_ms >= before.now_ms, "{ctx}");
            // An answer that arrives in a phase not waiting for it changes nothing.
            if !answer_expected(&before.phase, &event) {
                assert_eq!(after, before, "{ctx}");
                assert!(effects.is_empty(), "{ctx}");
            }
        }
    }
    assert!(count > 1_000, "swept {count} pairs");
}

/// Whether `phase` waits for the device or service answer `event`. Intents, ticks, device
/// health and restarts are not answers (true).
fn answer_expected(phase: &Phase, event: &Event) -> bool {
    let resolving = matches!(
        phase,
        Phase::Scan {
            resolving: true,
            ..
        }
    );
    match event {
        Event::CodeResolved { .. }
        | Event::CodeRejected(_)
        | Event::ServiceFailed(ServiceOp::Resolve) => resolving,
        Event::Captured { .. } | Event::CaptureFailed(_) => {
            matches!(phase, Phase::Shoot(Shoot::Capturing))
        }
        Event::Uploaded { .. } | Event::UploadRefused | Event::ServiceFailed(ServiceOp::Upload) => {
            matches!(phase, Phase::Review(Review::Uploading { .. }))
        }
        Event::ReviewUpdate(_) | Event::ServiceFailed(ServiceOp::Review) => {
            matches!(phase, Phase::Review(Review::Waiting { .. }))
        }
        Event::OrderCreated(_) | Event::ServiceFailed(ServiceOp::CreateOrder) => {
            matches!(phase, Phase::Pay(Pay::Creating))
        }
        // A payment can still be confirmed after the kiosk's own window closed.
        Event::PaymentUpdate { .. } | Event::ServiceFailed(ServiceOp::Payment) => {
            matches!(phase, Phase::Pay(Pay::Showing { .. } | Pay::Expired))
        }
        Event::PinChecked { .. } => matches!(phase, Phase::MaintenancePin { .. }),
        Event::MaintenanceReport(_) | Event::TestShotTaken { .. } => {
            matches!(phase, Phase::Maintenance(_))
        }
        _ => true,
    }
}

/// Events that make no sense in a phase leave the state untouched and do nothing.
#[test]
fn invalid_events_are_ignored() {
    let cfg = cfg();
    let rows: Vec<(Phase, Event)> = vec![
        (Phase::Attract, Event::Intent(Intent::UsePhoto)),
        (
            Phase::Attract,
            Event::Captured {
                shot: 1,
                checks: vec![],
            },
        ),
        (
            Phase::Attract,
            Event::CodeScanned(ScannedCode::Personal("GPK1.x".into())),
        ),
        (Phase::PhotoType, Event::Intent(Intent::TakePhoto)),
        (Phase::Prepare, Event::OrderCreated(order())),
        (Phase::Confirm, Event::CodeScanned(ScannedCode::RawChsi)),
        (
            Phase::Lighting,
            Event::PaymentUpdate {
                order: "ord-1".into(),
                state: PaymentState::Paid,
            },
        ),
        (Phase::Rules, Event::ReviewUpdate(ReviewState::Passed)),
        (
            Phase::Chair,
            Event::Uploaded {
                submission: "x".into(),
            },
        ),
        (
            Phase::Shoot(Shoot::Ready),
            Event::Captured {
                shot: 1,
                checks: vec![],
            },
        ),
        (
            Phase::Shoot(Shoot::Capturing),
            Event::Captured {
                shot: 3,
                checks: vec![],
            },
        ),
        (
            Phase::Shoot(Shoot::Capturing),
            Event::Intent(Intent::Cancel),
        ),
        (Phase::Shoot(Shoot::Capturing), Event::Intent(Intent::Back)),
        (Phase::Shoot(Shoot::Preview), Event::Intent(Intent::Back)),
        (
            Phase::Review(Review::Uploading {
                failures: 0,
                retry_at_ms: None,
            }),
            Event::Intent(Intent::Cancel),
        ),
        (
            Phase::Review(Review::Waiting {
                since_ms: T0,
                next_poll_ms: T0 + 3_000,
            }),
            Event::Intent(Intent::Cancel),
        ),
        (
            Phase::Review(Review::Waiting {
                since_ms: T0,
                next_poll_ms: T0 + 3_000,
            }),
            Event::ReviewUpdate(ReviewState::Pending),
        ),
        (Phase::Pay(Pay::Creating), Event::Intent(Intent::Cancel)),
        (
            Phase::Pay(Pay::Showing {
                expires_at_ms: T0 + 1,
                next_poll_ms: T0 + 1,
            }),
            Event::PaymentUpdate {
                order: "ord-1".into(),
                state: PaymentState::Pending,
            },
        ),
        (
            Phase::Done {
                kind: DoneKind::Paid,
                until_ms: T0 + 1,
            },
            Event::Intent(Intent::Back),
        ),
        (
            Phase::OutOfService {
                reference: "x".into(),
            },
            Event::Intent(Intent::Start),
        ),
    ];
    for (phase, event) in rows {
        let before = at(phase);
        let (after, effects) = step(&cfg, before.clone(), event.clone());
        assert_eq!(after.phase, before.phase, "{event:?} changed the phase");
        assert!(
            effects.is_empty(),
            "{:?} + {event:?} gave {effects:?}",
            before.phase
        );
    }
}

/// (start phase, event, expected phase, exactly the effects expected, in order)
#[test]
fn transitions() {
    use Effect as E;
    use Intent as I;
    let cfg = cfg();
    let scan = Phase::Scan {
        notice: None,
        resolving: false,
    };
    let resolving = Phase::Scan {
        notice: Some(ScanNotice::Checking),
        resolving: true,
    };
    let refused = |n| Phase::Scan {
        notice: Some(n),
        resolving: false,
    };
    let ready = Phase::Shoot(Shoot::Ready);
    let uploading = Phase::Review(Review::Uploading {
        failures: 0,
        retry_at_ms: None,
    });
    let waiting = Phase::Review(Review::Waiting {
        since_ms: T0,
        next_poll_ms: T0 + 3_000,
    });
    let failed = Phase::Review(Review::Failed(vec![]));
    let showing = Phase::Pay(Pay::Showing {
        expires_at_ms: T0 + 300_000,
        next_poll_ms: T0 + 2_000,
    });
    let ev = Event::Intent;
    let rows: Vec<(Phase, Event, Phase, Vec<Effect>)> = vec![
        (
            Phase::Attract,
            ev(I::Start),
            Phase::PhotoType,
            vec![E::SessionStarted { seq: 1 }],
        ),
        (
            Phase::PhotoType,
            ev(I::ChooseGraduatePhoto),
            Phase::Prepare,
            vec![],
        ),
        (
            Phase::PhotoType,
            ev(I::Back),
            Phase::Attract,
            vec![E::SessionEnded {
                seq: 1,
                outcome: SessionOutcome::Cancelled,
            }],
        ),
        (
            Phase::Prepare,
            ev(I::PrepareShoot),
            scan.clone(),
            vec![E::LiveView(true), E::QrScanning(true)],
        ),
        (Phase::Prepare, ev(I::Back), Phase::PhotoType, vec![]),
        (
            scan.clone(),
            ev(I::Back),
            Phase::Prepare,
            vec![E::QrScanning(false), E::LiveView(false)],
        ),
        (
            scan.clone(),
            Event::CodeScanned(ScannedCode::Personal("GPK1.abc".into())),
            resolving.clone(),
            vec![E::ResolveCode {
                code: "GPK1.abc".into(),
            }],
        ),
        (
            scan.clone(),
            Event::CodeScanned(ScannedCode::RawChsi),
            refused(ScanNotice::RawChsiCode),
            vec![],
        ),
        (
            scan.clone(),
            Event::CodeScanned(ScannedCode::Foreign),
            refused(ScanNotice::ForeignCode),
            vec![],
        ),
        (
            scan.clone(),
            Event::CodeScanned(ScannedCode::SeveralPersonal),
            refused(ScanNotice::SeveralCodes),
            vec![],
        ),
        (
            resolving.clone(),
            Event::CodeScanned(ScannedCode::Foreign),
            resolving.clone(),
            vec![],
        ),
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 1,
                shots_on_kiosk: 0,
                shots_max: None,
                expires_at_ms: None,
            },
            Phase::Confirm,
            vec![E::QrScanning(false), E::LiveView(false)],
        ),
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 3,
                shots_on_kiosk: 0,
                shots_max: None,
                expires_at_ms: None,
            },
            refused(ScanNotice::NoShotsLeft),
            vec![],
        ),
        // The kiosk's own count wins when it is higher: a shot the service never saw.
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 1,
                shots_on_kiosk: 3,
                shots_max: None,
                expires_at_ms: None,
            },
            refused(ScanNotice::NoShotsLeft),
            vec![],
        ),
        // A code past its expiry is refused as expired; one still valid goes on.
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 0,
                shots_on_kiosk: 0,
                shots_max: None,
                expires_at_ms: Some(0),
            },
            refused(ScanNotice::ExpiredCode),
            vec![],
        ),
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 0,
                shots_on_kiosk: 0,
                shots_max: None,
                expires_at_ms: Some(u64::MAX),
            },
            Phase::Confirm,
            vec![E::QrScanning(false), E::LiveView(false)],
        ),
        // The service's count of shots allowed wins over the config's, either way.
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 2,
                shots_on_kiosk: 0,
                shots_max: Some(2),
                expires_at_ms: None,
            },
            refused(ScanNotice::NoShotsLeft),
            vec![],
        ),
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 3,
                shots_on_kiosk: 0,
                shots_max: Some(5),
                expires_at_ms: None,
            },
            Phase::Confirm,
            vec![E::QrScanning(false), E::LiveView(false)],
        ),
        (
            resolving.clone(),
            Event::CodeRejected(RejectReason::Unknown),
            refused(ScanNotice::UnknownCode),
            vec![],
        ),
        (
            resolving.clone(),
            Event::CodeRejected(RejectReason::RawChsi),
            refused(ScanNotice::RawChsiCode),
            vec![],
        ),
        (
            resolving.clone(),
            Event::CodeRejected(RejectReason::Expired),
            refused(ScanNotice::ExpiredCode),
            vec![],
        ),
        (
            resolving.clone(),
            Event::ServiceFailed(ServiceOp::Resolve),
            refused(ScanNotice::ServiceUnavailable),
            vec![],
        ),
        (
            Phase::Confirm,
            ev(I::ConfirmIdentity),
            Phase::Lighting,
            vec![],
        ),
        (
            Phase::Confirm,
            ev(I::Back),
            scan.clone(),
            vec![E::LiveView(true), E::QrScanning(true)],
        ),
        (
            Phase::Lighting,
            ev(I::ChooseGlasses(true)),
            Phase::Rules,
            vec![
                E::Lights(LightPreset::Glasses),
                E::CameraPreset { glasses: true },
            ],
        ),
        (
            Phase::Lighting,
            ev(I::ChooseGlasses(false)),
            Phase::Rules,
            vec![
                E::Lights(LightPreset::Standard),
                E::CameraPreset { glasses: false },
            ],
        ),
        (Phase::Lighting, ev(I::Back), Phase::Confirm, vec![]),
        (
            Phase::Rules,
            ev(I::AcceptRules),
            Phase::Chair,
            vec![
                E::LiveView(true),
                E::FaceTracking(true),
                E::ChairMotor(true),
            ],
        ),
        (
            Phase::Rules,
            ev(I::Back),
            Phase::Lighting,
            vec![E::Lights(LightPreset::Idle)],
        ),
        (
            Phase::Chair,
            ev(I::ChairReady),
            ready.clone(),
            vec![E::ChairMotor(false)],
        ),
        (
            Phase::Chair,
            ev(I::Back),
            Phase::Rules,
            vec![
                E::ChairMotor(false),
                E::LiveView(false),
                E::FaceTracking(false),
            ],
        ),
        (
            Phase::Chair,
            ev(I::Cancel),
            Phase::Attract,
            vec![
                E::ChairMotor(false),
                E::LiveView(false),
                E::Lights(LightPreset::Idle),
                E::FaceTracking(false),
                E::DiscardPhotos {
                    code: "GPK1.token".into(),
                },
                E::SessionEnded {
                    seq: 1,
                    outcome: SessionOutcome::Cancelled,
                },
            ],
        ),
        (
            ready.clone(),
            ev(I::TakePhoto),
            Phase::Shoot(Shoot::Countdown {
                fire_at_ms: T0 + 3_000,
            }),
            vec![E::FaceTracking(false)],
        ),
        (
            ready.clone(),
            ev(I::Back),
            Phase::Chair,
            vec![E::ChairMotor(true)],
        ),
        (
            Phase::Shoot(Shoot::Countdown {
                fire_at_ms: T0 + 3_000,
            }),
            Event::Tick { now_ms: T0 + 2_999 },
            Phase::Shoot(Shoot::Countdown {
                fire_at_ms: T0 + 3_000,
            }),
            vec![],
        ),
        (
            Phase::Shoot(Shoot::Countdown {
                fire_at_ms: T0 + 3_000,
            }),
            Event::Tick { now_ms: T0 + 3_000 },
            Phase::Shoot(Shoot::Capturing),
            vec![E::Capture {
                code: "GPK1.token".into(),
                shot: 1,
                glasses: false,
            }],
        ),
        (
            Phase::Shoot(Shoot::Capturing),
            Event::Captured {
                shot: 1,
                checks: vec![],
            },
            Phase::Shoot(Shoot::Preview),
            vec![E::LiveView(false)],
        ),
        (
            Phase::Shoot(Shoot::Capturing),
            Event::CaptureFailed(CaptureProblem::Busy),
            Phase::Shoot(Shoot::Failed(CaptureProblem::Busy)),
            vec![],
        ),
        (
            Phase::Shoot(Shoot::Failed(CaptureProblem::Busy)),
            ev(I::TakePhoto),
            Phase::Shoot(Shoot::Countdown {
                fire_at_ms: T0 + 3_000,
            }),
            vec![],
        ),
        (
            Phase::Shoot(Shoot::Preview),
            ev(I::Retake),
            ready.clone(),
            vec![E::LiveView(true), E::FaceTracking(true)],
        ),
        (
            Phase::Shoot(Shoot::Preview),
            ev(I::UsePhoto),
            uploading.clone(),
            vec![
                E::Lights(LightPreset::Idle),
                E::Upload {
                    code: "GPK1.token".into(),
                    shot: 1,
                },
            ],
        ),
        (
            uploading.clone(),
            Event::Uploaded {
                submission: "sub-9".into(),
            },
            Phase::Review(Review::Waiting {
                since_ms: T0,
                next_poll_ms: T0 + 3_000,
            }),
            // The photo goes only once the service holds it and this state is journaled.
            vec![E::DiscardPhotos {
                code: "GPK1.token".into(),
            }],
        ),
        (
            uploading.clone(),
            Event::ServiceFailed(ServiceOp::Upload),
            Phase::Review(Review::Uploading {
                failures: 1,
                retry_at_ms: Some(T0 + 5_000),
            }),
            vec![],
        ),
        // The last attempt failed: the graduate is told, not kept waiting for ever.
        (
            Phase::Review(Review::Uploading {
                failures: 23,
                retry_at_ms: None,
            }),
            Event::ServiceFailed(ServiceOp::Upload),
            Phase::Review(Review::Unsent { refused: false }),
            vec![],
        ),
        // A 4xx is final at once.
        (
            uploading.clone(),
            Event::UploadRefused,
            Phase::Review(Review::Unsent { refused: true }),
            vec![],
        ),
        (
            Phase::Review(Review::Unsent { refused: true }),
            Event::Intent(Intent::Finish),
            Phase::Attract,
            session_ended(SessionOutcome::UploadRefused),
        ),
        (
            Phase::Review(Review::Uploading {
                failures: 1,
                retry_at_ms: Some(T0 + 5_000),
            }),
            Event::Tick { now_ms: T0 + 5_000 },
            Phase::Review(Review::Uploading {
                failures: 1,
                retry_at_ms: None,
            }),
            vec![E::Upload {
                code: "GPK1.token".into(),
                shot: 1,
            }],
        ),
        (
            waiting.clone(),
            Event::Tick { now_ms: T0 + 3_000 },
            Phase::Review(Review::Waiting {
                since_ms: T0,
                next_poll_ms: T0 + 6_000,
            }),
            vec![E::PollReview {
                submission: "sub-1".into(),
            }],
        ),
        (
            waiting.clone(),
            Event::Tick {
                now_ms: T0 + 300_000,
            },
            Phase::Done {
                kind: DoneKind::ReviewPending,
                until_ms: T0 + 320_000,
            },
            vec![],
        ),
        (
            waiting.clone(),
            Event::ReviewUpdate(ReviewState::Passed),
            Phase::Pay(Pay::Creating),
            vec![E::CreateOrder {
                submission: "sub-1".into(),
            }],
        ),
        (
            waiting.clone(),
            Event::ReviewUpdate(ReviewState::Failed(vec![("模糊".into(), "Blurred".into())])),
            Phase::Review(Review::Failed(vec![("模糊".into(), "Blurred".into())])),
            vec![],
        ),
        (
            waiting.clone(),
            Event::ServiceFailed(ServiceOp::Review),
            waiting.clone(),
            vec![],
        ),
        (
            failed.clone(),
            ev(I::Retake),
            ready.clone(),
            vec![
                E::LiveView(true),
                E::Lights(LightPreset::Standard),
                E::CameraPreset { glasses: false },
                E::FaceTracking(true),
            ],
        ),
        (
            failed.clone(),
            ev(I::Finish),
            Phase::Attract,
            session_ended(SessionOutcome::ReviewFailed),
        ),
        (
            Phase::Pay(Pay::Creating),
            Event::OrderCreated(order()),
            showing.clone(),
            vec![],
        ),
        (
            Phase::Pay(Pay::Creating),
            Event::ServiceFailed(ServiceOp::CreateOrder),
            Phase::Pay(Pay::Failed),
            vec![],
        ),
        (
            Phase::Pay(Pay::Failed),
            ev(I::RetryPayment),
            Phase::Pay(Pay::Creating),
            vec![E::CreateOrder {
                submission: "sub-1".into(),
            }],
        ),
        (
            Phase::Pay(Pay::Expired),
            ev(I::RetryPayment),
            Phase::Pay(Pay::Creating),
            vec![E::CreateOrder {
                submission: "sub-1".into(),
            }],
        ),
        (
            showing.clone(),
            Event::Tick { now_ms: T0 + 2_000 },
            Phase::Pay(Pay::Showing {
                expires_at_ms: T0 + 300_000,
                next_poll_ms: T0 + 4_000,
            }),
            vec![E::PollPayment {
                order: "ord-1".into(),
            }],
        ),
        (
            showing.clone(),
            Event::Tick {
                now_ms: T0 + 300_000,
            },
            Phase::Pay(Pay::Expired),
            vec![E::CloseOrder {
                order: "ord-1".into(),
            }],
        ),
        (
            showing.clone(),
            Event::PaymentUpdate {
                order: "ord-1".into(),
                state: PaymentState::Paid,
            },
            Phase::Done {
                kind: DoneKind::Paid,
                until_ms: T0 + 20_000,
            },
            vec![],
        ),
        (
            showing.clone(),
            Event::PaymentUpdate {
                order: "ord-1".into(),
                state: PaymentState::Closed,
            },
            Phase::Pay(Pay::Expired),
            vec![],
        ),
        (
            Phase::Pay(Pay::Expired),
            Event::PaymentUpdate {
                order: "ord-1".into(),
                state: PaymentState::Paid,
            },
            Phase::Done {
                kind: DoneKind::Paid,
                until_ms: T0 + 20_000,
            },
            vec![],
        ),
        // A late answer about an order the graduate moved on from (closed when it expired; a
        // new one shown since) changes nothing.
        (
            showing.clone(),
            Event::PaymentUpdate {
                order: "ord-0".into(),
                state: PaymentState::Closed,
            },
            showing.clone(),
            vec![],
        ),
        (
            Phase::Pay(Pay::Expired),
            Event::PaymentUpdate {
                order: "ord-0".into(),
                state: PaymentState::Paid,
            },
            Phase::Pay(Pay::Expired),
            vec![],
        ),
        (
            showing.clone(),
            ev(I::Cancel),
            Phase::Attract,
            vec![
                E::CloseOrder {
                    order: "ord-1".into(),
                },
                E::DiscardPhotos {
                    code: "GPK1.token".into(),
                },
                E::SessionEnded {
                    seq: 1,
                    outcome: SessionOutcome::Cancelled,
                },
            ],
        ),
        (
            Phase::Done {
                kind: DoneKind::Paid,
                until_ms: T0 + 20_000,
            },
            ev(I::Finish),
            Phase::Attract,
            session_ended(SessionOutcome::Paid),
        ),
        (
            Phase::Done {
                kind: DoneKind::Paid,
                until_ms: T0 + 20_000,
            },
            Event::Tick {
                now_ms: T0 + 20_000,
            },
            Phase::Attract,
            session_ended(SessionOutcome::Paid),
        ),
        (
            Phase::Attract,
            Event::DeviceFault {
                device: Device::Camera,
                kind: FaultKind::Disconnected,
            },
            Phase::OutOfService {
                reference: "camera-disconnected".into(),
            },
            vec![E::Lights(LightPreset::Off)],
        ),
        (
            Phase::Chair,
            Event::DeviceFault {
                device: Device::Chair,
                kind: FaultKind::NoReply,
            },
            Phase::OutOfService {
                reference: "chair-no_reply".into(),
            },
            vec![
                E::ChairMotor(false),
                E::LiveView(false),
                E::Lights(LightPreset::Off),
                E::FaceTracking(false),
                E::DiscardPhotos {
                    code: "GPK1.token".into(),
                },
                E::SessionEnded {
                    seq: 1,
                    outcome: SessionOutcome::DeviceFault,
                },
            ],
        ),
        (
            waiting.clone(),
            Event::DeviceFault {
                device: Device::Camera,
                kind: FaultKind::Disconnected,
            },
            waiting.clone(),
            vec![],
        ),
        (
            Phase::OutOfService {
                reference: "x".into(),
            },
            ev(I::RetryDevices),
            Phase::OutOfService {
                reference: "x".into(),
            },
            vec![E::CheckDevices],
        ),
        (
            Phase::OutOfService {
                reference: "x".into(),
            },
            Event::DevicesHealthy,
            Phase::Attract,
            vec![E::Lights(LightPreset::Idle)],
        ),
    ];
    let mut wrong = Vec::new();
    for (from, event, expected, expected_effects) in rows {
        let (after, effects) = step(&cfg, at(from.clone()), event.clone());
        if after.phase != expected || effects != expected_effects {
            wrong.push(format!(
                "{from:?} + {event:?}\n  phase {:?} (expected {expected:?})\n  effects {effects:?}\n  expected {expected_effects:?}",
                after.phase
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} rows differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn idle_timeout_warns_then_returns_to_start() {
    let cfg = cfg();
    let s = at(Phase::Chair);
    let warn_at = T0 + u64::from(cfg.idle_timeout_secs - cfg.idle_warning_secs) * 1_000;
    let (s, effects) = step(
        &cfg,
        s,
        Event::Tick {
            now_ms: warn_at - 1_000,
        },
    );
    assert!(effects.is_empty());
    assert_eq!(view(&cfg, &s).idle_warning_secs, None);
    let (s, _) = step(&cfg, s, Event::Tick { now_ms: warn_at });
    assert_eq!(
        view(&cfg, &s).idle_warning_secs,
        Some(cfg.idle_warning_secs)
    );
    // "Still here" resets the clock.
    let (s, _) = step(&cfg, s, Event::Intent(Intent::StillHere));
    assert_eq!(view(&cfg, &s).idle_warning_secs, None);
    let timeout = warn_at + u64::from(cfg.idle_timeout_secs) * 1_000;
    let (s, effects) = step(&cfg, s, Event::Tick { now_ms: timeout });
    assert_eq!(s.phase, Phase::Attract);
    assert!(effects.contains(&Effect::ChairMotor(false)));
    assert!(effects.contains(&Effect::SessionEnded {
        seq: 1,
        outcome: SessionOutcome::IdleTimeout
    }));
}

#[test]
fn no_idle_timeout_while_the_service_holds_the_photo() {
    let cfg = cfg();
    for phase in [
        Phase::Review(Review::Uploading {
            failures: 0,
            retry_at_ms: None,
        }),
        Phase::Review(Review::Waiting {
            since_ms: T0,
            next_poll_ms: u64::MAX,
        }),
        Phase::Pay(Pay::Creating),
        Phase::Shoot(Shoot::Capturing),
    ] {
        let (s, _) = step(
            &cfg,
            at(phase.clone()),
            Event::Tick {
                now_ms: T0 + 200_000,
            },
        );
        assert!(s.session.is_some(), "{phase:?} timed out");
        assert_eq!(view(&cfg, &s).idle_warning_secs, None);
    }
}

#[test]
fn refused_code_held_in_view_does_not_retrigger() {
    let cfg = cfg();
    let s = at(Phase::Scan {
        notice: None,
        resolving: false,
    });
    let (s, _) = step(
        &cfg,
        s,
        Event::CodeScanned(ScannedCode::Personal("GPK1.bad".into())),
    );
    let (s, _) = step(&cfg, s, Event::CodeRejected(RejectReason::Unknown));
    let (s2, effects) = step(
        &cfg,
        s.clone(),
        Event::CodeScanned(ScannedCode::Personal("GPK1.bad".into())),
    );
    assert!(
        effects.is_empty(),
        "re-resolved a refused code: {effects:?}"
    );
    assert_eq!(s2.phase, s.phase);
    // A different code is looked at at once; the same one again after a pause.
    let (_, effects) = step(
        &cfg,
        s.clone(),
        Event::CodeScanned(ScannedCode::Personal("GPK1.other".into())),
    );
    assert_eq!(
        effects,
        vec![Effect::ResolveCode {
            code: "GPK1.other".into()
        }]
    );
    let (s3, _) = step(&cfg, s, Event::Tick { now_ms: T0 + 6_000 });
    let (_, effects) = step(
        &cfg,
        s3,
        Event::CodeScanned(ScannedCode::Personal("GPK1.bad".into())),
    );
    assert_eq!(
        effects,
        vec![Effect::ResolveCode {
            code: "GPK1.bad".into()
        }]
    );
}

#[test]
fn shots_are_limited_and_failed_captures_do_not_count() {
    let cfg = cfg();
    let mut s = at(Phase::Shoot(Shoot::Ready));
    for expected in 1..=3u8 {
        let (n, _) = step(&cfg, s, Event::Intent(Intent::TakePhoto));
        let (n, _) = step(
            &cfg,
            n,
            Event::Tick {
                now_ms: T0 + 10_000 * u64::from(expected),
            },
        );
        // A failure first: not counted, try again.
        let (n, _) = step(&cfg, n, Event::CaptureFailed(CaptureProblem::Busy));
        assert_eq!(n.session.as_ref().unwrap().shots_used, expected - 1);
        let (n, _) = step(&cfg, n, Event::Intent(Intent::TakePhoto));
        let (n, effects) = step(
            &cfg,
            n,
            Event::Tick {
                now_ms: T0 + 10_000 * u64::from(expected) + 5_000,
            },
        );
        assert_eq!(
            effects,
            vec![Effect::Capture {
                code: "GPK1.token".into(),
                shot: expected,
                glasses: false,
            }]
        );
        let (n, _) = step(
            &cfg,
            n,
            Event::Captured {
                shot: expected,
                checks: vec![],
            },
        );
        assert_eq!(n.session.as_ref().unwrap().shots_used, expected);
        let (n, _) = step(&cfg, n, Event::Intent(Intent::Retake));
        s = n;
    }
    // After three shots, retake is refused: still on the preview of the third.
    assert_eq!(s.phase, Phase::Shoot(Shoot::Preview));
    let m = view(&cfg, &s);
    assert_eq!((m.shots_used, m.shots_max), (3, 3));
}

#[test]
fn happy_path_from_start_to_done() {
    let cfg = cfg();
    let mut s = State::new(T0);
    let mut now = T0;
    let mut screens = vec![view(&cfg, &s).screen];
    let mut all_effects = vec![];
    let script = vec![
        Event::Intent(Intent::Start),
        Event::Intent(Intent::ChooseGraduatePhoto),
        Event::Intent(Intent::PrepareShoot),
        Event::CodeScanned(ScannedCode::Personal("GPK1.token".into())),
        Event::CodeResolved {
            identity: identity(),
            shots_used: 0,
            shots_on_kiosk: 0,
            shots_max: None,
            expires_at_ms: None,
        },
        Event::Intent(Intent::ConfirmIdentity),
        Event::Intent(Intent::ChooseGlasses(false)),
        Event::Intent(Intent::AcceptRules),
        Event::Intent(Intent::ChairReady),
        Event::Intent(Intent::TakePhoto),
        Event::Tick { now_ms: 0 }, // placeholder: replaced by a tick 3 s later
        Event::Captured {
            shot: 1,
            checks: vec![],
        },
        Event::Intent(Intent::UsePhoto),
        Event::Uploaded {
            submission: "sub-1".into(),
        },
        Event::ReviewUpdate(ReviewState::Passed),
        Event::OrderCreated(order()),
        Event::PaymentUpdate {
            order: "ord-1".into(),
            state: PaymentState::Paid,
        },
        Event::Intent(Intent::Finish),
    ];
    for event in script {
        let event = match event {
            Event::Tick { .. } => {
                now += 3_000;
                Event::Tick { now_ms: now }
            }
            e => e,
        };
        let (n, effects) = step(&cfg, s, event);
        s = n;
        all_effects.extend(effects);
        let screen = view(&cfg, &s).screen;
        if screens.last() != Some(&screen) {
            screens.push(screen);
        }
    }
    use Screen::*;
    assert_eq!(
        screens,
        vec![
            Attract, PhotoType, Prepare, Scan, Confirm, Lighting, Rules, Chair, Shoot, Review, Pay,
            Done, Attract
        ]
    );
    assert!(all_effects.contains(&Effect::SessionEnded {
        seq: 1,
        outcome: SessionOutcome::Paid
    }));
    // Devices end where they started: motor off, lights idle, live view off.
    assert_eq!(
        all_effects
            .iter()
            .filter(|e| **e == Effect::ChairMotor(true))
            .count(),
        1
    );
    assert_eq!(
        all_effects
            .iter()
            .filter(|e| **e == Effect::ChairMotor(false))
            .count(),
        1
    );
    assert_eq!(
        all_effects
            .iter()
            .rev()
            .find(|e| matches!(e, Effect::Lights(_))),
        Some(&Effect::Lights(LightPreset::Idle))
    );
}

#[test]
fn restored_state_resumes_in_flight_work() {
    let cfg = cfg();
    let (s, effects) = step(
        &cfg,
        at(Phase::Review(Review::Uploading {
            failures: 2,
            retry_at_ms: Some(T0 + 99_000),
        })),
        Event::Restored,
    );
    assert!(effects.contains(&Effect::Upload {
        code: "GPK1.token".into(),
        shot: 1
    }));
    assert!(
        effects.contains(&Effect::ChairMotor(false)),
        "a restart forces the motor off: {effects:?}"
    );
    assert_eq!(
        s.phase,
        Phase::Review(Review::Uploading {
            failures: 2,
            retry_at_ms: None
        })
    );

    let (s, _) = step(&cfg, at(Phase::Shoot(Shoot::Capturing)), Event::Restored);
    assert_eq!(
        s.phase,
        Phase::Shoot(Shoot::Failed(CaptureProblem::Timeout))
    );
    assert_eq!(
        s.session.unwrap().shots_used,
        0,
        "an unconfirmed capture is not counted"
    );

    let (s, effects) = step(
        &cfg,
        at(Phase::Pay(Pay::Showing {
            expires_at_ms: T0 + 1_000_000,
            next_poll_ms: T0 + 500_000,
        })),
        Event::Restored,
    );
    let (_, effects2) = step(&cfg, s, Event::Tick { now_ms: T0 + 1 });
    assert!(
        effects2.contains(&Effect::PollPayment {
            order: "ord-1".into()
        }),
        "{effects:?} {effects2:?}"
    );

    let (_, effects) = step(&cfg, at(Phase::Chair), Event::Restored);
    assert_eq!(
        effects.last(),
        Some(&Effect::ChairMotor(true)),
        "motor is re-enabled last: {effects:?}"
    );
}

#[test]
fn language_toggle_works_everywhere() {
    let cfg = cfg();
    for phase in all_phases() {
        let (s, _) = step(
            &cfg,
            at(phase.clone()),
            Event::Intent(Intent::SetLanguage(Lang::En)),
        );
        assert_eq!(s.lang, Lang::En, "{phase:?}");
        assert_eq!(s.phase, phase);
    }
}

#[test]
fn fault_after_the_shot_waits_for_the_session_to_end() {
    let cfg = cfg();
    let waiting = at(Phase::Review(Review::Waiting {
        since_ms: T0,
        next_poll_ms: T0 + 3_000,
    }));
    let (s, _) = step(
        &cfg,
        waiting,
        Event::DeviceFault {
            device: Device::Camera,
            kind: FaultKind::DriverGone,
        },
    );
    let (s, _) = step(&cfg, s, Event::ReviewUpdate(ReviewState::Passed));
    let (s, _) = step(&cfg, s, Event::OrderCreated(order()));
    let (s, _) = step(
        &cfg,
        s,
        Event::PaymentUpdate {
            order: "ord-1".into(),
            state: PaymentState::Paid,
        },
    );
    let (s, _) = step(&cfg, s, Event::Intent(Intent::Finish));
    assert_eq!(
        s.phase,
        Phase::OutOfService {
            reference: "camera-driver_gone".into()
        }
    );
}

#[test]
fn view_shows_masked_identity_step_and_countdown() {
    let cfg = cfg();
    let m = view(&cfg, &at(Phase::Confirm));
    assert_eq!(m.screen, Screen::Confirm);
    assert_eq!(m.step, Some((4, Screen::INDICATED)));
    assert_eq!(m.identity.unwrap().name, "张**三");
    let mut s = at(Phase::Shoot(Shoot::Countdown {
        fire_at_ms: T0 + 3_000,
    }));
    assert_eq!(view(&cfg, &s).countdown, 3);
    s.now_ms = T0 + 1_500;
    assert_eq!(view(&cfg, &s).countdown, 2);
    let s = at(Phase::Pay(Pay::Showing {
        expires_at_ms: T0 + 65_000,
        next_poll_ms: T0,
    }));
    let m = view(&cfg, &s);
    assert_eq!(m.time_left_secs, Some(65));
    assert_eq!(m.pay_qr.as_deref(), Some("weixin://wxpay/bizpayurl?pr=abc"));
    assert_eq!(m.amount_fen, 2000);
}

#[test]
fn the_done_screen_shows_what_was_paid_and_the_order_to_look_up() {
    let cfg = cfg();
    let paid = |id: &str| {
        let mut s = at(Phase::Done {
            kind: DoneKind::Paid,
            until_ms: T0 + 10_000,
        });
        s.session.as_mut().unwrap().order.as_mut().unwrap().id = id.into();
        view(&cfg, &s)
    };
    let m = paid("wx-20260626-000123456789");
    assert_eq!(
        (m.amount_fen, m.order_ref.as_deref()),
        (2000, Some("23456789"))
    );
    // A short id is shown whole; characters, not bytes.
    assert_eq!(paid("单-1").order_ref.as_deref(), Some("单-1"));
    // Nothing paid, no receipt.
    let m = view(
        &cfg,
        &at(Phase::Done {
            kind: DoneKind::ReviewPending,
            until_ms: T0 + 10_000,
        }),
    );
    assert_eq!((m.amount_fen, m.order_ref), (0, None));
}

#[test]
fn the_preview_shows_the_shots_checks_until_the_retake() {
    let cfg = cfg();
    let check = |name: &str, pass: Option<bool>| ShotCheck {
        name: name.into(),
        pass,
        zh: format!("{name}-zh"),
        en: format!("{name}-en"),
    };
    let s = at(Phase::Shoot(Shoot::Capturing));
    let checks = vec![
        check("face_count", Some(true)),
        check("head_tilt", Some(false)),
    ];
    let (s, _) = step(
        &cfg,
        s,
        Event::Captured {
            shot: 1,
            checks: checks.clone(),
        },
    );
    let m = view(&cfg, &s);
    assert_eq!(m.photo_checks.len(), 2);
    assert_eq!(m.photo_checks[1].en, "head_tilt-en");
    assert!(m.photo_flagged);
    // The checks survive a restart with the preview.
    let snap = crate::snapshot::encode(&s);
    match crate::snapshot::decode(&snap) {
        crate::snapshot::Decoded::Resume { state, .. } => {
            assert_eq!(state.session.unwrap().shot_checks, checks)
        }
        other => panic!("{other:?}"),
    }
    // A retake clears them: the next preview shows only its own.
    let (s, _) = step(&cfg, s, intent(Intent::Retake));
    assert!(s.session.as_ref().unwrap().shot_checks.is_empty());
    let (s, _) = step(&cfg, s, intent(Intent::TakePhoto));
    let fire = match s.phase {
        Phase::Shoot(Shoot::Countdown { fire_at_ms }) => fire_at_ms,
        ref p => panic!("{p:?}"),
    };
    let (s, _) = step(&cfg, s, Event::Tick { now_ms: fire });
    let (s, _) = step(
        &cfg,
        s,
        Event::Captured {
            shot: 2,
            checks: vec![check("face_count", Some(true)), check("sharpness", None)],
        },
    );
    let m = view(&cfg, &s);
    assert!(
        !m.photo_flagged,
        "an unmeasured check does not flag the photo"
    );
    assert_eq!(m.photo_checks.len(), 2);
}

/// What ending the test session (`at`'s, code `GPK1.token`) with `outcome` effects, in order.
fn session_ended(outcome: SessionOutcome) -> Vec<Effect> {
    vec![
        Effect::DiscardPhotos {
            code: "GPK1.token".into(),
        },
        Effect::SessionEnded { seq: 1, outcome },
    ]
}

fn service_step(state: State, event: Event) -> (State, Vec<Effect>) {
    step(&cfg(), state, event)
}

fn intent(i: Intent) -> Event {
    Event::Intent(i)
}

#[test]
fn the_services_shot_limit_is_the_one_shown_and_kept_over_a_restart() {
    let mut s = at(Phase::Confirm);
    s.session.as_mut().unwrap().shots_max = Some(5);
    assert_eq!(view(&cfg(), &s).shots_max, 5);
    let back = match crate::snapshot::decode(&crate::snapshot::encode(&s)) {
        crate::snapshot::Decoded::Resume { state, .. } => *state,
        other => panic!("{other:?}"),
    };
    assert_eq!(back.session.unwrap().shots_max, Some(5));
    assert_eq!(
        view(&cfg(), &at(Phase::Confirm)).shots_max,
        3,
        "the config's"
    );
}

#[test]
fn wrong_pins_count_across_openings_and_restarts_and_each_lock_is_longer() {
    let restart = |s: &State| match crate::snapshot::decode(&crate::snapshot::encode(s)) {
        crate::snapshot::Decoded::Resume { state, .. } => *state,
        other => panic!("{other:?}"),
    };
    let mut s = at(Phase::Attract);
    let mut locks = Vec::new();
    for round in 0..8 {
        for wrong in 0..3 {
            // Closed and reopened, and the kiosk restarted, between wrong PINs.
            (s, _) = service_step(restart(&s), intent(Intent::MaintenanceGesture));
            assert_eq!(
                s.phase,
                Phase::MaintenancePin {
                    failures: wrong,
                    locked: false
                },
                "round {round}"
            );
            let effects;
            (s, effects) = service_step(s, Event::PinChecked { ok: false });
            let refused = effects.iter().find_map(|e| match e {
                Effect::PinRefused {
                    failures,
                    locked_secs,
                } => Some((*failures, *locked_secs)),
                _ => None,
            });
            let (failures, locked_secs) = refused.expect("an event for operators");
            assert_eq!(failures, round * 3 + u32::from(wrong) + 1);
            if wrong < 2 {
                assert_eq!(locked_secs, 0);
                (s, _) = service_step(s, intent(Intent::Cancel));
            } else {
                locks.push(locked_secs);
            }
        }
        assert_eq!(s.phase, Phase::Attract);
        let now = s.now_ms;
        (s, _) = service_step(restart(&s), intent(Intent::MaintenanceGesture));
        assert!(matches!(
            s.phase,
            Phase::MaintenancePin { locked: true, .. }
        ));
        (s, _) = service_step(s, intent(Intent::Cancel));
        // Still locked a second before the end, open at the end.
        let until = now + u64::from(*locks.last().unwrap()) * 1000;
        (s, _) = service_step(
            s,
            Event::Tick {
                now_ms: until - 1000,
            },
        );
        assert!(s.pin_guard.locked(s.now_ms));
        (s, _) = service_step(s, Event::Tick { now_ms: until });
        assert!(!s.pin_guard.locked(s.now_ms));
    }
    assert_eq!(locks, [60, 120, 240, 480, 960, 1920, 3600, 3600]);

    // The right PIN clears the count.
    (s, _) = service_step(s, intent(Intent::MaintenanceGesture));
    (s, _) = service_step(s, Event::PinChecked { ok: true });
    assert!(matches!(s.phase, Phase::Maintenance(_)));
    assert_eq!(s.pin_guard, PinGuard::default());
}

#[test]
fn maintenance_mode_opens_with_the_gesture_and_the_right_pin_only() {
    let (s, effects) = service_step(at(Phase::Attract), intent(Intent::MaintenanceGesture));
    assert_eq!(
        s.phase,
        Phase::MaintenancePin {
            failures: 0,
            locked: false
        }
    );
    assert_eq!(
        effects,
        vec![Effect::PinEntry(true)],
        "the keypad takes PINs"
    );
    assert_eq!(view(&cfg(), &s).screen, Screen::MaintenancePin);

    // Wrong twice: still on the keypad, the count shows; the third closes it.
    let (s, _) = service_step(s, Event::PinChecked { ok: false });
    let (s, _) = service_step(s, Event::PinChecked { ok: false });
    assert_eq!(
        s.phase,
        Phase::MaintenancePin {
            failures: 2,
            locked: false
        }
    );
    let m = view(&cfg(), &s);
    assert_eq!((m.pin_failures, m.pin_attempts), (2, 3));
    let (s, effects) = service_step(s, Event::PinChecked { ok: false });
    assert_eq!(s.phase, Phase::Attract);
    assert_eq!(
        effects,
        vec![
            Effect::PinEntry(false),
            Effect::PinRefused {
                failures: 3,
                locked_secs: 60
            },
            Effect::CheckDevices
        ]
    );

    // Reopened at once: locked, says for how long, takes no PIN.
    let (s, effects) = service_step(s, intent(Intent::MaintenanceGesture));
    assert_eq!(
        s.phase,
        Phase::MaintenancePin {
            failures: 0,
            locked: true
        }
    );
    assert_eq!(effects, vec![], "the keypad takes no PIN");
    assert_eq!(view(&cfg(), &s).pin_locked_secs, 60);
    let (s, _) = service_step(s, Event::PinChecked { ok: true });
    assert!(
        matches!(s.phase, Phase::MaintenancePin { locked: true, .. }),
        "a late answer changes nothing while locked"
    );
    // A minute on, it unlocks where it stands.
    let now = s.now_ms;
    let (s, effects) = service_step(
        s,
        Event::Tick {
            now_ms: now + 60_000,
        },
    );
    assert_eq!(
        s.phase,
        Phase::MaintenancePin {
            failures: 0,
            locked: false
        }
    );
    assert_eq!(effects, vec![Effect::PinEntry(true)]);

    // Right PIN: maintenance screen, motor enabled, first check asked for.
    let (s, effects) = service_step(s, Event::PinChecked { ok: true });
    assert!(matches!(s.phase, Phase::Maintenance(_)));
    assert_eq!(
        effects,
        vec![
            Effect::PinEntry(false),
            Effect::ChairMotor(true),
            Effect::MaintenanceMode { open: true },
            Effect::MaintenanceDiagnostics
        ]
    );
    let m = view(&cfg(), &s);
    assert_eq!(m.screen, Screen::Maintenance);
    assert!(
        m.maintenance
            .as_ref()
            .is_some_and(|v| v.busy && v.checks.is_empty())
    );

    // The report reaches the screen.
    let (s, _) = service_step(s, Event::MaintenanceReport(report()));
    let m = view(&cfg(), &s);
    let v = m.maintenance.unwrap();
    assert!(!v.busy);
    assert_eq!(v.checks[0].part, Part::Camera);

    // A test shot's line stays on screen when the next round of checks arrives.
    let (s, effects) = service_step(s, intent(Intent::Maintenance(MaintenanceCommand::TestShot)));
    assert_eq!(effects, vec![Effect::MaintenanceTestShot]);
    let (s, _) = service_step(
        s,
        Event::TestShotTaken {
            summary: "6000×4000 JPEG, 3.2 MB, 640 ms".into(),
        },
    );
    let (s, _) = service_step(s, Event::MaintenanceReport(report()));
    let v = view(&cfg(), &s).maintenance.unwrap();
    assert_eq!(
        v.test_shot.as_deref(),
        Some("6000×4000 JPEG, 3.2 MB, 640 ms")
    );
    assert!(!v.busy);
}

#[test]
fn the_gesture_is_ignored_during_a_session() {
    for phase in all_phases() {
        if matches!(phase, Phase::Attract | Phase::OutOfService { .. }) {
            continue;
        }
        let before = at(phase.clone());
        let (after, _) = service_step(before.clone(), intent(Intent::MaintenanceGesture));
        assert_eq!(after.phase, before.phase, "{phase:?}");
    }
    // A PIN answer without the keypad up does nothing either.
    let (s, effects) = service_step(at(Phase::Attract), Event::PinChecked { ok: true });
    assert_eq!((s.phase, effects), (Phase::Attract, vec![]));
}

#[test]
fn service_commands_drive_the_devices_and_leaving_restores_them() {
    let s = at(Phase::Maintenance(panel(LightPreset::Idle, false)));
    let (s, effects) = service_step(
        s,
        intent(Intent::Maintenance(MaintenanceCommand::LightsGlasses)),
    );
    assert_eq!(effects, vec![Effect::Lights(LightPreset::Glasses)]);
    assert_eq!(
        view(&cfg(), &s).maintenance_lights.as_deref(),
        Some("glasses")
    );
    let (s, effects) = service_step(s, intent(Intent::Maintenance(MaintenanceCommand::ChairUp)));
    assert_eq!(effects, vec![Effect::ChairDrive(ChairMove::Up)]);
    let (s, effects) = service_step(s, intent(Intent::Maintenance(MaintenanceCommand::TestShot)));
    assert_eq!(effects, vec![Effect::MaintenanceTestShot]);
    // Busy: a second test shot or refresh waits for the first.
    let (s, effects) = service_step(s, intent(Intent::Maintenance(MaintenanceCommand::Refresh)));
    assert!(effects.is_empty(), "{effects:?}");
    let (s, _) = service_step(s, Event::MaintenanceReport(report()));
    let (s, effects) = service_step(s, intent(Intent::Maintenance(MaintenanceCommand::Exit)));
    assert_eq!(s.phase, Phase::Attract);
    assert_eq!(
        effects,
        vec![
            Effect::ChairMotor(false),
            Effect::Lights(LightPreset::Idle),
            Effect::MaintenanceMode { open: false },
            Effect::CheckDevices
        ]
    );
}

#[test]
fn maintenance_mode_from_out_of_service_returns_there_unless_fixed() {
    let oos = Phase::OutOfService {
        reference: "camera-disconnected".into(),
    };
    let (s, _) = service_step(at(oos.clone()), intent(Intent::MaintenanceGesture));
    let (s, _) = service_step(s, Event::PinChecked { ok: true });
    let (s, effects) = service_step(s, intent(Intent::Maintenance(MaintenanceCommand::Exit)));
    assert_eq!(s.phase, oos);
    assert!(effects.contains(&Effect::CheckDevices));
    let (s, _) = service_step(s, Event::DevicesHealthy);
    assert_eq!(s.phase, Phase::Attract);

    // A fault found while in maintenance mode also sends the kiosk out of service on exit.
    let s = at(Phase::Maintenance(panel(LightPreset::Idle, false)));
    let (s, _) = service_step(
        s,
        Event::DeviceFault {
            device: Device::Chair,
            kind: FaultKind::NoReply,
        },
    );
    assert!(
        matches!(s.phase, Phase::Maintenance(_)),
        "stays for the technician"
    );
    let (s, _) = service_step(s, intent(Intent::Maintenance(MaintenanceCommand::Exit)));
    assert_eq!(
        s.phase,
        Phase::OutOfService {
            reference: "chair-no_reply".into()
        }
    );
}

#[test]
fn maintenance_mode_refreshes_and_times_out() {
    let c = cfg();
    let s = at(Phase::Maintenance(panel(LightPreset::Standard, false)));
    let (s, effects) = service_step(s, Event::Tick { now_ms: T0 + 5_000 });
    assert_eq!(effects, vec![Effect::MaintenanceDiagnostics]);
    // No second check while the first runs.
    let (s, effects) = service_step(
        s,
        Event::Tick {
            now_ms: T0 + 20_000,
        },
    );
    assert!(effects.is_empty(), "{effects:?}");
    let idle = T0 + u64::from(c.service_idle_secs) * 1_000;
    let (s, effects) = service_step(s, Event::Tick { now_ms: idle });
    assert_eq!(s.phase, Phase::Attract);
    assert!(effects.contains(&Effect::ChairMotor(false)), "{effects:?}");
    assert!(
        effects.contains(&Effect::Lights(LightPreset::Idle)),
        "{effects:?}"
    );
}

#[test]
fn maintenance_mode_does_not_survive_a_restart() {
    for phase in [
        Phase::MaintenancePin {
            failures: 1,
            locked: false,
        },
        Phase::Maintenance(panel(LightPreset::Off, true)),
    ] {
        let (s, effects) = service_step(at(phase), Event::Restored);
        assert_eq!(s.phase, Phase::Attract);
        assert!(effects.contains(&Effect::ChairMotor(false)), "{effects:?}");
        assert!(effects.contains(&Effect::CheckDevices), "{effects:?}");
    }
}

/// The live view's seat hint shows on the chair step and the ready screen only, and is gone
/// once the graduate moves on (the next chair step starts from "not known yet").
#[test]
fn the_seat_hint_lives_only_while_the_face_is_tracked() {
    use crate::model::SeatHint;
    let cfg = cfg();
    let seat = |hint, levelling| Event::Seat { hint, levelling };
    let (s, _) = step(&cfg, at(Phase::Chair), seat(Some(SeatHint::Raise), true));
    let m = view(&cfg, &s);
    assert_eq!(m.seat_hint, Some(SeatHint::Raise));
    assert!(m.seat_levelling);
    // A new hint is the graduate at work on the seat: it counts as activity…
    let mut s = s;
    s.now_ms = T0 + 30_000;
    let (s, _) = step(&cfg, s, seat(Some(SeatHint::Good), false));
    assert_eq!(view(&cfg, &s).seat_hint, Some(SeatHint::Good));
    assert_eq!(s.last_activity_ms, T0 + 30_000);
    // …leaving the frame does not.
    let mut gone = s.clone();
    gone.now_ms = T0 + 40_000;
    let (gone, _) = step(&cfg, gone, seat(Some(SeatHint::NoFace), false));
    assert_eq!(gone.last_activity_ms, T0 + 30_000);
    assert!(!view(&cfg, &s).seat_levelling);

    // On to the ready screen: still tracked, the hint stays until the next frame says more.
    let (s, effects) = step(&cfg, s, Event::Intent(Intent::ChairReady));
    assert!(
        !effects.contains(&Effect::FaceTracking(false)),
        "{effects:?}"
    );
    assert_eq!(view(&cfg, &s).seat_hint, Some(SeatHint::Good));

    // The countdown stops tracking and forgets the hint.
    let (s, effects) = step(&cfg, s, Event::Intent(Intent::TakePhoto));
    assert!(
        effects.contains(&Effect::FaceTracking(false)),
        "{effects:?}"
    );
    assert_eq!(view(&cfg, &s).seat_hint, None);

    // A late hint after tracking stopped is ignored.
    let (s, _) = step(&cfg, s, seat(Some(SeatHint::Lower), false));
    assert_eq!(s.seat, None);
    let (s, _) = step(&cfg, at(Phase::Rules), seat(Some(SeatHint::Lower), false));
    assert_eq!(s.seat, None);
}
