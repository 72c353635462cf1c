/**
 * The manifest hash chain of a table: each archive's manifest carries the
 * SHA-256 of the manifest of the table's archive linked last. The link
 * (read the previous manifest, write this one, mark the archive verified) is
 * made under a transaction-scoped advisory lock on the table's chain, on the
 * module's own session (not the host's pool), so archives sealed at once
 * (windows in parallel, two jobs on one table) take turns: each links to the
 * one sealed just before it. The chain's order is the order of linking:
 * `chain_seq`, one more than the table's highest, taken under the lock. Not
 * `verified_at`, the clock's reading: a database clock that steps back (an
 * NTP correction, a failover to a server whose clock is behind) would leave
 * the last link looking newer than the archives sealed after it, and each of
 * them would link to it (a fork). A verified archive that fails later (its
 * purge found a difference) leaves the chain: the next link is the one before
 * it.
 */
import { PoolClient } from 'pg';
import { ArchiveStatus } from './statuses';
import { clientQuery, CLOCK, moveArchive } from './status-moves';

/** Archives whose manifests are links of their table's hash chain. */
const CHAINED: ArchiveStatus[] = ['verified', 'purged', 'restored', 'superseded'];

/**
 * written → verified, linked: `write` gets the previous manifest's SHA-256
 * (null for the table's first) and returns its own manifest's.
 */
export async function linkVerified(client: PoolClient, id: number, table: string, write: (previous: string | null) => Promise<string>): Promise<void> {
  const query = clientQuery(client);
  await query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`nest-archival:chain:${table}`]);
  const [latest] = (await query(
    `SELECT manifest_sha256 FROM archived_partitions
      WHERE table_name = $1 AND status = ANY($2) AND manifest_sha256 IS NOT NULL
      ORDER BY chain_seq DESC NULLS LAST, id DESC LIMIT 1`,
    [table, CHAINED],
  )) as { manifest_sha256: string }[];
  const manifestSha256 = await write(latest?.manifest_sha256 ?? null);
  await moveArchive(query, id, { from: ['written'], to: 'verified', set: { verified_at: CLOCK, manifest_sha256: manifestSha256, error: null } });
  await query(
    `UPDATE archived_partitions SET chain_seq = (SELECT coalesce(max(chain_seq), 0) + 1 FROM archived_partitions WHERE table_name = $2) WHERE id = $1`,
    [id, table],
  );
}
