import { parseUfwTuple, parseUfwState, type UfwRule } from "../../../lib/facts/ufw.js";
import { decidingRule, guardedSsh, portMatches, sshReachable, type GuardedSsh } from "../../../lib/tasks/ufw/ssh-guard.js";
import { ufwEnable, ufwAllow, ufwDefault } from "../../../lib/tasks/ufw/index.js";
import { fakeHost } from "../../support/host.js";

const tuple = (line: string, family: "v4" | "v6" = "v4") => parseUfwTuple(`### tuple ### ${line}`, family) as UfwRule;
const ssh: GuardedSsh = { port: 22, clientIp: "172.18.0.1", serverIp: "172.18.0.3", source: "SSH_CONNECTION" };
const on = (rules: UfwRule[], incoming: "allow" | "deny" | "reject" = "deny") => ({ enabled: true, incoming, rules });

describe("SSH guard", () => {
  test("portMatches() understands any, single ports, ranges and lists", () => {
    expect(portMatches("any", 22)).toBe(true);
    expect(portMatches("22", 22)).toBe(true);
    expect(portMatches("2222", 22)).toBe(false);
    expect(portMatches("20:30", 22)).toBe(true);
    expect(portMatches("80,443,20:25", 22)).toBe(true);
  });

  test("sshReachable() lets SSH through a disabled ufw or an allow policy", () => {
    expect(sshReachable({ enabled: false, incoming: "deny", rules: [] }, ssh)).toBe(true);
    expect(sshReachable(on([], "allow"), ssh)).toBe(true);
    expect(sshReachable(on([]), ssh)).toBe(false);
  });

  test("sshReachable() takes the first matching rule, like ufw's chain", () => {
    expect(sshReachable(on([tuple("limit tcp 22 0.0.0.0/0 any 0.0.0.0/0 in")]), ssh)).toBe(true);
    expect(
      sshReachable(on([tuple("deny any any 0.0.0.0/0 any 172.18.0.0/16 in"), tuple("allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in")]), ssh),
    ).toBe(false);
    expect(sshReachable(on([tuple("allow tcp 22 0.0.0.0/0 any 10.0.0.0/8 in")]), ssh)).toBe(false);
    expect(sshReachable(on([tuple("allow udp 22 0.0.0.0/0 any 0.0.0.0/0 in")]), ssh)).toBe(false);
    expect(sshReachable(on([tuple("allow tcp 22 ::/0 any ::/0 in", "v6")]), ssh)).toBe(false);
    expect(sshReachable(on([tuple("allow any 1:1000 172.18.0.3 any 172.18.0.0/16 in")]), ssh)).toBe(true);
    expect(decidingRule([tuple("allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 out")], ssh)).toBeUndefined();
  });

  test("guardedSsh() prefers SSH_CONNECTION, falls back to the inventory port, and skips local connections", () => {
    expect(guardedSsh({ clientIp: "1.2.3.4", clientPort: 5, serverIp: "5.6.7.8", serverPort: 22 }, { ansible_port: 2222 })?.port).toBe(22);
    expect(guardedSsh(undefined, { ansible_port: "2222" })).toEqual({ port: 2222, source: "inventory" });
    expect(guardedSsh(undefined, {})?.port).toBe(22);
    expect(guardedSsh(undefined, { ansible_connection: "local" })).toBeUndefined();
  });
});

const state = (opts: { enabled: boolean; rules: string[]; incoming?: string }) =>
  `@@defaults\nIPV6=no\nDEFAULT_INPUT_POLICY="${opts.incoming ?? "DROP"}"\n@@conf\nENABLED=${opts.enabled ? "yes" : "no"}\n@@rules4\n${opts.rules.map((r) => `### tuple ### ${r}\n`).join("")}@@rules6\n@@running\n${opts.enabled ? "yes" : "no"}\n@@ssh\n172.18.0.1 40000 172.18.0.3 22\n`;

describe("ufw tasks refuse to cut SSH (plans against scripted ufw state)", () => {
  test("ufwEnable() refuses while no rule allows the session's port, with a hint", async () => {
    const { host, connection } = fakeHost({
      respond: () => ({ stdout: state({ enabled: false, rules: ["allow tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in"] }) }),
    });
    const r = await host.run(ufwEnable({})).catch((e: { result: { message: string } }) => e.result);
    expect(r.message).toMatch(
      /Cannot enable ufw without cutting this session: no rule allows SSH \(port 22, from 172\.18\.0\.1\) \(incoming policy: deny\)/,
    );
    expect(r.message).toMatch(/hint: add ufwAllow\(\{ port: 22, proto: "tcp" \}\)/);
    expect(connection.executed).toHaveLength(1);
  });

  test("ufwEnable() plans `ufw --force enable` once SSH is allowed", async () => {
    const { host, connection } = fakeHost({
      check: true,
      respond: () => ({ stdout: state({ enabled: false, rules: ["allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in"] }) }),
    });
    const r = await host.run(ufwEnable({}));
    expect(r.status).toBe("changed");
    expect(r.message).toBe("enable ufw");
    expect(connection.executed).toHaveLength(1);
  });

  test("ufwAllow({ state: absent }) refuses to delete the rule that lets SSH in while ufw is enabled", async () => {
    const { host } = fakeHost({
      respond: () => ({ stdout: state({ enabled: true, rules: ["allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in"] }) }),
    });
    const r = await host.run(ufwAllow({ port: 22, proto: "tcp", state: "absent" })).catch((e: { result: { message: string } }) => e.result);
    expect(r.message).toMatch(
      /Cannot delete ufw rule "allow in tcp port 22" without cutting this session: no rule would allow SSH \(port 22, from 172\.18\.0\.1\) after this change/,
    );
  });

  test("ufwDefault() refuses a deny incoming policy on an enabled ufw that only the policy keeps open", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: state({ enabled: true, rules: [], incoming: "ACCEPT" }) }) });
    const r = await host.run(ufwDefault({ incoming: "deny" })).catch((e: { result: { message: string } }) => e.result);
    expect(r.message).toMatch(
      /Cannot set ufw's default incoming policy to deny without cutting this session: no rule would allow SSH .* after this change/,
    );
  });

  test("ufw tasks fail with a hint when ufw is not installed", async () => {
    const { host } = fakeHost({ respond: () => ({ stdout: "@@absent\n" }) });
    const r = await host.run(ufwAllow({ port: 80 })).catch((e: { result: { message: string } }) => e.result);
    expect(r.message).toMatch(/Cannot add ufw rule "allow in port 80": ufw is not installed\n {2}hint: install it first/);
    expect(parseUfwState("@@absent\n").installed).toBe(false);
  });
});

describe("ufw tasks in check mode plan what an earlier task may make possible", () => {
  test("ufwAllow() in check mode on a host without ufw plans the rule and says ufw is missing", async () => {
    const { host } = fakeHost({ check: true, respond: () => ({ stdout: "@@absent\n" }) });
    const r = await host.run(ufwAllow({ port: 22, proto: "tcp" }));
    expect(r.status).toBe("changed");
    expect(r.message).toBe(
      "add rule allow in tcp port 22; ufw is not installed yet, so applying fails unless an earlier task of this run provides it",
    );
  });

  test("ufwEnable() in check mode warns instead of refusing: an earlier task may allow SSH", async () => {
    const { host } = fakeHost({ check: true, respond: () => ({ stdout: state({ enabled: false, rules: [] }) }) });
    const r = await host.run(ufwEnable({}));
    expect(r.status).toBe("changed");
    expect(r.message).toMatch(
      /^enable ufw; no rule allows SSH \(port 22, from 172\.18\.0\.1\) \(incoming policy: deny\) yet, so applying fails unless an earlier task of this run provides it$/,
    );
  });
});
