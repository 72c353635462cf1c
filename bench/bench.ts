/**
 * `npm run bench [-- --rows N] [--cases a,b] [--rounds N] [--out FILE]`: the
 * archival pipeline against its practical ceiling, on this machine.
 *
 * Creates its own PostgreSQL (embedded, or a database in DATABASE_URL's
 * server) and s3rver, seeds N log rows into one old month of a template
 * database, and runs every case on a fresh copy of it, each in its own
 * process (so peak RSS is the case's own):
 *   reference          COPY (SELECT row_to_json ...) → zlib gzip → file, then one DELETE
 *   json+gzip local    the product's log job (select, encode, compress, write,
 *   json+zstd local      read back and verify, purge), as `archival run`
 *   json+none local
 *   parquet+zstd local
 *   json+zstd local partitioned   ... on a table partitioned by month: DETACH/DROP, not DELETE
 *   json+zstd s3       ... to s3rver (a local S3 API)
 * Prints a table and writes bench/results.json. `--rounds N` runs the whole
 * list N times, one round after the other, and adds a summary: per case the
 * median rows/s, the median and range of its ratio to the reference of the
 * same round, and the median and highest peak RSS (bench/results.json then
 * holds `{ rounds, summary }`). On a machine whose speed drifts between runs,
 * one round's ratio is one sample; the median of paired ratios is the fairer
 * reading.
 * `--parallel 1,2`: the rows over four months, json+zstd local once per
 * ARCHIVAL_PARALLELISM, beside the reference (bench/parallel-results.json).
 * `--load [--partitioned] [--nice 0,3,9]`: database impact instead (bench/load.ts),
 * once per ARCHIVAL_NICE_RATIO, written to bench/load-results.json, each
 * window with the CPU share the hypervisor took meanwhile (bench/cpu-steal.ts); with
 * --partitioned on the month-partitioned table. Runs compiled (tsconfig.bench.json),
 * so no TypeScript compiler sits in the measured processes.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from '../src/demo/embedded-postgres';
import { freePort } from '../test/harness/free-port';
import { S3TestServer, startS3rver, S3_TEST_CREDENTIALS } from '../test/harness/s3rver';
import { BenchCase, CaseResult } from './case-runner';
import { cpuTicks, stealShare } from './cpu-steal';
import { summarizeRounds } from './rounds';
import { SteadyLoad } from './load';
import { seedTemplate } from './seed-logs';

const run = promisify(execFile);

interface CaseSpec {
  name: string;
  kind: BenchCase['kind'];
  env?: (s3: S3TestServer) => Record<string, string>;
  /** Seeded into a log table range-partitioned by month (the partition fast path). */
  partitioned?: boolean;
}

const CASES: CaseSpec[] = [
  { name: 'reference', kind: 'reference' },
  { name: 'json+gzip local', kind: 'product', env: () => ({ ARCHIVAL_FORMAT: 'json', ARCHIVAL_COMPRESSION: 'gzip' }) },
  { name: 'json+zstd local', kind: 'product', env: () => ({ ARCHIVAL_FORMAT: 'json', ARCHIVAL_COMPRESSION: 'zstd' }) },
  { name: 'json+none local', kind: 'product', env: () => ({ ARCHIVAL_FORMAT: 'json', ARCHIVAL_COMPRESSION: 'none' }) },
  { name: 'parquet+zstd local', kind: 'product', env: () => ({ ARCHIVAL_FORMAT: 'parquet', ARCHIVAL_COMPRESSION: 'zstd' }) },
  {
    name: 'json+zstd local partitioned',
    kind: 'product',
    partitioned: true,
    env: () => ({ ARCHIVAL_FORMAT: 'json', ARCHIVAL_COMPRESSION: 'zstd' }),
  },
  {
    name: 'json+zstd s3',
    kind: 'product',
    env: (s3) => ({
      ARCHIVAL_FORMAT: 'json', ARCHIVAL_COMPRESSION: 'zstd', ARCHIVAL_STORAGE_TYPE: 's3', ARCHIVAL_PATH: `s3://${s3.bucket}/bench`,
      ARCHIVAL_S3_ENDPOINT: s3.endpoint, ARCHIVAL_S3_FORCE_PATH_STYLE: 'true',
      ARCHIVAL_S3_ACCESS_KEY_ID: S3_TEST_CREDENTIALS.accessKeyId, ARCHIVAL_S3_SECRET_ACCESS_KEY: S3_TEST_CREDENTIALS.secretAccessKey,
    }),
  },
];

export interface BenchResult {
  case: string;
  rows: number;
  seconds: number;
  rowsPerSec: number;
  mbPerSecIn: number;
  mbPerSecOut: number;
  compressionRatio: number;
  peakRssMb: number;
  ratioToReference: number | null;
}

function parseArgs(argv: string[]) {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i === -1 ? undefined : argv[i + 1];
  };
  const rows = Number(value('--rows') ?? 1_000_000);
  if (!Number.isInteger(rows) || rows < 1000) throw new Error(`--rows ${value('--rows')}: expected a whole number ≥ 1000`);
  const names = value('--cases')?.split(',').map((n) => n.trim()) ?? CASES.map((c) => c.name);
  const unknown = names.filter((n) => !CASES.some((c) => c.name === n));
  if (unknown.length > 0) throw new Error(`--cases: unknown ${unknown.join(', ')}; known: ${CASES.map((c) => c.name).join(', ')}`);
  const load = argv.includes('--load');
  const partitioned = argv.includes('--partitioned');
  const nice = (value('--nice') ?? '0,3,9').split(',').map((n) => Number(n.trim()));
  if (nice.some((n) => !Number.isFinite(n) || n < 0 || n > 100)) throw new Error(`--nice ${value('--nice')}: expected ratios from 0 to 100, e.g. 0,3,9`);
  const parallelText = value('--parallel');
  const parallel = parallelText === undefined ? undefined : parallelText.split(',').map((n) => Number(n.trim()));
  if (parallel?.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) throw new Error(`--parallel ${parallelText}: expected whole numbers from 1 to 16, e.g. 1,2`);
  const rounds = Number(value('--rounds') ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 20) throw new Error(`--rounds ${value('--rounds')}: expected a whole number from 1 to 20`);
  if (rounds > 1 && (load || parallel)) throw new Error(`--rounds ${rounds}: applies to the case list, not to --load or --parallel`);
  const defaultOut = join(process.cwd(), 'bench', load ? 'load-results.json' : parallel ? 'parallel-results.json' : 'results.json');
  return { rows, names, load, partitioned, nice, parallel, rounds, out: value('--out') ?? defaultOut };
}

/** Runs `statements` one after another on a connection of their own to the admin database. */
async function adminQuery(adminUrl: string, ...statements: string[]): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    for (const statement of statements) await admin.query(statement);
  } finally {
    await admin.end();
  }
}

async function withDatabase<T>(adminUrl: string, name: string, template: string | undefined, f: (url: string) => Promise<T>): Promise<T> {
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return f(url.toString());
}

async function runCase(c: BenchCase): Promise<CaseResult> {
  const { stdout, stderr } = await run(
    process.execPath,
    // BENCH_CASE_NODE_ARGS: node flags for the measured processes only, e.g. "--cpu-prof" or "--max-old-space-size=100".
    [...(process.env.BENCH_CASE_NODE_ARGS?.split(' ').filter(Boolean) ?? []), join(__dirname, 'case-runner.js'), JSON.stringify(c)],
    { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NODE_ENV: 'production' } },
  );
  // BENCH_LOG_DIR: what each case's process printed (stderr, then stdout), one file per case, for finding where the time goes.
  if (process.env.BENCH_LOG_DIR) await writeFile(join(process.env.BENCH_LOG_DIR, `${c.name.replace(/[^\w+.-]+/g, '_')}.log`), `${stderr}${stdout}`);
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{"rows"'));
  if (!line) throw new Error(`case ${c.name} printed no result:\n${stdout.slice(-2000)}`);
  return JSON.parse(line);
}

function toResult(name: string, r: CaseResult, reference?: BenchResult): BenchResult {
  const rowsPerSec = r.rows / r.seconds;
  return {
    case: name,
    rows: r.rows,
    seconds: round(r.seconds, 2),
    rowsPerSec: Math.round(rowsPerSec),
    mbPerSecIn: round(r.bytesIn / 1e6 / r.seconds),
    mbPerSecOut: round(r.bytesOut / 1e6 / r.seconds),
    compressionRatio: round(r.bytesIn / r.bytesOut, 2),
    peakRssMb: Math.round(r.peakRssMb),
    ratioToReference: reference ? round(rowsPerSec / reference.rowsPerSec, 2) : null,
  };
}

function printTable(results: BenchResult[]) {
  const head = ['case', 'rows', 's', 'rows/s', 'MB/s in', 'MB/s out', 'ratio', 'peak RSS MB', 'vs reference'];
  const body = results.map((r) => [
    r.case, String(r.rows), String(r.seconds), String(r.rowsPerSec), String(r.mbPerSecIn), String(r.mbPerSecOut),
    `${r.compressionRatio}×`, String(r.peakRssMb), r.ratioToReference === null ? '—' : `${r.ratioToReference}×`,
  ]);
  printRows(head, body);
}

function printRows(head: string[], body: string[][]) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log([line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n'));
}

/**
 * --load: p95 latency of a steady API-like load on the hot table, alone
 * (BASELINE_SECONDS), while `archival run log-archival` (json+zstd) runs,
 * and alone again after it (BASELINE_SECONDS: the baseline's own drift),
 * once per ARCHIVAL_NICE_RATIO in `nice`, each on a fresh copy of the table.
 */
async function loadMode(adminUrl: string, work: string, out: string, partitioned: boolean, nice: number[]) {
  const template = partitioned ? 'archival_bench_partitioned' : 'archival_bench_template';
  const table = partitioned ? ' (partitioned table)' : '';
  const settings = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ARCHIVAL_')));
  const results: Record<string, unknown>[] = [];
  for (const ratio of nice) {
    const measured = await withDatabase(adminUrl, 'archival_bench_load', template, async (url) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      await client.query('CREATE INDEX IF NOT EXISTS flow_execution_logs_session_idx ON flow_execution_logs (session_id, created_at)');
      await client.query('CHECKPOINT');
      await client.end();
      const load = new SteadyLoad(url, { clients: 4, requestsPerSecond: 200 });
      await load.start();
      try {
        await new Promise((r) => setTimeout(r, 3_000)); // warm up
        load.take();
        const ticks = [await cpuTicks()];
        await new Promise((r) => setTimeout(r, BASELINE_SECONDS * 1000));
        const baseline = load.take();
        ticks.push(await cpuTicks());
        const archival = await runCase({
          name: 'json+zstd local', kind: 'product', databaseUrl: url, directory: join(work, 'load'), cutoff: '',
          // ARCHIVAL_* variables in the bench's environment (batch size, sleep, part size) reach the run.
          env: { ARCHIVAL_FORMAT: 'json', ARCHIVAL_COMPRESSION: 'zstd', ARCHIVAL_NICE_RATIO: String(ratio) },
        });
        const during = load.take();
        ticks.push(await cpuTicks());
        // The same window again once the run is over: how far the load's own p95 drifts (and any after-effect, such as autovacuum).
        await new Promise((r) => setTimeout(r, BASELINE_SECONDS * 1000));
        const after = load.take();
        ticks.push(await cpuTicks());
        // Each window's steal: CPU time the hypervisor gave other guests, which moves the p95 as much as the run can.
        const steal = [0, 1, 2].map((i) => stealShare(ticks[i], ticks[i + 1]) ?? null);
        return { baseline: { ...baseline, stealPercent: steal[0] }, during: { ...during, stealPercent: steal[1] }, after: { ...after, stealPercent: steal[2] }, archival };
      } finally {
        await load.stop();
        await rm(join(work, 'load'), { recursive: true, force: true });
      }
    });
    const { baseline, during, after, archival } = measured;
    const archivalRowsPerSec = Math.round(archival.rows / archival.seconds);
    results.push(
      { case: `load alone${table}`, niceRatio: ratio, ...baseline, seconds: BASELINE_SECONDS },
      {
        case: `load during archival${table}`, niceRatio: ratio, ...during, seconds: round(archival.seconds, 2),
        archivedRows: archival.rows, archivalRowsPerSec,
        p95Increase: round((during.p95Ms / baseline.p95Ms - 1) * 100, 1),
        p95IncreaseOverAfter: round((during.p95Ms / after.p95Ms - 1) * 100, 1),
      },
      { case: `load alone after${table}`, niceRatio: ratio, ...after, seconds: BASELINE_SECONDS },
    );
    const steal = [baseline, during, after].map((w) => (w.stealPercent === null ? '—' : `${w.stealPercent}%`)).join(' / ');
    console.log(`nice ratio ${ratio}: p95 ${baseline.p95Ms} → ${during.p95Ms} ms (${after.p95Ms} ms after), archival ${archivalRowsPerSec} rows/s, steal ${steal}`);
  }
  console.log('');
  console.table(results);
  await writeResults({ settings, results }, out);
}

function round(n: number, digits = 1): number {
  return Math.round(n * 10 ** digits) / 10 ** digits;
}

const BASELINE_SECONDS = 15;
const PARALLEL_MONTHS = 4;

/**
 * --parallel 1,2: the rows spread over PARALLEL_MONTHS month windows, archived
 * by json+zstd local once per ARCHIVAL_PARALLELISM (windows at once), beside
 * the reference on the same rows; written to bench/parallel-results.json.
 */
async function parallelMode(adminUrl: string, work: string, out: string, rows: number, parallel: number[]) {
  console.log(`seeding ${rows.toLocaleString('en')} rows over ${PARALLEL_MONTHS} months ...`);
  const cutoff = await withDatabase(adminUrl, 'archival_bench_months', undefined, (url) => seedTemplate(url, rows, false, PARALLEL_MONTHS));
  const cases = [
    { name: 'reference', kind: 'reference' as const, env: undefined },
    ...parallel.map((p) => ({
      name: `json+zstd local, parallelism ${p}`, kind: 'product' as const,
      env: { ARCHIVAL_FORMAT: 'json', ARCHIVAL_COMPRESSION: 'zstd', ARCHIVAL_PARALLELISM: String(p), ARCHIVAL_DATABASE_POOL_SIZE: String(Math.max(4, 3 * p)) },
    })),
  ];
  const measured = await measureCases(adminUrl, work, cutoff, cases.map((c) => ({ ...c, template: 'archival_bench_months' })));
  const single = measured[1];
  const [reference, ...runs] = measured;
  const parallelRuns = runs.map((r, i) => ({ ...r, parallelism: parallel[i], speedUp: round(r.rowsPerSec / single.rowsPerSec, 2) }));
  await report([reference, ...parallelRuns], out, parallelRuns.map((r) => `parallelism ${r.parallelism}: ${r.speedUp}× parallelism ${parallel[0]}`));
}

interface PlannedCase {
  name: string;
  kind: BenchCase['kind'];
  /** The seeded database the case runs on a fresh copy of. */
  template: string;
  env?: Record<string, string>;
}

/** Runs each case in its own process on a fresh copy of its template, in order; ratios are to the reference, when it ran first. */
async function measureCases(adminUrl: string, work: string, cutoff: string, cases: PlannedCase[]): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const [i, c] of cases.entries()) {
    const name = `archival_bench_${i}`;
    const result = await withDatabase(adminUrl, name, c.template, (url) =>
      runCase({ name: c.name, kind: c.kind, databaseUrl: url, directory: join(work, `case-${i}`), cutoff, env: c.env }),
    );
    // Dropped once measured, so nothing of it (a vacuum of its other tables) runs beside the next case.
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    results.push(toResult(c.name, result, results.find((r) => r.case === 'reference')));
    console.log(`${c.name}: ${results.at(-1)!.rowsPerSec} rows/s, peak RSS ${results.at(-1)!.peakRssMb} MB`);
    await rm(join(work, `case-${i}`), { recursive: true, force: true });
  }
  return results;
}

/** The table, any summary lines, the JSON, and the results file. */
async function report(results: BenchResult[], out: string, summary: string[] = []): Promise<void> {
  console.log('');
  printTable(results);
  if (summary.length > 0) console.log(summary.join('\n'));
  await writeResults(results, out);
}

/** What a mode measured: printed as one JSON line, and written to its results file. */
async function writeResults(value: unknown, out: string): Promise<void> {
  console.log(`\n${JSON.stringify(value)}`);
  await writeFile(out, `${JSON.stringify(value, null, 2)}\n`);
  console.log(`written to ${out}`);
}

async function reportRounds(rounds: BenchResult[][], out: string): Promise<void> {
  rounds.forEach((results, i) => {
    console.log(`\nround ${i + 1}`);
    printTable(results);
  });
  const summary = summarizeRounds(rounds);
  const head = ['case', 'rounds', 'median rows/s', 'median vs reference', 'range vs reference', 'median peak RSS MB', 'highest peak RSS MB'];
  const body = summary.map((s) => [
    s.case, String(s.rounds), s.medianRowsPerSec.toLocaleString('en'),
    s.medianRatioToReference === null ? '—' : `${s.medianRatioToReference}×`,
    s.lowestRatio === null ? '—' : `${s.lowestRatio}-${s.highestRatio}×`,
    String(s.medianPeakRssMb), String(s.highestPeakRssMb),
  ]);
  console.log('\nsummary');
  printRows(head, body);
  await writeResults({ rounds, summary }, out);
}

async function main() {
  const { rows, names, out, load, partitioned, nice, parallel, rounds } = parseArgs(process.argv.slice(2));
  const work = await mkdtemp(join(tmpdir(), 'archival-bench-'));
  let postgres: EmbeddedPostgresHandle | undefined;
  let s3: S3TestServer | undefined;
  // Interrupted: stop the servers it started before leaving (embedded-postgres no longer does it on its own).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.allSettled([s3?.close(), postgres?.stop()]).then(() => process.exit(130));
    });
  }
  try {
    let adminUrl = process.env.DATABASE_URL;
    if (!adminUrl) {
      // Not under `work` (mode 0700): the server runs as the postgres user when we are root.
      postgres = await startEmbeddedPostgres({ dataDir: join(tmpdir(), `archival-bench-pg-${process.pid}`), port: await freePort(), persistent: false });
      adminUrl = postgres.url;
    }
    s3 = await startS3rver('bench');
    if (parallel) {
      await parallelMode(adminUrl, work, out, rows, parallel);
      return;
    }
    console.log(`seeding ${rows.toLocaleString('en')} rows ...`);
    const cutoff = await withDatabase(adminUrl, 'archival_bench_template', undefined, (url) => seedTemplate(url, rows));
    if (load) {
      if (partitioned) await withDatabase(adminUrl, 'archival_bench_partitioned', undefined, (url) => seedTemplate(url, rows, true));
      await loadMode(adminUrl, work, out, partitioned, nice);
      return;
    }
    if (names.some((n) => CASES.find((c) => c.name === n)?.partitioned)) {
      await withDatabase(adminUrl, 'archival_bench_partitioned', undefined, (url) => seedTemplate(url, rows, true));
    }
    const cases = names.map((name) => {
      const spec = CASES.find((c) => c.name === name)!;
      const template = spec.partitioned ? 'archival_bench_partitioned' : 'archival_bench_template';
      return { name, kind: spec.kind, template, env: spec.env?.(s3!) };
    });
    if (rounds === 1) {
      await report(await measureCases(adminUrl, work, cutoff, cases), out);
      return;
    }
    const measured: BenchResult[][] = [];
    for (let round = 1; round <= rounds; round++) {
      console.log(`round ${round} of ${rounds}`);
      measured.push(await measureCases(adminUrl, work, cutoff, cases));
    }
    await reportRounds(measured, out);
  } finally {
    await s3?.close();
    await postgres?.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
