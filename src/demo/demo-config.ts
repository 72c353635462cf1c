/**
 * The demo host's start-up check, before a database is started: every
 * ARCHIVAL_* variable and PORT, all problems in one ConfigurationError. A bad
 * PORT would otherwise only fail after init, with ERR_SOCKET_BAD_PORT.
 */
import { ConfigurationError } from '../archival/archival.errors';
import { archivalOptionsFromEnv } from '../archival/config/archival-env';

export const DEFAULT_PORT = 3000;

/** PORT: a whole number from 1 to 65535; unset or blank is 3000. */
export function portProblem(value: string | undefined): string | undefined {
  const port = value?.trim() ?? '';
  if (port === '') return undefined;
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535
    ? undefined
    : `PORT=${JSON.stringify(port)}: expected a whole number from 1 to 65535`;
}

export function demoHostConfiguration(env: NodeJS.ProcessEnv): { port: number } {
  const problems: string[] = [];
  try {
    archivalOptionsFromEnv(env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    problems.push(...error.problems);
  }
  const problem = portProblem(env.PORT);
  if (problem) problems.push(problem);
  if (problems.length > 0) throw new ConfigurationError(problems);
  return { port: env.PORT?.trim() ? Number(env.PORT) : DEFAULT_PORT };
}
