// People the visitor asked the page to remember: a name, a face signature (FaceRes descriptor) and a
// small thumbnail, kept in this browser's IndexedDB and nowhere else.
const DB_NAME = 'webcnn-demo';
const STORE = 'faces';

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new Error(`the browser's storage (IndexedDB) is unavailable: ${request.error?.message}`));
  });
}

async function transaction(mode, work) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = work(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error('storage transaction aborted'));
    });
  } finally {
    db.close();
  }
}

/** @returns [{id, name, descriptor: Float32Array, thumbnail: Blob | null, created}] oldest first */
export const listPeople = () => transaction('readonly', (s) => s.getAll());

export const addPerson = ({ name, descriptor, thumbnail }) =>
  transaction('readwrite', (s) => s.add({ name, descriptor: Float32Array.from(descriptor), thumbnail, created: Date.now() }));

export const deletePerson = (id) => transaction('readwrite', (s) => s.delete(id));
