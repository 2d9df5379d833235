//! Table-driven tests of every transition, plus an exhaustive sweep of every event in every
//! phase checking the invariants that must hold whatever happens.

use kiosk_ui::model::{DoneKind, Intent, Lang, ScanNotice, Screen};

use super::*;

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
    let needs_session = !matches!(phase, Phase::Attract | Phase::OutOfService { .. });
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
    ]
}

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
        },
        Event::CodeResolved {
            identity: identity(),
            shots_used: 3,
        },
        Event::CodeRejected(RejectReason::Unknown),
        Event::CodeRejected(RejectReason::RawChsi),
        Event::CodeRejected(RejectReason::Expired),
        Event::ServiceFailed(ServiceOp::Resolve),
        Event::ServiceFailed(ServiceOp::Upload),
        Event::ServiceFailed(ServiceOp::Review),
        Event::ServiceFailed(ServiceOp::CreateOrder),
        Event::ServiceFailed(ServiceOp::Payment),
        Event::Captured { shot: 1 },
        Event::Captured { shot: 2 },
        Event::Captured { shot: 9 },
        Event::CaptureFailed(CaptureProblem::Timeout),
        Event::CaptureFailed(CaptureProblem::Disconnected),
        Event::Uploaded {
            submission: "sub-1".into(),
        },
        Event::ReviewUpdate(ReviewState::Pending),
        Event::ReviewUpdate(ReviewState::Passed),
        Event::ReviewUpdate(ReviewState::Failed(vec![("模糊".into(), "Blurred".into())])),
        Event::OrderCreated(order()),
        Event::PaymentUpdate(PaymentState::Pending),
        Event::PaymentUpdate(PaymentState::Paid),
        Event::PaymentUpdate(PaymentState::Closed),
        Event::DeviceFault {
            device: Device::Camera,
            kind: "disconnected".into(),
        },
        Event::DeviceFault {
            device: Device::Chair,
            kind: "no_reply".into(),
        },
        Event::DeviceFault {
            device: Device::Lights,
            kind: "crc".into(),
        },
        Event::DevicesHealthy,
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
            let (after, fx) = step(&cfg, before.clone(), event.clone());
            count += 1;
            let ctx = format!("{phase:?} + {event:?} -> {:?} with {fx:?}", after.phase);

            // The chair motor is switched on only when entering the chair step…
            if fx.contains(&Effect::ChairMotor(true)) {
                assert_eq!(after.phase, Phase::Chair, "{ctx}");
            }
            // …and off on every way out of it.
            if before.phase == Phase::Chair && after.phase != Phase::Chair {
                assert!(fx.contains(&Effect::ChairMotor(false)), "{ctx}");
            }
            // A session that ends says so, and leaves no session behind.
            if before.session.is_some() && after.session.is_none() {
                assert!(
                    fx.iter().any(|e| matches!(e, Effect::SessionEnded { .. })),
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
                    fx.iter().any(|e| matches!(e, Effect::CloseOrder { .. })),
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
                    matches!(screen, Screen::Attract | Screen::OutOfService),
                    "{ctx}"
                );
            }
            // Time never runs backwards.
            assert!(after.now_ms >= before.now_ms, "{ctx}");
        }
    }
    assert!(count > 1_000, "swept {count} pairs");
}

/// Events that make no sense in a phase leave the state untouched and do nothing.
#[test]
fn invalid_events_are_ignored() {
    let cfg = cfg();
    let rows: Vec<(Phase, Event)> = vec![
        (Phase::Attract, Event::Intent(Intent::UsePhoto)),
        (Phase::Attract, Event::Captured { shot: 1 }),
        (
            Phase::Attract,
            Event::CodeScanned(ScannedCode::Personal("GPK1.x".into())),
        ),
        (Phase::PhotoType, Event::Intent(Intent::TakePhoto)),
        (Phase::Prepare, Event::OrderCreated(order())),
        (Phase::Confirm, Event::CodeScanned(ScannedCode::RawChsi)),
        (Phase::Lighting, Event::PaymentUpdate(PaymentState::Paid)),
        (Phase::Rules, Event::ReviewUpdate(ReviewState::Passed)),
        (
            Phase::Chair,
            Event::Uploaded {
                submission: "x".into(),
            },
        ),
        (Phase::Shoot(Shoot::Ready), Event::Captured { shot: 1 }),
        (Phase::Shoot(Shoot::Capturing), Event::Captured { shot: 3 }),
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
            Event::PaymentUpdate(PaymentState::Pending),
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
        let (after, fx) = step(&cfg, before.clone(), event.clone());
        assert_eq!(after.phase, before.phase, "{event:?} changed the phase");
        assert!(fx.is_empty(), "{:?} + {event:?} gave {fx:?}", before.phase);
    }
}

/// (start phase, event, expected phase, effects that must be among the output)
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
                outcome: "cancelled".into(),
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
            },
            Phase::Confirm,
            vec![E::QrScanning(false), E::LiveView(false)],
        ),
        (
            resolving.clone(),
            Event::CodeResolved {
                identity: identity(),
                shots_used: 3,
            },
            refused(ScanNotice::NoShotsLeft),
            vec![],
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
            vec![E::Lights(LightPreset::Glasses)],
        ),
        (
            Phase::Lighting,
            ev(I::ChooseGlasses(false)),
            Phase::Rules,
            vec![E::Lights(LightPreset::Standard)],
        ),
        (Phase::Lighting, ev(I::Back), Phase::Confirm, vec![]),
        (
            Phase::Rules,
            ev(I::AcceptRules),
            Phase::Chair,
            vec![E::LiveView(true), E::ChairMotor(true)],
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
            vec![E::ChairMotor(false), E::LiveView(false)],
        ),
        (
            Phase::Chair,
            ev(I::Cancel),
            Phase::Attract,
            vec![
                E::ChairMotor(false),
                E::Lights(LightPreset::Idle),
                E::SessionEnded {
                    seq: 1,
                    outcome: "cancelled".into(),
                },
            ],
        ),
        (
            ready.clone(),
            ev(I::TakePhoto),
            Phase::Shoot(Shoot::Countdown {
                fire_at_ms: T0 + 3_000,
            }),
            vec![],
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
            vec![E::Capture { shot: 1 }],
        ),
        (
            Phase::Shoot(Shoot::Capturing),
            Event::Captured { shot: 1 },
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
            vec![E::LiveView(true)],
        ),
        (
            Phase::Shoot(Shoot::Preview),
            ev(I::UsePhoto),
            uploading.clone(),
            vec![
                E::Upload {
                    code: "GPK1.token".into(),
                    shot: 1,
                },
                E::Lights(LightPreset::Idle),
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
            vec![],
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
            vec![E::LiveView(true), E::Lights(LightPreset::Standard)],
        ),
        (
            failed.clone(),
            ev(I::Finish),
            Phase::Attract,
            vec![E::SessionEnded {
                seq: 1,
                outcome: "review_failed".into(),
            }],
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
            Event::PaymentUpdate(PaymentState::Paid),
            Phase::Done {
                kind: DoneKind::Paid,
                until_ms: T0 + 20_000,
            },
            vec![],
        ),
        (
            showing.clone(),
            Event::PaymentUpdate(PaymentState::Closed),
            Phase::Pay(Pay::Expired),
            vec![],
        ),
        (
            Phase::Pay(Pay::Expired),
            Event::PaymentUpdate(PaymentState::Paid),
            Phase::Done {
                kind: DoneKind::Paid,
                until_ms: T0 + 20_000,
            },
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
                E::SessionEnded {
                    seq: 1,
                    outcome: "cancelled".into(),
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
            vec![E::SessionEnded {
                seq: 1,
                outcome: "paid".into(),
            }],
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
            vec![E::SessionEnded {
                seq: 1,
                outcome: "paid".into(),
            }],
        ),
        (
            Phase::Attract,
            Event::DeviceFault {
                device: Device::Camera,
                kind: "disconnected".into(),
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
                kind: "no_reply".into(),
            },
            Phase::OutOfService {
                reference: "chair-no_reply".into(),
            },
            vec![
                E::ChairMotor(false),
                E::Lights(LightPreset::Off),
                E::SessionEnded {
                    seq: 1,
                    outcome: "device_fault".into(),
                },
            ],
        ),
        (
            waiting.clone(),
            Event::DeviceFault {
                device: Device::Camera,
                kind: "disconnected".into(),
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
    for (from, event, expected, effects) in rows {
        let (after, fx) = step(&cfg, at(from.clone()), event.clone());
        assert_eq!(after.phase, expected, "{from:?} + {event:?}");
        for e in &effects {
            assert!(
                fx.contains(e),
                "{from:?} + {event:?}: {e:?} missing from {fx:?}"
            );
        }
    }
}

#[test]
fn idle_timeout_warns_then_returns_to_start() {
    let cfg = cfg();
    let s = at(Phase::Chair);
    let warn_at = T0 + u64::from(cfg.idle_timeout_secs - cfg.idle_warning_secs) * 1_000;
    let (s, fx) = step(
        &cfg,
        s,
        Event::Tick {
            now_ms: warn_at - 1_000,
        },
    );
    assert!(fx.is_empty());
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
    let (s, fx) = step(&cfg, s, Event::Tick { now_ms: timeout });
    assert_eq!(s.phase, Phase::Attract);
    assert!(fx.contains(&Effect::ChairMotor(false)));
    assert!(fx.contains(&Effect::SessionEnded {
        seq: 1,
        outcome: "idle_timeout".into()
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
    let (s2, fx) = step(
        &cfg,
        s.clone(),
        Event::CodeScanned(ScannedCode::Personal("GPK1.bad".into())),
    );
    assert!(fx.is_empty(), "re-resolved a refused code: {fx:?}");
    assert_eq!(s2.phase, s.phase);
    // A different code is looked at at once; the same one again after a pause.
    let (_, fx) = step(
        &cfg,
        s.clone(),
        Event::CodeScanned(ScannedCode::Personal("GPK1.other".into())),
    );
    assert_eq!(
        fx,
        vec![Effect::ResolveCode {
            code: "GPK1.other".into()
        }]
    );
    let (s3, _) = step(&cfg, s, Event::Tick { now_ms: T0 + 6_000 });
    let (_, fx) = step(
        &cfg,
        s3,
        Event::CodeScanned(ScannedCode::Personal("GPK1.bad".into())),
    );
    assert_eq!(
        fx,
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
        let (n, fx) = step(
            &cfg,
            n,
            Event::Tick {
                now_ms: T0 + 10_000 * u64::from(expected) + 5_000,
            },
        );
        assert_eq!(fx, vec![Effect::Capture { shot: expected }]);
        let (n, _) = step(&cfg, n, Event::Captured { shot: expected });
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
    let mut all_fx = vec![];
    let script = vec![
        Event::Intent(Intent::Start),
        Event::Intent(Intent::ChooseGraduatePhoto),
        Event::Intent(Intent::PrepareShoot),
        Event::CodeScanned(ScannedCode::Personal("GPK1.token".into())),
        Event::CodeResolved {
            identity: identity(),
            shots_used: 0,
        },
        Event::Intent(Intent::ConfirmIdentity),
        Event::Intent(Intent::ChooseGlasses(false)),
        Event::Intent(Intent::AcceptRules),
        Event::Intent(Intent::ChairReady),
        Event::Intent(Intent::TakePhoto),
        Event::Tick { now_ms: 0 }, // placeholder: replaced by a tick 3 s later
        Event::Captured { shot: 1 },
        Event::Intent(Intent::UsePhoto),
        Event::Uploaded {
            submission: "sub-1".into(),
        },
        Event::ReviewUpdate(ReviewState::Passed),
        Event::OrderCreated(order()),
        Event::PaymentUpdate(PaymentState::Paid),
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
        let (n, fx) = step(&cfg, s, event);
        s = n;
        all_fx.extend(fx);
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
    assert!(all_fx.contains(&Effect::SessionEnded {
        seq: 1,
        outcome: "paid".into()
    }));
    // Devices end where they started: motor off, lights idle, live view off.
    assert_eq!(
        all_fx
            .iter()
            .filter(|e| **e == Effect::ChairMotor(true))
            .count(),
        1
    );
    assert_eq!(
        all_fx
            .iter()
            .filter(|e| **e == Effect::ChairMotor(false))
            .count(),
        1
    );
    assert_eq!(
        all_fx.iter().rev().find(|e| matches!(e, Effect::Lights(_))),
        Some(&Effect::Lights(LightPreset::Idle))
    );
}

#[test]
fn restored_state_resumes_in_flight_work() {
    let cfg = cfg();
    let (s, fx) = step(
        &cfg,
        at(Phase::Review(Review::Uploading {
            failures: 2,
            retry_at_ms: Some(T0 + 99_000),
        })),
        Event::Restored,
    );
    assert!(fx.contains(&Effect::Upload {
        code: "GPK1.token".into(),
        shot: 1
    }));
    assert!(
        fx.contains(&Effect::ChairMotor(false)),
        "a restart forces the motor off: {fx:?}"
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

    let (s, fx) = step(
        &cfg,
        at(Phase::Pay(Pay::Showing {
            expires_at_ms: T0 + 1_000_000,
            next_poll_ms: T0 + 500_000,
        })),
        Event::Restored,
    );
    let (_, fx2) = step(&cfg, s, Event::Tick { now_ms: T0 + 1 });
    assert!(
        fx2.contains(&Effect::PollPayment {
            order: "ord-1".into()
        }),
        "{fx:?} {fx2:?}"
    );

    let (_, fx) = step(&cfg, at(Phase::Chair), Event::Restored);
    assert_eq!(
        fx.last(),
        Some(&Effect::ChairMotor(true)),
        "motor is re-enabled last: {fx:?}"
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
            kind: "gone".into(),
        },
    );
    let (s, _) = step(&cfg, s, Event::ReviewUpdate(ReviewState::Passed));
    let (s, _) = step(&cfg, s, Event::OrderCreated(order()));
    let (s, _) = step(&cfg, s, Event::PaymentUpdate(PaymentState::Paid));
    let (s, _) = step(&cfg, s, Event::Intent(Intent::Finish));
    assert_eq!(
        s.phase,
        Phase::OutOfService {
            reference: "camera-gone".into()
        }
    );
}

#[test]
fn view_shows_masked_identity_step_and_countdown() {
    let cfg = cfg();
    let m = view(&cfg, &at(Phase::Confirm));
    assert_eq!(m.screen, Screen::Confirm);
    assert_eq!(m.step, Some((4, STEPS)));
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
