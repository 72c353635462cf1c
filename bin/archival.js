#!/usr/bin/env node
// The `archival` command (package.json "bin"). It lives outside dist/ so that
// its execute bit survives every rebuild: `nest build` empties dist/ first.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'src', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`archival: ${cli} is not built yet; run \`npm run build\` first\n`);
  process.exit(2);
}
require(cli);
