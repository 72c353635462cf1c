/**
 * Stages a part's parent keys in a session temp table (streamed from the
 * part's key log with COPY), so child rows can be selected by join inside
 * COPY (which takes no parameters), checked and purged in any number.
 */
import { PoolClient } from 'pg';
import { KeyLog, stageKeyLogs } from './key-log';
import { quoteIdent } from '../sql/sql-identifier';

const PARENT_KEYS = 'archival_parent_keys';
export const PARENT_KEYS_TABLE = `pg_temp.${PARENT_KEYS}`;

/** For the child COPY (session-scoped: the COPY runs outside any transaction) or, transaction-scoped, for the purge's check. */
export async function stageParentKeys(client: PoolClient, keyType: string, keys: KeyLog, transactionScoped = false): Promise<void> {
  await stageKeyLogs(client, PARENT_KEYS, keyType, [keys], { unique: true, transactionScoped });
}

/** The join that keeps child rows (alias t) whose foreign key is a staged parent key. */
export function parentKeysJoin(foreignKey: string): string {
  return `JOIN ${PARENT_KEYS_TABLE} p ON t.${quoteIdent(foreignKey)} = p.k`;
}
