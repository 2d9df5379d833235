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
use crate::framing::{Broken, Limit, Placement, Standard};
use crate::measure::*;
use crate::silhouette::{Backdrop, HeadColumns, background_stats};
use crate::{Face, Mesh, Point};

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

fn face_count(faces: &[Face]) -> Check {
    let n = faces.len();
    let fix = if n == 0 {
        (
            "没有找到人脸：请坐好，正对镜头",
            "No face found: sit down and face the camera",
        )
    } else {
        (
            "画面中不止一个人：拍照时请只留本人",
            "More than one face: only you may be in the picture",
        )
    };
    Check::new(
        CheckName::FaceCount,
        n == 1,
        json!(n),
        "exactly 1".into(),
        fix,
    )
}

fn geometry(s: &Subject<'_>, face: &Face, cfg: &CheckSettings) -> Check {
    let st = &cfg.standard;
    let lm = &face.landmarks;
    let eye_mid = lm.eye_left.mid(lm.eye_right);
    let Some(crown) = s.crown else {
        return Check::unmeasured(
            CheckName::Geometry,
            limit_of(CheckName::Geometry, cfg),
            (
                "找不到头顶（背景颜色不对？），无法检查位置",
                "The top of the head cannot be found (wrong backdrop?), so the position cannot be checked",
            ),
        );
    };
    let placement = Placement {
        crown,
        eye_line: eye_mid.y,
        face_width: s
            .face_width
            .unwrap_or(face.bottom_right.x - face.top_left.x),
        off_centre: eye_mid.x - st.width as f32 / 2.0,
    };
    let broken = crate::framing::judge(st, &placement, s.head_cut_off);
    let value = json!({
        "crown": round1(placement.crown),
        "eye_line": round1(placement.eye_line),
        "face_width": round1(placement.face_width),
        "off_centre": round1(placement.off_centre),
    });
    let fix = broken.first().map_or(("", ""), geometry_fix);
    Check::new(
        CheckName::Geometry,
        broken.is_empty(),
        value,
        limit_of(CheckName::Geometry, cfg),
        fix,
    )
}

fn round1(v: f32) -> f64 {
    (f64::from(v) * 10.0).round() / 10.0
}

/// What to do about a broken limit. The camera is fixed and the chair moves the graduate, so a
/// head too high means the seat is too high.
fn geometry_fix(b: &Broken) -> (&'static str, &'static str) {
    let low = b.value < b.min;
    match (b.limit, low) {
        (Limit::HeadCutOff, _) | (Limit::Crown | Limit::EyeLine, true) => (
            "头部太靠上：请把座椅调低一点",
            "Your head is too high: lower the seat a little",
        ),
        (Limit::Crown | Limit::EyeLine, false) => (
            "头部太靠下：请把座椅调高一点",
            "Your head is too low: raise the seat a little",
        ),
        (Limit::FaceWidth, true) => (
            "脸在照片中太小：请坐直，向前坐一点",
            "Your face is too small in the photo: sit up and a little further forward",
        ),
        (Limit::FaceWidth, false) => (
            "脸在照片中太大：请向后坐一点",
            "Your face is too large in the photo: sit back a little",
        ),
        // The photo's left is the graduate's right: a face left of centre moves to their left.
        (Limit::Centring, true) => (
            "请向您的左手边移一点，坐到座椅中间",
            "Move a little to your left, to the middle of the seat",
        ),
        (Limit::Centring, false) => (
            "请向您的右手边移一点，坐到座椅中间",
            "Move a little to your right, to the middle of the seat",
        ),
    }
}

fn head_tilt(img: &RgbImage, face: &Face, cfg: &CheckSettings) -> Check {
    let a = tilt_deg_at_pupils(img, face);
    Check::new(
        CheckName::HeadTilt,
        a.abs() <= MAX_TILT_DEG,
        json!(round1(a)),
        limit_of(CheckName::HeadTilt, cfg),
        ("请把头摆正，不要歪头", "Keep your head level, not tilted"),
    )
}

fn head_turn(yaw: f32, cfg: &CheckSettings) -> Check {
    Check::new(
        CheckName::HeadTurn,
        yaw.abs() <= MAX_YAW_DEG,
        json!(round1(yaw)),
        limit_of(CheckName::HeadTurn, cfg),
        (
            "请正对镜头，不要转头",
            "Face the camera straight on; do not turn your head",
        ),
    )
}

fn head_pitch(pitch: f32, cfg: &CheckSettings) -> Check {
    // Positive: the head is lowered.
    let fix = if pitch > 0.0 {
        (
            "请稍微抬一点头，双眼平视镜头",
            "Raise your chin a little and look straight into the lens",
        )
    } else {
        (
            "请稍微低一点头，双眼平视镜头",
            "Lower your chin a little and look straight into the lens",
        )
    };
    Check::new(
        CheckName::HeadPitch,
        pitch.abs() <= MAX_PITCH_DEG,
        json!(round1(pitch)),
        limit_of(CheckName::HeadPitch, cfg),
        fix,
    )
}

fn eyes_open(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
    let [l, r] = features::eye_apertures(mesh);
    let surround = features::eye_surround(img, mesh);
    let limit = limit_of(CheckName::EyesOpen, cfg);
    let value = json!({"aperture": round3(l.min(r)), "surround": surround.map(round3)});
    if surround.is_some_and(|s| s < MIN_EYE_SURROUND) {
        return Check::new(
            CheckName::EyesOpen,
            false,
            value,
            limit,
            (
                "看不到眼睛：请摘下墨镜或有色眼镜",
                "Your eyes cannot be seen: take off sunglasses or tinted glasses",
            ),
        );
    }
    Check::new(
        CheckName::EyesOpen,
        l.min(r) >= MIN_EYE_APERTURE,
        value,
        limit,
        ("请睁大眼睛，不要眨眼", "Keep your eyes open; do not blink"),
    )
}

fn mouth_closed(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
    let limit = limit_of(CheckName::MouthClosed, cfg);
    match features::lips(img, mesh) {
        Some(l) => Check::new(
            CheckName::MouthClosed,
            l.gap <= MAX_LIP_GAP && l.teeth <= MAX_TEETH_AREA,
            json!({"gap": round3(l.gap), "teeth": round3(l.teeth)}),
            limit,
            (
                "请闭上嘴巴，不要露出牙齿",
                "Close your lips; do not show your teeth",
            ),
        ),
        None => Check::unmeasured(
            CheckName::MouthClosed,
            limit,
            ("看不清嘴巴，无法检查", "The mouth cannot be measured"),
        ),
    }
}

fn round3(v: f32) -> f64 {
    (f64::from(v) * 1000.0).round() / 1000.0
}

fn background(img: &RgbImage, face: Option<&Face>, cfg: &CheckSettings) -> Check {
    let (w, h) = img.dimensions();
    let head = match face {
        Some(f) => HeadColumns::of(f),
        // No face: the centre third as the head, down to where the eyes would be.
        None => HeadColumns {
            left: w / 3,
            right: 2 * w / 3,
            eye_row: h * 2 / 5,
        },
    };
    let stats = background_stats(img, &cfg.backdrop, head);
    let regions: Vec<_> = [stats.left, stats.right].into_iter().flatten().collect();
    let limit = limit_of(CheckName::Background, cfg);
    if regions.is_empty() {
        return Check::unmeasured(
            CheckName::Background,
            limit,
            (
                "头部两侧没有可见的背景，无法检查",
                "No background is visible beside the head",
            ),
        );
    }
    let dev = regions.iter().map(|r| r.mean_deviation).fold(0.0, f32::max);
    let spread = regions.iter().map(|r| r.std_dev).fold(0.0, f32::max);
    let off = regions.iter().map(|r| r.off_colour).fold(0.0, f32::max);
    let pass =
        dev <= cfg.backdrop.tolerance && spread <= MAX_BACKDROP_SPREAD && off <= MAX_BACKDROP_OFF;
    Check::new(
        CheckName::Background,
        pass,
        json!({"deviation": round1(dev), "spread": round1(spread), "off_colour": round3(off)}),
        limit,
        (
            "背景颜色不对或不均匀（有阴影）：请联系工作人员",
            "The background is the wrong colour or uneven (shadow): please call staff",
        ),
    )
}

fn clothing_contrast(img: &RgbImage, face: &Face, cfg: &CheckSettings) -> Check {
    let (_, h) = img.dimensions();
    let cx = face.landmarks.eye_left.mid(face.landmarks.eye_right).x;
    let fw = face.bottom_right.x - face.top_left.x;
    let top = (h as f32 * 0.9).max(face.bottom_right.y + 0.3 * fw);
    let r = rect(img, cx - 0.7 * fw, top, cx + 0.7 * fw, h as f32);
    let limit = limit_of(CheckName::ClothingContrast, cfg);
    measured(
        CheckName::ClothingContrast,
        share(img, r, |p| !cfg.backdrop.is_subject(p)),
        |v| v <= MAX_CLOTHES_LIKE_BACKDROP,
        limit,
        (
            "衣服颜色和背景太接近：请换一件颜色不同（深色）的上衣",
            "Your clothes are too close to the background colour: wear a different (darker) top",
        ),
        (
            "照片中看不到肩膀，无法检查",
            "The shoulders are not in the photo",
        ),
    )
}

/// How far either side of the eyes' midpoint the shoulders' tops are read, in face widths
/// (the box's): out past the neck and any hair falling beside it, inside the photo's edges.
const SHOULDER_REACH: f32 = 0.9;

fn shoulders_level(img: &RgbImage, face: &Face, cfg: &CheckSettings) -> Check {
    let limit = limit_of(CheckName::ShouldersLevel, cfg);
    let eyes = face.landmarks.eye_left.mid(face.landmarks.eye_right);
    let fw = face.bottom_right.x - face.top_left.x;
    let line = shoulder_line(img, eyes, fw, face.bottom_right.y, &cfg.backdrop);
    let fix = match line {
        Some(a) if a > 0.0 => (
            "照片中左侧的肩膀偏高：请坐正，两肩放平",
            "The shoulder on the photo's left is higher: sit straight with both shoulders level",
        ),
        _ => (
            "照片中右侧的肩膀偏高：请坐正，两肩放平",
            "The shoulder on the photo's right is higher: sit straight with both shoulders level",
        ),
    };
    measured(
        CheckName::ShouldersLevel,
        line,
        |a| a.abs() <= MAX_SHOULDER_TILT_DEG,
        limit,
        fix,
        (
            "照片中看不清两侧肩膀，无法检查",
            "Both shoulders are not clearly in the photo",
        ),
    )
}

/// The shoulder line's angle in degrees (positive: the image-left shoulder higher), from the
/// silhouette against the backdrop: in a band of columns on each side, [`SHOULDER_REACH`] face
/// widths out from the eyes' midpoint (or as far as the photo allows, the same on both sides),
/// the first row below the eyes where the person begins. In a CHSI photo the shoulders rise
/// to about the chin out there, so the search starts at the eyes, beside the head. `None` when
/// either side has too few such columns: the shoulders below the photo or beyond its edges,
/// hair or a wrong backdrop down beside the eyes.
fn shoulder_line(
    img: &RgbImage,
    eyes: Point,
    fw: f32,
    chin: f32,
    backdrop: &Backdrop,
) -> Option<f32> {
    let (w, h) = img.dimensions();
    let eye_y = eyes.y;
    let subject = |x: u32, y: u32| backdrop.is_subject(img.get_pixel(x, y).0);
    // The body's middle is the neck's, just under the chin: a head turned a little puts the
    // eyes' midpoint off it, and columns measured from the eyes then meet one shoulder nearer
    // the neck (higher) than the other.
    let cx = neck_middle((w, h), eyes.x, fw, chin, subject).unwrap_or(eyes.x);
    let margin = 4.0;
    let reach = (SHOULDER_REACH * fw)
        .min(cx - margin)
        .min(w as f32 - 1.0 - margin - cx);
    if !reach.is_finite() || fw <= 0.0 || reach < 0.6 * fw {
        return None;
    }
    let start = eye_y.max(0.0) as u32;
    if start + 4 >= h {
        return None;
    }
    let half_band = (0.08 * fw).max(2.0);
    // A run of four rows, so noise or a stray hair is not an edge.
    let run = |x: u32, y: u32, person: bool| (y..y + 4).all(|r| subject(x, r) == person);
    let top = |x: u32| -> Option<u32> {
        // Past any hair beside the head to the backdrop, then down to where the person begins:
        // hair falling onto the shoulder leaves no backdrop between, and no reading.
        let open = (start..h - 3).find(|&y| run(x, y, false))?;
        (open..h - 3).find(|&y| run(x, y, true))
    };
    let side = |centre: f32| -> Option<f32> {
        let lo = (centre - half_band).max(0.0) as u32;
        let hi = ((centre + half_band) as u32).min(w - 1);
        let mut rows: Vec<u32> = (lo..=hi).filter_map(top).collect();
        if rows.len() * 2 < (hi - lo + 1) as usize {
            return None;
        }
        rows.sort_unstable();
        Some(rows[rows.len() / 2] as f32)
    };
    let (left, right) = (side(cx - reach)?, side(cx + reach)?);
    Some((right - left).atan2(2.0 * reach).to_degrees())
}

/// The middle column of the neck a little below `chin`: where the backdrop begins on each side
/// of `cx` (four columns of it), within 0.6 face widths. `None` when either edge is not found
/// (hair down beside the neck, the chin at the photo's bottom).
fn neck_middle(
    (w, h): (u32, u32),
    cx: f32,
    fw: f32,
    chin: f32,
    subject: impl Fn(u32, u32) -> bool,
) -> Option<f32> {
    let y = (chin + 0.05 * fw).max(0.0) as u32;
    let x0 = cx.max(0.0) as u32;
    if y >= h || x0 >= w {
        return None;
    }
    let span = (0.6 * fw) as u32;
    let open = |x: u32, step: i64| {
        (0..4).all(|i| {
            let c = x as i64 + i * step;
            c >= 0 && (c as u32) < w && !subject(c as u32, y)
        })
    };
    let left = (0..span)
        .map(|d| x0.checked_sub(d))
        .take_while(Option::is_some)
        .flatten()
        .find(|&x| open(x, -1))?;
    let right = (0..span)
        .map(|d| x0 + d)
        .take_while(|&x| x < w)
        .find(|&x| open(x, 1))?;
    Some((left + right) as f32 / 2.0)
}

fn exposure(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
    let limit = limit_of(CheckName::Exposure, cfg);
    let Some((mean, clipped)) = features::skin_exposure(img, mesh) else {
        return Check::unmeasured(
            CheckName::Exposure,
            limit,
            ("看不到脸部，无法检查", "The face is not visible"),
        );
    };
    let fix = if mean < FACE_LUMA.0 {
        (
            "脸部太暗：请抬头正对灯光；仍然太暗请联系工作人员",
            "Your face is too dark: look up into the lights; if it stays dark, call staff",
        )
    } else {
        (
            "脸部曝光过度：请联系工作人员检查灯光",
            "Your face is overexposed: please call staff to check the lights",
        )
    };
    Check::new(
        CheckName::Exposure,
        (FACE_LUMA.0..=FACE_LUMA.1).contains(&mean) && clipped <= MAX_FACE_CLIPPED,
        json!({"luma": round1(mean), "clipped": round3(clipped)}),
        limit,
        fix,
    )
}

fn sharpness(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
    let limit = limit_of(CheckName::Sharpness, cfg);
    measured(
        CheckName::Sharpness,
        features::sharpness(img, mesh),
        |v| v >= MIN_SHARPNESS,
        limit,
        (
            "照片模糊：拍照时请保持不动",
            "The photo is blurred: hold still while it is taken",
        ),
        (
            "眼部太小或不在照片中，无法检查",
            "The eyes are too small or outside the photo to measure",
        ),
    )
}

/// Glare is judged only on glasses: worn when the graduate chose the glasses lighting or a
/// frame shows on the nose bridge. Without glasses it passes and says so.
fn glasses_glare(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
    let limit = limit_of(CheckName::GlassesGlare, cfg);
    let frame = features::frame_edges(img, mesh);
    let worn = cfg.glasses || frame.is_some_and(|f| f >= MIN_FRAME_EDGES);
    if !worn {
        return Check {
            name: CheckName::GlassesGlare,
            pass: Some(true),
            value: json!({"glasses": false, "frame": frame.map(round3)}),
            limit,
            reason_zh: "未戴眼镜".into(),
            reason_en: "No glasses".into(),
        };
    }
    let max = if cfg.glasses {
        MAX_GLARE.1
    } else {
        MAX_GLARE.0
    };
    match features::lens_glare(img, mesh) {
        Some(g) => Check::new(
            CheckName::GlassesGlare,
            g <= max,
            json!({"glasses": true, "frame": frame.map(round3), "glare": round3(g)}),
            limit,
            (
                "眼镜反光：请把眼镜往上推一推，或稍微低一点头",
                "Glare on your glasses: push them up a little or lower your chin slightly",
            ),
        ),
        None => Check::unmeasured(
            CheckName::GlassesGlare,
            limit,
            ("看不到眼部，无法检查", "The eyes are not visible"),
        ),
    }
}

fn hair_over_eyes(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
    let limit = limit_of(CheckName::HairOverEyes, cfg);
    measured(
        CheckName::HairOverEyes,
        features::hair_above_brows(img, mesh),
        |v| v <= MAX_HAIR_ABOVE_BROWS,
        limit,
        (
            "头发或帽子遮住了眉毛：请把刘海拨到两边，摘下帽子",
            "Hair or a hat covers your eyebrows: move your fringe aside, take off any hat",
        ),
        (
            "看不到眉毛上方的皮肤，无法检查",
            "The skin above the eyebrows cannot be seen",
        ),
    )
}

#[cfg(test)]
#[path = "checks_tests.rs"]
mod tests;
