//! Event sources: codes read from the live view (QR worker) and from a USB scanner. Both count
//! only while the flow has asked for scanning (`Effect::QrScanning`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use camera_driver::Frame;
use kiosk_core::flow::Event;
use tokio::sync::{mpsc, watch};
use tracing::debug;

use crate::qr;
use kiosk_core::mask;

/// The same payload held in view is reported again only after this long.
const REPEAT_AFTER: Duration = Duration::from_secs(2);

/// While scanning is on, decode the newest live-view frame on a blocking worker; frames that
/// arrive meanwhile are skipped (the watch channel keeps only the latest).
pub(super) async fn qr_worker(
    mut frames: watch::Receiver<Option<Arc<Frame>>>,
    mut scanning: watch::Receiver<bool>,
    rules: qr::QrRules,
    tx: mpsc::UnboundedSender<Event>,
) {
    let rules = Arc::new(rules);
    let mut last: Option<(String, Instant)> = None;
    loop {
        if !*scanning.borrow_and_update() {
            if scanning.changed().await.is_err() {
                return;
            }
            continue;
        }
        tokio::select! {
            r = frames.changed() => if r.is_err() { return },
            r = scanning.changed() => { if r.is_err() { return } continue; }
        }
        let Some(frame) = frames.borrow_and_update().clone() else {
            continue;
        };
        let scan_rules = Arc::clone(&rules);
        let Ok(Ok(codes)) =
            tokio::task::spawn_blocking(move || qr::decode_for_scan(&frame.jpeg, &scan_rules))
                .await
        else {
            continue;
        };
        let Some((kind, key)) = qr::pick(&rules, &codes) else {
            continue;
        };
        if last
            .as_ref()
            .is_some_and(|(k, at)| *k == key && at.elapsed() < REPEAT_AFTER)
        {
            continue;
        }
        debug!(
            token = %mask::token(&key),
            kind = qr::kind_name(&kind),
            codes = codes.len(),
            "QR code read"
        );
        last = Some((key, Instant::now()));
        let _ = tx.send(Event::CodeScanned(kind));
    }
}

/// Codes from a USB scanner count only while the scan screen is up (like the live view's).
pub(super) async fn scanner_worker(
    mut lines: mpsc::UnboundedReceiver<String>,
    scanning: watch::Receiver<bool>,
    rules: qr::QrRules,
    tx: mpsc::UnboundedSender<Event>,
) {
    while let Some(line) = lines.recv().await {
        if *scanning.borrow() {
            let _ = tx.send(Event::CodeScanned(qr::classify(&rules, &line)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiosk_core::flow::ScannedCode;

    /// Run the scanner worker over `lines` with scanning `on`; the events it sent.
    async fn scanned(on: bool, lines: &[&str]) -> Vec<Event> {
        let (lines_tx, lines_rx) = mpsc::unbounded_channel();
        let (_scanning_tx, scanning) = watch::channel(on);
        let (tx, mut rx) = mpsc::unbounded_channel();
        for line in lines {
            lines_tx.send((*line).to_owned()).unwrap();
        }
        drop(lines_tx);
        let worker = scanner_worker(lines_rx, scanning, qr::QrRules::default(), tx);
        tokio::time::timeout(Duration::from_secs(5), worker)
            .await
            .unwrap();
        let mut events = Vec::new();
        while let Ok(e) = rx.try_recv() {
            events.push(e);
        }
        events
    }

    /// A scanned line becomes an event only while scanning is on, classified by the rules.
    #[tokio::test]
    async fn scanner_codes_count_only_while_scanning() {
        let lines = ["GPK1.scanned-by-usb-0000000", "https://my.chsi.com.cn/x"];
        assert_eq!(scanned(false, &lines).await, vec![]);
        assert_eq!(
            scanned(true, &lines).await,
            vec![
                Event::CodeScanned(ScannedCode::Personal("GPK1.scanned-by-usb-0000000".into())),
                Event::CodeScanned(ScannedCode::RawChsi),
            ]
        );
    }
}
