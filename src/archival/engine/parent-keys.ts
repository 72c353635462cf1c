/**
 * Stages a part's parent keys in a session temp table, so child rows can be
 * selected by join inside COPY (which takes no parameters) and in any number.
 */
import { PoolClient } from 'pg';
import { quoteIdent } from './sql-identifier';

export const PARENT_KEYS_TABLE = 'pg_temp.archival_parent_keys';
const CHUNK = 10_000;

export async function stageParentKeys(client: PoolClient, keyType: string, keys: string[]): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${PARENT_KEYS_TABLE}`);
  await client.query(`CREATE TEMP TABLE archival_parent_keys (k ${keyType} PRIMARY KEY)`);
  for (let i = 0; i < keys.length; i += CHUNK) {
    await client.query(`INSERT INTO ${PARENT_KEYS_TABLE} SELECT unnest($1::${keyType}[])`, [keys.slice(i, i + CHUNK)]);
  }
  await client.query(`ANALYZE ${PARENT_KEYS_TABLE}`);
}

/** The join that keeps child rows (alias t) whose foreign key is a staged parent key. */
export function parentKeysJoin(foreignKey: string): string {
  return `JOIN ${PARENT_KEYS_TABLE} p ON t.${quoteIdent(foreignKey)} = p.k`;
}
