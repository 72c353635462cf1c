/**
 * Active legal holds on a table, as one SQL predicate over alias `t` that
 * excludes held rows from eligibility. Holds name a row by key value (any
 * column, the key by default) or by an SQL predicate; both come from the
 * legal_holds table, which only operators with database access can write.
 * Children travel with their parent, so a hold on a session holds its deltas.
 */
import { PoolClient } from 'pg';
import { quoteIdent, quoteLiteral, QualifiedName } from '../sql/sql-identifier';

interface HoldRow {
  key_column: string | null;
  key_value: string | null;
  predicate: string | null;
}

export async function legalHoldExclusion(client: PoolClient, table: QualifiedName, key: string): Promise<string | undefined> {
  const { rows } = await client.query<HoldRow>(
    `SELECT key_column, key_value, predicate FROM legal_holds
      WHERE released_at IS NULL AND table_name IN ($1, $2)`,
    [table.name, `${table.schema}.${table.name}`],
  );
  if (rows.length === 0) return undefined;
  const held = rows.map((hold) =>
    hold.key_value !== null
      ? `t.${quoteIdent(hold.key_column ?? key)}::text = ${quoteLiteral(hold.key_value)}`
      : `coalesce((${hold.predicate}), false)`,
  );
  return `NOT (${held.join(' OR ')})`;
}
