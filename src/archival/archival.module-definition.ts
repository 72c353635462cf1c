/**
 * forRoot / forRootAsync, built by Nest's ConfigurableModuleBuilder. The
 * options (or forRootAsync's factory) configure the services; the extras are
 * static, known at import time, because they shape the module itself: where
 * the admin controller (and its page, ui) is mounted and behind which guard.
 */
import { ConfigurableModuleBuilder } from '@nestjs/common';
import { createAdminController } from './admin/admin-controller.factory';
import { ArchivalAdminOptions, resolveAdminOptions } from './admin/admin-options';
import { createAdminUiController } from './admin/admin-ui.controller';
import { ARCHIVAL_ADMIN } from './archival.constants';
import { ArchivalOptionsInput } from './archival-options';

export interface ArchivalModuleExtras {
  /** The admin REST API's mount: path, guard, or none at all. */
  admin?: ArchivalAdminOptions;
}

export const {
  ConfigurableModuleClass: ConfigurableArchivalModule,
  MODULE_OPTIONS_TOKEN: ARCHIVAL_MODULE_OPTIONS,
  OPTIONS_TYPE: ARCHIVAL_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ARCHIVAL_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ArchivalOptionsInput>()
  .setClassMethodName('forRoot')
  .setExtras<ArchivalModuleExtras>({ admin: {} }, (definition, extras) => {
    const admin = resolveAdminOptions(extras.admin);
    return {
      ...definition,
      controllers: [...(definition.controllers ?? []), ...(admin.enabled ? [createAdminController(admin), createAdminUiController(admin)] : [])],
      providers: [...(definition.providers ?? []), { provide: ARCHIVAL_ADMIN, useValue: admin }],
    };
  })
  .build();
