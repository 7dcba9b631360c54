import { InventoryError } from "../../lib/core/errors.js";
import { inventoryFromHosts, singleHostInventory } from "../../lib/inventory/in-code.js";
import { thrown } from "./fixtures.js";

describe("inventories built in code", () => {
  test("singleHostInventory() builds one host with its connection", () => {
    const inventory = singleHostInventory("web1", { ansible_host: "203.0.113.10", ansible_user: "deploy", ansible_become: true });
    expect(inventory.source).toBe("<memory>");
    expect(inventory.hosts.get("web1")).toMatchObject({
      groups: ["all", "ungrouped"],
      connection: { kind: "ssh", host: "203.0.113.10", user: "deploy", port: 22 },
      become: { enabled: true },
    });
  });

  test("inventoryFromHosts() puts hosts in groups with group variables", () => {
    const inventory = inventoryFromHosts(
      { web1: null, web2: { http_port: 81 } },
      { groups: { app: ["web1", "web2"] }, vars: { http_port: 80, tier: "all" }, groupVars: { app: { tier: "app" } } },
    );
    expect(inventory.groups.get("app")).toEqual(["web1", "web2"]);
    expect(inventory.hosts.get("web1")?.vars).toEqual({ http_port: 80, tier: "app" });
    expect(inventory.hosts.get("web2")?.vars).toEqual({ http_port: 81, tier: "app" });
  });

  test("inventoryFromHosts() checks variables like an inventory file, naming the path", () => {
    const error = thrown(() => inventoryFromHosts({ web1: { ansible_port: "ssh" } }));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe('<memory> all.hosts.web1.ansible_port: must be a port number from 1 to 65535 (got "ssh")');
  });
});
