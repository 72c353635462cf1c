/**
 * Archives on a local (or mounted) volume. Writes are atomic and create-only:
 * a temporary file in the same directory, fsynced, then hard-linked to the key
 * (which fails if the key exists: an archive is never replaced) and the
 * directory fsynced, so a crash never leaves a half-written archive under a
 * real name. Volumes without hard links get an exclusive copy instead.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { access, copyFile, link, mkdir, open, opendir, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MissingObjectError, StorageError } from '../archival.errors';
import { StorageProvider, StoredObject } from './storage-provider.interface';

/** Temp files start with this and are never listed. */
const TEMP_MARKER = '.tmp-';

export class LocalStorageProvider implements StorageProvider {
  readonly type = 'local' as const;
  readonly location: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.location = this.root;
  }

  async write(key: string, body: Readable): Promise<StoredObject> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = join(dirname(target), `${TEMP_MARKER}${randomBytes(6).toString('hex')}-${key.split('/').pop()}`);
    // The file exists before the stream does, so a failure can always remove it.
    const handle = await open(temp, 'wx', 0o640);
    // flush: the file is fsynced before it is closed, so the rename publishes durable bytes.
    const file = handle.createWriteStream({ flush: true, highWaterMark: 1024 * 1024 });
    try {
      await pipeline(body, file);
      await publishExclusively(temp, target);
      await syncDirectory(dirname(target));
    } catch (error) {
      if (!file.closed) await once(file, 'close').catch(() => undefined);
      const why = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'an object with that key already exists and is never replaced' : (error as Error).message;
      throw new StorageError(`writing ${key} to ${this.location} failed: ${why}`, key);
    } finally {
      await rm(temp, { force: true });
    }
    const size = (await stat(target)).size;
    return { key, size };
  }

  async read(key: string): Promise<Readable> {
    const path = this.pathOf(key);
    const found = await this.stat(key);
    if (!found) throw new MissingObjectError(key, this.location);
    return createReadStream(path, { highWaterMark: 1024 * 1024 });
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const info = await stat(this.pathOf(key));
      return info.isFile() ? { key, size: info.size } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    yield* this.walk(this.root, prefix);
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async check(): Promise<void> {
    const probe = `${TEMP_MARKER}health-check-${randomBytes(4).toString('hex')}`;
    await this.write(probe, Readable.from([Buffer.from('ok')]));
    await this.remove(probe);
  }

  /** Writes nothing: stat and access(2) only (access also sees a read-only mount). */
  async probe(): Promise<void> {
    const problem = await directoryProblem(this.root);
    if (problem) throw new StorageError(`${this.location} cannot take archives: ${problem}`);
  }

  private async *walk(directory: string, prefix: string): AsyncIterable<StoredObject> {
    let entries;
    try {
      entries = await opendir(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const names: { name: string; dir: boolean }[] = [];
    for await (const entry of entries) names.push({ name: entry.name, dir: entry.isDirectory() });
    names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of names) {
      const path = join(directory, entry.name);
      const key = relative(this.root, path).split(sep).join('/');
      if (entry.dir) {
        if (prefix.startsWith(`${key}/`) || key.startsWith(prefix) || prefix === '') yield* this.walk(path, prefix);
      } else if (key.startsWith(prefix) && !entry.name.startsWith(TEMP_MARKER)) {
        yield { key, size: (await stat(path)).size };
      }
    }
  }

  /** Maps a key to a path under the root, refusing keys that would escape it. */
  private pathOf(key: string): string {
    if (!key || key.includes('\0') || isAbsolute(key) || key.split(/[\\/]/).includes('..')) {
      throw new StorageError(`refusing storage key ${JSON.stringify(key)}: keys must be relative and stay under ${this.location}`, key);
    }
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) {
      throw new StorageError(`refusing storage key ${JSON.stringify(key)}: it resolves outside ${this.location}`, key);
    }
    return path;
  }
}

/**
 * Why archives could not be written under `root`, undefined when they could:
 * it is a directory this process may read and write, or, before the first
 * archive creates it, its nearest existing ancestor is a writable directory.
 */
async function directoryProblem(root: string): Promise<string | undefined> {
  for (let current = root; ; current = dirname(current)) {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(current)).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(current) !== current) continue;
      return (error as Error).message;
    }
    const missing = current === root ? '' : 'it does not exist and cannot be created: ';
    if (!isDirectory) return `${missing}${current === root ? 'it' : current} is not a directory`;
    try {
      await access(current, constants.W_OK | constants.X_OK | (current === root ? constants.R_OK : 0));
    } catch (error) {
      return `${missing}${current === root ? 'it' : current} is not writable by this process (${(error as NodeJS.ErrnoException).code})`;
    }
    return undefined;
  }
}

/** Publishes `temp` under `target` unless `target` exists (EEXIST). */
async function publishExclusively(temp: string, target: string): Promise<void> {
  try {
    await link(temp, target);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(temp, target, constants.COPYFILE_EXCL);
    // The copy's bytes must be durable before the rows they hold may be deleted.
    const handle = await open(target, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

async function syncDirectory(directory: string) {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
