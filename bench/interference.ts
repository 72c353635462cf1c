/**
 * `npm run bench:interference -- STEP [STEP ...]`: what one kind of work
 * costs the bench's steady load (bench/load.ts) at p95, beside it for 10 s
 * each, in a process of its own (as an archival run is), on 1M log rows of
 * an embedded PostgreSQL. Not the product: its parts, alone, to find which
 * of them an API's latency pays for. A STEP is `kind[:size[:share]]`:
 *   idle                    the load alone
 *   busy1, busy2            busy loops on one or both cores
 *   copy:N[:S]              COPY of N-row keyset batches (N default 10,000)
 *   rate:R                  one COPY after another, read no faster than R rows/s
 *   delete:N[:S]            DELETEs of N rows, in transactions of 500,000 that
 *                           roll back: their WAL is written all the same, and
 *                           the rows stay for the steps after it
 * S (0 < S ≤ 1, default 1) is the share of time spent working: after each
 * batch the step rests (1/S − 1) times as long as the batch took.
 * Prints one line per step: the load's p50, p95, p99, the rows/s done, and
 * the share of CPU time the hypervisor took from this machine meanwhile
 * ("steal", from /proc/stat; on a VM with busy neighbours it moves the
 * load's p95 as much as any step does).
 */
import { fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/demo/data-source-options';
import { startEmbeddedPostgres } from '../src/demo/embedded-postgres';
import { freePort } from '../test/harness/free-port';
import { cpuTicks, stealShare } from './cpu-steal';
import { SteadyLoad } from './load';

const STEP_MS = 10_000;
const ROWS = 1_000_000;
const KINDS = ['idle', 'busy1', 'busy2', 'copy', 'rate', 'delete'] as const;
type Kind = (typeof KINDS)[number];

interface Step {
  text: string;
  kind: Kind;
  size: number;
  share: number;
}

/** Where a worker goes on: the key after which the next batch starts, for reads and deletes alike. */
interface Position {
  readAfter: number;
  deleteAfter: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function parseStep(text: string): Step {
  const [kind, size, share] = text.split(':');
  if (!KINDS.includes(kind as Kind)) throw new Error(`step ${text}: unknown kind "${kind}"; known: ${KINDS.join(', ')}`);
  const step = { text, kind: kind as Kind, size: Number(size ?? (kind === 'rate' ? 30_000 : 10_000)), share: Number(share ?? 1) };
  if (!Number.isInteger(step.size) || step.size < 1) throw new Error(`step ${text}: expected a whole number of rows, not "${size}"`);
  if (!(step.share > 0 && step.share <= 1)) throw new Error(`step ${text}: expected a share of time above 0 and at most 1, not "${share}"`);
  return step;
}

const COPY_SQL = (after: number, limit: number) =>
  `COPY (SELECT to_json(t.id::text)::text, t.xmin, row_to_json(t)::text FROM flow_execution_logs t
     WHERE t.created_at < now() - interval '30 days' AND t.id > ${after} ORDER BY t.id LIMIT ${limit}) TO STDOUT`;

/** One step's work, in the worker process: returns the rows done and where the next step goes on. */
async function work(url: string, step: Step, at: Position): Promise<{ rows: number; at: Position }> {
  if (step.kind === 'busy1' || step.kind === 'busy2') {
    const ends = Date.now() + STEP_MS;
    while (Date.now() < ends); // the busy loop itself (busy2 runs two workers)
    return { rows: 0, at };
  }
  const client = new Client({ connectionString: url, application_name: 'bench-interference' });
  await client.connect();
  const ends = Date.now() + STEP_MS;
  const started = performance.now();
  let rows = 0;
  let inTransaction = 0;
  try {
    while (Date.now() < ends) {
      const batchStarted = performance.now();
      if (step.kind === 'idle') await sleep(100);
      if (step.kind === 'copy' || step.kind === 'rate') {
        const limit = step.kind === 'copy' ? step.size : 10_000;
        const stream = client.query(copyTo(COPY_SQL(at.readAfter, limit)));
        let read = 0;
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          for (const byte of chunk) if (byte === 0x0a) read++;
          // rate: no faster than step.size rows/s since the step began (the socket fills and PostgreSQL waits).
          const due = step.kind === 'rate' ? started + ((rows + read) / step.size) * 1000 - performance.now() : 0;
          if (due > 2) await sleep(due);
        }
        rows += read;
        at.readAfter = read < limit ? 0 : at.readAfter + read; // ids are 1..ROWS; start over at the end
      }
      if (step.kind === 'delete') {
        if (inTransaction === 0) await client.query('BEGIN');
        const { rowCount } = await client.query(`DELETE FROM flow_execution_logs WHERE id > $1 AND id <= $2`, [at.deleteAfter, at.deleteAfter + step.size]);
        rows += rowCount ?? 0;
        at.deleteAfter += step.size;
        inTransaction += step.size;
        if (inTransaction >= 500_000) {
          await client.query('ROLLBACK');
          inTransaction = 0;
          at.deleteAfter %= ROWS;
        }
      }
      if (step.share < 1) await sleep((performance.now() - batchStarted) * (1 / step.share - 1));
    }
    if (inTransaction > 0) await client.query('ROLLBACK');
  } finally {
    await client.end();
  }
  return { rows, at };
}

/** Runs `step` in `count` worker processes of this same script and waits for them. */
async function inWorkers(url: string, step: Step, at: Position, count: number): Promise<{ rows: number; at: Position }> {
  const done = Array.from({ length: count }, () => {
    const child = fork(__filename, ['--worker', url, step.text, JSON.stringify(at)]);
    return new Promise<{ rows: number; at: Position }>((resolve, reject) => {
      child.once('message', (m) => resolve(m as { rows: number; at: Position }));
      child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`step ${step.text}: worker exited with ${code}`))));
    });
  });
  const results = await Promise.all(done);
  return { rows: results.reduce((sum, r) => sum + r.rows, 0), at: results[0].at };
}

async function seed(url: string): Promise<void> {
  const source = new DataSource({ ...dataSourceOptions(url, true), logging: false });
  await source.initialize();
  await source.runMigrations();
  await source.destroy();
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO flow_execution_logs (session_id, node_id, level, message, data, created_at)
       SELECT md5((i / 20)::text)::uuid, 'node-' || (i % 50), 'info', 'step ' || i || ' finished in ' || (i * 7) % 1000 || ' ms',
              jsonb_build_object('i', i, 'ms', (i * 7) % 1000, 'ok', i % 3 = 0, 'path', '/api/v1/flows/' || (i % 997)),
              now() - interval '300 days' + i * interval '1 second'
         FROM generate_series(1, $1) AS i`,
      [ROWS],
    );
    await client.query('CREATE INDEX flow_execution_logs_session_idx ON flow_execution_logs (session_id, created_at)');
    await client.query('VACUUM ANALYZE flow_execution_logs');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

async function main(texts: string[]): Promise<void> {
  const steps = texts.map(parseStep);
  if (steps.length === 0) throw new Error('no step given; e.g. idle copy:10000 copy:2000:0.25 delete:10000 idle');
  const dataDir = join(tmpdir(), `archival-interference-pg-${process.pid}`);
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  try {
    console.log(`seeding ${ROWS.toLocaleString('en')} rows ...`);
    await seed(postgres.url);
    const load = new SteadyLoad(postgres.url, { clients: 4, requestsPerSecond: 200 });
    await load.start();
    try {
      await sleep(3_000); // warm up
      load.take();
      let at: Position = { readAfter: 0, deleteAfter: 0 };
      for (const step of steps) {
        const before = await cpuTicks();
        const done = await inWorkers(postgres.url, step, at, step.kind === 'busy2' ? 2 : 1);
        at = done.at;
        const s = load.take();
        const after = await cpuTicks();
        const steal = stealShare(before, after);
        const rate = Math.round(done.rows / (STEP_MS / 1000)).toLocaleString('en');
        console.log(`${step.text.padEnd(20)} p50 ${s.p50Ms} ms  p95 ${s.p95Ms} ms  p99 ${s.p99Ms} ms  ${rate} rows/s  steal ${steal === undefined ? '—' : `${steal}%`}`);
      }
    } finally {
      await load.stop();
    }
  } finally {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--worker') {
  const [url, text, at] = process.argv.slice(3);
  work(url, parseStep(text), JSON.parse(at) as Position).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error: Error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(error.message);
    process.exit(2);
  });
}
