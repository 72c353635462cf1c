import { ArchivalService } from '../archival.service';
import { ArchivalRun } from '../catalog/archival-run.entity';
import { CatalogService } from '../catalog/catalog.service';
import { StorageProvider } from '../storage/storage-provider.interface';
import { ArchivalHealthIndicator } from './archival.health';

/** A store that counts what health checks ask of it. */
function countingStore(probe: () => Promise<void> = async () => undefined) {
  const calls = { probe: 0, write: 0, check: 0 };
  const store = {
    type: 'local', location: '/archives',
    probe: () => (calls.probe++, probe()),
    check: async () => void calls.check++,
    write: async () => {
      calls.write++;
      throw new Error('a health check must not write');
    },
  } as unknown as StorageProvider;
  return { store, calls };
}

interface FakeJob {
  name: string;
  enabled: boolean;
  /** The job's last finished real run, as the catalog gives it. */
  run?: Partial<ArchivalRun>;
}

const job = (name: string, run?: Partial<ArchivalRun>, enabled = true): FakeJob =>
  ({ name, enabled, run: run && { id: `${name}-run`, finishedAt: null, error: null, ...run } });

function indicator(store: StorageProvider, jobs: FakeJob[] = []) {
  const archival = { jobs: () => jobs.map(({ name, enabled }) => ({ name, enabled })) } as unknown as ArchivalService;
  const catalog = { lastFinishedRun: async (name: string) => jobs.find((j) => j.name === name)?.run ?? null } as unknown as CatalogService;
  return new ArchivalHealthIndicator(store, archival, catalog);
}

describe('ArchivalHealthIndicator', () => {
  it('answers many storage checks with one read-only probe and no write', async () => {
    const { store, calls } = countingStore();
    const health = indicator(store);
    const results = await Promise.all(Array.from({ length: 50 }, () => health.storageReachable('storage')));
    results.push(await health.storageReachable('storage'));
    expect(calls).toEqual({ probe: 1, write: 0, check: 0 });
    expect(results[50].storage).toMatchObject({ status: 'up', type: 'local', location: '/archives' });
  });

  it('is down with the reason while the probe fails', async () => {
    const { store } = countingStore(async () => {
      throw new Error('/archives cannot take archives: it is not a directory');
    });
    const result = await indicator(store).storageReachable('storage', { ttlMs: 0 });
    expect(result.storage).toMatchObject({ status: 'down', message: '/archives cannot take archives: it is not a directory' });
  });

  it('lists failed last runs of enabled jobs and stays up by default', async () => {
    const jobs = [
      job('log-archival', { status: 'failed', error: 'verification failed' }),
      job('call-archival', { status: 'succeeded' }),
      job('memory-cleanup', { status: 'failed' }, false),
      job('session-archival'),
    ];
    const result = await indicator(countingStore().store, jobs).lastRuns('archival_jobs');
    expect(result.archival_jobs).toEqual({
      status: 'up', jobs: 4, failed: [{ job: 'log-archival', runId: 'log-archival-run', finishedAt: null, error: 'verification failed' }],
    });
  });

  it('goes down on a failed last run only when the host asks', async () => {
    const failed = [job('log-archival', { status: 'failed' })];
    const health = indicator(countingStore().store, failed);
    expect((await health.lastRuns('jobs', { downOnFailure: true })).jobs.status).toBe('down');
    const fine = indicator(countingStore().store, [job('log-archival', { status: 'succeeded' })]);
    expect((await fine.lastRuns('jobs', { downOnFailure: true })).jobs.status).toBe('up');
  });
});
