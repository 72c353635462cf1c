/** Parses `archival <command> [args] [--flags]`; no dependency needed for this small grammar. */
export interface CliArgs {
  command: string | undefined;
  positional: string[];
  flags: Record<string, string | true>;
}

export function parseArgs(argv: string[]): CliArgs {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, value] = arg.slice(2).split(/=(.*)/s, 2);
    flags[name] = value ?? true;
  }
  return { command: positional.shift(), positional, flags };
}
