//! The session (see [`crate::ui::session`]): restored once when the page starts (a URL fragment
//! first, else IndexedDB), then saved after every change once restored, samples shared in the
//! URL fragment.
use crate::ui::blob_file::fetch_blob;
use crate::ui::session::{self, Origin, Saved, SavedCommit};
use crate::ui::state::{Action, AppState};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::spawn_local;
use web_sys::Blob;
use yew::prelude::*;

/// Restores the saved session through `open_as` (every archive opened again, in the saved
/// order) and keeps saving the state's session.
#[hook]
pub fn use_session(state: &UseReducerHandle<AppState>, open_as: Callback<(String, Blob, Origin)>) {
    // Restore the session once: a URL fragment first, else IndexedDB.
    {
        let d = state.dispatcher();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let hash = gloo::utils::window().location().hash().unwrap_or_default();
                // LESSONS: a lesson link opens its own sample state on a clean page.
                if crate::lessons::Link::parse(&hash).is_some() {
                    d.dispatch(Action::Restore(None));
                    return;
                }
                let found = match Saved::from_fragment(hash.trim_start_matches('#')) {
                    Some(s) => {
                        let n = s.archives.len();
                        Some((s, vec![None; n]))
                    }
                    None => session::load().await,
                };
                let Some((saved, files)) = found else {
                    d.dispatch(Action::Restore(None));
                    return;
                };
                // Fetch every sample first, so the opens go to the worker in the saved order.
                let mut blobs = Vec::new();
                // Where each saved archive lands among those opened again (commits name their
                // base layers by archive position).
                let mut moved: Vec<Option<u32>> = Vec::new();
                for (a, f) in saved.archives.iter().zip(files.into_iter().chain(std::iter::repeat(None))) {
                    let before = blobs.len();
                    match (&a.sample, f) {
                        (Some(s), _) => match fetch_blob(&format!("samples/{s}")).await {
                            Ok(b) => blobs.push((a.name.clone(), b, Origin::Sample(s.clone()))),
                            Err(e) => d.dispatch(Action::Notice { text: e, error: true }),
                        },
                        (None, Some(b)) => match &a.commit {
                            Some(c) => {
                                let base: Option<Vec<(u32, u32)>> =
                                    c.base.iter().map(|&(i, p)| moved.get(i as usize).copied().flatten().map(|n| (n, p))).collect();
                                match base {
                                    Some(base) => {
                                        let c = SavedCommit { base, ..c.clone() };
                                        blobs.push((a.name.clone(), b.clone(), Origin::Commit(c, b)));
                                    }
                                    None => d.dispatch(Action::Said { key: "notice.base_gone", args: vec![a.name.clone()], error: false }),
                                }
                            }
                            None => blobs.push((a.name.clone(), b.clone(), Origin::File(b))),
                        },
                        (None, None) => d.dispatch(Action::Said { key: "notice.open_again", args: vec![a.name.clone()], error: false }),
                    }
                    moved.push((blobs.len() > before).then(|| (blobs.len() - 1) as u32));
                }
                d.dispatch(Action::Restore(Some((saved, blobs.len() as u32))));
                for b in blobs {
                    open_as.emit(b);
                }
            });
        });
    }
    // Save the session after every change (once restored), and share samples in the URL.
    let saved = state.saved();
    let files: Vec<Option<Blob>> = state
        .session
        .origins
        .iter()
        .map(|o| match o {
            Origin::File(b) => Some(b.clone()),
            Origin::Commit(_, b) => Some(b.clone()),
            Origin::Sample(_) => None,
        })
        .collect();
    let restored = state.session.restored;
    use_effect_with((state.session.archives.len(), restored), move |(_, restored)| {
        if *restored {
            spawn_local(async move {
                let _ = session::save_files(&files).await;
            });
        }
    });
    use_effect_with((saved, restored), move |(saved, restored)| {
        if *restored {
            let history = gloo::utils::window().history();
            let loc = gloo::utils::window().location();
            let bare = format!("{}{}", loc.pathname().unwrap_or_default(), loc.search().unwrap_or_default());
            let url = match saved.fragment() {
                Some(f) => format!("{bare}#{f}"),
                None => bare.clone(),
            };
            // Only when it changes: a layer toggle of a session of files leaves it as it is,
            // and replaceState costs milliseconds.
            let now = format!("{bare}{}", loc.hash().unwrap_or_default());
            // LESSONS: a lesson link stays in the address bar (it reopens the lesson's state).
            let lesson = crate::lessons::Link::parse(&loc.hash().unwrap_or_default()).is_some();
            if let (Ok(h), true, false) = (history, now != url, lesson) {
                let _ = h.replace_state_with_url(&JsValue::NULL, "", Some(&url));
            }
            let saved = saved.clone();
            spawn_local(async move {
                let _ = session::save(&saved).await;
            });
        }
    });
}
