import { spawnSync } from "node:child_process";

describe("lib's layers", () => {
  test("imports point down only and never in a circle (dependency-cruiser, .dependency-cruiser.cjs)", () => {
    const r = spawnSync("node_modules/.bin/depcruise", ["lib", "--config", ".dependency-cruiser.cjs", "--output-type", "err"], {
      encoding: "utf8",
    });
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/error/);
    expect(r.status).toBe(0);
  });
});
