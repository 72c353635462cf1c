/** The archival_* series the module registers in prom-client's default registry (histograms as their _bucket, _sum, _count). */
import { register } from 'prom-client';
import { ArchivalTestApp, createArchivalApp } from './archival-app';
import { createTestDatabase, TestDatabase } from './database';

const HISTOGRAM_SERIES = ['_bucket', '_sum', '_count'];

/** Call once an app with the module is up (its metric providers register on start). */
export async function exportedMetricNames(): Promise<string[]> {
  return (await register.getMetricsAsJSON())
    .filter((metric) => metric.name.startsWith('archival_'))
    .flatMap((metric) => (String(metric.type) === 'histogram' ? HISTOGRAM_SERIES.map((suffix) => metric.name + suffix) : [metric.name]));
}

/** The archival_* names in PromQL text. */
export function metricsNamedIn(promql: string): string[] {
  return [...new Set(promql.match(/\barchival_[a-z0-9_]+/g) ?? [])].sort();
}

/**
 * For a spec file: mounts the module on a fresh test database around its
 * tests (its metric providers register then) and returns what exportedMetricNames gives.
 */
export function mountedModuleMetrics(): () => Promise<string[]> {
  let db: TestDatabase | undefined;
  let app: ArchivalTestApp | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createArchivalApp(db.url);
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });
  return exportedMetricNames;
}
