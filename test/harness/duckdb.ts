/** DuckDB (@duckdb/node-api), a reader nobody here wrote, over the archives where they lie. */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export interface DuckDb {
  /** Runs one or more statements. */
  run(sql: string): Promise<void>;
  /** The rows of one query, JSON-friendly (bigints as strings, as DuckDB's own JSON conversion gives them). */
  rows<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): void;
}

export async function openDuckDb(): Promise<DuckDb> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection: DuckDBConnection = await instance.connect();
  await connection.run(`SET TimeZone = 'UTC'`);
  return {
    async run(sql) {
      await connection.run(sql);
    },
    async rows<T>(sql: string) {
      return (await connection.runAndReadAll(sql)).getRowObjectsJson() as T[];
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
