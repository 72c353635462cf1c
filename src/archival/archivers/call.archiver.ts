import { Injectable } from '@nestjs/common';
import { ArchivalOptions, JobSettings } from '../archival-options';
import { TableArchiver } from './table.archiver';

/** call_sessions older than ARCHIVAL_CALL_RETENTION_DAYS (default 365), with their call_events. */
@Injectable()
export class CallArchiver extends TableArchiver {
  readonly job = 'call-archival';
  readonly spec = {
    table: 'call_sessions',
    key: 'id',
    time: 'created_at',
    children: [{ table: 'call_events', foreignKey: 'call_session_id' }],
  };

  defaults(options: ArchivalOptions): JobSettings {
    return { ...super.defaults(options), retentionDays: options.callRetentionDays };
  }
}
