//! STORAGE DRIVERS (issue 12): the "Storage drivers" panel, loaded on first use with the
//! page's other such panels ([`crate::ui::panels`]). It starts the drivers worker, hands it every
//! input the page publishes ([`crate::ui::drivers_bridge`]) and draws the columns it answers
//! with [`super::drivers_view::DriversView`]. Words: the page's message files, in the page's
//! language (followed when the learner switches it).
//!
//! LESSONS (L14): each answer for an input that names the container's last shell line is
//! announced as `# LINE` and that line's cost on each driver ([`crate::drivers::report`],
//! [`bridge::EV_OUTPUT`]): the log a lesson's checks read.
use super::drivers_view::DriversView;
use crate::drivers::Column;
use crate::ui::drivers_bridge as bridge;
use crate::ui::lang::{self, Tr};
use js_sys::{Object, Reflect};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, Worker};
use yew::prelude::*;

/// The loader trunk emits for the drivers worker (`data-loader-shim`).
pub const WORKER_URL: &str = "./drivers-worker_loader.js";

/// What the panel shows: the columns of the last answer, or why there are none.
#[derive(Clone, PartialEq, Default)]
pub struct Shown {
    pub columns: Rc<Vec<Column>>,
    pub error: Option<String>,
    /// Inputs sent and not answered yet.
    pub pending: u32,
}

/// What changes what the panel shows.
pub enum Msg {
    /// An input went to the worker.
    Sent,
    /// The worker answered (the columns, or why not).
    Answer(Result<Vec<Column>, String>),
}

impl Reducible for Shown {
    type Action = Msg;
    fn reduce(self: Rc<Self>, m: Msg) -> Rc<Self> {
        let mut s = (*self).clone();
        match m {
            Msg::Sent => s.pending += 1,
            Msg::Answer(r) => {
                s.pending = s.pending.saturating_sub(1);
                match r {
                    Ok(c) => {
                        s.columns = Rc::new(c);
                        s.error = None;
                    }
                    Err(e) => {
                        s.columns = Rc::default();
                        s.error = Some(e);
                    }
                }
            }
        }
        Rc::new(s)
    }
}

/// Dispatches [`bridge::EV_OUTPUT`] with `lines`.
fn announce(lines: &[String]) {
    let a = js_sys::Array::new();
    for l in lines {
        a.push(&l.into());
    }
    crate::ui::docker_bridge::emit(bridge::EV_OUTPUT, &a.into());
}

#[function_component(DriversPanel)]
pub fn drivers_panel() -> Html {
    let shown = use_reducer(Shown::default);
    let tr = lang::use_page_tr();
    let ready = use_mut_ref(|| false);
    // The line (and its first op) of each input sent and not answered yet, in order.
    let sent = use_mut_ref(std::collections::VecDeque::<(Option<String>, usize)>::new);
    {
        let (shown, ready, sent) = (shown.dispatcher(), ready.clone(), sent.clone());
        use_effect_with((), move |_| {
            let worker = Worker::new(WORKER_URL).ok();
            let send = {
                let (worker, shown, ready, sent) = (worker.clone(), shown.clone(), ready.clone(), sent.clone());
                move || {
                    if !*ready.borrow() {
                        return; // the worker's `ready` sends the input of the moment
                    }
                    let (Some(w), Some((json, blob))) = (worker.as_ref(), bridge::input()) else { return };
                    let line = serde_json::from_str::<bridge::Input>(&json).map(|i| (i.line, i.line_ops)).unwrap_or_default();
                    let o = Object::new();
                    let _ = Reflect::set(&o, &"json".into(), &json.into());
                    let _ = Reflect::set(&o, &"blob".into(), &blob);
                    if w.post_message(&o).is_ok() {
                        sent.borrow_mut().push_back(line);
                        shown.dispatch(Msg::Sent);
                    }
                }
            };
            let onmessage = {
                let (shown, ready, send, sent) = (shown.clone(), ready.clone(), send.clone(), sent.clone());
                Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
                    let d = ev.data();
                    if Reflect::get(&d, &"ready".into()).ok().and_then(|v| v.as_bool()) == Some(true) {
                        *ready.borrow_mut() = true;
                        send();
                        return;
                    }
                    let columns = Reflect::get(&d, &"columns".into()).ok().and_then(|v| v.as_string());
                    let error = Reflect::get(&d, &"error".into()).ok().and_then(|v| v.as_string());
                    let line = sent.borrow_mut().pop_front();
                    shown.dispatch(Msg::Answer(match (columns.map(|c| serde_json::from_str::<Vec<Column>>(&c)), error) {
                        (Some(Ok(c)), _) => {
                            if let Some((Some(line), since)) = line {
                                let mut out = vec![format!("# {line}")];
                                out.extend(crate::drivers::report(&c, since));
                                announce(&out);
                            }
                            Ok(c)
                        }
                        (Some(Err(e)), _) => Err(e.to_string()),
                        (None, e) => Err(e.unwrap_or_default()),
                    }));
                })
            };
            if let Some(w) = &worker {
                w.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
            } else {
                shown.dispatch(Msg::Answer(Err(String::new())));
            }
            let on_input = gloo::events::EventListener::new(&gloo::utils::window(), bridge::EV_INPUT, move |_| send());
            // The page answers with a fresh input.
            crate::ui::docker_bridge::emit(bridge::EV_WANT, &JsValue::NULL);
            move || {
                drop(on_input);
                drop(onmessage);
                if let Some(w) = worker {
                    w.terminate();
                }
            }
        });
    }
    html! {
        <ContextProvider<Tr> context={tr}>
            <DriversView columns={shown.columns.clone()} error={shown.error.clone()} busy={shown.pending > 0} />
        </ContextProvider<Tr>>
    }
}
