/**
 * docs/monitoring/prometheus-rules.yml: valid for Prometheus (`promtool check
 * rules`, Debian's prometheus package), its alerts fire as its unit tests say
 * (`promtool test rules`), and it names only metrics the module exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricsNamedIn, mountedModuleMetrics } from './harness/exported-metrics';
import { promtool as runPromtool } from './harness/promtool';

const DIR = join(__dirname, '..', 'docs', 'monitoring');
const RULES = join(DIR, 'prometheus-rules.yml');

const promtool = (...args: string[]) => runPromtool(DIR, ...args);

/** The metric names in the rules' expressions (comments and annotations aside). */
function metricsNamedByRules(): string[] {
  const expressions = readFileSync(RULES, 'utf8').split('\n').filter((line) => !/^\s*#/.test(line) && !/^\s*(summary|description|alert):/.test(line));
  return metricsNamedIn(expressions.join('\n'));
}

describe('the Prometheus alerting rules', () => {
  const exportedMetricNames = mountedModuleMetrics();

  it('pass promtool check rules', async () => {
    const { stdout } = await promtool('check', 'rules', 'prometheus-rules.yml');
    expect(stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('raise their alerts on the series of their unit tests, and only those (promtool test rules)', async () => {
    const { stdout } = await promtool('test', 'rules', 'prometheus-rules.test.yml');
    expect(stdout).toContain('SUCCESS');
  });

  it('name only metrics the module exports, and cover runs, verification, last success and eligible rows', async () => {
    const exported = await exportedMetricNames();
    const named = metricsNamedByRules();
    expect(named.filter((name) => !exported.includes(name))).toEqual([]);
    expect(named).toEqual(expect.arrayContaining([
      'archival_eligible_rows', 'archival_last_success_timestamp_seconds', 'archival_runs_total', 'archival_verify_failures_total',
    ]));
  });
});
