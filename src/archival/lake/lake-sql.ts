/**
 * The SQL `archival lake <table>` prints: a DuckDB view over the table's live
 * archives (each file named, Parquet through read_parquet, JSON Lines through
 * read_json with typed columns, Hive partitions year and month), and an
 * Athena/Glue CREATE EXTERNAL TABLE over the table's folder with partition
 * projection. Names and paths are quoted as identifiers and literals; types
 * come from lake-types.ts' fixed tables.
 */
import { athenaType, duckDbJsonColumn, LakeColumn } from './lake-types';

export interface LakeFile {
  /** A local path or an s3:// URL. */
  url: string;
  format: 'json' | 'parquet';
  encrypted: boolean;
}

export interface LakeTable {
  /** The view's (and Athena table's) name: the table's. */
  name: string;
  columns: LakeColumn[];
  files: LakeFile[];
  /** The table's folder (local path or s3:// URL), ending in `/`. */
  folder: string;
  /** First and last year of the live archives' windows (partition projection's range). */
  years: [number, number];
}

/** A DuckDB/PostgreSQL identifier, double-quoted. */
export function quoteDuckDbIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A single-quoted SQL string literal. */
export function quoteSqlLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A Hive DDL identifier, back-quoted. */
export function quoteHiveIdent(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

const HIVE_PATH = /\/year=\d{4,}\/month=\d{2}\/[^/]+$/;

export function duckDbSql(table: LakeTable): string {
  const readable = table.files.filter((f) => !f.encrypted);
  const lines: string[] = [];
  const encrypted = table.files.length - readable.length;
  if (encrypted > 0) lines.push(`-- ${encrypted} encrypted archive(s) left out: they are AES-256-GCM, which DuckDB cannot read (restore or export them instead)`);
  if (readable.some((f) => f.url.startsWith('s3://'))) {
    lines.push(`-- S3: INSTALL httpfs; LOAD httpfs; CREATE SECRET (TYPE s3, PROVIDER credential_chain); -- or KEY_ID/SECRET/REGION/ENDPOINT`);
  }
  const selects: string[] = [];
  const parquet = readable.filter((f) => f.format === 'parquet');
  const json = readable.filter((f) => f.format === 'json');
  if (parquet.length > 0) selects.push(`SELECT * FROM read_parquet(${fileList(parquet)}, ${hiveOption(parquet)}, union_by_name = true)`);
  if (json.length > 0) selects.push(jsonSelect(table.columns, json));
  const view = quoteDuckDbIdent(table.name);
  if (selects.length === 0) lines.push(`CREATE OR REPLACE VIEW ${view} AS SELECT ${table.columns.map((c) => `NULL AS ${quoteDuckDbIdent(c.name)}`).join(', ')} WHERE false;`);
  else lines.push(`CREATE OR REPLACE VIEW ${view} AS\n${selects.join('\nUNION ALL BY NAME\n')};`);
  return lines.join('\n');
}

function fileList(files: LakeFile[]): string {
  return `[${files.map((f) => quoteSqlLiteral(f.url)).join(', ')}]`;
}

/** Hive partitions year and month (integers: `month=03` is 3) when every file sits in such a folder (archives from before that layout stay flat). */
function hiveOption(files: LakeFile[]): string {
  return files.every((f) => HIVE_PATH.test(f.url))
    ? `hive_partitioning = true, hive_types = {'year': INTEGER, 'month': INTEGER}`
    : 'hive_partitioning = false';
}

function jsonSelect(columns: LakeColumn[], files: LakeFile[]): string {
  const typed = columns.map((c) => ({ column: c, ...duckDbJsonColumn(c) }));
  const struct = typed.map((t) => `${quoteSqlLiteral(t.column.name)}: ${quoteSqlLiteral(t.read)}`).join(', ');
  const list = typed.map((t) => {
    const ref = quoteDuckDbIdent(t.column.name);
    return t.convert ? `${t.convert(ref)} AS ${ref}` : ref;
  });
  const hive = files.every((f) => HIVE_PATH.test(f.url));
  if (hive) list.push('"year"', '"month"');
  return `SELECT ${list.join(', ')} FROM read_json(${fileList(files)}, format = 'newline_delimited', columns = {${struct}}, ${hiveOption(files)})`;
}

/**
 * Athena reads every object under LOCATION; the table's folder holds its live
 * archives only (superseded files leave it). Partition projection computes
 * the year=/month= folders, so no MSCK REPAIR or crawler is needed.
 */
export function athenaSql(table: LakeTable, format: 'parquet' | 'json'): string {
  const columns = table.columns.map((c) => `  ${quoteHiveIdent(c.name)} ${athenaType(c, format)}`).join(',\n');
  const storedAs = format === 'parquet'
    ? 'STORED AS PARQUET'
    : `ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'\nSTORED AS TEXTFILE`;
  const properties: [string, string][] = [
    ['projection.enabled', 'true'],
    ['projection.year.type', 'integer'], ['projection.year.range', `${table.years[0]},${table.years[1]}`], ['projection.year.digits', '4'],
    ['projection.month.type', 'integer'], ['projection.month.range', '1,12'], ['projection.month.digits', '2'],
    ['storage.location.template', `${table.folder}year=\${year}/month=\${month}/`],
  ];
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${quoteHiveIdent(table.name)} (`,
    columns,
    ')',
    'PARTITIONED BY (`year` int, `month` int)',
    storedAs,
    `LOCATION ${quoteSqlLiteral(table.folder)}`,
    'TBLPROPERTIES (',
    properties.map(([key, value]) => `  ${quoteSqlLiteral(key)} = ${quoteSqlLiteral(value)}`).join(',\n'),
    ');',
  ].join('\n');
}
