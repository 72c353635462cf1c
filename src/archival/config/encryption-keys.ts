/**
 * The encryption keys: ARCHIVAL_ENCRYPTION_KEY (the current one, writes and
 * reads) and ARCHIVAL_ENCRYPTION_KEYS (older ones, only read, `label:base64`
 * entries). Archives pick their key by key id (codec/encryption.ts), so a
 * label is only the name problems use; a label that looks like a key id must
 * be the key's own id. Keys are secrets: problems name the variable and the
 * entry's label, never key material.
 */
import { keyIdOf } from '../codec/encryption';

const KEY_BYTES = 32;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const GENERATE = 'generate one with: openssl rand -base64 32';

/** A base64 AES-256 key → its 32 bytes; otherwise why not (without the value). */
function decodeKey(value: string | Buffer): { key?: Buffer; problem?: string } {
  const text = Buffer.isBuffer(value) ? undefined : value.trim();
  const key = text === undefined ? (value as Buffer) : Buffer.from(text, 'base64');
  if ((text !== undefined && !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) || key.length !== KEY_BYTES) {
    return { problem: `must be ${KEY_BYTES} random bytes, base64-encoded (this value decodes to ${key.length} bytes); ${GENERATE}` };
  }
  return { key };
}

export function resolveEncryptionKey(value: string | Buffer | undefined, name: string, problems: string[]): Buffer | undefined {
  if (value === undefined || value === '') return undefined;
  const { key, problem } = decodeKey(value);
  if (problem) problems.push(`${name}: ${problem}`);
  return key;
}

/** `label:base64,label:base64` or `{ label: key }` → keys by label. */
export function resolveEncryptionKeys(
  value: string | Record<string, string | Buffer> | undefined,
  name: string,
  problems: string[],
): Record<string, Buffer> {
  if (value === undefined) return {};
  const before = problems.length;
  const entries = typeof value === 'string' ? parseEntries(value, name, problems) : Object.entries(value);
  // `{}` is "no older keys" (resolved options are resolved again by forRootAsync); a set variable listing none is a mistake.
  if (typeof value === 'string' && entries.length === 0 && problems.length === before) {
    problems.push(`${name}: lists no key; give label:base64key entries separated by commas, or unset it`);
  }
  const keys: Record<string, Buffer> = {};
  const seen = new Set<string>();
  for (const [label, material] of entries) {
    const entry = `${name} entry ${JSON.stringify(label)}`;
    if (!LABEL.test(label)) {
      problems.push(`${name}: a label must be 1 to 64 letters, digits, ".", "_" or "-" (label not shown, in case it is key material)`);
      continue;
    }
    if (seen.has(label)) {
      problems.push(`${entry}: the label is used twice`);
      continue;
    }
    seen.add(label);
    const { key, problem } = decodeKey(material);
    if (problem) problems.push(`${entry}: ${problem}`);
    else if (KEY_ID.test(label) && keyIdOf(key!) !== label) {
      problems.push(`${entry}: the label looks like a key id, but this key's id is ${keyIdOf(key!)}; use that, or a label that is not a key id`);
    } else keys[label] = key!;
  }
  return keys;
}

/** Splits the env form; an entry without `label:` is named by its position, since it may be a bare key. */
function parseEntries(value: string, name: string, problems: string[]): [string, string][] {
  const entries: [string, string][] = [];
  value.split(',').map((entry) => entry.trim()).forEach((entry, index) => {
    if (entry === '') return;
    const colon = entry.indexOf(':');
    if (colon <= 0) problems.push(`${name} entry ${index + 1}: expected label:base64key, e.g. 2025-q1:<key>`);
    else entries.push([entry.slice(0, colon).trim(), entry.slice(colon + 1).trim()]);
  });
  return entries;
}
