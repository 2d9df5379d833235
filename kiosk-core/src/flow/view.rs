//! From flow state to the screen model the UI draws. Pure; called after every transition.

use crate::model::{
    CheckLine, DoneKind, IdentityView, MaintenanceView, PayStage, ReasonView, ReviewStage, Screen,
    ScreenModel, ShootStage,
};

use super::state::{FlowConfig, Pay, Phase, Review, Shoot, State};
use super::step::{back_allowed, cancel_allowed, idle_applies};

/// What the screen shows for `state`.
pub fn view(cfg: &FlowConfig, state: &State) -> ScreenModel {
    let now = state.now_ms;
    let session = state.session.as_ref();
    let mut m = ScreenModel {
        lang: state.lang,
        shots_max: super::step::max_shots(cfg, session),
        shots_used: session.map_or(0, |s| s.shots_used),
        glasses: session.and_then(|s| s.glasses),
        identity: session
            .and_then(|s| s.identity.as_ref())
            .map(|i| IdentityView {
                name: i.name.clone(),
                id_number: i.id_number.clone(),
                school: i.school.clone(),
                level: i.level.clone(),
            }),
        can_go_back: back_allowed(&state.phase),
        can_cancel: cancel_allowed(&state.phase),
        seat_hint: state.seat.and_then(|s| s.hint),
        seat_levelling: state.seat.is_some_and(|s| s.levelling),
        ..ScreenModel::default()
    };

    let screen = match &state.phase {
        Phase::Attract => Screen::Attract,
        Phase::PhotoType => Screen::PhotoType,
        Phase::Prepare => Screen::Prepare,
        Phase::Scan { notice, .. } => {
            m.scan_notice = *notice;
            m.live_view = true;
            Screen::Scan
        }
        Phase::Confirm => Screen::Confirm,
        Phase::Lighting => Screen::Lighting,
        Phase::Rules => Screen::Rules,
        Phase::Chair => {
            m.live_view = true;
            Screen::Chair
        }
        Phase::Shoot(shoot) => {
            m.live_view = !matches!(shoot, Shoot::Preview);
            m.shoot_stage = match shoot {
                Shoot::Ready => ShootStage::Ready,
                Shoot::Countdown { fire_at_ms } => {
                    m.countdown = remaining_secs(*fire_at_ms, now).max(1);
                    ShootStage::Countdown
                }
                Shoot::Capturing => ShootStage::Capturing,
                Shoot::Preview => {
                    let checks = session.map_or(&[][..], |s| &s.shot_checks[..]);
                    m.photo_checks = checks
                        .iter()
                        .map(|c| CheckLine {
                            pass: c.pass,
                            zh: c.zh.clone(),
                            en: c.en.clone(),
                        })
                        .collect();
                    m.photo_flagged = checks.iter().any(|c| c.pass == Some(false));
                    ShootStage::Preview
                }
                Shoot::Failed(_) => ShootStage::Failed,
            };
            Screen::Shoot
        }
        Phase::Review(review) => {
            m.review_stage = match review {
                Review::Uploading { failures, .. } => {
                    m.upload_retries = *failures;
                    ReviewStage::Uploading
                }
                Review::Waiting { since_ms, .. } => {
                    let expected = u64::from(cfg.review_expected_secs.max(1)) * 1_000;
                    let elapsed = now.saturating_sub(*since_ms);
                    m.review_overdue = elapsed > expected;
                    let elapsed = elapsed.min(expected);
                    // Fills to 95 % over the expected time; the last bit is the answer arriving.
                    m.review_progress = 0.95 * elapsed as f32 / expected as f32;
                    ReviewStage::Waiting
                }
                Review::Unsent { refused: true } => ReviewStage::Refused,
                Review::Unsent { refused: false } => ReviewStage::Unreachable,
                Review::Failed(reasons) => {
                    m.reasons = reasons
                        .iter()
                        .map(|(zh, en)| ReasonView {
                            zh: zh.clone(),
                            en: en.clone(),
                        })
                        .collect();
                    ReviewStage::Failed
                }
            };
            Screen::Review
        }
        Phase::Pay(pay) => {
            let order = session.and_then(|s| s.order.as_ref());
            m.pay_stage = match pay {
                Pay::Creating => PayStage::Creating,
                Pay::Showing { expires_at_ms, .. } => {
                    m.pay_qr = order.map(|o| o.code_url.clone());
                    m.time_left_secs = Some(remaining_secs(*expires_at_ms, now));
                    PayStage::Showing
                }
                Pay::Expired => PayStage::Expired,
                Pay::Failed => PayStage::Failed,
            };
            m.amount_fen = order.map_or(0, |o| o.amount_fen);
            Screen::Pay
        }
        Phase::Done { kind, .. } => {
            m.done_kind = *kind;
            if *kind == DoneKind::Paid
                && let Some(order) = session.and_then(|s| s.order.as_ref())
            {
                m.amount_fen = order.amount_fen;
                m.order_ref = Some(order_ref(&order.id));
            }
            Screen::Done
        }
        Phase::OutOfService { reference } => {
            m.fault_reference = Some(reference.clone());
            Screen::OutOfService
        }
        Phase::MaintenancePin { failures, locked } => {
            m.pin_failures = *failures;
            m.pin_attempts = cfg.pin_attempts;
            if *locked {
                let left = state.pin_guard.locked_until_ms.saturating_sub(state.now_ms);
                m.pin_locked_secs = left.div_ceil(1000).max(1) as u32;
            }
            Screen::MaintenancePin
        }
        Phase::Maintenance(panel) => {
            m.maintenance = Some(match &panel.report {
                Some(report) => MaintenanceView {
                    busy: panel.busy,
                    ..report.clone()
                },
                None => MaintenanceView {
                    busy: panel.busy,
                    ..MaintenanceView::default()
                },
            });
            m.maintenance_lights = Some(panel.lights.name().to_owned());
            Screen::Maintenance
        }
    };
    debug_assert_eq!(screen, state.phase.screen());
    m.screen = screen;
    m.step = screen.indicated().map(|n| (n, Screen::INDICATED));

    if idle_applies(&state.phase) {
        let deadline = state.last_activity_ms + u64::from(cfg.idle_timeout_secs) * 1_000;
        let left = remaining_secs(deadline, now);
        if left <= cfg.idle_warning_secs {
            m.idle_warning_secs = Some(left);
        }
    }
    m
}

fn remaining_secs(deadline_ms: u64, now_ms: u64) -> u32 {
    let ms = deadline_ms.saturating_sub(now_ms);
    u32::try_from(ms.div_ceil(1_000)).unwrap_or(u32::MAX)
}

/// How much of an order id the done screen shows: enough for staff to find the order among a
/// day's, short enough to read out.
const ORDER_REF_CHARS: usize = 8;

/// The end of an order id, as the done screen shows it.
fn order_ref(id: &str) -> String {
    let n = id.chars().count();
    id.chars().skip(n.saturating_sub(ORDER_REF_CHARS)).collect()
}
