import { tableOverview } from './table-overview';

const month = (job: string, schema: string, table: string, m: string, rows: number) => ({ job, schema, table, month: m, archives: 1, rows, bytes: rows * 10 });

describe('tableOverview', () => {
  it("puts each job's archived months beside its table, oldest first, and totals them", () => {
    const overview = tableOverview(
      [{ job: 'log-archival', table: 'flow_execution_logs', hotBytes: 8192, eligibleRows: 40 }],
      [month('log-archival', 'public', 'flow_execution_logs', '2026-02', 5), month('log-archival', 'public', 'flow_execution_logs', '2026-01', 7)],
    );
    expect(overview).toEqual([{
      job: 'log-archival', table: 'flow_execution_logs', hotBytes: 8192, eligibleRows: 40, archives: 2, archivedRows: 12, archivedBytes: 120,
      months: [{ month: '2026-01', archives: 1, rows: 7, bytes: 70 }, { month: '2026-02', archives: 1, rows: 5, bytes: 50 }],
    }]);
  });

  it('keeps same-named tables of other schemas and other jobs apart', () => {
    const [orders] = tableOverview(
      [{ job: 'orders-archival', table: 'shop.orders', hotBytes: 1, eligibleRows: null }],
      [month('orders-archival', 'public', 'orders', '2026-01', 3), month('other', 'shop', 'orders', '2026-01', 4), month('orders-archival', 'shop', 'orders', '2026-01', 9)],
    );
    expect(orders).toMatchObject({ archivedRows: 9, months: [{ month: '2026-01', rows: 9 }] });
  });
});
