import {
  expectedRules,
  ruleArgs,
  ruleProblem,
  ruleSatisfied,
  rulesAfterAdd,
  rulesAfterDelete,
  formatRule,
} from "../../../lib/tasks/ufw/rule-spec.js";
import { parseNetwork, networkContains } from "../../../lib/tasks/ufw/addresses.js";
import { parseUfwTuple, type UfwRule } from "../../../lib/facts/ufw.js";
import { ufwAllow, ufwDeny, ufwLimit, ufwDefault, ufwEnable } from "../../../lib/tasks/ufw/index.js";

const tuple = (line: string, family: "v4" | "v6" = "v4") => parseUfwTuple(`### tuple ### ${line}`, family) as UfwRule;

describe("ufw rule spec", () => {
  test("expectedRules() matches the tuples ufw writes for a port rule in both families", () => {
    const [v4, v6] = expectedRules("allow", { port: 22, proto: "tcp", comment: "ssh x" }, true);
    expect(ruleSatisfied(v4!, tuple("allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in comment=7373682078"))).toBe(true);
    expect(ruleSatisfied(v6!, tuple("allow tcp 22 ::/0 any ::/0 in comment=7373682078", "v6"))).toBe(true);
  });

  test("expectedRules() keeps a rule with an address to that address's family, as ufw stores it", () => {
    expect(expectedRules("allow", { port: "6000:6007", proto: "udp", from: "10.0.0.0/8" }, true)).toEqual([
      {
        action: "allow",
        proto: "udp",
        dport: "6000:6007",
        dst: "0.0.0.0/0",
        sport: "any",
        src: "10.0.0.0/8",
        direction: "in",
        family: "v4",
      },
    ]);
    expect(expectedRules("deny", { from: "10.1.2.3/32" }, true)[0]).toMatchObject({ src: "10.1.2.3", dport: "any", proto: "any" });
    expect(expectedRules("allow", { from: "2001:db8:0:0::/32", port: 80, proto: "tcp" }, true)).toEqual([
      expect.objectContaining({ src: "2001:db8::/32", dst: "::/0", family: "v6" }),
    ]);
    expect(expectedRules("allow", { port: 80 }, false).map((r) => r.family)).toEqual(["v4"]);
  });

  test("ruleSatisfied() accepts any comment when none is wanted, and needs the same action", () => {
    const [wanted] = expectedRules("allow", { port: 22, proto: "tcp" }, false);
    expect(ruleSatisfied(wanted!, tuple("allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in comment=6869"))).toBe(true);
    expect(ruleSatisfied(wanted!, tuple("deny tcp 22 0.0.0.0/0 any 0.0.0.0/0 in"))).toBe(false);
    expect(ruleSatisfied(wanted!, tuple("allow any 22 0.0.0.0/0 any 0.0.0.0/0 in"))).toBe(false);
    const [commented] = expectedRules("allow", { port: 22, proto: "tcp", comment: "ssh" }, false);
    expect(ruleSatisfied(commented!, tuple("allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in comment=6869"))).toBe(false);
  });

  test("ruleArgs() spells the full ufw syntax, comment only when adding", () => {
    expect(ruleArgs("limit", { port: 22, proto: "tcp", comment: "ssh" }, true)).toEqual([
      "limit",
      "in",
      "proto",
      "tcp",
      "from",
      "any",
      "to",
      "any",
      "port",
      "22",
      "comment",
      "ssh",
    ]);
    expect(ruleArgs("deny", { from: "203.0.113.7", comment: "x" }, false)).toEqual(["deny", "in", "from", "203.0.113.7", "to", "any"]);
  });

  test("rulesAfterAdd() updates the same rule in place and appends a new one; rulesAfterDelete() removes it", () => {
    const rules = [tuple("allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in"), tuple("allow tcp 80 0.0.0.0/0 any 0.0.0.0/0 in")];
    const denied = rulesAfterAdd(rules, expectedRules("deny", { port: 22, proto: "tcp" }, false));
    expect(denied.map((r) => `${r.action} ${r.dport}`)).toEqual(["deny 22", "allow 80"]);
    const added = rulesAfterAdd(rules, expectedRules("allow", { port: 443, proto: "tcp" }, false));
    expect(added.map((r) => r.dport)).toEqual(["22", "80", "443"]);
    expect(rulesAfterDelete(rules, expectedRules("allow", { port: 22, proto: "tcp" }, false)).map((r) => r.dport)).toEqual(["80"]);
    expect(rulesAfterDelete(rules, expectedRules("deny", { port: 22, proto: "tcp" }, false))).toHaveLength(2);
  });

  test("formatRule() reads as one line", () => {
    expect(formatRule(tuple("allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in comment=7373682078"))).toBe(
      "allow in tcp port 22 from 0.0.0.0/0 to 0.0.0.0/0 (v4) # ssh x",
    );
  });

  test("parseNetwork() normalises like ufw and refuses host bits", () => {
    expect(parseNetwork("10.0.0.0/8")).toMatchObject({ family: "v4", text: "10.0.0.0/8" });
    expect(parseNetwork("2001:DB8::1/128")).toMatchObject({ family: "v6", text: "2001:db8::1" });
    expect(parseNetwork("10.1.2.3/8")).toMatch(/host bits set; write the network as 10\.0\.0\.0\/8/);
    expect(parseNetwork("example.org")).toMatch(/not an IPv4\/IPv6 address/);
    expect(parseNetwork("10.0.0.0/33")).toMatch(/prefix longer than 32/);
    expect(networkContains("10.0.0.0/8", "10.200.1.1")).toBe(true);
    expect(networkContains("10.0.0.0/8", "11.0.0.1")).toBe(false);
    expect(networkContains("0.0.0.0/0", "::ffff:172.18.0.1")).toBe(true);
    expect(networkContains("2001:db8::/32", "2001:db8:1::5")).toBe(true);
    expect(networkContains("2001:db8::/32", "10.0.0.1")).toBe(false);
  });
});

describe("ufw rule params", () => {
  test("ruleProblem() accepts ports, ranges with a protocol and addresses of one family", () => {
    expect(ruleProblem({ port: 22 })).toBeUndefined();
    expect(ruleProblem({ port: "6000:6007", proto: "tcp", from: "10.0.0.0/8", to: "10.0.0.5" })).toBeUndefined();
  });

  test.each([
    [{ port: 70000 }, /parameter "port" must be a port/],
    [{ port: "80,443" }, /parameter "port" must be a port/],
    [{ port: "6007:6000", proto: "tcp" }, /must go from low to high/],
    [{ port: "6000:6007" }, /parameter "proto" must be "tcp" or "udp" with a port range/],
    [{ from: "10.1.2.3/8" }, /parameter "from": "10\.1\.2\.3\/8" has host bits set/],
    [{ to: "example.org" }, /parameter "to": .* is not an IPv4\/IPv6 address/],
    [{ from: "10.0.0.1", to: "::1" }, /same IP family/],
    [{ comment: "it's" }, /parameter "comment" must not contain/],
  ])("ruleProblem() rejects %j, naming the parameter", (p, message) => {
    expect(ruleProblem(p as never)).toMatch(message);
  });

  test("bad params are rejected when the task is called, naming the task and the parameter", () => {
    expect(() => ufwAllow({ port: "6000:6007" })).toThrow(/Cannot use ufw\.allow: parameter "proto"/);
    expect(() => ufwDeny({ proto: "icmp" as never })).toThrow(/Cannot use ufw\.deny: .*proto/);
    expect(() => ufwLimit({ port: 22, source: "x" } as never)).toThrow(/Cannot use ufw\.limit: unknown parameter "source"/);
    expect(() => ufwDefault({})).toThrow(/Cannot use ufw\.default: give at least one of the parameters "incoming"/);
    expect(() => ufwDefault({ incoming: "drop" as never })).toThrow(/Cannot use ufw\.default: .*incoming/);
    expect(() => ufwEnable({ state: "on" as never })).toThrow(/Cannot use ufw\.enable: .*state/);
  });
});
