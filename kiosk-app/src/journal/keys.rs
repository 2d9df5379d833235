//! The journal's key file, the keys derived from it, and the file permissions it keeps.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::JournalError;

/// Two keys derived from the journal key: one for digests of codes, one for sealing.
pub(super) struct Keys {
    digest: [u8; 32],
    seal: ChaCha20Poly1305,
}

impl Keys {
    pub(super) fn derive(master: &[u8; 32]) -> Self {
        let part = |label: &[u8]| -> [u8; 32] {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("any key length");
            mac.update(label);
            mac.finalize().into_bytes().into()
        };
        Self {
            digest: part(b"kiosk journal: code digest"),
            seal: ChaCha20Poly1305::new(&part(b"kiosk journal: seal").into()),
        }
    }

    /// The keyed digest a code is stored under.
    pub(super) fn digest(&self, code: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.digest).expect("any key length");
        mac.update(code.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Nonce then ciphertext (with its tag).
    pub(super) fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let nonce: [u8; 12] = rand::random();
        let mut out = nonce.to_vec();
        out.extend(
            self.seal
                .encrypt(Nonce::from_slice(&nonce), plain)
                .expect("sealing in memory cannot fail"),
        );
        out
    }

    pub(super) fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        let (nonce, body) = sealed.split_at_checked(12)?;
        self.seal.decrypt(Nonce::from_slice(nonce), body).ok()
    }
}

/// How journals before the journal key stored codes (plain SHA-256); read for their counters.
pub(super) fn legacy_digest(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

/// The journal key at `path`: read, or made (32 random bytes, owner-only, written whole before
/// it is used). A key file of the wrong size is moved aside and replaced; what it sealed can no
/// longer be read, so the kiosk starts afresh (the service's shot counts still hold).
pub(super) fn journal_key(path: &Path) -> Result<[u8; 32], JournalError> {
    let fail = |error| JournalError::File {
        path: path.to_owned(),
        error,
    };
    match std::fs::read(path) {
        Ok(bytes) => match <[u8; 32]>::try_from(bytes.as_slice()) {
            Ok(key) => {
                owner_only(path);
                return Ok(key);
            }
            Err(_) => {
                let aside = path.with_extension("key.broken");
                tracing::error!(
                    key = %path.display(), aside = %aside.display(), len = bytes.len(),
                    "the journal key is not 32 bytes; moved aside, a new one made (the old snapshot and photos cannot be read)"
                );
                std::fs::rename(path, &aside).map_err(fail)?;
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(e)),
    }
    let key: [u8; 32] = rand::random();
    let tmp = path.with_extension("key.new");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(fail)?;
    file.write_all(&key).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)?;
    Ok(key)
}

/// Make `path` readable by its owner only (warning if it was not).
pub(super) fn owner_only(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(file = %path.display(), "was readable by others; made owner-only");
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
}
