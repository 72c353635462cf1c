/**
 * The one place that picks the storage adapter from configuration. The S3
 * adapter (and the AWS SDK, ~20 MB of memory) is loaded only when configured.
 */
import { StorageOptions } from '../archival-options';
import { LocalStorageProvider } from './local.storage';
import type { S3StorageProvider as S3Provider } from './s3.storage';
import { StorageProvider } from './storage-provider.interface';

export function createStorage(options: StorageOptions): StorageProvider {
  switch (options.type) {
    case 'local':
      return new LocalStorageProvider(options.path);
    case 's3': {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { S3StorageProvider } = require('./s3.storage') as { S3StorageProvider: typeof S3Provider };
      return new S3StorageProvider(options);
    }
  }
}
