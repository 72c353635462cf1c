/**
 * One JSON rendering per PostgreSQL type, whatever the archive's format: an
 * archived row (a JSON Lines line, or the restore line a Parquet archive
 * reads back as) goes through PostgreSQL again, parsed by each column type's
 * input function (json_populate_record, as restore does) and rendered by the
 * same expression that wrote JSON Lines archives and that renders hot rows
 * (jsonl.format.ts): timestamptz as ISO 8601 with microseconds and `+00:00`,
 * jsonb in PostgreSQL's normalised form, json byte for byte, bigint and
 * numeric as exact text, and so on (docs/querying.md, "Export").
 */
import { quoteIdent } from '../sql/sql-identifier';
import { ColumnInfo, jsonLineExpression, jsonSelectList, lineValue } from './jsonl.format';

export interface Queryable {
  query<R extends Record<string, unknown>>(sql: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** $1: a JSON array of archived lines; returns one canonical line per element, in order. */
export function canonicalLinesSql(target: string, columns: ColumnInfo[], key: string): string {
  const values = columns.map((c) => `${lineValue(c, 'e.line', 'p')} AS ${quoteIdent(c.name)}`).join(', ');
  return `SELECT ${jsonLineExpression(columns)} AS line
    FROM json_array_elements($1::json) WITH ORDINALITY AS e(line, n),
         LATERAL json_populate_record(NULL::${target}, e.line) AS p,
         LATERAL (SELECT ${values}) t,
         LATERAL (SELECT ${jsonSelectList(columns, key, 't')}) r
   ORDER BY e.n`;
}

/** The canonical rendering of `lines` (archived rows of `target`, whose live columns are `columns`). */
export async function canonicalLines(db: Queryable, target: string, columns: ColumnInfo[], key: string, lines: string[]): Promise<string[]> {
  if (lines.length === 0) return [];
  const { rows } = await db.query<{ line: string }>(canonicalLinesSql(target, columns, key), [`[${lines.join(',')}]`]);
  return rows.map((r) => r.line);
}
