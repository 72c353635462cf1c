/**
 * The fast purge of a part read by its eligibility predicate (a main table's
 * part, not a child's): one DELETE over the part's key range and that same
 * predicate, which RETURNs each deleted row's key and xmin, checked against
 * the part's key log (`key<TAB>xmin<LF>` in COPY text, in key order) by row
 * count and SHA-256. Any difference from the archive — a row updated since it
 * was read (another xmin), a row inserted into the range since (an extra
 * key), a row gone — changes the count or the hash, and the caller rolls the
 * transaction back: only the archived version of each archived row is ever
 * deleted (DESIGN.md invariant 1). No keys are shipped back to the server,
 * no temp table is built.
 *
 * Three ways to take the (key, xmin) sequence, one per purge (`RangeCheck`):
 * - 'scan-order': an integer or uuid key, and the DELETE's plan walks an
 *   ascending btree whose first column is the key (EXPLAIN says so), so the
 *   deleted rows come out in key order: `COPY (DELETE ... RETURNING key,
 *   xmin) TO STDOUT` streams them and this process hashes the COPY text as it
 *   arrives. COPY text of such a key is its plain text, as in the key log.
 * - 'sorted': an integer or uuid key under any other plan (a bitmap or
 *   sequential scan returns rows in storage order): the same COPY, its rows
 *   sorted by key by the server first.
 * - 'aggregate': any other key type: the server counts and hashes the rows in
 *   key order (string_agg), escaping each key as COPY text would.
 * Should the plan change between EXPLAIN and the DELETE, the stream is out of
 * order: the hash differs and the purge falls back, deleting nothing.
 * Measured on 500,000 log rows (a rolled-back DELETE, 64 MB work_mem):
 * 'scan-order' ~650 ms, 'sorted' ~800 ms, 'aggregate' ~950 ms.
 */
import { createHash } from 'node:crypto';
import { DatabaseError, PoolClient } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { quoteIdent, quoteLiteral, quoteTable } from '../sql/sql-identifier';
import { KeyLog } from './key-log';
import { TableShape } from './table-introspector';

/** string_agg builds the whole log as one text value, and 'sorted' sorts it on the server: logs past this size use the staged purge. */
export const RANGE_PURGE_MAX_BYTES = 256 * 1024 * 1024;

/** How the deleted rows' (key, xmin) sequence was taken (see above). */
export type RangeCheck = 'scan-order' | 'sorted' | 'aggregate';

export interface RangePurgeOutcome {
  deleted: number;
  /** Whether the deleted (key, xmin) sequence is the key log's, byte for byte. */
  matches: boolean;
  check: RangeCheck;
}

export function canPurgeByRange(keys: KeyLog, predicate: string | undefined): predicate is string {
  return predicate !== undefined && keys.rows > 0 && keys.bytes <= RANGE_PURGE_MAX_BYTES;
}

/**
 * The ranged DELETE inside a savepoint: kept when it matches the archive,
 * rolled back to the savepoint otherwise — also when the database refuses
 * the DELETE (an extra row it met still has children, a trigger raised, a
 * timeout), even once its rows are out. The caller then purges by the staged
 * keys, which delete only archived rows. An error that is not the database's
 * (a bug here) is rolled back to the savepoint and thrown, not taken for a
 * mismatch.
 */
export async function tryPurgeByRange(client: PoolClient, shape: TableShape, keys: KeyLog, predicate: string): Promise<RangePurgeOutcome> {
  const range = rangeDelete(shape, keys, predicate);
  // The check this key type takes; for an integer or uuid key the plan then picks between the two orders.
  let check: RangeCheck = PLAIN_TEXT_KEYS.has(shape.keyType) ? 'sorted' : 'aggregate';
  await client.query('SAVEPOINT archival_range_purge');
  try {
    if (check !== 'aggregate') check = await rangeCheck(client, shape, range);
    const outcome = await purgeByRange(client, shape, keys, range, check);
    // A statement error after its rows (an AFTER trigger, a foreign key checked at its end) fails the RELEASE at the latest.
    await client.query(outcome.matches ? 'RELEASE SAVEPOINT archival_range_purge' : 'ROLLBACK TO SAVEPOINT archival_range_purge');
    return outcome;
  } catch (error) {
    // The database refused (a foreign key blocks the DELETE, a trigger raised, a timeout): the staged purge decides.
    await client.query('ROLLBACK TO SAVEPOINT archival_range_purge').catch(() => Promise.reject(error));
    if (!(error instanceof DatabaseError)) throw error;
    return { deleted: 0, matches: false, check };
  }
}

/** Key types whose text form is digits, a sign or hex and hyphens: never a character COPY escapes. */
const PLAIN_TEXT_KEYS = new Set(['smallint', 'integer', 'bigint', 'uuid']);

/**
 * The key `k` as the key log holds it (COPY text as the row source escapes
 * it): backslash first, then tab, newline and carriage return. Only the
 * 'aggregate' check builds it: any other key is plain text already.
 */
const KEY_AS_COPY_TEXT = `replace(replace(replace(replace(k::text, '\\', '\\\\'), E'\\t', '\\t'), E'\\n', '\\n'), E'\\r', '\\r')`;

/** The part's DELETE, its key range as literals (COPY takes no parameters); the keys are the part's own, read from the table. */
function rangeDelete(shape: TableShape, keys: KeyLog, predicate: string): string {
  const key = `t.${quoteIdent(shape.key)}`;
  const bound = (value: string | undefined) => `${quoteLiteral(value!)}::${shape.keyType}`;
  return `DELETE FROM ${quoteTable(shape.table)} t
    WHERE ${key} >= ${bound(keys.firstKey)} AND ${key} <= ${bound(keys.lastKey)} AND (${predicate})
    RETURNING ${key} AS k, t.xmin AS x`;
}

type PlanNode = { 'Node Type'?: string; 'Scan Direction'?: string; 'Index Name'?: string; Plans?: PlanNode[] };

/** For an integer or uuid key: 'scan-order' when the plan PostgreSQL has for the DELETE walks the key's ascending btree, 'sorted' otherwise. */
async function rangeCheck(client: PoolClient, shape: TableShape, range: string): Promise<RangeCheck> {
  const { rows } = await client.query<{ 'QUERY PLAN': { Plan: PlanNode }[] | string }>(`EXPLAIN (FORMAT JSON) ${range}`);
  // As pg parses json, unless the host gave it a parser of its own for the type.
  const plan = rows[0]['QUERY PLAN'];
  const root = (typeof plan === 'string' ? (JSON.parse(plan) as { Plan: PlanNode }[]) : plan)[0].Plan;
  const scan = root['Node Type'] === 'ModifyTable' && root.Plans?.length === 1 ? root.Plans[0] : undefined;
  if (scan?.['Node Type'] !== 'Index Scan' || scan['Scan Direction'] !== 'Forward') return 'sorted';
  const { rows: indexes } = await client.query<{ name: string }>(
    `SELECT c.relname AS name
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
       JOIN pg_attribute k ON k.attrelid = i.indrelid AND k.attnum = i.indkey[0]
       JOIN pg_opclass o ON o.oid = i.indclass[0]
      WHERE i.indrelid = $1::regclass AND k.attname = $2 AND a.amname = 'btree' AND i.indoption[0] & 1 = 0 AND o.opcdefault`,
    [quoteTable(shape.table), shape.key],
  );
  return indexes.some((index) => index.name === scan['Index Name']) ? 'scan-order' : 'sorted';
}

async function purgeByRange(client: PoolClient, shape: TableShape, keys: KeyLog, range: string, check: RangeCheck): Promise<RangePurgeOutcome> {
  if (check === 'aggregate') return { ...(await purgeByAggregate(client, keys, range)), check };
  const sql = check === 'scan-order' ? `COPY (${range}) TO STDOUT` : `COPY (WITH gone AS (${range}) SELECT k, x FROM gone ORDER BY k) TO STDOUT`;
  const hash = createHash('sha256');
  let deleted = 0;
  const stream = copyOut(client, sql);
  for await (const chunk of stream.rows) {
    hash.update(chunk);
    // COPY text escapes a newline inside a value: one per row.
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, at + 1)) deleted++;
  }
  await stream.finished;
  return { deleted, matches: deleted === keys.rows && hash.digest('hex') === keys.sha256(), check };
}

/**
 * A COPY ... TO STDOUT whose end is the statement's: pg-copy-streams ends
 * the rows at CopyDone, before the server has finished the statement (its
 * AFTER triggers, a constraint checked at its end); `finished` settles at
 * ReadyForQuery and rejects with any error the statement raised, late or not.
 */
function copyOut(client: PoolClient, sql: string): { rows: AsyncIterable<Buffer>; finished: Promise<void> } {
  const stream = copyTo(sql) as ReturnType<typeof copyTo> & { handleReadyForQuery(): void };
  const finished = new Promise<void>((resolve, reject) => {
    // An error (the statement's, or the connection's) settles it at once: no ReadyForQuery follows a lost connection.
    stream.on('error', reject);
    const ready = stream.handleReadyForQuery.bind(stream);
    stream.handleReadyForQuery = () => {
      ready();
      resolve();
    };
  });
  finished.catch(() => undefined); // awaited once the rows are read; a failure mid-rows also fails their reading
  return { rows: client.query(stream) as AsyncIterable<Buffer>, finished };
}

const NEWLINE = 0x0a;

async function purgeByAggregate(client: PoolClient, keys: KeyLog, range: string): Promise<Omit<RangePurgeOutcome, 'check'>> {
  const { rows } = await client.query(
    `WITH gone AS (${range})
     SELECT count(*)::int8 AS n,
            encode(sha256(convert_to(coalesce(string_agg(${KEY_AS_COPY_TEXT} || E'\\t' || x::text || E'\\n', '' ORDER BY k), ''), 'UTF8')), 'hex') AS h
       FROM gone`,
  );
  const deleted = Number(rows[0].n);
  return { deleted, matches: deleted === keys.rows && rows[0].h === keys.sha256() };
}
