/** A job made from a table declared in module options (ArchivalOptions.tables). */
import { ArchivalOptions, DeclaredTable, JobSettings } from '../archival-options';
import { ArchivalEngine } from '../engine/archival.engine';
import { TableSpec } from '../engine/table-spec';
import { TableArchiver } from './table.archiver';

export class DeclaredTableArchiver extends TableArchiver {
  readonly job: string;
  readonly spec: TableSpec;

  constructor(private readonly declaration: DeclaredTable, engine: ArchivalEngine) {
    super();
    const { job, retentionDays: _r, cron: _c, enabled: _e, ...spec } = declaration;
    this.job = job;
    this.spec = spec;
    this.useEngine(engine);
  }

  defaults(options: ArchivalOptions): JobSettings {
    return {
      enabled: this.declaration.enabled ?? true,
      cron: this.declaration.cron ?? options.scheduleCron,
      retentionDays: this.declaration.retentionDays ?? options.retentionDays,
    };
  }
}
