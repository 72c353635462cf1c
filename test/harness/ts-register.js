// Lets a child process `require` the project's TypeScript directly (tests spawn the real CLI without a build).
const { readFileSync } = require('node:fs');
const ts = require('typescript');

const { compilerOptions } = require('./transpile-options');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
