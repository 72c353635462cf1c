/**
 * Captures what Nest's Logger prints. Install it after the testing module is
 * compiled (compile() installs its own logger); restore() puts the default back.
 */
import { Logger, LoggerService } from '@nestjs/common';

export function captureLogs() {
  const lines: unknown[] = [];
  const push = (message: unknown) => lines.push(message);
  const capture: LoggerService = { log: push, error: push, warn: push, debug: push, verbose: push };
  return {
    lines,
    install: () => Logger.overrideLogger(capture),
    restore: () => Logger.overrideLogger(new Logger()),
  };
}
