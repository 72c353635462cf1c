import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { AesGcmEncryption } from './encryption';

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

  it('names a wrong key by its key id before decrypting anything', async () => {
    const { bytes, info } = await encrypt(plaintext);
    const other = new AesGcmEncryption(randomBytes(32));
    await expect(buffer(Readable.from([bytes]).pipe(other.decryptor('a.enc')))).rejects.toThrow(
      `a.enc was encrypted with key id ${info.keyId}, but ARCHIVAL_ENCRYPTION_KEY has key id ${other.keyId}: wrong key`,
    );
  });

  it('fails on one flipped byte, a truncated file or a foreign file', async () => {
    const { bytes } = await encrypt(plaintext);
    const flipped = Buffer.from(bytes);
    flipped[1000] ^= 1;
    await expect(buffer(Readable.from([flipped]).pipe(encryption.decryptor('a.enc')))).rejects.toThrow(/failed authentication/);
    await expect(buffer(Readable.from([bytes.subarray(0, 20)]).pipe(encryption.decryptor('a.enc')))).rejects.toThrow(/not a complete encrypted archive/);
    await expect(buffer(Readable.from([plaintext]).pipe(encryption.decryptor('a.enc')))).rejects.toThrow(/not an archive encrypted by nest-archival/);
  });
});
