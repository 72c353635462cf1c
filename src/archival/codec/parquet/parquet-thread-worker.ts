/**
 * The Parquet thread itself (started by parquet-thread.ts): runs, for each
 * part the process hands it, several at once, the writer's loop
 * (parquet-encoder.ts) on typed lines or the reader's (parquet-decoder.ts,
 * verification's mode 'keys') on a stored file. Each input chunk taken is
 * acknowledged (the main thread sends more only while little is in flight);
 * output goes back as it is made, while less than QUEUED_BYTES of it is
 * unread there, then the content digest, or the error that stopped the part.
 */
import { parentPort } from 'node:worker_threads';
import { ZstdCompression } from '../zstd.compression';
import { decodeParquet } from './parquet-decoder';
import { encodeParquet } from './parquet-encoder';
import { setUpParquet } from './parquet-page-codec';
import { FromThread, QUEUED_BYTES, ThreadJob, ToThread } from './parquet-thread';

/** One part's input as it arrives (`input()` is what its loop reads), and its output not yet read there. */
class Part {
  private readonly chunks: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private ended = false;
  private unread = 0;
  cancelled = false;

  constructor(private readonly id: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  cancel(): void {
    this.cancelled = true;
    this.wake();
  }

  /** Output of `bytes` was posted; it counts until the main thread has read it. */
  posted(bytes: number): void {
    this.unread += bytes;
  }

  read(bytes: number): void {
    this.unread -= bytes;
    this.wake();
  }

  /** Resolves once less than QUEUED_BYTES of output is unread (or the part is cancelled). */
  async outputRoom(): Promise<void> {
    while (this.unread >= QUEUED_BYTES && !this.cancelled) await this.changed();
  }

  async *input(): AsyncIterable<Buffer> {
    for (;;) {
      if (this.cancelled) throw new Error('cancelled');
      const chunk = this.chunks.shift();
      if (chunk) {
        post({ type: 'taken', id: this.id, bytes: chunk.length });
        yield chunk;
      } else if (this.ended) return;
      else await this.changed();
    }
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

const port = parentPort!;
const parts = new Map<number, Part>();
const zstdReady = ZstdCompression.create().then(setUpParquet);
// Awaited by each part, which then fails with the reason; not an unhandled rejection before any part asks.
zstdReady.catch(() => undefined);

function post(message: FromThread, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function loop(job: ThreadJob) {
  if (job.kind === 'encode') return encodeParquet(job.columns, job.key, job.compression);
  const { decode, content } = decodeParquet(job.columns, job.key, job.what, 'keys');
  return { encode: decode, content };
}

async function run(id: number, job: ThreadJob): Promise<void> {
  const part = parts.get(id)!;
  try {
    await zstdReady;
    const { encode, content } = loop(job);
    for await (const piece of encode(part.input())) {
      await part.outputRoom();
      if (part.cancelled) return;
      // A copy of its own: a piece may be a view of a buffer the loop goes on using.
      const bytes = new Uint8Array(piece.length);
      bytes.set(piece);
      part.posted(bytes.length);
      post({ type: 'output', id, bytes }, [bytes.buffer]);
    }
    post({ type: 'done', id, digest: content() });
  } catch (error) {
    if (!part.cancelled) post({ type: 'error', id, name: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) });
  } finally {
    parts.delete(id);
  }
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'start':
      parts.set(message.id, new Part(message.id));
      void run(message.id, message.job);
      return;
    case 'input':
      parts.get(message.id)?.push(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.length));
      return;
    case 'end':
      parts.get(message.id)?.end();
      return;
    case 'read':
      parts.get(message.id)?.read(message.bytes);
      return;
    case 'cancel':
      parts.get(message.id)?.cancel();
      return;
  }
});
