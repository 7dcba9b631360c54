import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isProgram } from "../../lib/cli/entry.js";
import { launchPlaybook } from "../../lib/cli/launch.js";
import { cachedPlaybook, compileCacheDir } from "../../lib/cli/compile-cache.js";
import { discardEarlyHandshakes } from "../../lib/connection/early-handshake.js";
import { handshakeFixture } from "./handshake-fixture.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-launch-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const loaded = (): unknown => (globalThis as Record<symbol, unknown>)[Symbol.for("bosun.test.launched")];

/** A program file and its definition (which records the import.meta.url it was given). */
function writePlaybook(body = "", marker = "launched"): { program: string; definition: string } {
  const program = path.join(dir, "book.ts");
  const definition = path.join(dir, "book", "playbook.ts");
  writeFileSync(program, 'await launchPlaybook(import.meta, "./book/playbook.ts");\n');
  rmSync(path.dirname(definition), { recursive: true, force: true });
  mkdirSync(path.dirname(definition), { recursive: true });
  writeFileSync(definition, `${body}(globalThis as Record<symbol, unknown>)[Symbol.for("bosun.test.${marker}")] = import.meta.url;\n`);
  return { program, definition };
}

afterEach(() => delete (globalThis as Record<symbol, unknown>)[Symbol.for("bosun.test.launched")]);

test("run as the program, the definition runs compiled, keeps its own import.meta, and counts as the program", async () => {
  const { program, definition } = writePlaybook();
  await launchPlaybook({ url: pathToFileURL(program).href }, "./book/playbook.ts", ["node", program]);
  expect(loaded()).toBe(pathToFileURL(definition).href);
  expect(cachedPlaybook(definition, compileCacheDir(definition))).toMatch(/playbook\.js$/);
  expect(isProgram({ url: pathToFileURL(definition).href }, ["node", program])).toBe(true);
  expect(isProgram({ url: pathToFileURL(program + ".other.ts").href }, ["node", program])).toBe(false);
});

test("imported (not the program), nothing runs", async () => {
  const { program } = writePlaybook();
  await launchPlaybook({ url: pathToFileURL(program).href }, "./book/playbook.ts", ["node", path.join(dir, "site.ts")]);
  expect(loaded()).toBeUndefined();
});

test("a definition that does not compile is imported from source, whose error is the one reported", async () => {
  const { program } = writePlaybook("const = ;\n");
  await expect(launchPlaybook({ url: pathToFileURL(program).href }, "./book/playbook.ts", ["node", program])).rejects.toThrow();
  expect(loaded()).toBeUndefined();
});

test("the launcher starts the handshakes of the hosts the same command logged in to last time, unless a keeper listens", async () => {
  const ahead = await handshakeFixture(dir);
  try {
    const { program, definition } = writePlaybook();
    const argv = ["node", program, "--inventory", "prod"];
    await ahead.hint(definition, argv.slice(2));
    ahead.newProcess();
    await launchPlaybook({ url: pathToFileURL(program).href }, "./book/playbook.ts", argv);
    expect(await ahead.connections(1)).toBe(1);
    discardEarlyHandshakes();
    ahead.keeperListens();
    ahead.newProcess();
    const persist = process.env.BOSUN_SSH_PERSIST;
    delete process.env.BOSUN_SSH_PERSIST; // keeping on, as by default outside CI
    try {
      await launchPlaybook({ url: pathToFileURL(program).href }, "./book/playbook.ts", argv);
    } finally {
      if (persist !== undefined) process.env.BOSUN_SSH_PERSIST = persist;
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(ahead.accepted).toHaveLength(1);
    discardEarlyHandshakes();
    process.env.BOSUN_SSH_PERSIST = "0"; // this run keeps nothing: a listening keeper holds nothing for it
    ahead.newProcess();
    try {
      await launchPlaybook({ url: pathToFileURL(program).href }, "./book/playbook.ts", argv);
      expect(await ahead.connections(2)).toBe(2);
    } finally {
      if (persist === undefined) delete process.env.BOSUN_SSH_PERSIST;
      else process.env.BOSUN_SSH_PERSIST = persist;
    }
  } finally {
    ahead.close();
  }
});
