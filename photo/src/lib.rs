//! The CHSI registration photo's foundation: find the face and its landmarks (MTCNN), read the
//! silhouette against the booth's known backdrop, choose the crop the standard asks for, and
//! decode the camera's JPEG no larger than needed.
//!
//! Library only: no UI, no async runtime. The geometry it aims at is in
//! `shared/notes/chsi-photo-standard.md`: 480 × 640 px, crown 50–110 px from the top, eye line
//! 200–300 px, face 180–300 px wide, centred; crop and scale only, never rotate or mirror.

#![deny(missing_docs)]

mod boxes;
pub mod checks;
pub mod decode;
mod detect;
pub mod encode;
mod error;
mod face;
pub mod features;
pub mod framing;
pub mod measure;
pub mod mesh;
mod net;
pub mod pipeline;
pub mod pose;
mod sample;
pub mod silhouette;
pub mod track;

pub use checks::{Check, CheckName, CheckSettings};
pub use decode::{Decoded, decode_any, decode_for_photo, decoded_size};
pub use detect::{Detector, DetectorConfig, MODEL_DIR_ENV, default_model_dir};
pub use error::{ErrorKind, PhotoError};
pub use face::{Face, Landmarks};
pub use mesh::{Eye, Mesh};
pub use pipeline::{
    DEFAULT_MAX_PIXELS, Photo, Report, make_photo, photo_from, prepare, review_photo,
};
pub use track::{Guide, SeatHint, Seen, track};

/// A position in pixels of some image (sub-pixel).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    /// Column, 0 at the left edge.
    pub x: f32,
    /// Row, 0 at the top edge.
    pub y: f32,
}

impl Point {
    /// Euclidean distance.
    pub fn dist(self, other: Point) -> f32 {
        (self.x - other.x).hypot(self.y - other.y)
    }

    /// The point halfway to `other`.
    pub fn mid(self, other: Point) -> Point {
        Point {
            x: (self.x + other.x) / 2.0,
            y: (self.y + other.y) / 2.0,
        }
    }
}
