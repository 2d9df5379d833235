//! The graduate's face on the live view, for the chair step and the ready screen: the tracker
//! (seat hint, eye position, the photo's window) and the seat leveller that drives the chair
//! until the eyes are on the guide (`chair.auto_level`).
//!
//! Both run only while the flow asks for face tracking (`Effect::FaceTracking`); the leveller
//! only while the chair motor is enabled too, which the flow does only in the chair step. The
//! flow hears of a new hint or a change in levelling as `Event::Seat`, never per frame.

use std::sync::Arc;
use std::time::{Duration, Instant};

use camera_driver::Frame;
use chair_control::level::{Leveller, Want};
use chair_control::{Chair, Direction};
use kiosk_core::flow::Event;
use kiosk_core::model::SeatHint;
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, warn};

use crate::photo_lab::PhotoLab;

/// One live-view frame as the tracker judged it.
#[derive(Clone, Debug)]
pub struct Tracked {
    /// The graduate, if a face was found.
    pub seen: Option<kiosk_photo::Seen>,
    /// When the camera delivered the frame.
    pub frame_at: Instant,
    /// When the judgement was ready.
    pub at: Instant,
}

impl Tracked {
    /// The hint the screen shows for this frame.
    pub fn hint(&self) -> SeatHint {
        flow_hint(self.seen.as_ref())
    }
}

/// An answer older than this (the camera stalled, the tracker fell behind) counts as no face:
/// the leveller does not drive on old news.
const STALE: Duration = Duration::from_millis(500);

/// How often the leveller reads the chair while it works (limits, overcurrent, the button),
/// besides every new frame's judgement.
const LEVEL_POLL: Duration = Duration::from_millis(100);

fn flow_hint(seen: Option<&kiosk_photo::Seen>) -> SeatHint {
    match seen.map(|s| s.hint) {
        None => SeatHint::NoFace,
        Some(kiosk_photo::SeatHint::Raise) => SeatHint::Raise,
        Some(kiosk_photo::SeatHint::Lower) => SeatHint::Lower,
        Some(kiosk_photo::SeatHint::Good) => SeatHint::Good,
    }
}

fn photo_hint(hint: SeatHint) -> Option<kiosk_photo::SeatHint> {
    match hint {
        SeatHint::NoFace => None,
        SeatHint::Raise => Some(kiosk_photo::SeatHint::Raise),
        SeatHint::Lower => Some(kiosk_photo::SeatHint::Lower),
        SeatHint::Good => Some(kiosk_photo::SeatHint::Good),
    }
}

/// Judge the newest live-view frame whenever tracking is on; publish each judgement on `out`
/// and tell the flow when the hint changes. Frames from before tracking was switched on are
/// skipped (the view may have been elsewhere).
pub(super) async fn track_faces(
    lab: Arc<PhotoLab>,
    mut frames: watch::Receiver<Option<Arc<Frame>>>,
    mut on: watch::Receiver<bool>,
    out: watch::Sender<Option<Arc<Tracked>>>,
    levelling: watch::Receiver<bool>,
    tx: mpsc::UnboundedSender<Event>,
) {
    let mut said: Option<SeatHint> = None;
    let mut since = Instant::now();
    let mut warned = false;
    loop {
        if !*on.borrow_and_update() {
            out.send_replace(None);
            said = None;
            if on.changed().await.is_err() {
                return;
            }
            since = Instant::now();
            continue;
        }
        tokio::select! {
            r = on.changed() => {
                if r.is_err() {
                    return;
                }
                continue;
            }
            r = frames.changed() => {
                if r.is_err() {
                    return;
                }
            }
        }
        let Some(frame) = frames.borrow_and_update().clone() else {
            continue;
        };
        if frame.at < since {
            continue;
        }
        let (judge, prev) = (lab.clone(), said.and_then(photo_hint));
        let jpeg = frame.clone();
        let seen = match tokio::task::spawn_blocking(move || judge.track(&jpeg.jpeg, prev)).await {
            Ok(Ok(seen)) => seen,
            Ok(Err(e)) => {
                if !warned {
                    warn!(error = %e, "a live-view frame could not be judged (counted as no face)");
                    warned = true;
                }
                None
            }
            Err(_) => None,
        };
        if !*on.borrow() {
            continue;
        }
        let hint = flow_hint(seen.as_ref());
        let at = Instant::now();
        out.send_replace(Some(Arc::new(Tracked {
            seen,
            frame_at: frame.at,
            at,
        })));
        if said != Some(hint) {
            debug!(
                ?hint,
                ms = at.duration_since(frame.at).as_millis() as u64,
                "seat hint"
            );
            said = Some(hint);
            let _ = tx.send(Event::Seat {
                hint: Some(hint),
                levelling: *levelling.borrow(),
            });
        }
    }
}

/// What the newest judgement (its hint, and when it was ready) asks of the seat.
fn want(judged: Option<(SeatHint, Instant)>, now: Instant) -> Want {
    match judged {
        Some((hint, at)) if now.saturating_duration_since(at) < STALE => match hint {
            SeatHint::Raise => Want::Up,
            SeatHint::Lower => Want::Down,
            SeatHint::Good => Want::Stay,
            SeatHint::NoFace => Want::NoFace,
        },
        _ => Want::NoFace,
    }
}

/// Drive the seat toward the guide whenever `active` (auto-level configured, face tracking
/// on, chair motor on). Each chair step levels once ([`Leveller`]); the seat stops when
/// `active` ends, whatever else happens.
pub(super) async fn level_seat(
    chair: Arc<Chair>,
    max_travel: Duration,
    mut active: watch::Receiver<bool>,
    mut tracked: watch::Receiver<Option<Arc<Tracked>>>,
    levelling: watch::Sender<bool>,
    tx: mpsc::UnboundedSender<Event>,
) {
    let report = |on: bool, tracked: &watch::Receiver<Option<Arc<Tracked>>>| {
        if levelling.send_if_modified(|l| std::mem::replace(l, on) != on) {
            let hint = tracked.borrow().as_ref().map(|t| t.hint());
            let _ = tx.send(Event::Seat {
                hint,
                levelling: on,
            });
        }
    };
    loop {
        while !*active.borrow_and_update() {
            if active.changed().await.is_err() {
                return;
            }
        }
        let mut leveller = Leveller::new(max_travel);
        let mut driving: Option<Direction> = None;
        let mut tick = tokio::time::interval(LEVEL_POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        while leveller.finished().is_none() {
            tokio::select! {
                r = active.changed() => {
                    if r.is_err() || !*active.borrow_and_update() {
                        break;
                    }
                }
                r = tracked.changed() => {
                    if r.is_err() {
                        break;
                    }
                }
                _ = tick.tick() => {}
            }
            let judged = tracked
                .borrow_and_update()
                .as_deref()
                .map(|t| (t.hint(), t.at));
            let wanted = want(judged, Instant::now());
            let direction = match chair.status().await {
                Ok(status) => leveller.next(wanted, &status, Instant::now()),
                Err(e) => {
                    // The health monitor reports the fault; levelling stops here.
                    warn!(code = kiosk_core::ops::code::SEAT_LEVELLING_STOPPED, error = %e, "seat levelling stopped: the chair did not answer");
                    let _ = chair.drive(None).await;
                    driving = None;
                    break;
                }
            };
            if direction != driving {
                if let Err(e) = chair.drive(direction).await {
                    warn!(code = kiosk_core::ops::code::SEAT_LEVELLING_STOPPED, error = %e, "seat levelling stopped: the chair refused a command");
                    let _ = chair.drive(None).await;
                    driving = None;
                    break;
                }
                driving = direction;
                report(direction.is_some(), &tracked);
            }
            if let Some(why) = leveller.finished() {
                info!(reason = why.name(), "seat levelling finished");
            }
        }
        if driving.is_some() {
            let _ = chair.drive(None).await;
        }
        report(false, &tracked);
        // Finished (or broken off): wait for this chair step to end before the next one.
        while *active.borrow_and_update() {
            if active.changed().await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_news_is_no_face() {
        let t = Instant::now();
        assert_eq!(want(Some((SeatHint::Raise, t)), t), Want::Up);
        assert_eq!(want(Some((SeatHint::Lower, t)), t), Want::Down);
        assert_eq!(want(Some((SeatHint::Good, t)), t), Want::Stay);
        assert_eq!(want(Some((SeatHint::Raise, t)), t + STALE), Want::NoFace);
        assert_eq!(want(None, t), Want::NoFace);
    }
}
