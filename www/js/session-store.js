// IndexedDB glue of the page's session, bound in src/ui/session.rs (why it is a classic script
// and not an inline_js snippet is said there).
(() => {
function db() {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open('layerlab', 1);
    r.onupgradeneeded = () => r.result.createObjectStore('session');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}
async function idb_put(key, value) {
  const d = await db();
  await new Promise((resolve, reject) => {
    const tx = d.transaction('session', 'readwrite');
    tx.objectStore('session').put(value, key);
    tx.oncomplete = resolve; tx.onerror = () => reject(tx.error); tx.onabort = () => reject(tx.error);
  });
  d.close();
}
async function idb_get(key) {
  const d = await db();
  const v = await new Promise((resolve, reject) => {
    const r = d.transaction('session').objectStore('session').get(key);
    r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error);
  });
  d.close();
  return v;
}
window.layerlabSessionStore = { idb_put, idb_get };
})();
