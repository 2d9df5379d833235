//! A face as the detector finds it: its box, its score and five landmarks. A leaf, shared by
//! the detector that makes it (`detect`) and the mesh that starts from it (`mesh`).

use crate::Point;

/// The five MTCNN landmarks, in input pixels. "Left" and "right" are as seen in the image
/// (the subject's right eye is `eye_left`), which is what framing needs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Landmarks {
    /// Eye centre on the image's left.
    pub eye_left: Point,
    /// Eye centre on the image's right.
    pub eye_right: Point,
    /// Tip of the nose.
    pub nose: Point,
    /// Mouth corner on the image's left.
    pub mouth_left: Point,
    /// Mouth corner on the image's right.
    pub mouth_right: Point,
}

/// One detected face in input pixel coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Face {
    /// Top-left corner of the face box.
    pub top_left: Point,
    /// Bottom-right corner of the face box.
    pub bottom_right: Point,
    /// O-Net's face probability, 0–1.
    pub score: f32,
    /// Eyes, nose, mouth corners.
    pub landmarks: Landmarks,
}

impl Face {
    /// The same face with every point moved by `f` (into another image's coordinates).
    pub fn mapped(&self, f: impl Fn(Point) -> Point) -> Face {
        let lm = &self.landmarks;
        Face {
            top_left: f(self.top_left),
            bottom_right: f(self.bottom_right),
            score: self.score,
            landmarks: Landmarks {
                eye_left: f(lm.eye_left),
                eye_right: f(lm.eye_right),
                nose: f(lm.nose),
                mouth_left: f(lm.mouth_left),
                mouth_right: f(lm.mouth_right),
            },
        }
    }

    /// Width of the face box.
    pub fn width(&self) -> f32 {
        self.bottom_right.x - self.top_left.x
    }

    /// Distance between the eye centres.
    pub fn inter_eye(&self) -> f32 {
        self.landmarks.eye_left.dist(self.landmarks.eye_right)
    }
}
