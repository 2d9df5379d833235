//! The collection service's wire format (`docs/api/collection-service.openapi.json`) and its
//! request signature. Shared by the HTTPS client and the loopback simulator server, so the two
//! cannot drift apart; the contract test checks both against the document.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Header: the kiosk's id.
pub const H_KIOSK: &str = "x-kiosk-id";
/// Header: Unix seconds of the request.
pub const H_TIMESTAMP: &str = "x-kiosk-timestamp";
/// Header: the request's HMAC.
pub const H_SIGNATURE: &str = "x-kiosk-signature";
/// Header: the upload's idempotency key.
pub const H_IDEMPOTENCY: &str = "idempotency-key";
/// Header: the shooting code of an upload.
pub const H_CODE: &str = "x-shooting-code";
/// Header: the shot number of an upload.
pub const H_SHOT: &str = "x-shot";
/// Header: SHA-256 of the upload's body, hex.
pub const H_SHA256: &str = "x-content-sha256";
/// How far a request's timestamp may be from the service's clock, seconds.
pub const MAX_SKEW_SECS: u64 = 300;

/// hex(SHA-256(bytes)).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// hex(HMAC-SHA256(secret, METHOD \n path \n timestamp \n hex(SHA-256(body)))).
pub fn sign(secret: &[u8], method: &str, path: &str, timestamp: u64, body: &[u8]) -> String {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{method}\n{path}\n{timestamp}\n{}", sha256_hex(body)).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time check of a signature.
pub fn verify(
    secret: &[u8],
    method: &str,
    path: &str,
    timestamp: u64,
    body: &[u8],
    sig: &str,
) -> bool {
    let Ok(sig) = hex::decode(sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("{method}\n{path}\n{timestamp}\n{}", sha256_hex(body)).as_bytes());
    mac.verify_slice(&sig).is_ok()
}

/// The idempotency key of a shot: the same shot always gets the same key, across restarts.
pub fn upload_key(code: &str, shot: u8) -> String {
    sha256_hex(format!("{code}\n{shot}").as_bytes())
}

/// `POST /v1/codes/resolve` body.
#[derive(Debug, Serialize, Deserialize)]
pub struct ResolveRequest {
    /// The code as scanned.
    pub code: String,
}

/// `POST /v1/codes/resolve` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Resolved {
    /// 张**三.
    pub name_masked: String,
    /// *****8746.
    pub id_number_masked: String,
    /// University.
    pub school: String,
    /// 本科 / 研究生.
    pub level: String,
    /// Shots counted.
    pub shots_used: u8,
    /// Shots allowed.
    pub shots_max: u8,
    /// Unix time the code expires.
    pub expires_at: u64,
}

/// `POST /v1/uploads` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Submission {
    /// Submission id.
    pub submission: String,
    /// Shots counted for the code after this one.
    pub shots_used: u8,
}

/// A review failure reason.
#[derive(Debug, Serialize, Deserialize)]
pub struct Reason {
    /// Chinese.
    pub zh: String,
    /// English.
    pub en: String,
}

/// `GET /v1/submissions/{id}/review` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Review {
    /// pending, passed or failed.
    pub state: String,
    /// Why it failed.
    pub reasons: Vec<Reason>,
}

/// `POST /v1/submissions/{id}/order` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Order {
    /// Order id.
    pub order: String,
    /// WeChat Native code_url.
    pub code_url: String,
    /// Price in fen.
    pub amount_fen: u32,
    /// Unix time WeChat stops accepting it.
    pub expires_at: u64,
}

/// `GET /v1/orders/{id}` and `POST /v1/orders/{id}/close` answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Payment {
    /// Order id.
    pub order: String,
    /// pending, paid or closed.
    pub state: String,
}

/// `POST /v1/heartbeat` body.
#[derive(Debug, Serialize, Deserialize)]
pub struct Heartbeat {
    /// Kiosk id.
    pub kiosk: String,
    /// Screen key.
    pub screen: String,
    /// Device → "ok" or a fault reference.
    pub devices: std::collections::BTreeMap<String, String>,
}

/// An error answer.
#[derive(Debug, Serialize, Deserialize)]
pub struct Problem {
    /// Machine-readable reason.
    pub error: String,
    /// For people.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_cover_method_path_time_and_body() {
        let s = sign(b"k", "POST", "/api/v1/uploads", 100, b"body");
        assert!(verify(b"k", "POST", "/api/v1/uploads", 100, b"body", &s));
        assert!(!verify(b"x", "POST", "/api/v1/uploads", 100, b"body", &s));
        assert!(!verify(b"k", "GET", "/api/v1/uploads", 100, b"body", &s));
        assert!(!verify(b"k", "POST", "/api/v1/upload", 100, b"body", &s));
        assert!(!verify(b"k", "POST", "/api/v1/uploads", 101, b"body", &s));
        assert!(!verify(b"k", "POST", "/api/v1/uploads", 100, b"bodY", &s));
        assert!(!verify(b"k", "POST", "/api/v1/uploads", 100, b"body", "zz"));
        assert_eq!(upload_key("GPK1.x", 2), upload_key("GPK1.x", 2));
        assert_ne!(upload_key("GPK1.x", 2), upload_key("GPK1.x", 3));
    }
}
