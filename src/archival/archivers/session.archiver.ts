import { Inject, Injectable } from '@nestjs/common';
import { ArchivalOptions } from '../archival-options';
import { ARCHIVAL_OPTIONS } from '../archival.constants';
import { quoteLiteral } from '../sql/sql-identifier';
import { TableSpec } from '../engine/table-spec';
import { TableArchiver } from './table.archiver';

/**
 * flow_execution_sessions older than the retention, with their
 * flow_execution_deltas; sessions still going (ARCHIVAL_SESSION_ACTIVE_STATUSES,
 * default running, pending, waiting) are never taken.
 */
@Injectable()
export class SessionArchiver extends TableArchiver {
  readonly job = 'session-archival';
  readonly spec: TableSpec;

  constructor(@Inject(ARCHIVAL_OPTIONS) options: ArchivalOptions) {
    super();
    const active = options.activeSessionStatuses.map(quoteLiteral).join(', ');
    this.spec = {
      table: 'flow_execution_sessions',
      key: 'id',
      time: 'created_at',
      children: [{ table: 'flow_execution_deltas', foreignKey: 'session_id' }],
      filter: active ? `(t."status" IS NULL OR t."status" NOT IN (${active}))` : undefined,
    };
  }
}
