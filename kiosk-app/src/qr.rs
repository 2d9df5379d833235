//! Reading and classifying shooting codes.
//!
//! The personal shooting code's format is defined here and nowhere else (until the collection
//! service's API owns it): `GPK1.` followed by 16–128 URL-safe characters. A raw CHSI
//! image-collection code is encrypted and only the agency can read it, so it is recognised by
//! its outward form (configurable markers); the service's answer decides the rest.

use serde::{Deserialize, Serialize};

use crate::flow::ScannedCode;

/// Classification rules, from the `[qr]` config section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QrRules {
    /// Prefix of a personal shooting code.
    pub personal_prefix: String,
    /// Shortest and longest token after the prefix.
    pub token_len: (usize, usize),
    /// Case-insensitive substrings that mark a raw 学信网 code.
    pub chsi_markers: Vec<String>,
}

impl Default for QrRules {
    fn default() -> Self {
        Self {
            personal_prefix: "GPK1.".into(),
            token_len: (16, 128),
            chsi_markers: vec!["chsi.com.cn".into(), "xuexin".into(), "chsi:".into()],
        }
    }
}

/// What kind of code `payload` is.
pub fn classify(rules: &QrRules, payload: &str) -> ScannedCode {
    let payload = payload.trim();
    if let Some(token) = payload.strip_prefix(&rules.personal_prefix) {
        let (min, max) = rules.token_len;
        let ok_chars = token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if ok_chars && (min..=max).contains(&token.len()) {
            return ScannedCode::Personal(payload.to_owned());
        }
        return ScannedCode::Foreign;
    }
    let lower = payload.to_lowercase();
    if rules
        .chsi_markers
        .iter()
        .any(|m| lower.contains(&m.to_lowercase()))
    {
        return ScannedCode::RawChsi;
    }
    ScannedCode::Foreign
}

/// Decode every QR code in a JPEG (or any image) frame. Frames wider than 1280 px are scaled
/// down first: rqrr's time grows with pixels and the code stays readable.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, image::ImageError> {
    let img = image::load_from_memory(bytes)?;
    let img = if img.width() > 1280 {
        img.resize(
            1280,
            1280 * img.height() / img.width(),
            image::imageops::FilterType::Triangle,
        )
    } else {
        img
    };
    let mut prepared = rqrr::PreparedImage::prepare(img.to_luma8());
    Ok(prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_codes() {
        let r = QrRules::default();
        assert_eq!(
            classify(&r, "GPK1.DEMO-ZHANG-0001-abcdef"),
            ScannedCode::Personal("GPK1.DEMO-ZHANG-0001-abcdef".into())
        );
        assert_eq!(classify(&r, "GPK1.short"), ScannedCode::Foreign);
        assert_eq!(
            classify(&r, "GPK1.has spaces in the token!"),
            ScannedCode::Foreign
        );
        assert_eq!(
            classify(&r, "https://my.chsi.com.cn/archive/xxx?c=ab12"),
            ScannedCode::RawChsi
        );
        assert_eq!(
            classify(&r, "https://example.com/menu"),
            ScannedCode::Foreign
        );
        assert_eq!(classify(&r, ""), ScannedCode::Foreign);
    }

    #[test]
    fn garbage_image_is_an_error_not_a_panic() {
        assert!(decode_image(b"not an image").is_err());
    }
}
