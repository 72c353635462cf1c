import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AesGcmEncryption, EncryptionKeyring, keyIdOf } from './encryption';

const encryption = new AesGcmEncryption(randomBytes(32));
const plaintext = randomBytes(300_000);

/** Feeds `data` in irregular chunks (1 byte, 7 bytes, ...), so headers and tags straddle chunk boundaries. */
function chunked(data: Buffer): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0, size = 1; offset < data.length; offset += size, size = (size * 7) % 65_521 || 1) {
    chunks.push(data.subarray(offset, offset + size));
  }
  return Readable.from(chunks);
}

async function encrypt(data: Buffer) {
  const { stream, info } = encryption.encryptor();
  return { bytes: await buffer(chunked(data).pipe(stream)), info };
}

describe('AES-256-GCM archive encryption', () => {
  it('round-trips any chunking, with a fresh nonce per archive', async () => {
    const first = await encrypt(plaintext);
    const second = await encrypt(plaintext);
    expect(first.info.nonce).not.toBe(second.info.nonce);
    expect(first.bytes.includes(plaintext.subarray(0, 64))).toBe(false);
    expect((await buffer(chunked(first.bytes).pipe(encryption.decryptor('a.enc')))).equals(plaintext)).toBe(true);
    expect((await buffer(chunked((await encrypt(Buffer.alloc(0))).bytes).pipe(encryption.decryptor('e.enc')))).length).toBe(0);
  });

  it('fails on one flipped byte, a truncated file or a foreign file', async () => {
    const { bytes } = await encrypt(plaintext);
    const flipped = Buffer.from(bytes);
    flipped[1000] ^= 1;
    await expect(buffer(Readable.from([flipped]).pipe(encryption.decryptor('a.enc')))).rejects.toThrow(/failed authentication/);
    await expect(buffer(Readable.from([bytes.subarray(0, 20)]).pipe(encryption.decryptor('a.enc')))).rejects.toThrow(/not a complete encrypted archive/);
    await expect(buffer(Readable.from([plaintext]).pipe(encryption.decryptor('a.enc')))).rejects.toThrow(/not an archive encrypted by nest-archival/);
  });

  it('names a wrong key by both key ids before decrypting anything, and says where to add the right one', async () => {
    const { bytes, info } = await encrypt(plaintext);
    const other = new AesGcmEncryption(randomBytes(32));
    await expect(buffer(Readable.from([bytes]).pipe(other.decryptor('a.enc')))).rejects.toThrow(
      `a.enc was encrypted with key id ${info.keyId}, but ARCHIVAL_ENCRYPTION_KEY has key id ${other.keyId}: wrong key, ` +
        'and ARCHIVAL_ENCRYPTION_KEYS holds no other key; add the key it was written with to ARCHIVAL_ENCRYPTION_KEYS (label:base64key)',
    );
  });
});

describe('the encryption keyring', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const written = async (key: Buffer) => {
    const { stream } = new AesGcmEncryption(key).encryptor();
    return buffer(chunked(plaintext).pipe(stream));
  };
  const decrypt = (keyring: EncryptionKeyring, bytes: Buffer) => buffer(chunked(bytes).pipe(keyring.decryptor('a.enc')));

  it('encrypts with the current key and decrypts each archive with the key of its key id', async () => {
    const keyring = new EncryptionKeyring({ current: newKey, older: { '2025-q1': oldKey } });
    expect(keyring.encryptor().info.keyId).toBe(keyIdOf(newKey));
    expect((await decrypt(keyring, await written(oldKey))).equals(plaintext)).toBe(true);
    expect((await decrypt(keyring, await written(newKey))).equals(plaintext)).toBe(true);
    const readOnly = new EncryptionKeyring({ older: { old: oldKey } });
    expect((await decrypt(readOnly, await written(oldKey))).equals(plaintext)).toBe(true);
    expect(() => readOnly.encryptor()).toThrow('ARCHIVAL_ENCRYPTION_KEY is not set');
  });

  it('names the missing key id and the configured ones, never a key', async () => {
    const lost = randomBytes(32);
    const keyring = new EncryptionKeyring({ current: newKey, older: { old: oldKey } });
    const failure = decrypt(keyring, await written(lost));
    await expect(failure).rejects.toThrow(
      `a.enc was encrypted with key id ${keyIdOf(lost)}, but ARCHIVAL_ENCRYPTION_KEY has key id ${keyIdOf(newKey)}: wrong key, ` +
        `and none of ARCHIVAL_ENCRYPTION_KEYS (key ids ${keyIdOf(oldKey)}) has it either; add the key it was written with to ARCHIVAL_ENCRYPTION_KEYS`,
    );
    const message = await failure.catch((error: Error) => error.message);
    for (const key of [lost, newKey, oldKey]) expect(message).not.toContain(key.toString('base64'));
    await expect(decrypt(new EncryptionKeyring({ older: { old: oldKey } }), await written(lost))).rejects.toThrow(
      `a.enc was encrypted with key id ${keyIdOf(lost)}, but ARCHIVAL_ENCRYPTION_KEY is not set, and none of ARCHIVAL_ENCRYPTION_KEYS`,
    );
  });

  it('fails authentication when a header names another configured key', async () => {
    const keyring = new EncryptionKeyring({ current: newKey, older: { old: oldKey } });
    const forged = Buffer.from(await written(oldKey));
    Buffer.from(keyIdOf(newKey), 'hex').copy(forged, 6);
    await expect(decrypt(keyring, forged)).rejects.toThrow(/failed authentication/);
  });
});
