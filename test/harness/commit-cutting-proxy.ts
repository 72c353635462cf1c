/**
 * A TCP proxy in front of PostgreSQL that loses a COMMIT's reply: once armed,
 * the first transaction that deleted rows (or ran a statement `marks`
 * matches) has its COMMIT forwarded, the server's answer awaited (so the
 * commit did happen) and then both sides are cut before that answer reaches
 * the client, as a failing network would.
 */
import { createServer, Server, Socket } from 'node:net';

const SSL_OR_GSS_REQUEST = new Set([80877103, 80877104]);

export interface CommitCuttingProxy {
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string;
  arm(): void;
  /** How many COMMIT replies were cut. */
  readonly cuts: number;
  close(): Promise<void>;
}

/** The ranged purge is a COPY (DELETE …) or a WITH … DELETE; the staged one a DELETE. */
const PURGE = /^\s*(WITH\b[\s\S]*\bDELETE\b|DELETE\b|COPY\s*\(\s*(WITH\b[\s\S]*\b)?DELETE\b)/i;

export async function startCommitCuttingProxy(target: { host: string; port: number }, marks: RegExp = PURGE): Promise<CommitCuttingProxy> {
  let armed = false;
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    let pending = Buffer.alloc(0);
    let started = false;
    let deleted = false;
    let cutting = false;
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      let forward = 0;
      for (;;) {
        if (!started) {
          if (pending.length - forward < 8) break;
          const length = pending.readInt32BE(forward);
          if (pending.length - forward < length) break;
          if (!SSL_OR_GSS_REQUEST.has(pending.readInt32BE(forward + 4))) started = true;
          forward += length;
          continue;
        }
        if (pending.length - forward < 5) break;
        const length = pending.readInt32BE(forward + 1);
        if (pending.length - forward < 1 + length) break;
        const sql = queryText(pending, forward, length);
        if (sql !== undefined) {
          if (marks.test(sql)) deleted = true;
          if (/^\s*(BEGIN|START TRANSACTION)\b/i.test(sql)) deleted = false;
          if (armed && deleted && /^\s*COMMIT\s*;?\s*$/i.test(sql)) {
            armed = false;
            cutting = true;
          }
        }
        forward += 1 + length;
      }
      upstream.write(pending.subarray(0, forward));
      pending = pending.subarray(forward);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cutting) {
        client.write(chunk);
        return;
      }
      cuts++;
      client.destroy();
      upstream.destroy();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url(url) {
      const parsed = new URL(url);
      parsed.hostname = '127.0.0.1';
      parsed.port = String(port);
      return parsed.toString();
    },
    arm: () => (armed = true),
    get cuts() {
      return cuts;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The SQL of a simple Query ('Q') or of a Parse ('P': name, then query), else undefined. */
function queryText(buffer: Buffer, at: number, length: number): string | undefined {
  const type = String.fromCharCode(buffer[at]);
  const body = buffer.subarray(at + 5, at + 1 + length);
  if (type === 'Q') return body.toString('utf8', 0, body.indexOf(0));
  if (type === 'P') {
    const nameEnd = body.indexOf(0);
    return body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1));
  }
  return undefined;
}
