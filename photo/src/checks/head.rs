//! The checks on the face itself, from the mesh: pose, eyes, mouth, the skin's exposure,
//! sharpness, glasses and hair over the brows.

use image::RgbImage;
use serde_json::json;

use super::*;
use crate::{Face, Mesh, features};

pub(super) fn head_tilt(img: &RgbImage, face: &Face, cfg: &CheckSettings) -> Check {
    let a = tilt_deg_at_pupils(img, face);
    Check::new(
        CheckName::HeadTilt,
        a.abs() <= MAX_TILT_DEG,
        json!(round1(a)),
        limit_of(CheckName::HeadTilt, cfg),
        ("请把头摆正，不要歪头", "Keep your head level, not tilted"),
    )
}

pub(super) fn head_turn(yaw: f32, cfg: &CheckSettings) -> Check {
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

pub(super) fn head_pitch(pitch: f32, cfg: &CheckSettings) -> Check {
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

pub(super) fn eyes_open(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
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

pub(super) fn mouth_closed(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
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

pub(super) fn exposure(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
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

pub(super) fn sharpness(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
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
pub(super) fn glasses_glare(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
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

pub(super) fn hair_over_eyes(img: &RgbImage, mesh: &Mesh, cfg: &CheckSettings) -> Check {
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
