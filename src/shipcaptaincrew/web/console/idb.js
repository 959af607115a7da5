// A few promises over IndexedDB: the rosters kept for working offline, the queue of
// actions taken offline, and small facts (who is signed in, the events list).
const NAME = 'scc-console';
const STORES = { rosters: { keyPath: 'eventId' }, queue: { keyPath: 'seq', autoIncrement: true }, meta: {} };
let opening = null;

function promised(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function open() {
  if (!opening) {
    if (typeof indexedDB === 'undefined') return Promise.reject(new Error('No IndexedDB'));
    const request = indexedDB.open(NAME, 1);
    request.onupgradeneeded = () => {
      for (const [store, options] of Object.entries(STORES)) {
        if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store, options);
      }
    };
    opening = promised(request);
    opening.catch(() => {
      opening = null;
    });
  }
  return opening;
}

async function run(store, mode, work) {
  const db = await open();
  const tx = db.transaction(store, mode);
  const result = await promised(work(tx.objectStore(store)));
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  return result;
}

export const idbGet = (store, key) => run(store, 'readonly', (s) => s.get(key));
export const idbAll = (store) => run(store, 'readonly', (s) => s.getAll());
export const idbPut = (store, value, key) => run(store, 'readwrite', (s) => (key === undefined ? s.put(value) : s.put(value, key)));
export const idbDelete = (store, key) => run(store, 'readwrite', (s) => s.delete(key));
export const idbClear = (store) => run(store, 'readwrite', (s) => s.clear());
