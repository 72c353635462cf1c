/**
 * The admin controller of one module instance, mounted where the host says.
 * A controller's path and guards are metadata of its class, fixed when the
 * class is decorated, so each module gets its own subclass of the routes,
 * decorated with its path and guard; the routes' own (swagger) decorators are
 * inherited.
 */
import { Controller, Logger, OnModuleInit, Type, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AdminMount } from './admin-options';
import { AdminTokenGuard } from './admin-token.guard';
import { ArchivalAdminController as AdminRoutes } from './archival-admin.controller';

export function createAdminController(mount: AdminMount): Type<AdminRoutes> {
  // Named as the routes are: Nest's route log and swagger's operation ids read the class name.
  class ArchivalAdminController extends AdminRoutes implements OnModuleInit {
    onModuleInit() {
      const logger = new Logger('ArchivalAdmin');
      if (mount.guard) logger.log({ event: 'admin.mounted', path: `/${mount.path}`, guard: mount.guard.name });
      else logger.warn({ event: 'admin.mounted', path: `/${mount.path}`, guard: false, warning: 'no guard of the module: the host must protect these routes' });
    }
  }
  const decorators: ClassDecorator[] = [Controller(mount.path)];
  if (mount.guard) decorators.push(UseGuards(mount.guard));
  if (mount.guard === AdminTokenGuard) decorators.push(ApiBearerAuth());
  for (const decorate of decorators) decorate(ArchivalAdminController);
  return ArchivalAdminController;
}
