/**
 * The manifest hash chain of a table: each archive's manifest carries the
 * SHA-256 of the manifest of the table's archive verified last. The link
 * (read the previous manifest, write this one, mark the archive verified) is
 * made under a transaction-scoped advisory lock on the table's chain, on the
 * module's own session (not the host's pool), so archives sealed at once
 * (windows in parallel, two jobs on one table) take turns: each links to the
 * one sealed just before it. The chain's order is the order of sealing,
 * `verified_at`: the statement's clock, read under the lock, but never at or
 * before the last link's. A database clock that steps back (an NTP
 * correction, a failover to a server whose clock is behind) would otherwise
 * leave the last link looking newer than the archives sealed after it, and
 * each of them would link to it: a fork.
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
    `SELECT id, manifest_sha256 FROM archived_partitions
      WHERE table_name = $1 AND status = ANY($2) AND manifest_sha256 IS NOT NULL
      ORDER BY verified_at DESC NULLS LAST, id DESC LIMIT 1`,
    [table, CHAINED],
  )) as { id: string; manifest_sha256: string }[];
  const manifestSha256 = await write(latest?.manifest_sha256 ?? null);
  await moveArchive(query, id, { from: ['written'], to: 'verified', set: { verified_at: CLOCK, manifest_sha256: manifestSha256, error: null } });
  if (latest) {
    await query(
      `UPDATE archived_partitions a SET verified_at = p.verified_at + interval '1 microsecond'
         FROM archived_partitions p WHERE a.id = $1 AND p.id = $2 AND a.verified_at <= p.verified_at`,
      [id, latest.id],
    );
  }
}
