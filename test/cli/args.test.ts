import { parseCliArgs, usage, UsageError, DEFAULT_FORKS } from "../../lib/cli/args.js";
import type { PlaybookOption } from "../../lib/run/playbook.js";

const deployOptions: Record<string, PlaybookOption> = {
  tag: { type: "string", description: "Image tag to deploy" },
  rollback: { type: "boolean", description: "Go back to the previous release" },
  services: { type: "string", description: "Comma list of services" },
};

describe("parseCliArgs()", () => {
  test("defaults to the lab inventory, 10 forks and nothing else", () => {
    expect(parseCliArgs([])).toEqual({
      inventory: "lab",
      limit: undefined,
      check: false,
      diff: false,
      tags: [],
      skipTags: [],
      forks: DEFAULT_FORKS,
      extraVars: [],
      json: false,
      failOnChange: false,
      verbosity: 0,
      help: false,
      prefetch: true,
      vaultIds: [],
      vaultPasswordFiles: [],
      askVaultPass: false,
      playbookOptions: {},
      connection: {},
      askPass: false,
      askBecomePass: false,
      syntaxCheck: false,
      step: false,
      version: false,
    });
  });

  test.each<[string[], Record<string, unknown>]>([
    [
      ["-u", "deploy", "-b", "--private-key", "~/.ssh/ci", "-c", "ssh", "-T", "30"],
      { connection: { user: "deploy", become: true, privateKey: "~/.ssh/ci", connection: "ssh", timeout: "30" } },
    ],
    [
      ["--ssh-common-args", "-o ProxyJump=bastion", "--become-user", "root"],
      { connection: { sshCommonArgs: "-o ProxyJump=bastion", becomeUser: "root" } },
    ],
    [["-k", "-K"], { askPass: true, askBecomePass: true }],
    [["-t", "deploy,tls"], { tags: ["deploy", "tls"] }],
    [["--list-hosts"], { list: "hosts" }],
    [["--list-tasks"], { list: "tasks" }],
    [["--start-at-task", "compose up", "--step"], { startAtTask: "compose up", step: true }],
    [["--syntax-check"], { syntaxCheck: true }],
    [["--version"], { version: true }],
  ])("ansible-playbook's %j means what it means there", (argv, expected) => {
    expect(parseCliArgs(argv)).toMatchObject(expected);
  });

  test.each<[string[], RegExp]>([
    [["--become-method", "su"], /bosun does not take --become-method: bosun becomes root with sudo only/],
    [["--flush-cache"], /bosun does not take --flush-cache: bosun keeps no fact cache/],
    [["-M", "library"], /bosun does not take -M: tasks are TypeScript imports/],
    [["--become-user", "postgres"], /--become-user "postgres": bosun becomes root only/],
    [["-c", "winrm"], /--connection takes ssh or local, not "winrm"/],
    [["--list-hosts", "--list-tags"], /--list-hosts and --list-tags cannot be combined/],
  ])("ansible-playbook's %j that bosun lacks answers with what to use instead", (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  test.each<[string, string[], Record<string, unknown>]>([
    ["long inventory", ["--inventory", "cfa2"], { inventory: "cfa2" }],
    ["no prefetch", ["--no-prefetch"], { prefetch: false }],
    ["short inventory path", ["-i", "inventory/staging.yml"], { inventory: "inventory/staging.yml" }],
    ["inventory with =", ["--inventory=cfa2"], { inventory: "cfa2" }],
    ["limit with exclusion", ["--limit", "web*:!web3"], { limit: "web*:!web3" }],
    ["short limit", ["-l", "cfa2"], { limit: "cfa2" }],
    ["check and diff", ["--check", "--diff"], { check: true, diff: true }],
    ["short check and diff grouped", ["-CD"], { check: true, diff: true }],
    ["vault ids in order", ["--vault-id", "prod@p.txt", "--vault-id", "dev@prompt"], { vaultIds: ["prod@p.txt", "dev@prompt"] }],
    [
      "vault password files and -J",
      ["--vault-password-file", ".vault_pass", "-J"],
      { vaultPasswordFiles: [".vault_pass"], askVaultPass: true },
    ],
    ["tags as comma list, repeated", ["--tags", "a,b", "--tags", " c ,"], { tags: ["a", "b", "c"] }],
    ["skip-tags", ["--skip-tags", "slow"], { skipTags: ["slow"] }],
    ["forks", ["--forks", "3"], { forks: 3 }],
    ["short forks", ["-f", "25"], { forks: 25 }],
    ["repeated -e in order", ["-e", "a=1", "--extra-vars", "@vars.yml", "-e", '{"b":2}'], { extraVars: ["a=1", "@vars.yml", '{"b":2}'] }],
    ["-e value with = inside", ["-e", "url=http://x/?a=b"], { extraVars: ["url=http://x/?a=b"] }],
    ["json", ["--json"], { json: true }],
    ["-v", ["-v"], { verbosity: 1 }],
    ["-vv", ["-vv"], { verbosity: 2 }],
    ["-v -v -v", ["-v", "-v", "-v"], { verbosity: 3 }],
    ["--verbose", ["--verbose"], { verbosity: 1 }],
    ["help", ["-h"], { help: true }],
  ])("parses %s", (_name, argv, expected) => {
    expect(parseCliArgs(argv)).toMatchObject(expected);
  });

  test("parses the playbook's own string and boolean options", () => {
    const args = parseCliArgs(["--inventory", "cfa2", "--tag", "sha-abc123", "--rollback"], deployOptions);
    expect(args.inventory).toBe("cfa2");
    expect(args.playbookOptions).toEqual({ tag: "sha-abc123", rollback: true });
  });

  test("leaves playbook options that were not given out of the values", () => {
    expect(parseCliArgs([], deployOptions).playbookOptions).toEqual({});
  });

  test.each<[string, string[], RegExp]>([
    ["an unknown option", ["--bogus"], /^Unknown option --bogus$/],
    ["an unknown short option", ["-x"], /^Unknown option -x$/],
    ["a missing value", ["--inventory"], /^Option --inventory needs a value$/],
    ["a missing value of a short option", ["-e"], /^Option --extra-vars needs a value$/],
    ["a value given to a flag", ["--check=yes"], /^Option --check takes no value$/],
    ["a positional argument", ["deploy"], /^Unexpected argument "deploy"/],
    ["forks that is not a number", ["--forks", "ten"], /--forks needs a whole number of at least 1, not "ten"/],
    ["forks of zero", ["--forks", "0"], /--forks needs a whole number/],
    ["fractional forks", ["--forks", "1.5"], /--forks needs a whole number/],
    ["negative forks", ["--forks=-2"], /--forks needs a whole number/],
    ["an empty limit", ["--limit", ""], /--limit needs a host pattern/],
    ["an empty inventory", ["-i", ""], /--inventory needs an inventory name or path/],
    ["a playbook option given to a playbook without it", ["--tag", "x"], /^Unknown option --tag$/],
  ])("rejects %s with one clear message", (_name, argv, message) => {
    let error: unknown;
    try {
      parseCliArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toMatch(message);
    expect((error as UsageError).describe()).toContain("--help");
  });

  test("suggests the nearest option for a typo", () => {
    expect(() => parseCliArgs(["--inventroy", "x"])).toThrow(UsageError);
    try {
      parseCliArgs(["--skip-tag", "x"]);
    } catch (e) {
      expect((e as UsageError).describe()).toContain("Did you mean --skip-tags?");
    }
    expect.assertions(2);
  });

  test("rejects a playbook option that clashes with a built-in one", () => {
    expect(() => parseCliArgs([], { check: { type: "boolean", description: "x" } })).toThrow(/bosun defines --check itself/);
  });
});

describe("usage()", () => {
  const text = usage({ name: "deploy", plays: [{ name: "deploy" }], options: deployOptions }, "tsx playbooks/deploy.ts");

  test("lists every built-in option with its short form", () => {
    for (const flag of [
      "-i, --inventory",
      "-l, --limit",
      "-C, --check",
      "-D, --diff",
      "--tags",
      "--skip-tags",
      "-f, --forks",
      "-e, --extra-vars",
      "--json",
      "-v, --verbose",
      "-h, --help",
    ]) {
      expect(text).toContain(flag);
    }
  });

  test("lists the playbook's own options with their descriptions", () => {
    expect(text).toMatch(/--tag <value>\s+Image tag to deploy/);
    expect(text).toMatch(/--rollback\s+Go back to the previous release/);
  });

  test("shows an example with the playbook's first string option and the exit codes", () => {
    expect(text).toContain("tsx playbooks/deploy.ts --inventory cfa2 --tag <value>");
    expect(text).toContain("130 interrupted");
  });
});
