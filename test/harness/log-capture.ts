/**
 * Captures what Nest's Logger prints. Install it after the testing module is
 * compiled (compile() installs its own logger); restore() puts the default back.
 */
import { Logger, LoggerService } from '@nestjs/common';

/** A structured log line: `{ event: 'run.finished', job, runId, ... }`. */
export type LogEvent = Record<string, unknown> & { event: string };

export function captureLogs() {
  const lines: unknown[] = [];
  const push = (message: unknown) => lines.push(message);
  const capture: LoggerService = { log: push, error: push, warn: push, debug: push, verbose: push };
  const isEvent = (line: unknown): line is LogEvent => typeof line === 'object' && line !== null && 'event' in line;
  return {
    lines,
    /** The structured lines captured so far; with `name`, only that event's. */
    events: (name?: string): LogEvent[] => lines.filter(isEvent).filter((e) => name === undefined || e.event === name),
    install: () => Logger.overrideLogger(capture),
    restore: () => Logger.overrideLogger(new Logger()),
  };
}
