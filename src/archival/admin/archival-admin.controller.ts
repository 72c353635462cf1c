/** The operator's REST API under /admin/archival: jobs, runs and archives. */
import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { UnknownJobError } from '../archival.errors';
import { ArchivalService } from '../archival.service';
import { CatalogService } from '../catalog/catalog.service';
import { optionalBoolean, optionalDate, optionalOneOf, paging } from './admin-query';
import { AdminTokenGuard } from './admin-token.guard';

const RUN_STATUSES = ['running', 'succeeded', 'failed', 'skipped'] as const;
const ARCHIVE_STATUSES = ['written', 'verified', 'purged', 'failed'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('admin/archival')
@UseGuards(AdminTokenGuard)
export class ArchivalAdminController {
  constructor(private readonly archival: ArchivalService, private readonly catalog: CatalogService) {}

  @Get('jobs')
  jobs() {
    return this.archival.getStatus();
  }

  @Post('jobs/:name/run')
  @HttpCode(202)
  async run(@Param('name') name: string, @Body() body: Record<string, unknown> = {}) {
    const dryRun = optionalBoolean('dryRun', body?.dryRun) ?? false;
    try {
      const { runId } = await this.archival.trigger(name, { dryRun, trigger: 'api' });
      return { runId };
    } catch (error) {
      if (error instanceof UnknownJobError) throw new NotFoundException(error.message);
      throw error;
    }
  }

  @Get('runs')
  runs(@Query() query: Record<string, unknown>) {
    return this.catalog.listRuns({
      job: typeof query.job === 'string' ? query.job : undefined,
      status: optionalOneOf('status', query.status, RUN_STATUSES),
      ...paging(query, 1000),
    });
  }

  @Get('runs/:id')
  async runById(@Param('id') id: string) {
    const run = UUID.test(id) ? await this.catalog.findRun(id) : null;
    if (!run) throw new NotFoundException(`no run ${JSON.stringify(id)}`);
    return run;
  }

  @Get('archives')
  archives(@Query() query: Record<string, unknown>) {
    return this.catalog.listArchives({
      table: typeof query.table === 'string' ? query.table : undefined,
      status: optionalOneOf('status', query.status, ARCHIVE_STATUSES),
      from: optionalDate('from', query.from),
      to: optionalDate('to', query.to),
      ...paging(query, 10_000),
    });
  }

  @Get('archives/:id')
  async archiveById(@Param('id') id: string) {
    const archive = /^\d{1,18}$/.test(id) ? await this.catalog.findArchive(Number(id)) : null;
    if (!archive) throw new NotFoundException(`no archive ${JSON.stringify(id)}`);
    return archive;
  }
}
