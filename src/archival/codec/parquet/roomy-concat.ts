/**
 * Concatenation without copying, for one wide Parquet page on its way into
 * the file.
 *
 * parquetjs-lite builds a row group by concatenating: the page header with
 * the compressed page, the pages of a column chunk, the chunk with its
 * metadata, the row group with each chunk. For a 50 MB value that is four
 * more copies of its compressed page (25 MB each), all made synchronously
 * inside appendRow. Here a wide page is compressed into a "roomy" buffer,
 * with free bytes before and after it, and while appendRow runs its
 * synchronous part, Buffer.concat of [small pieces, the roomy region, small
 * pieces] writes the small pieces into that room and returns a view: the
 * same bytes as a copy would hold, no copy. Any other concatenation (other
 * buffers, not enough room) is the stock one, so code that runs meanwhile
 * sees no difference; and the stock function is back before appendRow first
 * waits.
 */

/** Room kept on each side of a wide page: headers, levels and metadata of one row group fit easily. */
export const ROOM = 64 * 1024;

/** The region of a roomy buffer in use so far; bytes outside it, within the buffer, are free. */
const claimed = new WeakMap<ArrayBufferLike, { lo: number; hi: number }>();

/** A buffer of `size` bytes with ROOM free on each side, for a wide page to be written into. */
export function roomyBuffer(size: number): Buffer {
  const whole = Buffer.allocUnsafe(ROOM + size + ROOM);
  return whole.subarray(ROOM, ROOM + size);
}

/** Marks `view` (a part of a roomyBuffer, from its start) as the region in use. */
export function claim(view: Buffer): Buffer {
  claimed.set(view.buffer, { lo: view.byteOffset, hi: view.byteOffset + view.length });
  return view;
}

const stockConcat = Buffer.concat;

function roomyConcat(list: readonly Uint8Array[], totalLength?: number): Buffer {
  const index = list.findIndex((piece) => isClaimedRegion(piece));
  if (index === -1 || totalLength !== undefined) return stockConcat(list, totalLength);
  const region = list[index];
  // Pieces of the same buffer could lie in the room written to: not for this path.
  if (list.some((piece, i) => i !== index && piece.buffer === region.buffer)) return stockConcat(list);
  const before = list.slice(0, index);
  const after = list.slice(index + 1);
  const head = before.reduce((n, piece) => n + piece.length, 0);
  const tail = after.reduce((n, piece) => n + piece.length, 0);
  const whole = Buffer.from(region.buffer);
  const { lo, hi } = claimed.get(region.buffer)!;
  if (lo - head < 0 || hi + tail > whole.length) return stockConcat(list);
  let at = lo - head;
  for (const piece of before) at += copyInto(whole, piece, at);
  at = hi;
  for (const piece of after) at += copyInto(whole, piece, at);
  return claim(whole.subarray(lo - head, hi + tail));
}

function isClaimedRegion(piece: Uint8Array): boolean {
  const region = claimed.get(piece.buffer);
  return region !== undefined && piece.byteOffset === region.lo && piece.byteOffset + piece.length === region.hi;
}

function copyInto(target: Buffer, piece: Uint8Array, at: number): number {
  target.set(piece, at);
  return piece.length;
}

/** Calls `work` with the roomy Buffer.concat in place for its synchronous part. */
export function withRoomyConcat<T>(work: () => T): T {
  Buffer.concat = roomyConcat as typeof Buffer.concat;
  try {
    return work();
  } finally {
    Buffer.concat = stockConcat;
  }
}
