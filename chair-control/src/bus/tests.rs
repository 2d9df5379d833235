//! The bus's reply checks, against hand-made devices on an in-memory link. Each fake answers
//! with frames that are well-formed (valid CRC, right slave, right function code) but do not fit
//! the request, which tokio-modbus passes through.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use crate::sim::stream::{frame, next_request};
use crate::{Bus, Chair, ChairMap, DuplexLink, ErrorKind, Lights, LightsMap};

/// Given the request's slave, PDU and how many requests came before it (over every pipe),
/// the PDU to answer with, or `None` to stay silent.
type Script = dyn Fn(u8, &[u8], usize) -> Option<Vec<u8>> + Send + Sync;

/// A device following `script`, and how many times the bus opened a link to it.
fn fake(
    script: impl Fn(u8, &[u8], usize) -> Option<Vec<u8>> + Send + Sync + 'static,
) -> (Bus, Arc<AtomicUsize>) {
    let script: Arc<Script> = Arc::new(script);
    let requests = Arc::new(AtomicUsize::new(0));
    let opens = Arc::new(AtomicUsize::new(0));
    let opened = opens.clone();
    let link = DuplexLink::new("fake", move |far_end| {
        opened.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(answer(far_end, script.clone(), requests.clone()));
    });
    // Short timeout and one retry: the retry after a misfit reply waits out twice the timeout
    // (a resync), which the paused clock makes instant.
    (Bus::with_link(link, Duration::from_millis(50), 1), opens)
}

async fn answer(mut stream: DuplexStream, script: Arc<Script>, requests: Arc<AtomicUsize>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    loop {
        while let Some((slave, pdu)) = next_request(&mut buf) {
            let n = requests.fetch_add(1, Ordering::SeqCst);
            if let Some(reply) = script(slave, &pdu, n)
                && stream.write_all(&frame(slave, &reply)).await.is_err()
            {
                return;
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Writes are echoed as a device does; reads get `read(function)`.
fn reads_answered_with(
    read: impl Fn(u8) -> Vec<u8> + Send + Sync + 'static,
) -> (Bus, Arc<AtomicUsize>) {
    fake(move |_, pdu, _| match pdu[0] {
        0x06 => Some(pdu.to_vec()),
        0x10 => Some(pdu[..5].to_vec()),
        function => Some(read(function)),
    })
}

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f)
        .await
        .expect("finished within 10 s")
}

#[tokio::test(start_paused = true)]
async fn a_holding_read_answered_with_no_registers_is_a_protocol_error() {
    // Function 3, byte count 0: a valid frame carrying nothing.
    let (bus, opens) = reads_answered_with(|function| vec![function, 0]);
    let err = within(bus.read_holding(1, 0x10, 1)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(
        err.to_string()
            .contains("asked for 1 register at 0x0010, the reply carried 0"),
        "{err}"
    );
    // Such a reply may belong to an earlier request: the retry went out on a fresh link.
    assert_eq!(opens.load(Ordering::SeqCst), 2);

    // The drivers return the error where they used to index the empty reply and panic.
    let lights = Lights::new(Arc::new(bus), LightsMap::default());
    let err = within(lights.set("key", 100)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    let err = within(lights.levels()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
}

#[tokio::test(start_paused = true)]
async fn chair_status_from_input_replies_of_the_wrong_length_is_a_protocol_error() {
    let (bus, _) = reads_answered_with(|function| vec![function, 4, 0, 1, 0, 2]);
    let chair = Chair::new(Arc::new(bus), ChairMap::default());
    let err = within(chair.status()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(
        err.to_string()
            .contains("asked for 1 register at 0x0000, the reply carried 2"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_write_echo_that_does_not_match_is_a_protocol_error() {
    let (bus, _) = fake(|_, pdu, _| match pdu[0] {
        // Echo another value, and confirm one register fewer than written.
        0x06 => Some(vec![0x06, pdu[1], pdu[2], 0x00, 0x00]),
        0x10 => Some(vec![0x10, pdu[1], pdu[2], 0x00, pdu[4] - 1]),
        _ => None,
    });
    let err = within(bus.write(1, 0x11, &[800])).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Protocol, "{err}");
    assert!(
        err.to_string()
            .contains("wrote 0x0320 to register 0x0011, the reply echoed 0x0000 to 0x0011"),
        "{err}"
    );
    let err = within(bus.write(1, 0x00, &[1, 2])).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("wrote 2 registers at 0x0000, the reply confirmed 1 register at 0x0000"),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_right_reply_after_a_short_one_is_taken_on_the_retry() {
    let (bus, opens) = fake(|_, pdu, n| match (pdu[0], n) {
        (0x03, 0) => Some(vec![0x03, 0]),
        (0x03, _) => Some(vec![0x03, 2, 0x00, 42]),
        _ => None,
    });
    assert_eq!(
        within(bus.read_holding_register(1, 0x10)).await.unwrap(),
        42
    );
    assert_eq!(opens.load(Ordering::SeqCst), 2);
}
