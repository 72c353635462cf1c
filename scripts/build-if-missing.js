// `npm run seed` and friends: build dist/ only when it is missing, so that they
// never rebuild the files under an API that `npm start` is running from them.
const { existsSync } = require('node:fs');
const { execSync } = require('node:child_process');
const { join } = require('node:path');

if (!existsSync(join(__dirname, '..', 'dist', 'src', 'main.js'))) execSync('npm run build', { stdio: 'inherit' });
