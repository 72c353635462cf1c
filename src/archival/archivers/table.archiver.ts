/**
 * Base of every table job: the subclass declares `job` and `spec`; batching,
 * streaming, verifying and purging all happen in the engine.
 */
import { Inject } from '@nestjs/common';
import { ArchivalOptions, JobSettings } from '../archival-options';
import { Archiver } from '../archiver';
import { ArchivalEngine } from '../engine/archival.engine';
import { RunContext, TableRunResult } from '../engine/run-context';
import { TableSpec } from '../engine/table-spec';

const DAY_MS = 86_400_000;

export abstract class TableArchiver implements Archiver {
  abstract readonly job: string;
  abstract readonly spec: TableSpec;

  @Inject(ArchivalEngine) protected engine: ArchivalEngine;

  /** Archivers the module builds itself (presets, declared tables), not Nest, get the engine here. */
  useEngine(engine: ArchivalEngine): this {
    this.engine = engine;
    return this;
  }

  tables(): string[] {
    return [this.spec.table, ...(this.spec.children ?? []).map((c) => c.table)];
  }

  defaults(options: ArchivalOptions): JobSettings {
    return { enabled: true, cron: options.scheduleCron, retentionDays: options.retentionDays };
  }

  /** Rows whose time column is before the cutoff are eligible. */
  cutoff(now: Date, settings: JobSettings): Date {
    return this.spec.eligibility === 'expired' ? now : new Date(now.getTime() - settings.retentionDays * DAY_MS);
  }

  async run(context: RunContext, settings: JobSettings): Promise<TableRunResult[]> {
    return [await this.engine.archiveTable(this.spec, this.cutoff(context.now, settings), context)];
  }
}
