//! An in-process collection service for demo mode: a roster of demo graduates, uploads checked
//! with the kiosk's own photo checks, a review that finishes after a delay, and orders that the
//! simulated graduate pays after a delay (or a test pays with [`SimService::pay`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use super::{CollectionService, Resolved, ServiceError};
use crate::flow::{Identity, OrderInfo, PaymentState, RejectReason, ReviewState};
use crate::mask;
use crate::photo::{self, PhotoConfig};

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
}

impl Default for SimServiceConfig {
    fn default() -> Self {
        Self {
            review_ms: 8_000,
            auto_pay_ms: Some(6_000),
            amount_fen: 2_000,
            latency_ms: 50,
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

struct Submission {
    code: String,
    at: Instant,
    reasons: Vec<(String, String)>,
}

struct Order {
    submission: String,
    at: Instant,
    paid: bool,
    closed: bool,
}

#[derive(Default)]
struct Store {
    shots: HashMap<String, u8>,
    submissions: HashMap<String, Submission>,
    by_key: HashMap<(String, u8), String>,
    orders: HashMap<String, Order>,
    down: bool,
    next: u64,
}

/// The in-process simulator.
pub struct SimService {
    cfg: SimServiceConfig,
    photo: PhotoConfig,
    store: Mutex<Store>,
}

impl SimService {
    /// A simulator with the demo roster.
    pub fn new(cfg: SimServiceConfig, photo: PhotoConfig) -> Self {
        Self {
            cfg,
            photo,
            store: Mutex::new(Store::default()),
        }
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Mark an order paid, as WeChat's notification would. Idempotent.
    pub fn pay(&self, order: &str) -> bool {
        match self.store().orders.get_mut(order) {
            Some(o) => {
                o.paid = true;
                true
            }
            None => false,
        }
    }

    /// Whether shot `shot` of `code` was uploaded already (a retry of the same upload).
    pub fn has_upload(&self, code: &str, shot: u8) -> bool {
        self.store().by_key.contains_key(&(code.to_owned(), shot))
    }

    /// Shots counted for `code`.
    pub fn shots(&self, code: &str) -> u8 {
        self.store().shots.get(code).copied().unwrap_or(0)
    }

    /// Take the service down (every call fails as unavailable) or bring it back.
    pub fn set_down(&self, down: bool) {
        self.store().down = down;
    }

    async fn call(&self) -> Result<(), ServiceError> {
        if self.cfg.latency_ms > 0 {
            tokio::time::sleep(Duration::from_millis(self.cfg.latency_ms)).await;
        }
        if self.store().down {
            return Err(ServiceError::Unavailable("simulated outage".into()));
        }
        Ok(())
    }
}

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
            shots_used: self.store().shots.get(code).copied().unwrap_or(0),
        })
    }

    async fn upload(&self, code: &str, shot: u8, jpeg: &[u8]) -> Result<String, ServiceError> {
        self.call().await?;
        let mut s = self.store();
        if let Some(existing) = s.by_key.get(&(code.to_owned(), shot)) {
            return Ok(existing.clone());
        }
        s.next += 1;
        let id = format!("sub-{}", s.next);
        let used = s.shots.entry(code.to_owned()).or_default();
        *used = (*used).max(shot);
        let reasons = photo::check(&self.photo, jpeg);
        s.submissions.insert(
            id.clone(),
            Submission {
                code: code.to_owned(),
                at: Instant::now(),
                reasons,
            },
        );
        s.by_key.insert((code.to_owned(), shot), id.clone());
        Ok(id)
    }

    async fn review(&self, submission: &str) -> Result<ReviewState, ServiceError> {
        self.call().await?;
        let s = self.store();
        let sub = s
            .submissions
            .get(submission)
            .ok_or_else(|| ServiceError::Refused(format!("no submission {submission}")))?;
        if sub.at.elapsed() < Duration::from_millis(self.cfg.review_ms) {
            return Ok(ReviewState::Pending);
        }
        tracing::debug!(code = %mask::token(&sub.code), "simulated review finished");
        if sub.reasons.is_empty() {
            Ok(ReviewState::Passed)
        } else {
            Ok(ReviewState::Failed(sub.reasons.clone()))
        }
    }

    async fn create_order(&self, submission: &str) -> Result<OrderInfo, ServiceError> {
        self.call().await?;
        let mut s = self.store();
        if !s.submissions.contains_key(submission) {
            return Err(ServiceError::Refused(format!("no submission {submission}")));
        }
        if let Some((id, _)) = s
            .orders
            .iter()
            .find(|(_, o)| o.submission == submission && !o.closed)
        {
            let id = id.clone();
            return Ok(self.order_info(&id));
        }
        s.next += 1;
        let id = format!("ord-{}", s.next);
        s.orders.insert(
            id.clone(),
            Order {
                submission: submission.to_owned(),
                at: Instant::now(),
                paid: false,
                closed: false,
            },
        );
        Ok(self.order_info(&id))
    }

    async fn payment(&self, order: &str) -> Result<PaymentState, ServiceError> {
        self.call().await?;
        let mut s = self.store();
        let o = s
            .orders
            .get_mut(order)
            .ok_or_else(|| ServiceError::Refused(format!("no order {order}")))?;
        if let Some(ms) = self.cfg.auto_pay_ms
            && !o.closed
            && o.at.elapsed() >= Duration::from_millis(ms)
        {
            o.paid = true;
        }
        Ok(if o.paid {
            PaymentState::Paid
        } else if o.closed {
            PaymentState::Closed
        } else {
            PaymentState::Pending
        })
    }

    async fn close_order(&self, order: &str) -> Result<(), ServiceError> {
        self.call().await?;
        if let Some(o) = self.store().orders.get_mut(order)
            && !o.paid
        {
            o.closed = true;
        }
        Ok(())
    }
}

impl SimService {
    fn order_info(&self, id: &str) -> OrderInfo {
        OrderInfo {
            id: id.to_owned(),
            code_url: format!("weixin://wxpay/bizpayurl?pr=SIM{id}"),
            amount_fen: self.cfg.amount_fen,
        }
    }
}
