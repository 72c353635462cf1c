import { claim, ROOM, roomyBuffer, withRoomyConcat } from './roomy-concat';

function wide(size: number): Buffer {
  const region = roomyBuffer(size);
  for (let i = 0; i < size; i++) region[i] = i % 251;
  return claim(region);
}

describe('roomy concatenation', () => {
  it('gives the bytes a copy would, writing the small pieces into the room instead of copying the region', () => {
    const region = wide(100_000);
    const [header, levels, metadata] = [Buffer.from('header'), Buffer.from([1, 2, 3]), Buffer.from('metadata')];
    const expected = Buffer.concat([header, levels, region, metadata]);
    const joined = withRoomyConcat(() => Buffer.concat([header, levels, region, metadata]));
    expect(joined.equals(expected)).toBe(true);
    expect(joined.buffer).toBe(region.buffer);
    // The result is the claimed region now: the next concatenation around it does not copy either.
    const outer = withRoomyConcat(() => Buffer.concat([Buffer.from('rowgroup'), joined]));
    expect(outer.equals(Buffer.concat([Buffer.from('rowgroup'), expected]))).toBe(true);
    expect(outer.buffer).toBe(region.buffer);
    // A view given out before still holds its bytes.
    expect(region.equals(expected.subarray(header.length + levels.length, header.length + levels.length + region.length))).toBe(true);
  });

  it('copies as the stock function does when the region is not the claimed one, the room is short, or outside the call', () => {
    const region = wide(1000);
    const part = region.subarray(1);
    expect(withRoomyConcat(() => Buffer.concat([Buffer.from('a'), part])).buffer).not.toBe(region.buffer);
    expect(withRoomyConcat(() => Buffer.concat([Buffer.alloc(ROOM + 1), region])).buffer).not.toBe(region.buffer);
    expect(Buffer.concat([Buffer.from('a'), region]).buffer).not.toBe(region.buffer);
    expect(withRoomyConcat(() => Buffer.concat([region, region])).equals(Buffer.concat([region, region]))).toBe(true);
  });

  it('puts the stock Buffer.concat back, also when the work throws', () => {
    const stock = Buffer.concat;
    expect(() => withRoomyConcat(() => {
      throw new Error('boom');
    })).toThrow('boom');
    expect(Buffer.concat).toBe(stock);
  });
});
