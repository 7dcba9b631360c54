/**
 * An inventory with a host bosun cannot drive (another connection plugin, become as another user)
 * loads; a run fails only when it selects that host, naming it, as Ansible fails only on that host.
 */
import { InventoryError } from "../../lib/core/errors.js";
import { parseInventory } from "../../lib/inventory/parse.js";
import type { Playbook } from "../../lib/run/playbook.js";
import { selectedHosts } from "../../lib/run/selected-hosts.js";
import { thrown } from "./fixtures.js";

const INI = [
  "[webservers]",
  "web1 ansible_host=192.0.2.10",
  "[switches]",
  "sw1 ansible_host=192.0.2.20",
  "[switches:vars]",
  "ansible_connection=ansible.netcommon.network_cli",
  "ansible_network_os=cisco.ios.ios",
  "[db]",
  "db1 ansible_become=true ansible_become_user=postgres",
].join("\n");

const book = (hosts: string): Playbook => ({ name: "site", options: {}, plays: [{ name: "site", hosts, run: async () => undefined }] });

describe("hosts bosun cannot drive", () => {
  const inventory = parseInventory(INI, "hosts.ini");

  test("the inventory loads with every host", () => {
    expect([...inventory.hosts.keys()]).toEqual(["web1", "sw1", "db1"]);
  });

  test("a run that does not select them runs", () => {
    expect(selectedHosts(book("webservers"), inventory)).toEqual(["web1"]);
    expect(selectedHosts(book("all"), inventory, { limit: "!switches:!db" })).toEqual(["web1"]);
  });

  test("a run that selects one fails before anything runs, naming the host and the setting", () => {
    const error = thrown(() => selectedHosts(book("all"), inventory));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toMatch(/^Cannot build the connection of host "sw1": ansible_connection is "ansible\.netcommon\.network_cli"/);
    expect(thrown(() => selectedHosts(book("db"), inventory)).message).toBe(
      'Cannot read the become settings of host "db1": ansible_become_user is "postgres"; bosun becomes root only',
    );
  });
});
