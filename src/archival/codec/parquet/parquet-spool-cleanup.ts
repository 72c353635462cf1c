/**
 * Versions before issue 12 spooled every Parquet read-back to
 * `$TMPDIR/archival-parquet-XXXXXX/archive.parquet`, decrypted for encrypted
 * archives; a process killed while verifying or restoring left that plaintext
 * behind. Reading is in memory now (parquet-archive.format.ts), and at
 * start-up, once per process, this removes such leftovers: best-effort (a
 * failure is logged, never raised) and only directories that look exactly
 * like that spool, so nothing else in the temp directory is touched.
 *
 * A replica of an older version still running on the same host can lose the
 * spool of a read-back in progress; its verification then fails and deletes
 * nothing, and its next run archives those rows again.
 */
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { lstat, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** mkdtemp(`archival-parquet-`) adds six characters. */
const SPOOL_DIRECTORY = /^archival-parquet-[A-Za-z0-9]{6}$/;
const SPOOL_FILE = 'archive.parquet';

let cleaned = false;

@Injectable()
export class ParquetSpoolCleanup implements OnApplicationBootstrap {
  private readonly logger = new Logger('ArchivalParquet');

  async onApplicationBootstrap(): Promise<void> {
    if (cleaned) return;
    cleaned = true;
    const directory = tmpdir();
    const names = await readdir(directory).catch(() => []);
    for (const name of names.filter((n) => SPOOL_DIRECTORY.test(n))) {
      await this.remove(join(directory, name));
    }
  }

  private async remove(path: string): Promise<void> {
    try {
      const entry = await lstat(path);
      if (!entry.isDirectory()) return;
      const files = await readdir(path);
      if (files.some((file) => file !== SPOOL_FILE)) return;
      const bytes = files.length > 0 ? (await lstat(join(path, SPOOL_FILE))).size : 0;
      await rm(path, { recursive: true, force: true });
      this.logger.warn({ event: 'parquet.spool_removed', path, bytes, why: 'left by an older version killed while reading a Parquet archive' });
    } catch (error) {
      this.logger.warn({ event: 'parquet.spool_not_removed', path, error: (error as Error).message });
    }
  }
}
