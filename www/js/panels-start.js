// Starts the page's panels loaded on first use (src/ui/panels.rs). trunk's `no-modules` output
// (panels-ui.js, loaded just before this file) declares `let wasm_bindgen` at the top of a
// classic script: a global lexical binding that only another classic script sees by name. This
// hands it to the page as a window property. (Not an inline_js snippet: wasm-bindgen numbers
// those per binary, and the page's binaries would overwrite each other's snippets/inlineN.js.)
window.layerlabInitPanels = (path) => wasm_bindgen({ module_or_path: path });
