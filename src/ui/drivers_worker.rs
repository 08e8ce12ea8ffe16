//! STORAGE DRIVERS (issue 12): the drivers worker. It gets the page's container as an
//! [`Input`] and its layer blobs (see [`crate::ui::drivers_bridge`]), rebuilds the image from
//! the blobs (once per set of layers), replays the ops on every storage driver
//! ([`crate::drivers::replay`]) and answers the columns as JSON.
//!
//! Rules: the worker says `{ready}` once it listens; then messages are `{json, blob}` in and `{columns}` (JSON of `Vec<Column>`) or `{error}`
//! out, one answer per message, in order. Every answer replays from the container's creation
//! (the models keep no undo): one walk of the merged view per op, so on the 38,814-entry big
//! image a refresh costs about that many walks; the layers are indexed only when they change.

use crate::drivers::{self, Driver};
use crate::source::Source;
use crate::ui::blob_file::BrowserBlob;
use crate::ui::drivers_bridge::Input;
use crate::union::Stack;
use js_sys::{Object, Reflect};
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    /// The image of the last input, by its layers (ids and lengths).
    static STACK: RefCell<Option<(Vec<(u32, u64)>, Stack)>> = const { RefCell::new(None) };
}

/// Starts the worker.
pub fn run() {
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let s2 = scope.clone();
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
        let o = Object::new();
        match answer(ev.data()) {
            Ok(columns) => {
                let _ = Reflect::set(&o, &"columns".into(), &columns.into());
            }
            Err(e) => {
                let _ = Reflect::set(&o, &"error".into(), &e.into());
            }
        }
        let _ = s2.post_message(&o);
        // Memory between requests is what the replay keeps, not a read's last slice.
        crate::ui::blob_file::forget_read_ahead();
    });
    scope.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    // Messages posted before the wasm was in are lost: the panel waits for this.
    let o = Object::new();
    let _ = Reflect::set(&o, &"ready".into(), &true.into());
    let _ = scope.post_message(&o);
}

fn answer(data: JsValue) -> Result<String, String> {
    let json = Reflect::get(&data, &"json".into()).ok().and_then(|v| v.as_string()).ok_or("no input")?;
    let blob: Blob = Reflect::get(&data, &"blob".into()).ok().and_then(|v| v.dyn_into().ok()).ok_or("no layers")?;
    let input: Input = serde_json::from_str(&json).map_err(|e| format!("a bad input: {e}"))?;
    let stack = match STACK.with(|s| s.borrow().as_ref().filter(|(k, _)| *k == input.layers).map(|(_, st)| st.clone())) {
        Some(st) => st,
        None => {
            let mut sources: Vec<Source> = Vec::new();
            let mut at = 0u64;
            for &(_, len) in &input.layers {
                let part = blob.slice_with_f64_and_f64(at as f64, (at + len) as f64).map_err(|_| "the layers could not be sliced")?;
                sources.push(Arc::new(BrowserBlob::new(part).map_err(|e| e.to_string())?));
                at += len;
            }
            let st = drivers::replay_stack(sources).map_err(|e| e.to_string())?;
            STACK.with(|s| *s.borrow_mut() = Some((input.layers.clone(), st.clone())));
            st
        }
    };
    let columns = drivers::replay(stack, input.config, input.script.as_bytes(), &Driver::ALL).map_err(|e| e.to_string())?;
    serde_json::to_string(&columns).map_err(|e| e.to_string())
}
