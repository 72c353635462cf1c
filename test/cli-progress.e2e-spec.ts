import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXED_NOW } from './harness/archival-app';
import { monthStart } from './harness/clock';
import { runCliProcess } from './harness/cli-process';
import { createTestDatabase, TestDatabase } from './harness/database';
import { runCliOnTerminal } from './harness/pty-process';
import { count, seedLogs } from './harness/seed';

/** A frame of the bar: back to the line's start, clear it, then the bar with its percentage. */
const FRAME = /\r\x1b\[2K\[#*-*\] +\d+% \d+\/\d+ rows, [\d.]+ rows\/s flow_execution_logs \d{4}-\d{2}-01\.\.\d{4}-\d{2}-\d{2}, ETA /;

/** `archival run` shows its progress: a bar redrawn in place on a terminal, plain lines elsewhere, nothing with --json. */
describe('archival run: progress', () => {
  let db: TestDatabase;
  let archiveDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    db = await createTestDatabase();
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-progress-'));
    // Small parts and a pause between batches, so the run lasts long enough to be watched.
    env = {
      DATABASE_URL: db.url, ARCHIVAL_PATH: archiveDir, ARCHIVAL_BATCH_SIZE: '100', ARCHIVAL_MAX_ROWS_PER_FILE: '200', ARCHIVAL_SLEEP_BETWEEN_BATCHES_MS: '40',
    };
  });
  beforeEach(() => seedLogs(db.sql, { rows: 2_000, from: monthStart(FIXED_NOW, -8), now: monthStart(FIXED_NOW, -6) }));
  afterAll(async () => {
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it('on a terminal, redraws a bar with rows, percent, rate, table, window and ETA, then prints the result', async () => {
    const { code, output } = await runCliOnTerminal(['run', 'log-archival'], env);
    expect(code).toBe(0);
    expect(output).toMatch(FRAME);
    expect(output.match(new RegExp(FRAME.source, 'g'))!.length).toBeGreaterThan(1);
    expect(output).toContain('log-archival: succeeded, archived 2000 rows');
    expect(await count(db.sql, 'flow_execution_logs')).toBe(0);
  });

  it('without a terminal, writes one plain line per part and no bar', async () => {
    const { code, stdout, stderr } = await runCliProcess(['run', 'log-archival'], env);
    expect(code).toBe(0);
    expect(stderr).toMatch(/^log-archival: \d+\/2000 rows \(\d+%\), flow_execution_logs \d{4}-\d{2}-01\.\.\d{4}-\d{2}-\d{2}$/m);
    expect(stdout + stderr).not.toMatch(/\r|\x1b|\[#*-+\]/);
    expect(stdout).toContain('log-archival: succeeded, archived 2000 rows');
  });

  it('with --json, prints only the report, even on a terminal', async () => {
    const { code, output } = await runCliOnTerminal(['--json', 'run', 'log-archival'], env);
    expect(code).toBe(0);
    expect(output).not.toMatch(/\x1b|rows\/s/);
    expect(JSON.parse(output)).toMatchObject({ status: 'succeeded', rows: 2_000 });
  });
});
