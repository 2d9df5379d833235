//! The kiosk's own review of a 480 × 640 photo: one named result per rule of the standard, with
//! its number, its limit and what the graduate should do, in Chinese and English.
//!
//! Every measure works on the finished photo and the face's landmarks mapped into it, so the
//! kiosk (after framing a capture) and the collection-service simulator (given only the photo)
//! judge the same pixels the same way. Thresholds were set on the training half of the corpus
//! in `kiosk-app/tests/photo_corpus.rs` and the two real portraits; the other half is the test
//! set. A measure that cannot be taken says so (`pass: None`) and never passes silently.

use image::RgbImage;
use serde::Serialize;
use serde_json::{Value, json};

use crate::features;
use crate::framing::{Limit, Placement, Standard};
use crate::measure::*;
use crate::silhouette::Backdrop;
use crate::{Face, Mesh};

mod head;
mod scene;
use head::*;
use scene::*;

/// The checks, in the order the preview screen lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckName {
    /// Exactly one face.
    FaceCount,
    /// Crown, eye line, face width, centring.
    Geometry,
    /// Eye-line angle.
    HeadTilt,
    /// Yaw from the mesh's depth.
    HeadTurn,
    /// Pitch from the mesh's depth: eyes level with the camera.
    HeadPitch,
    /// Both eyes open.
    EyesOpen,
    /// Lips closed, no teeth.
    MouthClosed,
    /// Backdrop colour and evenness.
    Background,
    /// Clothes stand apart from the backdrop.
    ClothingContrast,
    /// The shoulder line level (the notice: 左右肩膀平衡).
    ShouldersLevel,
    /// Face neither clipped nor too dark.
    Exposure,
    /// Detail at the eyes.
    Sharpness,
    /// Specular highlights on the lenses.
    GlassesGlare,
    /// Hair down over the eyebrows.
    HairOverEyes,
}

impl CheckName {
    /// Every check, in display order.
    pub const ALL: [CheckName; 14] = [
        Self::FaceCount,
        Self::Geometry,
        Self::HeadTilt,
        Self::HeadTurn,
        Self::HeadPitch,
        Self::EyesOpen,
        Self::MouthClosed,
        Self::Background,
        Self::ClothingContrast,
        Self::ShouldersLevel,
        Self::Exposure,
        Self::Sharpness,
        Self::GlassesGlare,
        Self::HairOverEyes,
    ];

    /// The snake_case name used in JSON and by the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FaceCount => "face_count",
            Self::Geometry => "geometry",
            Self::HeadTilt => "head_tilt",
            Self::HeadTurn => "head_turn",
            Self::HeadPitch => "head_pitch",
            Self::EyesOpen => "eyes_open",
            Self::MouthClosed => "mouth_closed",
            Self::Background => "background",
            Self::ClothingContrast => "clothing_contrast",
            Self::ShouldersLevel => "shoulders_level",
            Self::Exposure => "exposure",
            Self::Sharpness => "sharpness",
            Self::GlassesGlare => "glasses_glare",
            Self::HairOverEyes => "hair_over_eyes",
        }
    }

    /// What the check looks at, for a passed line on the preview screen (zh, en).
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::FaceCount => ("画面中只有一张脸", "One face in the picture"),
            Self::Geometry => ("头部位置和大小合适", "Head position and size"),
            Self::HeadTilt => ("头部端正", "Head level"),
            Self::HeadTurn => ("正对镜头", "Facing the camera"),
            Self::HeadPitch => ("双眼平视镜头", "Eyes level with the camera"),
            Self::EyesOpen => ("双眼睁开", "Eyes open"),
            Self::MouthClosed => ("嘴巴闭合，不露牙齿", "Mouth closed, no teeth"),
            Self::Background => ("背景颜色均匀", "Even background"),
            Self::ClothingContrast => ("衣服与背景颜色分明", "Clothes differ from the background"),
            Self::ShouldersLevel => ("左右肩膀平衡", "Shoulders level"),
            Self::Exposure => ("脸部亮度合适", "Face well lit"),
            Self::Sharpness => ("照片清晰", "Sharp photo"),
            Self::GlassesGlare => ("眼镜无反光", "No glare on glasses"),
            Self::HairOverEyes => ("头发没有遮住眉眼", "Hair clear of the eyes"),
        }
    }
}

/// One named result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Check {
    /// Which rule.
    pub name: CheckName,
    /// `Some(true)` met, `Some(false)` broken, `None` could not be measured (the reason says why).
    pub pass: Option<bool>,
    /// The measured number (an object of figures for `geometry`), `null` when not measured.
    pub value: Value,
    /// The limit, in words with units.
    pub limit: String,
    /// What the graduate should do (failed), why it was not measured (null), or what was
    /// checked (passed); Chinese.
    pub reason_zh: String,
    /// The same in English.
    pub reason_en: String,
}

/// A check whose measure may be missing: `ok` judges it, its value is reported to three
/// decimals, and a missing one is reported unmeasured with `why`.
fn measured(
    name: CheckName,
    value: Option<f32>,
    ok: impl FnOnce(f32) -> bool,
    limit: String,
    fix: (&str, &str),
    why: (&str, &str),
) -> Check {
    match value {
        Some(v) => Check::new(name, ok(v), json!(round3(v)), limit, fix),
        None => Check::unmeasured(name, limit, why),
    }
}

impl Check {
    fn new(name: CheckName, pass: bool, value: Value, limit: String, fix: (&str, &str)) -> Self {
        let (zh, en) = if pass { name.label() } else { fix };
        Self {
            name,
            pass: Some(pass),
            value,
            limit,
            reason_zh: zh.into(),
            reason_en: en.into(),
        }
    }

    fn unmeasured(name: CheckName, limit: String, why: (&str, &str)) -> Self {
        Self {
            name,
            pass: None,
            value: Value::Null,
            limit,
            reason_zh: why.0.into(),
            reason_en: why.1.into(),
        }
    }
}

/// Thresholds, with the settings that change them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckSettings {
    /// The backdrop the booth should show.
    pub backdrop: Backdrop,
    /// The geometry.
    pub standard: Standard,
    /// The graduate chose the glasses lighting: glare is judged more strictly.
    pub glasses: bool,
}

impl Default for CheckSettings {
    fn default() -> Self {
        Self {
            backdrop: Backdrop::default(),
            standard: Standard::CHSI,
            glasses: false,
        }
    }
}

/// Largest eye-line angle, degrees. Reviewers name "pupil-line tilt"; 4° is about 6 px of
/// height difference between the eyes of a standard photo, which a person notices.
pub const MAX_TILT_DEG: f32 = 4.0;
/// Largest yaw, degrees, from the mesh's depth. CHSI's reviewers refuse a face turned enough to
/// show more of one cheek; 10° is where that starts to show in a 480 × 640 photo.
pub const MAX_YAW_DEG: f32 = 12.0;
/// Largest pitch, degrees, up or down from the level face of [`crate::pose`] (the notice:
/// 双眼平视). Set on the training half: its level heads read −7.9° to 13.2° (blurred copies
/// included), its lowered heads 17.1° and more but for three lowered a little (6.4°, 7.2°, 13.0°),
/// which pass.
pub const MAX_PITCH_DEG: f32 = 14.5;
/// Smallest eyelid aperture (lid to lid over corner to corner) of either eye.
pub const MIN_EYE_APERTURE: f32 = 0.16;
/// Darkest skin around an eye, over the cheeks', before the eyes count as hidden (dark lenses).
pub const MIN_EYE_SURROUND: f32 = 0.35;
/// Largest gap between the inner lips over the mouth's width.
pub const MAX_LIP_GAP: f32 = 0.08;
/// Largest tooth-coloured area inside the lips over the mouth's width squared.
pub const MAX_TEETH_AREA: f32 = 0.06;
/// Smallest frame-edge strength on the nose bridge taken as glasses worn.
pub const MIN_FRAME_EDGES: f32 = 0.3;
/// Largest spread (RMS distance from the region's mean) of the backdrop: shadows, gradients.
pub const MAX_BACKDROP_SPREAD: f32 = 12.0;
/// Largest share of backdrop pixels off the reference colour.
pub const MAX_BACKDROP_OFF: f32 = 0.05;
/// Largest share of backdrop-coloured pixels in the shoulders' region.
pub const MAX_CLOTHES_LIKE_BACKDROP: f32 = 0.35;
/// Largest angle of the shoulder line, degrees (the notice: 左右肩膀平衡).
pub const MAX_SHOULDER_TILT_DEG: f32 = 5.0;
/// Face brightness (mean luma, 0–255) accepted.
pub const FACE_LUMA: (f32, f32) = (60.0, 215.0);
/// Largest share of clipped (≥ 250) face pixels.
pub const MAX_FACE_CLIPPED: f32 = 0.03;
/// Smallest sharpness at the eyes: the share of the eye band's gradient a further blur takes
/// away, measured at a fixed distance between the eyes (`features::sharpness`).
pub const MIN_SHARPNESS: f32 = 0.155;
/// Largest share of specular pixels on the lenses' area (normal and glasses lighting).
pub const MAX_GLARE: (f32, f32) = (0.02, 0.01);
/// Largest share of hair in the band just above the eyebrows.
pub const MAX_HAIR_ABOVE_BROWS: f32 = 0.4;

/// What the checks get: the photo, every face found in it (in photo pixels, best first), and
/// the crown row (`None` when the silhouette did not find one; `Some(0.0)` for a head cut off).
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    /// The 480 × 640 photo.
    pub photo: &'a RgbImage,
    /// Faces in photo coordinates.
    pub faces: &'a [Face],
    /// Crown row in photo coordinates.
    pub crown: Option<f32>,
    /// The capture itself had the head cut off at the top.
    pub head_cut_off: bool,
    /// The first face's mesh, in photo coordinates (`None`: the mesh network saw no face).
    pub mesh: Option<&'a Mesh>,
    /// The first face's width as the detector measures it on the photo itself, which is what
    /// the agency's review measures (`None`: the width of `faces[0]`'s box).
    pub face_width: Option<f32>,
}

/// Runs every check.
pub fn run(s: &Subject<'_>, cfg: &CheckSettings) -> Vec<Check> {
    let main = s.faces.first();
    let mut out = vec![face_count(s.faces)];
    let Some(face) = main else {
        let why = (
            "未检测到人脸，无法检查",
            "No face found, so this cannot be checked",
        );
        for name in &CheckName::ALL[1..] {
            if *name == CheckName::Background {
                out.push(background(s.photo, None, cfg));
            } else {
                out.push(Check::unmeasured(*name, limit_of(*name, cfg), why));
            }
        }
        return out;
    };
    out.push(geometry(s, face, cfg));
    out.push(head_tilt(s.photo, face, cfg));
    let Some(mesh) = s.mesh else {
        let why = (
            "看不清五官，无法检查",
            "The face's features cannot be read, so this cannot be checked",
        );
        for name in [
            CheckName::HeadTurn,
            CheckName::HeadPitch,
            CheckName::EyesOpen,
            CheckName::MouthClosed,
        ] {
            out.push(Check::unmeasured(name, limit_of(name, cfg), why));
        }
        out.push(background(s.photo, Some(face), cfg));
        out.push(clothing_contrast(s.photo, face, cfg));
        out.push(shoulders_level(s.photo, face, cfg));
        for name in [
            CheckName::Exposure,
            CheckName::Sharpness,
            CheckName::GlassesGlare,
            CheckName::HairOverEyes,
        ] {
            out.push(Check::unmeasured(name, limit_of(name, cfg), why));
        }
        return out;
    };
    let (yaw, pitch) = crate::pose::pose(mesh);
    out.push(head_turn(yaw, cfg));
    out.push(head_pitch(pitch, cfg));
    out.push(eyes_open(s.photo, mesh, cfg));
    out.push(mouth_closed(s.photo, mesh, cfg));
    out.push(background(s.photo, Some(face), cfg));
    out.push(clothing_contrast(s.photo, face, cfg));
    out.push(shoulders_level(s.photo, face, cfg));
    out.push(exposure(s.photo, mesh, cfg));
    out.push(sharpness(s.photo, mesh, cfg));
    out.push(glasses_glare(s.photo, mesh, cfg));
    out.push(hair_over_eyes(s.photo, mesh, cfg));
    out
}

/// The limit text of a check (also used when it could not be measured).
fn limit_of(name: CheckName, cfg: &CheckSettings) -> String {
    let st = &cfg.standard;
    match name {
        CheckName::FaceCount => "exactly 1".into(),
        CheckName::Geometry => format!(
            "crown {}–{} px, eye line {}–{} px, face width {}–{} px, centre ±{} px",
            st.crown.min,
            st.crown.max,
            st.eye_line.min,
            st.eye_line.max,
            st.face_width.min,
            st.face_width.max,
            st.max_off_centre
        ),
        CheckName::HeadTilt => format!("≤ {MAX_TILT_DEG}°"),
        CheckName::HeadTurn => format!("|yaw| ≤ {MAX_YAW_DEG}°"),
        CheckName::HeadPitch => format!("|pitch| ≤ {MAX_PITCH_DEG}° from a level face"),
        CheckName::EyesOpen => format!(
            "each eye's lids ≥ {MIN_EYE_APERTURE} of its width apart, the skin around it ≥ {MIN_EYE_SURROUND} of the cheeks' brightness"
        ),
        CheckName::MouthClosed => format!(
            "inner lips ≤ {MAX_LIP_GAP} of the mouth's width apart, teeth ≤ {MAX_TEETH_AREA} of its square"
        ),
        CheckName::Background => format!(
            "RGB({},{},{}) within {}, spread ≤ {MAX_BACKDROP_SPREAD}, off-colour ≤ {:.0} %",
            cfg.backdrop.rgb[0],
            cfg.backdrop.rgb[1],
            cfg.backdrop.rgb[2],
            cfg.backdrop.tolerance,
            MAX_BACKDROP_OFF * 100.0
        ),
        CheckName::ClothingContrast => format!(
            "backdrop-coloured ≤ {:.0} % of the shoulders",
            MAX_CLOTHES_LIKE_BACKDROP * 100.0
        ),
        CheckName::ShouldersLevel => format!(
            "shoulder line ≤ {MAX_SHOULDER_TILT_DEG}° (tops of the shoulders {SHOULDER_REACH} face widths either side of the eyes' midpoint)"
        ),
        CheckName::Exposure => format!(
            "face luma {}–{}, clipped ≤ {:.0} %",
            FACE_LUMA.0,
            FACE_LUMA.1,
            MAX_FACE_CLIPPED * 100.0
        ),
        CheckName::Sharpness => format!(
            "≥ {MIN_SHARPNESS} (gradient a re-blur removes at the eyes, {} px between them)",
            features::SHARPNESS_EYE_DISTANCE
        ),
        CheckName::GlassesGlare => format!(
            "specular ≤ {:.0} % of the lens area",
            if cfg.glasses {
                MAX_GLARE.1
            } else {
                MAX_GLARE.0
            } * 100.0
        ),
        CheckName::HairOverEyes => format!(
            "hair ≤ {:.0} % of the band above each brow",
            MAX_HAIR_ABOVE_BROWS * 100.0
        ),
    }
}

fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

fn round3(v: f32) -> f64 {
    (f64::from(v) * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests;
