import fc from "fast-check";
import { assertShardable, inShard, parseShard, shardOfHost } from "../../lib/run/shard.js";
import { playbook } from "../../lib/run/playbook.js";
import { selectedHosts } from "../../lib/run/selected-hosts.js";
import { inventoryFromHosts } from "../../lib/inventory/index.js";

const names = (n: number, prefix = "web"): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}.example.net`);

describe("shardOfHost()", () => {
  test("adding a host moves no other host between shards", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 40 }),
        fc.string({ minLength: 1 }),
        fc.integer({ min: 2, max: 12 }),
        (hosts, added, total) => {
          const before = new Map(hosts.map((h) => [h, shardOfHost(h, total)]));
          const fleet = [...hosts, added];
          for (const h of hosts) expect(shardOfHost(h, total)).toBe(before.get(h));
          expect(fleet.map((h) => shardOfHost(h, total)).every((s) => s >= 1 && s <= total)).toBe(true);
        },
      ),
    );
  });

  test("every host lands in exactly one shard of n", () => {
    const hosts = names(200);
    for (const total of [1, 2, 3, 4, 7]) {
      for (const h of hosts) {
        const owners = Array.from({ length: total }, (_, i) => i + 1).filter((index) => inShard(h, { index, total }));
        expect(owners).toHaveLength(1);
      }
    }
  });

  test("going from 4 to 5 shards moves only hosts into the new shard", () => {
    for (const h of names(500)) {
      const after = shardOfHost(h, 5);
      if (after !== 5) expect(after).toBe(shardOfHost(h, 4));
    }
  });

  test("spreads 1000 hosts over 4 shards within 20% of an even share", () => {
    const sizes = [0, 0, 0, 0];
    for (const h of names(1000, "node-")) sizes[shardOfHost(h, 4) - 1]!++;
    for (const size of sizes) expect(Math.abs(size - 250)).toBeLessThan(50);
  });
});

describe("selectedHosts() with a shard", () => {
  const book = playbook({ name: "bootstrap", hosts: "all", async run() {} });
  const local = { ansible_connection: "local" };
  const fleet = (hosts: readonly string[]) => inventoryFromHosts(Object.fromEntries(hosts.map((h) => [h, local])));
  const shards = (hosts: readonly string[], limit?: string) =>
    [1, 2, 3, 4].map((index) => selectedHosts(book, fleet(hosts), { shard: { index, total: 4 }, ...(limit ? { limit } : {}) }));

  test("adding hosts to the inventory moves no other host between shards", () => {
    const before = shards(names(40));
    const after = shards(["aaa.example.net", ...names(40), "zzz.example.net", "web20b.example.net"]);
    before.forEach((hosts, i) => expect(after[i]!.filter((h) => names(40).includes(h))).toEqual(hosts));
    expect(before.flat().sort()).toEqual(names(40).sort());
  });

  test("applies --limit first: the shards of a limited run split the limited hosts", () => {
    const limited = shards(names(40), "web1*");
    expect(limited.flat().sort()).toEqual(
      names(40)
        .filter((h) => h.startsWith("web1"))
        .sort(),
    );
  });
});

describe("parseShard()", () => {
  test.each([
    ["1/4", { index: 1, total: 4 }],
    ["4/4", { index: 4, total: 4 }],
    [" 2 / 3 ", { index: 2, total: 3 }],
  ])("reads %s", (text, shard) => expect(parseShard(text)).toEqual(shard));

  test.each(["0/4", "5/4", "1", "a/b", "1/0", "-1/2", ""])("refuses %j", (text) => expect(parseShard(text)).toBeUndefined());
});

describe("assertShardable()", () => {
  const rolling = playbook({ name: "deploy", hosts: "all", serial: 1, async run() {} });
  const flat = playbook({ name: "bootstrap", hosts: "all", async run() {} });

  test("refuses a play with serial, naming the play and saying what to do", () => {
    expect(() => assertShardable(rolling, { index: 1, total: 2 })).toThrow(
      /Cannot run --shard 1\/2: play "deploy" \(serial: 1\) orders its hosts/,
    );
    try {
      assertShardable(rolling, { index: 1, total: 2 });
    } catch (error) {
      expect((error as { context: { hint: string } }).context.hint).toMatch(/one job/);
    }
  });

  test("accepts plays without serial, and any play as shard 1/1", () => {
    expect(() => assertShardable(flat, { index: 2, total: 3 })).not.toThrow();
    expect(() => assertShardable(rolling, { index: 1, total: 1 })).not.toThrow();
  });
});
