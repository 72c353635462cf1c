import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './harness/cli';
import { createTestDatabase, TestDatabase } from './harness/database';
import { count } from './harness/seed';
import { NOW_SQL } from './harness/clock';

describe('archival verify and restore from the CLI', () => {
  let db: TestDatabase;
  let archiveDir: string;
  let env: NodeJS.ProcessEnv;
  let archives: { id: number; archivePath: string; manifestPath: string; rowCount: number }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-verify-'));
    env = { DATABASE_URL: db.url, ARCHIVAL_PATH: archiveDir, ARCHIVAL_COMPRESSION: 'gzip', ARCHIVAL_MAX_ROWS_PER_FILE: '500' };
    await db.sql.query(
      `INSERT INTO flow_execution_logs (level, message, created_at)
       SELECT 'info', 'old ' || i, ${NOW_SQL} - interval '200 days' + i * interval '1 minute' FROM generate_series(1, 2000) i`,
    );
    expect((await cli(['run', 'log-archival'], env)).code).toBe(0);
    archives = JSON.parse((await cli(['archives', '--json'], env)).out);
  });
  afterAll(async () => {
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('verify passes on intact archives, with the hash chain', async () => {
    const result = await cli(['verify', '--json'], env);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.out)).toMatchObject({ checked: 4, ok: 4, problems: [], untracked: [], missing: [] });
  });

  it('one corrupt byte: verify names that archive and exits 1; restore of it refuses and inserts nothing', async () => {
    const target = archives[1];
    const path = join(archiveDir, target.archivePath);
    const original = await readFile(path);
    const corrupt = Buffer.from(original);
    corrupt[Math.floor(corrupt.length / 2)] ^= 0x40;
    await writeFile(path, corrupt);
    try {
      const result = await cli(['verify'], env);
      expect(result.code).toBe(1);
      expect(result.out).toContain(`archive ${target.id} ${target.archivePath}:`);
      expect(result.out).toContain('checked 4 archives: 3 intact, ');
      const restore = await cli(['restore', '--archive', String(target.id)], env);
      expect(restore.code).toBe(1);
      expect(restore.err).toContain(target.archivePath);
      expect(restore.err).toMatch(/nothing was restored/);
      expect(await count(db.sql, 'flow_execution_logs')).toBe(0);
    } finally {
      await writeFile(path, original);
    }
  });

  it('a deleted object and a stray object are both reported as orphans', async () => {
    const gone = archives[2];
    const saved = await readFile(join(archiveDir, gone.archivePath));
    await unlink(join(archiveDir, gone.archivePath));
    await writeFile(join(archiveDir, 'public.flow_execution_logs', 'stray.jsonl.gz'), 'not ours');
    try {
      const result = await cli(['verify', '--json'], env);
      expect(result.code).toBe(1);
      const report = JSON.parse(result.out);
      expect(report.missing).toEqual([{ archiveId: gone.id, path: gone.archivePath }]);
      expect(report.untracked).toEqual(['public.flow_execution_logs/stray.jsonl.gz']);
    } finally {
      await writeFile(join(archiveDir, gone.archivePath), saved);
      await unlink(join(archiveDir, 'public.flow_execution_logs', 'stray.jsonl.gz'));
    }
  });

  it('an altered manifest breaks verification of its archive', async () => {
    const target = archives[3];
    const path = join(archiveDir, target.manifestPath);
    const original = await readFile(path, 'utf8');
    await writeFile(path, original.replace('"rowCount": 500', '"rowCount": 499'));
    try {
      const report = JSON.parse((await cli(['verify', '--json', '--archive', String(target.id)], env)).out);
      expect(report.problems.map((p: { problem: string }) => p.problem).join('\n')).toMatch(/manifest .* was altered/);
    } finally {
      await writeFile(path, original);
    }
  });

  it('restore puts every archived row back, then the watermark skips them', async () => {
    const restored = await cli(['restore', '--table', 'flow_execution_logs', '--json'], env);
    expect(restored.code).toBe(0);
    expect(JSON.parse(restored.out)).toMatchObject({ status: 'succeeded', rows: 2000, written: 2000 });
    expect(await count(db.sql, 'flow_execution_logs')).toBe(2000);
    const again = JSON.parse((await cli(['restore', '--table', 'flow_execution_logs', '--json'], env)).out);
    expect(again).toMatchObject({ rows: 0, written: 0 });
    const runs = JSON.parse((await cli(['runs', '--json', '--job', 'restore'], env)).out);
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect((await cli(['restore', '--table', 'flow_execution_logs', '--conflict', 'merge'], env)).code).toBe(2);
  });
});
