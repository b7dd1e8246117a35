/**
 * Authenticated encryption for everything the repository stores: AES-256-GCM with a random 96-bit
 * nonce per message. A sealed message is `nonce (12) | ciphertext | tag (16)`. The associated data
 * names what the message is (a blob's type and id, "index", "snapshot"…), so a valid ciphertext
 * moved to another place fails to open there.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;
/** Bytes of a GCM nonce: 96 bits, the size GCM is defined for. */
export const NONCE_BYTES = 12;
/** Bytes of a GCM tag: the full 128 bits. */
export const TAG_BYTES = 16;
/** What sealing adds to a message's length. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;

/** Thrown when a message fails authentication: a wrong key, or changed bytes. */
export class AuthenticationError extends Error {
  override readonly name = 'AuthenticationError';
}

/** An AES-256-GCM key, imported once. */
export class SealingKey {
  readonly #key: KeyObject;

  constructor(raw: Uint8Array) {
    if (raw.length !== KEY_BYTES) throw new RangeError(`an AES-256 key has ${KEY_BYTES} bytes, not ${raw.length}`);
    this.#key = createSecretKey(raw);
  }

  /** Encrypts and authenticates `plaintext` together with `associated` (not stored). */
  seal(plaintext: Uint8Array, associated: Uint8Array): Buffer {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, nonce);
    cipher.setAAD(associated);
    const body = cipher.update(plaintext);
    const tail = cipher.final();
    return Buffer.concat([nonce, body, tail, cipher.getAuthTag()], NONCE_BYTES + body.length + tail.length + TAG_BYTES);
  }

  /** Checks and decrypts a sealed message; throws {@link AuthenticationError} if it was altered. */
  open(sealed: Uint8Array, associated: Uint8Array): Buffer {
    if (sealed.length < SEAL_OVERHEAD) throw new AuthenticationError(`a sealed message has at least ${SEAL_OVERHEAD} bytes, this one ${sealed.length}`);
    const nonce = sealed.subarray(0, NONCE_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.#key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associated);
    decipher.setAuthTag(tag);
    const body = decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES));
    try {
      const tail = decipher.final();
      return tail.length === 0 ? body : Buffer.concat([body, tail]);
    } catch (error) {
      throw new AuthenticationError('the message fails authentication (wrong key or altered bytes)', { cause: error });
    }
  }
}

/** The associated data for a named kind of repository file ("index", "snapshot", "lock", …). */
export function fileLabel(kind: string): Buffer {
  return Buffer.from(`hearth-backup:${kind}`);
}
