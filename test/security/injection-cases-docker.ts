/** Injection cases: docker and compose tasks, against a recording stand-in for docker (argv, working directory, environment, stdin). */
import { hasSequence } from "./injection-fakes.js";
import { type TaskCase, component, noDotSegments } from "./injection-harness.js";
import { type CaseContext, ROOT, argv, envEntry, sample, CREATE_DIRS, nulList, urlTail } from "./injection-kit.js";

/** The injection cases of the docker tasks, by task id. */
export function dockerCases(_ctx: CaseContext): Record<string, TaskCase> {
  const composeDir = `${ROOT}/compose`;
  const composeSlots = (task: string, extra: { observeChecks?: boolean; apply?: boolean } = {}): TaskCase => {
    const on = extra.apply ? { apply: true } : { observeChecks: !!extra.observeChecks };
    const base = task === "run" ? { service: "app" } : {};
    return {
      fuzz: {
        projectDir: {
          params: (v, i) => ({ ...base, projectDir: `${ROOT}/cp-${task}/${i}-${v}` }),
          shape: (v) => component(v).slice(0, 100),
          prepare: (as) => ({ script: CREATE_DIRS, stdin: nulList(as.map((a) => `${ROOT}/cp-${task}/${a.index}-${a.value}`)) }),
          ...on,
          observe: {
            kind: "fake",
            tool: "docker",
            check: (runs, a) =>
              runs.some((r) => r.cwd === `${ROOT}/cp-${task}/${a.index}-${a.value}`)
                ? undefined
                : `no docker run in ${JSON.stringify(`${a.index}-${a.value}`)}${sample(runs)}`,
          },
        },
        "files[]": {
          params: (v) => ({ ...base, projectDir: composeDir, files: [v] }),
          ...on,
          observe: argv("docker", (a) => ["-f", a.value]),
        },
        "envFiles[]": {
          params: (v) => ({ ...base, projectDir: composeDir, envFiles: [v] }),
          ...on,
          observe: argv("docker", (a) => ["--env-file", a.value]),
        },
        projectName: { params: (v) => ({ ...base, projectDir: composeDir, projectName: v }), ...on },
      },
    };
  };

  return {
    "docker.composeConfig": composeSlots("config", { observeChecks: true }),
    "docker.composeDown": composeSlots("down", { observeChecks: true }),
    "docker.composePull": {
      fuzz: {
        ...composeSlots("pull", { observeChecks: true }).fuzz,
        "services[]": { params: (v) => ({ projectDir: composeDir, services: [v] }) },
        policy: { params: (v) => ({ projectDir: composeDir, policy: v }) },
      },
    },
    "docker.composeUp": {
      fuzz: {
        ...composeSlots("up", { observeChecks: true }).fuzz,
        "services[]": { params: (v) => ({ projectDir: composeDir, services: [v] }) },
        pull: { params: (v) => ({ projectDir: composeDir, pull: v }) },
      },
    },
    "docker.composeRun": {
      fuzz: {
        ...composeSlots("run", { apply: true }).fuzz,
        service: { params: (v) => ({ projectDir: composeDir, service: v }) },
        "command[]": {
          params: (v) => ({ projectDir: composeDir, service: "app", command: [v] }),
          apply: true,
          observe: argv("docker", (a) => ["app", a.value]),
        },
        "env.*": {
          params: (v) => ({ projectDir: composeDir, service: "app", env: { INJ: v } }),
          apply: true,
          observe: argv("docker", (a) => ["-e", `INJ=${a.value}`]),
        },
        "env{}": { params: (v) => ({ projectDir: composeDir, service: "app", env: { [v]: "x" } }), apply: true },
        entrypoint: {
          params: (v) => ({ projectDir: composeDir, service: "app", entrypoint: v }),
          apply: true,
          observe: argv("docker", (a) => ["--entrypoint", a.value]),
        },
      },
    },
    "docker.login": {
      fuzz: {
        registry: { params: (v, i) => ({ registry: v, username: "u", password: "p", configDir: `${ROOT}/dcfg-r/${i}` }), apply: true },
        username: {
          params: (v, i) => ({ registry: "registry.lab.test:5000", username: v, password: "p", configDir: `${ROOT}/dcfg-u/${i}` }),
          apply: true,
          observe: argv("docker", (a) => ["--username", a.value]),
        },
        password: {
          params: (v, i) => ({ registry: "registry.lab.test:5000", username: `u${i}`, password: v, configDir: `${ROOT}/dcfg-p/${i}` }),
          nul: true,
          apply: true,
          observe: {
            kind: "fake",
            tool: "docker",
            check: (runs, a) => {
              const run = runs.find((r) => hasSequence(r.argv, ["--username", `u${a.index}`]));
              return run?.stdin === a.value ? undefined : `docker login read ${JSON.stringify(run?.stdin)} on stdin`;
            },
          },
        },
        configDir: {
          params: (v, i) => ({
            registry: "registry.lab.test:5000",
            username: `c${i}`,
            password: "p",
            configDir: `${ROOT}/dcfg-d/${i}/${v}`,
          }),
          shape: noDotSegments,
          apply: true,
          observe: envEntry(
            "docker",
            (a) => ["--username", `c${a.index}`],
            (a) => `DOCKER_CONFIG=${ROOT}/dcfg-d/${a.index}/${a.value}`,
          ),
        },
        owner: {
          params: (v, i) => ({
            registry: "registry.lab.test:5000",
            username: "u",
            password: "p",
            configDir: `${ROOT}/dcfg-o/${i}`,
            owner: v,
          }),
        },
      },
    },
    "docker.engine": {
      fuzz: {
        source: { params: (v) => ({ source: v }) },
        composePlugin: { params: (v) => ({ composePlugin: v }) },
        composePluginDeb: { params: (v) => ({ composePluginDeb: `http://files.lab.test/${urlTail(v)}` }), runs: 8, classics: 4 },
        "users[]": { params: (v) => ({ users: [v] }) },
        // dockerEngine's check reads the whole engine state: fewer values for its accepted slots.
        "daemonJson?": { params: (v) => ({ daemonJson: { "log-driver": v, [v]: "x" } }), runs: 8, classics: 4 },
        repoUrl: { params: (v) => ({ source: "docker", repoUrl: `https://127.0.0.1:9/${urlTail(v)}` }), runs: 8, classics: 4 },
        repoKey: { params: (v) => ({ source: "docker", repoKey: `https://127.0.0.1:9/${urlTail(v)}` }), runs: 8, classics: 4 },
      },
    },
    "docker.imagePrune": {
      fuzz: {
        "repositories[]": {
          params: (v) => ({ repositories: [`inj/${v}`], keep: 1 }),
          observeChecks: true,
          observe: argv("docker", (a) => ["--", `inj/${a.value}`]),
        },
        "keepTags[]": { params: (v) => ({ repositories: ["inj"], keep: 1, keepTags: [v] }) },
        "keepDigests[]": { params: (v) => ({ repositories: ["inj"], keep: 1, keepDigests: [v] }) },
      },
    },
  };
}
