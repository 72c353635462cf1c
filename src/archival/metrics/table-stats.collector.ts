/**
 * Keeps archival_eligible_rows and archival_table_size_bytes current with a
 * cheap periodic query: the planner's row estimate for "past retention" (an
 * EXPLAIN, no scan) and pg_total_relation_size. Every minute, and on demand.
 */
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ARCHIVAL_CLOCK, ArchivalClock } from '../archival.constants';
import { ArchivalService } from '../archival.service';
import { Archiver, ARCHIVERS } from '../archiver';
import { TableArchiver } from '../archivers/table.archiver';
import { ArchivalDatabase } from '../engine/archival-database';
import { cutoffPredicate } from '../engine/eligibility';
import { parseTableName, quoteTable } from '../sql/sql-identifier';
import { ArchivalMetrics } from './archival.metrics';

const REFRESH_MS = 60_000;

/** One table of one job as last measured: its size on disk and, for a job's main table, its rows past retention. */
export interface TableStats {
  job: string;
  table: string;
  hotBytes: number;
  /** Planner estimate; null for child tables (their rows travel with their parents). */
  eligibleRows: number | null;
}

@Injectable()
export class TableStatsCollector implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TableStatsCollector.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(ARCHIVERS) private readonly archivers: Archiver[],
    private readonly archival: ArchivalService,
    private readonly db: ArchivalDatabase,
    private readonly metrics: ArchivalMetrics,
    @Inject(ARCHIVAL_CLOCK) private readonly clock: ArchivalClock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.refresh().catch((error: Error) => this.logger.warn({ event: 'metrics.refresh_failed', error: error.message })), REFRESH_MS);
    this.timer.unref();
    void this.refresh().catch(() => undefined);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Measures every table now, updates the gauges and returns what it measured. */
  async refresh(): Promise<TableStats[]> {
    const measured: TableStats[] = [];
    await this.db.withClient(async (client) => {
      for (const archiver of this.archivers) {
        const tables = archiver.tables();
        const eligible = new Map<string, number>();
        if (archiver instanceof TableArchiver) {
          const cutoff = archiver.cutoff(this.clock(), this.archival.settings(archiver));
          const { rows } = await client.query(
            `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${quoteTable(parseTableName(archiver.spec.table))} t WHERE ${cutoffPredicate({ time: archiver.spec.time, cutoff, filter: archiver.spec.filter })}`,
          );
          eligible.set(archiver.spec.table, Math.round(rows[0]['QUERY PLAN'][0].Plan['Plan Rows']));
        }
        for (const table of tables) {
          const { rows } = await client.query(`SELECT pg_total_relation_size(to_regclass($1))::int8 AS bytes`, [quoteTable(parseTableName(table))]);
          const stats = { job: archiver.job, table, hotBytes: Number(rows[0].bytes ?? 0), eligibleRows: eligible.get(table) ?? null };
          this.metrics.tableStats(stats.job, table, stats.eligibleRows ?? undefined, stats.hotBytes);
          measured.push(stats);
        }
      }
    });
    return measured;
  }
}
