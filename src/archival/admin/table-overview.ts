/**
 * GET <admin path>/tables: each job's tables as the dashboard shows them: hot
 * size and rows past retention now (measured on request), and what the
 * catalog archived from them, in total and month by month of the windows.
 */
import { parseTableName } from '../sql/sql-identifier';
import { ArchivedMonth } from '../catalog/catalog.service';
import { TableStats } from '../metrics/table-stats.collector';

export interface TableOverview extends TableStats {
  archives: number;
  archivedRows: number;
  archivedBytes: number;
  /** Oldest month first. */
  months: { month: string; archives: number; rows: number; bytes: number }[];
}

export function tableOverview(stats: TableStats[], archived: ArchivedMonth[]): TableOverview[] {
  return stats.map((table) => {
    const { schema, name } = parseTableName(table.table);
    const months = archived
      .filter((m) => m.job === table.job && m.table === name && m.schema === schema)
      .sort((a, b) => a.month.localeCompare(b.month))
      .map(({ month, archives, rows, bytes }) => ({ month, archives, rows, bytes }));
    const total = (key: 'archives' | 'rows' | 'bytes') => months.reduce((sum, m) => sum + m[key], 0);
    return { ...table, archives: total('archives'), archivedRows: total('rows'), archivedBytes: total('bytes'), months };
  });
}
