/**
 * Format × compression × encryption for one archive: the stages between the
 * row stream and the stored bytes. ArchiveCodecs picks the codec for new
 * archives (from configuration) and for existing ones (from their catalog
 * record), so archives written under other settings stay readable; an
 * encrypted archive is decrypted with the keyring's key of its key id.
 */
import { ArchiveFormatName, ArchivalOptions, CompressionName } from '../archival-options';
import { ArchivalError, EncryptionError } from '../archival.errors';
import { ArchiveFormat, ContentDigest, DecodeMode, Stage } from './archive-format';
import { Compression } from './compression.interface';
import { createCompression } from './compression.factory';
import { EncryptionInfo, EncryptionKeyring } from './encryption';
import { ColumnInfo } from './jsonl.format';
import { JsonLinesFormat } from './jsonl-archive.format';
import { ParquetFormat } from './parquet/parquet-archive.format';
import { setUpParquet } from './parquet/parquet-page-codec';
import { ZstdCompression } from './zstd.compression';

export const ENCRYPTED_EXTENSION = '.enc';

export interface ArchiveEncoding {
  format: ArchiveFormatName;
  compression: CompressionName;
  encrypted: boolean;
}

export interface EncoderStages {
  stages: Stage[];
  content(): ContentDigest;
  encryption: EncryptionInfo | null;
}

export class ArchiveCodec {
  constructor(
    readonly format: ArchiveFormat,
    readonly compression: Compression,
    private readonly encryption?: EncryptionKeyring,
  ) {}

  get encrypted(): boolean {
    return this.encryption !== undefined;
  }

  get extension(): string {
    return this.format.extension(this.compression) + (this.encryption ? ENCRYPTED_EXTENSION : '');
  }

  /** lines → stored bytes */
  encoder(columns: ColumnInfo[], key: string): EncoderStages {
    const format = this.format.encoder(columns, key, this.compression);
    const encryptor = this.encryption?.encryptor();
    return {
      stages: encryptor ? [...format.stages, encryptor.stream] : format.stages,
      content: format.content,
      encryption: encryptor?.info ?? null,
    };
  }

  /** stored bytes → restore lines */
  decoder(columns: ColumnInfo[], key: string, what: string, mode: DecodeMode = 'restore'): { stages: Stage[]; content(): ContentDigest } {
    const format = this.format.decoder(columns, key, this.compression, what, mode);
    return {
      stages: this.encryption ? [this.encryption.decryptor(what), ...format.stages] : format.stages,
      content: format.content,
    };
  }
}

export class ArchiveCodecs {
  private readonly formats: Record<ArchiveFormatName, ArchiveFormat> = { json: new JsonLinesFormat(), parquet: new ParquetFormat() };

  private constructor(
    private readonly compressions: Record<CompressionName, Compression>,
    private readonly writing: ArchiveEncoding,
    private readonly keyring: EncryptionKeyring,
  ) {}

  static async create(
    options: Pick<ArchivalOptions, 'format' | 'compression' | 'encryptionKey'> & Partial<Pick<ArchivalOptions, 'encryptionKeys'>>,
  ): Promise<ArchiveCodecs> {
    const zstd = await ZstdCompression.create();
    setUpParquet(zstd);
    const compressions = { gzip: await createCompression('gzip'), zstd, none: await createCompression('none') };
    const writing = { format: options.format, compression: options.compression, encrypted: options.encryptionKey !== undefined };
    const keyring = new EncryptionKeyring({ current: options.encryptionKey, older: options.encryptionKeys });
    return new ArchiveCodecs(compressions, writing, keyring);
  }

  /** The codec new archives are written with. */
  forWriting(): ArchiveCodec {
    return this.of(this.writing, 'new archives');
  }

  /** The codec an existing archive was written with; `what` names it in errors. */
  of(encoding: { format: string; compression: string; encrypted: boolean }, what: string): ArchiveCodec {
    const format = Object.hasOwn(this.formats, encoding.format) ? this.formats[encoding.format as ArchiveFormatName] : undefined;
    const compression = Object.hasOwn(this.compressions, encoding.compression)
      ? this.compressions[encoding.compression as CompressionName]
      : undefined;
    if (!format || !compression) {
      throw new ArchivalError(`${what} has an unknown format or compression (${encoding.format}, ${encoding.compression})`);
    }
    if (encoding.encrypted && this.keyring.empty) {
      throw new EncryptionError(
        `${what} is encrypted (AES-256-GCM) but ARCHIVAL_ENCRYPTION_KEY is not set and ARCHIVAL_ENCRYPTION_KEYS is empty; ` +
          'add the key the archive was written with (its key id is in the manifest) to ARCHIVAL_ENCRYPTION_KEYS',
      );
    }
    return new ArchiveCodec(format, compression, encoding.encrypted ? this.keyring : undefined);
  }
}

export const ARCHIVE_CODECS = Symbol('ARCHIVE_CODECS');
