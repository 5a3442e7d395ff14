/**
 * The room password: signaling messages and BroadcastChannel traffic are encrypted with a key
 * derived from it (PBKDF2 over the room name, AES-GCM), as y-webrtc does, so the signaling
 * server and other rooms' tabs read nothing. WebRTC data channels rely on DTLS.
 */
export async function deriveRoomKey(password: string, room: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', salt: new TextEncoder().encode(room), iterations: 100_000, hash: 'SHA-256' }, material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

/** `iv (12 bytes) | ciphertext`. */
export async function seal(key: CryptoKey, plain: Uint8Array): Promise<Uint8Array> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plain as Uint8Array<ArrayBuffer>));
  const out = new Uint8Array(12 + cipher.byteLength);
  out.set(iv, 0);
  out.set(cipher, 12);
  return out;
}

/** Rejects when the bytes were not sealed with this key. */
export async function open(key: CryptoKey, sealed: Uint8Array): Promise<Uint8Array> {
  if (sealed.byteLength < 12 + 16) throw new Error('too short to be encrypted');
  return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.slice(0, 12) }, key, sealed.slice(12)));
}

export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
