import { InventoryError } from "../../lib/core/errors.js";
import { splitHostPattern } from "../../lib/inventory/host-pattern.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { selectHosts } from "../../lib/inventory/select-hosts.js";
import type { Inventory } from "../../lib/inventory/types.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIXTURES, thrown } from "./fixtures.js";

// inventory/site.yml: bastion (ungrouped), web1 (app, monitoring), web2 (app, canary), db1 (db, monitoring), localhost (local).
let inventory: Inventory;
beforeAll(async () => {
  inventory = await loadInventory("site", { cwd: FIXTURES });
});

describe("selectHosts()", () => {
  test.each<[string, string | undefined, string[]]>([
    ["all", undefined, ["bastion", "web1", "web2", "db1", "localhost"]],
    ["*", undefined, ["bastion", "web1", "web2", "db1", "localhost"]],
    ["app", undefined, ["web1", "web2"]],
    ["canary", undefined, ["web2"]],
    ["ungrouped", undefined, ["bastion"]],
    ["web1", undefined, ["web1"]],
    ["db1,web1", undefined, ["web1", "db1"]],
    ["db1, web1", undefined, ["web1", "db1"]],
    ["app:db", undefined, ["web1", "web2", "db1"]],
    ["web*", undefined, ["web1", "web2"]],
    ["web?", undefined, ["web1", "web2"]],
    ["app[1]", undefined, ["web2"]],
    ["app[-1]", undefined, ["web2"]],
    ["monitoring[0:1]", undefined, ["web1", "db1"]],
    ["web[!2]", undefined, ["web1"]],
    ["mon*", undefined, ["web1", "db1"]],
    ["~web[0-9]+", undefined, ["web1", "web2"]],
    ["~(web|db)1", undefined, ["web1", "db1"]],
    ["app:!canary", undefined, ["web1"]],
    ["!canary", undefined, ["bastion", "web1", "db1", "localhost"]],
    ["app:&monitoring", undefined, ["web1"]],
    ["&monitoring", undefined, ["web1", "db1"]],
    ["!canary:app:db", undefined, ["web1", "db1"]],
    ["monitoring:&app:!web1", undefined, []],
    ["all", "app", ["web1", "web2"]],
    ["app", "db", []],
    ["app", "web2,db1", ["web2"]],
    ["all", "!web*", ["bastion", "db1", "localhost"]],
    ["all", "monitoring:&db", ["db1"]],
  ])("selectHosts(%j, limit %j) is %j", (pattern, limit, expected) => {
    expect(selectHosts(inventory, pattern, limit)).toEqual(expected);
  });

  test("a limit name that matches no host or group is warned about and skipped, as in Ansible", () => {
    const warnings: string[] = [];
    expect(selectHosts(inventory, "all", { limit: "web1,xyz", warn: (m) => warnings.push(m) })).toEqual(["web1"]);
    expect(warnings).toEqual(["Could not match supplied host pattern, ignoring: xyz"]);
  });

  test("a play pattern, an exclusion or a glob that matches nothing is warned about too", () => {
    const warnings: string[] = [];
    const warn = (m: string): number => warnings.push(m);
    expect(selectHosts(inventory, "webservers", { warn })).toEqual([]);
    expect(selectHosts(inventory, "app:!wbe1", { warn })).toEqual(["web1", "web2"]);
    expect(selectHosts(inventory, "all", { limit: "zz*", warn })).toEqual([]);
    expect(warnings).toEqual([
      "Could not match supplied host pattern, ignoring: webservers",
      "Could not match supplied host pattern, ignoring: wbe1",
      "Could not match supplied host pattern, ignoring: zz*",
    ]);
  });

  test("a subscript past the end is an error naming the pattern", () => {
    expect(thrown(() => selectHosts(inventory, "all", "app[5]")).message).toBe(
      "Cannot limit to \"app[5]\": No hosts matched the subscripted pattern 'app[5]' (it matches 2)",
    );
  });

  test("an invalid regex is an error", () => {
    const error = thrown(() => selectHosts(inventory, "~(web"));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toMatch(/^Cannot select hosts "~\(web": Invalid regular expression/);
  });

  test("an empty limit limits nothing, as in Ansible", () => {
    expect(selectHosts(inventory, "app", " ")).toEqual(["web1", "web2"]);
  });

  test("--limit @file reads one pattern per line (a retry file)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bosun-retry-"));
    writeFileSync(join(dir, "site.retry"), "web2\ndb1\n");
    expect(selectHosts(inventory, "all", { limit: "@site.retry", cwd: dir })).toEqual(["web2", "db1"]);
    expect(thrown(() => selectHosts(inventory, "all", { limit: "@nope.retry", cwd: dir })).message).toBe(
      "Unable to find limit file nope.retry",
    );
  });
});

describe("splitHostPattern()", () => {
  test.each<[string, string[]]>([
    ["a:b:!c:&d", ["a", "b", "!c", "&d"]],
    ["a,b:c", ["a", "b:c"]],
    ["web[1:3]:db", ["web[1:3]", "db"]],
    ["~web(1|2):x", ["~web(1|2)", "x"]],
    ["web1:22", ["web1:22"]],
    ["app[0]:db[-1]", ["app[0]", "db[-1]"]],
    ["2001:db8::1", ["2001:db8::1"]],
    ["2001:db8:0:0:0:0:0:1", ["2001:db8:0:0:0:0:0:1"]],
    ["a:b:cafe", ["a", "b", "cafe"]],
  ])("splitHostPattern(%j) has elements %j", (pattern, elements) => {
    expect(splitHostPattern(pattern).map((t) => (t.op === "exclude" ? "!" : t.op === "intersect" ? "&" : "") + t.text)).toEqual(elements);
  });
});
