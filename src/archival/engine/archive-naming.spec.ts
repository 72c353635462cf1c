import { archiveKey, lastDay, manifestKey, monthWindow, partitionName, uniqueOfRun } from './archive-naming';

describe('archive naming', () => {
  it('puts an instant into its calendar month in UTC', () => {
    const window = monthWindow(new Date('2024-02-29T23:59:59.999999Z'));
    expect(window.start.toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(window.end.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(lastDay(window).toISOString().slice(0, 10)).toBe('2024-02-29');
  });

  it('keeps years before 100 AD as they are (Date.UTC would move them to the 1900s)', () => {
    const window = monthWindow(new Date('0099-12-31T23:00:00Z'));
    expect([window.start.toISOString(), window.end.toISOString()]).toEqual(['0099-12-01T00:00:00.000Z', '0100-01-01T00:00:00.000Z']);
    expect(lastDay(monthWindow(new Date('0001-01-15T00:00:00Z'))).toISOString().slice(0, 10)).toBe('0001-01-31');
  });

  it('rolls December into January', () => {
    expect(monthWindow(new Date('2023-12-15T00:00:00Z')).end.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('names parts as the design says', () => {
    const window = monthWindow(new Date('2024-01-10T00:00:00Z'));
    expect(partitionName('flow_execution_logs', window, 2)).toBe('flow_execution_logs_2024-01-01_to_2024-01-31_part-0002');
    const unique = uniqueOfRun('3F2A9C1E-8B7D-4e5f-9a0b-1c2d3e4f5a6b');
    const key = archiveKey({ schema: 'public', name: 'flow_execution_logs', window, part: 12, unique, extension: '.jsonl.zst' });
    expect(key).toBe('public.flow_execution_logs/year=2024/month=01/flow_execution_logs_2024-01-01_to_2024-01-31_part-0012-3f2a9c1e8b7d.jsonl.zst');
    expect(manifestKey(key)).toBe(`${key}.manifest.json`);
  });

  it('percent-encodes names that need quoting, so no dot, slash or space can split a key', () => {
    const window = monthWindow(new Date('2024-01-10T00:00:00Z'));
    expect(archiveKey({ schema: 'my schema', name: 'Odd.Names/ü', window, part: 1, unique: 'u', extension: '.parquet' })).toBe(
      'my%20schema.Odd%2ENames%2F%C3%BC/year=2024/month=01/Odd%2ENames%2F%C3%BC_2024-01-01_to_2024-01-31_part-0001-u.parquet',
    );
  });

  it('keeps Hive folders right at a year end and on 29 February', () => {
    const part = { schema: 'tenant_a', name: 'events', part: 1, unique: 'abc', extension: '.parquet' };
    expect(archiveKey({ ...part, window: monthWindow(new Date('2027-12-31T23:59:59Z')) })).toBe(
      'tenant_a.events/year=2027/month=12/events_2027-12-01_to_2027-12-31_part-0001-abc.parquet',
    );
    expect(archiveKey({ ...part, window: monthWindow(new Date('2028-02-29T12:00:00Z')) })).toBe(
      'tenant_a.events/year=2028/month=02/events_2028-02-01_to_2028-02-29_part-0001-abc.parquet',
    );
  });
});
