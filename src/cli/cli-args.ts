/** Parses `archival <command> [args] [--flags]`; no dependency needed for this small grammar. */
export interface CliArgs {
  command: string | undefined;
  positional: string[];
  flags: Record<string, string | true>;
}

/**
 * `switches` never take a value; every other flag takes `--name=value` or
 * `--name value`. Which flags a command accepts is the caller's to check.
 */
export function parseArgs(argv: string[], switches: ReadonlySet<string> = new Set(['help'])): CliArgs {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, value] = arg.slice(2).split(/=(.*)/s, 2);
    if (value !== undefined || switches.has(name) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) {
      flags[name] = value ?? true;
    } else {
      flags[name] = argv[++i];
    }
  }
  return { command: positional.shift(), positional, flags };
}
