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
/// Header: a fresh random value per request (a service refuses one it has seen).
pub const H_NONCE: &str = "x-kiosk-nonce";
/// How far a request's timestamp may be from the service's clock, seconds. A service keeps the
/// nonces it saw for twice this long, so a replay is refused for as long as its timestamp is
/// accepted.
pub const MAX_SKEW_SECS: u64 = 300;
/// Every header that carries meaning, in the order the signature covers them (besides the
/// timestamp, which has its own line). A header a request does not carry is signed as empty, so
/// none can be added, dropped or changed without breaking the signature.
pub const SIGNED_HEADERS: [&str; 5] = [H_KIOSK, H_NONCE, H_IDEMPOTENCY, H_CODE, H_SHOT];

/// hex(SHA-256(bytes)).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The text a request's signature covers:
///
/// ```text
/// METHOD \n path?query \n timestamp \n
/// x-kiosk-id:… \n x-kiosk-nonce:… \n idempotency-key:… \n x-shooting-code:… \n x-shot:… \n
/// hex(SHA-256(body))
/// ```
///
/// `header` gives a header's value by its lower-case name (`None` when absent: signed as empty).
/// Header values cannot hold a line break, so the text is unambiguous.
pub fn canonical<'a>(
    method: &str,
    path_and_query: &str,
    timestamp: u64,
    header: impl Fn(&str) -> Option<&'a str>,
    body: &[u8],
) -> String {
    let mut text = format!("{method}\n{path_and_query}\n{timestamp}\n");
    for name in SIGNED_HEADERS {
        text.push_str(name);
        text.push(':');
        text.push_str(header(name).unwrap_or("").trim());
        text.push('\n');
    }
    text.push_str(&sha256_hex(body));
    text
}

/// hex(HMAC-SHA256(secret, [`canonical`] text)).
pub fn sign(secret: &[u8], canonical: &str) -> String {
    hex::encode(mac(secret, canonical).finalize().into_bytes())
}

/// Constant-time check of a signature over the [`canonical`] text.
pub fn verify(secret: &[u8], canonical: &str, sig: &str) -> bool {
    let Ok(sig) = hex::decode(sig) else {
        return false;
    };
    mac(secret, canonical).verify_slice(&sig).is_ok()
}

fn mac(secret: &[u8], canonical: &str) -> Hmac<Sha256> {
    // HMAC accepts keys of any length; new_from_slice cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(canonical.as_bytes());
    mac
}

/// A fresh nonce: 128 random bits, hex.
pub fn nonce() -> String {
    hex::encode(rand::random::<[u8; 16]>())
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
    /// The health gauges operators scrape (absent from kiosks older than 0.15).
    #[serde(default)]
    pub health: Option<KioskHealth>,
}

/// The kiosk's health as the heartbeat carries it to the operators: the same gauges Prometheus
/// scrapes on the booth (`kiosk-app`'s metrics fill it in). No personal data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KioskHealth {
    /// The out-of-service screen is up.
    pub out_of_service: bool,
    /// Part (`camera`, `lights`, `chair`, `service`) → it answers.
    pub parts_up: std::collections::BTreeMap<String, bool>,
    /// Chosen photos not yet delivered to the service.
    pub upload_backlog: u32,
    /// Seconds since the service last answered (since the start, when it never has).
    pub service_since_success_secs: u64,
    /// Free bytes where the journal and photos live.
    pub data_dir_free_bytes: u64,
    /// The kiosk's version.
    pub version: String,
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
    fn signatures_cover_method_path_time_every_meaningful_header_and_body() {
        let headers = [
            (H_KIOSK, "k1"),
            (H_NONCE, "n1"),
            (H_IDEMPOTENCY, "key"),
            (H_CODE, "GPK1.a"),
            (H_SHOT, "1"),
        ];
        let text = |method, path, ts, changed: Option<(&str, &'static str)>, body: &[u8]| {
            let get = move |name: &str| {
                if let Some((n, v)) = changed
                    && n == name
                {
                    return (!v.is_empty()).then_some(v);
                }
                headers.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
            };
            canonical(method, path, ts, get, body)
        };
        let base = text("POST", "/v1/uploads", 100, None, b"body");
        let s = sign(b"k", &base);
        assert!(verify(b"k", &base, &s));
        assert!(!verify(b"x", &base, &s));
        assert!(!verify(b"k", &base, "zz"));
        let changed = [
            text("GET", "/v1/uploads", 100, None, b"body"),
            text("POST", "/v1/upload", 100, None, b"body"),
            text("POST", "/v1/uploads?x=1", 100, None, b"body"),
            text("POST", "/v1/uploads", 101, None, b"body"),
            text("POST", "/v1/uploads", 100, None, b"bodY"),
            text(
                "POST",
                "/v1/uploads",
                100,
                Some((H_CODE, "GPK1.b")),
                b"body",
            ),
            text("POST", "/v1/uploads", 100, Some((H_SHOT, "2")), b"body"),
            text("POST", "/v1/uploads", 100, Some((H_NONCE, "n2")), b"body"),
            text("POST", "/v1/uploads", 100, Some((H_KIOSK, "k2")), b"body"),
            text(
                "POST",
                "/v1/uploads",
                100,
                Some((H_IDEMPOTENCY, "")),
                b"body",
            ),
        ];
        for other in changed {
            assert!(!verify(b"k", &other, &s), "{other}");
        }
        assert_eq!(upload_key("GPK1.x", 2), upload_key("GPK1.x", 2));
        assert_ne!(upload_key("GPK1.x", 2), upload_key("GPK1.x", 3));
        assert_ne!(nonce(), nonce());
    }
}
