/**
 * Inventory sources as `-i` takes them: a directory (files inside merged, what Ansible skips
 * skipped, its group_vars/host_vars), a comma list, several sources merged in order, content
 * detection; compared with `ansible-inventory --list` on the same files. Then the defaults from
 * ANSIBLE_INVENTORY and ansible.cfg, and the retry file.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { InventoryError } from "../../lib/core/errors.js";
import { ansibleSettings, readConfigDefaults } from "../../lib/inventory/ansible-config.js";
import { retryFilePath, writeRetryFile } from "../../lib/inventory/retry-file.js";
import { loadInventorySources } from "../../lib/inventory/sources.js";
import type { Inventory } from "../../lib/inventory/types.js";
import { setWarningSink } from "../../lib/inventory/warnings.js";
import { ansibleGroupMembers, ansibleInventoryList, type AnsibleList } from "./ansible-run.js";
import { rejected } from "./fixtures.js";

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "bosun-sources-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function expectSame(inventory: Inventory, list: AnsibleList): void {
  const members = ansibleGroupMembers(list);
  expect([...inventory.hosts.keys()].sort()).toEqual([...(members.get("all") ?? [])].sort());
  for (const [group, hosts] of members)
    expect({ group, hosts: [...(inventory.groups.get(group) ?? [])].sort() }).toEqual({ group, hosts: [...hosts].sort() });
  for (const host of inventory.hosts.keys()) {
    expect({ host, vars: JSON.parse(JSON.stringify(inventory.hosts.get(host)!.vars)) as unknown }).toEqual({
      host,
      vars: list._meta?.hostvars?.[host] ?? {},
    });
  }
}

const warnings: string[] = [];
beforeAll(() => setWarningSink((m) => warnings.push(m)));
afterAll(() => setWarningSink(undefined));
beforeEach(() => warnings.splice(0));

// A directory inventory as Ansible users keep them: INI and YAML side by side, an inventory
// script, files Ansible skips, vars beside them, a subdirectory.
const DIR = {
  "inv/10-web": "[web]\nweb[1:2] http_port=8080\n\n[web:vars]\nrole=web\n",
  "inv/20-db.yml": "db:\n  hosts:\n    db1:\n      role: db\n  vars:\n    port: 5432\nweb:\n  hosts:\n    web2:\n      http_port: 9090\n",
  "inv/legacy.ini": "[ignored]\nnever\n",
  "inv/README.md": "# notes\n",
  "inv/hosts.retry": "web1\n",
  "inv/.hidden": "[hidden]\nnope\n",
  "inv/sub/30-extra": "extra1 ansible_port=2222\n",
  "inv/group_vars/all.yml": "ntp: time.example.org\nrole: any\n",
  "inv/group_vars/web/a.yml": "tier: front\n",
  "inv/group_vars/web/b": "tier: edge\n",
  "inv/host_vars/db1.yml": "port: 6543\n",
  "more.ini": "[db]\ndb2\n[db:vars]\nport=5433\n[web]\nweb1 http_port=81\n",
  "group_vars/db.yml": "backup: true\n",
};

describe("inventory sources", () => {
  test("a directory loads every inventory inside, skipping what Ansible skips, with its group_vars and host_vars", async () => {
    const root = tree(DIR);
    const { list } = await ansibleInventoryList([join(root, "inv")]);
    const inventory = await loadInventorySources([join(root, "inv")]);
    expectSame(inventory, list);
    expect(inventory.hosts.has("never")).toBe(false);
    expect(inventory.hosts.get("web2")!.vars).toMatchObject({ tier: "edge", http_port: 9090, ntp: "time.example.org" });
  }, 60_000);

  test("several sources merge in order, later variables winning, each with its own group_vars", async () => {
    const root = tree(DIR);
    const sources = [join(root, "inv"), join(root, "more.ini"), "web9,db1:2200,"];
    const { list } = await ansibleInventoryList(sources);
    const inventory = await loadInventorySources(sources);
    expectSame(inventory, list);
    expect(inventory.hosts.get("web1")!.vars.http_port).toBe(81);
    expect(inventory.hosts.get("db2")!.vars.backup).toBe(true);
    expect(inventory.groups.get("ungrouped")).toEqual(["extra1", "web9"]);
  }, 60_000);

  test("ansible_group_priority orders groups of equal depth when written inline, not in a group_vars file", async () => {
    const root = tree({
      "hosts.yml":
        "a:\n  hosts: { h1: }\n  vars: { x: a, ansible_group_priority: 10 }\nb:\n  hosts: { h1: }\n  vars: { x: b }\nc:\n  hosts: { h1: }\nd:\n  hosts: { h1: }\n",
      "group_vars/c.yml": "y: c\nansible_group_priority: 10\n",
      "group_vars/d.yml": "y: d\n",
    });
    const { list } = await ansibleInventoryList([join(root, "hosts.yml")]);
    const inventory = await loadInventorySources([join(root, "hosts.yml")]);
    expectSame(inventory, list);
    expect(inventory.hosts.get("h1")!.vars).toMatchObject({ x: "a", y: "d" });
  }, 60_000);

  test("YAML shapes Ansible accepts with a warning load as Ansible loads them, with the same warnings", async () => {
    const root = tree({
      "odd.yml": "web:\n  hosts: 192.168.0.2\n  hostz:\n    web2:\n  note: plain\nbroken: [a, b]\nall:\n  vars:\n    x: 1\n",
    });
    const { list, stderr } = await ansibleInventoryList([join(root, "odd.yml")]);
    const inventory = await loadInventorySources([join(root, "odd.yml")]);
    expectSame(inventory, list);
    const said = stderr.replace(/\s+/g, " ");
    for (const warning of warnings.map((w) => w.replace(/ it is a \w+$/, ""))) expect(said).toContain(warning);
    expect(warnings).toEqual([
      'Skipping unexpected key (hostz) in group (web), only "vars", "children" and "hosts" are valid',
      "Skipping key (note) in group (web) as it is not a mapping, it is a string",
      "Skipping 'broken' as this is not a valid group definition",
    ]);
  }, 60_000);

  test("a comma list is hosts, with ports; a repeated source changes nothing", async () => {
    const { list } = await ansibleInventoryList(["web1,web2:2222,", "web1,"]);
    const inventory = await loadInventorySources(["web1,web2:2222,", "web1,"]);
    expectSame(inventory, list);
    expect(inventory.hosts.get("web2")!.vars).toEqual({ ansible_port: 2222 });
  }, 60_000);

  test("a file is told YAML or INI by its content, whatever its name", async () => {
    const root = tree({ "prod.hosts": "[app]\nweb1\n", staging: "app:\n  hosts:\n    web2:\n", "inventory.txt.yml": "[app]\nweb3\n" });
    const ini = await loadInventorySources([join(root, "prod.hosts")]);
    const yaml = await loadInventorySources([join(root, "staging")]);
    expect(ini.groups.get("app")).toEqual(["web1"]);
    expect(yaml.groups.get("app")).toEqual(["web2"]);
    const error = await rejected(loadInventorySources([join(root, "inventory.txt.yml")]));
    expect(error.message).toMatch(/inventory\.txt\.yml:2:1: YAML syntax error/);
  });

  test("a name with no file of that name is looked for under inventory/, as --inventory cfa2 always was", async () => {
    const root = tree({ "inventory/cfa2.yml": "all:\n  hosts:\n    cfa2:\n", "inventory/hosts": "[x]\nx1\n", hosts: "[y]\ny1\n" });
    expect([...(await loadInventorySources(["cfa2"], { cwd: root })).hosts.keys()]).toEqual(["cfa2"]);
    // A file of that name in the current directory wins, as for ansible -i hosts.
    expect([...(await loadInventorySources(["hosts"], { cwd: root })).hosts.keys()]).toEqual(["y1"]);
    const error = await rejected(loadInventorySources(["prod"], { cwd: root }));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toMatch(/^Cannot load inventory "prod": .*\(available: cfa2, hosts\)$/);
  });

  test("an executable inventory script is refused when named, and skipped with a warning inside a directory", async () => {
    const root = tree({ "inv/ec2.py": "#!/usr/bin/env python3\nprint('{}')\n", "inv/hosts": "[app]\nweb1\n" });
    chmodSync(join(root, "inv/ec2.py"), 0o755);
    const error = await rejected(loadInventorySources([join(root, "inv/ec2.py")]));
    expect(error.message).toMatch(/is an executable inventory script; bosun does not run inventory scripts/);
    const inventory = await loadInventorySources([join(root, "inv")]);
    expect([...inventory.hosts.keys()]).toEqual(["web1"]);
    expect(warnings.some((w) => /^Unable to parse .*ec2\.py as an inventory source/.test(w))).toBe(true);
  });

  test("an INI error names the file and line with Ansible's words", async () => {
    const root = tree({
      "hosts.ini": "[web]\nweb1 port\n",
      "bad.ini": "[web:vars]\nx=1\n",
      "loop.ini": "[a:children]\nb\n[b:children]\na\n",
    });
    expect((await rejected(loadInventorySources([join(root, "hosts.ini")]))).message).toMatch(
      /hosts\.ini:2: Expected key=value host variable assignment, got: port$/,
    );
    expect((await rejected(loadInventorySources([join(root, "bad.ini")]))).message).toMatch(
      /bad\.ini:1: Section \[web:vars\] not valid for undefined group: web$/,
    );
    expect((await rejected(loadInventorySources([join(root, "loop.ini")]))).message).toMatch(
      /loop\.ini:4: Adding group 'a' as child to 'b' creates a recursive dependency loop\.$/,
    );
  });

  test("Ansible's warnings for odd group names and a host named like a group", async () => {
    const root = tree({ hosts: "[kube-node]\nn1\n[n1]\nx\n" });
    await loadInventorySources([join(root, "hosts")]);
    expect(warnings).toEqual([
      "Invalid characters were found in group names but not replaced: kube-node",
      "Found both group and host with same name: n1",
    ]);
  });
});

describe("ansibleSettings()", () => {
  test("ANSIBLE_INVENTORY wins over ansible.cfg, and is a comma list of paths from the current directory", () => {
    const root = tree({ "ansible.cfg": "[defaults]\ninventory = ./inventories/prod, extra.ini ; inline comment\n" });
    expect(ansibleSettings({ cwd: root, env: {}, home: root }).inventory).toEqual([
      join(root, "inventories/prod"),
      join(root, "extra.ini"),
    ]);
    expect(ansibleSettings({ cwd: root, env: { ANSIBLE_INVENTORY: "a.yml,b" }, home: root }).inventory).toEqual([
      join(root, "a.yml"),
      join(root, "b"),
    ]);
  });

  test("ANSIBLE_CONFIG, then ./ansible.cfg, then ~/.ansible.cfg; paths in the file start at its directory", () => {
    const root = tree({
      "cfg/my.cfg": "[defaults]\ninventory=hosts\n",
      "home/.ansible.cfg": "[defaults]\ninventory: ~/inv\nretry_files_enabled = True\n",
      "work/x": "",
    });
    const home = join(root, "home");
    const fromEnv = ansibleSettings({ cwd: join(root, "work"), env: { ANSIBLE_CONFIG: join(root, "cfg/my.cfg") }, home });
    expect(fromEnv).toMatchObject({ configFile: join(root, "cfg/my.cfg"), inventory: [join(root, "cfg/hosts")], retryFilesEnabled: false });
    const fromHome = ansibleSettings({ cwd: join(root, "work"), env: { HOME: home }, home, systemFile: join(root, "none") });
    expect(fromHome.configFile).toBe(join(home, ".ansible.cfg"));
    expect(fromHome.retryFilesEnabled).toBe(true);
  });

  test("readConfigDefaults() reads only [defaults], with configparser's comments and continuation lines", () => {
    const text = "# c\n[defaults]\nInventory = a,\n  b\n; c\nforks=5\n[ssh_connection]\ninventory=no\n";
    expect(Object.fromEntries(readConfigDefaults(text))).toEqual({ inventory: "a,\nb", forks: "5" });
  });
});

describe("retry files", () => {
  test("are written beside the playbook, sorted, only when enabled, and read back by --limit @file", () => {
    const root = tree({ "playbooks/deploy.ts": "" });
    const playbook = join(root, "playbooks/deploy.ts");
    expect(writeRetryFile(playbook, ["web2", "db1"], { retryFilesEnabled: false })).toBeUndefined();
    const path = writeRetryFile(playbook, ["web2", "db1", "web2"], { retryFilesEnabled: true });
    expect(path).toBe(join(root, "playbooks/deploy.retry"));
    expect(readFileSync(path!, "utf8")).toBe("db1\nweb2\n");
    expect(retryFilePath(playbook, { retryFilesSavePath: join(root, "retries") })).toBe(join(root, "retries/deploy.retry"));
  });
});
