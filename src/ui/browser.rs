//! What the console asks of the browser itself (a pause, the tab's title, a download, printing,
//! the clock and the viewer's time zone, passkeys), through the functions of `browser.js`
//! imported by wasm-bindgen. Nothing here goes through `document::eval`, so the page's
//! Content-Security-Policy needs no `'unsafe-eval'`. Outside the browser (server rendering)
//! each is a quiet no-op or its plain equivalent.

#[cfg(all(feature = "web", target_arch = "wasm32"))]
mod js {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/ui/browser.js")]
    extern "C" {
        pub async fn sleep(ms: u32) -> JsValue;
        #[wasm_bindgen(js_name = setTitle)]
        pub fn set_title(title: &str);
        #[wasm_bindgen(js_name = markHydrated)]
        pub fn mark_hydrated();
        #[wasm_bindgen(js_name = printPage)]
        pub fn print_page();
        pub fn download(name: &str, text: &str, kind: &str);
        #[wasm_bindgen(js_name = nowMs)]
        pub fn now_ms() -> f64;
        #[wasm_bindgen(js_name = localTime)]
        pub fn local_time(ms: f64) -> String;
        #[wasm_bindgen(js_name = localInputMs)]
        pub fn local_input_ms(text: &str) -> f64;
        #[wasm_bindgen(js_name = zoneLabel)]
        pub fn zone_label() -> String;
        #[wasm_bindgen(js_name = passkeyCreate)]
        pub async fn passkey_create(options: &str) -> JsValue;
        #[wasm_bindgen(js_name = passkeyGet)]
        pub async fn passkey_get(options: &str) -> JsValue;
        #[wasm_bindgen(js_name = copyText)]
        pub async fn copy_text(text: &str) -> JsValue;
    }
}

/// Waits `ms` milliseconds in the browser (returns at once on the server).
pub async fn sleep(ms: u32) {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    let _ = js::sleep(ms).await;
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    let _ = ms;
}

/// Puts `text` on the clipboard; false when the browser refuses (or outside the browser).
pub async fn copy_text(text: &str) -> bool {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    return js::copy_text(text).await.as_bool().unwrap_or(false);
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    {
        let _ = text;
        false
    }
}

/// The tab's title.
pub fn set_title(title: &str) {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    js::set_title(title);
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    dioxus::document::document().set_title(title.to_string());
}

/// The mark browser tests wait for before they type: the app has taken over the page.
pub fn mark_hydrated() {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    js::mark_hydrated();
}

/// The browser's print dialog for the page.
pub fn print_page() {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    js::print_page();
}

/// Hands `text` to the browser as a downloaded file called `name` of media type `kind`.
pub fn download(name: &str, text: &str, kind: &str) {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    js::download(name, text, kind);
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    let _ = (name, text, kind);
}

/// The browser's clock (ms since the epoch); the server's outside the browser.
pub fn now_ms() -> i64 {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    return js::now_ms() as i64;
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A moment (ms since the epoch) in the viewer's time zone, "2026-12-02 10:15 UTC+01:00"; in UTC
/// outside the browser.
pub fn local_time(ms: i64) -> String {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    return js::local_time(ms as f64);
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    crate::domain::format_utc(ms)
}

/// A `datetime-local` field's value ("2026-12-24T17:30") as ms since the epoch, read in the
/// viewer's time zone; in UTC outside the browser. `None` when it is empty or no date.
pub fn local_input_ms(text: &str) -> Option<i64> {
    if text.trim().is_empty() {
        return None;
    }
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    return Some(js::local_input_ms(text)).filter(|ms| ms.is_finite()).map(|ms| ms as i64);
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    crate::domain::parse_datetime_ms(text)
}

/// The viewer's time zone, "UTC" or "UTC+01:00", for the labels of date fields; "UTC" outside
/// the browser (the page follows once it has taken over).
pub fn zone_label() -> String {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    return js::zone_label();
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    "UTC".to_string()
}

/// A passkey ceremony's answer from the device, as JSON text (`{"error": …}` when it failed).
pub async fn passkey_create(options: &str) -> Option<String> {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    return js::passkey_create(options).await.as_string();
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    {
        let _ = options;
        None
    }
}

/// See [`passkey_create`]: the sign-in ceremony.
pub async fn passkey_get(options: &str) -> Option<String> {
    #[cfg(all(feature = "web", target_arch = "wasm32"))]
    return js::passkey_get(options).await.as_string();
    #[cfg(not(all(feature = "web", target_arch = "wasm32")))]
    {
        let _ = options;
        None
    }
}
