import { InventoryError } from "../../lib/core/errors.js";
import { splitHostPattern } from "../../lib/inventory/host-pattern.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { selectHosts } from "../../lib/inventory/select-hosts.js";
import type { Inventory } from "../../lib/inventory/types.js";
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
    ["web[2]", undefined, ["web2"]],
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

  test("a limit that names no host or group is an error naming the inventory and what it holds", () => {
    const error = thrown(() => selectHosts(inventory, "all", "xyz"));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe(
      'Cannot limit to "xyz": no host or group of that name in inventory/site.yml ' +
        "(hosts: bastion, web1, web2, db1, localhost; groups: all, app, db, local, monitoring, ungrouped, canary)",
    );
  });

  test("a play pattern that names no host or group is an error too", () => {
    expect(thrown(() => selectHosts(inventory, "webservers")).message).toMatch(
      /^Cannot select hosts "webservers": no host or group of that name in inventory\/site\.yml/,
    );
  });

  test("an excluded or intersected name must exist as well", () => {
    expect(thrown(() => selectHosts(inventory, "app:!wbe1")).message).toMatch(/^Cannot select hosts "wbe1": no host or group of that name/);
    expect(thrown(() => selectHosts(inventory, "app", "all:&nope")).message).toMatch(/^Cannot limit to "nope": /);
  });

  test("a glob that matches nothing is an error", () => {
    expect(thrown(() => selectHosts(inventory, "all", "zz*")).message).toMatch(
      /^Cannot limit to "zz\*": no host or group matches it in inventory\/site\.yml/,
    );
  });

  test("an invalid regex is an error", () => {
    expect(thrown(() => selectHosts(inventory, "~web[")).message).toMatch(/^Cannot select hosts "~web\[": Invalid regular expression/);
  });

  test("an empty pattern is an error", () => {
    expect(thrown(() => selectHosts(inventory, "all", " ")).message).toBe('Cannot limit to " ": the pattern is empty');
  });
});

describe("splitHostPattern()", () => {
  test.each<[string, string[]]>([
    ["a:b:!c:&d", ["a", "b", "!c", "&d"]],
    ["a,b:c", ["a", "b:c"]],
    ["web[1:3]:db", ["web[1:3]", "db"]],
    ["~web(1|2):x", ["~web(1|2):x"]],
    ["2001:db8::1", ["2001:db8::1"]],
    ["2001:db8:0:0:0:0:0:1", ["2001:db8:0:0:0:0:0:1"]],
    ["a:b:cafe", ["a", "b", "cafe"]],
  ])("splitHostPattern(%j) has elements %j", (pattern, elements) => {
    expect(splitHostPattern(pattern).map((t) => (t.op === "exclude" ? "!" : t.op === "intersect" ? "&" : "") + t.text)).toEqual(elements);
  });
});
