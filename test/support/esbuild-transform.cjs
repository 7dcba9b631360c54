/**
 * Jest transform for TypeScript on esbuild (already installed for tsx): types are stripped, nothing is
 * type-checked here (`npm run typecheck` does that). ESM for test files, CommonJS where jest asks for
 * it (global setup/teardown).
 */
const { transformSync } = require("esbuild");

module.exports = {
  process(source, filename, options) {
    const { code, map } = transformSync(source, {
      loader: "ts",
      format: options.supportsStaticESM ? "esm" : "cjs",
      target: "es2022",
      sourcefile: filename,
      sourcemap: "external",
    });
    return { code, map };
  },
};
