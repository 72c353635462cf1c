/**
 * The Parquet thread: Parquet archives are encoded, and read back for
 * verification, on a thread of their own, beside the main thread that reads
 * rows out of PostgreSQL, writes files and keeps the catalog. On a 2-core
 * machine the writer's loop (parsing each typed line, building the pages, the
 * content hash) and the reader's otherwise share one core with everything
 * else while the other waits on PostgreSQL (docs/architecture.md, Parquet).
 *
 * One thread per process (parquet-thread-worker.ts), started when a part needs
 * it and stopped once nothing has used it for IDLE_MS; the parts written and
 * verified at once (two, see overlapped-parts.ts) share it. Input goes over
 * as copies the thread owns (the writer overwrites long lines in place; a
 * wide row's line, handed over by the row source, is moved, not copied), at
 * most IN_FLIGHT_BYTES of it not yet taken; output comes back as it is made,
 * while less than QUEUED_BYTES of it is unread (the thread waits for the
 * stream's reads, so a paced verification is paced there too, and no more
 * input is sent meanwhile), so memory stays bounded by bytes on both sides. An error there fails the part
 * with its message (a corrupt archive stays a CorruptArchiveError); a thread
 * that dies fails every part it held; a part whose reader stops (a failed
 * upload) is cancelled there.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CompressionName } from '../../archival-options';
import { ArchivalError, CorruptArchiveError } from '../../archival.errors';
import { ContentDigest, FormatStages } from '../archive-format';
import { isHandedOver } from '../handed-over';
import { ColumnInfo } from '../jsonl.format';
import { startWorker } from '../worker-thread';

/** What a part on the thread does: write a file from typed lines, or read one back to its keys (verification). */
export type ThreadJob =
  | { kind: 'encode'; columns: ColumnInfo[]; key: string; compression: CompressionName }
  | { kind: 'decode'; columns: ColumnInfo[]; key: string; what: string };

export type ToThread =
  | { type: 'start'; id: number; job: ThreadJob }
  | { type: 'input'; id: number; bytes: Uint8Array }
  | { type: 'end'; id: number }
  | { type: 'read'; id: number; bytes: number }
  | { type: 'cancel'; id: number };

export type FromThread =
  | { type: 'taken'; id: number; bytes: number }
  | { type: 'output'; id: number; bytes: Uint8Array }
  | { type: 'done'; id: number; digest: ContentDigest }
  | { type: 'error'; id: number; name: string; message: string };

const MB = 1024 * 1024;
/** Input handed to the thread and not yet taken (then one chunk more at most). */
const IN_FLIGHT_BYTES = MB;
/** Output the thread made that the stream has not read yet: beyond it no more input is sent, and the thread makes no more (parquet-thread-worker.ts). */
export const QUEUED_BYTES = MB;
const IDLE_MS = 5_000;
/**
 * The thread's young generation, in MB (V8's default is larger): its values die
 * young, and a smaller nursery kept a 1M-row bench run's peak RSS lower.
 */
const YOUNG_GENERATION_MB = 8;

/** The thread's error as the class it was thrown as, where the caller tells them apart. */
function rethrown(name: string, message: string): Error {
  if (name === 'CorruptArchiveError') return new CorruptArchiveError(message);
  if (name === 'ArchivalError') return new ArchivalError(message);
  return new Error(message);
}

/** One part as the main thread sees it: its input in flight, its output so far, and how it ended. */
class PartOnThread {
  private inFlight = 0;
  private queued = 0;
  private readonly pieces: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private failure?: Error;
  private closed = false;
  /** The thread is done with the part (it finished, failed it, or is gone). */
  private settled = false;
  digest?: ContentDigest;

  constructor(
    private readonly id: number,
    private readonly post: (message: ToThread, transfer?: ArrayBuffer[]) => void,
    private readonly onClose: () => void,
  ) {}

  send(chunk: Buffer): void {
    this.inFlight += chunk.length;
    // A wide row's line its producer handed over goes as it is; anything else as a copy the thread owns.
    if (isHandedOver(chunk)) return this.post({ type: 'input', id: this.id, bytes: chunk }, [chunk.buffer as ArrayBuffer]);
    const bytes = new Uint8Array(chunk.length);
    bytes.set(chunk);
    this.post({ type: 'input', id: this.id, bytes }, [bytes.buffer]);
  }

  end(): void {
    if (!this.settled) this.post({ type: 'end', id: this.id });
  }

  /** Resolves once more input may be sent; rejects when the part failed. */
  async room(): Promise<void> {
    while (!this.failure && !this.settled && (this.inFlight >= IN_FLIGHT_BYTES || this.queued >= QUEUED_BYTES)) await this.changed();
    if (this.failure) throw this.failure;
  }

  /** The next output; undefined once the thread finished. */
  async nextPiece(): Promise<Buffer | undefined> {
    for (;;) {
      if (this.failure) throw this.failure;
      const piece = this.pieces.shift();
      if (piece) {
        this.queued -= piece.length;
        // The thread makes more output only while little of it is unread.
        if (!this.settled) this.post({ type: 'read', id: this.id, bytes: piece.length });
        this.notify();
        return piece;
      }
      if (this.digest) return undefined;
      await this.changed();
    }
  }

  receive(message: FromThread): void {
    switch (message.type) {
      case 'taken':
        this.inFlight -= message.bytes;
        break;
      case 'output':
        this.pieces.push(Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.length));
        this.queued += message.bytes.length;
        break;
      case 'done':
        this.settled = true;
        this.digest = message.digest;
        this.close();
        break;
      case 'error':
        this.settled = true;
        this.fail(rethrown(message.name, message.message));
        break;
    }
    this.notify();
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.close();
    this.notify();
  }

  /** The thread lost: nothing more comes, nothing is to be cancelled. */
  lost(error: Error): void {
    this.settled = true;
    this.fail(error);
  }

  /** The stream stopped (or ended): the thread drops the part, unless it is done with it. */
  cancel(): void {
    if (!this.settled) {
      this.settled = true;
      this.post({ type: 'cancel', id: this.id });
    }
    this.fail(new Error('the part on the Parquet thread was cancelled'));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** The process's Parquet thread, started on demand and stopped when idle. */
class ParquetThread {
  private worker?: Worker;
  private readonly parts = new Map<number, PartOnThread>();
  private nextId = 1;
  private idle?: NodeJS.Timeout;

  open(job: ThreadJob): PartOnThread {
    clearTimeout(this.idle);
    const worker = (this.worker ??= this.spawn());
    // Referenced while a part is open, so the process waits for it; an idle thread never keeps it alive.
    worker.ref();
    const id = this.nextId++;
    const part = new PartOnThread(id, (message, transfer) => worker.postMessage(message, transfer), () => this.closed(id, worker));
    this.parts.set(id, part);
    worker.postMessage({ type: 'start', id, job } satisfies ToThread);
    return part;
  }

  private spawn(): Worker {
    const worker = startWorker(join(__dirname, 'parquet-thread-worker'), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    worker.on('message', (message: FromThread) => this.parts.get(message.id)?.receive(message));
    worker.on('error', (error) => this.lost(worker, `the Parquet thread failed: ${error.message}`));
    worker.on('exit', (code) => this.lost(worker, `the Parquet thread exited (code ${code})`));
    return worker;
  }

  private lost(worker: Worker, message: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const parts = [...this.parts.values()];
    this.parts.clear();
    for (const part of parts) part.lost(new Error(message));
  }

  private closed(id: number, worker: Worker): void {
    this.parts.delete(id);
    if (this.parts.size > 0 || this.worker !== worker) return;
    worker.unref();
    this.idle = setTimeout(() => {
      if (this.worker !== worker || this.parts.size > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, IDLE_MS).unref();
  }
}

const thread = new ParquetThread();

/** `job` as a stage that runs on the Parquet thread: its input in, its output out. */
export function onParquetThread(job: ThreadJob): FormatStages {
  let digest: ContentDigest | undefined;
  async function* run(input: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
    const part = thread.open(job);
    const handOver = (async () => {
      for await (const chunk of input) {
        await part.room();
        part.send(chunk);
      }
      part.end();
    })();
    handOver.catch((error: Error) => part.fail(error));
    try {
      for (let piece = await part.nextPiece(); piece; piece = await part.nextPiece()) yield piece;
      await handOver;
      digest = part.digest;
    } finally {
      part.cancel();
    }
  }
  return {
    stages: [run],
    content: () => {
      if (!digest) throw new Error('the content digest of a Parquet archive was asked for before it was all read');
      return digest;
    },
  };
}
