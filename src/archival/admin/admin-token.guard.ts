/**
 * Every admin route needs `Authorization: Bearer <ARCHIVAL_ADMIN_TOKEN>`,
 * compared in constant time. With no token configured the routes answer 403
 * and say how to enable them; a missing or wrong token is 401.
 */
import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { ArchivalOptions } from '../archival-options';
import { ARCHIVAL_OPTIONS } from '../archival.constants';

@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@Inject(ARCHIVAL_OPTIONS) options: ArchivalOptions) {
    // Hashing both sides gives equal lengths, so the comparison time says nothing about the token.
    this.expected = options.adminToken ? digest(options.adminToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      throw new ForbiddenException('The archival admin API is disabled: set ARCHIVAL_ADMIN_TOKEN to enable it.');
    }
    const http = context.switchToHttp();
    const header = http.getRequest<{ headers: Record<string, string | undefined> }>().headers.authorization;
    const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      // RFC 6750: a 401 names the scheme it wants.
      http.getResponse<{ setHeader?(name: string, value: string): void }>().setHeader?.('WWW-Authenticate', 'Bearer realm="nest-archival"');
      throw new UnauthorizedException('A valid "Authorization: Bearer <ARCHIVAL_ADMIN_TOKEN>" header is required.');
    }
    return true;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
