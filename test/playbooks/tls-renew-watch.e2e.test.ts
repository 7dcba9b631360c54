/**
 * The host watches its own certificates (roles/tls-watch, installed by tls-renew): on a fresh lab
 * host the role installs the daily timer; a certificate 2 days from expiry is put in certbot's
 * layout; the timer's service, started as the timer would start it, posts to a lab receiver
 * standing in for Telegram's Bot API (it answers as sendMessage does, and listens on the lab
 * network's gateway so that the host reaches it); the token is in no unit, no argv (looked for in
 * every process's command line while curl is waiting for the answer) and no journal line; the next
 * run reports the timer's last result.
 * The near-expiry certificate is issued by the lab CA: signed with pebble's own issuing intermediate
 * (lib/lab/services/short-lived-cert.ts), so it chains to pebble's root like the certificates certbot
 * gets from it (checked on the host). It stands in for a short-lived ACME certificate: pebble
 * issues every certificate for a fixed 90 days. tls-renew's certbot side is covered by tls-renew.e2e.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RunReport } from "../../lib/core/report.js";
import { secret } from "../../lib/core/secrets.js";
import { inventoryFromHosts } from "../../lib/inventory/index.js";
import type { Inventory } from "../../lib/inventory/types.js";
import type { LabHost } from "../../lib/lab/index.js";
import { servicesUp } from "../../lib/lab/services/index.js";
import { issueShortLivedCertificate } from "../../lib/lab/services/short-lived-cert.js";
import { playbook } from "../../lib/run/playbook.js";
import { runPlaybook } from "../../lib/run/runner.js";
import { tlsWatchRole } from "../../roles/tls-watch/index.js";
import { sshExec, useLab } from "../e2e/lab-fixture.js";

const lab = useLab({ name: "t-tls-watch", count: 1 });
const SLOW = 300_000;
const TOKEN = "7654321:AAH-watchTokenXyZ_0123456789abcdefGHI";
const CHAT = -1001234567890;

let host: LabHost;
let inventory: Inventory;
let receiver: http.Server;
let apiBase: string;
const received: { path: string; json: { chat_id?: number; text?: string }; argvHits: string }[] = [];

async function sh(command: string, input?: string): Promise<string> {
  const r = await sshExec(host, command, { allowFailure: true, ...(input !== undefined ? { input } : {}) });
  return `${r.stdout}${r.stderr}`;
}

/** Every process command line on the host holding the token (the needle comes from a file, so the search itself does not). */
const argvWithToken = () =>
  sh(
    `for p in /proc/[0-9]*; do [ "$p" = /proc/$$ ] && continue; tr '\\0' ' ' < "$p/cmdline" 2>/dev/null | grep -qF -f /root/needle && echo "$p: $(tr '\\0' ' ' < "$p/cmdline")"; done; true`,
  );

const watch = playbook({
  name: "tls-watch",
  hosts: "all",
  run: async (h) =>
    void (await tlsWatchRole(h, { alertDays: 14, channel: { kind: "telegram", botToken: secret(TOKEN), chatId: CHAT, apiBase } })),
});
const run = (): Promise<RunReport> => runPlaybook(watch, { inventory });
const changedCount = (r: RunReport) => Object.values(r.stats).reduce((n, s) => n + s.changed, 0);

beforeAll(async () => {
  await servicesUp(); // the lab CA that issues the near-expiry certificate
  const info = lab();
  host = info.hosts[0]!;
  const gateway = (await sh("ip route | awk '/^default/ {print $3}'")).trim();
  expect(gateway).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  receiver = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", async () => {
      const argvHits = await argvWithToken(); // curl is still waiting for this answer
      received.push({ path: req.url ?? "", json: JSON.parse(body || "{}") as { chat_id?: number; text?: string }, argvHits });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, result: { message_id: received.length } }));
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, gateway, resolve));
  apiBase = `http://${gateway}:${(receiver.address() as AddressInfo).port}`;
  inventory = inventoryFromHosts(
    { [host.name]: { ansible_host: "127.0.0.1", ansible_port: host.sshPort } },
    { vars: { ansible_user: "root", ansible_ssh_private_key_file: info.keyPath, bosun_known_hosts: info.knownHostsPath } },
  );
  await sh("cat > /root/needle", TOKEN);
}, SLOW);
afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

test(
  "installs the daily timer with the token root-only; a second run changes nothing",
  async () => {
    const first = await run();
    expect(first.hostErrors).toEqual({});
    expect(changedCount(first)).toBeGreaterThan(0);
    const second = await run();
    expect(second.hostErrors).toEqual({});
    expect(changedCount(second)).toBe(0);
    expect(second.plays[0]?.results.find((r) => r.task === "tls.watchLastResult")?.message).toBe("the expiry timer has not run yet");
    expect(
      await sh(
        "stat -c '%U %G %a' /etc/bosun/tls-watch/secret; systemctl is-enabled bosun-tls-expiry.timer; systemctl is-active bosun-tls-expiry.timer",
      ),
    ).toBe("root root 600\nenabled\nactive\n");
    expect(await sh("systemctl show -p TimersCalendar --value bosun-tls-expiry.timer")).toMatch(/OnCalendar=\*-\*-\* 00:00:00/);
    // The token is nowhere but the secret file.
    expect(await sh("grep -rlF -f /root/needle /etc/systemd /usr/local/lib/bosun /etc/bosun /var/lib/bosun 2>/dev/null; true")).toBe(
      "/etc/bosun/tls-watch/secret\n",
    );
  },
  SLOW,
);

test(
  "the timer's check posts an alert for a certificate near expiry, with the token in no argv and no journal line; the next run reports it",
  async () => {
    const issued = await issueShortLivedCertificate({ names: ["short.lab.test"], days: 2 });
    const live = "/etc/letsencrypt/live/short.lab.test";
    await sh(`mkdir -p ${live} /root/lab-ca`);
    for (const [file, pem] of Object.entries({ "cert.pem": issued.cert, "chain.pem": issued.chain, "fullchain.pem": issued.fullchain })) {
      await sh(`cat > ${live}/${file}`, pem);
    }
    await sh(`umask 077 && cat > ${live}/privkey.pem`, issued.privkey);
    await sh("cat > /root/lab-ca/root.pem", issued.root);
    // Issued by the lab CA, two days from expiry (checked with the host's openssl, not the library).
    expect(await sh(`openssl verify -CAfile /root/lab-ca/root.pem -untrusted ${live}/chain.pem ${live}/cert.pem`)).toBe(
      `${live}/cert.pem: OK\n`,
    );
    expect(await sh(`openssl x509 -in ${live}/cert.pem -noout -checkend 86400 >/dev/null; echo $?`)).toBe("0\n");
    expect(await sh(`openssl x509 -in ${live}/cert.pem -noout -checkend 259200 >/dev/null; echo $?`)).toBe("1\n");
    const started = await sh("systemctl start bosun-tls-expiry.service; echo rc=$?");
    expect(started).toContain("rc=0");
    expect(received).toHaveLength(1);
    const [alert] = received;
    expect(alert!.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(alert!.json.chat_id).toBe(CHAT);
    expect(alert!.json.text).toMatch(
      new RegExp(
        `^\\[${host.name}\\] TLS certificates below 14 days:\\n- short\\.lab\\.test: [12] day\\(s\\) left \\(until \\d{4}-\\d\\d-\\d\\d\\)$`,
      ),
    );
    expect(alert!.argvHits).toBe("");
    const journal = await sh("journalctl -u bosun-tls-expiry.service --no-pager -o cat");
    expect(journal).toMatch(/alert sent \(telegram\): 1 certificate\(s\) below 14 days/);
    expect(journal).not.toContain(TOKEN.split(":")[1]);
    expect(await sh("systemctl show -p Result --value bosun-tls-expiry.service")).toBe("success\n");

    const next = await run();
    expect(next.hostErrors).toEqual({});
    expect(changedCount(next)).toBe(0);
    expect(next.plays[0]?.results.find((r) => r.task === "tls.watchLastResult")?.message).toMatch(
      /^last expiry check \d{4}-\d\d-\d\dT[\d:]+Z: alerted: 1 below 14 days, alert sent \(telegram\): short\.lab\.test: [12] day\(s\) left/,
    );
  },
  SLOW,
);
