import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_MIRRORS } from "../../lib/lab/apt-sources.js";
import { ENTRYPOINT_PATH, MASKED_UNITS, labRootfsEdits } from "../../lib/lab/image-recipe.js";
import { applyRootfsEdits } from "../../lib/lab/rootfs-edits.js";

let root = "";
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "bosun-rootfs-"));
  // The bits of a debootstrapped tree the recipe changes.
  for (const d of ["etc/ssh", "var/lib/dbus", "var/cache/apt/archives/partial", "var/lib/apt/lists/partial", "var/log"]) {
    mkdirSync(path.join(root, d), { recursive: true });
  }
  writeFileSync(path.join(root, "etc/machine-id"), "0123456789abcdef0123456789abcdef\n");
  writeFileSync(path.join(root, "var/lib/dbus/machine-id"), "0123456789abcdef0123456789abcdef\n");
  writeFileSync(path.join(root, "etc/ssh/ssh_host_ed25519_key"), "secret");
  writeFileSync(path.join(root, "var/cache/apt/archives/bash.deb"), "");
  writeFileSync(path.join(root, "etc/apt.sources.list"), "");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

test("labRootfsEdits() empties the machine id, drops host keys and masks container-hostile units", () => {
  applyRootfsEdits(root, labRootfsEdits(DEFAULT_MIRRORS));
  expect(readFileSync(path.join(root, "etc/machine-id"), "utf8")).toBe("");
  expect(readlinkSync(path.join(root, "var/lib/dbus/machine-id"))).toBe("/etc/machine-id");
  expect(existsSync(path.join(root, "etc/ssh/ssh_host_ed25519_key"))).toBe(false);
  for (const unit of MASKED_UNITS) expect(readlinkSync(path.join(root, "etc/systemd/system", unit))).toBe("/dev/null");
  expect(lstatSync(path.join(root, ENTRYPOINT_PATH)).mode & 0o777).toBe(0o755);
  expect(existsSync(path.join(root, "var/cache/apt/archives/bash.deb"))).toBe(false);
  expect(existsSync(path.join(root, "var/cache/apt/archives/partial"))).toBe(true);
  expect(readFileSync(path.join(root, "etc/apt/sources.list.d/debian.sources"), "utf8")).toContain("Suites: bookworm-security");
});
