/**
 * Every program that the tests, their helpers and the lab run on THIS machine (the controller),
 * and where each comes from. The single list behind `npm run lab -- prerequisites` (which installs
 * the missing Debian packages; the README's `npm test` reaches it through jest's globalSetup,
 * `lab image`), `.ci/run` (installs, then prints every version at the top of its log) and
 * `scripts/fresh-check.sh` (names every missing one up front).
 *
 * To add one: append an entry below, with the Debian 12 package that provides it (`apt-file search
 * bin/NAME`), or `from` when no Debian 12 package does; `usedBy` names a file that runs it. Then
 * run `npm run test:unit -- test/lab/controller-tools` (it scans lib/lab and test/ and fails naming
 * any program run there that is missing here; a call whose program it cannot read, such as a shell
 * running a computed script, says what it runs in a `// controller-tools: NAME ...` comment above it).
 * Nothing here imports anything: the list must stay readable before anything else works.
 */

/** Where a controller tool comes from when it is not a Debian 12 package. */
export type ControllerToolSource =
  /** Node.js 20 or later, installed by the user before anything else (nodesource, nvm, ...). */
  | "node"
  /** node_modules/.bin, installed by `npm ci`. */
  | "npm ci"
  /** Installed by the lab itself on first use (see the file in `usedBy`). */
  | "lab";

/** One program run on the controller. */
export interface ControllerTool {
  /** The name it is run by (a basename looked up on PATH; `docker compose` for the CLI plugin). */
  readonly program: string;
  /** The Debian 12 package that provides it, installed with apt-get when the program is missing. */
  readonly debianPackage?: string;
  /** Where it comes from instead, when no Debian 12 package provides it. */
  readonly from?: ControllerToolSource;
  /**
   * True when the program must come from {@link debianPackage} itself: another package's program of
   * that name will not do (busybox-static, not the dynamically linked busybox).
   */
  readonly exactPackage?: boolean;
  /** argv that prints its version (for `.ci/run`'s log); the package version is printed regardless. */
  readonly version?: readonly string[];
  /** A file that runs it (one is enough: it tells a reader why the entry is here). */
  readonly usedBy: string;
}

/** Entries for several programs of one base-system package (no version line of their own). */
function base(debianPackage: string, programs: string, usedBy: string): ControllerTool[] {
  return programs.split(" ").map((program) => ({ program, debianPackage, usedBy }));
}

/** The controller's prerequisites (see the file comment for how to add one). */
export const CONTROLLER_TOOLS: readonly ControllerTool[] = [
  // Before anything else: Node and npm (not from Debian 12, whose nodejs is 18), git to clone.
  { program: "node", from: "node", version: ["node", "--version"], usedBy: "package.json (jest, tsx)" },
  { program: "npm", from: "node", version: ["npm", "--version"], usedBy: "package.json" },
  { program: "npx", from: "node", version: ["npx", "--version"], usedBy: "test/playbooks/deploy-gapless.e2e.test.ts" },
  { program: "git", debianPackage: "git", version: ["git", "--version"], usedBy: "scripts/fresh-check.sh" },
  { program: "tsx", from: "npm ci", version: ["node_modules/.bin/tsx", "--version"], usedBy: "test/e2e/global-setup.ts" },

  // The lab: containers, the host image, SSH into the hosts.
  { program: "docker", debianPackage: "docker.io", version: ["docker", "--version"], usedBy: "lib/lab/hosts.ts" },
  { program: "dockerd", debianPackage: "docker.io", version: ["dockerd", "--version"], usedBy: "lib/lab/prerequisites.ts" },
  {
    program: "docker compose",
    from: "lab",
    version: ["docker", "compose", "version"],
    usedBy: "lib/lab/services/compose-plugin.ts (Debian trixie's docker-compose .deb)",
  },
  { program: "iptables-save", debianPackage: "iptables", version: ["iptables-save", "--version"], usedBy: "test/lab/hosts.e2e.test.ts" },
  { program: "debootstrap", debianPackage: "debootstrap", version: ["debootstrap", "--version"], usedBy: "lib/lab/image.ts" },
  { program: "ssh", debianPackage: "openssh-client", version: ["ssh", "-V"], usedBy: "lib/lab/ssh-ready.ts" },
  { program: "ssh-keygen", debianPackage: "openssh-client", usedBy: "lib/lab/key.ts" },
  { program: "ssh-keyscan", debianPackage: "openssh-client", usedBy: "lib/lab/ssh-ready.ts" },
  { program: "apt-get", debianPackage: "apt", version: ["apt-get", "--version"], usedBy: "lib/lab/services/apt.ts" },
  { program: "dpkg", debianPackage: "dpkg", version: ["dpkg", "--version"], usedBy: "lib/lab/services/compose-plugin.ts" },
  { program: "dpkg-deb", debianPackage: "dpkg", usedBy: "lib/lab/services/build-image.ts" },
  { program: "dpkg-query", debianPackage: "dpkg", usedBy: "lib/lab/prerequisites.ts" },
  { program: "ldconfig", debianPackage: "libc-bin", usedBy: "lib/lab/services/build-image.ts" },
  { program: "gpg", debianPackage: "gpg", version: ["gpg", "--version"], usedBy: "lib/lab/services/docker-repo.ts" },
  { program: "gpgconf", debianPackage: "gpgconf", usedBy: "lib/lab/services/docker-repo.ts" },
  { program: "gpg-agent", debianPackage: "gpg-agent", usedBy: "lib/lab/services/docker-repo.ts (started by gpg to sign)" },
  { program: "tar", debianPackage: "tar", version: ["tar", "--version"], usedBy: "lib/lab/image.ts" },
  { program: "sysctl", debianPackage: "procps", usedBy: "lib/lab/prerequisites.ts" },

  // The tests themselves.
  { program: "bash", debianPackage: "bash", version: ["bash", "--version"], usedBy: "test/security/injection-quote.test.ts" },
  { program: "python3", debianPackage: "python3", version: ["python3", "--version"], usedBy: "test/tasks/http/wait-for-http.test.ts" },
  { program: "wget", debianPackage: "wget", version: ["wget", "--version"], usedBy: "test/tasks/http/wait-for-http.test.ts" },
  { program: "depcruise", from: "npm ci", usedBy: "test/scripts/layers.test.ts" },
  { program: "file", debianPackage: "file", usedBy: "test/cli/json-callback.test.ts (Ansible's modules)" },
  { program: "sudo", debianPackage: "sudo", version: ["sudo", "--version"], usedBy: "test/run/prefetch.test.ts" },
  // The base system (Essential or Priority: required on Debian): there on every Debian machine,
  // listed because unit tests run the library's remote commands with this machine's /bin/sh.
  ...base("dash", "sh dash", "test/tasks/command.test.ts"),
  ...base(
    "coreutils",
    "base64 basename cat chmod chown chroot cut date dirname env head ln ls mkdir mktemp mv od printf readlink rm sha256sum sleep stat tail touch tr",
    "test/tasks/files/atomic-write.test.ts",
  ),
  ...base("sed", "sed", "test/facts/access.test.ts"),
  ...base("grep", "grep", "test/tasks/command.test.ts"),
  ...base("mawk", "awk", "test/tasks/ci/runner-config.test.ts"),
  ...base("findutils", "find", "test/facts/files.test.ts"),
  ...base("hostname", "hostname", "test/tasks/ci/runner-config.test.ts"),
  ...base("e2fsprogs", "lsattr", "test/cli/json-callback.test.ts"),
  // Static: the test copies it into an image that has no libc.
  {
    program: "busybox",
    debianPackage: "busybox-static",
    exactPackage: true,
    version: ["busybox", "--help"],
    usedBy: "test/lab/docker-variant.e2e.test.ts",
  },
  { program: "curl", debianPackage: "curl", version: ["curl", "--version"], usedBy: "test/playbooks/bootstrap.e2e.test.ts" },
  { program: "openssl", debianPackage: "openssl", version: ["openssl", "version"], usedBy: "test/tasks/http/local-server.ts" },
  { program: "ansible", debianPackage: "ansible", version: ["ansible", "--version"], usedBy: "test/inventory/ansible-limit.test.ts" },
  { program: "ansible-inventory", debianPackage: "ansible", usedBy: "test/inventory/ansible-corpus.test.ts" },
  { program: "ansible-vault", debianPackage: "ansible", usedBy: "test/inventory/vault-ansible.test.ts" },
  { program: "ansible-playbook", debianPackage: "ansible", usedBy: "test/cli/json-callback.test.ts" },
];

/** The Debian packages of {@link CONTROLLER_TOOLS}, each once, in list order. */
export function controllerDebianPackages(tools: readonly ControllerTool[] = CONTROLLER_TOOLS): string[] {
  return [...new Set(tools.flatMap((t) => (t.debianPackage ? [t.debianPackage] : [])))];
}
