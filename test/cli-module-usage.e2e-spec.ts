import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORDERS_JOB } from './fixtures/cli-host/host.module';
import { NOW_SQL } from './harness/clock';
import { createTestDatabase, TestDatabase } from './harness/database';
import { compileHostCli, HOST_MODULE, HOST_MODULE_SOURCE, HostCli, hostModuleLoaded } from './harness/host-cli';
import { counts, RUN_TRACES } from './harness/seed';

/** Each command with arguments it would accept: only the flag added below is wrong. */
const COMMAND_LINES: [string, ...string[]][] = [
  ['jobs'], ['run', ORDERS_JOB], ['archives'], ['runs'], ['verify'], ['restore', '--table', 'shop.orders'],
  ['export', ORDERS_JOB, '1'], ['migrate'],
];

/** Bad usage of `archival --module ...` exits 2 and names what is wrong, before the host's module is even loaded where it can be. */
describe("bad usage of the archival CLI in a host's module", () => {
  let db: TestDatabase;
  let archiveDir: string;
  let host: HostCli;
  const archival = (...args: string[]) => host.run(['--module', HOST_MODULE, ...args]);
  const untouched = () => counts(db.sql, [...RUN_TRACES, 'shop.orders']);

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    archiveDir = await mkdtemp(join(tmpdir(), 'archival-host-usage-'));
    host = await compileHostCli({ SHOP_DATABASE_URL: db.url, SHOP_ARCHIVE_DIR: archiveDir });
    await db.sql.query(`
      CREATE SCHEMA shop;
      CREATE TABLE shop.orders (id bigserial PRIMARY KEY, customer text NOT NULL, total numeric(12,2) NOT NULL, placed_at timestamptz NOT NULL);
      INSERT INTO shop.orders (customer, total, placed_at) SELECT 'old ' || i, i, ${NOW_SQL} - interval '90 days' FROM generate_series(1, 50) i;`);
    expect((await archival('migrate')).code).toBe(0);
  });
  afterAll(async () => {
    await host?.remove();
    await db?.drop();
    await rm(archiveDir, { recursive: true, force: true });
  });

  it.each(COMMAND_LINES)('%s refuses an unknown flag: exit 2, naming it, and nothing is loaded or run', async (...line) => {
    const before = await untouched();
    const result = await archival(...line, '--frobnicate');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--frobnicate'");
    expect(result.stderr).toContain(`(see \`archival ${line[0]} --help\`)`);
    expect(hostModuleLoaded(result.loaded)).toBe(false);
    expect(await untouched()).toEqual(before);
  });

  it.each(COMMAND_LINES.map(([command]) => command))('%s --help says how to use it, without loading the module', async (command) => {
    const result = await archival(command, '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: archival ${command} `));
    expect(result.stdout).toContain('--module <file#Export>');
    expect(hostModuleLoaded(result.loaded)).toBe(false);
  });

  it.each([
    ['a file that is not there', ['--module', 'dist/no-such.module.js'], /--module dist\/no-such\.module\.js: no such file .*no-such\.module\.js/],
    ['an export the file does not have', ['--module', `${HOST_MODULE}#ShopModule`], /has no export "ShopModule" \(it exports: .*AppModule/],
    ['an export that is not a module', ['--module', `${HOST_MODULE}#NOT_A_MODULE`], /"NOT_A_MODULE" is not a Nest module .* it is a string/],
    ['a module without ArchivalModule', ['--module', `${HOST_MODULE}#PlainModule`], /"PlainModule" does not import ArchivalModule/],
    ['the TypeScript source instead of the build', ['--module', HOST_MODULE_SOURCE], /host\.module\.ts failed to load \(is it the compiled JavaScript\?\): SyntaxError: /],
    ['no file before the export', ['--module', '#AppModule'], /--module #AppModule: expected <compiled file>#<Export>/],
  ])('a bad --module (%s) exits 2 naming it, and runs nothing', async (_case, args, named) => {
    const before = await untouched();
    const result = await host.run([...args, 'run', ORDERS_JOB]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(named);
    expect(await untouched()).toEqual(before);
  });

  it('a bad ARCHIVAL_CLI_MODULE is named as the variable', async () => {
    const result = await host.run(['run', ORDERS_JOB], { ARCHIVAL_CLI_MODULE: 'dist/no-such.module.js' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ARCHIVAL_CLI_MODULE=dist\/no-such\.module\.js: no such file/);
  });
});
