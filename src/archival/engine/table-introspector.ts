/** Reads a table's columns and types from the catalog, so the engine stays generic over any schema. */
import { PoolClient } from 'pg';
import { ColumnInfo, encodingFor } from '../codec/jsonl.format';
import { ConfigurationError } from '../archival.errors';
import { QualifiedName, quoteTable } from '../sql/sql-identifier';

export interface TableShape {
  table: QualifiedName;
  columns: ColumnInfo[];
  key: string;
  /** Time column; children have none of their own (they travel with their parent). */
  time?: string;
  /** format_type of the key column, used to cast key arrays and literals. */
  keyType: string;
}

/** A table's columns in order, with types and generated/identity flags; empty if there is no such table. */
export async function tableColumns(client: PoolClient, table: QualifiedName): Promise<ColumnInfo[]> {
  const { rows } = await client.query<{ name: string; type: string; typname: string; typtype: string; generated: string; identity: string }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typname, t.typtype::text AS typtype,
            a.attgenerated::text AS generated, a.attidentity::text AS identity
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [quoteTable(table)],
  );
  return rows.map((r) => ({
    name: r.name,
    typname: r.typname,
    type: r.type,
    encoding: encodingFor(r.typname, r.typtype),
    generated: r.generated !== '',
    identity: r.identity !== '',
  }));
}

export async function describeTable(client: PoolClient, table: QualifiedName, key: string, time?: string): Promise<TableShape> {
  const columns = await tableColumns(client, table);
  if (columns.length === 0) {
    throw new ConfigurationError([`table ${table.schema}.${table.name} does not exist (or has no columns)`]);
  }
  const keyColumn = columns.find((c) => c.name === key);
  if (!keyColumn) throw new ConfigurationError([`table ${table.name} has no key column "${key}"`]);
  if (time === undefined) return { table, columns, key, keyType: keyColumn.type };
  const timeColumn = columns.find((c) => c.name === time);
  if (!timeColumn) throw new ConfigurationError([`table ${table.name} has no time column "${time}"`]);
  if (!/^timestamp|^date$/.test(timeColumn.type)) {
    throw new ConfigurationError([`time column ${table.name}.${time} is ${timeColumn.type}; expected a timestamp or date`]);
  }
  return { table, columns, key, time, keyType: keyColumn.type };
}
