import { Readable } from 'node:stream';
import { StorageType } from '../archival-options';

export interface StoredObject {
  key: string;
  size: number;
}

/**
 * Where archives live. Keys are relative ("table/name.jsonl.gz"); providers
 * map them under their root. write() is all-or-nothing: a failed write leaves
 * no object under the key.
 */
export interface StorageProvider {
  readonly type: StorageType;
  /** Human-readable root, without secrets, for logs and /health. */
  readonly location: string;
  write(key: string, body: Readable): Promise<StoredObject>;
  read(key: string): Promise<Readable>;
  stat(key: string): Promise<StoredObject | undefined>;
  list(prefix: string): AsyncIterable<StoredObject>;
  remove(key: string): Promise<void>;
  /** Proves the store is reachable and writable (writes and removes a probe); throws a StorageError saying why not. Start-up only. */
  check(): Promise<void>;
  /**
   * Proves the store answers and its root is usable, writing nothing (one
   * read-only request): what readiness probes call. Throws a StorageError
   * saying why not.
   */
  probe(): Promise<void>;
}

export const STORAGE_PROVIDER = Symbol('STORAGE_PROVIDER');
