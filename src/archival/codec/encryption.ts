/**
 * Client-side AES-256-GCM over the compressed stream (`.enc` archives).
 *
 * Layout: header (magic "NAGCM1", 8-byte key id, 12-byte random nonce) ‖
 * ciphertext ‖ 16-byte GCM tag. The header is authenticated (AAD), so a
 * swapped key id or nonce fails like altered ciphertext. The key id is the
 * first 8 bytes of SHA-256(key): it names the key without revealing it, so
 * the keyring picks the key an archive needs by it (archives written before a
 * key rotation stay readable), and a missing key is reported by its id before
 * any byte is decrypted.
 *
 * Decryption streams; the tag is checked at the end, and a failed check fails
 * the stream, so callers that commit only after the stream ends (verify,
 * restore) never act on unauthenticated bytes.
 */
import { createCipheriv, createDecipheriv, createHash, DecipherGCM, randomBytes } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { EncryptionError } from '../archival.errors';

const MAGIC = Buffer.from('NAGCM1');
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + KEY_ID_BYTES + NONCE_BYTES;

export const ENCRYPTION_ALGORITHM = 'AES-256-GCM';

export interface EncryptionInfo {
  algorithm: typeof ENCRYPTION_ALGORITHM;
  keyId: string;
  nonce: string;
}

export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest().subarray(0, KEY_ID_BYTES).toString('hex');
}

/** One key: encrypts new archives, and decrypts what it encrypted. */
export class AesGcmEncryption {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new EncryptionError(`an AES-256 key has 32 bytes, not ${key.length}`);
    this.keyId = keyIdOf(key);
  }

  /** A fresh nonce per archive; `info` goes into the manifest. */
  encryptor(): { stream: Transform; info: EncryptionInfo } {
    const nonce = randomBytes(NONCE_BYTES);
    const header = Buffer.concat([MAGIC, Buffer.from(this.keyId, 'hex'), nonce]);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(header);
    let headerSent = false;
    const stream = new Transform({
      highWaterMark: 1024 * 1024,
      transform(chunk: Buffer, _encoding, callback: TransformCallback) {
        if (!headerSent) {
          this.push(header);
          headerSent = true;
        }
        callback(null, cipher.update(chunk));
      },
      flush(callback: TransformCallback) {
        if (!headerSent) this.push(header);
        const rest = cipher.final();
        if (rest.length > 0) this.push(rest);
        callback(null, cipher.getAuthTag());
      },
    });
    return { stream, info: { algorithm: ENCRYPTION_ALGORITHM, keyId: this.keyId, nonce: nonce.toString('hex') } };
  }

  decryptor(what: string): Transform {
    return new EncryptionKeyring({ current: this.key }).decryptor(what);
  }
}

/**
 * Every key the module may read with: the current key (ARCHIVAL_ENCRYPTION_KEY,
 * also the one new archives are written with) and older keys kept after a
 * rotation (ARCHIVAL_ENCRYPTION_KEYS, by label). Each archive's header names
 * its key id, and the decryptor takes the key with that id.
 */
export class EncryptionKeyring {
  /** Encrypts new archives; undefined without a current key. */
  readonly current?: AesGcmEncryption;
  private readonly keys = new Map<string, Buffer>();
  private readonly olderIds: string[];

  constructor({ current, older = {} }: { current?: Buffer; older?: Record<string, Buffer> }) {
    this.current = current ? new AesGcmEncryption(current) : undefined;
    for (const key of Object.values(older)) this.keys.set(new AesGcmEncryption(key).keyId, key);
    this.olderIds = [...this.keys.keys()].filter((id) => id !== this.current?.keyId);
    if (current) this.keys.set(keyIdOf(current), current);
  }

  get empty(): boolean {
    return this.keys.size === 0;
  }

  encryptor(): { stream: Transform; info: EncryptionInfo } {
    if (!this.current) throw new EncryptionError('new archives cannot be encrypted: ARCHIVAL_ENCRYPTION_KEY is not set');
    return this.current.encryptor();
  }

  decryptor(what: string): Transform {
    return new DecryptStream((keyId) => this.keys.get(keyId) ?? this.missing(what, keyId), what);
  }

  /** Names the key id the archive needs and the ids that are configured; never key material. */
  private missing(what: string, keyId: string): never {
    const current = this.current
      ? `ARCHIVAL_ENCRYPTION_KEY has key id ${this.current.keyId}: wrong key`
      : 'ARCHIVAL_ENCRYPTION_KEY is not set';
    const older = this.olderIds.length > 0
      ? `none of ARCHIVAL_ENCRYPTION_KEYS (key ids ${this.olderIds.join(', ')}) has it either`
      : 'ARCHIVAL_ENCRYPTION_KEYS holds no other key';
    throw new EncryptionError(
      `${what} was encrypted with key id ${keyId}, but ${current}, and ${older}; ` +
        `add the key it was written with to ARCHIVAL_ENCRYPTION_KEYS (label:base64key)`,
    );
  }
}

class DecryptStream extends Transform {
  private header: Buffer | undefined = Buffer.alloc(0);
  private decipher: DecipherGCM | undefined;
  /** The last TAG_BYTES seen so far: they may be the tag. */
  private tail = Buffer.alloc(0);

  /** `keyFor` returns the key with that id, or throws naming what is missing. */
  constructor(private readonly keyFor: (keyId: string) => Buffer, private readonly what: string) {
    super({ highWaterMark: 1024 * 1024 });
  }

  _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
    try {
      if (this.header) {
        this.header = Buffer.concat([this.header, chunk]);
        if (this.header.length < HEADER_BYTES) return callback();
        chunk = this.header.subarray(HEADER_BYTES);
        this.decipher = this.start(this.header.subarray(0, HEADER_BYTES));
        this.header = undefined;
      }
      const data = Buffer.concat([this.tail, chunk]);
      const usable = Math.max(0, data.length - TAG_BYTES);
      this.tail = Buffer.from(data.subarray(usable));
      callback(null, this.decipher!.update(data.subarray(0, usable)));
    } catch (error) {
      callback(error as Error);
    }
  }

  _flush(callback: TransformCallback) {
    if (!this.decipher || this.tail.length < TAG_BYTES) {
      return callback(new EncryptionError(`${this.what} is not a complete encrypted archive (truncated?)`));
    }
    this.decipher.setAuthTag(this.tail);
    try {
      callback(null, this.decipher.final());
    } catch {
      callback(new EncryptionError(`${this.what} failed authentication (AES-256-GCM tag mismatch): the archive was altered or the key is wrong`));
    }
  }

  private start(header: Buffer) {
    if (!header.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new EncryptionError(`${this.what} is not an archive encrypted by nest-archival (bad header)`);
    }
    // The key id is not trusted yet: it only picks the key, and as part of the AAD a forged one fails the tag.
    const key = this.keyFor(header.subarray(MAGIC.length, MAGIC.length + KEY_ID_BYTES).toString('hex'));
    const decipher = createDecipheriv('aes-256-gcm', key, header.subarray(MAGIC.length + KEY_ID_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(header);
    return decipher;
  }
}
