//! The simulated graduate's pose while the camera runs, and the seat it sits on: a chair's seat
//! height coupled to the graduate's height in the frame.

use std::sync::{Arc, Mutex};

use super::*;

/// Changes how the simulated graduate sits while the camera runs; the next frame shows it.
/// Cheap to clone; made by [`SimControl::pose_handle`] or [`SimCamera::pose_handle`].
#[derive(Clone)]
pub struct PoseHandle(pub(super) SimControl);

impl PoseHandle {
    /// How the graduate sits now.
    pub fn get(&self) -> Pose {
        self.0.lock().scene.pose
    }

    /// Sit like `pose`.
    pub fn set(&self, pose: Pose) {
        self.0.lock().scene.pose = pose;
    }

    /// Change part of the pose. `f` runs under the camera's lock: keep it short.
    pub fn update(&self, f: impl FnOnce(&mut Pose)) {
        f(&mut self.0.lock().scene.pose);
    }
}

/// Couples a chair's seat height to the simulated graduate's [`Pose::height`]: the graduate
/// sits `sitting offset` mm taller than the reference graduate (see [`Seating`]), and the seat
/// lifts or lowers them. Cheap to clone; clones share the graduate.
#[derive(Clone)]
pub struct SeatLink {
    pose: PoseHandle,
    seating: Seating,
    seat: Arc<Mutex<Seat>>,
}

#[derive(Clone, Copy, Default)]
struct Seat {
    sitting_mm: f32,
    /// The last seat height seen, mm.
    seat_mm: Option<f32>,
}

impl SeatLink {
    /// A graduate with sitting offset 0 whose seat height is not known yet (the pose is left
    /// alone until [`SeatLink::seat_moved`]).
    pub fn new(pose: PoseHandle, seating: Seating) -> Self {
        Self {
            pose,
            seating,
            seat: Arc::default(),
        }
    }

    /// The map from seat height to pose.
    pub fn seating(&self) -> Seating {
        self.seating
    }

    fn seat(&self) -> std::sync::MutexGuard<'_, Seat> {
        self.seat.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A (new) graduate sits down, `sitting_offset_mm` taller in the chair than the reference
    /// graduate (e.g. [`Seating::sitting_offset_mm`] of a seed). Moves them at once when the seat
    /// height is known.
    pub fn sit_down(&self, sitting_offset_mm: f32) {
        let seat = {
            let mut s = self.seat();
            s.sitting_mm = sitting_offset_mm;
            *s
        };
        self.apply(seat);
    }

    /// The seated graduate's sitting offset, mm.
    pub fn sitting_offset_mm(&self) -> f32 {
        self.seat().sitting_mm
    }

    /// The seat height (mm) that puts the seated graduate's eyes on the kiosk's eye line.
    pub fn seat_for_eye_line_mm(&self) -> f32 {
        self.seating.seat_for_eye_line_mm(self.sitting_offset_mm())
    }

    /// The seat is now at `seat_mm`: move the graduate with it.
    pub fn seat_moved(&self, seat_mm: f32) {
        let seat = {
            let mut s = self.seat();
            s.seat_mm = Some(seat_mm);
            *s
        };
        self.apply(seat);
    }

    fn apply(&self, seat: Seat) {
        if let Some(seat_mm) = seat.seat_mm {
            let height = self.seating.pose_height(seat_mm, seat.sitting_mm);
            self.pose.update(|p| p.height = height);
        }
    }

    /// Read the seat height with `seat_mm` every `every` (a simulator's seat moves lazily, when
    /// asked, so there is nothing to subscribe to) and move the graduate with it, in a task on
    /// the current tokio runtime until the returned [`Following`] is dropped.
    pub fn follow(
        &self,
        mut seat_mm: impl FnMut() -> f32 + Send + 'static,
        every: Duration,
    ) -> Following {
        let link = self.clone();
        Following(tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                link.seat_moved(seat_mm());
            }
        }))
    }
}

/// The task [`SeatLink::follow`] started; stops it when dropped.
pub struct Following(tokio::task::JoinHandle<()>);

impl Drop for Following {
    fn drop(&mut self) {
        self.0.abort();
    }
}
