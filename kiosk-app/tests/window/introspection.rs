//! A client of Slint's introspection server in the kiosk: the window, and its buttons by
//! accessible label with their place on the X screen.

use std::time::Duration;

use serde_json::{Value, json};

/// A client of Slint's introspection server (MCP's JSON-RPC over HTTP) in the kiosk.
pub(crate) struct Introspection {
    http: reqwest::Client,
    url: String,
    rt: tokio::runtime::Runtime,
}

/// An element's place on the X screen, physical pixels.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    pub(crate) x: f64,
    pub(crate) y: f64,
    pub(crate) w: f64,
    pub(crate) h: f64,
}

/// The window: where it is and its root element.
pub(crate) struct Window {
    pub(crate) at: Rect,
    pub(crate) scale: f64,
    pub(crate) root: Value,
}

fn number(v: &Value) -> f64 {
    // Protobuf's JSON leaves zero fields out.
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0.0)
}

impl Introspection {
    pub(crate) fn new(port: u16) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: format!("http://127.0.0.1:{port}/mcp"),
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
        }
    }

    /// One tool call; its JSON answer.
    fn call(&self, tool: &str, arguments: Value) -> Value {
        let request = json!({
            "jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": { "name": tool, "arguments": arguments },
        });
        let reply: Value = self.rt.block_on(async {
            let response = self
                .http
                .post(&self.url)
                .json(&request)
                .timeout(Duration::from_secs(20))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{tool}: {e}"));
            response.json().await.unwrap()
        });
        let result = &reply["result"];
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        assert!(
            result["isError"] != json!(true),
            "{tool} {arguments}: {text}"
        );
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{tool}: {e}: {text}"))
    }

    pub(crate) fn window(&self) -> Window {
        let windows = self.call("list_windows", json!({}));
        let handles = windows["windowHandles"].as_array().expect("window handles");
        assert_eq!(handles.len(), 1, "one window: {windows}");
        let p = self.call(
            "get_window_properties",
            json!({ "windowHandle": handles[0] }),
        );
        Window {
            at: Rect {
                x: number(&p["position"]["x"]),
                y: number(&p["position"]["y"]),
                w: number(&p["size"]["width"]),
                h: number(&p["size"]["height"]),
            },
            scale: number(&p["scaleFactor"]),
            root: p["rootElementHandle"].clone(),
        }
    }

    /// The visible buttons labelled `label`, on the X screen.
    pub(crate) fn buttons(&self, window: &Window, label: &str) -> Vec<Rect> {
        let found = self.call(
            "query_element_descendants",
            json!({
                "elementHandle": window.root,
                "queryStack": [{ "matchDescendants": true }, { "matchElementAccessibleRole": "Button" }],
                "findAll": true,
            }),
        );
        let mut out = Vec::new();
        for handle in found["elementHandles"].as_array().into_iter().flatten() {
            let p = self.call("get_element_properties", json!({ "elementHandle": handle }));
            let (w, h) = (number(&p["size"]["width"]), number(&p["size"]["height"]));
            if p["accessibleLabel"] != label || number(&p["computedOpacity"]) <= 0.0 || w * h <= 0.0
            {
                continue;
            }
            out.push(Rect {
                x: window.at.x + number(&p["absolutePosition"]["x"]) * window.scale,
                y: window.at.y + number(&p["absolutePosition"]["y"]) * window.scale,
                w: w * window.scale,
                h: h * window.scale,
            });
        }
        out
    }
}
