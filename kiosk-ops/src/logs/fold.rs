//! Folding the records, kiosk by kiosk and session by session, into the summary's counts, funnel
//! and step times.

use kiosk_core::flow::SessionOutcome;

use super::read::{Record, What};
use super::*;

/// Per-kiosk folding state.
#[derive(Default)]
pub(super) struct Fold {
    /// A session is in progress (`Some`), with the step on screen and since when.
    open: Option<Option<(u8, i64)>>,
    reached: [u64; Screen::SESSION.len()],
    gave_up: [u64; Screen::SESSION.len()],
    step_secs: [Vec<f64>; Screen::SESSION.len()],
    rejections: HashMap<String, u64>,
    out_since: Option<i64>,
    /// The latest event's time.
    pub(super) last_ms: i64,
}

impl Fold {
    fn close_step(&mut self, ms: i64) {
        if let Some(Some((step, since))) = self.open.as_mut()
            && let Some(v) = self.step_secs.get_mut(usize::from(*step))
        {
            v.push((ms - *since).max(0) as f64 / 1e3);
        }
    }

    pub(super) fn add(&mut self, r: &Record, s: &mut Summary) {
        s.events += 1;
        self.last_ms = r.ms;
        match &r.what {
            What::Started => {
                s.sessions_started += 1;
                self.open = Some(None);
            }
            What::Step(step) => {
                self.close_step(r.ms);
                if let Some(current) = self.open.as_mut() {
                    *current = Some((*step, r.ms));
                }
                if let Some(n) = self.reached.get_mut(usize::from(*step)) {
                    *n += 1;
                }
            }
            What::Ended {
                outcome,
                last_step,
                shots,
            } => {
                self.close_step(r.ms);
                self.open = None;
                *s.outcomes.entry(outcome.clone()).or_default() += 1;
                let known = SessionOutcome::from_name(outcome);
                if known == Some(SessionOutcome::Paid) {
                    s.completed += 1;
                }
                if matches!(
                    known,
                    Some(
                        SessionOutcome::Cancelled
                            | SessionOutcome::IdleTimeout
                            | SessionOutcome::DeviceFault
                    )
                ) && let Some(n) = self.gave_up.get_mut(usize::from(*last_step))
                {
                    *n += 1;
                }
                *s.shots_per_session.entry(*shots).or_default() += 1;
            }
            What::Shot { failed } => {
                s.shots += 1;
                for f in failed {
                    *self.rejections.entry(format!("check: {f}")).or_default() += 1;
                }
            }
            What::ReviewPassed => s.reviews_passed += 1,
            What::ReviewFailed(reasons) => {
                s.reviews_failed += 1;
                for reason in reasons {
                    *self
                        .rejections
                        .entry(format!("review: {reason}"))
                        .or_default() += 1;
                }
            }
            What::Paid(fen) => {
                s.payments_paid += 1;
                s.paid_fen += fen;
            }
            What::Expired => s.payments_expired += 1,
            What::OutOfService => {
                self.out_since.get_or_insert(r.ms);
            }
            What::Back => {
                if let Some(since) = self.out_since.take() {
                    s.out_of_service_secs += (r.ms - since).max(0) as f64 / 1e3;
                }
            }
            What::Fault(code) => *s.faults.entry(code.clone()).or_default() += 1,
        }
    }

    /// End of the window: a kiosk still out of service counts until `end_ms`.
    pub(super) fn finish(&mut self, s: &mut Summary, end_ms: i64) {
        if let Some(since) = self.out_since.take() {
            s.out_of_service_secs += (end_ms - since).max(0) as f64 / 1e3;
        }
        self.finish_steps(s);
    }

    pub(super) fn finish_steps(&mut self, s: &mut Summary) {
        s.funnel = Screen::SESSION
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let v = &mut self.step_secs[i];
                v.sort_by(f64::total_cmp);
                StepRow {
                    step: step.name().into(),
                    reached: self.reached[i],
                    gave_up: self.gave_up[i],
                    median_secs: percentile(v, 0.5),
                    p90_secs: percentile(v, 0.9),
                }
            })
            .collect();
        let mut top: Vec<(String, u64)> = self
            .rejections
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(5);
        s.top_rejections = top;
        let reviewed = s.reviews_passed + s.reviews_failed;
        s.review_pass_rate = (reviewed > 0).then(|| s.reviews_passed as f64 / reviewed as f64);
    }

    pub(super) fn merge(&mut self, other: &Fold) {
        for i in 0..Screen::SESSION.len() {
            self.reached[i] += other.reached[i];
            self.gave_up[i] += other.gave_up[i];
            self.step_secs[i].extend_from_slice(&other.step_secs[i]);
        }
        for (k, v) in &other.rejections {
            *self.rejections.entry(k.clone()).or_default() += v;
        }
    }
}

impl Summary {
    pub(super) fn merge(&mut self, o: &Summary) {
        self.sessions_started += o.sessions_started;
        self.completed += o.completed;
        for (k, v) in &o.outcomes {
            *self.outcomes.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.shots_per_session {
            *self.shots_per_session.entry(*k).or_default() += v;
        }
        for (k, v) in &o.faults {
            *self.faults.entry(k.clone()).or_default() += v;
        }
        self.shots += o.shots;
        self.reviews_passed += o.reviews_passed;
        self.reviews_failed += o.reviews_failed;
        self.payments_paid += o.payments_paid;
        self.paid_fen += o.paid_fen;
        self.payments_expired += o.payments_expired;
        self.out_of_service_secs += o.out_of_service_secs;
        self.events += o.events;
    }
}

/// The `q`-quantile of sorted `v` (nearest rank).
pub(super) fn percentile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}
