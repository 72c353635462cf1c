/**
 * For a one-shot process over the host's own application module, such as the
 * `archival` CLI: imported beside it, this turns the archival schedules off
 * whatever the host's options say (no crons registered, no storage start-up
 * check, `nextRun` null), so a command never starts the host's jobs. Global so
 * that ArchivalModule sees it wherever the host imports it; the API itself
 * never imports it.
 *
 *   NestFactory.createApplicationContext({ module: OneShot, imports: [ArchivalSchedulesOffModule, AppModule] })
 */
import { Global, Module } from '@nestjs/common';
import { ARCHIVAL_SCHEDULES_OFF } from '../archival.constants';

@Global()
@Module({
  providers: [{ provide: ARCHIVAL_SCHEDULES_OFF, useValue: true }],
  exports: [ARCHIVAL_SCHEDULES_OFF],
})
export class ArchivalSchedulesOffModule {}
