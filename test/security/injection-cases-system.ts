/** Injection cases: host basics, systemd units and timers (read back with systemctl), apt sources (read back as deb822). */
import { type Attempt, type Observer, type SlotFuzz, type TaskCase, noDotSegments } from "./injection-harness.js";
import { type CaseContext, ROOT, SHELL_BY_DESIGN, q, localFile, line, script, cronEnvValue, deb822 } from "./injection-kit.js";

/** The injection cases of these tasks, by task id. */
export function systemCases(ctx: CaseContext): Record<string, TaskCase> {
  const unitTemplate = localFile(ctx, "unit.hbs", "[Unit]\nDescription={{d}}\n");
  return {
    "packages.apt": {
      fuzz: {
        "names?": { params: (v) => ({ names: [v] }) },
        deb: { params: (v, i) => ({ deb: `${ROOT}/deb/${i}/${v}.deb` }) },
        state: { params: (v) => ({ names: "curl", state: v }) },
      },
    },
    "packages.aptRepository": {
      fuzz: {
        name: {
          params: (v) => ({ name: v, uri: "http://127.0.0.1:9/debian", suites: "stable", components: ["main"], updateCache: false }),
          apply: true,
        },
        ...aptRepositorySlots(),
        "key?": {
          params: (v, i) => ({
            name: `injrk${i}`,
            uri: "http://127.0.0.1:9/debian",
            suites: "stable",
            components: ["main"],
            key: v,
            updateCache: false,
          }),
        },
        "types[]": {
          params: (v, i) => ({
            name: `injry${i}`,
            uri: "http://127.0.0.1:9/debian",
            suites: "stable",
            components: ["main"],
            types: [v],
            updateCache: false,
          }),
        },
        state: { params: (v) => ({ name: "injrs", uri: "http://127.0.0.1:9/debian", suites: "stable", components: ["main"], state: v }) },
      },
    },
    "packages.aptUpgrade": { fuzz: { mode: { params: (v) => ({ mode: v }) } } },
    "services.service": {
      fuzz: { name: { params: (v) => ({ name: v, state: "started" }) }, state: { params: (v) => ({ name: "ssh", state: v }) } },
    },
    "services.systemdTimer": {
      fuzz: {
        name: { params: (v) => ({ name: v, onCalendar: "2099-01-01", command: "true" }) },
        onCalendar: { params: (v, i) => ({ name: `injto${i}`, onCalendar: v, command: "true" }) },
        "onCalendar[]": { params: (v, i) => ({ name: `injto${i}`, onCalendar: [v], command: "true" }) },
        user: { params: (v, i) => ({ name: `injtu${i}`, onCalendar: "2099-01-01", command: "true", user: v }) },
        description: {
          params: (v, i) => ({ name: `injtd${i}`, onCalendar: "2099-01-01", command: "true", description: v }),
          apply: true,
          // systemd drops the whitespace around a value; anything else must arrive as given.
          observe: script(
            (a) => `systemctl show -p Description --value injtd${a.index}.service`,
            (a) => `${line(a.value).trim()}\n`,
          ),
        },
        workingDirectory: {
          params: (v, i) => ({ name: `injtw${i}`, onCalendar: "2099-01-01", command: "true", workingDirectory: `${ROOT}/wd/${v}` }),
          // A working directory is a path: at most PATH_MAX (systemd ignores a longer one).
          shape: (v) => v.slice(0, 1000),
          apply: true,
          observe: script(
            (a) => `systemctl show -p WorkingDirectory --value injtw${a.index}.service`,
            (a) => `${ROOT}/wd/${line(a.value)}\n`,
          ),
        },
        "environment.*": {
          params: (v, i) => ({
            name: `injte${i}`,
            onCalendar: "2099-01-01",
            command: `cat /proc/self/environ > ${ROOT}/tenv/${i}`,
            environment: { INJ: v },
          }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/tenv` }),
          apply: true,
          // Our own start of the oneshot service (running our own command) shows the environment systemd gives it.
          observe: {
            kind: "script",
            snippet: (a) =>
              `systemctl start injte${a.index}.service && python3 -c ${q('import sys\nfor e in open(sys.argv[1], "rb").read().split(b"\\0"):\n  if e.startswith(b"INJ="):\n    sys.stdout.buffer.write(e[4:])')} ${ROOT}/tenv/${a.index}`,
            expect: (a) => a.value,
          },
        },
        "environment{}": {
          params: (v, i) => ({ name: `injtk${i}`, onCalendar: "2099-01-01", command: "true", environment: { [v]: "x" } }),
        },
        state: { params: (v) => ({ name: "injts", state: v }) },
      },
      excused: { command: `${SHELL_BY_DESIGN}: ExecStart=/bin/sh -c "<command>"` },
    },
    "services.systemdUnit": {
      fuzz: {
        name: { params: (v) => ({ name: v, content: "[Unit]\n" }) },
        content: {
          params: (v, i) => ({ name: `injuc${i}.service`, content: v }),
          nul: true,
          apply: true,
          observe: script(
            (a) => `cat /etc/systemd/system/injuc${a.index}.service`,
            (a) => a.value,
          ),
        },
        template: {
          params: (v, i) => ({
            name: `injut${i}.service`,
            template: localFile(ctx, `ut/${i}/${v}`, "[Unit]\nDescription={{d}}\n"),
            vars: { d: "x" },
          }),
          shape: noDotSegments,
          apply: true,
          observe: script(
            (a) => `cat /etc/systemd/system/injut${a.index}.service`,
            () => "[Unit]\nDescription=x\n",
          ),
        },
        "vars.*": {
          params: (v, i) => ({ name: `injuv${i}.service`, template: unitTemplate, vars: { d: v } }),
          apply: true,
          observe: script(
            (a) => `cat /etc/systemd/system/injuv${a.index}.service`,
            (a) => `[Unit]\nDescription=${a.value}\n`,
          ),
        },
        "vars{}": { params: (v, i) => ({ name: `injuk${i}.service`, template: unitTemplate, vars: { d: "x", [v]: "y" } }) },
        dropIn: { params: (v) => ({ name: "injud.service", dropIn: v, content: "[Unit]\n" }) },
        state: { params: (v) => ({ name: "injus.service", state: v }) },
      },
    },
    "system.cron": {
      fuzz: {
        name: { params: (v) => ({ name: v, job: "true", special: "@reboot" }) },
        job: {
          params: (v, i) => ({ name: `injcj${i}`, job: v, special: "@reboot" }),
          apply: true,
          // cron reads "%" as a line break unless escaped: the file holds the job with "\%", which cron reads back as "%".
          observe: script(
            (a) => `sed -n '2p' /etc/cron.d/injcj${a.index}`,
            (a) => `@reboot root ${line(a.value).replace(/%/g, "\\%")}\n`,
          ),
        },
        user: { params: (v, i) => ({ name: `injcu${i}`, job: "true", user: v }) },
        ...Object.fromEntries(
          (["minute", "hour", "day", "month", "weekday"] as const).map((k) => [
            k,
            { params: (v: string, i: number) => ({ name: `injcf${i}`, job: "true", [k]: v }) } satisfies SlotFuzz,
          ]),
        ),
        special: { params: (v, i) => ({ name: `injcs${i}`, job: "true", special: v }) },
        "env.*": {
          params: (v, i) => ({ name: `injce${i}`, job: "true", special: "@reboot", env: { INJ: v } }),
          apply: true,
          observe: script(cronEnvValue, (a) => a.value),
        },
        "env{}": { params: (v, i) => ({ name: `injck${i}`, job: "true", env: { [v]: "x" } }) },
        state: { params: (v) => ({ name: "injcst", state: v }) },
      },
    },
    "system.hostname": { fuzz: { name: { params: (v) => ({ name: v, hostsEntry: false }) } } },
    "system.sysctl": {
      fuzz: {
        key: { params: (v, i) => ({ key: v, value: "1", name: `injsk${i}`, apply: false }) },
        value: {
          params: (v, i) => ({ key: "net.ipv4.ip_forward", value: v, name: `injsv${i}`, apply: false }),
          apply: true,
          // The kernel and sysctl(8) read a value with its whitespace runs as single spaces: bosun writes it so.
          observe: script(
            (a) => `cat /etc/sysctl.d/injsv${a.index}.conf`,
            (a) => `net.ipv4.ip_forward = ${line(a.value).trim().split(/\s+/).join(" ")}\n`,
          ),
        },
        name: { params: (v) => ({ key: "net.ipv4.ip_forward", value: "1", name: v, apply: false }) },
        state: { params: (v) => ({ key: "net.ipv4.ip_forward", state: v, name: "injss" }) },
      },
    },
    "system.timezone": { fuzz: { name: { params: (v) => ({ name: v }) } } },
    // load: false: lab hosts are containers, which cannot load modules; the boot file is what is observed.
    "system.kernelModule": {
      fuzz: {
        name: { params: (v) => ({ name: v, load: false }) },
        state: { params: (v) => ({ name: "injkm", state: v, load: false }) },
      },
    },
  };
}

function aptRepositorySlots(): Record<string, SlotFuzz> {
  const base = (i: number, tag: string) => ({
    name: `injr${tag}${i}`,
    uri: "http://127.0.0.1:9/debian",
    suites: "stable",
    components: ["main"],
    updateCache: false,
  });
  const std = { Types: "deb", URIs: "http://127.0.0.1:9/debian", Suites: "stable", Components: "main" };
  /** apt must read exactly these fields, the slot's holding the literal value. */
  const fields = (tag: string, want: (a: Attempt) => Record<string, string>): Observer => ({
    kind: "script",
    snippet: (a) => `cat /etc/apt/sources.list.d/injr${tag}${a.index}.sources`,
    judge: (out, a) => {
      const got = deb822(out.toString("utf8"));
      if (typeof got === "string") return got;
      const expected = Object.entries(want(a));
      const same = got.size === expected.length && expected.every(([k, v]) => got.get(k) === v);
      return same ? undefined : `apt reads ${JSON.stringify(Object.fromEntries(got)).slice(0, 300)}`;
    },
  });
  return {
    uri: {
      params: (v, i) => ({ ...base(i, "u"), uri: `http://127.0.0.1:9/${v}` }),
      apply: true,
      observe: fields("u", (a) => ({ ...std, URIs: `http://127.0.0.1:9/${a.value}` })),
    },
    "suites?": {
      params: (v, i) => ({ ...base(i, "s"), suites: v }),
      apply: true,
      observe: fields("s", (a) => ({ ...std, Suites: a.value })),
    },
    "components[]": {
      params: (v, i) => ({ ...base(i, "c"), components: [v] }),
      apply: true,
      observe: fields("c", (a) => ({ ...std, Components: a.value })),
    },
    "architectures[]": {
      params: (v, i) => ({ ...base(i, "a"), architectures: [v] }),
      apply: true,
      observe: fields("a", (a) => ({ ...std, Architectures: a.value })),
    },
    signedBy: {
      params: (v, i) => ({ ...base(i, "b"), signedBy: `/etc/apt/keyrings/${v}` }),
      apply: true,
      observe: fields("b", (a) => ({ ...std, "Signed-By": `/etc/apt/keyrings/${a.value}` })),
    },
  };
}
