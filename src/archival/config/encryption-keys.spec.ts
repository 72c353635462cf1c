import { problemsOf } from '../../../test/harness/configuration-problems';
import { keyIdOf } from '../codec/encryption';
import { archivalOptionsFromEnv } from './archival-env';
import { resolveArchivalOptions } from './resolve-options';

const A = Buffer.alloc(32, 1);
const B = Buffer.alloc(32, 2);
const base64 = (key: Buffer) => key.toString('base64');


describe('ARCHIVAL_ENCRYPTION_KEYS: older keys, for reading', () => {
  it('takes label:base64 entries, any label, and the label may be the key id', () => {
    const options = archivalOptionsFromEnv({
      ARCHIVAL_ENCRYPTION_KEY: base64(B),
      ARCHIVAL_ENCRYPTION_KEYS: ` 2025-q1:${base64(A)} , ${keyIdOf(B)}:${base64(B)},`,
    });
    expect(options.encryptionKey).toEqual(B);
    expect(options.encryptionKeys).toEqual({ '2025-q1': A, [keyIdOf(B)]: B });
    expect(archivalOptionsFromEnv({}).encryptionKeys).toEqual({});
    expect(resolveArchivalOptions({ encryptionKeys: { old: A, older: base64(B) } }).encryptionKeys).toEqual({ old: A, older: B });
  });

  it('refuses bad entries naming each by label (or position), never echoing key material', () => {
    const short = Buffer.alloc(16, 3).toString('base64');
    const bare = base64(A);
    const problems = problemsOf(() =>
      archivalOptionsFromEnv({
        ARCHIVAL_ENCRYPTION_KEYS: [`old:${short}`, bare, `${bare}x:${base64(B)}`, `dup:${base64(A)}`, `dup:${base64(B)}`, `0123456789abcdef:${base64(A)}`, 'nokey:'].join(','),
      }),
    );
    expect(problems).toEqual([
      'ARCHIVAL_ENCRYPTION_KEYS entry 2: expected label:base64key, e.g. 2025-q1:<key>',
      'ARCHIVAL_ENCRYPTION_KEYS entry "old": must be 32 random bytes, base64-encoded (this value decodes to 16 bytes); generate one with: openssl rand -base64 32',
      'ARCHIVAL_ENCRYPTION_KEYS: a label must be 1 to 64 letters, digits, ".", "_" or "-" (label not shown, in case it is key material)',
      'ARCHIVAL_ENCRYPTION_KEYS entry "dup": the label is used twice',
      `ARCHIVAL_ENCRYPTION_KEYS entry "0123456789abcdef": the label looks like a key id, but this key's id is ${keyIdOf(A)}; use that, or a label that is not a key id`,
      'ARCHIVAL_ENCRYPTION_KEYS entry "nokey": must be 32 random bytes, base64-encoded (this value decodes to 0 bytes); generate one with: openssl rand -base64 32',
    ]);
    for (const secret of [short, bare, base64(B)]) expect(problems.join('\n')).not.toContain(secret);
  });

  it('refuses a list that names no key', () => {
    expect(problemsOf(() => archivalOptionsFromEnv({ ARCHIVAL_ENCRYPTION_KEYS: ' , ' }))).toEqual([
      'ARCHIVAL_ENCRYPTION_KEYS: lists no key; give label:base64key entries separated by commas, or unset it',
    ]);
    expect(problemsOf(() => resolveArchivalOptions({ encryptionKeys: ',' }))).toEqual([
      'encryptionKeys: lists no key; give label:base64key entries separated by commas, or unset it',
    ]);
    expect(resolveArchivalOptions({ encryptionKeys: {} }).encryptionKeys).toEqual({});
    expect(problemsOf(() => resolveArchivalOptions({ encryptionKeys: { old: Buffer.alloc(31) } }))[0]).toContain(
      'encryptionKeys entry "old": must be 32 random bytes, base64-encoded (this value decodes to 31 bytes)',
    );
  });
});
