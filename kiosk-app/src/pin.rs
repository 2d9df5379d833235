//! The technician's PIN: stored as an Argon2id hash in the config (`maintenance.pin_hash`),
//! checked in the runtime, never passed to the flow, the journal or a log. A leaf: the config
//! checks a hash with it, the runtime a typed PIN, the CLI makes a hash.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// The hash of the demo configuration's PIN, `2468`. `kiosk config check` refuses it as soon as
/// any part of the configuration is real: a booth must have its own PIN.
pub const DEMO_PIN_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$HJuOYsrBQmrC4KfxNdFwgw$3ZpBXerVasoY0kW1hhR1p5QwUh4yp7U7idYHabR0TTY";

/// The demo PIN (documented in the README; only valid with the demo hash).
pub const DEMO_PIN: &str = "2468";

/// A PHC string (`$argon2id$…`) for `pin`, with a fresh random salt. What goes into
/// `maintenance.pin_hash`.
pub fn hash_pin(pin: &str) -> anyhow::Result<String> {
    check_pin_shape(pin)?;
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| anyhow::anyhow!("encoding the salt: {e}"))?;
    let hash = Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hashing the PIN: {e}"))?;
    Ok(hash.to_string())
}

/// A booth's maintenance PIN is 6 to 8 digits (the keypad has digits only; the keypad locks
/// after `flow.pin_attempts` wrong ones, so 10⁶ PINs take years to guess). Only the demo
/// PIN is shorter, and `kiosk config check` refuses its hash on a real booth.
pub fn check_pin_shape(pin: &str) -> anyhow::Result<()> {
    if !(6..=8).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        anyhow::bail!("a maintenance PIN is 6 to 8 digits");
    }
    Ok(())
}

/// A configured PIN hash this kiosk cannot verify against.
#[derive(Debug, thiserror::Error)]
#[error("not a password hash ({reason}); make one with `kiosk maintenance-pin hash`")]
pub struct BadPinHash {
    /// The PHC parser's words.
    pub reason: String,
}

/// Whether `hash` is a PHC string this kiosk can verify against. The error says why not.
pub fn check_hash(hash: &str) -> Result<(), BadPinHash> {
    PasswordHash::new(hash).map(|_| ()).map_err(|e| BadPinHash {
        reason: e.to_string(),
    })
}

/// Whether `pin` matches `hash`. Slow on purpose (Argon2id): call off the async threads.
pub fn verify_pin(pin: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_hash_is_the_demo_pin() {
        assert!(verify_pin(DEMO_PIN, DEMO_PIN_HASH));
        assert!(!verify_pin("2469", DEMO_PIN_HASH));
        assert!(check_hash(DEMO_PIN_HASH).is_ok());
    }

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash_pin("135790").unwrap();
        let b = hash_pin("135790").unwrap();
        assert_ne!(a, b, "each hash has its own salt");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify_pin("135790", &a) && verify_pin("135790", &b));
        assert!(!verify_pin("13579", &a));
        assert!(!verify_pin("135790", "not a hash"));
    }

    #[test]
    fn booth_pins_are_six_to_eight_digits() {
        for bad in ["123", "12345", "123456789", "12a456", ""] {
            assert!(hash_pin(bad).is_err(), "{bad:?}");
        }
        assert!(check_hash("1234").is_err());
    }
}
