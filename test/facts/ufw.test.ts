import { parseUfwState, parseUfwTuple, parseSshConnection, decodeUfwComment, encodeUfwComment, ufwState } from "../../lib/facts/ufw.js";

const SAMPLE = `@@defaults
# /etc/default/ufw
IPV6=yes
DEFAULT_INPUT_POLICY="DROP"
DEFAULT_OUTPUT_POLICY="ACCEPT"
DEFAULT_FORWARD_POLICY="REJECT"
@@conf
# /etc/ufw/ufw.conf
ENABLED=yes
LOGLEVEL=low
@@rules4
### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 in comment=7373682078
### tuple ### allow udp 6000:6007 0.0.0.0/0 any 10.0.0.0/8 in comment=783131
### tuple ### limit tcp 2222 0.0.0.0/0 any 0.0.0.0/0 in
### tuple ### deny any any 0.0.0.0/0 any 192.168.1.5 in
### tuple ### allow tcp 22 0.0.0.0/0 any 0.0.0.0/0 OpenSSH - in
@@rules6
### tuple ### allow tcp 22 ::/0 any ::/0 in comment=7373682078
@@running
yes
@@ssh
172.18.0.1 34332 172.18.0.3 22
`;

describe("ufwState", () => {
  test("ufwState parses policies, enabled state, rules of both families and the SSH connection", () => {
    const st = parseUfwState(SAMPLE);
    if (!st.installed) throw new Error("expected installed");
    expect(st).toMatchObject({
      enabled: true,
      running: true,
      ipv6: true,
      defaults: { incoming: "deny", outgoing: "allow", routed: "reject" },
    });
    expect(st.rules).toHaveLength(6);
    expect(st.rules[0]).toEqual({
      action: "allow",
      proto: "tcp",
      dport: "22",
      dst: "0.0.0.0/0",
      sport: "any",
      src: "0.0.0.0/0",
      direction: "in",
      comment: "ssh x",
      family: "v4",
    });
    expect(st.rules[1]).toMatchObject({ proto: "udp", dport: "6000:6007", src: "10.0.0.0/8", comment: "x11" });
    expect(st.rules[3]).toMatchObject({ action: "deny", dport: "any", src: "192.168.1.5" });
    expect(st.rules[4]).toMatchObject({ dapp: "OpenSSH", direction: "in" });
    expect(st.rules[4]?.sapp).toBeUndefined();
    expect(st.rules[5]).toMatchObject({ family: "v6", src: "::/0" });
    expect(st.ssh).toEqual({ clientIp: "172.18.0.1", clientPort: 34332, serverIp: "172.18.0.3", serverPort: 22 });
  });

  test("ufwState reports a disabled ufw with no rules and no SSH connection", () => {
    const st = parseUfwState("@@defaults\nIPV6=no\n@@conf\nENABLED=no\n@@rules4\n@@rules6\n@@running\nno\n@@ssh\n\n");
    expect(st).toEqual({
      installed: true,
      enabled: false,
      running: false,
      ipv6: false,
      defaults: { incoming: "deny", outgoing: "allow", routed: "deny" },
      rules: [],
    });
  });

  test("ufwState says when ufw is not installed", () => {
    expect(parseUfwState("@@absent\n")).toEqual({ installed: false });
  });

  test("ufwState refuses to guess when the rules are unreadable or the output is unexpected", () => {
    expect(() => parseUfwState("@@unreadable\n")).toThrow(/permission denied \(run with sudo\)/);
    expect(() => parseUfwState("bash: oops\n")).toThrow(/unexpected output/);
    expect(() => ufwState.parse({ code: 1, stdout: "", stderr: "boom", durationMs: 1 }, undefined)).toThrow(/boom/);
  });

  test("parseUfwTuple ignores lines that are not tuples", () => {
    expect(parseUfwTuple("-A ufw-user-input -p tcp --dport 22 -j ACCEPT", "v4")).toBeUndefined();
    expect(parseUfwTuple("### tuple ### allow tcp 22", "v4")).toBeUndefined();
  });

  test("ufw comments round-trip through ufw's hex encoding, UTF-8 included", () => {
    expect(encodeUfwComment("a b é")).toBe("61206220c3a9");
    expect(decodeUfwComment("61206220c3a9")).toBe("a b é");
  });

  test("parseSshConnection reads the server-side port (4th field)", () => {
    expect(parseSshConnection("203.0.113.9 50000 10.0.0.2 2222\n")?.serverPort).toBe(2222);
    expect(parseSshConnection("")).toBeUndefined();
    expect(parseSshConnection("a b c")).toBeUndefined();
  });
});
