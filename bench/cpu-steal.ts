/**
 * The share of CPU time the hypervisor gave to other guests ("steal" in
 * Linux's /proc/stat). On a VM whose host is busy it moves a latency's p95
 * as much as the work under test does, so the load benches print it beside
 * each window.
 */
import { readFile } from 'node:fs/promises';

export interface CpuTicks {
  total: number;
  steal: number;
}

/** CPU time so far over all cores, all and stolen, in ticks; undefined where there is no /proc/stat. */
export async function cpuTicks(): Promise<CpuTicks | undefined> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => undefined);
  const fields = stat?.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  if (!fields || fields.length < 8) return undefined;
  // user nice system idle iowait irq softirq steal; guest and guest_nice after them are counted in user and nice already.
  return { total: fields.slice(0, 8).reduce((sum, n) => sum + n, 0), steal: fields[7] };
}

/** Stolen time between two readings, in percent of all CPU time (one decimal). */
export function stealShare(before: CpuTicks | undefined, after: CpuTicks | undefined): number | undefined {
  if (!before || !after) return undefined;
  return Math.round(((after.steal - before.steal) / Math.max(1, after.total - before.total)) * 1000) / 10;
}
