//! The collection service (the photo agency's server) as the booth meets it: who a code
//! belongs to, the upload, the review, the WeChat Pay order, the heartbeat. The kiosk holds no
//! payment keys; only the service's word that an order is paid counts.
//!
//! - [`CollectionService`]: the API as the kiosk's runtime calls it.
//! - [`wire`]: the API's bodies, headers and request signatures, shared by both sides, as
//!   `docs/api/collection-service.openapi.json` writes them.
//! - [`client::HttpService`]: the API over HTTPS (reqwest, rustls), with retries and limits.
//! - [`sim::SimService`]: the service simulated in-process (demo mode and tests), its review
//!   done by a [`sim::Reviewer`] the caller hands it, so this crate does not pull the photo
//!   pipeline into every user of the client.
//! - [`sim_server::SimServer`]: that simulator served over HTTP on loopback with the same API
//!   and faults injected on request (tests, and a booth rehearsing without the agency).
//!
//! Its users: `kiosk-app` (the client, and the simulator in demo mode), the tests and the
//! fuzzers. It depends on `kiosk-core` only for the flow's domain types.

pub mod client;
pub mod sim;
pub mod sim_server;
pub mod wire;

use async_trait::async_trait;

use kiosk_core::flow::{Identity, OrderInfo, PaymentState, RejectReason, ReviewState};

/// A failed service call.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// The service answered and refused the code.
    #[error("the service refused the code: {0:?}")]
    Rejected(RejectReason),
    /// The service refused the request for another reason (it will not change on retry).
    #[error("the service refused the request: {0}")]
    Refused(Refusal),
    /// Down, slow or broken: worth trying again later.
    #[error("the service is unavailable: {0}")]
    Unavailable(Outage),
}

/// Why the service refused a request: asking again will not change it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// It answered with a problem (`docs/api/collection-service.openapi.json`'s `Problem`):
    /// the HTTP status, its error code and its message.
    #[error("{status} {code}: {message}")]
    Problem {
        /// The HTTP status.
        status: u16,
        /// The problem's `error` (`bad_signature`, `not_found`, …).
        code: String,
        /// The problem's `message`.
        message: String,
    },
    /// It answered, with something this kiosk does not understand (the body, or a state the
    /// API does not name).
    #[error("unexpected answer: {0}")]
    Unexpected(String),
    /// It knows no such thing: a submission or order (the simulator's answer).
    #[error("no {what} {id}")]
    NotFound {
        /// `submission` or `order`.
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The kiosk could not make the request (a path or body it could not build).
    #[error("the request could not be made: {0}")]
    Request(String),
}

/// Why the service could not be used now: worth trying again later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Outage {
    /// It answered 5xx.
    #[error("{status} {path}")]
    ServerError {
        /// The HTTP status.
        status: u16,
        /// The request's path.
        path: String,
    },
    /// It answered with a redirect, which the kiosk does not follow (it talks only to
    /// `service.url`); the text names the status, the path and where it pointed.
    #[error("{0}")]
    Redirected(String),
    /// The HTTP client's own timeout passed without an answer.
    #[error("no answer in time ({path})")]
    Timeout {
        /// The request's path.
        path: String,
    },
    /// The caller's bound on the whole call (retries included) passed.
    #[error("no answer within {ms} ms")]
    Deadline {
        /// The bound, ms.
        ms: u64,
    },
    /// No connection, or it broke (the transport's own words), also while the answer was read.
    #[error("{0}")]
    Unreachable(String),
    /// The answer was larger than the kiosk reads (`client::MAX_ANSWER_BYTES`): not read.
    #[error("{0}")]
    TooLarge(String),
    /// The simulator was told to be down.
    #[error("simulated outage")]
    Simulated,
    /// The simulator's own storage failed.
    #[error("simulator storage: {0}")]
    Storage(String),
}

/// The kiosk credential at `path` (config key `service.credential_path`), trimmed. Refused when
/// the file can be read by anyone but its owner: whoever reads it can sign as this kiosk.
pub fn read_credential(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    let named = || {
        format!(
            "the kiosk credential {} (config key `service.credential_path`)",
            path.display()
        )
    };
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", named()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata().with_context(named)?.permissions().mode();
        if mode & 0o077 != 0 {
            anyhow::bail!(
                "{} can be read by others (mode {:o}); make it the kiosk user's alone: chmod 600 {}",
                named(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let mut secret = Vec::new();
    std::io::Read::read_to_end(&mut &file, &mut secret)
        .with_context(|| format!("reading {}", named()))?;
    Ok(String::from_utf8_lossy(&secret).trim().as_bytes().to_vec())
}

/// What the service knows about a personal shooting code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// Masked identity.
    pub identity: Identity,
    /// Shots the service has counted for this code.
    pub shots_used: u8,
    /// Shots the service allows this code (it wins over `flow.max_shots`), when it says.
    pub shots_max: Option<u8>,
    /// When the code stops being valid (Unix seconds), when the service says.
    pub expires_at: Option<u64>,
}

/// The collection service's API, as the kiosk uses it.
#[async_trait]
pub trait CollectionService: Send + Sync {
    /// Who a personal shooting code belongs to.
    async fn resolve(&self, code: &str) -> Result<Resolved, ServiceError>;
    /// Upload shot `shot` of `code`. Idempotent: the same (code, shot) gives the same submission.
    async fn upload(&self, code: &str, shot: u8, jpeg: &[u8]) -> Result<String, ServiceError>;
    /// The review of a submission.
    async fn review(&self, submission: &str) -> Result<ReviewState, ServiceError>;
    /// A WeChat Pay order for a passed submission (idempotent per submission while open).
    async fn create_order(&self, submission: &str) -> Result<OrderInfo, ServiceError>;
    /// Whether an order is paid.
    async fn payment(&self, order: &str) -> Result<PaymentState, ServiceError>;
    /// Close the order (the payment window ran out, or the graduate left) and say what it is
    /// now: a paid order stays paid, so `Paid` here means the graduate paid after the last
    /// poll and must not be told the order expired.
    async fn close_order(&self, order: &str) -> Result<PaymentState, ServiceError>;
    /// The kiosk is alive: its screen and devices for the operators (no personal data).
    async fn heartbeat(&self, beat: &wire::Heartbeat) -> Result<(), ServiceError>;
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_credential_others_can_read_is_refused_naming_the_key_and_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credential");
        std::fs::write(&path, "secret-0123\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = format!("{:#}", super::read_credential(&path).unwrap_err());
        assert!(
            e.contains("service.credential_path") && e.contains("644") && e.contains("chmod 600"),
            "{e}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(super::read_credential(&path).unwrap(), b"secret-0123");
        let e = format!(
            "{:#}",
            super::read_credential(&dir.path().join("none")).unwrap_err()
        );
        assert!(e.contains("service.credential_path"), "{e}");
    }
}
