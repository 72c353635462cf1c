/**
 * JSON Lines archives: the canonical lines exactly as PostgreSQL wrote them,
 * compressed as a whole stream (`.jsonl.gz`, `.jsonl.zst`, `.jsonl`). The
 * content digest is the SHA-256 of the uncompressed lines.
 */
import { ArchiveFormat, FormatStages } from './archive-format';
import { Compression } from './compression.interface';
import { HashingStream } from './hashing.stream';

export class JsonLinesFormat implements ArchiveFormat {
  readonly name = 'json' as const;
  readonly dialect = 'json' as const;

  extension(compression: Compression): string {
    return `.jsonl${compression.extension}`;
  }

  encoder(_columns: unknown, _key: string, compression: Compression): FormatStages {
    const content = new HashingStream();
    return { stages: [content, compression.compressor()], content: () => ({ bytes: content.bytes, sha256: content.digest() }) };
  }

  decoder(_columns: unknown, _key: string, compression: Compression): FormatStages {
    const content = new HashingStream();
    return { stages: [compression.decompressor(), content], content: () => ({ bytes: content.bytes, sha256: content.digest() }) };
  }
}
