//! The kiosk API as the simulator answers it: resolving codes, taking uploads, reviews,
//! orders and payments, heartbeats, over the simulator's SQLite state.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

use super::*;
use crate::{CollectionService, Refusal, Resolved, ServiceError};

#[async_trait]
impl CollectionService for SimService {
    async fn resolve(&self, code: &str) -> Result<Resolved, ServiceError> {
        self.call().await?;
        if code.to_lowercase().contains("chsi") {
            return Err(ServiceError::Rejected(RejectReason::RawChsi));
        }
        if code.contains("EXPIRED") {
            return Err(ServiceError::Rejected(RejectReason::Expired));
        }
        let Some((_, name, id, school, level)) = DEMO_ROSTER.iter().find(|r| r.0 == code) else {
            return Err(ServiceError::Rejected(RejectReason::Unknown));
        };
        Ok(Resolved {
            identity: Identity {
                name: mask::name(name),
                id_number: mask::id_number(id),
                school: (*school).into(),
                level: (*level).into(),
            },
            shots_used: self.shots(code),
            // The in-process simulator leaves the limit to the kiosk's config.
            shots_max: None,
            expires_at: None,
        })
    }

    async fn upload(&self, code: &str, shot: u8, jpeg: &[u8]) -> Result<String, ServiceError> {
        self.call().await?;
        let reasons = self.check_photo(jpeg).await;
        let db = self.db();
        let existing: Option<String> = db
            .query_row(
                "SELECT id FROM submissions WHERE code = ?1 AND shot = ?2",
                params![code, shot],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id = Self::next_id(&db, "sub").map_err(db_err)?;
        let reasons = serde_json::to_string(&reasons).unwrap_or_else(|_| "[]".into());
        db.execute(
            "INSERT INTO submissions VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, code, shot, now_ms() as i64, reasons],
        )
        .map_err(db_err)?;
        db.execute(
            "INSERT INTO shots VALUES (?1, ?2) ON CONFLICT(code) DO UPDATE SET used = max(used, ?2)",
            params![code, shot],
        )
        .map_err(db_err)?;
        Ok(id)
    }

    async fn review(&self, submission: &str) -> Result<ReviewState, ServiceError> {
        self.call().await?;
        let db = self.db();
        let row: Option<(String, i64, String)> = db
            .query_row(
                "SELECT code, at_ms, reasons FROM submissions WHERE id = ?1",
                [submission],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(db_err)?;
        let Some((code, at_ms, reasons)) = row else {
            return Err(ServiceError::Refused(Refusal::NotFound {
                what: "submission",
                id: submission.to_owned(),
            }));
        };
        if now_ms().saturating_sub(at_ms as u64) < self.cfg.review_ms {
            return Ok(ReviewState::Pending);
        }
        tracing::debug!(token = %mask::token(&code), "simulated review finished");
        let mut reasons: Vec<(String, String)> = serde_json::from_str(&reasons).unwrap_or_default();
        if reasons.is_empty() {
            // The reviewer's verdict is decided once per submission and kept.
            let failed: i64 = db
                .query_row(
                    "SELECT value FROM state WHERE key = 'failed_reviews'",
                    [],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            if (failed as u64) < u64::from(self.cfg.fail_reviews) {
                reasons = self.cfg.fail_reasons.clone();
                db.execute(
                    "UPDATE state SET value = value + 1 WHERE key = 'failed_reviews'",
                    [],
                )
                .map_err(db_err)?;
                db.execute(
                    "UPDATE submissions SET reasons = ?2 WHERE id = ?1",
                    params![
                        submission,
                        serde_json::to_string(&reasons).unwrap_or_default()
                    ],
                )
                .map_err(db_err)?;
            }
        }
        if reasons.is_empty() {
            Ok(ReviewState::Passed)
        } else {
            Ok(ReviewState::Failed(reasons))
        }
    }

    async fn create_order(&self, submission: &str) -> Result<OrderInfo, ServiceError> {
        self.call().await?;
        self.expire_orders();
        let db = self.db();
        let known: Option<i64> = db
            .query_row(
                "SELECT 1 FROM submissions WHERE id = ?1",
                [submission],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        if known.is_none() {
            return Err(ServiceError::Refused(Refusal::NotFound {
                what: "submission",
                id: submission.to_owned(),
            }));
        }
        // An open (or paid) order of the submission comes back: never a second payment.
        let open: Option<String> = db
            .query_row(
                "SELECT id FROM orders WHERE submission = ?1 AND (closed = 0 OR paid = 1) ORDER BY paid DESC LIMIT 1",
                [submission],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        let id = match open {
            Some(id) => id,
            None => {
                let id = Self::next_id(&db, "ord").map_err(db_err)?;
                db.execute(
                    "INSERT INTO orders (id, submission, at_ms) VALUES (?1, ?2, ?3)",
                    params![id, submission, now_ms() as i64],
                )
                .map_err(db_err)?;
                id
            }
        };
        Ok(self.order_info(&id))
    }

    async fn payment(&self, order: &str) -> Result<PaymentState, ServiceError> {
        self.call().await?;
        self.order_state(order)
    }

    async fn heartbeat(&self, beat: &crate::wire::Heartbeat) -> Result<(), ServiceError> {
        self.call().await?;
        self.record_heartbeat(
            &beat.kiosk,
            &serde_json::to_string(beat).unwrap_or_default(),
        );
        Ok(())
    }

    async fn close_order(&self, order: &str) -> Result<PaymentState, ServiceError> {
        self.call().await?;
        // A paid order stays paid.
        self.db()
            .execute(
                "UPDATE orders SET closed = 1 WHERE id = ?1 AND paid = 0",
                [order],
            )
            .map_err(db_err)?;
        self.order_state(order)
    }
}
