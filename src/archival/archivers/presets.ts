/** Builds the archivers of the presets a host named, and only those. */
import { ArchivalOptions } from '../archival-options';
import { ArchivalEngine } from '../engine/archival.engine';
import { CallArchiver } from './call.archiver';
import { LogArchiver } from './log.archiver';
import { MemoryChunkArchiver } from './memory-chunk.archiver';
import { PresetName } from './preset-names';
import { SessionArchiver } from './session.archiver';
import { TableArchiver } from './table.archiver';

const PRESET_ARCHIVERS: Record<PresetName, (options: ArchivalOptions) => TableArchiver> = {
  'log-archival': () => new LogArchiver(),
  'session-archival': (options) => new SessionArchiver(options),
  'call-archival': () => new CallArchiver(),
  'memory-cleanup': () => new MemoryChunkArchiver(),
};

export function presetArchivers(options: ArchivalOptions, engine: ArchivalEngine): TableArchiver[] {
  return options.presets.map((name) => PRESET_ARCHIVERS[name](options).useEngine(engine));
}
