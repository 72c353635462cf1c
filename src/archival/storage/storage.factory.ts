/** The one place that picks the storage adapter from configuration. */
import { StorageOptions } from '../archival-options';
import { ConfigurationError } from '../archival.errors';
import { LocalStorageProvider } from './local.storage';
import { StorageProvider } from './storage-provider.interface';

export function createStorage(options: StorageOptions): StorageProvider {
  switch (options.type) {
    case 'local':
      return new LocalStorageProvider(options.path);
    case 's3':
      throw new ConfigurationError([
        `ARCHIVAL_STORAGE_TYPE=s3 (s3://${options.bucket}/${options.prefix}) is not available in this build yet; use a local directory`,
      ]);
  }
}
