import { parseJumpHost } from "../../lib/inventory/jump-host.js";
import { parseSshArgs, type SshArgs } from "../../lib/inventory/ssh-args.js";
import { splitShellWords } from "../../lib/inventory/shell-words.js";
import { thrown } from "./fixtures.js";

describe("parseSshArgs()", () => {
  test.each<[string, SshArgs]>([
    ["-o StrictHostKeyChecking=no", { hostKeyPolicy: "off" }],
    ["-oStrictHostKeyChecking=accept-new", { hostKeyPolicy: "accept-new" }],
    ["-o 'StrictHostKeyChecking ask'", { hostKeyPolicy: "strict" }],
    ["-o stricthostkeychecking=OFF", { hostKeyPolicy: "off" }],
    ["-o UserKnownHostsFile=/dev/null", { knownHostsPath: "/dev/null" }],
    [`-o 'UserKnownHostsFile="/a b/known" /c'`, { knownHostsPath: "/a b/known" }],
    ["-o ProxyJump=ops@bastion:2222", { jump: [{ user: "ops", host: "bastion", port: 2222 }] }],
    ["-o ProxyJump=none", { jump: [] }],
    ["-J a,b:23", { jump: [{ host: "a" }, { host: "b", port: 23 }] }],
    ["-Jops@a", { jump: [{ user: "ops", host: "a" }] }],
    ["-o ConnectTimeout=7", { connectTimeoutSeconds: 7 }],
    ["-p 2200", { port: 2200 }],
    ["-p2200 -o Port=2300", { port: 2200 }],
    ["-o Port=2300", { port: 2300 }],
    ["-o StrictHostKeyChecking=no -o StrictHostKeyChecking=yes", { hostKeyPolicy: "off" }],
    [
      "-i ~/.ssh/other -l someone -o ControlMaster=auto -o ControlPersist=60s -vvv -C",
      { identityFile: "~/.ssh/other", user: "someone", persistSeconds: 60 },
    ],
    ["-o ControlPersist=no", { persistSeconds: 0 }],
    ["-o ControlPersist=yes", { persistSeconds: Infinity }],
    ["-o ControlPersist=0", { persistSeconds: Infinity }],
    ["-o ControlPersist=1h30m", { persistSeconds: 5400 }],
    ["-o ControlPersist=90", { persistSeconds: 90 }],
    ["-i -p -p 2201", { identityFile: "-p", port: 2201 }],
    ['-o ProxyCommand="ssh -W %h:%p -q bastion"', { proxyCommand: "ssh -W %h:%p -q bastion" }],
    ["-o ProxyCommand=none -o ProxyJump=none", { jump: [] }],
    [
      "-F /etc/ssh/ci_config -o HostName=10.0.0.5 -o User=deploy",
      { configFile: "/etc/ssh/ci_config", hostName: "10.0.0.5", user: "deploy" },
    ],
    ["", {}],
  ])("parseSshArgs(%j) reads %j", (text, expected) => {
    expect(parseSshArgs(text)).toEqual(expected);
  });

  test.each([
    "-o ControlPersist=soon",
    "-A",
    "-L 8080:localhost:80",
    "-o ForwardAgent=yes",
    "-o LocalForward=8080 localhost:80",
    "-X",
    "-W host:22",
    "bastion",
  ])("parseSshArgs(%j) refuses an option bosun cannot honour, naming it", (text) => {
    expect(() => parseSshArgs(text)).toThrow(/bosun cannot honour the ssh option/);
  });

  test("parseSshArgs() refuses unbalanced quotes", () => {
    expect(thrown(() => parseSshArgs("-o 'ProxyJump=a")).message).toBe(`Cannot split "-o 'ProxyJump=a" into words: unclosed '`);
  });
});

describe("parseJumpHost()", () => {
  test.each([
    ["bastion", { host: "bastion" }],
    ["ops@bastion", { user: "ops", host: "bastion" }],
    ["ops@bastion:2222", { user: "ops", host: "bastion", port: 2222 }],
    ["ssh://ops@bastion:2222", { user: "ops", host: "bastion", port: 2222 }],
    ["[2001:db8::1]:22", { host: "2001:db8::1", port: 22 }],
  ])("parseJumpHost(%j) is %j", (text, expected) => {
    expect(parseJumpHost(text)).toEqual(expected);
  });

  test.each(["", "a@", "host:port", "host:70000", "a b"])("parseJumpHost(%j) throws", (text) => {
    expect(() => parseJumpHost(text)).toThrow(/^Cannot read jump host/);
  });
});

describe("splitShellWords()", () => {
  test.each<[string, string[]]>([
    ["a b  c", ["a", "b", "c"]],
    [`'a b' "c d" e\\ f`, ["a b", "c d", "e f"]],
    [`"say \\"hi\\" \\$x" 'it''s'`, ['say "hi" $x', "its"]],
    [`x='' y=""`, ["x=", "y="]],
    [`''`, [""]],
  ])("splitShellWords(%j) is %j", (text, words) => {
    expect(splitShellWords(text)).toEqual(words);
  });
});
