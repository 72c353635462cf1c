import { Injectable } from '@nestjs/common';
import { TableArchiver } from './table.archiver';

/** flow_execution_logs older than ARCHIVAL_RETENTION_DAYS (default 90). */
@Injectable()
export class LogArchiver extends TableArchiver {
  readonly job = 'log-archival';
  readonly spec = { table: 'flow_execution_logs', key: 'id', time: 'created_at' };
}
