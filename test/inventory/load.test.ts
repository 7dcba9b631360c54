import { join } from "node:path";
import { InventoryError } from "../../lib/core/errors.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { FIXTURES, rejected } from "./fixtures.js";

const cwd = FIXTURES;

describe("loadInventory()", () => {
  test("loadInventory() reads an Ansible YAML inventory unchanged, hosts in file order", async () => {
    const inventory = await loadInventory("site", { cwd });
    expect(inventory.source).toBe("inventory/site.yml");
    expect([...inventory.hosts.keys()]).toEqual(["bastion", "web1", "web2", "db1", "localhost"]);
  });

  test("loadInventory() lists each group with the hosts it holds directly or through children", async () => {
    const inventory = await loadInventory("site", { cwd });
    expect(Object.fromEntries(inventory.groups)).toEqual({
      all: ["bastion", "web1", "web2", "db1", "localhost"],
      app: ["web1", "web2"],
      canary: ["web2"],
      db: ["db1"],
      monitoring: ["web1", "db1"],
      local: ["localhost"],
      ungrouped: ["bastion"],
    });
  });

  test("loadInventory() gives a host every group it is in, parents before children", async () => {
    const inventory = await loadInventory("site", { cwd });
    expect(inventory.hosts.get("web2")?.groups).toEqual(["all", "app", "canary"]);
    expect(inventory.hosts.get("web1")?.groups).toEqual(["all", "app", "monitoring"]);
    expect(inventory.hosts.get("bastion")?.groups).toEqual(["all", "ungrouped"]);
  });

  test("loadInventory() accepts the .yaml suffix for a name", async () => {
    const inventory = await loadInventory("staging", { cwd });
    expect(inventory.source).toBe("inventory/staging.yaml");
    expect([...inventory.hosts.keys()]).toEqual(["stage1"]);
  });

  test("loadInventory() accepts a relative or absolute path", async () => {
    const relative = await loadInventory("inventory/staging.yaml", { cwd });
    const absolute = await loadInventory(join(FIXTURES, "inventory/site.yml"), { cwd: "/" });
    expect([...relative.hosts.keys()]).toEqual(["stage1"]);
    expect(absolute.hosts.size).toBe(5);
  });

  test("loadInventory() merges group_vars and host_vars files beside the inventory", async () => {
    const inventory = await loadInventory("site", { cwd });
    expect(inventory.hosts.get("web1")?.vars).toMatchObject({ ntp_server: "time.example.org", http_port: 80, app_from_file: true });
    expect(inventory.hosts.get("web2")?.vars).toMatchObject({ http_port: 9090, app_from_file: true });
  });

  test("loadInventory() reads a group_vars directory in name order, later files winning", async () => {
    const inventory = await loadInventory("site", { cwd });
    expect(inventory.hosts.get("db1")?.vars).toMatchObject({ db_engine: "mariadb", db_port: 5432 });
  });

  test("loadInventory() does not read vars files of hosts the inventory does not list", async () => {
    // host_vars/ghost holds a YAML syntax error.
    await expect(loadInventory("site", { cwd })).resolves.toBeDefined();
  });

  test("loadInventory() names the files it tried and the inventories available when a name is unknown", async () => {
    const error = await rejected(loadInventory("prod", { cwd }));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe(
      'Cannot load inventory "prod": no file or directory prod here, nor prod.yml, prod.yaml, prod, prod.ini or prod.json in inventory/ (available: secrets, site, staging)',
    );
  });

  test("loadInventory() says when a path does not exist", async () => {
    const error = await rejected(loadInventory("inventory/nope.yml", { cwd }));
    expect(error.message).toBe("Cannot load inventory inventory/nope.yml: no such file or directory");
  });
});
