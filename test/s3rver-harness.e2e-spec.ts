import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { s3TestClientConfig, S3TestServer, startS3rver } from './harness/s3rver';

describe('the S3 test server (harness for S3 storage)', () => {
  let server: S3TestServer;
  let s3: S3Client;

  beforeAll(async () => {
    server = await startS3rver();
    s3 = new S3Client(s3TestClientConfig(server));
  });
  afterAll(async () => {
    s3?.destroy();
    await server?.close();
  });

  it('stores a streamed upload intact and lists keys page by page', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'archival line\n');
    await s3.send(new PutObjectCommand({
      Bucket: server.bucket, Key: 'logs/a.jsonl', Body: Readable.from([body]), ContentLength: body.length,
    }));
    for (const key of ['logs/b.jsonl', 'logs/c.jsonl']) {
      await s3.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: 'x' }));
    }
    const read = await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: 'logs/a.jsonl' }));
    expect(Buffer.from(await read.Body!.transformToByteArray()).equals(body)).toBe(true);
    const first = await s3.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: 'logs/', MaxKeys: 2 }));
    const second = await s3.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: 'logs/', ContinuationToken: first.NextContinuationToken }));
    expect([...(first.Contents ?? []), ...(second.Contents ?? [])].map((o) => o.Key)).toEqual(['logs/a.jsonl', 'logs/b.jsonl', 'logs/c.jsonl']);
  });

  it('start() on a running server keeps that one process, so close() leaves none behind', async () => {
    const extra = await startS3rver('extra');
    const pid = extra.pid!;
    await extra.start();
    expect(extra.pid).toBe(pid);
    await extra.close();
    expect(extra.pid).toBeUndefined();
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('can be stopped and restarted to simulate an outage', async () => {
    await server.stop();
    await expect(s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: 'logs/b.jsonl' }))).rejects.toThrow();
    await server.start();
    const read = await s3.send(new GetObjectCommand({ Bucket: server.bucket, Key: 'logs/b.jsonl' }));
    expect(await read.Body!.transformToString()).toBe('x');
  });
});
