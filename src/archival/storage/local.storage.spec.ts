import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { StorageError } from '../archival.errors';
import { LocalStorageProvider } from './local.storage';

describe('LocalStorageProvider', () => {
  let root: string;
  let storage: LocalStorageProvider;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'archival-local-'));
    storage = new LocalStorageProvider(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('writes, stats, reads, lists and removes objects under its root', async () => {
    await storage.write('logs/a.jsonl.gz', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    await storage.write('logs/b.jsonl.gz', Readable.from([Buffer.from('x')]));
    await storage.write('other/c.jsonl', Readable.from([Buffer.from('y')]));
    expect(await storage.stat('logs/a.jsonl.gz')).toEqual({ key: 'logs/a.jsonl.gz', size: 11 });
    expect(await text(await storage.read('logs/a.jsonl.gz'))).toBe('hello world');
    const listed = [];
    for await (const object of storage.list('logs/')) listed.push(object.key);
    expect(listed).toEqual(['logs/a.jsonl.gz', 'logs/b.jsonl.gz']);
    await storage.remove('logs/a.jsonl.gz');
    expect(await storage.stat('logs/a.jsonl.gz')).toBeUndefined();
  });

  it('leaves nothing under the key, and no temp file, when the body fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'));
        this.destroy(new Error('source broke'));
      },
    });
    await expect(storage.write('logs/broken.jsonl', failing)).rejects.toThrow(/writing logs\/broken.jsonl .* source broke/);
    expect(await storage.stat('logs/broken.jsonl')).toBeUndefined();
    expect(await readdir(join(root, 'logs'))).toEqual([]);
  });

  it.each(['../escape', '/etc/passwd', 'a/../../b', ''])('refuses the key %j', async (key) => {
    await expect(storage.write(key, Readable.from([Buffer.from('x')]))).rejects.toThrow(StorageError);
  });

  it('reports a missing archive by key', async () => {
    await expect(storage.read('logs/none.jsonl')).rejects.toThrow(/archive logs\/none.jsonl is missing/);
  });

  it('never replaces an existing object: the second write fails and the first stays, with no temp file left', async () => {
    await storage.write('k.jsonl', Readable.from([Buffer.from('one')]));
    await expect(storage.write('k.jsonl', Readable.from([Buffer.from('two')]))).rejects.toThrow(
      /writing k.jsonl .* an object with that key already exists and is never replaced/,
    );
    expect(await readFile(join(root, 'k.jsonl'), 'utf8')).toBe('one');
    expect(await readdir(root)).toEqual(['k.jsonl']);
  });

  it('probes without writing: the root is untouched, a root not yet created stays uncreated, a file is refused', async () => {
    await storage.write('logs/a.jsonl', Readable.from([Buffer.from('x')]));
    const before = await stat(root);
    await storage.probe();
    expect(await readdir(root)).toEqual(['logs']);
    expect((await stat(root)).mtimeMs).toBe(before.mtimeMs);

    const later = new LocalStorageProvider(join(root, 'not', 'yet'));
    await later.probe();
    expect(await readdir(root)).toEqual(['logs']);

    await writeFile(join(root, 'file'), 'x');
    await expect(new LocalStorageProvider(join(root, 'file')).probe()).rejects.toThrow(/file cannot take archives: it is not a directory/);
    await expect(new LocalStorageProvider(join(root, 'file', 'sub')).probe()).rejects.toThrow(/it does not exist and cannot be created: .*file is not a directory/);
  });
});
