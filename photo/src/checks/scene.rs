//! The checks on the scene around the face: how many faces, where the head sits in the photo,
//! the backdrop, the clothes against it and the shoulders' line.

use image::RgbImage;
use serde_json::json;

use super::*;
use crate::framing::Broken;
use crate::silhouette::{Backdrop, HeadColumns, background_stats};
use crate::{Face, Point};

pub(super) fn face_count(faces: &[Face]) -> Check {
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

pub(super) fn geometry(s: &Subject<'_>, face: &Face, cfg: &CheckSettings) -> Check {
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

/// What to do about a broken limit. The camera is fixed and the chair moves the graduate, so a
/// head too high means the seat is too high.
pub(super) fn geometry_fix(b: &Broken) -> (&'static str, &'static str) {
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

pub(super) fn background(img: &RgbImage, face: Option<&Face>, cfg: &CheckSettings) -> Check {
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

pub(super) fn clothing_contrast(img: &RgbImage, face: &Face, cfg: &CheckSettings) -> Check {
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
pub(super) const SHOULDER_REACH: f32 = 0.9;

pub(super) fn shoulders_level(img: &RgbImage, face: &Face, cfg: &CheckSettings) -> Check {
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
pub(super) fn shoulder_line(
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
pub(super) fn neck_middle(
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
