//! Choosing the 3:4 crop that puts a subject where the CHSI standard wants it, and saying which
//! limits no crop of this capture can meet.
//!
//! Crop and scale only: CHSI forbids rotation, mirroring and retouching, so nothing here turns
//! or pads the image. Limits are from `shared/notes/chsi-photo-standard.md` (教毕指〔2017〕99号).

use crate::Point;

/// Cheek-to-cheek face width per inter-eye distance. Adult faces are about 2.1 interpupillary
/// distances wide (bizygomatic breadth 130–140 mm, pupils 60–66 mm apart); used when only the
/// eyes are known.
pub const FACE_WIDTH_PER_EYE_DISTANCE: f32 = 2.1;

/// An inclusive range with the value the framing aims for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Smallest accepted.
    pub min: f32,
    /// Aimed for.
    pub target: f32,
    /// Largest accepted.
    pub max: f32,
}

impl Range {
    /// Inside, allowing 0.01 px of float noise at the ends (false for NaN).
    fn contains(&self, v: f32) -> bool {
        (self.min - 0.01..=self.max + 0.01).contains(&v)
    }
}

/// The output size and where the head must sit in it, in output pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standard {
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
    /// Crown (top of the hair) from the top edge.
    pub crown: Range,
    /// Eye line from the top edge.
    pub eye_line: Range,
    /// Face width, cheek to cheek.
    pub face_width: Range,
    /// Largest horizontal distance of the eyes' midpoint from the centre line. The standard says
    /// only "centred"; 12 px (2.5 % of the width) is invisible to a reviewer.
    pub max_off_centre: f32,
}

impl Standard {
    /// The CHSI degree-registration photo.
    pub const CHSI: Standard = Standard {
        width: 480,
        height: 640,
        crown: Range {
            min: 50.0,
            target: 80.0,
            max: 110.0,
        },
        eye_line: Range {
            min: 200.0,
            target: 250.0,
            max: 300.0,
        },
        face_width: Range {
            min: 180.0,
            target: 240.0,
            max: 300.0,
        },
        max_off_centre: 12.0,
    };
}

/// What framing needs to know about the subject, in input pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Subject {
    /// Eye centre on the image's left.
    pub eye_left: Point,
    /// Eye centre on the image's right.
    pub eye_right: Point,
    /// Topmost row of the hair; 0 when the head touches the top of the frame.
    pub crown_y: f32,
    /// Face width, cheek to cheek (the detector's box width, or
    /// [`FACE_WIDTH_PER_EYE_DISTANCE`] × the eye distance).
    pub face_width: f32,
}

impl Subject {
    /// From a detected face and the crown row. The face width is the detector's box width:
    /// MTCNN's box spans the cheeks (on the astronaut portrait 87 px for 43 px between the
    /// eyes, the 2.0–2.1 ratio faces have).
    pub fn from_face(face: &crate::Face, crown_y: f32) -> Self {
        Self {
            eye_left: face.landmarks.eye_left,
            eye_right: face.landmarks.eye_right,
            crown_y,
            face_width: face.bottom_right.x - face.top_left.x,
        }
    }
}

/// A crop window in input pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Crop {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

impl Crop {
    /// The same window in an image `f` times the size (`w × h`), kept inside it.
    pub fn scaled(self, f: f32, w: u32, h: u32) -> Crop {
        let x = ((self.x as f32 * f).round() as u32).min(w.saturating_sub(1));
        let y = ((self.y as f32 * f).round() as u32).min(h.saturating_sub(1));
        Crop {
            x,
            y,
            width: ((self.width as f32 * f).round() as u32).clamp(1, w - x),
            height: ((self.height as f32 * f).round() as u32).clamp(1, h - y),
        }
    }
}

/// Where the subject lands in the output photo, in output pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    /// Crown from the top edge.
    pub crown: f32,
    /// Eye line (mean of the two eyes) from the top edge.
    pub eye_line: f32,
    /// Face width.
    pub face_width: f32,
    /// Eyes' midpoint minus the centre line (negative: left of centre).
    pub off_centre: f32,
}

/// A limit of the standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// The head touches the top of the capture: the crown is not in the picture.
    HeadCutOff,
    /// Crown outside its band.
    Crown,
    /// Eye line outside its band.
    EyeLine,
    /// Face too narrow or too wide.
    FaceWidth,
    /// Face not centred.
    Centring,
}

/// One broken limit with its numbers (output pixels; for `HeadCutOff`, the input crown row).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Broken {
    /// Which limit.
    pub limit: Limit,
    /// What the best crop gives.
    pub value: f32,
    /// Smallest accepted.
    pub min: f32,
    /// Largest accepted.
    pub max: f32,
}

/// The best crop of one capture and how it measures against the standard.
#[derive(Clone, Debug, PartialEq)]
pub struct Framing {
    /// Window to cut from the input.
    pub crop: Crop,
    /// Output pixels per input pixel (above 1 means the crop is enlarged).
    pub scale: f32,
    /// Where the subject lands.
    pub placement: Placement,
    /// Limits this crop breaks; empty when the photo meets the geometry.
    pub broken: Vec<Broken>,
}

impl Framing {
    /// Whether every geometric limit is met.
    pub fn ok(&self) -> bool {
        self.broken.is_empty()
    }
}

/// How far inside the face-width limits framing aims (a share of the limit): the same face
/// measured on the finished photo (the agency's review, a second detection on a smaller image)
/// comes out up to 7 % narrower or wider than on the capture. The booth measures it again on the
/// JPEG and frames once more when that breaks a limit (`pipeline::photo_from`); the margin
/// keeps that second framing rare.
pub const FACE_WIDTH_MARGIN: f32 = 0.05;

/// The crop that best places `s` in an `img_w × img_h` capture according to `std`.
///
/// The scale comes from the crown-to-eye distance (aiming at the targets' 170 px), kept inside
/// what both the bands and the face-width limits allow; when those conflict, face width wins
/// because it is what a reviewer notices first. The face-width limits are aimed inside by
/// [`FACE_WIDTH_MARGIN`]: the agency measures the face again on the 480 × 640 photo with its own
/// detector, and a box a few pixels narrower must not fail a photo framed at the limit. The
/// window is then placed to balance crown and eye line, centred on the eyes, and pushed back
/// inside the capture if it sticks out.
pub fn frame(std: &Standard, s: &Subject, img_w: u32, img_h: u32) -> Framing {
    let (out_w, out_h) = (std.width as f32, std.height as f32);
    let eye_y = (s.eye_left.y + s.eye_right.y) / 2.0;
    let mid_x = (s.eye_left.x + s.eye_right.x) / 2.0;
    // Crown to eyes in input pixels; at least 1 so nonsense input still gives a window.
    let d = (eye_y - s.crown_y).max(1.0);
    let fw = s.face_width.max(1.0);

    let band_lo = (std.eye_line.min - std.crown.max) / d;
    let band_hi = (std.eye_line.max - std.crown.min) / d;
    let face_lo = std.face_width.min * (1.0 + FACE_WIDTH_MARGIN) / fw;
    let face_hi = std.face_width.max * (1.0 - FACE_WIDTH_MARGIN) / fw;
    let want = (std.eye_line.target - std.crown.target) / d;
    let (lo, hi) = (band_lo.max(face_lo), band_hi.min(face_hi));
    let mut k = if lo <= hi {
        want.clamp(lo, hi)
    } else {
        want.clamp(face_lo, face_hi)
    };

    // The window may not be larger than the capture: crop and scale only, no padding.
    let aspect = out_w / out_h;
    // Whole pixels, with a height divisible by 4 so the 3:4 width is whole too; rounded down
    // unless that would push the scale out of the allowed range.
    let exact = out_h / k;
    let floor4 = ((exact / 4.0).floor() * 4.0).max(4.0);
    let ceil4 = ((exact / 4.0).ceil() * 4.0).max(4.0);
    let rounded = if lo <= hi && !(lo..=hi).contains(&(out_h / floor4)) {
        ceil4
    } else {
        floor4
    };
    let cap = (img_h as f32).min(img_w as f32 / aspect);
    let crop_h = if rounded > cap {
        ((cap / 4.0).floor() * 4.0).max(4.0)
    } else {
        rounded
    };
    let crop_w = crop_h * aspect;
    k = out_h / crop_h;

    // Vertical: with the scale fixed the crown-to-eye span is fixed; put its two ends as close
    // to their targets as possible, inside both bands when they overlap.
    let span = d * k;
    let c_lo = std.crown.min.max(std.eye_line.min - span);
    let c_hi = std.crown.max.min(std.eye_line.max - span);
    let mut crown_out = (std.crown.target + std.eye_line.target - span) / 2.0;
    if c_lo <= c_hi {
        crown_out = crown_out.clamp(c_lo, c_hi);
    }
    let top = (s.crown_y - crown_out / k)
        .round()
        .clamp(0.0, (img_h as f32 - crop_h).max(0.0));
    let left = (mid_x - crop_w / 2.0)
        .round()
        .clamp(0.0, (img_w as f32 - crop_w).max(0.0));

    let placement = Placement {
        crown: (s.crown_y - top) * k,
        eye_line: (eye_y - top) * k,
        face_width: fw * k,
        off_centre: (mid_x - left) * k - out_w / 2.0,
    };
    let broken = judge(std, &placement, s.crown_y <= 0.0);
    Framing {
        crop: Crop {
            x: left as u32,
            y: top as u32,
            width: crop_w as u32,
            height: crop_h as u32,
        },
        scale: k,
        placement,
        broken,
    }
}

/// The limits `placement` breaks; `head_cut_off` when the crown is not in the picture at all.
pub fn judge(std: &Standard, placement: &Placement, head_cut_off: bool) -> Vec<Broken> {
    let mut broken = Vec::new();
    if head_cut_off {
        broken.push(Broken {
            limit: Limit::HeadCutOff,
            value: 0.0,
            min: 1.0,
            max: f32::INFINITY,
        });
    }
    for (limit, value, r) in [
        (Limit::Crown, placement.crown, std.crown),
        (Limit::EyeLine, placement.eye_line, std.eye_line),
        (Limit::FaceWidth, placement.face_width, std.face_width),
    ] {
        if !r.contains(value) {
            broken.push(Broken {
                limit,
                value,
                min: r.min,
                max: r.max,
            });
        }
    }
    // Written so that NaN (nonsense eye positions) counts as broken.
    let centred = (-std.max_off_centre..=std.max_off_centre).contains(&placement.off_centre);
    if !centred {
        let m = std.max_off_centre;
        broken.push(Broken {
            limit: Limit::Centring,
            value: placement.off_centre,
            min: -m,
            max: m,
        });
    }
    broken
}

#[cfg(test)]
#[path = "framing_tests.rs"]
mod tests;
