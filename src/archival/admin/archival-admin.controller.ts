/**
 * The operator's REST API: jobs, tables, runs, archives, restore, verify and export.
 * The routes without their mount: admin-controller.factory.ts subclasses this
 * per module with the host's path and guard (default /admin/archival, bearer
 * ARCHIVAL_ADMIN_TOKEN).
 */
import { BadRequestException, Body, Get, Header, HttpCode, NotFoundException, Param, Post, Query, Headers, UseFilters } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ExportService } from '../readback/export.service';
import { NotFoundError, UnknownJobError } from '../archival.errors';
import { ArchivalService } from '../archival.service';
import { CatalogService } from '../catalog/catalog.service';
import { ARCHIVE_STATUSES, RUN_STATUSES } from '../catalog/statuses';
import { CONFLICT_STRATEGIES, RestoreService } from '../restore/restore.service';
import { VerifyService } from '../readback/verify.service';
import { dateRange, objectBody, optionalBoolean, optionalOneOf, paging } from './admin-query';
import { ArchivalExceptionFilter } from './archival-exception.filter';
import { TableStatsCollector } from '../metrics/table-stats.collector';
import { tableOverview } from './table-overview';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
    const job = typeof query.job === 'string' && query.job !== '' ? query.job : undefined;
    const known = [...this.archival.jobs().map((j) => j.name), 'restore'];
    if (job !== undefined && !known.includes(job)) throw new UnknownJobError(job, known);
    return this.catalog.listRuns({
      job,
      status: optionalOneOf('status', query.status, RUN_STATUSES),
      ...paging(query, 1000),
    });
  }

  @Get('runs/:id')
  async runById(@Param('id') id: string) {
    if (!UUID.test(id)) throw new BadRequestException(`run id ${JSON.stringify(id)} is not a uuid`);
    const run = await this.catalog.findRun(id);
    if (!run) throw new NotFoundException(`no run ${id}`);
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
      table: typeof query.table === 'string' ? query.table : undefined,
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
    if (typeof query.job !== 'string' || !query.job) throw new BadRequestException('job is required, e.g. job=session-archival');
    if (typeof query.id !== 'string' || !query.id) throw new BadRequestException('id is required: the key of the entity to export');
    const lines = await this.exporter.export(query.job, query.id);
    if (lines.length === 0) throw new NotFoundError(`${query.job} has no entity with key ${JSON.stringify(query.id)}, in the table or in its archives`);
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
    const archiveId = body.archiveId;
    if (archiveId !== undefined && (typeof archiveId !== 'number' || !Number.isInteger(archiveId) || archiveId < 1)) {
      throw new BadRequestException(`archiveId must be a positive whole number, got ${JSON.stringify(archiveId)}`);
    }
    if (body.table !== undefined && typeof body.table !== 'string') throw new BadRequestException('table must be a string');
    if (archiveId === undefined && !body.table) throw new BadRequestException('give archiveId, or table with optional from and to (YYYY-MM-DD)');
    const request = {
      archiveId: archiveId as number | undefined,
      table: body.table as string | undefined,
      ...dateRange(body),
      conflict: optionalOneOf('conflict', body.conflict, CONFLICT_STRATEGIES),
      dryRun: optionalBoolean('dryRun', body.dryRun),
      ignoreWatermark: optionalBoolean('ignoreWatermark', body.ignoreWatermark),
    };
    return this.restorer.start(request, 'api');
  }

  private async archiveOr404(id: string) {
    if (!/^\d{1,18}$/.test(id)) throw new BadRequestException(`archive id ${JSON.stringify(id)} is not a whole number`);
    const archive = await this.catalog.findArchive(Number(id));
    if (!archive) throw new NotFoundException(`no archive ${id}`);
    return archive;
  }
}
