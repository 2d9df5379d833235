//! The local journal (SQLite, WAL): every transition is written before its effects run, so a
//! killed kiosk restarts where it was; shot counters and photos not yet held by the service
//! survive a restart.
//!
//! Nothing personal is readable in it, and nothing personal stays after a session:
//!
//! - Shooting codes are keys only as keyed digests (HMAC-SHA-256 under the kiosk's journal
//!   key), so the counters cannot be matched against a list of codes without the key.
//! - The session snapshot (which holds the code, to talk to the service after a restart) and
//!   the photos are sealed with ChaCha20-Poly1305 under the same key. The key is a file of its
//!   own beside the journal (`journal.key`, owner-only), so a copy of the journal alone (a
//!   backup, a support bundle) holds nothing personal; a booth that keeps the key elsewhere
//!   (a credential store) points `journal.key` there with a symlink.
//! - `secure_delete` zeroes deleted rows and freed pages, and [`Journal::end_session`] deletes
//!   every photo and truncates the WAL, so the old frames (older snapshots, the photos) are
//!   gone from disk once the session is over. Opening the journal truncates the WAL too, for
//!   a kiosk that was killed.

mod keys;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};

use keys::{Keys, journal_key, legacy_digest, owner_only};

use kiosk_core::flow::State;
use kiosk_core::snapshot::{self, Decoded};

/// Transitions kept (the newest): about ten days of a busy booth, a few MB.
const TRANSITIONS_KEPT: i64 = 50_000;

/// Prefix of a sealed snapshot (hex of nonce and ciphertext follows).
const SEALED: &str = "sealed1:";

/// Journal errors.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// SQLite failed.
    #[error("journal: {0}")]
    Db(#[from] rusqlite::Error),
    /// A file of the journal (its key, or the journal moved aside) could not be read, written
    /// or moved.
    #[error("journal file {path}: {error}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        error: std::io::Error,
    },
    /// SQLite's integrity check failed.
    #[error("journal is damaged: {0}")]
    Damaged(String),
    /// A sealed photo did not open with this journal's key (another kiosk's journal, or the
    /// key was replaced).
    #[error("journal: a sealed photo does not open with this journal's key")]
    Sealed,
}

/// What [`Journal::purge_before`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    /// Shot counters (one per shooting code).
    pub counters: usize,
    /// Transitions.
    pub transitions: usize,
}

/// What [`Journal::inspect`] found in a journal file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inspection {
    /// Shot counters held.
    pub counters: u64,
    /// Transitions held.
    pub transitions: u64,
    /// Size of the WAL beside it (0 when truncated or absent).
    pub wal_bytes: u64,
    /// Whether its key (`journal.key`) is beside it.
    pub key: bool,
}

/// The journal.
pub struct Journal {
    db: Mutex<Connection>,
    keys: Keys,
}

/// The shot counters a damaged journal still yields (none if it yields nothing).
fn read_counters(path: &Path) -> Vec<(String, i64)> {
    let read = || -> rusqlite::Result<Vec<(String, i64)>> {
        let db = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let mut query = db.prepare("SELECT code, used FROM shot_counts")?;
        let rows = query.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        // Rows up to the first unreadable one.
        Ok(rows.map_while(Result::ok).collect())
    };
    read().unwrap_or_default()
}

impl Journal {
    /// Open (or create) the journal at `path`, its key beside it (`path` with the extension
    /// `key`). Whatever a killed kiosk left in the WAL is folded in and the WAL truncated.
    ///
    /// A journal SQLite cannot read, or whose integrity check fails, is moved aside (with its
    /// WAL) for a technician, and the kiosk starts on a new one, keeping the shot counters if
    /// they can still be read from the damaged one.
    pub fn open(path: &Path) -> Result<Self, JournalError> {
        let key = journal_key(&path.with_extension("key"))?;
        match Self::open_checked(path, &key) {
            Err(e @ (JournalError::Db(_) | JournalError::Damaged(_))) => {
                let aside = path.with_extension(format!("damaged-{}", kiosk_core::clock::now_ms()));
                for suffix in ["", "-wal", "-shm"] {
                    let from = PathBuf::from(format!("{}{suffix}", path.display()));
                    let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                    if from.exists() {
                        std::fs::rename(&from, &to).map_err(|error| JournalError::File {
                            path: from.clone(),
                            error,
                        })?;
                    }
                }
                let counters = read_counters(&aside);
                tracing::error!(
                    error = %e, aside = %aside.display(), counters_kept = counters.len(),
                    "the journal could not be used; moved aside, starting on a new one"
                );
                let journal = Self::open_checked(path, &key)?;
                for (code, used) in counters {
                    journal.db().execute(
                        "INSERT OR IGNORE INTO shot_counts (code, used, at_ms) VALUES (?1, ?2, ?3)",
                        params![code, used, kiosk_core::clock::now_ms() as i64],
                    )?;
                }
                Ok(journal)
            }
            other => other,
        }
    }

    /// Check the journal at `path` without changing it (a running kiosk may hold it): SQLite's
    /// integrity check, what it holds, its WAL and its key. `None` when there is no journal
    /// yet.
    pub fn inspect(path: &Path) -> Result<Option<Inspection>, JournalError> {
        if !path.exists() {
            return Ok(None);
        }
        let db = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let check: String = db.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(JournalError::Damaged(check));
        }
        let count = |table: &str| -> Result<u64, JournalError> {
            let exists = db
                .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?
                .exists([table])?;
            if !exists {
                return Ok(0);
            }
            Ok(
                db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })? as u64,
            )
        };
        Ok(Some(Inspection {
            counters: count("shot_counts")?,
            transitions: count("transitions")?,
            wal_bytes: std::fs::metadata(format!("{}-wal", path.display())).map_or(0, |m| m.len()),
            key: path.with_extension("key").exists(),
        }))
    }

    fn open_checked(path: &Path, key: &[u8; 32]) -> Result<Self, JournalError> {
        // A new journal is owner-only from its first byte.
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            let _ = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path);
        }
        let db = Connection::open(path)?;
        owner_only(path);
        let check: String = db.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(JournalError::Damaged(check));
        }
        let journal = Self::init(db, key)?;
        journal.truncate_wal();
        Ok(journal)
    }

    /// An in-memory journal (tests, walkthrough dry runs), under a key of its own.
    pub fn in_memory() -> Result<Self, JournalError> {
        Self::init(Connection::open_in_memory()?, &rand::random())
    }

    fn init(db: Connection, key: &[u8; 32]) -> Result<Self, JournalError> {
        db.pragma_update(None, "journal_mode", "WAL")?;
        db.pragma_update(None, "synchronous", "FULL")?;
        db.pragma_update(None, "secure_delete", "ON")?;
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
        // Journals before retention (0.15) have no time on their shot counters: they count
        // from now.
        let has_time: bool = db
            .prepare("SELECT 1 FROM pragma_table_info('shot_counts') WHERE name = 'at_ms'")?
            .exists([])?;
        if !has_time {
            db.execute_batch(&format!(
                "ALTER TABLE shot_counts ADD COLUMN at_ms INTEGER NOT NULL DEFAULT {}",
                kiosk_core::clock::now_ms()
            ))?;
        }
        Ok(Self {
            db: Mutex::new(db),
            keys: Keys::derive(key),
        })
    }

    fn db(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.db.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Record a transition and the resulting state, in one transaction.
    pub fn record(&self, event: &str, state: &State) -> Result<(), JournalError> {
        let text = format!(
            "{SEALED}{}",
            hex::encode(self.keys.seal(snapshot::encode(state).as_bytes()))
        );
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
            "DELETE FROM transitions WHERE id <= last_insert_rowid() - ?1",
            params![TRANSITIONS_KEPT],
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
            let decoded = self.unseal_snapshot(&t);
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

    /// A stored snapshot decoded: sealed ones opened first; plain JSON is how journals before
    /// the journal key stored it.
    fn unseal_snapshot(&self, text: &str) -> Decoded {
        let Some(sealed) = text.strip_prefix(SEALED) else {
            return snapshot::decode(text);
        };
        match hex::decode(sealed).ok().and_then(|b| self.keys.open(&b)) {
            Some(plain) => snapshot::decode(&String::from_utf8_lossy(&plain)),
            None => Decoded::Fresh {
                reason: "the snapshot does not open with this journal's key".into(),
                sessions_started: None,
            },
        }
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
                "SELECT MAX(used) FROM shot_counts WHERE code IN (?1, ?2)",
                params![self.keys.digest(code), legacy_digest(code)],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        Ok(used.unwrap_or(0).clamp(0, 255) as u8)
    }

    /// Store shot `shot` of `code` and count it, atomically: a counted shot always has its photo.
    pub fn store_shot(&self, code: &str, shot: u8, jpeg: &[u8]) -> Result<(), JournalError> {
        let mut db = self.db();
        let tx = db.transaction()?;
        tx.execute(
            "INSERT OR REPLACE INTO photos (code, shot, jpeg) VALUES (?1, ?2, ?3)",
            params![self.keys.digest(code), shot, self.keys.seal(jpeg)],
        )?;
        tx.execute(
            "INSERT INTO shot_counts (code, used, at_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT(code) DO UPDATE SET used = MAX(used, ?2), at_ms = ?3",
            params![
                self.keys.digest(code),
                shot,
                kiosk_core::clock::now_ms() as i64
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The stored photo of shot `shot` of `code`.
    pub fn photo(&self, code: &str, shot: u8) -> Result<Option<Vec<u8>>, JournalError> {
        let sealed: Option<Vec<u8>> = self
            .db()
            .query_row(
                "SELECT jpeg FROM photos WHERE code = ?1 AND shot = ?2",
                params![self.keys.digest(code), shot],
                |r| r.get(0),
            )
            .optional()?;
        sealed
            .map(|s| self.keys.open(&s).ok_or(JournalError::Sealed))
            .transpose()
    }

    /// Delete the local photos of `code` (the service holds what it needs, or the session
    /// ended). Returns how many were deleted.
    pub fn delete_photos(&self, code: &str) -> Result<usize, JournalError> {
        Ok(self.db().execute(
            "DELETE FROM photos WHERE code IN (?1, ?2)",
            params![self.keys.digest(code), legacy_digest(code)],
        )?)
    }

    /// Delete every photo that is not `code`'s (all of them for `None`): a capture that
    /// finished after its session ended, or photos a killed kiosk left. Returns how many.
    pub fn keep_photos_of(&self, code: Option<&str>) -> Result<usize, JournalError> {
        let keep = code.map(|c| self.keys.digest(c)).unwrap_or_default();
        Ok(self
            .db()
            .execute("DELETE FROM photos WHERE code != ?1", params![keep])?)
    }

    /// The session is over: delete every photo and truncate the WAL, so neither a photo nor an
    /// older snapshot stays on disk (`secure_delete` has zeroed the rows in the file itself).
    pub fn end_session(&self) -> Result<(), JournalError> {
        self.keep_photos_of(None)?;
        self.truncate_wal();
        Ok(())
    }

    /// Retention: forget shot counters last used, and transitions recorded, before
    /// `cutoff_ms`, and truncate the WAL so the deleted rows are gone from every file
    /// (`secure_delete` zeroes them in the database file). Photos never wait this long: they
    /// go once the service holds them or the session ends.
    pub fn purge_before(&self, cutoff_ms: u64) -> Result<Purged, JournalError> {
        let cutoff = i64::try_from(cutoff_ms).unwrap_or(i64::MAX);
        let purged = {
            let mut db = self.db();
            let tx = db.transaction()?;
            let counters = tx.execute("DELETE FROM shot_counts WHERE at_ms < ?1", [cutoff])?;
            let transitions = tx.execute("DELETE FROM transitions WHERE at_ms < ?1", [cutoff])?;
            tx.commit()?;
            Purged {
                counters,
                transitions,
            }
        };
        if purged.counters + purged.transitions > 0 {
            self.truncate_wal();
        }
        Ok(purged)
    }

    /// When the newest row the retention looks at was written (`None`: nothing held).
    pub fn newest_ms(&self) -> Result<Option<u64>, JournalError> {
        let newest: Option<i64> = self.db().query_row(
            "SELECT MAX(m) FROM (SELECT MAX(at_ms) AS m FROM shot_counts
                                 UNION ALL SELECT MAX(at_ms) FROM transitions)",
            [],
            |r| r.get(0),
        )?;
        Ok(newest.map(|n| n.max(0) as u64))
    }

    /// Shot counters held (one per shooting code seen within the retention).
    pub fn counters(&self) -> Result<u64, JournalError> {
        Ok(self
            .db()
            .query_row("SELECT COUNT(*) FROM shot_counts", [], |r| {
                r.get::<_, i64>(0)
            })? as u64)
    }

    /// Fold the WAL into the file and cut it to zero bytes. Logged, not returned, when it
    /// cannot be done now (the next session end tries again).
    fn truncate_wal(&self) {
        let done = self
            .db()
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                r.get::<_, i64>(0)
            });
        match done {
            Ok(0) => {}
            Ok(_) => tracing::warn!("journal WAL busy; not truncated this time"),
            Err(e) => tracing::warn!(error = %e, "journal WAL could not be truncated"),
        }
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

    /// Files under `dir` whose bytes contain `needle`.
    fn holding(dir: &Path, needle: &[u8]) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                std::fs::read(p)
                    .unwrap()
                    .windows(needle.len())
                    .any(|w| w == needle)
            })
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn nothing_personal_is_readable_during_a_session_or_left_after_it_even_after_a_kill() {
        use kiosk_core::flow::{Identity, Phase, Session};
        const CODE: &str = "GPK1.DEMO-ZHANG-WEISAN-0001";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        let mut state = State::new(5);
        state.phase = Phase::Confirm;
        state.session = Some(Session {
            seq: 1,
            code: Some(CODE.into()),
            identity: Some(Identity {
                name: "张**三".into(),
                id_number: "*****8746".into(),
                ..Default::default()
            }),
            ..Default::default()
        });
        let jpeg = [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[7; 80_000]].concat();
        // The photo's first 12 plaintext bytes: three bytes (a JPEG's FF D8 FF) turn up by
        // chance in about one run in a hundred of 200 KB of ciphertext and WAL.
        let personal: [&[u8]; 4] = [
            CODE.as_bytes(),
            "张**三".as_bytes(),
            b"*****8746",
            &jpeg[..12],
        ];
        let sealed_photo = {
            let j = Journal::open(&path).unwrap();
            for _ in 0..20 {
                j.record("Tick", &state).unwrap();
            }
            j.store_shot(CODE, 1, &jpeg).unwrap();
            j.store_shot(CODE, 2, &jpeg).unwrap();
            for needle in personal {
                assert_eq!(holding(dir.path(), needle), Vec::<String>::new());
            }
            let sealed: Vec<u8> = j
                .db()
                .query_row("SELECT jpeg FROM photos WHERE shot = 1", [], |r| r.get(0))
                .unwrap();
            // A photo spans overflow pages: look for pieces of it.
            let pieces: Vec<Vec<u8>> = [100, 40_000, 80_000]
                .iter()
                .map(|&at| sealed[at..at + 32].to_vec())
                .collect();
            for piece in &pieces {
                assert_eq!(holding(dir.path(), piece).len(), 1, "in the WAL");
            }
            // Killed: the connection is never closed, so the WAL is never folded in.
            std::mem::forget(j);
            pieces
        };
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.resume_state(9, Default::default()), state, "resumed");
        assert_eq!(j.photo(CODE, 2).unwrap().as_deref(), Some(&jpeg[..]));
        let mut after = State::new(10);
        after.sessions_started = 1;
        j.record("Intent(Finish)", &after).unwrap();
        j.end_session().unwrap();
        assert_eq!(j.photo(CODE, 2).unwrap(), None);
        assert_eq!(j.shots_used(CODE).unwrap(), 2, "the count stays");
        let wal = dir.path().join("journal.sqlite3-wal");
        assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0);
        for piece in &sealed_photo {
            assert_eq!(holding(dir.path(), piece), Vec::<String>::new());
        }
        drop(j);
        for piece in &sealed_photo {
            assert_eq!(holding(dir.path(), piece), Vec::<String>::new());
        }
        // The key is what opens it: another key starts afresh, and reads no photo.
        std::fs::write(dir.path().join("journal.key"), [9u8; 32]).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.resume_state(11, Default::default()).sessions_started, 0);
        assert_eq!(j.shots_used(CODE).unwrap(), 0);
    }

    #[test]
    fn a_short_key_file_is_replaced_and_the_key_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("journal.key");
        std::fs::write(&key, b"short").unwrap();
        let j = Journal::open(&dir.path().join("journal.sqlite3")).unwrap();
        j.store_shot("GPK1.x", 1, b"jpeg").unwrap();
        assert_eq!(std::fs::read(&key).unwrap().len(), 32);
        assert_eq!(
            std::fs::read(dir.path().join("journal.key.broken")).unwrap(),
            b"short"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn counters_written_before_the_key_are_still_read() {
        let j = Journal::in_memory().unwrap();
        j.db()
            .execute(
                "INSERT INTO shot_counts (code, used) VALUES (?1, 2)",
                params![legacy_digest("GPK1.old")],
            )
            .unwrap();
        assert_eq!(j.shots_used("GPK1.old").unwrap(), 2);
        j.store_shot("GPK1.old", 3, b"jpeg").unwrap();
        assert_eq!(j.shots_used("GPK1.old").unwrap(), 3);
    }

    #[test]
    fn the_transitions_table_keeps_only_the_newest_rows() {
        let j = Journal::in_memory().unwrap();
        j.db()
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50010)
                 INSERT INTO transitions (at_ms, event, phase) SELECT i, 'Tick', 'Attract' FROM n;",
            )
            .unwrap();
        j.record("Tick", &State::new(1)).unwrap();
        assert_eq!(j.transitions().unwrap(), TRANSITIONS_KEPT as u64);
    }

    #[test]
    fn a_damaged_journal_is_moved_aside_keeping_the_shot_counters_it_still_yields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        {
            let j = Journal::open(&path).unwrap();
            j.store_shot("GPK1.kept", 2, b"jpeg").unwrap();
            for i in 0..3000 {
                j.record("Tick", &State::new(i)).unwrap();
            }
        }
        // Scribble over the file's last pages (the transitions), as a failing disk would.
        let mut bytes = std::fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n - 20_000..].fill(0x5A);
        std::fs::write(&path, &bytes).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.shots_used("GPK1.kept").unwrap(), 2);
        assert_eq!(j.transitions().unwrap(), 0, "a new journal");
        let aside: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| {
                n.starts_with("journal.damaged-") && !n.ends_with("-wal") && !n.ends_with("-shm")
            })
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        drop(j);

        // Not a database at all: moved aside too, and the kiosk starts.
        std::fs::write(&path, [0x55; 8192]).unwrap();
        let j = Journal::open(&path).unwrap();
        assert_eq!(j.shots_used("GPK1.kept").unwrap(), 0);
        j.store_shot("GPK1.new", 1, b"jpeg").unwrap();
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

    #[test]
    fn retention_forgets_old_counters_and_transitions_and_a_previous_journal_gains_their_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite3");
        {
            // The previous release's table: no time on the counters.
            let db = Connection::open(&path).unwrap();
            db.execute_batch(
                "CREATE TABLE shot_counts (code TEXT PRIMARY KEY, used INTEGER NOT NULL);
                 INSERT INTO shot_counts VALUES ('old-digest', 2);",
            )
            .unwrap();
        }
        let j = Journal::open(&path).unwrap();
        j.store_shot("GPK1.code-aaaaaaaaaaaaaaaa", 1, b"jpeg")
            .unwrap();
        let now = kiosk_core::clock::now_ms();
        let state = State {
            now_ms: now,
            ..State::default()
        };
        j.record("E", &state).unwrap();
        assert_eq!(j.counters().unwrap(), 2);
        // Nothing is older than an hour ago: nothing goes.
        assert_eq!(j.purge_before(now - 3_600_000).unwrap(), Purged::default());
        assert_eq!(j.shots_used("GPK1.code-aaaaaaaaaaaaaaaa").unwrap(), 1);
        let purged = j.purge_before(now + 1_000).unwrap();
        assert_eq!(
            purged,
            Purged {
                counters: 2,
                transitions: 1
            }
        );
        assert_eq!(j.counters().unwrap(), 0);
        assert_eq!(j.transitions().unwrap(), 0);
        assert_eq!(j.shots_used("GPK1.code-aaaaaaaaaaaaaaaa").unwrap(), 0);
    }
}
