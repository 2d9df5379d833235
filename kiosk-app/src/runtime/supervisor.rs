//! Nothing that keeps the booth safe may stop silently. Every long-lived room (the health
//! monitor that sees overcurrent and stalls, the device workers, the event sources, the face
//! tracker, the seat leveller, the heartbeat) runs under [`keep_running`]: a panic is logged
//! and the room started again. The runtime itself runs under [`settle`]: a panic there makes
//! the booth safe (chair motor off, lights off) and is reported as [`Ended::Crashed`], so the
//! process ends non-zero and systemd starts it again instead of leaving a frozen screen.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinError;
use tokio_util::task::AbortOnDropHandle;
use tracing::error;

use super::World;
use super::devices::emergency_stop;

/// How the runtime is doing, as its supervisor sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Still running.
    Running,
    /// Shut down as asked (chair motor off, lights off).
    Stopped,
    /// Panicked; the emergency stop has run. The process should end non-zero.
    Crashed,
}

/// First pause before a room that panicked is started again; it doubles with every further
/// panic up to [`MAX_PAUSE`], so a room that panics at once is not restarted in a tight loop.
pub const FIRST_PAUSE: Duration = Duration::from_secs(1);
/// Longest pause between restarts.
pub const MAX_PAUSE: Duration = Duration::from_secs(30);

/// A task that ends when its handle is dropped. Tokio detaches a task whose `JoinHandle` is
/// dropped; every room and the runtime itself are owned this way instead, so that a runtime
/// stopped (or aborted) takes all of its rooms with it: none keeps the journal, the camera
/// thread or a connection open behind it.
pub type Owned = AbortOnDropHandle<()>;

/// Spawn `task`, owned by the returned handle.
pub fn spawn_owned(task: impl Future<Output = ()> + Send + 'static) -> Owned {
    AbortOnDropHandle::new(tokio::spawn(task))
}

/// Runs the room `make` builds, and builds and runs it again after it panics (waiting
/// `first_pause`, doubling up to [`MAX_PAUSE`]). A room that returns (its channels closed: the
/// runtime is shutting down) or is cancelled is not restarted. Dropping the handle ends the
/// room, wherever it is.
pub fn keep_running<F, Fut>(room: &'static str, first_pause: Duration, make: F) -> Owned
where
    F: Fn() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    spawn_owned(async move {
        let mut pause = first_pause;
        let mut restarts = 0u32;
        loop {
            // Its own task, so that a panic is caught here; owned, so that cancelling this
            // task cancels that one too.
            match spawn_owned(make()).await {
                Ok(()) => return,
                Err(e) if e.is_cancelled() => return,
                Err(e) => {
                    restarts += 1;
                    error!(
                        code = kiosk_core::ops::code::TASK_RESTARTED,
                        room,
                        restarts,
                        panic = %panic_text(e),
                        restart_in_ms = pause.as_millis() as u64,
                        "a background room stopped abnormally; starting it again"
                    );
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(MAX_PAUSE);
                }
            }
        }
    })
}

/// Waits for the runtime's task; if it panicked, makes the booth safe first.
pub async fn settle(world: &World, task: Owned) -> Ended {
    match task.await {
        Ok(()) => Ended::Stopped,
        Err(e) if e.is_cancelled() => Ended::Stopped,
        Err(e) => {
            error!(code = kiosk_core::ops::code::RUNTIME_PANICKED, panic = %panic_text(e), "the runtime panicked");
            emergency_stop(world).await;
            Ended::Crashed
        }
    }
}

/// The panic's message, when it carried one.
fn panic_text(e: JoinError) -> String {
    match e.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into()),
        Err(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn a_room_that_panics_is_started_again_and_one_that_returns_is_not() {
        let runs = Arc::new(AtomicU32::new(0));
        let (done_tx, done) = tokio::sync::oneshot::channel();
        let done_tx = std::sync::Mutex::new(Some(done_tx));
        let task = keep_running("test", Duration::from_millis(1), {
            let runs = runs.clone();
            move || {
                let n = runs.fetch_add(1, Ordering::SeqCst) + 1;
                let done = done_tx.lock().unwrap().take_if(|_| n == 3);
                async move {
                    // Panics twice, like the monitor on a malformed reply, then runs on.
                    assert!(n >= 3, "run {n} fails");
                    if let Some(tx) = done {
                        let _ = tx.send(());
                    }
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), done)
            .await
            .expect("the third run started")
            .unwrap();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .expect("the supervisor ends when the room returns")
            .unwrap();
        assert_eq!(runs.load(Ordering::SeqCst), 3);
    }

    /// Dropping a room's handle ends the room itself (its own task, inside the supervising
    /// one), not only the supervisor: a restarted kiosk must not leave rooms running behind.
    #[tokio::test]
    async fn dropping_the_handle_ends_the_room_itself() {
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let started_tx = std::sync::Mutex::new(Some(started_tx));
        let (held_tx, mut held) = tokio::sync::oneshot::channel::<()>();
        let held_tx = Arc::new(std::sync::Mutex::new(Some(held_tx)));
        let room = keep_running("test", Duration::from_millis(1), move || {
            let (started, held) = (started_tx.lock().unwrap().take(), held_tx.clone());
            async move {
                // The room owns the sender while it runs, like the heartbeat owns the world.
                let _sender = held.lock().unwrap().take();
                if let Some(tx) = started {
                    let _ = tx.send(());
                }
                std::future::pending::<()>().await;
            }
        });
        started.await.unwrap();
        assert!(held.try_recv().is_err(), "the room is running");
        drop(room);
        let ended = tokio::time::timeout(Duration::from_secs(10), held)
            .await
            .expect("the room ended once its handle was dropped");
        assert!(ended.is_err(), "its sender was dropped, not used");
    }
}
