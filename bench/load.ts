/**
 * Database impact: a steady insert+read load against the hot log table,
 * measured without and then with a concurrent archival run. Each "request" is
 * what an API does per call: insert a log row, read it back by key, read the
 * newest rows of its session. Requests are paced (not saturating), so latency
 * shows interference, not queueing.
 */
import { Client } from 'pg';

export interface LatencyStats {
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadOptions {
  clients: number;
  requestsPerSecond: number;
}

export class SteadyLoad {
  private latencies: number[] = [];
  private running = false;
  private readonly workers: Promise<void>[] = [];
  private readonly clients: Client[] = [];

  constructor(private readonly url: string, private readonly options: LoadOptions) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.options.clients; i++) {
      const client = new Client({ connectionString: this.url, application_name: 'bench-load' });
      await client.connect();
      this.clients.push(client);
    }
    this.running = true;
    const interval = (1000 * this.options.clients) / this.options.requestsPerSecond;
    for (const [i, client] of this.clients.entries()) this.workers.push(this.work(client, i, interval));
  }

  /** Latencies since the last call, then starts a new window. */
  take(): LatencyStats {
    const sorted = this.latencies.sort((a, b) => a - b);
    this.latencies = [];
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] * 100) / 100;
    return { requests: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), maxMs: at(1) };
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
    await Promise.all(this.clients.map((c) => c.end()));
  }

  private async work(client: Client, worker: number, intervalMs: number): Promise<void> {
    let next = Date.now() + (intervalMs * worker) / this.options.clients;
    let n = 0;
    while (this.running) {
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      next += intervalMs;
      const session = `00000000-0000-4000-8000-${String(worker * 1000 + (n++ % 1000)).padStart(12, '0')}`;
      const started = performance.now();
      const { rows } = await client.query(
        `INSERT INTO flow_execution_logs (session_id, node_id, level, message, data) VALUES ($1, 'api', 'info', 'request', '{"ok": true}') RETURNING id`,
        [session],
      );
      await client.query(`SELECT * FROM flow_execution_logs WHERE id = $1`, [rows[0].id]);
      await client.query(`SELECT id, message FROM flow_execution_logs WHERE session_id = $1 ORDER BY created_at DESC LIMIT 20`, [session]);
      this.latencies.push(performance.now() - started);
    }
  }
}
