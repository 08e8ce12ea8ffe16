//! Regular files' SHA-256 by the browser's own digest (`crypto.subtle.digest`), for the page's
//! passes over compressed layers ([`crate::layer::filehash`]).
//!
//! Rules:
//! - WebCrypto runs the digest natively on a thread of its own and copies the bytes when called,
//!   so a pass hands each file over ([`crate::layer::WholeFiles`]) and goes on; the answers are
//!   gathered when the pass is done ([`Answers::then`]). Measured in a worker of this box's
//!   Chromium: 64 KiB in 42 us (1.5 GB/s), 4 KiB in 7 us, 16 MiB at 756 MiB/s; wasm's SHA-256
//!   (`sha2`) runs at 300-326 MiB/s in V8 with a core to itself and 210-250 MB/s in the page's
//!   busy workers: 4-7x slower for any file past 1 KiB.
//! - Files from [`MIN`] to [`MAX`] bytes are taken: smaller ones cost less in wasm than a call,
//!   and a bigger one would be held whole in memory (it is hashed in pieces instead).
//! - Where the browser has no `crypto.subtle` (a page served over plain http off localhost),
//!   nothing is taken and every file is hashed in wasm as before.
//! - A digest the browser refuses leaves its file without one (hashed on demand later).

use js_sys::{Array, ArrayBuffer, Promise, Uint8Array};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

/// Smallest file handed to WebCrypto.
pub const MIN: u64 = 1024;
/// Largest file handed to WebCrypto (its bytes are gathered whole first).
pub const MAX: u64 = 16 << 20;

type Asked = Rc<RefCell<(Vec<u64>, Array)>>;

/// The [`crate::layer::WholeFiles`] a pass hands files to.
pub struct SubtleFiles {
    subtle: web_sys::SubtleCrypto,
    asked: Asked,
}

/// The digests a [`SubtleFiles`] was asked for, to be awaited when the pass is done.
pub struct Answers {
    asked: Asked,
}

impl SubtleFiles {
    /// The browser's digest in this worker, or `None` where it has none.
    pub fn new() -> Option<(SubtleFiles, Answers)> {
        let global = js_sys::global();
        let crypto = js_sys::Reflect::get(&global, &"crypto".into()).ok()?.dyn_into::<web_sys::Crypto>().ok()?;
        let subtle = js_sys::Reflect::get(&crypto, &"subtle".into()).ok()?.dyn_into::<web_sys::SubtleCrypto>().ok()?;
        let asked: Asked = Rc::new(RefCell::new((Vec::new(), Array::new())));
        Some((SubtleFiles { subtle, asked: asked.clone() }, Answers { asked }))
    }
}

impl crate::layer::WholeFiles for SubtleFiles {
    fn takes(&self, size: u64) -> bool {
        (MIN..=MAX).contains(&size)
    }

    fn hash(&mut self, offset: u64, content: &[u8]) {
        // The bytes are copied by the call (a view of wasm's memory is enough).
        if let Ok(p) = self.subtle.digest_with_str_and_u8_array("SHA-256", content) {
            let mut a = self.asked.borrow_mut();
            a.0.push(offset);
            a.1.push(&p);
        }
    }
}

impl Answers {
    /// How many files were handed over.
    pub fn len(&self) -> usize {
        self.asked.borrow().0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `done` with every digest asked for, by content offset, sorted by offset (a
    /// refused one left out), once the browser has answered them all. (Promise callbacks, not
    /// a future: the page's worker carries no executor for this alone, 5 KB of gzip.)
    pub fn then(self, done: impl FnOnce(Vec<(u64, [u8; 32])>) + 'static) {
        let (offsets, promises) = std::mem::take(&mut *self.asked.borrow_mut());
        // Each answer as itself or `undefined` when refused, so one refusal costs one file.
        let none = Closure::<dyn FnMut(JsValue)>::new(|_| {});
        let settled: Array = promises.iter().map(|p| JsValue::from(p.unchecked_into::<Promise>().catch(&none))).collect();
        let all = Closure::once(move |all: JsValue| {
            drop(none);
            let all: Array = all.unchecked_into();
            let mut out: Vec<(u64, [u8; 32])> = offsets
                .into_iter()
                .zip(all.iter())
                .filter_map(|(off, v)| {
                    let b = v.dyn_into::<ArrayBuffer>().ok()?;
                    <[u8; 32]>::try_from(Uint8Array::new(&b).to_vec()).ok().map(|d| (off, d))
                })
                .collect();
            out.sort_unstable_by_key(|d| d.0);
            done(out);
        });
        let _ = Promise::all(&settled).then(&all);
        // Freed when it has run (`Closure::once` drops itself after its call).
        all.forget();
    }
}
