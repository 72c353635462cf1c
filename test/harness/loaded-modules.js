// Preloaded into a spawned CLI (NODE_OPTIONS=--require ...): at exit, writes
// every file the process required to ARCHIVAL_TEST_LOADED_MODULES_FILE, one a
// line, so a test can tell what a command loaded and what it did not.
const { writeFileSync } = require('node:fs');

const file = process.env.ARCHIVAL_TEST_LOADED_MODULES_FILE;
if (file) process.on('exit', () => writeFileSync(file, Object.keys(require.cache).join('\n')));
