// Preloaded into a spawned CLI (NODE_OPTIONS=--require ...): at exit, writes the
// process's peak RSS in bytes to ARCHIVAL_TEST_PEAK_RSS_FILE, measured the way
// bench/case-runner.ts measures it (process.resourceUsage().maxRSS, in KiB).
const { writeFileSync } = require('node:fs');

const file = process.env.ARCHIVAL_TEST_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
