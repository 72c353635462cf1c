import { Injectable } from '@nestjs/common';
import { TableArchiver } from './table.archiver';

/** Statuses of a flow session that is still going; such sessions are never archived. */
export const ACTIVE_SESSION_STATUSES = ['running', 'pending', 'waiting'];

/** flow_execution_sessions older than the retention, with their flow_execution_deltas. */
@Injectable()
export class SessionArchiver extends TableArchiver {
  readonly job = 'session-archival';
  readonly spec = {
    table: 'flow_execution_sessions',
    key: 'id',
    time: 'created_at',
    children: [{ table: 'flow_execution_deltas', foreignKey: 'session_id' }],
    filter: `(t."status" IS NULL OR t."status" NOT IN (${ACTIVE_SESSION_STATUSES.map((s) => `'${s}'`).join(', ')}))`,
  };
}
