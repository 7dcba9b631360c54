/**
 * Plain logins to lab hosts with the system ssh client, independent of bosun: by password (the
 * client reads it from an SSH_ASKPASS helper, as no terminal is attached) or by key as any user.
 * Each is a NEW connection (no multiplexing), so that it proves what sshd allows now.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LabTarget, ShellResult } from "../../e2e/task-harness.js";

/** Log in as `user` with `password` only (no keys) and run `command`. */
export function passwordLogin(target: LabTarget, user: string, password: string, command = "id -un"): ShellResult {
  const dir = mkdtempSync(path.join(tmpdir(), "bosun-askpass-"));
  try {
    const askpass = path.join(dir, "askpass");
    writeFileSync(askpass, `#!/bin/sh\nprintf '%s\\n' "$BOSUN_TEST_PASSWORD"\n`, { mode: 0o700 });
    const env: NodeJS.ProcessEnv = { ...process.env, SSH_ASKPASS: askpass, SSH_ASKPASS_REQUIRE: "force", BOSUN_TEST_PASSWORD: password };
    delete env.SSH_AUTH_SOCK;
    const r = spawnSync(
      "ssh",
      [
        "-p",
        String(target.sshPort),
        "-o",
        `UserKnownHostsFile=${target.knownHostsPath}`,
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "PreferredAuthentications=password,keyboard-interactive",
        "-o",
        "PubkeyAuthentication=no",
        "-o",
        "NumberOfPasswordPrompts=1",
        "-o",
        "LogLevel=ERROR",
        `${user}@127.0.0.1`,
        command,
      ],
      { encoding: "utf8", env, input: "" },
    );
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Log in as `user` with the lab key only, on a new connection, and run `command`. */
export function keyLogin(target: LabTarget, user: string, command = "id -un"): ShellResult {
  const r = spawnSync(
    "ssh",
    [
      "-i",
      target.keyPath,
      "-p",
      String(target.sshPort),
      "-o",
      `UserKnownHostsFile=${target.knownHostsPath}`,
      "-o",
      "StrictHostKeyChecking=yes",
      "-o",
      "BatchMode=yes",
      "-o",
      "IdentitiesOnly=yes",
      "-o",
      "LogLevel=ERROR",
      "-o",
      "ControlMaster=no",
      "-o",
      "ControlPath=none",
      `${user}@127.0.0.1`,
      command,
    ],
    { encoding: "utf8", input: "" },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
