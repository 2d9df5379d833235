//! The kiosk against the collection service over HTTP: the real client (`service.backend =
//! "real"`) talking to the simulator server on loopback, a whole session, injected faults, and
//! the contract: every exchange is an operation, status and body the OpenAPI document
//! (`docs/api/collection-service.openapi.json`) describes.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use collection_service::client::HttpService;
use collection_service::sim::{DEMO_ROSTER, SimService};
use collection_service::sim_server::{Exchange, SimServer};
use collection_service::{CollectionService, Outage, Refusal, ServiceError};
use kiosk_app::config::Config;
use kiosk_core::model::{DoneKind, Intent, PayStage, ReviewStage, Screen, ShootStage};
use kiosk_e2e::{Kiosk, SECRET, fast_config, http_config, service_paid_by_hand, to_shoot};
use serde_json::Value;

async fn server(cfg: &Config) -> SimServer {
    let sim = Arc::new(SimService::new(
        cfg.service.sim.clone(),
        std::sync::Arc::new(kiosk_app::photo_lab::PhotoReviewer(cfg.photo.clone())),
    ));
    SimServer::start(sim, &cfg.kiosk.id, SECRET.as_bytes())
        .await
        .unwrap()
}

/// The statuses the server answered to uploads, in order.
fn upload_statuses(server: &SimServer) -> Vec<u16> {
    server
        .exchanges()
        .iter()
        .filter(|x| x.route == "/v1/uploads")
        .map(|x| x.status)
        .collect()
}

fn client(url: &str, secret: &str) -> HttpService {
    HttpService::new(
        url,
        "demo-kiosk",
        secret.as_bytes().to_vec(),
        Duration::from_millis(500),
        2,
    )
    .unwrap()
    .with_backoff(Duration::from_millis(20))
}

/// A kiosk on `cfg` with the first shot on the preview screen.
async fn at_preview(cfg: Config) -> Kiosk {
    let journal = cfg.kiosk.data_dir.join("j.sqlite3");
    let mut k = Kiosk::start(cfg, &journal);
    to_shoot(&mut k).await;
    k.touch(Intent::TakePhoto);
    k.until("preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    k
}

/// Resolve a `$ref` inside the document.
fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let path = r.trim_start_matches("#/");
            let mut cur = doc;
            for part in path.split('/') {
                cur = &cur[part];
            }
            deref(doc, cur)
        }
        None => v,
    }
}

/// Check `value` against a (small) JSON Schema subset: type, required, properties, items, enum.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = deref(doc, schema);
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} not one of {options:?}"));
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let obj = value.as_object().ok_or(format!("{at}: not an object"))?;
            for req in schema["required"].as_array().into_iter().flatten() {
                let key = req.as_str().unwrap_or_default();
                if !obj.contains_key(key) {
                    return Err(format!("{at}: missing {key}"));
                }
            }
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (k, v) in obj {
                    if let Some(s) = props.get(k) {
                        conforms(doc, s, v, &format!("{at}.{k}"))?;
                    }
                }
            }
            Ok(())
        }
        Some("array") => {
            for (i, item) in value
                .as_array()
                .ok_or(format!("{at}: not an array"))?
                .iter()
                .enumerate()
            {
                conforms(doc, &schema["items"], item, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        Some("string") if !value.is_string() => Err(format!("{at}: not a string")),
        Some("integer") if !value.is_u64() && !value.is_i64() => {
            Err(format!("{at}: not an integer"))
        }
        _ => Ok(()),
    }
}

/// Every exchange is a documented operation, answered with a documented status and body.
fn check_contract(exchanges: &[Exchange]) -> usize {
    let doc: Value = serde_json::from_str(include_str!(
        "../../docs/api/collection-service.openapi.json"
    ))
    .unwrap();
    for x in exchanges {
        let op = &doc["paths"][&x.route][x.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is not in the API document",
            x.method,
            x.route
        );
        let response = deref(&doc, &op["responses"][x.status.to_string()]);
        assert!(
            response.is_object(),
            "{} {} answered {}, which the document does not list",
            x.method,
            x.route,
            x.status
        );
        // The request: its JSON body and its required headers.
        let ctx = format!("{} {} request", x.method, x.route);
        if let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") {
            conforms(&doc, schema, &x.request, &ctx)
                .unwrap_or_else(|e| panic!("{e}: {}", x.request));
        }
        for param in op["parameters"].as_array().into_iter().flatten() {
            let param = deref(&doc, param);
            if param["in"] == "header" && param["required"] == true {
                let name = param["name"].as_str().unwrap().to_lowercase();
                assert!(x.headers.contains(&name), "{ctx}: header {name} missing");
            }
        }
        for scheme in ["KioskId", "KioskTimestamp", "KioskNonce", "KioskSignature"] {
            let name = doc["components"]["securitySchemes"][scheme]["name"]
                .as_str()
                .unwrap()
                .to_lowercase();
            assert!(x.headers.contains(&name), "{ctx}: {name} missing");
        }
        if let Some(schema) = response.pointer("/content/application~1json/schema") {
            conforms(
                &doc,
                schema,
                &x.body,
                &format!("{} {} {}", x.method, x.route, x.status),
            )
            .unwrap_or_else(|e| panic!("{e}: {}", x.body));
        }
    }
    exchanges.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_over_http_follows_the_api_document() {
    let dir = tempfile::tempdir().unwrap();
    let base = fast_config(dir.path());
    let server = server(&base).await;
    let k = at_preview(http_config(dir.path(), &server.url())).await;
    // Two 503s on the way: the upload is retried and still counted once.
    server.faults().fail_next.store(2, Ordering::SeqCst);
    k.touch(Intent::UsePhoto);
    let m = k
        .until("pay", |m| m.screen == Screen::Pay && m.pay_qr.is_some())
        .await;
    assert!(m.pay_qr.unwrap().starts_with("weixin://"));
    let m = k.until("done", |m| m.screen == Screen::Done).await;
    assert_eq!(m.done_kind, DoneKind::Paid);
    k.stop().await;

    let exchanges = server.exchanges();
    let uploads: Vec<_> = exchanges
        .iter()
        .filter(|x| x.route == "/v1/uploads")
        .collect();
    assert_eq!(
        uploads.iter().map(|x| x.status).collect::<Vec<_>>(),
        [503, 503, 201],
        "retried through the outage, stored once"
    );
    let checked = check_contract(&exchanges);
    assert!(checked >= 7, "{checked} exchanges");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_retries_what_is_safe_and_refuses_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    let server = server(&cfg).await;
    let code = DEMO_ROSTER[0].0;
    let ok = client(&server.url(), SECRET);

    // An answer that never comes: the request times out and is retried.
    server.faults().stall_next.store(1, Ordering::SeqCst);
    let r = ok.resolve(code).await.expect("resolved after a timeout");
    assert_eq!(r.identity.name, "张**三");

    // A wrong credential is an answer (401), not an outage: refused at once, never retried.
    let before = server.exchanges().len();
    let bad = client(&server.url(), "not-the-credential");
    let e = bad.resolve(code).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Refused(Refusal::Problem { status: 401, code, .. }) if code == "bad_signature"),
        "{e}"
    );
    assert_eq!(server.exchanges().len(), before + 1);

    // Refusals of the code map to their reasons.
    assert!(matches!(
        ok.resolve("GPK1.NOBODY-KNOWS-THIS-0000").await,
        Err(ServiceError::Rejected(
            kiosk_core::flow::RejectReason::Unknown
        ))
    ));

    // The same upload twice (a retry after a lost answer) is one submission, counted once.
    let jpeg =
        std::fs::read(env!("CARGO_MANIFEST_DIR").to_owned() + "/../assets/README.md").unwrap();
    let a = ok.upload(code, 1, &jpeg).await.unwrap();
    let b = ok.upload(code, 1, &jpeg).await.unwrap();
    assert_eq!(a, b);
    let statuses = upload_statuses(&server);
    assert_eq!(statuses, [201, 200]);
    assert_eq!(ok.resolve(code).await.unwrap().shots_used, 1);

    // The answer to an upload is lost (the connection drops after the service stored it):
    // the retry gets the same submission and the shot is still counted once.
    server.faults().drop_next.store(1, Ordering::SeqCst);
    let c = ok
        .upload(code, 2, &jpeg)
        .await
        .expect("upload after a lost answer");
    let shot2 = upload_statuses(&server)[2..].to_vec();
    assert_eq!(
        shot2,
        [201, 200],
        "stored, answer lost, retried, same submission"
    );
    assert_ne!(c, a);
    assert_eq!(ok.resolve(code).await.unwrap().shots_used, 2);

    // Down for longer than the retries: unavailable, after 1 + 2 attempts.
    server.faults().fail_next.store(10, Ordering::SeqCst);
    let before = server.exchanges().len();
    assert!(matches!(
        ok.review(&a).await,
        Err(ServiceError::Unavailable(_))
    ));
    assert_eq!(server.exchanges().len(), before + 3);
    server.faults().fail_next.store(0, Ordering::SeqCst);

    check_contract(&server.exchanges());
}

/// A fake service on loopback answering every request with `answer(stream)` after reading the
/// request head: for what the simulator server will not do (redirect, stream forever).
async fn raw_service<F, Fut>(answer: F) -> String
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api", listener.local_addr().unwrap());
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                // Enough of the request to have its head; the body is not needed.
                let mut buf = vec![0u8; 64 * 1024];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                answer(stream).await;
            });
        }
    });
    url
}

async fn write_all(mut stream: tokio::net::TcpStream, bytes: Vec<u8>) {
    use tokio::io::AsyncWriteExt;
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_never_followed() {
    // Where a hostile redirect points: nothing may ever connect to it.
    let elsewhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let target = format!("http://{}/steal", elsewhere.local_addr().unwrap());
    let url = raw_service(move |stream| {
        let head = format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {target}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        );
        write_all(stream, head.into_bytes())
    })
    .await;
    let c = client(&url, SECRET);
    let code = DEMO_ROSTER[0].0;
    let e = c.resolve(code).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Unavailable(Outage::Redirected(m)) if m.contains("307") && m.contains("not followed") && m.contains("127.0.0.1")),
        "{e}"
    );
    // 307 keeps the method and body: a followed upload would hand the photo and code over.
    let e = c.upload(code, 1, b"\xFF\xD8 a photo").await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Unavailable(Outage::Redirected(m)) if m.contains("not followed")),
        "{e}"
    );
    // Both calls are over, retries included; a followed redirect would have connected by now
    // and would be waiting in the listener's backlog.
    assert_eq!(
        elsewhere.accept().map_err(|e| e.kind()).err(),
        Some(std::io::ErrorKind::WouldBlock),
        "something connected to the redirect's target"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_or_huge_answer_is_not_read() {
    use collection_service::client::MAX_ANSWER_BYTES;
    use tokio::io::AsyncWriteExt;
    let code = DEMO_ROSTER[0].0;

    // Chunked and never ending: cut off once the limit is passed, well before the timeout.
    let endless = raw_service(|mut stream| async move {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                    Transfer-Encoding: chunked\r\n\r\n";
        if stream.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("4000\r\n{}\r\n", " ".repeat(0x4000));
        while stream.write_all(chunk.as_bytes()).await.is_ok() {}
    })
    .await;
    let e = client(&endless, SECRET).resolve(code).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Unavailable(Outage::TooLarge(m))
            if m.contains(&format!("the limit is {MAX_ANSWER_BYTES}"))),
        "{e}"
    );

    // A Content-Length of a gigabyte: refused from the header, nothing read.
    let huge = raw_service(|stream| {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                    Content-Length: 1000000000\r\n\r\n{";
        write_all(stream, head.as_bytes().to_vec())
    })
    .await;
    let e = client(&huge, SECRET).resolve(code).await.unwrap_err();
    assert!(
        matches!(&e, ServiceError::Unavailable(Outage::TooLarge(m))
            if m.contains("is 1000000000 bytes") && m.contains("not read")),
        "{e}"
    );
}

#[test]
fn plain_http_is_refused_except_to_the_loopback_simulator() {
    let e = HttpService::new(
        "http://collect.example.com/api",
        "k",
        b"s".to_vec(),
        Duration::from_secs(1),
        0,
    )
    .err()
    .unwrap();
    assert!(e.contains("only https"), "{e}");
    assert!(
        HttpService::new(
            "http://127.0.0.1:9/api",
            "k",
            b"s".to_vec(),
            Duration::from_secs(1),
            0
        )
        .is_ok()
    );
    assert!(
        HttpService::new(
            "https://collect.example.com/api",
            "k",
            b"s".to_vec(),
            Duration::from_secs(1),
            0
        )
        .is_ok()
    );
    let cfg = Config::from_toml(
        "k.toml",
        "[service]\nbackend = \"real\"\nurl = \"http://collect.example.com/api\"\n",
    );
    assert_eq!(cfg.unwrap_err().key, "service.url");
}

/// The reviewer fails the first photo with a reason; the first order expires unpaid; the kiosk
/// shows both clearly, retakes within the three shots, makes a new order, and the graduate
/// pays once. Heartbeats arrive meanwhile. Leaving the pay screen closes its order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_review_and_an_expired_order_over_http() {
    let dir = tempfile::tempdir().unwrap();
    let mut base = fast_config(dir.path());
    base.service.sim.fail_reviews = 1;
    base.service.sim.order_ttl_ms = Some(1_500);
    base.service.sim.auto_pay_ms = None;
    let sim = Arc::new(SimService::new(
        base.service.sim.clone(),
        std::sync::Arc::new(kiosk_app::photo_lab::PhotoReviewer(base.photo.clone())),
    ));
    let server = SimServer::start(sim.clone(), &base.kiosk.id, SECRET.as_bytes())
        .await
        .unwrap();
    let mut cfg = http_config(dir.path(), &server.url());
    cfg.service.heartbeat_secs = 1;
    let k = at_preview(cfg).await;
    k.touch(Intent::UsePhoto);
    let m = k
        .until("review failed", |m| {
            m.screen == Screen::Review && m.review_stage == ReviewStage::Failed
        })
        .await;
    assert_eq!(
        m.reasons[0].en,
        "Hair covers the eyebrows; please tidy it and retake"
    );
    k.touch(Intent::Retake);
    k.until("shoot", |m| m.shoot_stage == ShootStage::Ready)
        .await;
    k.touch(Intent::TakePhoto);
    let m = k
        .until("second preview", |m| m.shoot_stage == ShootStage::Preview)
        .await;
    assert_eq!(m.shots_used, 2);
    k.touch(Intent::UsePhoto);
    k.until("pay", |m| {
        m.screen == Screen::Pay && m.pay_stage == PayStage::Showing
    })
    .await;
    // Nobody pays: the service closes the order, the kiosk says so and offers a new one.
    k.until("expired", |m| m.pay_stage == PayStage::Expired)
        .await;
    k.touch(Intent::RetryPayment);
    k.until("pay again", |m| m.pay_stage == PayStage::Showing)
        .await;
    let submission = server.last_order().unwrap();
    assert!(
        sim.pay(&submission) && sim.pay(&submission),
        "a duplicate notification is harmless"
    );
    let m = k.until("done", |m| m.screen == Screen::Done).await;
    assert_eq!(m.done_kind, DoneKind::Paid);
    assert!(sim.heartbeats() >= 1, "heartbeats arrive");
    k.stop().await;

    let exchanges = server.exchanges();
    let orders: std::collections::BTreeSet<&str> = exchanges
        .iter()
        .filter(|x| x.route == "/v1/submissions/{submission}/order" && x.status == 200)
        .filter_map(|x| x.body["order"].as_str())
        .collect();
    assert_eq!(
        orders.len(),
        2,
        "the expired order and the paid one: {orders:?}"
    );
    assert!(
        exchanges
            .iter()
            .any(|x| x.route == "/v1/heartbeat" && x.status == 204)
    );
    check_contract(&exchanges);
}

/// The graduate pays after the kiosk's last poll and before its payment window closes. The
/// close answer says "paid": the kiosk shows the paid screen, not "expired" (it threw that
/// answer away before). With the close itself failing, one more poll asks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_made_as_the_window_closes_is_not_called_expired() {
    for close_fails in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let (sim, server) = service_paid_by_hand(dir.path()).await;
        let mut cfg = http_config(dir.path(), &server.url());
        cfg.service.heartbeat_secs = 3_600;
        // No poll falls inside the window: only the close can tell.
        cfg.flow.payment_window_secs = 2;
        cfg.flow.payment_poll_secs = 3_600;
        let retries = cfg.service.retries;
        let k = at_preview(cfg).await;
        k.touch(Intent::UsePhoto);
        k.until("pay", |m| {
            m.screen == Screen::Pay && m.pay_stage == PayStage::Showing
        })
        .await;
        let order = server.last_order().unwrap();
        if close_fails {
            // The close and both its retries answer 503.
            server
                .faults()
                .fail_next
                .store(retries + 1, std::sync::atomic::Ordering::SeqCst);
        }
        assert!(sim.pay(&order));
        // Before, the kiosk stayed on "expired" here for good.
        let m = k.until("done", |m| m.screen == Screen::Done).await;
        assert_eq!(
            (m.screen, m.done_kind),
            (Screen::Done, DoneKind::Paid),
            "close_fails = {close_fails}"
        );
        k.stop().await;
        let exchanges = server.exchanges();
        let asked: Vec<(&str, u16)> = exchanges
            .iter()
            .filter(|x| x.route.starts_with("/v1/orders/"))
            .map(|x| (x.route.as_str(), x.status))
            .collect();
        let expected: Vec<(&str, u16)> = if close_fails {
            let mut v = vec![("/v1/orders/{order}/close", 503); retries as usize + 1];
            v.push(("/v1/orders/{order}", 200));
            v
        } else {
            vec![("/v1/orders/{order}/close", 200)]
        };
        assert_eq!(asked, expected, "close_fails = {close_fails}");
        check_contract(&exchanges);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaving_the_pay_screen_closes_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let (_sim, server) = service_paid_by_hand(dir.path()).await;
    let k = at_preview(http_config(dir.path(), &server.url())).await;
    k.touch(Intent::UsePhoto);
    k.until("pay", |m| {
        m.screen == Screen::Pay && m.pay_stage == PayStage::Showing
    })
    .await;
    k.touch(Intent::Cancel);
    k.until("attract", |m| m.screen == Screen::Attract).await;
    let closed = server
        .wait_for(Duration::from_secs(10), |xs| {
            xs.iter()
                .any(|x| x.route == "/v1/orders/{order}/close" && x.body["state"] == "closed")
        })
        .await;
    assert!(closed, "the order was closed on the service");
    k.stop().await;
    check_contract(&server.exchanges());
}

/// The service is down for longer than one call's retries while the photo is uploading: the
/// graduate is told the network is slow and the photo is kept; it goes up when the service is
/// back, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_outage_during_the_upload_keeps_the_photo_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let base = fast_config(dir.path());
    let server = server(&base).await;
    let k = at_preview(http_config(dir.path(), &server.url())).await;
    // Two whole upload attempts (1 + 2 retries each) fail.
    server.faults().fail_next.store(6, Ordering::SeqCst);
    k.touch(Intent::UsePhoto);
    let m = k
        .until("retrying", |m| {
            m.screen == Screen::Review && m.upload_retries >= 1
        })
        .await;
    assert_eq!(m.review_stage, ReviewStage::Uploading);
    assert!(
        k.world.journal.photo(kiosk_e2e::CODE, 1).unwrap().is_some(),
        "the photo waits in the journal"
    );
    k.until("review", |m| m.review_stage == ReviewStage::Waiting)
        .await;
    assert!(k.world.journal.photo(kiosk_e2e::CODE, 1).unwrap().is_none());
    k.until("done", |m| m.screen == Screen::Done).await;
    k.stop().await;
    let statuses = upload_statuses(&server);
    assert_eq!(statuses, [503, 503, 503, 503, 503, 503, 201]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_services_shot_limit_wins_and_a_refused_upload_ends_on_a_screen_not_a_wedge() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(&fast_config(dir.path())).await;
    let mut cfg = http_config(dir.path(), &server.url());
    cfg.flow.max_shots = 5;
    let k = at_preview(cfg).await;
    assert_eq!(
        k.handle.screen.borrow().shots_max,
        3,
        "the service's 3, not the config's 5"
    );

    // The service now allows no shots (as when its rule is stricter than the kiosk's): the
    // 409 is final, asked once, and the graduate is told and can leave.
    server.limit_shots(0);
    k.touch(Intent::UsePhoto);
    let m = k
        .until("refused", |m| m.review_stage == ReviewStage::Refused)
        .await;
    assert_eq!(m.screen, Screen::Review);
    k.touch(Intent::Finish);
    k.until("attract", |m| m.screen == Screen::Attract).await;
    assert!(k.world.journal.photo(kiosk_e2e::CODE, 1).unwrap().is_none());
    k.stop().await;
    let statuses = upload_statuses(&server);
    assert_eq!(statuses, [409], "not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_that_never_gets_through_gives_up_after_the_set_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(&fast_config(dir.path())).await;
    let mut cfg = http_config(dir.path(), &server.url());
    cfg.flow.upload_max_failures = 2;
    let k = at_preview(cfg).await;
    // Every attempt (1 + 2 retries each) fails.
    server.faults().fail_next.store(1000, Ordering::SeqCst);
    k.touch(Intent::UsePhoto);
    k.until("given up", |m| m.review_stage == ReviewStage::Unreachable)
        .await;
    server.faults().fail_next.store(0, Ordering::SeqCst);
    k.touch(Intent::Finish);
    k.until("attract", |m| m.screen == Screen::Attract).await;
    k.stop().await;
    let uploads = upload_statuses(&server).len();
    assert_eq!(uploads, 6, "two attempts of three requests, then no more");
}

/// Send a request as raw HTTP/1.1 to the server at `url` (the simulator's API base): the status
/// and the body.
async fn send_raw(
    url: &str,
    path: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = url.trim_start_matches("http://").split('/').next().unwrap();
    let mut request = format!("POST {path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n");
    for (name, value) in headers {
        if !["host", "connection", "content-length"].contains(&name.as_str()) {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    request.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let status = answer[9..12].parse().unwrap();
    (status, answer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_or_altered_request_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fast_config(dir.path());
    let server = server(&cfg).await;
    let (code, other) = (DEMO_ROSTER[0].0, DEMO_ROSTER[1].0);
    let kiosk = client(&server.url(), SECRET);
    let jpeg =
        std::fs::read(env!("CARGO_MANIFEST_DIR").to_owned() + "/../assets/README.md").unwrap();
    kiosk.upload(code, 1, &jpeg).await.unwrap();
    let captured = server
        .exchanges()
        .into_iter()
        .find(|x| x.route == "/v1/uploads")
        .unwrap();
    let (path, headers, body) = captured.raw;
    let with = |changes: &[(&str, &str)]| -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(n, v)| {
                let v = changes
                    .iter()
                    .find(|(c, _)| c == n)
                    .map_or(v.clone(), |(_, new)| (*new).to_owned());
                (n.clone(), v)
            })
            .collect()
    };

    // The same bytes again: refused, the photo is not stored twice.
    let (status, answer) = send_raw(&server.url(), &path, &headers, &body).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("replayed"), "{answer}");

    // Another graduate's code, the key and a fresh nonce: the signature no longer matches.
    let forged = with(&[
        ("x-shooting-code", other),
        (
            "idempotency-key",
            &collection_service::wire::upload_key(other, 1),
        ),
        ("x-kiosk-nonce", &collection_service::wire::nonce()),
    ]);
    let (status, answer) = send_raw(&server.url(), &path, &forged, &body).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("signature does not match"), "{answer}");
    // Another shot number, likewise.
    let forged = with(&[
        ("x-shot", "2"),
        ("x-kiosk-nonce", &collection_service::wire::nonce()),
    ]);
    let (status, _) = send_raw(&server.url(), &path, &forged, &body).await;
    assert_eq!(status, 401);
    // Without a nonce: refused before anything else is looked at.
    let bare: Vec<_> = headers
        .iter()
        .filter(|(n, _)| n != "x-kiosk-nonce")
        .cloned()
        .collect();
    let (status, answer) = send_raw(&server.url(), &path, &bare, &body).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer.contains("missing x-kiosk-nonce"), "{answer}");

    // Nothing of it reached the service's counts: only the kiosk's own upload.
    assert_eq!(kiosk.resolve(code).await.unwrap().shots_used, 1);
    assert_eq!(kiosk.resolve(other).await.unwrap().shots_used, 0);
}
