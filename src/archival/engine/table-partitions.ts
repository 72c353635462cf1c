/**
 * The fast path for range-partitioned tables: when one partition holds exactly
 * a month window and lies wholly before the cutoff, its rows are archived and
 * verified as usual, then the partition is DETACHed and DROPped in one
 * transaction instead of deleting its rows one by one (no dead tuples, no
 * vacuum debt, constant time). Everything else falls back to row deletes.
 */
import { PoolClient } from 'pg';
import { PurgeMismatchError } from '../archival.errors';
import { MonthWindow } from './archive-naming';
import { KeyLog, stageKeyLogs } from './key-log';
import { setPurgeLimits } from './purger';
import { QualifiedName, quoteIdent, quoteTable } from '../sql/sql-identifier';
import { TableShape } from './table-introspector';

/** Whether the table is partitioned (its windows may leave by dropping a partition). */
export async function isPartitioned(client: PoolClient, table: QualifiedName): Promise<boolean> {
  const { rows } = await client.query<{ partitioned: boolean }>(`SELECT relkind = 'p' AS partitioned FROM pg_class WHERE oid = $1::regclass`, [quoteTable(table)]);
  return rows[0]?.partitioned ?? false;
}

/** The partition that covers exactly `window` (and nothing after the cutoff), or undefined. */
export async function wholeMonthPartition(
  client: PoolClient,
  shape: TableShape,
  timeColumn: string,
  window: MonthWindow,
  cutoff: Date,
): Promise<QualifiedName | undefined> {
  const { rows: strategy } = await client.query<{ column: string }>(
    `SELECT a.attname AS column FROM pg_partitioned_table p
       JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
      WHERE p.partrelid = to_regclass($1) AND p.partstrat = 'r' AND p.partnatts = 1`,
    [quoteTable(shape.table)],
  );
  if (strategy.length === 0 || strategy[0].column !== timeColumn) return undefined;
  // Leaf partitions overlapping the window, with their bounds as PostgreSQL reads them.
  const { rows } = await client.query<{ schema: string; name: string; from: Date | null; to: Date | null }>(
    `WITH parts AS (
       SELECT n.nspname AS schema, c.relname AS name, c.relkind,
              regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''([^'']+)''\\) TO \\(''([^'']+)''\\)') AS b
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = to_regclass($1))
     SELECT schema, name, b[1]::timestamptz AS "from", b[2]::timestamptz AS "to" FROM parts
      WHERE relkind = 'r' AND (b IS NULL OR (b[1]::timestamptz < $3 AND b[2]::timestamptz > $2))`,
    [quoteTable(shape.table), window.start, window.end],
  );
  if (rows.length !== 1) return undefined;
  const [partition] = rows;
  if (!partition.from || !partition.to) return undefined; // DEFAULT or MINVALUE/MAXVALUE bounds
  const exact = partition.from.getTime() === window.start.getTime() && partition.to.getTime() === window.end.getTime();
  if (!exact || partition.to.getTime() > cutoff.getTime()) return undefined;
  return { schema: partition.schema, name: partition.name };
}

/**
 * Detaches and drops `partition` if it holds exactly the archived row
 * versions (every key and xmin of `keys`, nothing else); otherwise rolls back
 * and deletes nothing. Runs inside the caller's transaction.
 */
export async function dropArchivedPartition(
  client: PoolClient,
  shape: TableShape,
  partition: QualifiedName,
  keys: KeyLog[],
  archivePath: string,
): Promise<number> {
  await setPurgeLimits(client);
  const target = quoteTable(partition);
  // Staged before any lock is taken, so the partition is locked only for the check and the drop.
  const staged = await stageKeyLogs(client, 'archival_partition_keys', shape.keyType, keys, { transactionScoped: true });
  // SHARE on the partition: no row of it can change or arrive until commit, while
  // reads of it (and every statement on other partitions) go on during the check.
  await client.query(`LOCK TABLE ${target} IN SHARE MODE`);
  const archived = keys.reduce((sum, log) => sum + log.rows, 0);
  const { rows } = await client.query<{ total: string; matched: string }>(
    `SELECT (SELECT count(*) FROM ${target}) AS total,
            (SELECT count(*) FROM ${target} t JOIN ${staged} u ON t.${quoteIdent(shape.key)} = u.k AND t.xmin = u.x) AS matched`,
  );
  const total = Number(rows[0].total);
  const matched = Number(rows[0].matched);
  if (total !== archived || matched !== archived) {
    throw new PurgeMismatchError(
      `dropping partition ${partition.name} rolled back: it holds ${total} rows, ${matched} of them as archived, but ${archived} were archived; ` +
        'rows changed or arrived since they were read; the next run archives the partition again',
      shape.table.name,
      archivePath,
    );
  }
  // Only now the parent, exclusively, for DETACH and DROP (milliseconds). A statement
  // that writes to this partition through the parent holds the parent and waits for
  // the partition: PostgreSQL aborts one of the two after deadlock_timeout, and if it
  // is this transaction, nothing was dropped and the next run redoes the window.
  await client.query(`LOCK TABLE ${quoteTable(shape.table)} IN ACCESS EXCLUSIVE MODE`);
  await client.query(`ALTER TABLE ${quoteTable(shape.table)} DETACH PARTITION ${target}`);
  await client.query(`DROP TABLE ${target}`);
  return total;
}
