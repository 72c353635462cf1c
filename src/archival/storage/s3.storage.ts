/**
 * Archives in S3 or an S3-compatible store (MinIO, Ceph, R2, ...). Writes are
 * multipart uploads fed from the stream (constant memory for any size); an
 * object becomes visible only when the upload completes, and a failed upload
 * is aborted, so a failure never leaves a partial object under a real key.
 *
 * Writes are create-only: a conditional PUT (`If-None-Match: *`, honoured by
 * S3 and recent MinIO) makes the store refuse to replace an object, and a HEAD
 * first refuses on stores that ignore the condition; keys are unique per
 * writer anyway (engine/archive-naming.ts), so the HEAD's race window is moot.
 *
 * Every request has a deadline: a store that accepts connections and then
 * stops answering fails the write (nothing is deleted) instead of holding the
 * run and its job lock forever.
 *
 * Checksums: the SDK's own CRC checksums are only sent when an operation
 * requires them. Integrity is proven end to end by the engine's SHA-256
 * read-back, and several S3-compatible stores mishandle streamed uploads
 * with the newer default checksum trailers.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { PassThrough, Readable } from 'node:stream';
import { S3StorageOptions } from '../archival-options';
import { MissingObjectError, StorageError } from '../archival.errors';
import { StorageProvider, StoredObject } from './storage-provider.interface';

/** 8 MiB parts, 4 in flight: at most ~32 MiB of an archive in memory while uploading. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** Attempts per request; the SDK backs off exponentially with jitter on throttling, 5xx and network errors. */
const MAX_ATTEMPTS = 5;
const PROBE_PREFIX = '.archival-health-check-';
/** Connecting may take 10 s; a request whose socket stays silent for 60 s (requestTimeoutMs) fails (and is retried). */
const CONNECTION_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;

export class S3StorageProvider implements StorageProvider {
  readonly type = 's3' as const;
  readonly location: string;
  private readonly client: S3Client;
  private readonly prefix: string;

  constructor(private readonly options: S3StorageOptions, client?: S3Client) {
    this.prefix = options.prefix.replace(/^\/+|\/+$/g, '');
    this.location = `s3://${options.bucket}/${this.prefix}`;
    this.client =
      client ??
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        // Explicit keys when configured, otherwise the SDK's default chain (env, profile, IMDS, IRSA, ...).
        credentials:
          options.accessKeyId && options.secretAccessKey
            ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
            : undefined,
        maxAttempts: MAX_ATTEMPTS,
        // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes, and waits on.
        requestHandler: {
          connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true,
        },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
  }

  async write(key: string, body: Readable): Promise<StoredObject> {
    const objectKey = this.objectKey(key);
    // Create-only on stores that ignore If-None-Match; the body is dropped (not failed) when the write cannot start.
    // A HEAD answered 403 (no s3:ListBucket, so a missing key looks forbidden) leaves it to If-None-Match.
    const exists = await this.stat(key).catch((error: Error) => {
      if (((error as StorageError).cause as S3ServiceException | undefined)?.$metadata?.httpStatusCode === 403) return undefined;
      body.destroy();
      throw error;
    });
    if (exists) {
      body.destroy();
      throw new StorageError(`uploading ${key} to ${this.location} refused: an object with that key already exists and is never replaced`, key);
    }
    let size = 0;
    const counted = new PassThrough({ highWaterMark: 1024 * 1024 });
    counted.on('data', (chunk: Buffer) => (size += chunk.length)).pause();
    body.once('error', (error) => counted.destroy(error));
    body.pipe(counted);
    const upload = new Upload({
      client: this.client,
      queueSize: QUEUE_SIZE,
      partSize: PART_SIZE,
      leavePartsOnError: false,
      params: {
        Bucket: this.options.bucket,
        Key: objectKey,
        Body: counted,
        IfNoneMatch: '*',
        ServerSideEncryption: this.options.sse,
        SSEKMSKeyId: this.options.sse === 'aws:kms' ? this.options.kmsKeyId : undefined,
        StorageClass: this.options.storageClass as never,
      },
    });
    try {
      await upload.done();
    } catch (error) {
      body.destroy();
      // Upload aborts an unfinished multipart upload itself; a single-part PUT never became visible.
      throw new StorageError(`uploading ${key} to ${this.location} failed: ${this.explain(error)}`, key);
    }
    return { key, size };
  }

  async read(key: string): Promise<Readable> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      return object.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new MissingObjectError(key, this.location);
      throw new StorageError(`reading ${key} from ${this.location} failed: ${this.explain(error)}`, key);
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
      return { key, size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw Object.assign(new StorageError(`checking ${key} in ${this.location} failed: ${this.explain(error)}`, key), { cause: error });
    }
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    const root = this.prefix ? `${this.prefix}/` : '';
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.options.bucket, Prefix: root + prefix })) {
        for (const object of page.Contents ?? []) {
          if (object.Key) yield { key: object.Key.slice(root.length), size: object.Size ?? 0 };
        }
      }
    } catch (error) {
      throw new StorageError(`listing ${this.location} failed: ${this.explain(error)}`);
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      throw new StorageError(`deleting ${key} from ${this.location} failed: ${this.explain(error)}`, key);
    }
  }

  /** The bucket exists and these credentials may use it; a clear reason when not. */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (error) {
      throw new StorageError(`bucket ${this.options.bucket} is not usable: ${this.explain(error)}`);
    }
  }

  /** Writes and removes a probe object: the bucket is reachable and writable with these credentials. */
  async check(): Promise<void> {
    await this.checkBucket();
    const probe = `${PROBE_PREFIX}${Date.now()}`;
    await this.write(probe, Readable.from([Buffer.from('ok')]));
    await this.remove(probe);
  }

  /**
   * Lists at most one key under the prefix: read-only, and allowed by an
   * s3:ListBucket permission conditioned on the prefix (a HeadBucket carries
   * no prefix, so such a policy may refuse it).
   */
  async probe(): Promise<void> {
    try {
      await this.client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: this.prefix ? `${this.prefix}/` : undefined, MaxKeys: 1 }));
    } catch (error) {
      throw new StorageError(`listing ${this.location} failed: ${this.explain(error)}`);
    }
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    if (!key || key.startsWith('/') || key.split('/').includes('..')) {
      throw new StorageError(`refusing storage key ${JSON.stringify(key)}: keys must be relative`, key);
    }
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  /** A message an operator can act on; never includes credentials. */
  private explain(error: unknown): string {
    const status = (error as S3ServiceException).$metadata?.httpStatusCode;
    const name = (error as Error).name;
    if (name === 'NoSuchBucket' || (name === 'NotFound' && status === 404)) {
      return `the bucket ${this.options.bucket} does not exist${this.options.endpoint ? ` at ${this.options.endpoint}` : ''}`;
    }
    if (status === 403 || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'AccessDenied') {
      return `access denied (${name}); check ARCHIVAL_S3_ACCESS_KEY_ID/ARCHIVAL_S3_SECRET_ACCESS_KEY or the instance role, and the bucket policy`;
    }
    if (status === 412 || name === 'PreconditionFailed') return 'an object with that key already exists and is never replaced (the store refused the write)';
    if (status === 301 || name === 'PermanentRedirect') return `the bucket is in another region than ${this.options.region}; set ARCHIVAL_S3_REGION`;
    if (name === 'TimeoutError' || /timed? ?out/i.test((error as Error).message)) {
      return `${this.options.endpoint ?? `S3 in ${this.options.region}`} did not answer in time (${(error as Error).message}) after ${MAX_ATTEMPTS} attempts`;
    }
    const network = /\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EAI_AGAIN)\b/.exec(`${(error as NodeJS.ErrnoException).code} ${(error as Error).message}`);
    if (network) return `cannot reach ${this.options.endpoint ?? `S3 in ${this.options.region}`} (${network[1]}) after ${MAX_ATTEMPTS} attempts`;
    return `${name}: ${(error as Error).message}${status ? ` (HTTP ${status})` : ''}`;
  }
}

function isNotFound(error: unknown): boolean {
  const name = (error as Error).name;
  return name === 'NoSuchKey' || name === 'NotFound' || (error as S3ServiceException).$metadata?.httpStatusCode === 404;
}
