/**
 * One step of `npm run bench:interference` (bench/interference.ts), in a
 * process of its own, as an archival run is: it connects, says "ready",
 * waits for "go", works for the step's time and sends back the rows it did
 * and how long it took. It loads only pg and pg-copy-streams, so its start
 * does not weigh on the load it is measured beside.
 */
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { Position, Step, STEP_MS, ROWS, WorkerMessage, WorkerResult } from './interference-steps';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const COPY_SQL = (after: number, limit: number) =>
  `COPY (SELECT to_json(t.id::text)::text, t.xmin, row_to_json(t)::text FROM flow_execution_logs t
     WHERE t.created_at < now() - interval '30 days' AND t.id > ${after} ORDER BY t.id LIMIT ${limit}) TO STDOUT`;

/** Lines (rows) in a COPY chunk. */
function lines(chunk: Buffer): number {
  let n = 0;
  for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) n++;
  return n;
}

/** One COPY batch after `at.readAfter`; `rate`: read no faster than that many rows/s since `started` (the socket fills, PostgreSQL waits). */
async function copyBatch(client: Client, step: Step, at: Position, done: number, started: number): Promise<number> {
  const limit = step.kind === 'copy' ? step.size : 10_000;
  let read = 0;
  for await (const chunk of client.query(copyTo(COPY_SQL(at.readAfter, limit))) as AsyncIterable<Buffer>) {
    read += lines(chunk);
    const due = step.kind === 'rate' ? started + ((done + read) / step.size) * 1000 - performance.now() : 0;
    if (due > 2) await sleep(due);
  }
  at.readAfter = read < limit ? 0 : at.readAfter + read; // ids are 1..ROWS: start over at the end
  return read;
}

/** DELETEs of `step.size` rows in a transaction rolled back every 500,000 rows (and at the end), so the rows stay for later steps. */
class Deleter {
  private inTransaction = 0;

  constructor(private readonly client: Client) {}

  async batch(size: number, at: Position): Promise<number> {
    if (at.deleteAfter >= ROWS) {
      await this.end();
      at.deleteAfter = 0;
    }
    if (this.inTransaction === 0) await this.client.query('BEGIN');
    const { rowCount } = await this.client.query(`DELETE FROM flow_execution_logs WHERE id > $1 AND id <= $2`, [at.deleteAfter, at.deleteAfter + size]);
    at.deleteAfter += size;
    this.inTransaction += size;
    if (this.inTransaction >= 500_000) await this.end();
    return rowCount ?? 0;
  }

  async end(): Promise<void> {
    if (this.inTransaction > 0) await this.client.query('ROLLBACK');
    this.inTransaction = 0;
  }
}

async function work(client: Client, step: Step, at: Position): Promise<WorkerResult> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  if (step.kind === 'busy') {
    while (performance.now() - started < STEP_MS); // the busy loop itself
    return { rows: 0, seconds: seconds(), at };
  }
  const deleter = new Deleter(client);
  let rows = 0;
  while (performance.now() - started < STEP_MS) {
    const batchStarted = performance.now();
    if (step.kind === 'idle') await sleep(100);
    if (step.kind === 'copy' || step.kind === 'rate') rows += await copyBatch(client, step, at, rows, started);
    if (step.kind === 'delete') rows += await deleter.batch(step.size, at);
    if (step.share < 1) await sleep((performance.now() - batchStarted) * (1 / step.share - 1));
  }
  await deleter.end();
  return { rows, seconds: seconds(), at };
}

async function main(): Promise<void> {
  const [url, stepJson, atJson] = process.argv.slice(2);
  const client = new Client({ connectionString: url, application_name: 'bench-interference' });
  await client.connect();
  try {
    process.send!({ ready: true } satisfies WorkerMessage);
    await new Promise((resolve) => process.once('message', resolve));
    const result = await work(client, JSON.parse(stepJson) as Step, JSON.parse(atJson) as Position);
    await new Promise((resolve) => process.send!({ result } satisfies WorkerMessage, resolve));
  } finally {
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(error);
    process.exit(1);
  },
);
