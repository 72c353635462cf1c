/**
 * The demo host API's tables: the high-volume tables the built-in jobs
 * archive. A real host has its own; these let the product run and be tested
 * end to end on one shared schema.
 */
import { MigrationInterface, QueryRunner } from 'typeorm';

export class DemoHostTables1732000000001 implements MigrationInterface {
  name = 'DemoHostTables1732000000001';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE flow_execution_logs (
        id bigserial PRIMARY KEY,
        session_id uuid NULL,
        node_id text,
        level text,
        message text,
        data jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX flow_execution_logs_created_at_idx ON flow_execution_logs (created_at)`);
    await db.query(`
      CREATE TABLE flow_execution_sessions (
        id uuid PRIMARY KEY,
        flow_id uuid,
        status text,
        initial_state jsonb,
        working_memory_cache jsonb,
        history jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      )`);
    await db.query(`CREATE INDEX flow_execution_sessions_created_at_idx ON flow_execution_sessions (created_at)`);
    await db.query(`
      CREATE TABLE flow_execution_deltas (
        id bigserial PRIMARY KEY,
        session_id uuid NOT NULL REFERENCES flow_execution_sessions (id),
        seq integer,
        delta jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX flow_execution_deltas_session_id_idx ON flow_execution_deltas (session_id)`);
    await db.query(`
      CREATE TABLE call_sessions (
        id uuid PRIMARY KEY,
        from_number text,
        to_number text,
        status text,
        metadata jsonb,
        started_at timestamptz,
        ended_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX call_sessions_created_at_idx ON call_sessions (created_at)`);
    await db.query(`
      CREATE TABLE call_events (
        id bigserial PRIMARY KEY,
        call_session_id uuid NOT NULL REFERENCES call_sessions (id),
        event_type text,
        payload jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX call_events_call_session_id_idx ON call_events (call_session_id)`);
    await db.query(`
      CREATE TABLE memory_chunks (
        id uuid PRIMARY KEY,
        owner_id uuid,
        content text,
        metadata jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NULL
      )`);
    await db.query(`CREATE INDEX memory_chunks_expires_at_idx ON memory_chunks (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['call_events', 'call_sessions', 'flow_execution_deltas', 'flow_execution_sessions', 'flow_execution_logs', 'memory_chunks']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
