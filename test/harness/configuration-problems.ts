/** The problems a ConfigurationError lists, for specs that check what start-up refuses. */
import { ConfigurationError } from '../../src/archival/archival.errors';

export function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}
