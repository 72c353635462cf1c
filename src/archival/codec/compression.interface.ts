import { Transform } from 'node:stream';
import { CompressionName } from '../archival-options';

/** A streaming compressor/decompressor pair; one instance per process, one stream per archive. */
export interface Compression {
  readonly name: CompressionName;
  /** File extension appended after the format's, e.g. ".gz"; empty for none. */
  readonly extension: string;
  compressor(): Transform;
  decompressor(): Transform;
}

export const COMPRESSION = Symbol('COMPRESSION');
