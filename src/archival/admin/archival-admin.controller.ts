/**
 * The operator's REST API: jobs, tables, runs, archives, restore, verify and export.
 * The routes without their mount: admin-controller.factory.ts subclasses this
 * per module with the host's path and guard (default /admin/archival, bearer
 * ARCHIVAL_ADMIN_TOKEN).
 */
import { Body, Get, Header, HttpCode, Param, Post, Query, Headers, UseFilters } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ExportService } from '../readback/export.service';
import { NotFoundError } from '../archival.errors';
import { ArchivalService } from '../archival.service';
import { CatalogService } from '../catalog/catalog.service';
import { ARCHIVE_STATUSES, RUN_STATUSES } from '../catalog/statuses';
import { CONFLICT_STRATEGIES, RestoreService } from '../restore/restore.service';
import { VerifyService } from '../readback/verify.service';
import {
  archiveId, archiveIdNumber, assertDateRange, knownJob, optionalBoolean, optionalDay, optionalOneOf, optionalText, optionalWholeNumber, runId, text,
} from '../input/operator-input';
import { objectBody } from '../input/request-body';
import { ArchivalExceptionFilter } from './archival-exception.filter';
import { TableStatsCollector } from '../metrics/table-stats.collector';
import { tableOverview } from './table-overview';

/** `from` and `to` of a query or body: dates or ISO-8601 timestamps, a range that does not end before it starts. */
const dateRange = (fields: Record<string, unknown>) => assertDateRange({ from: optionalDay('from', fields.from), to: optionalDay('to', fields.to) });

/** `limit` (at most `maxLimit`) and `offset` of a listing. */
const paging = (query: Record<string, unknown>, maxLimit: number) => ({
  limit: optionalWholeNumber('limit', query.limit, 1, maxLimit),
  offset: optionalWholeNumber('offset', query.offset, 0),
});

@ApiTags('archival')
@UseFilters(ArchivalExceptionFilter)
export class ArchivalAdminController {
  constructor(
    private readonly archival: ArchivalService,
    private readonly catalog: CatalogService,
    private readonly verifier: VerifyService,
    private readonly restorer: RestoreService,
    private readonly exporter: ExportService,
    private readonly tableStats: TableStatsCollector,
  ) {}

  @Get('jobs')
  jobs() {
    return this.archival.getStatus();
  }

  @Post('jobs/:name/run')
  @ApiBody({ required: false, schema: { type: 'object', properties: { dryRun: { type: 'boolean' } } } })
  @HttpCode(202)
  async run(
    @Param('name') name: string,
    @Body() raw: unknown,
    @Headers('content-type') contentType?: string,
    @Headers('content-length') contentLength?: string,
  ) {
    const body = objectBody(raw, contentType, contentLength);
    const dryRun = optionalBoolean('dryRun', body.dryRun) ?? false;
    const { runId } = await this.archival.trigger(name, { dryRun, trigger: 'api' });
    return { runId };
  }

  /** Each job's tables: hot size and rows past retention (measured now), archived rows and bytes, month by month. */
  @Get('tables')
  async tables() {
    const [stats, archived] = await Promise.all([this.tableStats.refresh(), this.catalog.archivedByMonth()]);
    return tableOverview(stats, archived);
  }

  @Get('runs')
  @ApiQuery({ name: 'job', required: false })
  @ApiQuery({ name: 'status', required: false, enum: RUN_STATUSES })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'offset', required: false })
  runs(@Query() query: Record<string, unknown>) {
    const job = query.job === undefined || query.job === '' ? undefined : text('job', query.job);
    return this.catalog.listRuns({
      job: job && knownJob(job, [...this.archival.jobs().map((j) => j.name), 'restore']),
      status: optionalOneOf('status', query.status, RUN_STATUSES),
      ...paging(query, 1000),
    });
  }

  @Get('runs/:id')
  async runById(@Param('id') id: string) {
    const run = await this.catalog.findRun(runId('run id', id));
    if (!run) throw new NotFoundError(`no run ${id}`);
    // Known only to the process running it: null while it runs elsewhere (another replica, the CLI).
    return run.status === 'running' ? { ...run, progress: this.archival.progress(id) ?? null } : run;
  }

  @Get('archives')
  @ApiQuery({ name: 'table', required: false })
  @ApiQuery({ name: 'status', required: false, enum: ARCHIVE_STATUSES })
  @ApiQuery({ name: 'from', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'to', required: false, description: 'YYYY-MM-DD' })
  @ApiQuery({ name: 'limit', required: false })
  @ApiQuery({ name: 'offset', required: false })
  archives(@Query() query: Record<string, unknown>) {
    return this.catalog.listArchives({
      table: optionalText('table', query.table),
      status: optionalOneOf('status', query.status, ARCHIVE_STATUSES),
      ...dateRange(query),
      ...paging(query, 10_000),
    });
  }

  @Get('archives/:id')
  async archiveById(@Param('id') id: string) {
    return this.archiveOr404(id);
  }

  /** One entity's full history (hot and archived, children included) as JSON Lines: ?job=session-archival&id=... */
  @Get('export')
  @ApiQuery({ name: 'job', example: 'session-archival' })
  @ApiQuery({ name: 'id', description: 'key of the entity' })
  @Header('Content-Type', 'application/x-ndjson; charset=utf-8')
  async export(@Query() query: Record<string, unknown>) {
    const lines = await this.exporter.export(text('job', query.job), text('id', query.id));
    return `${lines.join('\n')}\n`;
  }

  /** Re-reads one archive now and checks it against the catalog, its manifest and the hash chain. */
  @Post('archives/:id/verify')
  @HttpCode(200)
  async verifyArchive(@Param('id') id: string) {
    const archive = await this.archiveOr404(id);
    const report = await this.verifier.verify({ archiveId: archive.id });
    return { id: archive.id, path: archive.archivePath, intact: report.problems.length === 0 && report.missing.length === 0, ...report };
  }

  /** Restores one archive (with its children) or a table's archives in a date range; 202 with the run to poll. */
  @Post('restore')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        archiveId: { type: 'integer' }, table: { type: 'string' }, from: { type: 'string', format: 'date' }, to: { type: 'string', format: 'date' },
        conflict: { type: 'string', enum: [...CONFLICT_STRATEGIES] }, dryRun: { type: 'boolean' }, ignoreWatermark: { type: 'boolean' },
      },
    },
  })
  @HttpCode(202)
  async restore(@Body() raw: unknown, @Headers('content-type') contentType?: string, @Headers('content-length') contentLength?: string) {
    const body = objectBody(raw, contentType, contentLength);
    const request = {
      archiveId: body.archiveId === undefined ? undefined : archiveIdNumber('archiveId', body.archiveId),
      table: optionalText('table', body.table),
      ...dateRange(body),
      conflict: optionalOneOf('conflict', body.conflict, CONFLICT_STRATEGIES),
      dryRun: optionalBoolean('dryRun', body.dryRun),
      ignoreWatermark: optionalBoolean('ignoreWatermark', body.ignoreWatermark),
    };
    return this.restorer.start(request, 'api');
  }

  private async archiveOr404(id: string) {
    const archive = await this.catalog.findArchive(archiveId('archive id', id));
    if (!archive) throw new NotFoundError(`no archive ${id}`);
    return archive;
  }
}
