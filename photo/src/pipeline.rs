//! From a capture to the CHSI photo and its report, and the review of a finished photo: the one
//! path the kiosk, `kiosk photo check` and the collection-service simulator share.
//!
//! The capture is decoded once (scaled in the DCT domain); the face is found on those pixels,
//! the crown on the same pixels, the crop chosen, cut and scaled to 480 × 640, and the checks
//! run on the finished photo with the landmarks mapped into it. The face's width alone is
//! measured again on the finished photo, as the agency's review measures it (see
//! `photo_from`).

use std::time::Instant;

use image::RgbImage;
use image::imageops::{self, FilterType};
use serde::Serialize;

use crate::checks::{self, Check, CheckSettings};
use crate::decode::{Decoded, decode_any, decode_any_scaled};
use crate::encode::{Encoded, encode_photo};
use crate::error::PhotoError;
use crate::framing::{self, Crop, Framing};
use crate::silhouette::{HeadColumns, backdrop_at_top, find_crown};
use crate::{Detector, Face, Mesh, Point};

/// Default largest image accepted, in pixels: a 45 MP sensor with room to spare, and a bound on
/// what one decode may allocate (about 150 MB at 3 bytes a pixel, before DCT scaling).
pub const DEFAULT_MAX_PIXELS: u64 = 50_000_000;

/// Faces smaller than this share of the capture's short side are not looked for: a seated
/// graduate's face is about a quarter of it, and an eighth still finds a second person beside
/// them (70 % of the graduate's size in the corpus). The pyramid starts smaller the larger
/// this is: it is the detector's speed knob (1/12 cost about twice the time).
const MIN_FACE_SHARE: f32 = 1.0 / 8.0;

/// A face as reported: in the input image's own pixels.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FaceReport {
    /// Top-left and bottom-right corners of the face box.
    #[serde(rename = "box")]
    pub bounds: [[f32; 2]; 2],
    /// Eye centres, image-left then image-right.
    pub eyes: [[f32; 2]; 2],
    /// Detector score, 0–1.
    pub score: f32,
}

/// The crop window, in the input image's own pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CropReport {
    /// Left column.
    pub x: u32,
    /// Top row.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

/// What `kiosk photo check` prints: the photo's file facts, where the face and crop are, and
/// every check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Photo width (480).
    pub width: u32,
    /// Photo height (640).
    pub height: u32,
    /// JPEG file size.
    pub bytes: usize,
    /// JPEG quality used.
    pub quality: u8,
    /// Every check passed (a check that could not be measured is not a pass).
    pub ok: bool,
    /// Processing time, decode to encoded file, in milliseconds.
    pub ms: f64,
    /// The graduate's face, if one was found.
    pub face: Option<FaceReport>,
    /// The crop window.
    pub crop: CropReport,
    /// Rows of decoded pixels the photo's 640 were made from: fewer than 640 only when the
    /// capture itself has too few (the photo was then enlarged).
    pub window_rows: u32,
    /// The checks, in display order.
    pub checks: Vec<Check>,
}

impl Report {
    /// Whether every check passed.
    pub fn all_passed(checks: &[Check]) -> bool {
        checks.iter().all(|c| c.pass == Some(true))
    }

    /// The checks that failed or could not be measured.
    pub fn problems(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.pass != Some(true))
    }
}

/// A finished photo and its report.
#[derive(Clone, Debug, PartialEq)]
pub struct Photo {
    /// The 480 × 640 JPEG.
    pub jpeg: Vec<u8>,
    /// Its pixels (the live preview and tests reuse them).
    pub pixels: RgbImage,
    /// Where everything is and what the checks say.
    pub report: Report,
    /// The graduate's face mesh in the photo's pixels, what the checks read.
    pub mesh: Option<Mesh>,
}

fn min_face(width: u32, height: u32) -> f32 {
    width.min(height) as f32 * MIN_FACE_SHARE
}

/// Readies the detector for decoded pictures of `width × height` (see
/// [`crate::decoded_size`]): what the first shot or live-view frame of that size would
/// otherwise spend optimising the networks for it.
pub fn prepare(det: &Detector, width: u32, height: u32) -> Result<(), PhotoError> {
    det.prepare(width, height, min_face(width, height))?;
    // The face's width is measured again on the finished photo.
    let (w, h) = (
        framing::Standard::CHSI.width,
        framing::Standard::CHSI.height,
    );
    det.prepare(w, h, min_face(w, h))
}

/// Faces large enough to matter, largest first: the graduate sits closest to the camera.
///
/// Searched on the decoded pixels themselves: with `min_face` a share of the short side the
/// pyramid's levels have the same sizes whatever the input's size, so a smaller copy would save
/// only the copy's own cost (measured: resizing cost more than it saved) and lose landmark
/// detail (on the held-out corpus, glare then pulled an eye landmark enough to tilt the line).
pub(crate) fn faces_in(det: &Detector, img: &RgbImage) -> Result<Vec<Face>, PhotoError> {
    let mut faces = det.detect_min(img, min_face(img.width(), img.height()))?;
    faces.sort_by(|a, b| b.width().total_cmp(&a.width()));
    if let Some(main) = faces.first().map(Face::width) {
        // A face under 40 % of the graduate's width is a picture on a wall or a face in the
        // noise, not a second person in the chair.
        faces.retain(|f| f.width() >= 0.4 * main);
    }
    Ok(faces)
}

/// The crown row of `face` in `img` (see [`find_crown`]); `None` as well when the booth's
/// backdrop is not there to read a silhouette against (a wrong backdrop, a dark shot), rather
/// than a crown at row 0 that would tell the graduate to lower a seat that is fine.
fn crown_of(img: &RgbImage, face: &Face, cfg: &CheckSettings) -> Option<u32> {
    let head = HeadColumns::of(face);
    if !backdrop_at_top(img, &cfg.backdrop, head) {
        return None;
    }
    find_crown(img, &cfg.backdrop, head)
}

/// The crop when nothing better is known: a centred 3:4 window 90 % of the frame high, 5 %
/// from the top (where the chair puts a graduate's head).
fn fallback_crop(w: u32, h: u32) -> Crop {
    let ch = ((h as f32 * 0.9) as u32).clamp(4, h);
    let cw = (ch * 3 / 4).min(w);
    Crop {
        x: (w - cw) / 2,
        y: ((h as f32 * 0.05) as u32).min(h - ch),
        width: cw,
        height: ch,
    }
}

/// The crop chosen for a capture and the crown row it was framed from.
pub(crate) struct Chosen {
    /// The window to cut.
    pub crop: Crop,
    /// The crown row (the silhouette's), if the backdrop showed it.
    pub crown: Option<u32>,
}

/// Frames the first (largest) of `faces` in `img` to the standard; the fallback window when
/// there is no face. Shared by the photo and the live view's crop frame. `width_scale` corrects
/// the detector's face width (1: as detected; see `width_correction`).
pub(crate) fn choose_crop(
    img: &RgbImage,
    faces: &[Face],
    cfg: &CheckSettings,
    width_scale: f32,
) -> Chosen {
    let (w, h) = img.dimensions();
    let Some(face) = faces.first() else {
        return Chosen {
            crop: fallback_crop(w, h),
            crown: None,
        };
    };
    let crown = crown_of(img, face, cfg);
    let eye_y = face.landmarks.eye_left.mid(face.landmarks.eye_right).y;
    // Without a silhouette (wrong backdrop), frame from the eyes: the crown of an adult sits
    // about 1.75 inter-eye distances above the eye line.
    let crown_y = crown.map_or(eye_y - 1.75 * face.inter_eye(), |c| c as f32);
    let mut subject = framing::Subject::from_face(face, crown_y.max(0.0));
    subject.face_width *= width_scale;
    let Framing { crop, .. } = framing::frame(&cfg.standard, &subject, w, h);
    Chosen { crop, crown }
}

/// Turns a capture (JPEG or PNG) into the CHSI photo with its checks.
pub fn make_photo(
    det: &Detector,
    input: &[u8],
    cfg: &CheckSettings,
    max_pixels: u64,
) -> Result<Photo, PhotoError> {
    let started = Instant::now();
    let decoded = decode_any(input, max_pixels)?;
    photo_from(det, &decoded, input, cfg, started)
}

/// [`make_photo`] on a capture (`input`) already decoded (with [`decode_any`]) since
/// `started`: lets a caller decode while the detector is still loading (the command line does,
/// on two cores).
pub fn photo_from(
    det: &Detector,
    decoded: &Decoded,
    input: &[u8],
    cfg: &CheckSettings,
    started: Instant,
) -> Result<Photo, PhotoError> {
    let img = &decoded.image;
    let faces = faces_in(det, img)?;
    let std = &cfg.standard;

    let Chosen { crop, crown } = choose_crop(img, &faces, cfg, 1.0);
    let head_cut_off = crown == Some(0);

    // The agency measures the face again on the finished photo (`review_photo`): a second
    // detection on the 480 × 640 JPEG, whose box is up to 7 % wider or narrower than the
    // capture's mapped into the photo, and moves by as much between the photo's pixels and its
    // JPEG (real faces in the booth, photo/README.md). The booth measures the width on the same
    // bytes with the same detector, so it says what the review will; when that breaks the
    // limits the capture's width met, it frames once more from the width the JPEG shows.
    let mut done = finish(det, decoded, input, crop, &faces, std)?;
    if let Some(scale) = width_correction(&faces, &done, std) {
        let again = choose_crop(img, &faces, cfg, scale).crop;
        if again != crop {
            done = finish(det, decoded, input, again, &faces, std)?;
        }
    }
    let Finished {
        cut:
            Cut {
                finer,
                crop,
                f,
                k,
                pixels,
            },
        in_photo,
        mesh,
        encoded,
        seen,
    } = done;
    let checks = checks::run(
        &checks::Subject {
            photo: &pixels,
            faces: &in_photo,
            crown: crown.map(|c| (c as f32 * f - crop.y as f32) * k),
            head_cut_off,
            mesh: mesh.as_ref(),
            face_width: seen.first().map(Face::width),
        },
        cfg,
    );
    let report = Report {
        width: std.width,
        height: std.height,
        bytes: encoded.bytes.len(),
        quality: encoded.quality,
        ok: Report::all_passed(&checks),
        ms: (started.elapsed().as_secs_f64() * 1e4).round() / 10.0,
        face: faces.first().map(|f| face_report(decoded, f)),
        crop: crop_report(finer.as_ref().unwrap_or(decoded), crop),
        window_rows: crop.height,
        checks,
    };
    Ok(Photo {
        jpeg: encoded.bytes,
        pixels,
        report,
        mesh,
    })
}

/// A crop window cut from the capture and scaled to the photo's size.
struct Cut {
    /// The finer decode the window was cut from, when the first had too few pixels.
    finer: Option<Decoded>,
    /// The window, in the pixels it was cut from.
    crop: Crop,
    /// The finer decode's size over the first's (1 without one).
    f: f32,
    /// Photo pixels per window pixel.
    k: f32,
    /// The finished photo's pixels.
    pixels: RgbImage,
}

/// Cuts `crop` (in `decoded`'s pixels) and scales it to the photo's size. A window smaller than
/// the photo (a graduate sitting far back, a small PNG) would be enlarged: the capture is
/// decoded again with the pixels it needs when it has them.
fn cut_photo(
    decoded: &Decoded,
    input: &[u8],
    crop: Crop,
    std: &framing::Standard,
) -> Result<Cut, PhotoError> {
    let finer = finer_decode(decoded, input, crop, std.height)?;
    let (img, crop, f) = match &finer {
        Some(d) => {
            let f = d.image.height() as f32 / decoded.image.height() as f32;
            (
                &d.image,
                crop.scaled(f, d.image.width(), d.image.height()),
                f,
            )
        }
        None => (&decoded.image, crop, 1.0),
    };
    let window = imageops::crop_imm(img, crop.x, crop.y, crop.width, crop.height);
    // Reducing: area averaging, what OpenCV's INTER_AREA does for ID-photo tools, and fast.
    // Enlarging (a capture too small for the window): Catmull-Rom.
    let pixels = if crop.height >= std.height {
        imageops::thumbnail(&*window, std.width, std.height)
    } else {
        imageops::resize(&*window, std.width, std.height, FilterType::CatmullRom)
    };
    Ok(Cut {
        finer,
        crop,
        f,
        k: std.height as f32 / crop.height as f32,
        pixels,
    })
}

/// A photo cut, encoded and measured.
struct Finished {
    cut: Cut,
    /// The capture's faces mapped into the photo.
    in_photo: Vec<Face>,
    /// The first face's mesh on the photo's pixels.
    mesh: Option<Mesh>,
    /// The JPEG.
    encoded: Encoded,
    /// The faces the detector finds in the decoded JPEG, largest first: what the review sees.
    seen: Vec<Face>,
}

/// Cuts `crop` from the capture, then on two cores: the mesh on the photo's pixels, and the
/// JPEG encoded, decoded again and searched for faces as the review will.
fn finish(
    det: &Detector,
    decoded: &Decoded,
    input: &[u8],
    crop: Crop,
    faces: &[Face],
    std: &framing::Standard,
) -> Result<Finished, PhotoError> {
    let cut = cut_photo(decoded, input, crop, std)?;
    let to_photo = |p: Point| Point {
        x: (p.x * cut.f - cut.crop.x as f32) * cut.k,
        y: (p.y * cut.f - cut.crop.y as f32) * cut.k,
    };
    let in_photo: Vec<Face> = faces.iter().map(|f| f.mapped(to_photo)).collect();
    let (mesh, measured) = rayon::join(
        || mesh_of(det, &cut.pixels, &in_photo),
        || -> Result<_, PhotoError> {
            let encoded = encode_photo(&cut.pixels)?;
            let again = decode_any(&encoded.bytes, PHOTO_MAX_PIXELS)?;
            let seen = faces_in(det, &again.image)?;
            Ok((encoded, seen))
        },
    );
    let (mesh, (encoded, seen)) = (mesh?, measured?);
    Ok(Finished {
        cut,
        in_photo,
        mesh,
        encoded,
        seen,
    })
}

/// Largest photo decoded again to be measured: far above 480 × 640, a bound all the same.
const PHOTO_MAX_PIXELS: u64 = 4_000_000;

/// How much wider (above 1) the graduate's face is in the finished JPEG than the capture's
/// detection made it, when the JPEG's measure breaks the face-width limits and reframing could
/// help; `None` otherwise.
fn width_correction(faces: &[Face], done: &Finished, std: &framing::Standard) -> Option<f32> {
    let expected = faces.first()?.width() * done.cut.f * done.cut.k;
    let measured = done.seen.first()?.width();
    let limits = std.face_width;
    let outside = measured < limits.min || measured > limits.max;
    (outside && expected > 0.0).then(|| measured / expected)
}

/// The capture decoded again so that `crop` (in `decoded`'s pixels) holds at least `height`
/// rows, when it holds fewer and the capture has more pixels than `decoded`; `None` when the
/// first decode is already enough or as fine as the capture allows.
fn finer_decode(
    decoded: &Decoded,
    input: &[u8],
    crop: Crop,
    height: u32,
) -> Result<Option<Decoded>, PhotoError> {
    let (w, h) = decoded.image.dimensions();
    let source_short = decoded.source_width.min(decoded.source_height);
    if crop.height >= height || w.min(h) >= source_short || crop.height == 0 {
        return Ok(None);
    }
    let need = (w.min(h) as f32 * height as f32 / crop.height as f32).ceil() as u32;
    let pixels = u64::from(decoded.source_width) * u64::from(decoded.source_height);
    decode_any_scaled(input, pixels, need.min(source_short)).map(Some)
}

/// Reviews a finished photo as it is (no reframing): what the collection-service simulator
/// does with an upload. Geometry is measured where the head is in this photo.
pub fn review_photo(
    det: &Detector,
    photo: &[u8],
    cfg: &CheckSettings,
    max_pixels: u64,
) -> Result<Vec<Check>, PhotoError> {
    let decoded = decode_any(photo, max_pixels)?;
    let img = &decoded.image;
    let faces = faces_in(det, img)?;
    let crown = faces.first().and_then(|f| crown_of(img, f, cfg));
    let mesh = mesh_of(det, img, &faces)?;
    Ok(checks::run(
        &checks::Subject {
            photo: img,
            faces: &faces,
            crown: crown.map(|c| c as f32),
            head_cut_off: crown == Some(0),
            mesh: mesh.as_ref(),
            face_width: None,
        },
        cfg,
    ))
}

/// The mesh of the first (the graduate's) face, if there is one and the mesh network sees it.
fn mesh_of(det: &Detector, img: &RgbImage, faces: &[Face]) -> Result<Option<Mesh>, PhotoError> {
    match faces.first() {
        Some(f) => det.mesh(img, f),
        None => Ok(None),
    }
}

fn pt(p: Point) -> [f32; 2] {
    [(p.x * 10.0).round() / 10.0, (p.y * 10.0).round() / 10.0]
}

fn face_report(d: &Decoded, f: &Face) -> FaceReport {
    let src = |p| pt(d.to_source(p));
    FaceReport {
        bounds: [src(f.top_left), src(f.bottom_right)],
        eyes: [src(f.landmarks.eye_left), src(f.landmarks.eye_right)],
        score: (f.score * 1000.0).round() / 1000.0,
    }
}

fn crop_report(d: &Decoded, c: Crop) -> CropReport {
    let sx = d.source_width as f32 / d.image.width() as f32;
    let sy = d.source_height as f32 / d.image.height() as f32;
    CropReport {
        x: (c.x as f32 * sx).round() as u32,
        y: (c.y as f32 * sy).round() as u32,
        width: (c.width as f32 * sx).round() as u32,
        height: (c.height as f32 * sy).round() as u32,
    }
}
