//! The face on the live view: where the eyes are against the booth's eye guide (so the chair
//! step can say "raise the seat", "lower the seat" or "good", and the kiosk can drive the
//! seat itself), and the 3:4 window the photo would be cut from, for the ready screen.
//!
//! One live-view frame (about 960 × 640) is decoded as it is and searched with the photo's own
//! detector and rules ([`crate::pipeline`]); positions are returned as fractions of the frame,
//! so the screen can draw them over the picture at any size and the capture (same field of
//! view, more pixels) frames the same way.

use serde::Serialize;

use crate::checks::CheckSettings;
use crate::decode::decode_any;
use crate::error::PhotoError;
use crate::pipeline::{Chosen, choose_crop, faces_in};
use crate::{Detector, Point};

/// Largest live-view frame accepted, in pixels (a DSLR's live view is about 1 MP; 4K video
/// frames still fit).
pub const MAX_LIVE_VIEW_PIXELS: u64 = 9_000_000;

/// Where the eyes belong on the live view, in frame heights from the top.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Guide {
    /// The eye line's target: the height at which the photo's window, framed to the standard,
    /// sits well inside the capture. 0.37 for the reference booth (the demo camera's eye line).
    pub eye_line: f32,
    /// How far from the target still counts as "good", either way. 0.03 frame heights is
    /// about 19 mm of seat travel in the reference booth: finer than a person can stop a
    /// chair by hand, coarser than the detector's wobble (under 0.005 between frames).
    pub tolerance: f32,
}

impl Default for Guide {
    fn default() -> Self {
        Self {
            eye_line: 0.37,
            tolerance: 0.03,
        }
    }
}

impl Guide {
    /// Checks the values: `(field, problem)` for the first bad one.
    pub fn validate(&self) -> Result<(), (&'static str, &'static str)> {
        if !(0.15..=0.85).contains(&self.eye_line) {
            return Err((
                "eye_line",
                "must be 0.15..=0.85 (a share of the frame height)",
            ));
        }
        if !(0.005..=0.2).contains(&self.tolerance) {
            return Err((
                "tolerance",
                "must be 0.005..=0.2 (a share of the frame height)",
            ));
        }
        Ok(())
    }

    /// [`Guide::hint`] for a frame after one that got `prev`: to leave "good" the eyes must
    /// be a sixth of the tolerance further out (about 3 mm of seat), and to reach it a sixth
    /// further in, so detector wobble at the band's edge does not flicker the hint.
    pub fn hint_after(&self, prev: SeatHint, eye_line: f32) -> SeatHint {
        let margin = self.tolerance / 6.0;
        let widened = |tolerance| Guide { tolerance, ..*self }.hint(eye_line);
        match prev {
            SeatHint::Good => widened(self.tolerance + margin),
            _ => match widened(self.tolerance - margin) {
                SeatHint::Good => SeatHint::Good,
                // Between the bands: keep what was said.
                _ if self.hint(eye_line) == SeatHint::Good => prev,
                other => other,
            },
        }
    }

    /// What the seat should do for eyes at `eye_line` (frame heights from the top).
    pub fn hint(&self, eye_line: f32) -> SeatHint {
        let off = eye_line - self.eye_line;
        if off > self.tolerance {
            // The eyes are below the guide: the graduate sits too low.
            SeatHint::Raise
        } else if off < -self.tolerance {
            SeatHint::Lower
        } else {
            SeatHint::Good
        }
    }
}

/// What the seat should do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatHint {
    /// The eyes are below the guide: raise the seat.
    Raise,
    /// The eyes are above the guide: lower the seat.
    Lower,
    /// The eyes are on the guide.
    Good,
}

/// A rectangle in fractions of the frame (0–1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Window {
    /// Left edge, in frame widths.
    pub x: f32,
    /// Top edge, in frame heights.
    pub y: f32,
    /// Width, in frame widths.
    pub width: f32,
    /// Height, in frame heights.
    pub height: f32,
}

/// The graduate as seen on one live-view frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Seen {
    /// Eye centres, image-left then image-right, as (frame widths, frame heights).
    pub eyes: [[f32; 2]; 2],
    /// The eye line (mean of the two eyes), in frame heights.
    pub eye_line: f32,
    /// What the seat should do.
    pub hint: SeatHint,
    /// The 3:4 window the photo would be cut from if the shot were taken now.
    pub window: Window,
    /// Faces on the frame (more than one: someone is standing behind the graduate).
    pub faces: usize,
}

/// Finds the graduate on a live-view frame (JPEG). `Ok(None)`: nobody is there.
pub fn track(
    det: &Detector,
    jpeg: &[u8],
    guide: &Guide,
    cfg: &CheckSettings,
) -> Result<Option<Seen>, PhotoError> {
    let decoded = decode_any(jpeg, MAX_LIVE_VIEW_PIXELS)?;
    let img = &decoded.image;
    let faces = faces_in(det, img)?;
    let Some(face) = faces.first() else {
        return Ok(None);
    };
    let (w, h) = (img.width() as f32, img.height() as f32);
    let frac = |p: Point| [p.x / w, p.y / h];
    let eyes = [
        frac(face.landmarks.eye_left),
        frac(face.landmarks.eye_right),
    ];
    let eye_line = (eyes[0][1] + eyes[1][1]) / 2.0;
    let Chosen { crop, .. } = choose_crop(img, &faces, cfg, 1.0);
    Ok(Some(Seen {
        eyes,
        eye_line,
        hint: guide.hint(eye_line),
        window: Window {
            x: crop.x as f32 / w,
            y: crop.y as f32 / h,
            width: crop.width as f32 / w,
            height: crop.height as f32 / h,
        },
        faces: faces.len(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eyes_below_the_guide_ask_for_a_higher_seat() {
        let g = Guide::default();
        assert_eq!(g.hint(0.37), SeatHint::Good);
        assert_eq!(g.hint(0.395), SeatHint::Good);
        assert_eq!(g.hint(0.41), SeatHint::Raise);
        assert_eq!(g.hint(0.33), SeatHint::Lower);
    }

    #[test]
    fn the_band_edge_does_not_flicker() {
        let g = Guide::default();
        // Just outside the band: raise; coming back to just inside is not yet good…
        assert_eq!(g.hint_after(SeatHint::Raise, 0.399), SeatHint::Raise);
        // …well inside is.
        assert_eq!(g.hint_after(SeatHint::Raise, 0.39), SeatHint::Good);
        // Good stays good a little past the edge, not far past it.
        assert_eq!(g.hint_after(SeatHint::Good, 0.403), SeatHint::Good);
        assert_eq!(g.hint_after(SeatHint::Good, 0.41), SeatHint::Raise);
        assert_eq!(g.hint_after(SeatHint::Good, 0.33), SeatHint::Lower);
    }

    #[test]
    fn a_guide_off_the_frame_is_refused() {
        assert!(Guide::default().validate().is_ok());
        let off = Guide {
            eye_line: 0.95,
            ..Guide::default()
        };
        assert_eq!(off.validate().unwrap_err().0, "eye_line");
        let loose = Guide {
            tolerance: 0.5,
            ..Guide::default()
        };
        assert_eq!(loose.validate().unwrap_err().0, "tolerance");
    }
}
