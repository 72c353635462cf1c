import { ParquetBytes } from './parquet-bytes';

async function* chunksOf(text: string, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < text.length; i += size) yield Buffer.from(text.slice(i, i + size));
}

describe('ParquetBytes', () => {
  const text = 'PAR1-0123456789abcdefghijklmnopqrstuvwxyz-PAR1';

  it('reads any range of the file as it arrived in chunks, within or across chunks', async () => {
    const bytes = await ParquetBytes.collect(chunksOf(text, 7));
    expect(bytes.size).toBe(text.length);
    for (const [offset, length] of [[0, 4], [3, 4], [7, 7], [5, 30], [0, text.length], [text.length - 8, 8], [40, 100]]) {
      expect(bytes.read(offset, length).toString()).toBe(text.slice(offset, offset + length));
    }
  });

  it('reads the same range twice alike, and nothing outside the file', async () => {
    const bytes = await ParquetBytes.collect(chunksOf(text, 5));
    expect(bytes.read(4, 20).toString()).toBe(bytes.read(4, 20).toString());
    expect(bytes.read(-8, 8).length).toBe(0);
    expect(bytes.read(text.length, 4).length).toBe(0);
    expect((await ParquetBytes.collect(chunksOf('', 5))).read(0, 4).length).toBe(0);
  });
});
