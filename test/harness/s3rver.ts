/**
 * A real S3 API for tests: s3rver in a child process, on a free loopback port,
 * over a temp directory. It runs under --openssl-legacy-provider (its list
 * pagination needs it). Credentials S3RVER/S3RVER; clients must use
 * requestChecksumCalculation/responseChecksumValidation 'WHEN_REQUIRED' or
 * streamed uploads are stored corrupted (see s3TestClientConfig).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  directory: string;
  /** Stops the server (e.g. to simulate an outage); start() brings it back on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its data. */
  close(): Promise<void>;
  /** The server process, while it runs. */
  readonly pid: number | undefined;
}

export const S3_TEST_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export function s3TestClientConfig(server: S3TestServer) {
  return {
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3_TEST_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED' as const,
    responseChecksumValidation: 'WHEN_REQUIRED' as const,
  };
}

export async function startS3rver(bucket = 'archives'): Promise<S3TestServer> {
  const directory = await mkdtemp(join(tmpdir(), 'archival-s3rver-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child && child.exitCode === null) return; // already running: a second one could not bind, and this one would leak
    child = spawn(
      process.execPath,
      ['--openssl-legacy-provider', require.resolve('s3rver/bin/s3rver.js'), '-d', directory, '-a', '127.0.0.1', '-p', String(port),
        '--configure-bucket', bucket, '--no-vhost-buckets'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    await waitForListening(child, port);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    stop,
    start,
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
    get pid() {
      return child?.exitCode === null ? child.pid : undefined;
    },
  };
}

function waitForListening(child: ChildProcess, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`s3rver did not start on port ${port}:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening') || output.includes(`:${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited with code ${code}:\n${output}`));
    });
  });
}
