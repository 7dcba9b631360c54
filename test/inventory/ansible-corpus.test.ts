/**
 * Real inventories from public repositories (test/fixtures/inventory-corpus, each with a SOURCE)
 * loaded by bosun and by `ansible-inventory --list` (Debian's ansible package): hosts, groups and
 * every variable of every host must be equal. The Ansible tools must be installed: the test fails,
 * naming the package, when they are not.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadInventorySources } from "../../lib/inventory/sources.js";
import { setWarningSink } from "../../lib/inventory/warnings.js";
import { ansibleGroupMembers, ansibleInventoryList } from "./ansible-run.js";

const CORPUS = fileURLToPath(new URL("../fixtures/inventory-corpus/", import.meta.url));

interface Source {
  readonly repository: string;
  readonly inventory: string[];
  readonly files: { path: string; from: string; commit: string }[];
  readonly expect?: string;
}

const entries = readdirSync(CORPUS).sort();
const source = (name: string): Source => parse(readFileSync(join(CORPUS, name, "SOURCE"), "utf8")) as Source;
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

beforeAll(() => setWarningSink(() => undefined));
afterAll(() => setWarningSink(undefined));

describe("the inventory corpus", () => {
  test("holds at least 10 inventories, each with a SOURCE naming repository, path and commit, YAML and INI among them", () => {
    expect(entries.length).toBeGreaterThanOrEqual(10);
    for (const name of entries) {
      const s = source(name);
      expect(s.repository).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
      expect(s.files.length).toBeGreaterThan(0);
      for (const f of s.files) expect(f.commit).toMatch(/^[0-9a-f]{40}$/);
    }
    const all = entries.flatMap((n) => source(n).files.map((f) => f.path));
    expect(all.some((p) => /\.ya?ml$/.test(p) && !/_vars\//.test(p))).toBe(true);
    expect(all.some((p) => /\.ini$/.test(p))).toBe(true);
    expect(all.some((p) => p.includes("group_vars/"))).toBe(true);
    expect(all.some((p) => p.includes("host_vars/"))).toBe(true);
  });
});

describe.each(entries)("corpus inventory %s", (name) => {
  const dir = join(CORPUS, name);
  const s = source(name);
  const paths = s.inventory.map((i) => join(dir, i));

  if (s.expect === "error") {
    test("is refused by bosun as ansible-inventory refuses it, with Ansible's reason", async () => {
      const { stderr } = await ansibleInventoryList(paths);
      expect(stderr).toMatch(/Unable to parse/);
      const reason = /includes undefined group: \S+|not valid for undefined group: \S+/.exec(stderr.replace(/\s+/g, " "))?.[0];
      expect(reason).toBeDefined();
      await expect(loadInventorySources(paths, { cwd: dir })).rejects.toThrow(reason!);
    }, 60_000);
    return;
  }

  test("has the same hosts, groups and variables as ansible-inventory --list", async () => {
    const { list } = await ansibleInventoryList(paths);
    const inventory = await loadInventorySources(paths, { cwd: dir });
    const members = ansibleGroupMembers(list);

    const ansibleHosts = [...(members.get("all") ?? [])].sort();
    expect([...inventory.hosts.keys()].sort()).toEqual(ansibleHosts);
    expect(ansibleHosts.length).toBeGreaterThan(0);

    for (const [group, hosts] of members)
      expect({ group, hosts: [...(inventory.groups.get(group) ?? [])].sort() }).toEqual({ group, hosts: [...hosts].sort() });
    for (const [group, hosts] of inventory.groups) if (!members.has(group)) expect({ group, hosts }).toEqual({ group, hosts: [] });

    const hostvars = list._meta?.hostvars ?? {};
    for (const host of ansibleHosts)
      expect({ host, vars: plain(inventory.hosts.get(host)!.vars) }).toEqual({ host, vars: hostvars[host] ?? {} });
  }, 60_000);
});
