//! The local journal (SQLite, WAL): every transition is written before its effects run, so a
//! killed kiosk restarts where it was; shot counters and photos not yet held by the service
//! survive a restart.
//!
//! Shooting codes are stored only as SHA-256 digests in the counters; the session snapshot
//! keeps the code itself (the kiosk needs it to talk to the service after a restart), so the
//! file is created readable by its owner only.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use kiosk_core::flow::State;
use kiosk_core::snapshot::{self, Decoded};

/// Journal errors.
#[derive(Debug, thiserror::Error)]
#[error("journal: {0}")]
pub struct JournalError(#[from] rusqlite::Error);

/// The journal.
pub struct Journal {
    db: Mutex<Connection>,
}

fn digest(code: &str) -> String {
    hex::encode(Sha256::digest(code.as_bytes()))
}

impl Journal {
    /// Open (or create) the journal at `path`.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let db = Connection::open(path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        Self::init(db)
    }

    /// An in-memory journal (tests, walkthrough dry runs).
    pub fn in_memory() -> Result<Self, JournalError> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(db: Connection) -> Result<Self, JournalError> {
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS transitions (
                 id INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, session INTEGER,
                 event TEXT NOT NULL, phase TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS shot_counts (code TEXT PRIMARY KEY, used INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS photos (
                 code TEXT NOT NULL, shot INTEGER NOT NULL, jpeg BLOB NOT NULL,
                 PRIMARY KEY (code, shot));",
        )?;
        Ok(Self { db: Mutex::new(db) })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Record a transition and the resulting state, in one transaction.
    pub fn record(&self, event: &str, state: &State) -> Result<(), JournalError> {
        let text = snapshot::encode(state);
        let phase = snapshot::phase_name(&state.phase);
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "INSERT INTO transitions (at_ms, session, event, phase) VALUES (?1, ?2, ?3, ?4)",
            params![
                state.now_ms as i64,
                state.session.as_ref().map(|s| s.seq as i64),
                event,
                phase
            ],
        )?;
        tx.execute(
            "INSERT INTO snapshot (id, state) VALUES (1, ?1) ON CONFLICT(id) DO UPDATE SET state = ?1",
            params![text],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The last recorded snapshot: `None` when there is none (a new kiosk), else what
    /// [`snapshot::decode`] made of it. An unreadable snapshot is logged here; the caller
    /// starts afresh from [`Decoded::Fresh`] (the shot counters are kept either way).
    pub fn last_snapshot(&self) -> Result<Option<Decoded>, JournalError> {
        let text: Option<String> = self
            .db()
            .query_row("SELECT state FROM snapshot WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        Ok(text.map(|t| {
            let decoded = snapshot::decode(&t);
            match &decoded {
                Decoded::Resume { version, .. } if *version < snapshot::VERSION => {
                    tracing::info!(version, "journal snapshot converted from an older version");
                }
                Decoded::Resume { .. } => {}
                Decoded::Fresh { reason, .. } => {
                    tracing::warn!(%reason, "journal snapshot not resumed; starting at the attract screen (shot counters kept)");
                }
            }
            decoded
        }))
    }

    /// The state to resume from the journal, or a fresh one at the attract screen (in `lang`,
    /// at `now_ms`) when there is none or it cannot be resumed. Session numbers keep rising
    /// whenever the old count can be read.
    pub fn resume_state(&self, now_ms: u64, lang: kiosk_core::model::Lang) -> State {
        let fresh = |sessions_started: Option<u64>| {
            let mut s = State::new(now_ms);
            s.lang = lang;
            s.sessions_started = sessions_started.unwrap_or(0);
            s
        };
        match self.last_snapshot() {
            Ok(Some(Decoded::Resume { state, .. })) => *state,
            Ok(Some(Decoded::Fresh {
                sessions_started, ..
            })) => fresh(sessions_started),
            Ok(None) => fresh(None),
            Err(e) => {
                tracing::warn!(error = %e, "journal snapshot could not be read; starting afresh");
                fresh(None)
            }
        }
    }

    /// Shots used with `code` according to this kiosk.
    pub fn shots_used(&self, code: &str) -> Result<u8, JournalError> {
        let used: Option<i64> = self
            .db()
            .query_row(
                "SELECT used FROM shot_counts WHERE code = ?1",
                params![digest(code)],
                |r| r.get(0),
            )
            .optional()?;
        Ok(used.unwrap_or(0).clamp(0, 255) as u8)
    }

    /// Store shot `shot` of `code` and count it, atomically: a counted shot always has its photo.
    pub fn store_shot(&self, code: &str, shot: u8, jpeg: &[u8]) -> Result<(), JournalError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO photos (code, shot, jpeg) VALUES (?1, ?2, ?3)",
            params![digest(code), shot, jpeg],
        )?;
        tx.execute(
            "INSERT INTO shot_counts (code, used) VALUES (?1, ?2)
             ON CONFLICT(code) DO UPDATE SET used = MAX(used, ?2)",
            params![digest(code), shot],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The stored photo of shot `shot` of `code`.
    pub fn photo(&self, code: &str, shot: u8) -> Result<Option<Vec<u8>>, JournalError> {
        Ok(self
            .db()
            .query_row(
                "SELECT jpeg FROM photos WHERE code = ?1 AND shot = ?2",
                params![digest(code), shot],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Delete the local photos of `code` (the service holds what it needs, or the session
    /// ended). Returns how many were deleted.
    pub fn delete_photos(&self, code: &str) -> Result<usize, JournalError> {
        Ok(self
            .db()
            .execute("DELETE FROM photos WHERE code = ?1", params![digest(code)])?)
    }

    /// Number of transitions recorded.
    pub fn transitions(&self) -> Result<u64, JournalError> {
        Ok(self
            .db()
            .query_row("SELECT COUNT(*) FROM transitions", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shot_counts_and_state_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        {
            let j = Journal::open(&path).unwrap();
            j.store_shot("GPK1.code-aaaaaaaaaaaaaaaa", 1, b"jpeg1")
                .unwrap();
            j.store_shot("GPK1.code-aaaaaaaaaaaaaaaa", 2, b"jpeg2")
                .unwrap();
            let mut s = State::new(5);
            s.sessions_started = 7;
            j.record("Tick", &s).unwrap();
        }
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.shots_used("GPK1.code-aaaaaaaaaaaaaaaa").unwrap(), 2);
        assert_eq!(j.shots_used("GPK1.other").unwrap(), 0);
        assert_eq!(
            j.photo("GPK1.code-aaaaaaaaaaaaaaaa", 2).unwrap().as_deref(),
            Some(&b"jpeg2"[..])
        );
        assert_eq!(j.resume_state(0, Default::default()).sessions_started, 7);
        assert_eq!(j.delete_photos("GPK1.code-aaaaaaaaaaaaaaaa").unwrap(), 2);
        assert_eq!(
            j.shots_used("GPK1.code-aaaaaaaaaaaaaaaa").unwrap(),
            2,
            "count stays"
        );
        // The raw code is never stored in the counters.
        let raw: i64 = j
            .db()
            .query_row(
                "SELECT COUNT(*) FROM shot_counts WHERE code LIKE 'GPK1%'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(raw, 0);
    }

    fn with_snapshot(text: &str) -> Journal {
        let j = Journal::in_memory().unwrap();
        j.store_shot("GPK1.code-aaaaaaaaaaaaaaaa", 2, b"jpeg")
            .unwrap();
        j.db()
            .execute(
                "INSERT INTO snapshot (id, state) VALUES (1, ?1)",
                params![text],
            )
            .unwrap();
        j
    }

    #[test]
    fn a_journal_written_by_the_previous_release_resumes_mid_session() {
        let v0 = include_str!("../../kiosk-core/tests/fixtures/snapshot-v0.jsonl");
        let paying = v0.lines().find(|l| l.contains(r#""Showing""#)).unwrap();
        let j = with_snapshot(paying);
        let state = j.resume_state(1, Default::default());
        assert!(matches!(
            state.phase,
            kiosk_core::flow::Phase::Pay(kiosk_core::flow::Pay::Showing { .. })
        ));
        assert_eq!(state.session.unwrap().order.unwrap().id, "ord-1");
    }

    #[test]
    fn a_newer_or_broken_snapshot_starts_afresh_keeping_counters() {
        for text in [
            r#"{"version":99,"sessions_started":12}"#,
            r#"{"sessions_started":12,"phase":"Renamed"}"#,
        ] {
            let j = with_snapshot(text);
            let state = j.resume_state(77, kiosk_core::model::Lang::En);
            assert_eq!(state.phase, kiosk_core::flow::Phase::Attract, "{text}");
            assert_eq!(state.sessions_started, 12, "{text}");
            assert_eq!(state.now_ms, 77);
            assert_eq!(j.shots_used("GPK1.code-aaaaaaaaaaaaaaaa").unwrap(), 2);
        }
        let j = with_snapshot("\u{1}garbage");
        assert_eq!(j.resume_state(5, Default::default()).sessions_started, 0);
    }
}
