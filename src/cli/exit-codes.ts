/** The CLI's exit codes, and the one function that maps an error to them. */
import { CommanderError } from 'commander';
import { ConfigurationError, InvalidInputError } from '../archival/archival.errors';

export const EXIT = { done: 0, failed: 1, usage: 2 } as const;

/**
 * Bad usage (2): the command line (commander's own errors; its help is 0),
 * invalid configuration, a malformed value, a --module that cannot be the
 * host's module. Anything else, what was asked for not being there included
 * (an unknown job, archive, run or key: REST's 404), is the work failing (1).
 */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.done : EXIT.usage;
  const usage = error instanceof ConfigurationError || error instanceof InvalidInputError;
  return usage ? EXIT.usage : EXIT.failed;
}
