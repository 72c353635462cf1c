/** Injection tokens of the module. */
export const ARCHIVAL_OPTIONS = Symbol('ARCHIVAL_OPTIONS');
/** Test-only fault hooks (ArchivalHooks); absent in production. */
export const ARCHIVAL_HOOKS = Symbol('ARCHIVAL_HOOKS');
/** The clock runs read their `now` from; tests provide a fixed one. */
export const ARCHIVAL_CLOCK = Symbol('ARCHIVAL_CLOCK');
/** Provided (true) by ArchivalSchedulesOffModule: the options' `schedule` is false whatever the host said. */
export const ARCHIVAL_SCHEDULES_OFF = Symbol('ARCHIVAL_SCHEDULES_OFF');
export type ArchivalClock = () => Date;
/** Where the admin routes are mounted and behind what (AdminMount), fixed at import time. */
export const ARCHIVAL_ADMIN = Symbol('ARCHIVAL_ADMIN');
