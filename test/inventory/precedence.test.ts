import { stringify } from "yaml";
import { loadInventory } from "../../lib/inventory/load.js";
import { parseInventory } from "../../lib/inventory/parse.js";
import { hostVarsWith, mergeVars } from "../../lib/inventory/precedence.js";
import type { InventoryHost, Vars } from "../../lib/inventory/types.js";
import { FIXTURES } from "./fixtures.js";

/** Every layer, lowest first, as documented on mergeVars(). */
const LAYERS = [
  "role defaults",
  "all vars",
  "parent group vars",
  "child group vars",
  "group_vars/all.yml",
  "group_vars/parent.yml",
  "group_vars/child.yml",
  "host vars",
  "host_vars/web1.yml",
  "play vars",
  "extra vars",
] as const;

type Layer = (typeof LAYERS)[number];

/** The value of `v` for web1 when every layer up to and including `top` sets it. */
function winner(top: Layer): unknown {
  const set = (layer: Layer): Vars | undefined => (LAYERS.indexOf(layer) <= LAYERS.indexOf(top) ? { v: layer } : undefined);
  const text = stringify({
    all: {
      vars: set("all vars") ?? {},
      children: {
        parent: {
          vars: set("parent group vars") ?? {},
          children: { child: { vars: set("child group vars") ?? {}, hosts: { web1: set("host vars") ?? null } } },
        },
      },
    },
  });
  const files = (entries: [string, Vars | undefined][]) => new Map(entries.filter((e): e is [string, Vars] => e[1] !== undefined));
  const inventory = parseInventory(text, "inventory/x.yml", {
    groupVars: files([
      ["all", set("group_vars/all.yml")],
      ["parent", set("group_vars/parent.yml")],
      ["child", set("group_vars/child.yml")],
    ]),
    hostVars: files([["web1", set("host_vars/web1.yml")]]),
  });
  const host = inventory.hosts.get("web1") as InventoryHost;
  const layers = { roleDefaults: set("role defaults"), playVars: set("play vars"), extraVars: set("extra vars") };
  return hostVarsWith(host, Object.fromEntries(Object.entries(layers).filter(([, v]) => v !== undefined))).v;
}

describe("variable precedence", () => {
  test.each(LAYERS.map((layer) => [layer]))("%s wins over every layer below it", (layer) => {
    expect(winner(layer)).toBe(layer);
  });

  test("group_vars/all.yml beats a child group's inline vars, as Ansible's default precedence does", async () => {
    const inventory = await loadInventory("site", { cwd: FIXTURES });
    expect(inventory.hosts.get("web1")?.vars.shadowed_by_all_file).toBe("all-file");
  });

  test("groups at the same depth apply in name order, so the later name wins", () => {
    const text =
      "all:\n  children:\n    zeta:\n      vars: { v: zeta }\n      hosts: { web1: }\n    alpha:\n      vars: { v: alpha }\n      hosts: { web1: }\n";
    expect(parseInventory(text, "inventory/x.yml").hosts.get("web1")?.vars.v).toBe("zeta");
  });

  test("ansible_group_priority reorders groups at the same depth", () => {
    const text =
      "all:\n  children:\n    zeta:\n      vars: { v: zeta }\n      hosts: { web1: }\n    alpha:\n      vars: { v: alpha, ansible_group_priority: 10 }\n      hosts: { web1: }\n";
    expect(parseInventory(text, "inventory/x.yml").hosts.get("web1")?.vars.v).toBe("alpha");
  });

  test("a deeper group wins over a shallower one whatever their names", () => {
    const text =
      "all:\n  children:\n    b:\n      vars: { v: b }\n      children:\n        a:\n          vars: { v: a }\n          hosts: { web1: }\n    c:\n      vars: { v: c }\n      hosts: { web1: }\n";
    expect(parseInventory(text, "inventory/x.yml").hosts.get("web1")?.vars.v).toBe("a");
  });

  test("a host listed twice merges its variables in file order", () => {
    const text = "all:\n  hosts:\n    web1: { a: 1, b: 1 }\n  children:\n    app:\n      hosts:\n        web1: { b: 2 }\n";
    expect(parseInventory(text, "inventory/x.yml").hosts.get("web1")?.vars).toEqual({ a: 1, b: 2 });
  });

  test("mergeVars() replaces mappings whole, like Ansible's hash_behaviour=replace", () => {
    expect(mergeVars({ m: { a: 1 }, keep: 1 }, undefined, { m: { b: 2 } })).toEqual({ m: { b: 2 }, keep: 1 });
  });

  test("hostVarsWith() adds magic variables that -e cannot override", () => {
    const host = parseInventory("all:\n  children:\n    app:\n      hosts:\n        web1.example.org:\n", "inventory/x.yml").hosts.get(
      "web1.example.org",
    ) as InventoryHost;
    expect(hostVarsWith(host, { extraVars: { inventory_hostname: "evil" } })).toEqual({
      inventory_hostname: "web1.example.org",
      inventory_hostname_short: "web1",
      group_names: ["app"],
    });
  });
});
