// An independent Parquet reader (hyparquet, pure JS), run as its own process
// because it is an ES module: prints the file's rows and schema as JSON.
// Usage: node read-parquet.mjs FILE
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';

const file = await asyncBufferFromFile(process.argv[2]);
const metadata = await parquetMetadataAsync(file);
const rows = await parquetReadObjects({ file, compressors, metadata });
const schema = parquetSchema(metadata).children.map((c) => ({
  name: c.element.name, type: c.element.type, converted: c.element.converted_type ?? null, logical: c.element.logical_type?.type ?? null,
}));
const replacer = (_key, value) =>
  typeof value === 'bigint' ? value.toString() : value instanceof Uint8Array ? Buffer.from(value).toString('hex') : value;
const codecs = [...new Set(metadata.row_groups.flatMap((g) => g.columns.map((c) => c.meta_data.codec)))];
process.stdout.write(JSON.stringify({ schema, codecs, rowGroups: metadata.row_groups.length, rows }, replacer));
