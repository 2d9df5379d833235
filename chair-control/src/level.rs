//! Levelling the seat by itself: which way to drive, given where the graduate's eyes should
//! go and what the chair reports. Pure decisions (no bus, no clock of its own), so every rule
//! is tested without a chair; `kiosk-app` runs it against the live view and the real driver.
//!
//! The rules (issue 12): drive only while asked to (the chair step, motor enabled); stop at a
//! limit switch, on overcurrent or stall, after a maximum travel time, the moment no face is
//! seen, and for good once the eyes are on the guide or the graduate presses the seat button
//! (they take over).

use std::time::{Duration, Instant};

use crate::chair::{ChairStatus, Direction};

/// What the live view asks of the seat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// Raise it.
    Up,
    /// Lower it.
    Down,
    /// The eyes are on the guide.
    Stay,
    /// No face is seen (or the view is stale): stop until one is.
    NoFace,
}

/// Why levelling ended for this chair step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finished {
    /// The eyes reached the guide.
    OnTarget,
    /// The upper limit switch stopped it.
    UpperLimit,
    /// The lower limit switch stopped it.
    LowerLimit,
    /// The motor reported overcurrent.
    Overcurrent,
    /// The motor stalled.
    Stalled,
    /// The graduate pressed the seat button: theirs from now on.
    ButtonPressed,
    /// The seat moved for the maximum travel time without getting there.
    TravelTime,
}

impl Finished {
    /// A short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            Finished::OnTarget => "on_target",
            Finished::UpperLimit => "upper_limit",
            Finished::LowerLimit => "lower_limit",
            Finished::Overcurrent => "overcurrent",
            Finished::Stalled => "stalled",
            Finished::ButtonPressed => "button_pressed",
            Finished::TravelTime => "travel_time",
        }
    }
}

/// One chair step's levelling.
#[derive(Clone, Debug)]
pub struct Leveller {
    max_travel: Duration,
    travelled: Duration,
    moving: Option<(Direction, Instant)>,
    finished: Option<Finished>,
}

impl Leveller {
    /// Levelling that drives for at most `max_travel` in total.
    pub fn new(max_travel: Duration) -> Self {
        Self {
            max_travel,
            travelled: Duration::ZERO,
            moving: None,
            finished: None,
        }
    }

    /// Why levelling ended, once it has.
    pub fn finished(&self) -> Option<Finished> {
        self.finished
    }

    /// Whether the seat is being driven now.
    pub fn moving(&self) -> Option<Direction> {
        self.moving.map(|(d, _)| d)
    }

    /// The direction to drive from `now` on (None: stopped), given the latest `want` and the
    /// chair's `status` read just now.
    pub fn next(&mut self, want: Want, status: &ChairStatus, now: Instant) -> Option<Direction> {
        if let Some((_, since)) = self.moving {
            self.travelled += now.saturating_duration_since(since);
        }
        let direction = self.decide(want, status);
        self.moving = direction.map(|d| (d, now));
        direction
    }

    fn decide(&mut self, want: Want, status: &ChairStatus) -> Option<Direction> {
        if self.finished.is_some() {
            return None;
        }
        let finished = if status.overcurrent {
            Some(Finished::Overcurrent)
        } else if status.stalled {
            Some(Finished::Stalled)
        } else if status.button_up || status.button_down {
            Some(Finished::ButtonPressed)
        } else if self.travelled >= self.max_travel {
            Some(Finished::TravelTime)
        } else {
            match want {
                Want::Stay => Some(Finished::OnTarget),
                Want::Up if status.upper_limit => Some(Finished::UpperLimit),
                Want::Down if status.lower_limit => Some(Finished::LowerLimit),
                Want::Up | Want::Down | Want::NoFace => None,
            }
        };
        if finished.is_some() {
            self.finished = finished;
            return None;
        }
        match want {
            Want::Up => Some(Direction::Up),
            Want::Down => Some(Direction::Down),
            Want::Stay | Want::NoFace => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX: Duration = Duration::from_secs(8);

    fn ok() -> ChairStatus {
        ChairStatus {
            height_mm: 500.0,
            motor_enabled: true,
            ..ChairStatus::default()
        }
    }

    #[test]
    fn drives_toward_the_guide_and_stops_there_for_good() {
        let t = Instant::now();
        let mut l = Leveller::new(MAX);
        assert_eq!(l.next(Want::Up, &ok(), t), Some(Direction::Up));
        assert_eq!(l.moving(), Some(Direction::Up));
        assert_eq!(l.next(Want::Stay, &ok(), t), None);
        assert_eq!(l.finished(), Some(Finished::OnTarget));
        // The graduate slumps afterwards: the kiosk leaves it to them.
        assert_eq!(l.next(Want::Down, &ok(), t), None);
    }

    #[test]
    fn no_face_stops_until_one_is_seen_again() {
        let t = Instant::now();
        let mut l = Leveller::new(MAX);
        assert_eq!(l.next(Want::Down, &ok(), t), Some(Direction::Down));
        assert_eq!(l.next(Want::NoFace, &ok(), t), None);
        assert_eq!(l.finished(), None);
        assert_eq!(l.next(Want::Down, &ok(), t), Some(Direction::Down));
    }

    #[test]
    fn limits_faults_and_the_button_end_it() {
        let t = Instant::now();
        let cases = [
            (
                Want::Up,
                ChairStatus {
                    upper_limit: true,
                    ..ok()
                },
                Finished::UpperLimit,
            ),
            (
                Want::Down,
                ChairStatus {
                    lower_limit: true,
                    ..ok()
                },
                Finished::LowerLimit,
            ),
            (
                Want::Up,
                ChairStatus {
                    overcurrent: true,
                    ..ok()
                },
                Finished::Overcurrent,
            ),
            (
                Want::Up,
                ChairStatus {
                    stalled: true,
                    ..ok()
                },
                Finished::Stalled,
            ),
            (
                Want::Down,
                ChairStatus {
                    button_up: true,
                    ..ok()
                },
                Finished::ButtonPressed,
            ),
        ];
        for (want, status, why) in cases {
            let mut l = Leveller::new(MAX);
            assert_eq!(l.next(want, &ok(), t), want_dir(want), "{why:?}");
            assert_eq!(l.next(want, &status, t), None, "{why:?}");
            assert_eq!(l.finished(), Some(why));
            // Stays finished when the condition clears.
            assert_eq!(l.next(want, &ok(), t), None, "{why:?}");
        }
        // A lower limit does not stop a drive upward.
        let mut l = Leveller::new(MAX);
        let at_bottom = ChairStatus {
            lower_limit: true,
            ..ok()
        };
        assert_eq!(l.next(Want::Up, &at_bottom, t), Some(Direction::Up));
    }

    fn want_dir(w: Want) -> Option<Direction> {
        match w {
            Want::Up => Some(Direction::Up),
            Want::Down => Some(Direction::Down),
            _ => None,
        }
    }

    #[test]
    fn travel_time_counts_only_while_moving() {
        let t = Instant::now();
        let mut l = Leveller::new(MAX);
        assert_eq!(l.next(Want::Up, &ok(), t), Some(Direction::Up));
        // 5 s moving, then 60 s stopped without a face, then 2 s more: still within 8 s.
        assert_eq!(
            l.next(Want::NoFace, &ok(), t + Duration::from_secs(5)),
            None
        );
        let back = t + Duration::from_secs(65);
        assert_eq!(l.next(Want::Up, &ok(), back), Some(Direction::Up));
        let later = back + Duration::from_secs(2);
        assert_eq!(l.next(Want::Up, &ok(), later), Some(Direction::Up));
        // Past 8 s of travel: stops for good.
        let past = later + Duration::from_millis(1_500);
        assert_eq!(l.next(Want::Up, &ok(), past), None);
        assert_eq!(l.finished(), Some(Finished::TravelTime));
    }
}
