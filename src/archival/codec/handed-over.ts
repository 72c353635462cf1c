/**
 * Buffers their producer hands over whole: nothing else views their
 * ArrayBuffer, and the producer never touches it again, so a consumer may
 * move it to another thread instead of copying it (parquet-thread.ts does,
 * for a wide row's line from the row source: a 50 MB row then costs its size
 * once, not twice). Only a buffer with an ArrayBuffer of its own
 * is marked: never one of Node's pooled small buffers, whose ArrayBuffer
 * holds others (Buffer.poolSize bytes; a buffer that small is left unmarked
 * even when it is alone).
 */
const handedOver = new WeakSet<Buffer>();

/** Marks `buffer` as handed over (unless its ArrayBuffer may be Node's pool) and returns it. */
export function handOver(buffer: Buffer): Buffer {
  if (buffer.buffer.byteLength > Buffer.poolSize) handedOver.add(buffer);
  return buffer;
}

export function isHandedOver(buffer: Buffer): boolean {
  return handedOver.has(buffer);
}
