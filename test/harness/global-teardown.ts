import type { EmbeddedPostgresHandle } from '../../src/demo/embedded-postgres';

export default async function globalTeardown() {
  const server = (globalThis as Record<string, unknown>).__archivalPostgres as EmbeddedPostgresHandle | undefined;
  await server?.stop();
}
