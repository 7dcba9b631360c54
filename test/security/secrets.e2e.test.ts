/**
 * Secrets never leak: every secret used here is registered; after real runs on a lab host over
 * SSH we scan everything bosun printed on the controller (progress, -v/-vv, --diff, --json,
 * errors, recap), every command text sent to the host (unmasked, as the connection saw it), and
 * the argv of every process the host ran meanwhile (sampled from /proc), and find none.
 */
import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { SshConnection } from "../../lib/connection/ssh.js";
import type { Connection, ConnectionSpec } from "../../lib/core/connection.js";
import type { Command } from "../../lib/core/command.js";
import { sh } from "../../lib/core/command.js";
import { playbook } from "../../lib/run/playbook.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { secret, registeredSecrets } from "../../lib/core/secrets.js";
import { runCli } from "../../lib/cli/main.js";
import { loadInventory } from "../../lib/inventory/index.js";
import { ensureFile, templateFile } from "../../lib/tasks/files/index.js";
import { command } from "../../lib/tasks/command.js";
import { dockerLogin } from "../../lib/tasks/docker/index.js";
import { servicesUp } from "../../lib/lab/services/index.js";
import { useLab, sshExec } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-secrets", count: 1, variant: "docker" });

/** The secrets of this test, each distinctive so a scan cannot miss it. */
const SECRETS = {
  fileContent: "file-content-secret-7f3a9c",
  templateVar: "template-var-secret-2b8e41",
  stdinValue: "stdin-secret-value-9d0c55",
  errorValue: "error-path-secret-41aa07",
};

let registry: { address: string; username: string; password: string };
let workDir: string;

/** A connection that records every command text and stdin exactly as sent (before masking). */
class RecordingConnection implements Connection {
  readonly texts: string[] = [];
  constructor(private readonly inner: SshConnection) {}
  get kind() {
    return this.inner.kind;
  }
  get user() {
    return this.inner.user;
  }
  open() {
    return this.inner.open();
  }
  exec(c: Command) {
    this.texts.push(c.text);
    return this.inner.exec(c);
  }
  close() {
    return this.inner.close();
  }
}

const secretsBook = playbook({
  name: "secrets",
  hosts: "all",
  async run(host, vars) {
    await host.run(dockerLogin({ registry: registry.address, username: registry.username, password: secret(registry.password) }));
    await host.run(ensureFile({ path: "/root/secret-file", content: secret(SECRETS.fileContent), mode: "0600" }));
    await host.run(templateFile({ src: path.join(workDir, "t.hbs"), dest: "/root/secret-template", mode: "0600" }));
    await host.run(command({ cmd: sh`sha256sum`, stdin: secret(SECRETS.stdinValue) }));
    // A failing command whose stderr echoes a secret: the error path must mask it.
    await host.run(command({ cmd: sh`sh -c ${"cat >&2; exit 7"}`, stdin: secret(SECRETS.errorValue), ignoreErrors: true }));
    if (vars.template_secret !== SECRETS.templateVar) throw new Error("inventory secret not loaded");
  },
});

function scan(text: string, where: string, found: string[]): void {
  for (const value of registeredSecrets()) if (text.includes(value)) found.push(`${where}: ${value.slice(0, 6)}…`);
}

describe("secrets never leak", () => {
  let inventoryPath: string;
  beforeAll(async () => {
    const services = await servicesUp();
    registry = services.registry;
    workDir = mkdtempSync(path.join(os.tmpdir(), "bosun-secrets-"));
    writeFileSync(path.join(workDir, "t.hbs"), "token={{template_secret}}\n");
    const host = lab().hosts[0];
    if (!host) throw new Error("no lab host");
    process.env.BOSUN_TEST_TEMPLATE_SECRET = SECRETS.templateVar;
    inventoryPath = path.join(workDir, "inventory.yml");
    writeFileSync(
      inventoryPath,
      [
        "all:",
        "  vars:",
        "    template_secret: !env BOSUN_TEST_TEMPLATE_SECRET",
        "  hosts:",
        `    ${host.name}:`,
        "      ansible_host: 127.0.0.1",
        `      ansible_port: ${host.sshPort}`,
        "      ansible_user: root",
        `      ansible_ssh_private_key_file: ${lab().keyPath}`,
        `      bosun_known_hosts: ${lab().knownHostsPath}`,
        "",
      ].join("\n"),
    );
    for (const v of Object.values(SECRETS)) secret(v);
    secret(registry.password);
  });

  test("no secret appears in command texts sent to the host, nor in the argv of any process on it", async () => {
    const host = lab().hosts[0] as { sshPort: number };
    await sshExec(host, "rm -f /root/secret-file /root/secret-template /tmp/argv.log; rm -rf /root/.docker");
    // Sample every process's argv on the host while the run goes on.
    await sshExec(
      host,
      'nohup sh -c \'while [ ! -e /tmp/argv.stop ]; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr "\\000" " "; echo; done\' >/tmp/argv.log 2>/dev/null </dev/null & rm -f /tmp/argv.stop',
    );
    const recorded: RecordingConnection[] = [];
    const inventory = await loadInventory(inventoryPath);
    const report = await runPlaybook(secretsBook, {
      inventory,
      diff: true,
      connect: (spec: ConnectionSpec) => {
        const c = new RecordingConnection(new SshConnection(spec as never));
        recorded.push(c);
        return c;
      },
    });
    await sshExec(host, "touch /tmp/argv.stop; sleep 0.3");
    expect(report.exitCode).toBe(0);
    expect(report.stats[lab().hosts[0]?.name ?? ""]?.changed).toBeGreaterThanOrEqual(4);
    const argv = (await sshExec(host, "cat /tmp/argv.log")).stdout;
    expect(argv.length).toBeGreaterThan(1000); // the sampler really ran
    const found: string[] = [];
    recorded.forEach((c) => c.texts.forEach((t) => scan(t, "command text", found)));
    scan(argv, "remote argv", found);
    expect(found).toEqual([]);
    // The secrets did reach the host, through stdin.
    expect((await sshExec(host, "cat /root/secret-file")).stdout).toBe(SECRETS.fileContent);
    expect((await sshExec(host, "stat -c %a /root/secret-file /root/.docker/config.json")).stdout).toBe("600\n600\n");
  });

  test.each([
    ["-vv --diff", ["-vv", "--diff"]],
    ["--json --diff", ["--json", "--diff", "-v"]],
    ["--check -v", ["--check", "-v"]],
  ])("no secret appears in anything the CLI prints with %s", async (_label, flags) => {
    const host = lab().hosts[0] as { sshPort: number };
    await sshExec(host, "rm -f /root/secret-file /root/secret-template; rm -rf /root/.docker");
    let out = "";
    let err = "";
    const code = await runCli(secretsBook, ["-i", inventoryPath, ...flags], {
      stdout: { write: (s: string) => void (out += s), isTTY: false },
      stderr: { write: (s: string) => void (err += s), isTTY: false },
      handleSignals: false,
    });
    expect(code).toBe(0);
    expect(out.length).toBeGreaterThan(100);
    const found: string[] = [];
    scan(out, "stdout", found);
    scan(err, "stderr", found);
    expect(found).toEqual([]);
    if (flags.includes("--json")) expect(() => JSON.parse(out)).not.toThrow();
    expect(out + err).toContain("***");
  });

  test("the secrets scanned for are all registered", () => {
    for (const v of [...Object.values(SECRETS), registry.password]) expect(registeredSecrets()).toContain(v);
    expect(readFileSync(inventoryPath, "utf8")).not.toContain(SECRETS.templateVar);
  });
});
