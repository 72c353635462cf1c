/**
 * docs/monitoring/grafana-dashboard.json: JSON that Grafana's import takes
 * (a ${DS_PROMETHEUS} input every panel uses), PromQL that Prometheus parses
 * (promtool, once Grafana's variables are given values), and only metrics the
 * module exports.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metricsNamedIn, mountedModuleMetrics } from './harness/exported-metrics';
import { promtool } from './harness/promtool';

const DASHBOARD = join(__dirname, '..', 'docs', 'monitoring', 'grafana-dashboard.json');
const DATASOURCE = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };

interface Panel {
  id: number;
  type: string;
  title: string;
  datasource: unknown;
  gridPos: { x: number; y: number; w: number; h: number };
  targets: { refId: string; expr: string; datasource: unknown }[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
const panels: Panel[] = dashboard.panels;
const expressions = panels.flatMap((p) => p.targets.map((t) => t.expr));
/** Grafana's variables as Prometheus would see them once Grafana filled them in. */
const asPrometheusSees = (expr: string) => expr.replaceAll('$__range', '30d').replaceAll('$job', '.*');

describe('the Grafana dashboard', () => {
  const exportedMetricNames = mountedModuleMetrics();

  it('has what Grafana import needs: a Prometheus datasource input, a title, a uid, schema 39, panels with ids and places', () => {
    expect(dashboard).toMatchObject({ title: expect.any(String), uid: expect.any(String), schemaVersion: 39, id: null });
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    expect(dashboard.__requires).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'datasource', id: 'prometheus' })]));
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) {
      expect(panel).toMatchObject({ type: expect.stringMatching(/^(stat|timeseries)$/), title: expect.any(String), datasource: DATASOURCE });
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      expect(panel.targets.length).toBeGreaterThan(0);
      for (const target of panel.targets) expect(target).toMatchObject({ refId: expect.any(String), expr: expect.any(String), datasource: DATASOURCE });
    }
    for (const variable of dashboard.templating.list) expect(variable.datasource).toEqual(DATASOURCE);
  });

  it('names only metrics the module exports, and shows every one of them', async () => {
    const exported = await exportedMetricNames();
    const queries = [...expressions, ...dashboard.templating.list.map((v: { definition: string }) => v.definition)];
    const named = metricsNamedIn(queries.join('\n'));
    expect(named.filter((name) => !exported.includes(name))).toEqual([]);
    const histogramSeries = /_(sum|count)$/;
    expect(exported.filter((name) => !histogramSeries.test(name) && !named.includes(name) && !named.includes(name.replace(/_bucket$/, '_sum')))).toEqual([]);
  });

  it('has PromQL that Prometheus parses (promtool check rules)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'grafana-promql-'));
    try {
      const rules = expressions.map((expr, i) => `      - record: dashboard:expr_${i}\n        expr: ${JSON.stringify(asPrometheusSees(expr))}`);
      await writeFile(join(dir, 'rules.yml'), `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
      const { stdout } = await promtool(dir, 'check', 'rules', 'rules.yml');
      expect(stdout).toContain(`SUCCESS: ${expressions.length} rules found`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
