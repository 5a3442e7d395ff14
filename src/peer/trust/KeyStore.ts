/**
 * Where a browser profile keeps its keys: CryptoKey objects stored by structured clone, so a
 * non-extractable private key is kept without ever being exported. `IndexedDbKeyStore` is the
 * browser's (shared by every tab of the profile); `MemoryKeyStore` is its twin for tests and
 * for nodes with nothing to keep, and clones what it stores the same way.
 */

export interface KeyStore {
  get(name: string): Promise<unknown>;
  put(name: string, value: unknown): Promise<void>;
  /** Stores `value` unless `name` holds something; resolves to what `name` holds afterwards. */
  add(name: string, value: unknown): Promise<unknown>;
  delete(name: string): Promise<void>;
  names(): Promise<string[]>;
}

export class MemoryKeyStore implements KeyStore {
  private readonly values = new Map<string, unknown>();

  get(name: string): Promise<unknown> {
    return Promise.resolve(this.values.has(name) ? structuredClone(this.values.get(name)) : undefined);
  }

  put(name: string, value: unknown): Promise<void> {
    this.values.set(name, structuredClone(value));
    return Promise.resolve();
  }

  add(name: string, value: unknown): Promise<unknown> {
    if (!this.values.has(name)) this.values.set(name, structuredClone(value));
    return this.get(name);
  }

  delete(name: string): Promise<void> {
    this.values.delete(name);
    return Promise.resolve();
  }

  names(): Promise<string[]> {
    return Promise.resolve([...this.values.keys()]);
  }
}

const STORE = 'keys';

/** Keys in IndexedDB, database `lattice-keys` (one per browser profile and origin). */
export class IndexedDbKeyStore implements KeyStore {
  private readonly db: Promise<IDBDatabase>;

  constructor(name = 'lattice-keys') {
    this.db = new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => open.result.createObjectStore(STORE);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error ?? new Error(`IndexedDB refused to open ${name}`));
      open.onblocked = () => reject(new Error(`IndexedDB ${name} is blocked by another tab's older version`));
    });
  }

  async get(name: string): Promise<unknown> {
    return request<unknown>(await this.tx('readonly'), (s) => s.get(name));
  }

  async put(name: string, value: unknown): Promise<void> {
    await request(await this.tx('readwrite'), (s) => s.put(value, name));
  }

  /** In one transaction, so two tabs starting together end up with the same key. */
  async add(name: string, value: unknown): Promise<unknown> {
    const store = await this.tx('readwrite');
    const existing = await request<unknown>(store, (s) => s.get(name));
    if (existing !== undefined) return existing;
    await request(store, (s) => s.add(value, name));
    return request<unknown>(store, (s) => s.get(name));
  }

  async delete(name: string): Promise<void> {
    await request(await this.tx('readwrite'), (s) => s.delete(name));
  }

  async names(): Promise<string[]> {
    const keys = await request<IDBValidKey[]>(await this.tx('readonly'), (s) => s.getAllKeys());
    return keys.filter((k): k is string => typeof k === 'string');
  }

  /** Closes the database; one that never opened has nothing to close (the call that needed it was told why). */
  close(): Promise<void> {
    return this.db.then(
      (db) => db.close(),
      () => undefined,
    );
  }

  private async tx(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.db).transaction(STORE, mode).objectStore(STORE);
  }
}

function request<T>(store: IDBObjectStore, make: (s: IDBObjectStore) => IDBRequest): Promise<T> {
  return new Promise((resolve, reject) => {
    const r = make(store);
    r.onsuccess = () => resolve(r.result as T);
    r.onerror = () => reject(r.error ?? new Error('an IndexedDB request failed'));
  });
}
