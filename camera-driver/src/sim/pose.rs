//! How the simulated graduate sits in front of the camera: where in the frame, the head's
//! roll, eyes shut or open, teeth showing; and how the chair's seat height moves them.
//!
//! Geometry is in frame heights (the scene's unit): x from the frame's vertical centre line
//! (positive to the image's right), y from the top edge (positive down).

use std::hash::{Hash, Hasher};

/// The drawn eyes' centres with the default pose, image-left then image-right (the graduate's
/// right eye is on the image's left). The eye line sits at 37 % of the frame height, which is
/// 35.6 % of the kiosk's crop (a centred 3:4 window 90 % of the frame high, from 5 %).
pub(crate) const EYES: [(f32, f32); 2] = [(-0.05, 0.37), (0.05, 0.37)];

/// The point in the neck the head rolls about.
pub(crate) const NECK_PIVOT: (f32, f32) = (0.0, 0.55);

/// Where and how the graduate sits. The default is the well-seated graduate the scene has
/// always drawn: centred, eyes on the kiosk's eye line, head straight, eyes open, mouth shut.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pose {
    /// Vertical offset of the whole person (body and head) in frame heights; positive sits
    /// lower in the frame (larger y). See [`Seating::pose_height`] for the chair's part.
    pub height: f32,
    /// Horizontal offset of the whole person in frame heights; positive toward the image's
    /// right.
    pub off_centre: f32,
    /// Head roll in degrees about a point in the neck; positive turns the crown toward the
    /// image's right (clockwise in the picture). The body stays upright.
    pub tilt_deg: f32,
    /// Lids shut over both eyes (skin-coloured, with a dark lash line).
    pub eyes_closed: bool,
    /// A white band of teeth between the lips (the CHSI rules forbid it; for testing the
    /// kiosk's checks).
    pub teeth: bool,
}

impl Pose {
    fn bits(&self) -> [u32; 3] {
        // +0.0 and -0.0 are the same pose.
        let b = |v: f32| (v + 0.0).to_bits();
        [b(self.height), b(self.off_centre), b(self.tilt_deg)]
    }

    /// The pose's rigid motion, with its trigonometry done once.
    pub(crate) fn placement(&self) -> Placement {
        let (sin, cos) = self.tilt_deg.to_radians().sin_cos();
        Placement {
            sin,
            cos,
            dx: self.off_centre,
            dy: self.height,
        }
    }

    /// Where a point of the upright, centred head (frame heights) lands in the frame with this
    /// pose (frame heights).
    pub(crate) fn place(&self, p: (f32, f32)) -> (f32, f32) {
        self.placement().place(p)
    }

    /// The inverse of [`Pose::place`].
    #[cfg(test)]
    pub(crate) fn unplace(&self, p: (f32, f32)) -> (f32, f32) {
        self.placement().unplace(p)
    }

    /// The eyes' centres in a `width` × `height` frame, in pixels (x right, y down; pixel
    /// (i, j) covers [i, i + 1) × [j, j + 1)), image-left eye first. With a portrait the
    /// portrait's eyes are placed exactly here; the drawn face's eyes are centred here too.
    pub fn eyes_px(&self, width: u32, height: u32) -> [(f32, f32); 2] {
        let unit = height as f32;
        EYES.map(|eye| {
            let (x, y) = self.place(eye);
            (width as f32 / 2.0 + x * unit, y * unit)
        })
    }
}

/// A pose's rigid motion: the head rolled about the neck, then the person moved.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placement {
    sin: f32,
    cos: f32,
    dx: f32,
    dy: f32,
}

impl Placement {
    /// Upright, centred head (frame heights) → frame (frame heights).
    pub(crate) fn place(&self, (x, y): (f32, f32)) -> (f32, f32) {
        let (dx, dy) = (x - NECK_PIVOT.0, y - NECK_PIVOT.1);
        (
            NECK_PIVOT.0 + dx * self.cos - dy * self.sin + self.dx,
            NECK_PIVOT.1 + dx * self.sin + dy * self.cos + self.dy,
        )
    }

    /// Frame (frame heights) → upright, centred head (frame heights).
    pub(crate) fn unplace(&self, (x, y): (f32, f32)) -> (f32, f32) {
        let (dx, dy) = (x - self.dx - NECK_PIVOT.0, y - self.dy - NECK_PIVOT.1);
        (
            NECK_PIVOT.0 + dx * self.cos + dy * self.sin,
            NECK_PIVOT.1 - dx * self.sin + dy * self.cos,
        )
    }
}

impl PartialEq for Pose {
    fn eq(&self, other: &Self) -> bool {
        self.bits() == other.bits()
            && self.eyes_closed == other.eyes_closed
            && self.teeth == other.teeth
    }
}

impl Eq for Pose {}

impl Hash for Pose {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.bits().hash(state);
        self.eyes_closed.hash(state);
        self.teeth.hash(state);
    }
}

/// How the chair's seat height moves the seated graduate in the frame.
///
/// Seat heights are in millimetres, the unit of chair-control's simulator and register map
/// (`ChairPhysics`: 420–620 mm, starting at 500 mm, 40 mm/s; `ChairMap::height_scale_mm` is
/// 1 mm per register unit). The camera is fixed, so a seat raised by Δ mm lifts the graduate's
/// eyes by Δ mm in the booth, which is Δ / [`Seating::mm_per_frame_height`] frame heights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Seating {
    /// Seat height (mm) that puts the eyes of a graduate with sitting offset 0 exactly on the
    /// kiosk's eye line (the default pose). 500 mm: the chair simulator's starting height, so
    /// tests that never touch the seat see the well-seated graduate.
    pub reference_seat_mm: f32,
    /// Millimetres in the booth per frame height at the graduate's distance. 630: the drawn
    /// eyes are 0.10 frame heights apart, an adult's 63 mm, and the head (crown to chin, 0.37)
    /// comes out at 233 mm.
    pub mm_per_frame_height: f32,
    /// Largest sitting offset [`Seating::sitting_offset_mm`] draws, either way. 60 mm keeps the
    /// right seat height (500 ± 60 mm) inside the chair's travel.
    pub sitting_range_mm: f32,
}

impl Default for Seating {
    fn default() -> Self {
        Self {
            reference_seat_mm: 500.0,
            mm_per_frame_height: 630.0,
            sitting_range_mm: 60.0,
        }
    }
}

impl Seating {
    /// [`Pose::height`] for a graduate whose eyes sit `sitting_offset_mm` higher above the seat
    /// than the reference graduate's (a longer back: positive), on a seat at `seat_mm`.
    /// Raising the seat lifts them (a smaller, more negative height).
    pub fn pose_height(&self, seat_mm: f32, sitting_offset_mm: f32) -> f32 {
        (self.reference_seat_mm - seat_mm - sitting_offset_mm) / self.mm_per_frame_height
    }

    /// The seat height (mm) that puts this graduate's eyes on the kiosk's eye line.
    pub fn seat_for_eye_line_mm(&self, sitting_offset_mm: f32) -> f32 {
        self.reference_seat_mm - sitting_offset_mm
    }

    /// A sitting offset (mm) drawn from `seed`, uniform within ±[`Seating::sitting_range_mm`]:
    /// the same seed always gives the same graduate.
    pub fn sitting_offset_mm(&self, seed: u64) -> f32 {
        // SplitMix64 (Steele, Lea, Flood 2014): one step turns any seed into well-spread bits.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        let unit = (z >> 40) as f32 / (1u64 << 24) as f32; // [0, 1)
        (unit * 2.0 - 1.0) * self.sitting_range_mm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 1e-4 && (a.1 - b.1).abs() < 1e-4
    }

    #[test]
    fn default_pose_puts_the_eyes_on_the_eye_line() {
        let eyes = Pose::default().eyes_px(1500, 1000);
        assert!(close(eyes[0], (700.0, 370.0)), "{eyes:?}");
        assert!(close(eyes[1], (800.0, 370.0)), "{eyes:?}");
        // In the kiosk's crop (90 % of the frame high from 5 %): 35.6 % down.
        let in_crop = (eyes[0].1 / 1000.0 - 0.05) / 0.9;
        assert!((in_crop - 0.356).abs() < 0.001, "{in_crop}");
    }

    #[test]
    fn place_and_unplace_are_inverse() {
        let pose = Pose {
            height: 0.07,
            off_centre: -0.03,
            tilt_deg: 8.0,
            ..Pose::default()
        };
        for p in [(0.0, 0.2), (0.1, 0.37), (-0.14, 0.5)] {
            assert!(close(pose.unplace(pose.place(p)), p));
        }
    }

    #[test]
    fn tilt_turns_the_crown_right_and_keeps_the_eye_distance() {
        let pose = Pose {
            tilt_deg: 8.0,
            ..Pose::default()
        };
        let [l, r] = pose.eyes_px(960, 640);
        let d = ((r.0 - l.0).powi(2) + (r.1 - l.1).powi(2)).sqrt();
        assert!((d - 64.0).abs() < 0.01, "{d}");
        // Clockwise: the image-right eye drops, and the eye line's angle is the tilt.
        let angle = (r.1 - l.1).atan2(r.0 - l.0).to_degrees();
        assert!((angle - 8.0).abs() < 0.01, "{angle}");
        let crown = pose.place((0.0, 0.195));
        assert!(crown.0 > 0.0, "{crown:?}");
    }

    #[test]
    fn offsets_move_the_whole_person() {
        let pose = Pose {
            height: 0.1,
            off_centre: 0.2,
            ..Pose::default()
        };
        let eyes = pose.eyes_px(1500, 1000);
        assert!(close(eyes[0], (900.0, 470.0)), "{eyes:?}");
        assert!(close(eyes[1], (1000.0, 470.0)), "{eyes:?}");
    }

    #[test]
    fn equal_poses_hash_alike_and_different_ones_do_not_compare_equal() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |p: &Pose| {
            let mut h = DefaultHasher::new();
            p.hash(&mut h);
            h.finish()
        };
        let a = Pose {
            height: -0.0,
            ..Pose::default()
        };
        assert_eq!(a, Pose::default());
        assert_eq!(hash(&a), hash(&Pose::default()));
        for b in [
            Pose {
                height: 0.01,
                ..Pose::default()
            },
            Pose {
                tilt_deg: 1.0,
                ..Pose::default()
            },
            Pose {
                off_centre: 0.01,
                ..Pose::default()
            },
            Pose {
                eyes_closed: true,
                ..Pose::default()
            },
            Pose {
                teeth: true,
                ..Pose::default()
            },
        ] {
            assert_ne!(b, Pose::default());
        }
    }

    #[test]
    fn raising_the_seat_lifts_the_graduate() {
        let seating = Seating::default();
        // The reference graduate on the starting seat: exactly on the eye line.
        assert_eq!(seating.pose_height(500.0, 0.0), 0.0);
        let mut last = f32::INFINITY;
        for seat in (420..=620).step_by(10) {
            let h = seating.pose_height(seat as f32, 25.0);
            assert!(h < last, "seat {seat}: {h} not above {last}");
            last = h;
            let eyes = Pose {
                height: h,
                ..Pose::default()
            }
            .eyes_px(960, 640);
            assert!(eyes[0].1 > 0.0 && eyes[0].1 < 640.0);
        }
        // Each graduate has a seat height in the chair's travel that puts their eyes on the
        // line.
        for seed in 0..200 {
            let offset = seating.sitting_offset_mm(seed);
            assert!(offset.abs() <= 60.0, "{offset}");
            let seat = seating.seat_for_eye_line_mm(offset);
            assert!((420.0..=620.0).contains(&seat), "{seat}");
            assert!(seating.pose_height(seat, offset).abs() < 1e-6);
        }
    }

    #[test]
    fn sitting_offsets_are_deterministic_and_spread() {
        let seating = Seating::default();
        assert_eq!(seating.sitting_offset_mm(7), seating.sitting_offset_mm(7));
        let offsets: Vec<f32> = (0..1000).map(|s| seating.sitting_offset_mm(s)).collect();
        let mean = offsets.iter().sum::<f32>() / offsets.len() as f32;
        assert!(mean.abs() < 5.0, "{mean}");
        assert!(offsets.iter().any(|o| *o > 50.0));
        assert!(offsets.iter().any(|o| *o < -50.0));
    }
}
