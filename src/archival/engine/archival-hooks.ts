/**
 * Points where tests inject faults (corrupt a stored archive, crash between
 * steps). Production never provides them; each hook is awaited if present.
 */
import { StorageProvider } from '../storage/storage-provider.interface';

export interface HookContext {
  job: string;
  table: string;
  archivePath: string;
  storage: StorageProvider;
}

export interface ArchivalHooks {
  afterWrite?(context: HookContext): Promise<void> | void;
  afterVerify?(context: HookContext): Promise<void> | void;
}
