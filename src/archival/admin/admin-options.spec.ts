import { CanActivate } from '@nestjs/common';
import { ConfigurationError } from '../archival.errors';
import { ArchivalModule } from '../archival.module';
import { resolveAdminOptions } from './admin-options';
import { AdminTokenGuard } from './admin-token.guard';

class HostGuard implements CanActivate {
  canActivate() {
    return true;
  }
}

describe('admin mount options', () => {
  it('defaults to /admin/archival behind the token guard', () => {
    expect(resolveAdminOptions()).toEqual({ enabled: true, path: 'admin/archival', guard: AdminTokenGuard });
  });

  it('takes a path with or without slashes, a guard class, false, or no routes', () => {
    expect(resolveAdminOptions({ path: '/ops/archival/' }).path).toBe('ops/archival');
    expect(resolveAdminOptions({ guard: HostGuard }).guard).toBe(HostGuard);
    expect(resolveAdminOptions({ guard: false }).guard).toBe(false);
    expect(resolveAdminOptions({ enabled: false }).enabled).toBe(false);
  });

  it.each([
    ['an empty path', { path: '/' }, /admin.path="\/": expected plain segments/],
    ['a route parameter', { path: 'ops/:tenant' }, /admin.path="ops\/:tenant"/],
    ['a wildcard', { path: 'ops/*' }, /admin.path="ops\/\*"/],
    ['a dot segment', { path: 'ops/../x' }, /admin.path="ops\/..\/x"/],
    ['a guard that is not a class', { guard: 'AdminTokenGuard' }, /admin.guard: expected a guard class .* got "AdminTokenGuard"/],
    ['guard: true', { guard: true }, /admin.guard: expected a guard class/],
    ['enabled as text', { enabled: 'no' }, /admin.enabled="no": expected true or false/],
  ])('refuses %s, naming the option', (_what, input, named) => {
    expect(() => resolveAdminOptions(input as never)).toThrow(ConfigurationError);
    expect(() => resolveAdminOptions(input as never)).toThrow(named);
  });

  it('is checked when the module is imported, for forRoot and forRootAsync alike', () => {
    expect(() => ArchivalModule.forRoot({ admin: { path: 'a b' } })).toThrow(/admin.path="a b"/);
    expect(() => ArchivalModule.forRootAsync({ useFactory: () => ({}), admin: { guard: 42 as never } })).toThrow(/admin.guard/);
  });

  it('keeps the admin options out of the options the services receive', () => {
    const definition = ArchivalModule.forRoot({ compression: 'zstd', admin: { path: 'ops/archival' } });
    const options = definition.providers!.map((p) => (p as { useValue?: unknown }).useValue).find((v) => (v as { compression?: string })?.compression);
    expect(options).toEqual({ compression: 'zstd' });
    expect(definition.controllers!.map((c) => (c as { name: string }).name)).toEqual(['ArchivalAdminController', 'ArchivalAdminUiController']);
    expect(ArchivalModule.forRoot({ admin: { enabled: false } }).controllers).toEqual([]);
  });
});
