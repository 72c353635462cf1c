/**
 * One bench case in its own process, so its peak RSS is its own. Prints one
 * JSON object: seconds, rows, bytes in (uncompressed) and out (stored), peak RSS.
 *
 *   node dist-bench/bench/case-runner.js '<json BenchCase>'   (bench.ts runs it)
 */
import 'reflect-metadata';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Client } from 'pg';
import { to as copyTo } from 'pg-copy-streams';

export interface BenchCase {
  name: string;
  kind: 'reference' | 'product';
  databaseUrl: string;
  directory: string;
  cutoff: string;
  env?: Record<string, string>;
}

export interface CaseResult {
  seconds: number;
  rows: number;
  bytesIn: number;
  bytesOut: number;
  peakRssMb: number;
}

/** The practical ceiling: COPY → gzip → file, then one DELETE. */
async function reference(c: BenchCase): Promise<Omit<CaseResult, 'peakRssMb' | 'seconds'>> {
  const client = new Client({ connectionString: c.databaseUrl });
  await client.connect();
  try {
    await mkdir(c.directory, { recursive: true });
    let bytesIn = 0;
    let bytesOut = 0;
    let rows = 0;
    const countIn = new Transform({
      transform(chunk: Buffer, _e, cb) {
        bytesIn += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
        cb(null, chunk);
      },
    });
    const countOut = new Transform({
      transform(chunk: Buffer, _e, cb) {
        bytesOut += chunk.length;
        cb(null, chunk);
      },
    });
    const copy = client.query(
      copyTo(`COPY (SELECT row_to_json(t)::text FROM flow_execution_logs t WHERE created_at < '${c.cutoff}' ORDER BY id) TO STDOUT`),
    );
    await pipeline(copy, countIn, createGzip(), countOut, createWriteStream(join(c.directory, 'reference.jsonl.gz')));
    const deleted = await client.query(`DELETE FROM flow_execution_logs WHERE created_at < $1`, [c.cutoff]);
    if (deleted.rowCount !== rows) throw new Error(`reference deleted ${deleted.rowCount} rows, copied ${rows}`);
    return { rows, bytesIn, bytesOut };
  } finally {
    await client.end();
  }
}

/** The product: `archival run log-archival`, exactly as an operator runs it. */
async function product(c: BenchCase): Promise<Omit<CaseResult, 'peakRssMb' | 'seconds'>> {
  const output: string[] = [];
  const env = { ...process.env, DATABASE_URL: c.databaseUrl, ARCHIVAL_PATH: c.directory, LOG_LEVEL: 'warn', ...c.env };
  // Loaded here, not at the top, so the reference case's RSS does not include Nest and the SDKs.
  const { runCli } = await import('../src/cli/archival-cli');
  const code = await runCli(['run', 'log-archival', '--json'], env, { out: (t) => output.push(t), err: (t) => process.stderr.write(`${t}\n`) });
  if (code !== 0) throw new Error(`archival run exited ${code}: ${output.join('\n')}`);
  const client = new Client({ connectionString: c.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT coalesce(sum(row_count), 0)::int8 AS rows, coalesce(sum(uncompressed_size), 0)::int8 AS bytes_in,
              coalesce(sum(compressed_size), 0)::int8 AS bytes_out
         FROM archived_partitions WHERE status = 'purged'`,
    );
    return { rows: Number(rows[0].rows), bytesIn: Number(rows[0].bytes_in), bytesOut: Number(rows[0].bytes_out) };
  } finally {
    await client.end();
  }
}

async function main() {
  const c = JSON.parse(process.argv[2]) as BenchCase;
  const started = process.hrtime.bigint();
  const result = c.kind === 'reference' ? await reference(c) : await product(c);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ ...result, seconds, peakRssMb } satisfies CaseResult)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
