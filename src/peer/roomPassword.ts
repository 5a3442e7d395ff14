/**
 * A room password entered in the app (rather than in the URL, where it would sit in the
 * browser's history and in every link copied from the address bar). It is kept for this tab
 * only (sessionStorage), per room, and used when the URL gives none.
 */
import type { KeyValueStorage } from './nodeIdentity.js';

const key = (room: string): string => `lattice.password:${room}`;

export interface PasswordStorage extends KeyValueStorage {
  removeItem(key: string): void;
}

/** The password for `room`: the URL's, else the one entered in this tab, else none. */
export function roomPassword(url: URL, room: string, storage: KeyValueStorage): { password: string | undefined; source: 'url' | 'app' | 'none' } {
  const fromUrl = url.searchParams.get('password');
  if (fromUrl !== null) return { password: fromUrl, source: 'url' };
  const stored = storage.getItem(key(room));
  return stored ? { password: stored, source: 'app' } : { password: undefined, source: 'none' };
}

/**
 * Keeps `password` for `room` in this tab (empty: forgets it) and returns the URL to reopen the
 * page at: the same, without any password in it.
 */
export function setRoomPassword(url: URL, room: string, password: string, storage: PasswordStorage): URL {
  if (password === '') storage.removeItem(key(room));
  else storage.setItem(key(room), password);
  const next = new URL(url.href);
  next.searchParams.delete('password');
  return next;
}
