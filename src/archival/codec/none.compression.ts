import { PassThrough } from 'node:stream';
import { Compression } from './compression.interface';

export class NoCompression implements Compression {
  readonly name = 'none' as const;
  readonly extension = '';

  compressor() {
    return new PassThrough();
  }

  decompressor() {
    return new PassThrough();
  }
}
