/**
 * Where and behind what the admin REST API is mounted. Static: a controller's
 * path and guards are fixed when its class is decorated, so these are given
 * at import time beside forRoot's options or forRootAsync's factory
 * (`ArchivalModule.forRootAsync({ useFactory, admin: { path: 'ops/archival' } })`).
 */
import { CanActivate, Type } from '@nestjs/common';
import { ConfigurationError } from '../archival.errors';
import { AdminTokenGuard } from './admin-token.guard';

export interface ArchivalAdminOptions {
  /** false: no admin routes and no OpenAPI document at all. Default true. */
  enabled?: boolean;
  /** Path of the routes, e.g. 'ops/archival'; default 'admin/archival'. */
  path?: string;
  /**
   * The guard in front of every admin route. Default AdminTokenGuard (bearer
   * ARCHIVAL_ADMIN_TOKEN); a guard class replaces it (resolved in the archival
   * module: it may inject global providers and, with forRootAsync, those of its
   * `imports`). `false` mounts the routes WITHOUT any guard of the module's:
   * the host must protect them itself (a global guard or middleware), or
   * anyone who reaches the API can run, restore and export.
   */
  guard?: Type<CanActivate> | false;
}

/** The admin options once checked, with defaults filled in. */
export interface AdminMount {
  enabled: boolean;
  path: string;
  guard: Type<CanActivate> | false;
}

export const DEFAULT_ADMIN_PATH = 'admin/archival';

/** Plain path segments only: no route parameters or wildcards in the mount. */
const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/;

export function resolveAdminOptions(input: ArchivalAdminOptions = {}): AdminMount {
  const problems: string[] = [];
  const enabled = input.enabled ?? true;
  if (typeof enabled !== 'boolean') problems.push(`admin.enabled=${JSON.stringify(enabled)}: expected true or false`);
  const path = typeof input.path === 'string' ? input.path.replace(/^\/+|\/+$/g, '') : input.path ?? DEFAULT_ADMIN_PATH;
  if (typeof path !== 'string') problems.push(`admin.path=${JSON.stringify(path)}: expected a path such as "${DEFAULT_ADMIN_PATH}"`);
  else if (!path.split('/').every((segment) => SEGMENT.test(segment))) {
    problems.push(
      `admin.path=${JSON.stringify(input.path)}: expected plain segments of letters, digits, ".", "_", "~" and "-" separated by "/", ` +
        `such as "ops/archival" (not empty; no parameters or wildcards); enabled: false mounts no routes`,
    );
  }
  const guard = input.guard ?? AdminTokenGuard;
  if (guard !== false && typeof guard !== 'function') {
    problems.push(`admin.guard: expected a guard class (implementing CanActivate) or false, got ${JSON.stringify(guard)}`);
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return { enabled, path: path as string, guard };
}
