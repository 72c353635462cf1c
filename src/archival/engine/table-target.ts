/**
 * A table spec made concrete: the table, its children and their columns as
 * PostgreSQL has them now, every identifier checked before any SQL uses it.
 */
import { ArchivalDatabase } from './archival-database';
import { assertIdentifier, parseTableName } from '../sql/sql-identifier';
import { describeTable, TableShape } from './table-introspector';
import { ChildTableSpec, TableSpec } from './table-spec';

export interface ChildTarget {
  spec: ChildTableSpec;
  shape: TableShape;
}

export interface TableTarget {
  spec: TableSpec;
  shape: TableShape;
  children: ChildTarget[];
}

export async function describeTarget(db: ArchivalDatabase, spec: TableSpec): Promise<TableTarget> {
  const shape = await describe(db, spec.table, spec.key, spec.time);
  const children: ChildTarget[] = [];
  for (const child of spec.children ?? []) {
    assertIdentifier(child.foreignKey, `foreign key of ${child.table}`);
    children.push({ spec: child, shape: await describe(db, child.table, child.key ?? 'id') });
  }
  return { spec, shape, children };
}

async function describe(db: ArchivalDatabase, tableName: string, key: string, time?: string): Promise<TableShape> {
  const table = parseTableName(tableName);
  assertIdentifier(key, `key column of ${tableName}`);
  if (time !== undefined) assertIdentifier(time, `time column of ${tableName}`);
  return db.withClient((client) => describeTable(client, table, key, time));
}
