import { ParamsError } from "../../../lib/core/errors.js";
import {
  composeConfig,
  composeDown,
  composePull,
  composeRun,
  composeUp,
  dockerEngine,
  dockerLogin,
  imagePrune,
} from "../../../lib/tasks/docker/index.js";

const P = { projectDir: "/srv/app" };

/** [call, message it must fail with] */
const CASES: [string, () => unknown, RegExp][] = [
  [
    "dockerEngine with an unknown source",
    () => dockerEngine({ source: "snap" as "docker" }),
    /docker\.engine: parameter "source" must be one of "docker", "distro"/,
  ],
  [
    "dockerEngine with an unknown parameter",
    () => dockerEngine({ logRotate: true } as never),
    /docker\.engine: unknown parameter "logRotate"/,
  ],
  ["dockerEngine with a user name that is no account", () => dockerEngine({ users: ["-rf"] }), /docker\.engine: parameter "users\.0"/],
  [
    "dockerEngine with a compose .deb that is no URL",
    () => dockerEngine({ composePluginDeb: "/tmp/x.deb" }),
    /docker\.engine: parameter "composePluginDeb"/,
  ],
  [
    "dockerEngine with both compose choices",
    () => dockerEngine({ composePluginDeb: "http://x/c.deb", composePlugin: "apt" }),
    /docker\.engine: give either parameter "composePluginDeb" or "composePlugin"/,
  ],
  [
    "dockerEngine with a compose .deb for Docker's repository",
    () => dockerEngine({ source: "docker", composePluginDeb: "http://x/c.deb" }),
    /docker\.engine: parameter "composePluginDeb" is for source "distro"/,
  ],
  [
    "dockerEngine with repoUrl for the distribution's packages",
    () => dockerEngine({ source: "distro", repoUrl: "https://mirror.example.com/docker" }),
    /docker\.engine: parameter "repoUrl" is for source "docker"/,
  ],
  [
    "dockerEngine with a repository key that is neither a URL nor a key",
    () => dockerEngine({ repoKey: "/etc/keys/docker.asc" }),
    /docker\.engine: parameter "repoKey"/,
  ],
  [
    "dockerEngine with daemonJson that is no object",
    () => dockerEngine({ daemonJson: "{}" as never }),
    /docker\.engine: parameter "daemonJson" must be object/,
  ],
  [
    "dockerLogin without a password",
    () => dockerLogin({ registry: "r.example.com", username: "u" } as never),
    /docker\.login: missing required parameter "password"/,
  ],
  [
    "dockerLogin with a registry that is a URL with spaces",
    () => dockerLogin({ registry: "r example", username: "u", password: "p" }),
    /docker\.login: parameter "registry"/,
  ],
  [
    "dockerLogin with an empty password",
    () => dockerLogin({ registry: "r.example.com", username: "u", password: "" }),
    /docker\.login: parameter "password" is empty/,
  ],
  [
    "dockerLogin with a relative config dir",
    () => dockerLogin({ registry: "r.example.com", username: "u", password: "p", configDir: ".docker" }),
    /docker\.login: parameter "configDir"/,
  ],
  ["composeConfig without projectDir", () => composeConfig({} as never), /docker\.composeConfig: missing required parameter "projectDir"/],
  [
    "composeConfig with a relative projectDir",
    () => composeConfig({ projectDir: "srv/app" }),
    /docker\.composeConfig: parameter "projectDir"/,
  ],
  [
    "composeConfig with an invalid project name",
    () => composeConfig({ ...P, projectName: "My App" }),
    /docker\.composeConfig: parameter "projectName"/,
  ],
  [
    "composePull with an unknown policy",
    () => composePull({ ...P, policy: "never" as "always" }),
    /docker\.composePull: parameter "policy" must be one of "always", "missing"/,
  ],
  [
    "composeUp with waitTimeout but no wait",
    () => composeUp({ ...P, waitTimeout: 30 }),
    /docker\.composeUp: parameter "waitTimeout" needs wait: true/,
  ],
  [
    "composeUp with a service that is an option",
    () => composeUp({ ...P, services: ["--build"] }),
    /docker\.composeUp: parameter "services\.0"/,
  ],
  [
    "composeUp with a zero waitTimeout",
    () => composeUp({ ...P, wait: true, waitTimeout: 0 }),
    /docker\.composeUp: parameter "waitTimeout"/,
  ],
  [
    "composeDown with volumes that is not a boolean",
    () => composeDown({ ...P, volumes: "yes" as never }),
    /docker\.composeDown: parameter "volumes" must be boolean/,
  ],
  ["composeRun without service", () => composeRun({ ...P } as never), /docker\.composeRun: missing required parameter "service"/],
  [
    "composeRun with an invalid env name",
    () => composeRun({ ...P, service: "migrator", env: { "A-B": "1" } }),
    /docker\.composeRun: parameter "env" has an invalid variable name "A-B"/,
  ],
  ["imagePrune with a negative keep", () => imagePrune({ repositories: ["r/app"], keep: -1 }), /docker\.imagePrune: parameter "keep"/],
  [
    "imagePrune with a tag in a repository",
    () => imagePrune({ repositories: ["r/app:v1"], keep: 1 }),
    /docker\.imagePrune: parameter "repositories\.0"/,
  ],
  ["imagePrune without repositories", () => imagePrune({ repositories: [], keep: 1 }), /docker\.imagePrune: parameter "repositories"/],
];

describe("docker tasks reject bad params before anything runs", () => {
  test.each(CASES)("%s is rejected naming the task and the parameter", (_name, call, message) => {
    let error: unknown;
    try {
      call();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ParamsError);
    expect((error as Error).message).toMatch(message);
  });
});
