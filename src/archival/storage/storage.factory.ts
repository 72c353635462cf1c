/** The one place that picks the storage adapter from configuration. */
import { StorageOptions } from '../archival-options';
import { LocalStorageProvider } from './local.storage';
import { S3StorageProvider } from './s3.storage';
import { StorageProvider } from './storage-provider.interface';

export function createStorage(options: StorageOptions): StorageProvider {
  switch (options.type) {
    case 'local':
      return new LocalStorageProvider(options.path);
    case 's3':
      return new S3StorageProvider(options);
  }
}
