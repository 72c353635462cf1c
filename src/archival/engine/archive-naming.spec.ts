import { archiveKey, lastDay, manifestKey, monthWindow, partitionName } from './archive-naming';

describe('archive naming', () => {
  it('puts an instant into its calendar month in UTC', () => {
    const window = monthWindow(new Date('2024-02-29T23:59:59.999999Z'));
    expect(window.start.toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(window.end.toISOString()).toBe('2024-03-01T00:00:00.000Z');
    expect(lastDay(window).toISOString().slice(0, 10)).toBe('2024-02-29');
  });

  it('rolls December into January', () => {
    expect(monthWindow(new Date('2023-12-15T00:00:00Z')).end.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });

  it('names parts as the design says', () => {
    const window = monthWindow(new Date('2024-01-10T00:00:00Z'));
    expect(partitionName('flow_execution_logs', window, 2)).toBe('flow_execution_logs_2024-01-01_to_2024-01-31_part-0002');
    const key = archiveKey('flow_execution_logs', window, 12, '.jsonl.zst');
    expect(key).toBe('flow_execution_logs/flow_execution_logs_2024-01-01_to_2024-01-31_part-0012.jsonl.zst');
    expect(manifestKey(key)).toBe(`${key}.manifest.json`);
  });
});
