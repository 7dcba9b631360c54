/**
 * Host patterns and `--limit` evaluated by bosun and by `ansible <pattern> --list-hosts` (Debian's
 * ansible package) on real inventories of the corpus: the same hosts must be selected, and names
 * that match nothing must be warned about by both. Subscripts are used on groups whose order
 * Ansible fixes (its own hosts, then its direct children's); deeper levels come from a Python set.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadInventorySources } from "../../lib/inventory/sources.js";
import { selectHosts } from "../../lib/inventory/select-hosts.js";
import type { Inventory } from "../../lib/inventory/types.js";
import { setWarningSink } from "../../lib/inventory/warnings.js";
import { ansibleListHosts } from "./ansible-run.js";

const CORPUS = fileURLToPath(new URL("../fixtures/inventory-corpus/", import.meta.url));
const ARCH = [join(CORPUS, "archlinux-infrastructure/inventory")];
const COMPLEX = [join(CORPUS, "ansible-tests-complex-ini/inventory/complex.ini")];
const BOTH = [...ARCH, join(CORPUS, "openshift-ansible-glusterfs/inventory/hosts.glusterfs.storage-and-registry.example")];

const retryDir = mkdtempSync(join(tmpdir(), "bosun-limit-"));
const RETRY = join(retryDir, "site.retry");
writeFileSync(RETRY, "apollo.archlinux.org\nnot-a-host.example\n\nwiki.archlinux.org\n");

const inventories = new Map<readonly string[], Promise<Inventory>>();
const load = (sources: readonly string[]): Promise<Inventory> => {
  if (!inventories.has(sources)) inventories.set(sources, loadInventorySources(sources));
  return inventories.get(sources)!;
};

const cases: [string, readonly string[], string, string | undefined][] = [
  ["all", ARCH, "all", undefined],
  ["star", ARCH, "*", undefined],
  ["a group", ARCH, "hetzner", undefined],
  ["a union with :", ARCH, "nginx:mysql_servers", undefined],
  ["an intersection", ARCH, "nginx:&mysql_servers", undefined],
  ["an exclusion", ARCH, "nginx:!mysql_servers", undefined],
  ["an exclusion with ,", ARCH, "nginx,!mysql_servers", undefined],
  ["only an exclusion", ARCH, "!nginx", undefined],
  ["only an intersection", ARCH, "&borg_clients", undefined],
  ["exclusions before the union", ARCH, "!hetzner:nginx:!bbs.archlinux.org", undefined],
  ["a glob on host names", ARCH, "*.pkgbuild.com", undefined],
  ["a glob on groups and hosts", ARCH, "mirror*", undefined],
  ["a glob inside", ARCH, "*mirror*", undefined],
  ["a character class", ARCH, "[ab]*", undefined],
  ["a regex", ARCH, "~^repro[12]", undefined],
  ["a regex anchored at the start only", ARCH, "~(aur|bbs)\\.arch", undefined],
  ["a host", ARCH, "apollo.archlinux.org", undefined],
  ["two hosts", ARCH, "apollo.archlinux.org,luna.archlinux.org", undefined],
  ["subscript [0]", ARCH, "borg_clients[0]", undefined],
  ["subscript [-1]", ARCH, "borg_clients[-1]", undefined],
  ["subscript [1:3]", ARCH, "borg_clients[1:3]", undefined],
  ["subscript [15:]", ARCH, "borg_clients[15:]", undefined],
  ["subscript [0:0]", ARCH, "node_exporters[0:0]", undefined],
  ["subscript of all", ARCH, "all[2:4]", undefined],
  ["subscript on a glob of groups", ARCH, "rebuilderd*[1]", undefined],
  ["subscripts in a union", ARCH, "gitlab_runners[1:],kape_servers[0]", undefined],
  ["a union with an unknown group", ARCH, "nginx:nosuchgroup", undefined],
  ["only unknown names", ARCH, "nosuchhost,other", undefined],
  ["a subscript of an unknown name", ARCH, "web[0]", undefined],
  ["an unknown exclusion", ARCH, "nginx:!nosuch", undefined],
  ["limit to a group", ARCH, "all", "nginx"],
  ["limit with subscripts and a union", ARCH, "all", "nginx[0:2],prometheus"],
  ["limit excluding a glob", ARCH, "nginx", "!aur*"],
  ["limit that intersects the play", ARCH, "hetzner", "mysql_servers"],
  ["limit from a retry file with an unknown name", ARCH, "all", `@${RETRY}`],
  ["limit mixing a retry file and a group", ARCH, "all", `@${RETRY},prometheus`],
  ["limit with an unknown name", ARCH, "all", "nginx,ghost"],
  ["nested groups", COMPLEX, "parent_3", undefined],
  ["nested groups intersected", COMPLEX, "parent_1:&test_group2", undefined],
  ["a host listed in a parent group", COMPLEX, "parent_3:!test_group3", undefined],
  ["a glob of parents", COMPLEX, "parent_*:!test1", undefined],
  ["ungrouped", COMPLEX, "ungrouped", undefined],
  ["two sources", BOTH, "nodes:hetzner:!node[0-2]", undefined],
  ["two sources with a limit", BOTH, "all", "glusterfs,apollo*"],
];

beforeAll(() => setWarningSink(() => undefined));
afterAll(() => setWarningSink(undefined));

describe("host patterns and --limit against ansible --list-hosts", () => {
  test("there are at least 30 patterns", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  test.each(cases.map(([name, sources, pattern, limit]) => [name, pattern, limit ?? "-", sources, limit] as const))(
    "%s: %s (--limit %s)",
    async (_name, pattern, _shown, sources, limit) => {
      const ansible = await ansibleListHosts(sources, pattern, limit);
      const warnings: string[] = [];
      const bosun = selectHosts(await load(sources), pattern, { ...(limit === undefined ? {} : { limit }), warn: (m) => warnings.push(m) });
      expect([...bosun].sort()).toEqual([...ansible.hosts].sort());
      const ansibleIgnored = [
        ...ansible.stderr.replace(/\n\s*/g, " ").matchAll(/Could not match supplied host pattern, ignoring: (\S+)/g),
      ].map((m) => m[1]);
      const bosunIgnored = warnings.map((w) => /ignoring: (\S+)/.exec(w)?.[1]).filter(Boolean);
      expect([...new Set(bosunIgnored)].sort()).toEqual([...new Set(ansibleIgnored)].sort());
    },
    60_000,
  );

  test("a --limit subscript past the end is an error in both", async () => {
    await expect(ansibleListHosts(ARCH, "all", "hetzner[7]")).rejects.toThrow(/No hosts matched the subscripted pattern 'hetzner\[7\]'/);
    expect(() => selectHosts(inventoryNow!, "all", "hetzner[7]")).toThrow(/No hosts matched the subscripted pattern 'hetzner\[7\]'/);
  }, 60_000);
});

let inventoryNow: Inventory | undefined;
beforeAll(async () => {
  inventoryNow = await load(ARCH);
});
