import { parseInventory } from "../../lib/inventory/parse.js";

describe("parseInventory()", () => {
  test("parseInventory() accepts hosts and groups written with no value", () => {
    const inventory = parseInventory(
      "all:\n  hosts:\n    web1:\n  children:\n    empty:\n    app:\n      hosts:\n        web2:\n",
      "inventory/x.yml",
    );
    expect([...inventory.hosts.keys()]).toEqual(["web1", "web2"]);
    expect(inventory.groups.get("empty")).toEqual([]);
    expect(inventory.hosts.get("web1")?.vars).toEqual({});
  });

  test("parseInventory() makes top-level groups other than all children of all", () => {
    const inventory = parseInventory("webservers:\n  hosts:\n    web1:\n  vars:\n    role: web\n", "inventory/x.yml");
    expect(inventory.hosts.get("web1")).toMatchObject({ groups: ["all", "webservers"], vars: { role: "web" } });
    expect(inventory.groups.get("all")).toEqual(["web1"]);
  });

  test("parseInventory() expands Ansible host ranges, zero-padded like the start", () => {
    const inventory = parseInventory(
      "all:\n  hosts:\n    web[08:10].example.org:\n      ansible_user: deploy\n    db-[a:c]:\n",
      "inventory/x.yml",
    );
    expect([...inventory.hosts.keys()]).toEqual(["web08.example.org", "web09.example.org", "web10.example.org", "db-a", "db-b", "db-c"]);
    expect(inventory.hosts.get("web09.example.org")?.vars).toEqual({ ansible_user: "deploy" });
  });

  test("parseInventory() follows YAML anchors and merge keys like PyYAML", () => {
    const text =
      "all:\n  hosts:\n    web1: &web\n      ansible_user: deploy\n      http_port: 80\n    web2:\n      <<: *web\n      http_port: 81\n";
    expect(parseInventory(text, "inventory/x.yml").hosts.get("web2")?.vars).toEqual({ ansible_user: "deploy", http_port: 81 });
  });

  test("parseInventory() reads YAML 1.1 scalars like Ansible: yes is true, y is a string, 0644 is octal", () => {
    const vars = parseInventory(
      "all:\n  vars:\n    a: yes\n    b: y\n    c: 0644\n    d: '0644'\n  hosts:\n    web1:\n",
      "inventory/x.yml",
    ).hosts.get("web1")?.vars;
    expect(vars).toEqual({ a: true, b: "y", c: 420, d: "0644" });
  });

  test("parseInventory() accepts an empty file as an inventory without hosts", () => {
    const inventory = parseInventory("# nothing yet\n", "inventory/x.yml");
    expect(inventory.hosts.size).toBe(0);
    expect(inventory.groups.get("all")).toEqual([]);
  });

  test("parseInventory() leaves Jinja expressions other than lookups as they are", () => {
    const vars = parseInventory('all:\n  vars:\n    greeting: "{{ name }}"\n  hosts:\n    web1:\n', "inventory/x.yml").hosts.get(
      "web1",
    )?.vars;
    expect(vars?.greeting).toBe("{{ name }}");
  });
});
