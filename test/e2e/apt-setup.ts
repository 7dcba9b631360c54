/**
 * The one retry the e2e tests allow themselves: fetching Debian packages from the mirror for a
 * test's own setup inside a lab host (a download can fail for a moment on a shared machine). Only
 * the fetch is retried (`apt-get update`, `install --download-only`); the install itself runs once,
 * and nothing here is ever used for the library's own runs, whose results the tests assert.
 */

/** Shell text installing `packages` (space-separated Debian names, constants of the test) for a test's setup. */
export function aptSetupInstall(packages: string): string {
  const apt = "apt-get -o DPkg::Lock::Timeout=180";
  return [
    "export DEBIAN_FRONTEND=noninteractive",
    // A fresh host may still run apt at boot: wait for its locks (up to 3 minutes) instead of failing.
    "for i in $(seq 90); do apt-get -o DPkg::Lock::Timeout=2 update -qq 2>/dev/null && break; sleep 2; done",
    // The download alone, up to 3 times: the mirror is the one transient thing here.
    `for i in 1 2 3; do ${apt} install -y -qq --download-only --no-install-recommends ${packages} >/dev/null && break; sleep 5; done`,
    `${apt} install -y -qq --no-install-recommends ${packages} >/dev/null`,
  ].join("\n");
}
