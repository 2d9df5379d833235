//! Fuzz targets: every parser that reads bytes the kiosk does not control. Each must give an
//! answer or a clear error, never panic, hang or allocate without bound; some check more (a
//! read of N registers gives N words; a masked identity stays masked). See `fuzz/src/lib.rs`
//! for how they run and `docs/reliability.md` for what they found.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kiosk_fuzz::fuzz;

/// A QR payload (camera or USB scanner) classified by the booth's rules.
#[test]
fn qr_payload() {
    let rules = kiosk_app::qr::QrRules::default();
    fuzz("qr_payload", vec![], |bytes| {
        let payload = String::from_utf8_lossy(bytes);
        let kind = kiosk_app::qr::classify(&rules, &payload);
        if let kiosk_core::flow::ScannedCode::Personal(code) = &kind {
            assert!(code.starts_with(&rules.personal_prefix), "{code:?}");
            assert!(code.len() <= rules.personal_prefix.len() + kiosk_app::qr::MAX_TOKEN_LEN);
        }
        // What the log shows of it: never more than six characters.
        let masked = kiosk_core::mask::token(&payload);
        assert!(masked.chars().count() <= 6 + 3 + 20, "{masked}");
    });
}

/// The USB scanner's `input_event` records turned into lines.
#[test]
fn scanner_keys() {
    use kiosk_app::scanner::{EVENT_SIZE, KeyDecoder, parse_event};
    fuzz("scanner_keys", vec![], |bytes| {
        let mut decoder = KeyDecoder::default();
        for record in bytes.chunks_exact(EVENT_SIZE) {
            let record: &[u8; EVENT_SIZE] = record.try_into().expect("a whole record");
            let (kind, code, value) = parse_event(record);
            if let Some(line) = decoder.feed(kind, code, value) {
                assert!(
                    !line.is_empty() && line.len() <= 4096,
                    "{} bytes",
                    line.len()
                );
            }
        }
    });
}

/// The kiosk's TOML config: parsed and validated, or refused naming the file and a key.
#[test]
fn config() {
    use kiosk_app::config::Config;
    let default = toml::to_string(&Config::default()).expect("the default config serialises");
    fuzz("config", vec![default.into_bytes()], |bytes| {
        let text = String::from_utf8_lossy(bytes);
        if let Err(e) = Config::from_toml("fuzz.toml", &text) {
            assert_eq!(e.file, "fuzz.toml");
            assert!(!e.key.is_empty() && !e.message.is_empty(), "{e}");
        }
    });
}

/// The journal's session snapshot (what a restart resumes from): resumed or started fresh.
#[test]
fn journal_snapshot() {
    use kiosk_core::snapshot::{Decoded, decode, encode};
    let current = encode(&kiosk_core::flow::State::default()).into_bytes();
    fuzz("journal_snapshot", vec![current], |bytes| {
        let text = String::from_utf8_lossy(bytes);
        if let Decoded::Resume { state, .. } = decode(&text) {
            // What was resumed is written again and read back the same.
            match decode(&encode(&state)) {
                Decoded::Resume { state: again, .. } => assert_eq!(again, state),
                Decoded::Fresh { reason, .. } => panic!("a resumed state re-reads fresh: {reason}"),
            }
        }
    });
}

/// Images `kiosk qr decode` and the photo pipeline open: headers read first, sizes bounded.
#[test]
fn image_headers() {
    let jpeg = {
        let img =
            image::RgbImage::from_fn(48, 64, |x, y| image::Rgb([x as u8 * 5, y as u8 * 4, 90]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 60)
            .encode_image(&img)
            .expect("a JPEG");
        out
    };
    let png = {
        let img = image::GrayImage::from_fn(33, 17, |x, y| image::Luma([(x * y) as u8]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("a PNG");
        out.into_inner()
    };
    // Small bounds keep each run fast; the bound itself is what is checked.
    const MAX_PIXELS: u64 = 1 << 20;
    fuzz("image_headers", vec![jpeg, png], |bytes| {
        if let Some((w, h)) = kiosk_photo::decoded_size(bytes, MAX_PIXELS) {
            assert!(u64::from(w) * u64::from(h) <= MAX_PIXELS, "{w} × {h}");
        }
        if let Ok(decoded) = kiosk_photo::decode_any(bytes, MAX_PIXELS) {
            let (w, h) = decoded.image.dimensions();
            assert!(u64::from(w) * u64::from(h) <= MAX_PIXELS, "{w} × {h}");
        }
        if kiosk_photo::decoded_size(bytes, MAX_PIXELS).is_some() || bytes.len() < 64 {
            // The QR reader's own header check and decode (its pixel bound is larger, so only
            // images already known small, or too short to be one, go this far).
            let _ = kiosk_app::qr::decode_image(bytes);
        }
    });
}

/// A current-thread runtime on a paused clock: timeouts elapse at once when nothing else can
/// run, so a silent or truncated reply costs no real time.
fn paused_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime")
}

/// The same frame with its CRC made right, so mutations reach the decoder behind the CRC check.
fn with_crc(frame: &[u8]) -> Option<Vec<u8>> {
    let body = frame.get(..frame.len().checked_sub(2)?)?;
    let mut fixed = body.to_vec();
    fixed.extend_from_slice(&chair_control::sim::crc16(body).to_le_bytes());
    Some(fixed)
}

/// Replies from a device on the serial bus, read by the production bus for each kind of request.
#[test]
fn modbus_replies() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = paused_runtime();
    let reply: Arc<Mutex<Vec<u8>>> = Arc::default();
    let device_reply = reply.clone();
    let link = chair_control::DuplexLink::new("fuzz", move |mut far| {
        let reply = device_reply.lock().expect("the reply").clone();
        tokio::spawn(async move {
            let mut request = [0u8; 256];
            // Answer every request with the fuzzed bytes until the bus drops the link.
            while let Ok(n) = far.read(&mut request).await {
                if n == 0 || far.write_all(&reply).await.is_err() {
                    break;
                }
            }
        });
    });
    let bus =
        rt.block_on(async { chair_control::Bus::with_link(link, Duration::from_millis(50), 0) });
    let bus = AssertUnwindSafe(bus);
    let rt = AssertUnwindSafe(rt);
    fuzz("modbus_replies", vec![], |bytes| {
        let variants = [Some(bytes.to_vec()), with_crc(bytes)];
        for frame in variants.into_iter().flatten() {
            *reply.lock().expect("the reply") = frame;
            rt.block_on(async {
                // A fresh link per reply: a resync drops the old one.
                if let Ok(words) = bus.read_holding(1, 0, 1).await {
                    assert_eq!(words.len(), 1);
                }
                if let Ok(words) = bus.read_input(2, 0, 2).await {
                    assert_eq!(words.len(), 2);
                }
                let _ = bus.write(1, 0, &[5]).await;
                let _ = bus.write(1, 0, &[5, 6]).await;
            });
        }
    });
}

/// Requests (and noise) arriving at the serial simulator, which frames and answers them.
#[test]
fn modbus_requests() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rt = AssertUnwindSafe(paused_runtime());
    let sim = chair_control::sim::SimHandle::new(
        chair_control::LightsMap::default(),
        chair_control::ChairMap::default(),
        chair_control::sim::ChairPhysics::default(),
    );
    let sim = AssertUnwindSafe(sim);
    fuzz("modbus_requests", vec![], |bytes| {
        let variants = [Some(bytes.to_vec()), with_crc(bytes)];
        for frame in variants.into_iter().flatten() {
            rt.block_on(async {
                let (mut near, far) = tokio::io::duplex(1 << 17);
                let served = tokio::spawn({
                    let sim = sim.clone();
                    async move { sim.serve(far).await }
                });
                near.write_all(&frame)
                    .await
                    .expect("the pipe is large enough");
                near.shutdown().await.expect("shutdown");
                let mut replies = Vec::new();
                // The simulator ends when the request stream ends: it must not hang.
                tokio::time::timeout(Duration::from_secs(10), near.read_to_end(&mut replies))
                    .await
                    .expect("the simulator answers and stops at the end of its input")
                    .expect("read");
                let _ = served.await.expect("the simulator does not panic");
            });
        }
    });
}

/// The collection service's answers (status and body), read by the production HTTP client for
/// every call it makes. The service is a loopback server answering whatever the input says.
#[test]
fn service_answers() {
    use collection_service::CollectionService;
    use collection_service::client::HttpService;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let answer: Arc<Mutex<(u16, Vec<u8>)>> = Arc::default();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("a loopback port");
    let url = format!("http://{}/", listener.local_addr().expect("an address"));
    let served = answer.clone();
    rt.spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            let (status, body) = served.lock().expect("the answer").clone();
            tokio::spawn(async move {
                // Read the request's head and its body (Content-Length), then answer and close.
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                    if let Some(i) = request.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&request[..head_end]).to_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                while request.len() < head_end + length {
                    match conn.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                )
                .into_bytes();
                out.extend_from_slice(&body);
                let _ = conn.write_all(&out).await;
                let _ = conn.shutdown().await;
            });
        }
    });
    let client = HttpService::new(
        &url,
        "booth-fuzz",
        b"secret".to_vec(),
        Duration::from_secs(5),
        0,
    )
    .expect("a loopback client")
    .with_backoff(Duration::from_millis(1));
    let beat: collection_service::wire::Heartbeat = serde_json::from_str(
        r#"{"kiosk":"booth-fuzz","screen":"attract","devices":{"camera":"ok"}}"#,
    )
    .expect("a heartbeat");
    let rt = AssertUnwindSafe(rt);
    let client = AssertUnwindSafe(client);
    let beat = AssertUnwindSafe(beat);
    fuzz("service_answers", vec![], |bytes| {
        // "<status>\n<body>"; a status outside 200..=599 (1xx would be an interim answer, not
        // the service's) reads as 200.
        let (status, body) = match bytes.iter().position(|b| *b == b'\n') {
            Some(i) => (
                std::str::from_utf8(&bytes[..i])
                    .ok()
                    .and_then(|s| s.trim().parse::<u16>().ok())
                    .filter(|s| (200..=599).contains(s))
                    .unwrap_or(200),
                bytes[i + 1..].to_vec(),
            ),
            None => (200, bytes.to_vec()),
        };
        *answer.lock().expect("the answer") = (status, body);
        rt.block_on(async {
            if let Ok(resolved) = client.resolve("GPK1.DEMO-ZHANG-WEISAN-0001").await {
                // Whatever the service sent, the kiosk shows only a masked identity.
                let id = &resolved.identity.id_number;
                assert!(id.starts_with("*****"), "{id}");
                assert!(id.chars().count() <= 9, "{id}");
                assert!(resolved.identity.name.chars().count() <= 4);
            }
            let _ = client
                .upload("GPK1.DEMO-ZHANG-WEISAN-0001", 1, b"\xff\xd8\xff\xd9")
                .await;
            let _ = client.review("sub-1").await;
            let _ = client.create_order("sub-1").await;
            let _ = client.payment("ord-1").await;
            let _ = client.close_order("ord-1").await;
            let _ = client.heartbeat(&beat).await;
        });
    });
}
