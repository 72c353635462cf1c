// How tests transpile the project's TypeScript for child processes (ts-register.js, compiled-cli.ts): no type checks.
const ts = require('typescript');

module.exports = {
  compilerOptions: {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    esModuleInterop: true,
  },
};
