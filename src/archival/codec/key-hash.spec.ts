import { createHash } from 'node:crypto';
import { KeyHash } from './key-hash';

describe('KeyHash', () => {
  it('is SHA-256 over each key and a newline, across batch boundaries, long keys and UTF-8', () => {
    const keys = [...Array.from({ length: 20_000 }, (_, i) => `key-${i}-é€😀`), 'x'.repeat(70 * 1024), 'last'];
    const batched = new KeyHash();
    keys.forEach((key, i) => {
      if (i % 2 === 0) batched.add(key);
      else {
        const bytes = Buffer.from(`[${key}]`);
        batched.addBytes(bytes, 1, bytes.length - 1);
      }
    });
    expect(batched.digest()).toBe(createHash('sha256').update(keys.map((k) => `${k}\n`).join('')).digest('hex'));
  });
});
