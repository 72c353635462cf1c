/**
 * Archives on record as "written" or "verified" that no purge will take: their
 * rows are all still in the table (the purge moves its archives to "purged"
 * in its own transaction), so they are marked failed ("abandoned: <why>") and
 * their objects removed, and the rows are archived afresh.
 */
import { Logger } from '@nestjs/common';
import { ArchivedPartition } from '../catalog/archived-partition.entity';
import { EngineServices } from './engine-services';
import { RunContext } from './run-context';
import { removeSupersededFiles } from './superseded-files';

export class UnfinishedArchives {
  private readonly logger = new Logger(UnfinishedArchives.name);

  constructor(private readonly services: Pick<EngineServices, 'catalog' | 'storage' | 'db'>) {}

  /** Before a run: what interrupted runs of the job left unfinished, and superseded files a crash left behind. */
  async discard(job: string, runId: string): Promise<number> {
    const unfinished = await this.services.catalog.unfinished(job);
    await this.abandon(unfinished, job, runId, `the run that wrote it stopped before purging; its rows stayed in the table and run ${runId} archives them again`);
    await this.services.db.withClient((client) => removeSupersededFiles(client, this.services.storage, { job }));
    return unfinished.length;
  }

  /**
   * After a failed table run: what this run wrote but did not purge (a part
   * written while an earlier one failed, or sealed but not purged), at once,
   * saying why. If that fails too, they stay unfinished and the next run
   * discards them.
   */
  async abandonOfRun(context: RunContext, cause: Error): Promise<void> {
    try {
      const unpurged = (await this.services.catalog.unfinished(context.job)).filter((a) => a.runId === context.runId);
      await this.abandon(unpurged, context.job, context.runId, `the run stopped before purging it (${cause.message}); its rows stayed in the table`);
    } catch (error) {
      this.logger.warn({ event: 'archive.abandon_failed', job: context.job, runId: context.runId, why: (error as Error).message });
    }
  }

  /**
   * An archive that another transaction holds (a purge committing it) or that
   * moved on meanwhile is left alone, objects included: the catalog decides
   * first, and storage follows.
   */
  private async abandon(archives: ArchivedPartition[], job: string, runId: string, why: string): Promise<void> {
    const { catalog, storage } = this.services;
    for (const archive of archives) {
      if (!(await catalog.abandonIfFree(archive.id, why))) {
        this.logger.warn({ event: 'archive.abandon_skipped', job, runId, archive: archive.archivePath, why: 'held or moved on by another transaction' });
        continue;
      }
      await storage.remove(archive.archivePath);
      // A verified archive's manifest is a link of the table's chain, which a later archive may name
      // (windows sealed at once): it stays, beside the catalog row that says the archive failed.
      if (archive.status !== 'verified') await storage.remove(archive.manifestPath);
      this.logger.warn({ event: 'archive.abandoned', job, runId, archive: archive.archivePath, status: archive.status });
    }
  }
}
