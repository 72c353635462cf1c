/**
 * Where archives go, checked at start-up so that a store that could never
 * work stops the process instead of failing every run: a local directory must
 * exist or be creatable (nothing is created here), and an S3 location must
 * name a valid bucket, a prefix without `.`/`..` segments, a region and an
 * endpoint an S3 API accepts.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULTS, S3StorageOptions, StorageOptions } from '../archival-options';

/** The names problems are reported under: env variables, or option paths. */
export interface StorageNames {
  location: string;
  region: string;
  endpoint: string;
}

export function resolveStorage(input: StorageOptions | string | undefined, names: StorageNames, problems: string[]): StorageOptions {
  const value = input ?? DEFAULTS.storagePath;
  const storage: StorageOptions =
    typeof value !== 'string'
      ? value
      : value.startsWith('s3://')
        ? { type: 's3', ...parseS3Location(value), region: DEFAULTS.s3Region, forcePathStyle: false }
        : { type: 'local', path: value };
  if (storage.type === 'local') {
    if (storage.path.trim() === '') problems.push(`${names.location}: the archive path is empty; give a directory or s3://bucket/prefix`);
    else {
      const problem = localDirectoryProblem(storage.path);
      if (problem) problems.push(`${names.location}=${JSON.stringify(storage.path)}: ${problem}`);
    }
    return storage;
  }
  problems.push(...s3Problems(storage, names, typeof value === 'string' ? value : undefined));
  return storage;
}

function s3Problems(storage: S3StorageOptions, names: StorageNames, written?: string): string[] {
  const problems: string[] = [];
  const location = written ?? `s3://${storage.bucket}${storage.prefix ? `/${storage.prefix}` : ''}`;
  const where = [s3BucketProblem(storage.bucket), s3PrefixProblem(storage.prefix)].filter((p) => p !== undefined);
  if (where.length > 0) problems.push(`${names.location}=${JSON.stringify(location)}: not a valid s3://bucket/prefix location: ${where.join('; ')}`);
  const region = s3RegionProblem(storage.region);
  if (region) problems.push(`${names.region}=${JSON.stringify(storage.region)}: ${region}`);
  if (storage.endpoint !== undefined) {
    const endpoint = s3EndpointProblem(storage.endpoint);
    // An endpoint with user:password@ carries a secret: named, never echoed.
    if (endpoint) problems.push(storage.endpoint.includes('@') ? `${names.endpoint}: ${endpoint}` : `${names.endpoint}=${JSON.stringify(storage.endpoint)}: ${endpoint}`);
  }
  return problems;
}

/** `s3://bucket/prefix` → its parts, as written (validated by s3BucketProblem and s3PrefixProblem). */
export function parseS3Location(value: string): { bucket: string; prefix: string } {
  const [bucket, ...rest] = value.slice('s3://'.length).split('/');
  return { bucket, prefix: rest.join('/').replace(/\/+$/, '') };
}

/** AWS's bucket naming rules (which MinIO and Ceph follow); undefined when valid. */
export function s3BucketProblem(bucket: string): string | undefined {
  const rule = (why: string) => `bucket ${JSON.stringify(bucket)} is not a valid S3 bucket name: ${why}`;
  if (bucket === '') return 'no bucket name (expected s3://bucket/prefix)';
  if (bucket.length < 3 || bucket.length > 63) return rule('it must have 3 to 63 characters');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket)) {
    return rule('only lower-case letters, digits, dots and dashes, starting and ending with a letter or digit');
  }
  if (bucket.includes('..')) return rule('no two adjacent dots');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return rule('it must not look like an IP address');
  if (/^(xn--|sthree-)/.test(bucket) || /(-s3alias|--ol-s3)$/.test(bucket)) return rule('that prefix or suffix is reserved by S3');
  return undefined;
}

/** `.` and `..` segments would alias or escape the prefix wherever keys are resolved as paths (a sync to disk, some gateways). */
export function s3PrefixProblem(prefix: string): string | undefined {
  return prefix.split('/').some((segment) => segment === '.' || segment === '..')
    ? `the prefix ${JSON.stringify(prefix)} has a "." or ".." segment; give a plain prefix such as team/archives`
    : undefined;
}

export function s3RegionProblem(region: string): string | undefined {
  return /^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(region) && region.length <= 63
    ? undefined
    : 'not an S3 region: expected letters, digits and dashes, e.g. us-east-1, eu-central-2 or a MinIO region name';
}

export function s3EndpointProblem(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'not a URL; expected http(s)://host[:port], e.g. http://minio:9000';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'expected an http:// or https:// URL, e.g. https://s3.example.com';
  if (url.hostname === '') return 'the URL has no host; e.g. http://minio:9000';
  if (url.username !== '' || url.password !== '') {
    return 'must not contain credentials (user:password@); set ARCHIVAL_S3_ACCESS_KEY_ID and ARCHIVAL_S3_SECRET_ACCESS_KEY instead';
  }
  if (url.search !== '' || url.hash !== '') return 'must not have a query or fragment; e.g. http://minio:9000';
  return undefined;
}

/**
 * Would `mkdir -p` of the directory succeed, and could archives be written
 * there? Climbs to the nearest existing ancestor: it must be a writable
 * directory. Undefined when yes.
 */
export function localDirectoryProblem(path: string): string | undefined {
  const target = resolve(path);
  for (let current = target; ; current = dirname(current)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(current).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(current) !== current) continue;
      return `cannot be checked: ${(error as Error).message}`;
    }
    const created = current === target ? '' : 'cannot be created: ';
    if (!isDirectory) return current === target ? 'exists and is not a directory' : `${created}${current} is not a directory`;
    try {
      accessSync(current, constants.W_OK | constants.X_OK);
    } catch {
      return `${created}${current} is not writable by this process`;
    }
    return undefined;
  }
}
