import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { main } from "../../lib/cli/entry.js";
import { playbook } from "../../lib/run/playbook.js";
import { handshakeFixture } from "./handshake-fixture.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-entry-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("a playbook run as the program without a launcher starts its handshakes in main(), once per process", async () => {
  const ahead = await handshakeFixture(dir);
  const argv = process.argv;
  const program = path.join(dir, "book.ts");
  writeFileSync(program, "main(import.meta, book);\n");
  try {
    process.argv = ["node", program, "--help"];
    await ahead.hint(program, ["--help"]);
    ahead.newProcess();
    const book = playbook({ name: "book", hosts: "all", run: async () => undefined });
    expect(await main({ url: pathToFileURL(program).href }, book)).toBe(0);
    expect(await ahead.connections(1)).toBe(1);
    await main({ url: pathToFileURL(program).href }, book); // the same process again: nothing more
    await new Promise((r) => setTimeout(r, 200));
    expect(ahead.accepted).toHaveLength(1);
    expect(await main({ url: pathToFileURL(path.join(dir, "other.ts")).href }, book)).toBeUndefined(); // imported: nothing
  } finally {
    process.argv = argv;
    process.exitCode = undefined;
    ahead.close();
  }
});
