import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { S3StorageOptions } from '../archival-options';
import { problemsOf } from '../../../test/harness/configuration-problems';
import { resolveArchivalOptions } from './resolve-options';
import { localDirectoryProblem } from './storage-location';


describe('where archives go, checked at start-up', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'storage-location-'));
    writeFileSync(join(scratch, 'a-file'), 'not a directory');
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('takes an existing directory, or one mkdir -p could create, and creates nothing', () => {
    expect(localDirectoryProblem(scratch)).toBeUndefined();
    expect(localDirectoryProblem(join(scratch, 'new', 'deeper', 'archives'))).toBeUndefined();
    expect(existsSync(join(scratch, 'new'))).toBe(false);
    expect(localDirectoryProblem(relative(process.cwd(), join(scratch, 'relative', 'archives')))).toBeUndefined();
    expect(resolveArchivalOptions({ storage: join(scratch, 'made-later') }).storage).toEqual({ type: 'local', path: join(scratch, 'made-later') });
  });

  it('refuses a path under a file, or a file, naming the path and the culprit', () => {
    const file = join(scratch, 'a-file');
    expect(localDirectoryProblem(join(file, 'archives', 'x'))).toBe(`cannot be created: ${file} is not a directory`);
    expect(localDirectoryProblem(file)).toBe('exists and is not a directory');
    expect(problemsOf(() => resolveArchivalOptions({ storage: { type: 'local', path: `${file}/archives` } }))).toEqual([
      `storage="${file}/archives": cannot be created: ${file} is not a directory`,
    ]);
    expect(problemsOf(() => resolveArchivalOptions({ storage: ' ' }))[0]).toContain('the archive path is empty');
  });

  // Root may write anywhere: the permission check only means something for other users.
  (process.getuid?.() === 0 ? it.skip : it)('refuses a directory this process may not write to', () => {
    const locked = join(scratch, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      expect(localDirectoryProblem(join(locked, 'archives'))).toBe(`cannot be created: ${locked} is not writable by this process`);
      expect(localDirectoryProblem(locked)).toBe(`${locked} is not writable by this process`);
    } finally {
      chmodSync(locked, 0o700);
    }
  });

  const s3 = (overrides: Partial<S3StorageOptions>): S3StorageOptions => ({
    type: 's3', bucket: 'archives', prefix: 'team/api', region: 'us-east-1', forcePathStyle: true, ...overrides,
  });

  it('checks S3 options given in code the same way as from the environment', () => {
    expect(resolveArchivalOptions({ storage: s3({ endpoint: 'http://127.0.0.1:9000' }) }).storage).toMatchObject({ bucket: 'archives' });
    expect(problemsOf(() => resolveArchivalOptions({ storage: s3({ bucket: '', prefix: '../x', region: '', endpoint: 'http://' }) }))).toEqual([
      'storage="s3:///../x": not a valid s3://bucket/prefix location: no bucket name (expected s3://bucket/prefix); the prefix "../x" has a "." or ".." segment; give a plain prefix such as team/archives',
      'storage.region="": not an S3 region: expected letters, digits and dashes, e.g. us-east-1, eu-central-2 or a MinIO region name',
      'storage.endpoint="http://": not a URL; expected http(s)://host[:port], e.g. http://minio:9000',
    ]);
    expect(problemsOf(() => resolveArchivalOptions({ storage: 's3://ab' }))).toEqual([
      'storage="s3://ab": not a valid s3://bucket/prefix location: bucket "ab" is not a valid S3 bucket name: it must have 3 to 63 characters',
    ]);
  });

  it.each(['xn--bucket', 'sthree-bucket', 'bucket-s3alias', '-bucket', 'bucket.', 'Bucket', 'buck_et', 'a'.repeat(64)])(
    'refuses the bucket name %s',
    (bucket) => {
      expect(problemsOf(() => resolveArchivalOptions({ storage: `s3://${bucket}/x` }))[0]).toContain(`bucket "${bucket}" is not a valid S3 bucket name`);
    },
  );
});
