import { ConfigurableModuleBuilder } from '@nestjs/common';
import { ArchivalOptionsInput } from './archival-options';

export const {
  ConfigurableModuleClass: ConfigurableArchivalModule,
  MODULE_OPTIONS_TOKEN: ARCHIVAL_MODULE_OPTIONS,
  OPTIONS_TYPE: ARCHIVAL_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ARCHIVAL_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ArchivalOptionsInput>().setClassMethodName('forRoot').build();
