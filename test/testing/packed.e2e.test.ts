/**
 * The test kit from an outside project, as a user gets it: bosun packed (`npm pack`), installed
 * from the tarball into a new project, `import { assertIdempotent } from "bosun/testing"`, run on
 * a lab host.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runProcess } from "../../lib/lab/process.js";
import { LAB_DIR } from "../../lib/lab/paths.js";

const project = mkdtempSync(path.join(tmpdir(), "bosun-outside-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

const script = `
import { playbook, ensureFile } from "bosun";
import { startLab, assertIdempotent } from "bosun/testing";

const book = playbook({
  name: "outside",
  hosts: "all",
  async run(host) {
    await host.run(ensureFile({ path: "/srv/outside.txt", content: "from an outside project\\n" }));
  },
});
const lab = await startLab({ name: "t-outside" });
try {
  const { first, second } = await assertIdempotent(book, { inventory: lab.inventory, host: "t-outside1" });
  console.log(JSON.stringify({ first: first.stats["t-outside1"].changed, second: second.stats["t-outside1"].changed }));
} finally {
  await lab.down();
}
`;

test("an outside project installs the packed bosun and runs assertIdempotent from bosun/testing on a lab host", async () => {
  const packed = await runProcess(["npm", "pack", "--silent", "--pack-destination", project], { allowFailure: true });
  expect(packed.stderr).not.toMatch(/ERR!/);
  const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"));
  expect(tarball).toBeDefined();
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "outside", private: true, type: "module" }));
  await runProcess(["npm", "install", "--no-audit", "--no-fund", "--silent", `./${tarball}`], { cwd: project });
  writeFileSync(path.join(project, "kit-check.mjs"), script);
  // The lab's key and image cache are shared with this checkout's lab (a user's would live in their project's .lab/).
  const env = { ...(process.env as Record<string, string>), BOSUN_LAB_DIR: LAB_DIR };
  const r = await runProcess(["node", "kit-check.mjs"], { cwd: project, env, allowFailure: true });
  expect(r.stderr).not.toMatch(/error/i);
  expect(JSON.parse(r.stdout.trim().split("\n").pop()!)).toEqual({ first: 1, second: 0 });
  expect(r.code).toBe(0);
}, 600_000);
