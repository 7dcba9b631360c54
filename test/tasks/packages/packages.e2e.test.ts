/**
 * Package tasks on a fresh lab host over SSH, verified with plain commands. Debian packages come
 * through the Debian mirror (a few small ones: sl, tree); everything else comes from a signed apt
 * repository the test builds on the host itself (its own gpg key, its own tiny .debs, served by
 * `python3 -m http.server` on the host's 127.0.0.1), so nothing is fetched from the internet.
 */
import { apt, aptRepository, aptUpgrade } from "../../../lib/tasks/packages/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { TaskRunner, expectConverges } from "../../e2e/task-harness.js";

const lab = useLab({ name: "t-pkg", count: 1 });
const SLOW = 180_000;
let runner: TaskRunner;

const REPO_URI = "http://127.0.0.1:8080/";
const SOURCES = "/etc/apt/sources.list.d/bosun-test.sources";
const KEYRING = "/etc/apt/keyrings/bosun-test.gpg";

/** Test tooling on the host: a gpg home with two keys, a .deb builder, and a script that (re)publishes the repository. */
const SETUP = String.raw`set -e
export GNUPGHOME=/root/bosun-test-gnupg
mkdir -p -m 700 "$GNUPGHOME" /srv/bosun-repo/extra /srv/debs /srv/keys
gpg -q --batch --passphrase '' --quick-gen-key 'bosun test repo <repo@lab.test>' ed25519 sign never 2>/dev/null
gpg -q --batch --passphrase '' --quick-gen-key 'someone else <other@lab.test>' ed25519 sign never 2>/dev/null
gpg --armor --export repo@lab.test > /srv/keys/repo.asc
gpg --armor --export other@lab.test > /srv/keys/other.asc
cat > /usr/local/bin/bosun-test-mkdeb <<'EOF'
#!/bin/sh
# bosun-test-mkdeb NAME VERSION DIR: a tiny arch-all package with one file, /usr/share/NAME/version.
set -e
d=$(mktemp -d); mkdir -p "$d/DEBIAN" "$d/usr/share/$1"
printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: bosun tests <tests@lab.test>\nDescription: bosun test package\n' "$1" "$2" > "$d/DEBIAN/control"
echo "$1 $2" > "$d/usr/share/$1/version"
dpkg-deb -Zgzip --root-owner-group --build "$d" "$3/$1_$2_all.deb" >/dev/null
rm -rf "$d"
EOF
cat > /usr/local/bin/bosun-test-publish <<'EOF'
#!/bin/sh
# bosun-test-publish: index and sign the .debs in /srv/bosun-repo as a flat repository.
set -e
export GNUPGHOME=/root/bosun-test-gnupg
cd /srv/bosun-repo
: > Packages
for f in *.deb; do
  dpkg-deb -f "$f" >> Packages
  printf 'Filename: ./%s\nSize: %s\nSHA256: %s\n\n' "$f" "$(stat -c %s "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)" >> Packages
done
{ printf 'Origin: bosun-test\nLabel: bosun-test\nDate: %s\nSHA256:\n' "$(date -Ru)"; printf ' %s %s Packages\n' "$(sha256sum < Packages | cut -d' ' -f1)" "$(stat -c %s Packages)"; } > Release
gpg --batch --yes --local-user repo@lab.test --clearsign -o InRelease Release
EOF
chmod 755 /usr/local/bin/bosun-test-mkdeb /usr/local/bin/bosun-test-publish
bosun-test-mkdeb bosun-probe 1.0 /srv/bosun-repo
bosun-test-mkdeb bosun-url 1.0 /srv/bosun-repo/extra
bosun-test-mkdeb bosun-local 1.0 /srv/debs
bosun-test-publish
systemd-run -q --unit bosun-test-repo python3 -m http.server 8080 --bind 127.0.0.1 --directory /srv/bosun-repo
for i in $(seq 50); do curl -fs -o /dev/null ${REPO_URI}InRelease && exit 0; sleep 0.1; done; exit 1
`;

/** Run a plain command as root; fail the test when it fails. */
function sh(command: string): string {
  const r = runner.sh(command);
  if (r.code !== 0) throw new Error(`\`${command}\` failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}
/** dpkg's status and version of packages (or dpkg's complaint), as plain text. */
const dpkg = (...names: string[]) => runner.sh(`dpkg-query -W -f='\${Package} \${Status} \${Version}\\n' ${names.join(" ")} 2>&1`).stdout;
/** Fetch only the test repository's lists (the Debian lists stay as they are). */
const refreshTestRepo = () =>
  sh(`apt-get update -q -o Dir::Etc::sourcelist=${SOURCES} -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0`);

beforeAll(() => {
  const h = lab().hosts[0]!;
  runner = new TaskRunner({ name: h.name, sshPort: h.sshPort, keyPath: lab().keyPath, knownHostsPath: lab().knownHostsPath });
  sh(SETUP);
}, SLOW);
afterAll(() => runner?.close());

test(
  "apt installs packages from the Debian mirror, fetching lists that were never fetched; a re-run is one command",
  async () => {
    const state = () => `${dpkg("sl", "tree")}lists: ${runner.sh("ls /var/lib/apt/lists | grep -c _Packages").stdout}`;
    expect(state()).toMatch(/no packages found matching sl.*\nlists: 0\n$/s);
    const { applied } = await expectConverges(runner, apt({ names: ["sl", "tree"], updateCache: true, cacheValidSeconds: 3600 }), state);
    expect(applied.message).toBe("refresh package lists (package lists were never fetched); install sl tree");
    expect(applied.output).toEqual({ installed: ["sl", "tree"], removed: [], cacheUpdated: true });
    expect(dpkg("sl", "tree")).toMatch(/^sl install ok installed \S+\ntree install ok installed \S+\n$/);
    expect(sh("test -x /usr/bin/tree && test -x /usr/games/sl && echo both")).toBe("both\n");
  },
  SLOW,
);

test(
  "apt refreshes the lists only when they are older than cacheValidSeconds",
  async () => {
    const stamp = () => sh("stat -c %Y /var/lib/apt/periodic/update-success-stamp");
    sh("touch -d '-2 hours' /var/lib/apt/periodic/update-success-stamp");
    const old = stamp();
    const call = apt({ names: "tree", updateCache: true, cacheValidSeconds: 3600 });
    const checked = await runner.run(call, { check: true });
    expect(checked.message).toBe("refresh package lists (lists are 2 h old (valid 60 min))");
    expect(stamp()).toBe(old);
    const applied = await runner.run(call);
    expect(applied).toMatchObject({ status: "changed", output: { cacheUpdated: true, installed: [] } });
    expect(Number(stamp())).toBeGreaterThan(Number(old) + 3600);
    expect(await runner.run(call)).toMatchObject({ status: "ok", commands: 1 });
  },
  SLOW,
);

test(
  "apt removes a package, and a re-run is one command",
  async () => {
    const { applied } = await expectConverges(runner, apt({ names: ["sl"], state: "absent" }), () => dpkg("sl"));
    expect(applied.output?.removed).toEqual(["sl"]);
    expect(runner.sh("test -e /usr/games/sl").code).toBe(1);
  },
  SLOW,
);

test(
  "aptRepository adds a signed deb822 source with its key dearmored into /etc/apt/keyrings, and fetches only its lists",
  async () => {
    const key = sh("cat /srv/keys/repo.asc");
    const debianLists = () => sh("ls -l --time-style=+%s /var/lib/apt/lists | grep deb.debian.org");
    const debianBefore = debianLists();
    const state = () => runner.sh(`sha256sum ${SOURCES} ${KEYRING} 2>&1; apt-cache policy bosun-probe`).stdout;
    expect(state()).not.toContain("Candidate");
    const call = aptRepository({ name: "bosun-test", uri: REPO_URI, suites: "./", key });
    const { applied } = await expectConverges(runner, call, state);
    expect(applied.message).toBe(`add key ${KEYRING} (was absent); write ${SOURCES}; fetch its lists`);
    expect(sh(`cat ${SOURCES}; stat -c '%a %U' ${SOURCES} ${KEYRING}`)).toBe(
      `Types: deb\nURIs: ${REPO_URI}\nSuites: ./\nSigned-By: ${KEYRING}\n644 root\n644 root\n`,
    );
    // Byte for byte what gpg --dearmor makes of the key.
    expect(sh(`gpg --dearmor < /srv/keys/repo.asc | cmp - ${KEYRING} && echo same`)).toBe("same\n");
    expect(sh("apt-cache policy bosun-probe")).toMatch(/Candidate: 1\.0\n[\s\S]*500 http:\/\/127\.0\.0\.1:8080 \.\/ Packages/);
    expect(debianLists()).toBe(debianBefore);
  },
  SLOW,
);

test(
  "aptRepository with a key that did not sign the repository fails and puts the previous files back",
  async () => {
    const files = () => sh(`sha256sum ${SOURCES} ${KEYRING}`);
    const before = files();
    const result = await runner.run(aptRepository({ name: "bosun-test", uri: REPO_URI, suites: "./", key: sh("cat /srv/keys/other.asc") }));
    expect(result.status).toBe("failed");
    expect(result.message).toMatch(
      /^Cannot add apt repository bosun-test: apt-get failed \(exit 100\):\nE: .*NO_PUBKEY .*\n {2}hint: its files were put back as they were/s,
    );
    expect(files()).toBe(before);
  },
  SLOW,
);

test(
  "apt with state latest upgrades to the newest version once the lists are stale; a re-run is one command",
  async () => {
    expect((await runner.run(apt({ names: "bosun-probe" }))).status).toBe("changed");
    expect(dpkg("bosun-probe")).toBe("bosun-probe install ok installed 1.0\n");
    sh(
      "bosun-test-mkdeb bosun-probe 2.0 /srv/bosun-repo && bosun-test-publish && touch -d '-2 hours' /var/lib/apt/periodic/update-success-stamp",
    );
    const { applied } = await expectConverges(
      runner,
      apt({ names: "bosun-probe", state: "latest", updateCache: true, cacheValidSeconds: 3600 }),
      () => dpkg("bosun-probe"),
    );
    expect(applied.output?.installed).toEqual(["bosun-probe"]);
    expect(sh("cat /usr/share/bosun-probe/version")).toBe("bosun-probe 2.0\n");
  },
  SLOW,
);

test(
  "aptUpgrade lists what would be upgraded in --check and upgrades it; a re-run is one command",
  async () => {
    sh("bosun-test-mkdeb bosun-probe 3.0 /srv/bosun-repo && bosun-test-publish");
    refreshTestRepo();
    // Keep the run small: hold what Debian's mirror would upgrade, so that only the test package moves.
    sh("apt-mark hold $(apt-get -s upgrade | awk '/^Inst/ && $2 != \"bosun-probe\" { print $2 }') >/dev/null 2>&1 || true");
    const { checked } = await expectConverges(runner, aptUpgrade({ mode: "safe" }), () => dpkg("bosun-probe"));
    expect(checked.message).toBe("upgrade bosun-probe");
    expect(checked.output?.upgraded).toEqual([{ action: "install", name: "bosun-probe", from: "2.0", to: "3.0" }]);
    expect(dpkg("bosun-probe")).toBe("bosun-probe install ok installed 3.0\n");
  },
  SLOW,
);

test(
  "apt installs a .deb from a path on the host and from a URL the host downloads",
  async () => {
    const fromPath = await expectConverges(runner, apt({ deb: "/srv/debs/bosun-local_1.0_all.deb" }), () => dpkg("bosun-local"));
    expect(fromPath.again.message).toBe("/srv/debs/bosun-local_1.0_all.deb is installed");
    await expectConverges(runner, apt({ deb: `${REPO_URI}extra/bosun-url_1.0_all.deb` }), () => dpkg("bosun-url"));
    expect(dpkg("bosun-local", "bosun-url")).toBe("bosun-local install ok installed 1.0\nbosun-url install ok installed 1.0\n");
    const missing = await runner.run(apt({ deb: `${REPO_URI}extra/nope.deb` }));
    expect(missing.message).toMatch(/^Cannot install http:\/\/127\.0\.0\.1:8080\/extra\/nope\.deb: curl: \(22\) .*404/);
  },
  SLOW,
);

// apt and dpkg lock with fcntl (POSIX) locks, which `flock(1)` does not take: a held flock on
// lock-frontend does not stop apt. So the test holds a POSIX lock, as a running apt or dpkg does.
const holdLock = (lock: string, seconds: number, unit: string) =>
  sh(
    `systemd-run -q --unit ${unit} python3 -c 'import fcntl, time; f = open("${lock}", "w"); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(${seconds})' && sleep 0.5`,
  );

test(
  "apt waits for a held dpkg lock, and on timeout fails naming the process that holds it",
  async () => {
    holdLock("/var/lib/dpkg/lock-frontend", 120, "bosun-lock-a");
    const pid = sh("systemctl show -p MainPID --value bosun-lock-a").trim();
    const failed = await runner.run(apt({ names: "sl", lockTimeoutSeconds: 1 }));
    expect(failed.status).toBe("failed");
    expect(failed.message).toBe(
      `Cannot install sl: /var/lib/dpkg/lock-frontend is held by process ${pid} (/usr/bin/python3 -c import fcntl, time; f = open("/var/lib/dpkg/lock-frontend", "w"); fcntl.lockf(f, fcntl.LOCK_EX); time.sleep(120)); waited 1 s\n` +
        "  hint: another apt or dpkg run (unattended-upgrades, cloud-init, a person) is busy: try again later or raise lockTimeoutSeconds",
    );
    expect(dpkg("sl")).toMatch(/no packages found matching sl/);
    // Still held when the next run starts: it waits, and installs once the holder is gone.
    expect(sh("systemctl is-active bosun-lock-a")).toBe("active\n");
    const release = setTimeout(() => runner.sh("systemctl stop bosun-lock-a"), 3000);
    const waited = await runner.run(apt({ names: "sl", lockTimeoutSeconds: 60 }));
    clearTimeout(release);
    expect(waited.status).toBe("changed");
    expect(dpkg("sl")).toMatch(/^sl install ok installed/);
  },
  SLOW,
);

test(
  "apt fails naming the holder of the apt lists lock when a refresh cannot get it",
  async () => {
    holdLock("/var/lib/apt/lists/lock", 120, "bosun-lock-b");
    try {
      const failed = await runner.run(apt({ names: "tree", updateCache: true, lockTimeoutSeconds: 1 }));
      expect(failed.message).toMatch(
        /^Cannot refresh package lists: \/var\/lib\/apt\/lists\/lock is held by process \d+ \(\/usr\/bin\/python3 -c import fcntl.*\); waited 1 s\n/,
      );
    } finally {
      sh("systemctl stop bosun-lock-b");
    }
  },
  SLOW,
);

test("bad parameters are rejected before anything runs, naming the task and the parameter", () => {
  const before = runner.commands.length;
  expect(() => apt({ names: ["sl"], state: "installed" as "present" })).toThrow(
    /^Cannot use packages\.apt: parameter "state" must be one of "present", "absent", "latest"$/,
  );
  expect(() => aptRepository({ name: "x", uri: REPO_URI, suites: "./", key: "garbage" })).toThrow(
    /^Cannot use packages\.aptRepository: parameter "key" is not an OpenPGP public key/,
  );
  expect(() => aptUpgrade({ mode: "everything" as "dist" })).toThrow(
    /^Cannot use packages\.aptUpgrade: parameter "mode" must be one of "safe", "dist"$/,
  );
  expect(runner.commands.length).toBe(before);
});
