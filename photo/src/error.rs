//! The one error type of kiosk-photo, with a `kind()` the flow can match to choose a screen.

use std::path::PathBuf;

/// What can go wrong between a capture and a framed photo.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// A model file is not where the detector was told to look.
    #[error(
        "face model {path} is missing; run scripts/fetch-models.sh (or point KIOSK_MODEL_DIR at \
         a directory holding pnet.onnx, rnet.onnx and onet.onnx)"
    )]
    ModelMissing {
        /// The file that was looked for.
        path: PathBuf,
    },
    /// A model file is there but tract cannot load or run it.
    #[error("face model {path} cannot be used: {reason}")]
    ModelInvalid {
        /// The model file.
        path: PathBuf,
        /// tract's explanation.
        reason: String,
    },
    /// Running a loaded network failed (shape mismatch, out of memory).
    #[error("face detector failed while running {stage}: {reason}")]
    Inference {
        /// Which of the three networks.
        stage: &'static str,
        /// tract's explanation.
        reason: String,
    },
    /// The input is not a JPEG, or it ends before the image does.
    #[error("the capture is not a readable image: {reason}")]
    BadImage {
        /// What the decoder said.
        reason: String,
    },
    /// The image is larger than the configured pixel limit; refused before decoding.
    #[error("the image is {width} × {height} px, more than the limit of {limit} pixels")]
    TooLarge {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// The configured limit in pixels.
        limit: u64,
    },
    /// Writing the photo's JPEG failed.
    #[error("the photo could not be encoded: {reason}")]
    Encode {
        /// What the encoder said.
        reason: String,
    },
    /// The image is too small to hold a face worth framing.
    #[error("the image is {width} × {height} px, too small for a photo")]
    TooSmall {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
}

/// Coarse classes of [`PhotoError`], stable for matching across crates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The booth is not set up (models missing or unusable): the technician's problem.
    Setup,
    /// The detector failed at run time.
    Detector,
    /// The input image is unusable: retake or reject the file.
    Input,
}

impl PhotoError {
    /// The class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::ModelMissing { .. } | Self::ModelInvalid { .. } => ErrorKind::Setup,
            Self::Inference { .. } | Self::Encode { .. } => ErrorKind::Detector,
            Self::BadImage { .. } | Self::TooLarge { .. } | Self::TooSmall { .. } => {
                ErrorKind::Input
            }
        }
    }
}
