/** Injection cases: access tasks: users, groups, authorized keys, sudoers drop-ins (read back with sudo's own parser), sshd drop-ins. */
import { type TaskCase, noDotSegments } from "./injection-harness.js";
import { type CaseContext, ROOT, q, line, script, passwdField, keyComment, blob, sudoObserver } from "./injection-kit.js";

/** The injection cases of these tasks, by task id. */
export function accessCases(_ctx: CaseContext): Record<string, TaskCase> {
  return {
    "access.ensureUser": {
      fuzz: {
        name: { params: (v) => ({ name: v, createHome: false }), apply: true },
        group: { params: (v, i) => ({ name: `ig${i}`, group: v, createHome: false }), apply: true },
        "groups[]": { params: (v, i) => ({ name: `ix${i}`, groups: [v], createHome: false }), apply: true },
        comment: {
          params: (v, i) => ({ name: `ic${i}`, comment: v, createHome: false }),
          apply: true,
          observe: script(
            (a) => passwdField("passwd", `ic${a.index}`, 5),
            (a) => `${a.value}\n`,
          ),
        },
        home: {
          params: (v, i) => ({ name: `ih${i}`, home: `${ROOT}/home/${i}/${v}`, createHome: false }),
          shape: noDotSegments,
          apply: true,
          observe: script(
            (a) => passwdField("passwd", `ih${a.index}`, 6),
            (a) => `${ROOT}/home/${a.index}/${a.value}\n`,
          ),
        },
        shell: {
          // The users exist already: this goes through usermod.
          params: (v, i) => ({ name: `is${i}`, shell: `/bin/${v}` }),
          prepare: (as) => ({ script: as.map((a) => `id -u is${a.index} >/dev/null 2>&1 || useradd -M is${a.index}`).join("; ") }),
          apply: true,
          observe: script(
            (a) => passwdField("passwd", `is${a.index}`, 7),
            (a) => `/bin/${a.value}\n`,
          ),
        },
        password: {
          params: (v, i) => ({ name: `ip${i}`, password: `!${v}`, createHome: false }),
          prepare: (as) => ({ script: as.map((a) => `id -u ip${a.index} >/dev/null 2>&1 || useradd -M ip${a.index}`).join("; ") }),
          apply: true,
          observe: script(
            (a) => passwdField("shadow", `ip${a.index}`, 2),
            (a) => `!${a.value}\n`,
          ),
        },
        updatePassword: { params: (v, i) => ({ name: `iu${i}`, updatePassword: v }) },
        state: { params: (v, i) => ({ name: `iu${i}`, state: v }) },
      },
    },
    "access.ensureGroup": {
      fuzz: { name: { params: (v) => ({ name: v }), apply: true }, state: { params: (v) => ({ name: "injg", state: v }) } },
    },
    "access.authorizedKey": {
      fuzz: {
        key: {
          params: (v, i) => ({ user: "injk", key: `ssh-ed25519 ${blob("k", i)} ${v}` }),
          prepare: () => ({ script: "id -u injk >/dev/null 2>&1 || useradd -m injk" }),
          apply: true,
          observe: script(
            (a) => `grep -F -e ${q(blob("k", a.index))} /home/injk/.ssh/authorized_keys`,
            (a) => `${["ssh-ed25519", blob("k", a.index), keyComment(a.value)].filter(Boolean).join(" ")}\n`,
          ),
        },
        "key[]": {
          params: (v, i) => ({ user: "injl", key: [`ssh-ed25519 ${blob("l", i)} ${v}`] }),
          prepare: () => ({ script: "id -u injl >/dev/null 2>&1 || useradd -m injl" }),
          apply: true,
          observe: script(
            (a) => `grep -F -e ${q(blob("l", a.index))} /home/injl/.ssh/authorized_keys`,
            (a) => `${["ssh-ed25519", blob("l", a.index), keyComment(a.value)].filter(Boolean).join(" ")}\n`,
          ),
        },
        options: {
          params: (v, i) => ({ user: "injo", key: `ssh-ed25519 ${blob("o", i)} c${i}`, options: v }),
          prepare: () => ({ script: "id -u injo >/dev/null 2>&1 || useradd -m injo" }),
          apply: true,
          observe: script(
            (a) => `grep -F -e ${q(blob("o", a.index))} /home/injo/.ssh/authorized_keys`,
            (a) => `${line(a.value)} ssh-ed25519 ${blob("o", a.index)} c${a.index}\n`,
          ),
        },
        user: { params: (v) => ({ user: v, key: `ssh-ed25519 ${blob("u", 0)}` }) },
        state: { params: (v) => ({ user: "injk", key: `ssh-ed25519 ${blob("s", 0)}`, state: v }) },
      },
    },
    "access.sudoers": {
      fuzz: {
        name: { params: (v) => ({ name: v, user: "injs" }), apply: true },
        user: { params: (v, i) => ({ name: `injx${i}`, user: v }), apply: true },
        group: { params: (v, i) => ({ name: `injx${i}`, group: v }), apply: true },
        commands: {
          params: (v, i) => ({ name: `injc${i}`, user: "injs", commands: `/usr/bin/${v}` }),
          prepare: () => ({ script: "id -u injs >/dev/null 2>&1 || useradd -M injs" }),
          apply: true,
          observe: sudoObserver("injc"),
        },
        "commands[]": {
          params: (v, i) => ({ name: `injl${i}`, user: "injs", commands: [`/usr/bin/${v}`] }),
          prepare: () => ({ script: "id -u injs >/dev/null 2>&1 || useradd -M injs" }),
          apply: true,
          observe: sudoObserver("injl"),
        },
        runAs: { params: (v, i) => ({ name: `injr${i}`, user: "injs", runAs: v }), apply: true },
        // Raw sudoers text by design: visudo must refuse what is not sudoers (all of these), and the old file stays.
        content: { params: (v, i) => ({ name: `injt${i}`, content: v }), apply: true },
        state: { params: (v) => ({ name: "injst", state: v }) },
      },
    },
    "access.sshdConfig": {
      fuzz: {
        name: { params: (v) => ({ name: v, settings: { LogLevel: "INFO" }, reload: false }) },
        "settings{}": { params: (v, i) => ({ name: `90-inj${i}`, settings: { [v]: "x" }, reload: false }) },
        // Each check tries the whole sshd configuration with the candidate (sshd -t): fewer values.
        "settings.*": { params: (v, i) => ({ name: `90-inj${i}`, settings: { Banner: v }, reload: false }), runs: 8, classics: 4 },
        state: { params: (v) => ({ name: "90-inj", state: v, reload: false }) },
        service: { params: (v) => ({ name: "90-inj", settings: { LogLevel: "INFO" }, service: v, reload: false }) },
      },
    },
    "access.reloadSshd": { fuzz: { service: { params: (v) => ({ service: v }) } } },
  };
}
