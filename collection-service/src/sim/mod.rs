//! The simulated collection service: a roster of demo graduates, uploads checked by the
//! [`Reviewer`] it is handed (the booth hands it its own photo checks) and, on request, failed
//! with configured reasons, a review that
//! finishes after a delay, and WeChat orders that the simulated graduate pays after a delay
//! (or a test pays with [`SimService::pay`], or `kiosk sim-service pay`), and that expire.
//!
//! Its state lives in SQLite (in memory for demo mode, a file for `kiosk sim-service serve
//! --db`), so the loopback server keeps codes, shots, submissions and orders across kiosk
//! restarts the way the agency's server does.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

use super::{Outage, Refusal, ServiceError};
// Wall-clock ms: orders and reviews are timed across restarts.
use kiosk_core::clock::now_ms;
use kiosk_core::flow::{Identity, OrderInfo, PaymentState, RejectReason, ReviewState};
use kiosk_core::mask;

mod api;

/// What reviews an upload on arrival, as the agency's automatic checks do: the reasons it
/// fails for, each (zh, en), none when it passes. It may block (it runs on a blocking thread).
/// The booth hands the simulator its own photo checks, so a photo the booth warned about fails
/// here with the same reasons; tests that do not care about the photo hand it [`Approve`].
pub trait Reviewer: Send + Sync + 'static {
    /// The reasons `jpeg` fails for; empty when it passes.
    fn reasons(&self, jpeg: &[u8]) -> Vec<(String, String)>;
}

/// A reviewer that passes every photo (for tests that exercise the protocol, not the photo).
pub struct Approve;

impl Reviewer for Approve {
    fn reasons(&self, _: &[u8]) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Behaviour of the simulated service, from the `[service.sim]` config section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SimServiceConfig {
    /// How long a review takes, ms.
    pub review_ms: u64,
    /// The simulated graduate pays this long after the order appears, ms (None: never by itself).
    pub auto_pay_ms: Option<u64>,
    /// Price in fen.
    pub amount_fen: u32,
    /// Added to every call, ms.
    pub latency_ms: u64,
    /// Fail the review of this many submissions (the first ones) with `fail_reasons`, as a
    /// human reviewer would, whatever the automatic checks say.
    pub fail_reviews: u32,
    /// The reasons given for those failures, (zh, en).
    pub fail_reasons: Vec<(String, String)>,
    /// An unpaid order closes by itself after this long, ms (WeChat's own limit is 2 h).
    pub order_ttl_ms: Option<u64>,
}

impl Default for SimServiceConfig {
    fn default() -> Self {
        Self {
            review_ms: 8_000,
            auto_pay_ms: Some(6_000),
            amount_fen: 2_000,
            latency_ms: 50,
            fail_reviews: 0,
            fail_reasons: vec![(
                "头发遮挡眉毛，请整理后重拍".into(),
                "Hair covers the eyebrows; please tidy it and retake".into(),
            )],
            order_ttl_ms: None,
        }
    }
}

/// A demo graduate: (code, name, ID number, school, level).
pub const DEMO_ROSTER: &[(&str, &str, &str, &str, &str)] = &[
    (
        "GPK1.DEMO-ZHANG-WEISAN-0001",
        "张伟三",
        "110105200001018746",
        "示例理工大学",
        "本科",
    ),
    (
        "GPK1.DEMO-LI-XIAOHONG-0002",
        "李晓红",
        "320102199912124321",
        "示例师范大学",
        "研究生",
    ),
    (
        "GPK1.DEMO-WANG-FANG-00000003",
        "王芳",
        "440303200102027777",
        "示例医科大学",
        "本科",
    ),
];

/// The in-process simulator.
pub struct SimService {
    cfg: SimServiceConfig,
    reviewer: Arc<dyn Reviewer>,
    db: Mutex<Connection>,
    /// The latest heartbeat's body, for tests to wait on.
    heartbeat: tokio::sync::watch::Sender<Option<String>>,
}

fn db_err(e: rusqlite::Error) -> ServiceError {
    ServiceError::Unavailable(Outage::Storage(e.to_string()))
}

const SCHEMA: &str = "
    PRAGMA journal_mode = WAL;
    CREATE TABLE IF NOT EXISTS shots (code TEXT PRIMARY KEY, used INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS submissions (
        id TEXT PRIMARY KEY, code TEXT NOT NULL, shot INTEGER NOT NULL, at_ms INTEGER NOT NULL,
        reasons TEXT NOT NULL, UNIQUE (code, shot));
    CREATE TABLE IF NOT EXISTS orders (
        id TEXT PRIMARY KEY, submission TEXT NOT NULL, at_ms INTEGER NOT NULL,
        paid INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS heartbeats (kiosk TEXT NOT NULL, at_ms INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT OR IGNORE INTO state VALUES ('down', 0), ('failed_reviews', 0);
";

impl SimService {
    /// A simulator with the demo roster, its state in memory.
    pub fn new(cfg: SimServiceConfig, reviewer: Arc<dyn Reviewer>) -> Self {
        let conn = Connection::open_in_memory().expect("an in-memory SQLite database");
        Self::with_connection(cfg, reviewer, conn).expect("the simulator's schema")
    }

    /// A simulator whose state lives in the SQLite file `path` (kept across restarts).
    pub fn open(
        cfg: SimServiceConfig,
        reviewer: Arc<dyn Reviewer>,
        path: &Path,
    ) -> rusqlite::Result<Self> {
        Self::with_connection(cfg, reviewer, Connection::open(path)?)
    }

    fn with_connection(
        cfg: SimServiceConfig,
        reviewer: Arc<dyn Reviewer>,
        conn: Connection,
    ) -> rusqlite::Result<Self> {
        conn.execute_batch(SCHEMA)?;
        Ok(Self {
            cfg,
            reviewer,
            db: Mutex::new(conn),
            heartbeat: tokio::sync::watch::Sender::new(None),
        })
    }

    /// Reviews an upload with the reviewer it was handed, on a blocking thread.
    async fn check_photo(&self, jpeg: &[u8]) -> Vec<(String, String)> {
        let reviewer = self.reviewer.clone();
        let jpeg = jpeg.to_vec();
        tokio::task::spawn_blocking(move || reviewer.reasons(&jpeg))
            .await
            .unwrap_or_else(|e| vec![("照片审核出错".into(), format!("The review failed: {e}"))])
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn flag(&self, key: &str) -> i64 {
        self.db()
            .query_row("SELECT value FROM state WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .unwrap_or(0)
    }

    /// Mark an order paid, as WeChat's notification would. Idempotent (the notification may
    /// come twice). False for an unknown order.
    pub fn pay(&self, order: &str) -> bool {
        self.db()
            .execute("UPDATE orders SET paid = 1 WHERE id = ?1", [order])
            .is_ok_and(|n| n == 1)
    }

    /// Whether shot `shot` of `code` was uploaded already (a retry of the same upload).
    pub fn has_upload(&self, code: &str, shot: u8) -> bool {
        self.db()
            .query_row(
                "SELECT 1 FROM submissions WHERE code = ?1 AND shot = ?2",
                params![code, shot],
                |_| Ok(()),
            )
            .optional()
            .ok()
            .flatten()
            .is_some()
    }

    /// Shots counted for `code`.
    pub fn shots(&self, code: &str) -> u8 {
        self.db()
            .query_row("SELECT used FROM shots WHERE code = ?1", [code], |r| {
                r.get(0)
            })
            .unwrap_or(0)
    }

    /// Orders created for `submission`, oldest first: (id, paid, closed).
    pub fn orders(&self, submission: &str) -> Vec<(String, bool, bool)> {
        let db = self.db();
        let Ok(mut stmt) = db.prepare(
            "SELECT id, paid, closed FROM orders WHERE submission = ?1 ORDER BY at_ms, id",
        ) else {
            return Vec::new();
        };
        stmt.query_map([submission], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map(|rows| rows.filter_map(Result::ok).collect())
            .unwrap_or_default()
    }

    /// Record a kiosk's heartbeat (JSON, no personal data).
    pub fn record_heartbeat(&self, kiosk: &str, body: &str) {
        let _ = self.db().execute(
            "INSERT INTO heartbeats VALUES (?1, ?2, ?3)",
            params![kiosk, now_ms() as i64, body],
        );
        self.heartbeat.send_replace(Some(body.to_owned()));
    }

    /// The latest heartbeat's body, as each arrives.
    pub fn watch_heartbeats(&self) -> tokio::sync::watch::Receiver<Option<String>> {
        self.heartbeat.subscribe()
    }

    /// Heartbeats received so far.
    pub fn heartbeats(&self) -> usize {
        self.db()
            .query_row("SELECT COUNT(*) FROM heartbeats", [], |r| {
                r.get::<_, i64>(0)
            })
            .map_or(0, |n| n as usize)
    }

    /// Take the service down (every call fails as unavailable) or bring it back.
    pub fn set_down(&self, down: bool) {
        let _ = self.db().execute(
            "UPDATE state SET value = ?1 WHERE key = 'down'",
            [i64::from(down)],
        );
    }

    async fn call(&self) -> Result<(), ServiceError> {
        if self.cfg.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.cfg.latency_ms)).await;
        }
        if self.flag("down") != 0 {
            return Err(ServiceError::Unavailable(Outage::Simulated));
        }
        Ok(())
    }

    fn next_id(db: &Connection, prefix: &str) -> rusqlite::Result<String> {
        db.execute(
            "INSERT INTO state VALUES ('next', 1) ON CONFLICT(key) DO UPDATE SET value = value + 1",
            [],
        )?;
        let n: i64 = db.query_row("SELECT value FROM state WHERE key = 'next'", [], |r| {
            r.get(0)
        })?;
        Ok(format!("{prefix}-{n}"))
    }
}

impl SimService {
    /// An order's payment state now (paying it first if `auto_pay_ms` says the graduate has).
    fn order_state(&self, order: &str) -> Result<PaymentState, ServiceError> {
        self.expire_orders();
        let db = self.db();
        let row: Option<(i64, bool, bool)> = db
            .query_row(
                "SELECT at_ms, paid, closed FROM orders WHERE id = ?1",
                [order],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(db_err)?;
        let Some((at_ms, mut paid, closed)) = row else {
            return Err(ServiceError::Refused(Refusal::NotFound {
                what: "order",
                id: order.to_owned(),
            }));
        };
        if let Some(ms) = self.cfg.auto_pay_ms
            && !closed
            && !paid
            && now_ms().saturating_sub(at_ms as u64) >= ms
        {
            db.execute("UPDATE orders SET paid = 1 WHERE id = ?1", [order])
                .map_err(db_err)?;
            paid = true;
        }
        Ok(if paid {
            PaymentState::Paid
        } else if closed {
            PaymentState::Closed
        } else {
            PaymentState::Pending
        })
    }

    /// Close unpaid orders older than `order_ttl_ms`.
    fn expire_orders(&self) {
        if let Some(ttl) = self.cfg.order_ttl_ms {
            let cutoff = now_ms().saturating_sub(ttl) as i64;
            let _ = self.db().execute(
                "UPDATE orders SET closed = 1 WHERE paid = 0 AND at_ms <= ?1",
                [cutoff],
            );
        }
    }

    fn order_info(&self, id: &str) -> OrderInfo {
        OrderInfo {
            id: id.to_owned(),
            code_url: format!("weixin://wxpay/bizpayurl?pr=SIM{id}"),
            amount_fen: self.cfg.amount_fen,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CollectionService;

    /// Fails every photo whose first byte is 0 with one reason; counts what it saw.
    struct Picky(std::sync::atomic::AtomicUsize);

    impl Reviewer for Picky {
        fn reasons(&self, jpeg: &[u8]) -> Vec<(String, String)> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if jpeg.first() == Some(&0) {
                vec![("闭眼".into(), "Eyes closed".into())]
            } else {
                Vec::new()
            }
        }
    }

    #[tokio::test]
    async fn an_upload_is_reviewed_by_the_reviewer_it_was_handed() {
        let picky = Arc::new(Picky(Default::default()));
        let cfg = SimServiceConfig {
            review_ms: 0,
            latency_ms: 0,
            ..SimServiceConfig::default()
        };
        let sim = SimService::new(cfg, picky.clone());
        let code = DEMO_ROSTER[0].0;
        let good = sim.upload(code, 1, &[1, 2, 3]).await.unwrap();
        let bad = sim.upload(code, 2, &[0, 2, 3]).await.unwrap();
        assert_eq!(sim.review(&good).await.unwrap(), ReviewState::Passed);
        assert_eq!(
            sim.review(&bad).await.unwrap(),
            ReviewState::Failed(vec![("闭眼".into(), "Eyes closed".into())])
        );
        assert_eq!(picky.0.load(std::sync::atomic::Ordering::SeqCst), 2);
        // A retried upload is the same submission.
        assert_eq!(sim.upload(code, 1, &[1, 2, 3]).await.unwrap(), good);
        // Approve passes anything, without any photo pipeline.
        let sim = SimService::new(
            SimServiceConfig {
                review_ms: 0,
                ..Default::default()
            },
            Arc::new(Approve),
        );
        let any = sim.upload(code, 1, &[0]).await.unwrap();
        assert_eq!(sim.review(&any).await.unwrap(), ReviewState::Passed);
    }
}
