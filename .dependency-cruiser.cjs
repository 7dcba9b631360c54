/**
 * The layers of lib/, lowest first; imports point down only and never in a circle:
 *   core <- connection, facts, template <- inventory, tasks <- run <- cli
 * lib/lab and lib/testing are test kits beside the product: nothing in the product imports them.
 * `npm run check:layers` (and test/scripts/layers.test.ts) fail on any violation.
 */
const layer = (name, mayImport) => ({
  name: `${name}-points-down`,
  comment: `lib/${name} may import only ${mayImport.join(", ") || "nothing else in lib"}`,
  severity: "error",
  from: { path: `^lib/${name}/` },
  // lib/generated (precompiled validators, pre-bundled dependencies) is code of no layer: anyone may use it.
  to: { path: "^lib/", pathNot: [`^lib/${name}/`, "^lib/generated/", ...mayImport.map((l) => `^lib/${l}/`)] },
});

module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", from: { path: "^lib/" }, to: { circular: true } },
    layer("core", []),
    layer("connection", ["core"]),
    layer("facts", ["core"]),
    layer("template", ["core"]),
    layer("inventory", ["core"]),
    layer("tasks", ["core", "facts", "template"]),
    layer("run", ["core", "connection", "inventory", "tasks", "facts", "template"]),
    layer("cli", ["core", "connection", "inventory", "run", "tasks", "facts", "template"]),
    {
      name: "product-never-imports-test-kits",
      severity: "error",
      from: { path: "^lib/(core|connection|facts|template|inventory|tasks|run|cli)/|^lib/index\\.ts$" },
      to: { path: "^lib/(lab|testing)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules|^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    moduleSystems: ["es6", "cjs"],
  },
};
