import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { forgetKnownHosts, setKnownHostKeys } from "../../lib/lab/known-hosts.js";

let dir = "";
let file = "";
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-kh-"));
  file = path.join(dir, "known_hosts");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("setKnownHostKeys() replaces the entries of one port and keeps the others", async () => {
  writeFileSync(file, "[127.0.0.1]:2201 ssh-ed25519 OLD\n[127.0.0.1]:22011 ssh-ed25519 KEEP\nexample.org ssh-rsa KEEP2\n");
  await setKnownHostKeys(2201, ["[127.0.0.1]:2201 ssh-ed25519 NEW"], { file });
  expect(readFileSync(file, "utf8")).toBe(
    "[127.0.0.1]:22011 ssh-ed25519 KEEP\nexample.org ssh-rsa KEEP2\n[127.0.0.1]:2201 ssh-ed25519 NEW\n",
  );
});

test("forgetKnownHosts() drops the given ports, or everything with all", async () => {
  writeFileSync(file, "[127.0.0.1]:2201 ssh-ed25519 A\n[127.0.0.1]:2202 ssh-ed25519 B\n");
  await forgetKnownHosts([2201], { file });
  expect(readFileSync(file, "utf8")).toBe("[127.0.0.1]:2202 ssh-ed25519 B\n");
  await forgetKnownHosts("all", { file });
  expect(readFileSync(file, "utf8")).toBe("");
});
