/**
 * DuckDB (a reader nobody here wrote) over archives, and the same values on
 * PostgreSQL's side, as text both engines can be compared on: for each
 * column, by its PostgreSQL type, the type DuckDB should see it as, an
 * expression DuckDB renders it with, the expression PostgreSQL renders the
 * original with, and how the two are compared.
 */
import { ArchiveFormatName } from '../../src/archival/archival-options';
import { Manifest } from '../../src/archival/engine/manifest';

type Column = Manifest['columns'][number];

/** DuckDB's name (DESCRIBE column_type) for a column read from Parquet. */
export function parquetDuckType(c: Column): string {
  const decimal = /^numeric\((\d+),(\d+)\)$/.exec(c.type);
  if (decimal && Number(decimal[1]) <= 38) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  return DUCK_TYPES[c.typname] ?? 'VARCHAR';
}

const DUCK_TYPES: Record<string, string> = {
  bool: 'BOOLEAN', int2: 'SMALLINT', int4: 'INTEGER', int8: 'BIGINT', float4: 'FLOAT', float8: 'DOUBLE', date: 'DATE',
  timestamp: 'TIMESTAMP', timestamptz: 'TIMESTAMP WITH TIME ZONE', uuid: 'UUID', json: 'JSON', jsonb: 'JSON', bytea: 'BLOB',
};

/**
 * The type a JSON Lines column is read as (read_json's `columns`): what the
 * line holds converts exactly. numeric, json (its exact text), bytea (\x hex)
 * and every other text form are VARCHAR: PostgreSQL's text. Dates and
 * timestamps are VARCHAR cast in the query (TRY_CAST): DuckDB does not parse
 * PostgreSQL's " BC" suffix (a timestamp fails, and a typed read_json with
 * it; a date is read as AD), so those are compared as PostgreSQL's text.
 */
export function jsonLinesDuckType(c: Column): string {
  return ['bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'uuid', 'jsonb'].includes(c.typname) ? DUCK_TYPES[c.typname] : 'VARCHAR';
}

export type Comparison = 'exact' | 'float4' | 'float8' | 'json' | 'decimal' | 'time';

export interface ColumnCheck {
  name: string;
  duck: string;
  pg: string;
  /** The value as the archive's text holds it, where DuckDB cannot parse it (BC dates in JSON Lines). */
  pgText?: string;
  comparison: Comparison;
}

const duckIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const pgIdent = duckIdent;

export function columnCheck(c: Column, format: ArchiveFormatName): ColumnCheck {
  const d = duckIdent(c.name);
  const p = pgIdent(c.name);
  const name = c.name;
  switch (c.typname) {
    case 'bool':
      return { name, duck: `CAST(${d} AS VARCHAR)`, pg: `CASE WHEN ${p} THEN 'true' WHEN NOT ${p} THEN 'false' END`, comparison: 'exact' };
    case 'float4':
    case 'float8':
      return { name, duck: `CAST(${d} AS VARCHAR)`, pg: `${p}::text`, comparison: c.typname };
    case 'timestamp':
    case 'timestamptz':
    case 'date': {
      const type = { timestamp: 'TIMESTAMP', timestamptz: 'TIMESTAMPTZ', date: 'DATE' }[c.typname];
      const v = format === 'parquet' ? d : `TRY_CAST(${d} AS ${type})`;
      const number = c.typname === 'date' ? `${v} - DATE '1970-01-01'` : `epoch_us(${v})`;
      const parsed = `CASE WHEN isinf(${v}) THEN CAST(${v} AS VARCHAR) ELSE CAST(${number} AS VARCHAR) END`;
      // DuckDB reads "0001-01-01 BC" as 1 AD: PostgreSQL's BC text is compared as text.
      const duck = format === 'parquet' ? parsed : `CASE WHEN ${v} IS NULL OR ${d} LIKE '% BC' THEN 'text:' || ${d} ELSE ${parsed} END`;
      const pgNumber = c.typname === 'date' ? `(${p} - DATE '1970-01-01')::text` : `trunc(extract(epoch FROM ${p}) * 1000000)::text`;
      return { name, duck, pg: `CASE WHEN isfinite(${p}) THEN ${pgNumber} ELSE ${p}::text END`, pgText: `to_json(${p}) #>> '{}'`, comparison: 'time' };
    }
    case 'bytea':
      return format === 'parquet'
        ? { name, duck: `lower(hex(${d}))`, pg: `encode(${p}, 'hex')`, comparison: 'exact' }
        : { name, duck: d, pg: `${p}::text`, comparison: 'exact' };
    case 'jsonb':
      return { name, duck: `CAST(${d} AS VARCHAR)`, pg: `${p}::text`, comparison: format === 'parquet' ? 'exact' : 'json' };
    case 'numeric':
      return { name, duck: `CAST(${d} AS VARCHAR)`, pg: `${p}::text`, comparison: format === 'parquet' && parquetDuckType(c).startsWith('DECIMAL') ? 'decimal' : 'exact' };
    default: {
      // JSON Lines writes text, varchar and char as JSON strings (char keeps its padding); Parquet has their ::text.
      const pg = format === 'json' && c.encoding === 'native' ? `to_json(${p}) #>> '{}'` : `${p}::text`;
      return { name, duck: `CAST(${d} AS VARCHAR)`, pg, comparison: 'exact' };
    }
  }
}

function floatOf(text: string): number {
  const special: Record<string, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity };
  return special[text.toLowerCase()] ?? Number(text);
}

/** Whether DuckDB's rendering `duck` is PostgreSQL's value (`pg`, and `pgText` for times). */
export function sameValue(check: ColumnCheck, duck: string | null, pg: string | null, pgText?: string | null): boolean {
  if (pg === null) return duck === null;
  switch (check.comparison) {
    case 'float4':
      return duck !== null && Object.is(Math.fround(floatOf(duck)), Math.fround(floatOf(pg)));
    case 'float8':
      return duck !== null && Object.is(floatOf(duck), floatOf(pg));
    case 'json':
      // JSON Lines: jsonb is embedded as JSON; its literal null is JSON null (marked in the line), which DuckDB reads as NULL.
      return duck === null ? pg === 'null' : JSON.stringify(JSON.parse(duck)) === JSON.stringify(JSON.parse(pg));
    case 'decimal':
      // DECIMAL has no NaN: the file holds NULL there (restore puts NaN back from the file's metadata).
      return pg === 'NaN' ? duck === null : duck === pg;
    case 'time':
      return duck === pg || (duck === `text:${pgText}` && pgText !== null && pgText !== undefined && pgText.endsWith(' BC'));
    default:
      return duck === pg;
  }
}
