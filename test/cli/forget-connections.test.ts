import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { runForgetConnections } from "../../lib/cli/forget-connections.js";

function sink(): Writable & { text: string } {
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  out.text = "";
  return out;
}

test("with no keeper running it says so and succeeds; an argument is refused", async () => {
  const before = process.env.BOSUN_KEEPER_DIR;
  process.env.BOSUN_KEEPER_DIR = mkdtempSync(path.join(os.tmpdir(), "bosun-forget-"));
  try {
    const out = sink();
    expect(await runForgetConnections([], out)).toBe(0);
    expect(out.text).toBe("No kept connections: no keeper is running.\n");
    const err = sink();
    expect(await runForgetConnections(["now"], sink(), err)).toBe(1);
    expect(err.text).toMatch(/takes no arguments/);
  } finally {
    if (before === undefined) delete process.env.BOSUN_KEEPER_DIR;
    else process.env.BOSUN_KEEPER_DIR = before;
  }
});
