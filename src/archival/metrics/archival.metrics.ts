/**
 * Prometheus metrics (prefix archival_, labels job, table, storage), defined
 * with @willsoto/nestjs-prometheus in prom-client's default registry. A host
 * exposes them with PrometheusModule.register() (GET /metrics, the demo host
 * does) or through its own registry endpoint.
 */
import { Injectable } from '@nestjs/common';
import { InjectMetric, makeCounterProvider, makeGaugeProvider, makeHistogramProvider } from '@willsoto/nestjs-prometheus';
import { Counter, Gauge, Histogram } from 'prom-client';

const TABLE_LABELS = ['job', 'table', 'storage'];

export const ARCHIVAL_METRIC_PROVIDERS = [
  makeCounterProvider({ name: 'archival_rows_archived_total', help: 'Rows written to verified archives.', labelNames: TABLE_LABELS }),
  makeCounterProvider({ name: 'archival_rows_purged_total', help: 'Rows deleted from hot tables after verification.', labelNames: TABLE_LABELS }),
  makeCounterProvider({ name: 'archival_bytes_written_total', help: 'Stored archive bytes (after compression and encryption).', labelNames: TABLE_LABELS }),
  makeCounterProvider({ name: 'archival_archives_total', help: 'Archives written, verified and purged.', labelNames: TABLE_LABELS }),
  makeCounterProvider({ name: 'archival_archives_restored_total', help: 'Archives whose rows a restore put back (status restored).', labelNames: TABLE_LABELS }),
  makeCounterProvider({ name: 'archival_archives_superseded_total', help: 'Restored archives whose rows a newer archive took again (status superseded; the file left the table folder).', labelNames: TABLE_LABELS }),
  makeCounterProvider({ name: 'archival_verify_failures_total', help: 'Archives whose read-back or re-verification failed.', labelNames: TABLE_LABELS }),
  makeCounterProvider({ name: 'archival_runs_total', help: 'Job runs by outcome.', labelNames: ['job', 'status'] }),
  makeHistogramProvider({
    name: 'archival_run_duration_seconds', help: 'Duration of job runs.', labelNames: ['job', 'status'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14_400],
  }),
  makeCounterProvider({
    name: 'archival_throttled_seconds_total', help: 'Seconds runs waited for the database (replica lag, active backends, the throttle query).',
    labelNames: ['job', 'reason'],
  }),
  makeGaugeProvider({ name: 'archival_last_success_timestamp_seconds', help: 'When each job last succeeded (Unix time).', labelNames: ['job'] }),
  makeGaugeProvider({ name: 'archival_eligible_rows', help: 'Rows past retention still in the hot table (planner estimate).', labelNames: ['job', 'table'] }),
  makeGaugeProvider({ name: 'archival_table_size_bytes', help: 'Total size of each archived table, indexes and TOAST included.', labelNames: ['job', 'table'] }),
];

export interface ArchiveLabels {
  job: string;
  tableName: string;
  storage: string;
}

@Injectable()
export class ArchivalMetrics {
  constructor(
    @InjectMetric('archival_rows_archived_total') private readonly rowsArchived: Counter<string>,
    @InjectMetric('archival_rows_purged_total') private readonly rowsPurged: Counter<string>,
    @InjectMetric('archival_bytes_written_total') private readonly bytesWritten: Counter<string>,
    @InjectMetric('archival_archives_total') private readonly archives: Counter<string>,
    @InjectMetric('archival_archives_restored_total') private readonly restoredArchives: Counter<string>,
    @InjectMetric('archival_archives_superseded_total') private readonly supersededArchives: Counter<string>,
    @InjectMetric('archival_verify_failures_total') private readonly verifyFailures: Counter<string>,
    @InjectMetric('archival_runs_total') private readonly runs: Counter<string>,
    @InjectMetric('archival_run_duration_seconds') private readonly runDuration: Histogram<string>,
    @InjectMetric('archival_throttled_seconds_total') private readonly throttledSeconds: Counter<string>,
    @InjectMetric('archival_last_success_timestamp_seconds') private readonly lastSuccess: Gauge<string>,
    @InjectMetric('archival_eligible_rows') private readonly eligible: Gauge<string>,
    @InjectMetric('archival_table_size_bytes') private readonly tableSize: Gauge<string>,
  ) {}

  /** One archive verified and purged. */
  purged(archive: ArchiveLabels, rows: number, bytes: number): void {
    const labels = { job: archive.job, table: archive.tableName, storage: archive.storage };
    this.rowsArchived.inc(labels, rows);
    this.rowsPurged.inc(labels, rows);
    this.bytesWritten.inc(labels, bytes);
    this.archives.inc(labels);
  }

  /** A restore put an archive's rows back (purged → restored). */
  restored(archive: ArchiveLabels): void {
    this.restoredArchives.inc({ job: archive.job, table: archive.tableName, storage: archive.storage });
  }

  /** A newer archive took a restored archive's rows again (restored → superseded). */
  superseded(archive: ArchiveLabels): void {
    this.supersededArchives.inc({ job: archive.job, table: archive.tableName, storage: archive.storage });
  }

  verifyFailed(archive: ArchiveLabels): void {
    this.verifyFailures.inc({ job: archive.job, table: archive.tableName, storage: archive.storage });
  }

  runFinished(job: string, status: string, seconds: number, finishedAt: Date): void {
    this.runs.inc({ job, status });
    this.runDuration.observe({ job, status }, seconds);
    if (status === 'succeeded') this.lastSuccess.set({ job }, finishedAt.getTime() / 1000);
  }

  /** A run waited `seconds` for the database, for `reason` (see throttle/throttle.ts). */
  throttled(job: string, reason: string, seconds: number): void {
    this.throttledSeconds.inc({ job, reason }, seconds);
  }

  /** Eligible rows are known for a job's main table; child rows travel with their parents. */
  tableStats(job: string, table: string, eligibleRows: number | undefined, sizeBytes: number): void {
    if (eligibleRows !== undefined) this.eligible.set({ job, table }, eligibleRows);
    this.tableSize.set({ job, table }, sizeBytes);
  }
}
