//! One log line per [`Observed`] event: its `code`, the kiosk, the session and the event's own
//! fields, at the code's level. `kiosk logs summary` reads exactly these lines.

use kiosk_core::ops::{Level, Observed};
use tracing::{error, info, warn};

/// Log `seen` for `kiosk`'s session number `session`.
pub(super) fn emit(kiosk: &str, session: Option<u64>, seen: &Observed) {
    let code = seen.code();
    let fields = seen.fields();
    let get = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    };
    let session = session.map(|seq| format!("{kiosk}-{seq}"));
    let message = code.to_lowercase().replace('_', " ");
    // tracing needs its field names at compile time: every field any event has is named here,
    // and the ones an event does not have (None) are left out of its line.
    macro_rules! line {
        ($level:ident) => {
            $level!(
                code = %code,
                kiosk,
                session = session.as_deref(),
                step = get("step"),
                outcome = get("outcome"),
                last_step = get("last_step"),
                shots = get("shots"),
                shot = get("shot"),
                shots_used = get("shots_used"),
                failed = get("failed"),
                problem = get("problem"),
                reasons = get("reasons"),
                amount_fen = get("amount_fen"),
                op = get("op"),
                device = get("device"),
                kind = get("kind"),
                reference = get("reference"),
                "{message}"
            )
        };
    }
    match seen.level() {
        Level::Info => line!(info),
        Level::Warn => line!(warn),
        Level::Error => line!(error),
    }
}
