/**
 * `npm run bench:interference -- STEP [STEP ...]`: what one kind of work
 * costs the bench's steady load (bench/load.ts) at p95, beside it for 10 s
 * each, in a process of its own (bench/interference-worker.ts, as an
 * archival run is), on 1M log rows of an embedded PostgreSQL of its own. Not
 * the product: its parts, alone, to find which of them an API's latency pays
 * for. A STEP is `kind[:size[:share]]`:
 *   idle                the load alone
 *   busy1, busy2        busy loops on one or both cores
 *   copy[:N[:S]]        COPY of N-row keyset batches (N default 10,000)
 *   rate[:R[:S]]        COPYs of 10,000 rows, read no faster than R rows/s
 *                       (default 30,000)
 *   delete[:N[:S]]      DELETEs of N rows (default 10,000) in transactions
 *                       rolled back every 500,000 rows: their WAL is written
 *                       all the same, and the rows stay for later steps
 * S (0 < S ≤ 1, default 1) is the share of time spent working: after each
 * batch the step rests (1/S − 1) times as long as the batch took.
 * Prints one line per step: the load's p50, p95 and p99, the rows/s done,
 * and the share of CPU time the hypervisor gave other guests meanwhile
 * (bench/cpu-steal.ts). Bad steps: exit 2 before anything starts; any other
 * failure: exit 1.
 */
import { ChildProcess, fork } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../src/demo/embedded-postgres';
import { freePort } from '../test/harness/free-port';
import { cpuTicks, stealShare } from './cpu-steal';
import { parseStep, Position, ROWS, Step, WorkerMessage, WorkerResult } from './interference-steps';
import { SteadyLoad } from './load';
import { seedTemplate } from './seed-logs';

const children = new Set<ChildProcess>();

/** Starts the step's workers, and once all are connected `measure` starts; resolves with what they did. */
async function inWorkers(url: string, step: Step, at: Position, measure: () => Promise<void>): Promise<WorkerResult> {
  const workers = Array.from({ length: step.workers }, () => {
    const child = fork(join(__dirname, 'interference-worker.js'), [url, JSON.stringify(step), JSON.stringify(at)]);
    children.add(child);
    let result: WorkerResult | undefined;
    const ready = new Promise<void>((resolve) => child.on('message', (m: WorkerMessage) => ('ready' in m ? resolve() : (result = m.result))));
    const done = new Promise<WorkerResult>((resolve, reject) => {
      child.once('exit', (code) => {
        children.delete(child);
        if (code === 0 && result) resolve(result);
        else reject(new Error(`step ${step.text}: its worker exited with ${code}${result ? '' : ' and no result'}`));
      });
    });
    return { child, ready, done };
  });
  try {
    await Promise.race([Promise.all(workers.map((w) => w.ready)), Promise.all(workers.map((w) => w.done))]);
    await measure();
    for (const w of workers) w.child.send('go');
    const results = await Promise.all(workers.map((w) => w.done));
    return { rows: results.reduce((sum, r) => sum + r.rows, 0), seconds: Math.max(...results.map((r) => r.seconds)), at: results[0].at };
  } finally {
    for (const w of workers) w.child.kill();
  }
}

/** The bench's log rows (ids 1..ROWS, all past retention) and the index the load reads a session's newest rows by. */
async function seed(url: string): Promise<void> {
  await seedTemplate(url, ROWS);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE INDEX flow_execution_logs_session_idx ON flow_execution_logs (session_id, created_at)');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

async function measureSteps(url: string, steps: Step[]): Promise<void> {
  const load = new SteadyLoad(url, { clients: 4, requestsPerSecond: 200 });
  try {
    await load.start();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // warm up
    let at: Position = { readAfter: 0, deleteAfter: 0 };
    for (const step of steps) {
      let before: Awaited<ReturnType<typeof cpuTicks>>;
      // The window opens once the workers are connected: their start is not measured.
      const done = await inWorkers(url, step, at, async () => {
        load.take();
        before = await cpuTicks();
      });
      const s = load.take();
      const steal = stealShare(before, await cpuTicks());
      at = done.at;
      const rate = Math.round(done.rows / done.seconds).toLocaleString('en');
      console.log(`${step.text.padEnd(20)} p50 ${s.p50Ms} ms  p95 ${s.p95Ms} ms  p99 ${s.p99Ms} ms  ${rate} rows/s  steal ${steal === undefined ? '—' : `${steal}%`}`);
    }
  } finally {
    await load.stop();
  }
}

async function main(steps: Step[]): Promise<void> {
  const dataDir = join(tmpdir(), `archival-interference-pg-${process.pid}`);
  let postgres: EmbeddedPostgresHandle | undefined;
  const stop = async () => {
    for (const child of children) child.kill();
    await postgres?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop().finally(() => process.exit(130)));
  try {
    postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
    console.log(`seeding ${ROWS.toLocaleString('en')} rows ...`);
    await seed(postgres.url);
    await measureSteps(postgres.url, steps);
  } finally {
    await stop();
  }
}

let steps: Step[];
try {
  steps = process.argv.slice(2).map(parseStep);
  if (steps.length === 0) throw new Error('no step given; e.g. idle copy:10000 copy:2000:0.25 delete:10000:0.17 idle');
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
main(steps).catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
