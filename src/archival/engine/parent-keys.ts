/**
 * Stages a part's parent keys in a session temp table (streamed from the
 * part's key log with COPY), so child rows can be selected by join inside
 * COPY (which takes no parameters), checked and purged in any number.
 */
import { PoolClient } from 'pg';
import { KeyLog } from './key-log';
import { quoteIdent } from './sql-identifier';

export const PARENT_KEYS_TABLE = 'pg_temp.archival_parent_keys';

export async function stageParentKeys(client: PoolClient, keyType: string, keys: KeyLog): Promise<void> {
  await client.query(`DROP TABLE IF EXISTS ${PARENT_KEYS_TABLE}`);
  await client.query(`CREATE TEMP TABLE archival_parent_keys (k ${keyType} PRIMARY KEY, x xid)`);
  await keys.copyInto(client, PARENT_KEYS_TABLE);
  await client.query(`ANALYZE ${PARENT_KEYS_TABLE}`);
}

/** The join that keeps child rows (alias t) whose foreign key is a staged parent key. */
export function parentKeysJoin(foreignKey: string): string {
  return `JOIN ${PARENT_KEYS_TABLE} p ON t.${quoteIdent(foreignKey)} = p.k`;
}
