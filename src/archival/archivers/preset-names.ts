/**
 * The built-in jobs a host may switch on by name (ArchivalOptions.presets,
 * ARCHIVAL_PRESETS). Each runs against the demo's tables (or tables named the
 * same), so none is on unless the host names it.
 */
export const PRESET_NAMES = ['log-archival', 'session-archival', 'call-archival', 'memory-cleanup'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];
