import { problemsOf } from '../../../test/harness/configuration-problems';
import { ArchivalEngine } from '../engine/archival.engine';
import { archivalOptionsFromEnv } from '../config/archival-env';
import { resolveArchivalOptions } from '../config/resolve-options';
import { PRESET_NAMES } from './preset-names';
import { presetArchivers } from './presets';

const engine = {} as ArchivalEngine;

describe('presets: built-in jobs a host switches on by name', () => {
  it('are off unless named, in code and from the environment', () => {
    expect(resolveArchivalOptions({}).presets).toEqual([]);
    expect(archivalOptionsFromEnv({}).presets).toEqual([]);
    expect(archivalOptionsFromEnv({ ARCHIVAL_PRESETS: '  ' }).presets).toEqual([]);
    expect(archivalOptionsFromEnv({ ARCHIVAL_PRESETS: 'none' }).presets).toEqual([]);
    expect(presetArchivers(resolveArchivalOptions({}), engine)).toEqual([]);
  });

  it('build only the archivers named, each with the job name it is named by', () => {
    const options = archivalOptionsFromEnv({ ARCHIVAL_PRESETS: ' call-archival, log-archival ' });
    expect(options.presets).toEqual(['call-archival', 'log-archival']);
    expect(presetArchivers(options, engine).map((a) => a.job)).toEqual(['call-archival', 'log-archival']);
    const all = presetArchivers(resolveArchivalOptions({ presets: PRESET_NAMES }), engine);
    expect(all.map((a) => a.job)).toEqual([...PRESET_NAMES]);
    expect(all.map((a) => a.tables()[0])).toEqual(['flow_execution_logs', 'flow_execution_sessions', 'call_sessions', 'memory_chunks']);
  });

  it.each([
    ['log-archival,,call-archival', 'ARCHIVAL_PRESETS="log-archival,,call-archival": has an empty entry'],
    [',', 'ARCHIVAL_PRESETS=",": has an empty entry'],
    ['log-archival,', 'ARCHIVAL_PRESETS="log-archival,": has an empty entry'],
    ['log-archival,memory-chunk-cleanup', 'ARCHIVAL_PRESETS="log-archival,memory-chunk-cleanup": unknown preset "memory-chunk-cleanup"; expected any of log-archival, session-archival, call-archival, memory-cleanup'],
    ['log-archival,log-archival', 'ARCHIVAL_PRESETS="log-archival,log-archival": names "log-archival" more than once'],
  ])('refuse ARCHIVAL_PRESETS=%j at start-up, naming the variable and the value', (value, message) => {
    const problems = problemsOf(() => archivalOptionsFromEnv({ ARCHIVAL_PRESETS: value }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it('refuse an unknown preset given in code', () => {
    expect(problemsOf(() => resolveArchivalOptions({ presets: ['logs' as never] }))).toEqual([
      'presets=["logs"]: unknown preset "logs"; expected any of log-archival, session-archival, call-archival, memory-cleanup',
    ]);
  });

  it('resolve again unchanged, as forRootAsync does with options from the environment', () => {
    const options = archivalOptionsFromEnv({ ARCHIVAL_PRESETS: 'memory-cleanup' });
    expect(resolveArchivalOptions(options).presets).toEqual(['memory-cleanup']);
  });
});
