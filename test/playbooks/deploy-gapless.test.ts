/**
 * The pieces of gapless deploys without hosts: the gate's probe parsing and verdicts, every
 * service up, retries with backoff and jitter, interruptible sleeps, digests and the pin file, the
 * history's release identity, the prune of untagged images, nginx upstream text and the plan.
 * The flow runs against a lab host in deploy-gapless.e2e.test.ts.
 */
import { InterruptedError } from "../../lib/core/errors.js";
import { planPrune, type RepositoryImages } from "../../lib/facts/docker-images.js";
import { switchedUpstreamName, upstreamConf } from "../../lib/tasks/tls/nginx-upstream.js";
import { backoffSeconds, DEFAULT_RETRY, sleepUnlessInterrupted, withRetries } from "../../playbooks/deploy/abort.js";
import { digestFor, parseDigests, parsePinFile, pinFileContent } from "../../playbooks/deploy/digests.js";
import { frontedPlan } from "../../playbooks/deploy/fronted.js";
import { parseHistory, previousGoodRelease, recordedDigests, sameRelease, type ReleaseRecord } from "../../playbooks/deploy/history.js";
import { publishedPorts } from "../../playbooks/deploy/preflight.js";
import { parseProjectState, servicesDown } from "../../playbooks/deploy/services-up.js";
import { containerAddress, gateVerdict, parseProbe, urlAt } from "../../playbooks/deploy/swap.js";
import { composeProject, deploySettings } from "../../playbooks/deploy/vars.js";
import { deployEnvContent } from "../../playbooks/deploy/release-env.js";

const R = "registry.lab.test:5000/demo/app";
const D1 = `${R}@sha256:${"1".repeat(64)}`;
const D2 = `${R}@sha256:${"2".repeat(64)}`;
const D3 = `${R}@sha256:${"3".repeat(64)}`;

describe("the gate of a new container", () => {
  test("parseProbe() reads the state, the health and each URL's status and body", () => {
    const out = '@@bosun:state\n{"Status":"running","Health":{"Status":"healthy"}}\n@@bosun:url\nready\n\n@@200\n@@bosun:url\n\n@@000\n';
    expect(parseProbe(out)).toEqual({
      state: "running",
      health: "healthy",
      answers: [
        { status: 200, body: "ready\n" },
        { status: 0, body: "" },
      ],
    });
  });

  test("gateVerdict(): passes only a running, healthy container whose URLs answer as expected; an exit is final", () => {
    const urls = [{ url: "http://172.18.0.5:8080/api/ready" }, { url: "http://172.18.0.5:8080/health", body: "ok" }];
    const ok = {
      state: "running",
      health: "healthy",
      answers: [
        { status: 200, body: "ready" },
        { status: 200, body: "ok" },
      ],
    };
    expect(gateVerdict(ok, urls)).toBeUndefined();
    expect(gateVerdict({ ...ok, health: "starting" }, urls)).toEqual({ reason: "its healthcheck is still starting", final: false });
    expect(gateVerdict({ ...ok, state: "exited" }, urls)).toEqual({ reason: "the container is exited", final: true });
    expect(gateVerdict({ ...ok, answers: [{ status: 500, body: "not ready" }, ok.answers[1]!] }, urls)).toEqual({
      reason: "http://172.18.0.5:8080/api/ready answered 500 (not ready)",
      final: false,
    });
    expect(gateVerdict({ ...ok, answers: [ok.answers[0]!, { status: 200, body: "degraded" }] }, urls)?.reason).toMatch(/without "ok"/);
  });

  test("urlAt() points a readiness URL at a container; containerAddress() takes its first IPv4", () => {
    expect(urlAt("http://127.0.0.1:8080/api/ready?deep=1", "172.18.0.5:8080")).toBe("http://172.18.0.5:8080/api/ready?deep=1");
    expect(containerAddress(" 172.18.0.5 10.0.0.2 ", 3000)).toBe("172.18.0.5:3000");
    expect(containerAddress("", 3000)).toBeUndefined();
  });
});

describe("every service up", () => {
  const line = (spec: string) => {
    const [service, id, state, health, restarts, exitCode] = spec.split("|");
    const json = JSON.stringify({ Status: state, ExitCode: Number(exitCode), ...(health ? { Health: { Status: health } } : {}) });
    return `${service}|${id}|${restarts}|${json}`;
  };
  const look = (...containers: string[]) =>
    parseProjectState(["@@bosun:services", "app", "worker", "@@bosun:containers", ...containers.map(line)].join("\n"));
  test("a crash-looping or exited worker is a problem; a restart between two looks is one too", () => {
    const first = look("app|a1|running|healthy|0|0", "worker|w1|running||0|0");
    expect(servicesDown(first, first)).toEqual({ problems: [], waiting: [] });
    expect(servicesDown(look("app|a1|running|healthy|0|0", "worker|w1|restarting||3|1"), first).problems).toEqual(["worker is restarting"]);
    expect(servicesDown(look("app|a1|running|healthy|0|0", "worker|w1|exited||0|1"), first).problems).toEqual([
      "worker is exited (exit 1)",
    ]);
    expect(servicesDown(look("app|a1|running|healthy|0|0", "worker|w1|running||2|0"), first).problems).toEqual([
      "worker restarted 2 time(s)",
    ]);
    expect(servicesDown(look("app|a1|running|healthy|0|0"), first).problems).toEqual(["worker has no container"]);
    expect(servicesDown(look("app|a1|running|starting|0|0", "worker|w1|exited||0|0"), first)).toEqual({
      problems: [],
      waiting: ["app health is starting"],
    });
  });
});

describe("retries and interrupts", () => {
  test("backoffSeconds() doubles up to the ceiling, with jitter between half and all of it", () => {
    const policy = { attempts: 6, baseSeconds: 1, maxSeconds: 5 };
    expect([1, 2, 3, 4].map((n) => backoffSeconds(policy, n, () => 1))).toEqual([1, 2, 4, 5]);
    expect([1, 2, 3, 4].map((n) => backoffSeconds(policy, n, () => 0))).toEqual([0.5, 1, 2, 2.5]);
  });

  test("withRetries() tries until success or the attempts are spent, reporting each failure", async () => {
    const seen: string[] = [];
    let n = 0;
    const out = await withRetries(
      async () => ({ ok: ++n === 3, reason: `try ${n}` }),
      { attempts: 4, baseSeconds: 0, maxSeconds: 0 },
      {
        onRetry: (e) => seen.push(`${e.attempt}/${e.attempts} ${e.reason}`),
      },
    );
    expect(out.ok).toBe(true);
    expect(seen).toEqual(["1/4 try 1", "2/4 try 2"]);
    const failed = await withRetries(async () => ({ ok: false, reason: "down" }), { attempts: 2, baseSeconds: 0, maxSeconds: 0 });
    expect(failed.ok).toBe(false);
    expect(DEFAULT_RETRY.attempts).toBeGreaterThan(1);
  });

  test("an interrupt ends a sleep and a backoff at once", async () => {
    const controller = new AbortController();
    const sleeping = sleepUnlessInterrupted(60_000, controller.signal);
    controller.abort();
    await expect(sleeping).rejects.toBeInstanceOf(InterruptedError);
    const retrying = withRetries(
      async () => ({ ok: false }),
      { attempts: 5, baseSeconds: 60, maxSeconds: 60 },
      { signal: controller.signal },
    );
    await expect(retrying).rejects.toBeInstanceOf(InterruptedError);
  });
});

describe("releases pinned by digest", () => {
  test("digestFor() picks the RepoDigest of the image's repository; parseDigests() maps services to them", () => {
    expect(digestFor(`${R}:dev`, ["other/app@sha256:9", D1])).toBe(D1);
    expect(digestFor(D2, [])).toBe(D2);
    const config = JSON.stringify({ services: { app: { image: `${R}:dev` }, migrator: { image: `${R}-migrator:dev` } } });
    const out = parseDigests(`@@bosun:config\n${config}\n@@bosun:digests\n${R}:dev ["${D1}"]\n${R}-migrator:dev []\n`);
    expect(out).toEqual({ images: { app: D1 }, unpinned: ["migrator"] });
  });

  test("the pin file is a compose override naming each service's digest, and reads back", () => {
    const text = pinFileContent({ worker: D1, app: D2 }, "dev");
    expect(text).toBe(
      `# Written by bosun (playbooks/deploy.ts): the images of release dev, pinned by digest. Do not edit.\nservices:\n  "app":\n    image: "${D2}"\n  "worker":\n    image: "${D1}"\n`,
    );
    expect(parsePinFile(text)).toEqual({ app: D2, worker: D1 });
  });

  test("a moving tag re-pushed is another release: --rollback goes to the previous digest; recorded digests are kept", () => {
    const rec = (images: Record<string, string>, result: ReleaseRecord["result"] = "success"): ReleaseRecord => ({
      time: "t",
      tag: "dev",
      result,
      action: "deploy",
      who: "ci",
      images,
    });
    const history = parseHistory(
      [rec({ app: D1 }), rec({ app: D2 }), rec({ app: D3 }, "failed"), rec({ app: D3 })].map((r) => JSON.stringify(r)),
    );
    expect(sameRelease(history[0]!, history[1]!)).toBe(false);
    expect(sameRelease({ tag: "v1" }, { tag: "v1", images: { app: D1 } })).toBe(true);
    expect(previousGoodRelease(history)?.images).toEqual({ app: D2 });
    expect(recordedDigests(history)).toEqual([D1, D2, D3]);
  });

  test("planPrune() with keepDigests removes untagged images no recorded release references, and keeps the recorded and used ones", () => {
    const found: RepositoryImages = {
      images: [
        { id: "sha256:a", created: "2026-01-01T00:00:01Z", tags: [], digests: [D1] },
        { id: "sha256:b", created: "2026-01-01T00:00:02Z", tags: [], digests: [D2] },
        { id: "sha256:c", created: "2026-01-01T00:00:03Z", tags: [], digests: [D3] },
        { id: "sha256:d", created: "2026-01-01T00:00:04Z", tags: [`${R}:dev`], digests: [`${R}@sha256:${"4".repeat(64)}`] },
      ],
      inUse: new Set(["sha256:d"]),
    };
    expect(planPrune(found, [R], { keep: 1, keepDigests: [D2] })).toEqual({ kept: [`${R}:dev`, D2], removed: [D3, D1] });
    // Without keepDigests untagged images are left alone, as before.
    expect(planPrune(found, [R], { keep: 1 })).toEqual({ kept: [`${R}:dev`], removed: [] });
  });
});

describe("nginx upstreams and the plan", () => {
  test("a site proxying to http://<name> names a switched upstream; its file holds one server", () => {
    expect(switchedUpstreamName("http://demo_app")).toBe("demo_app");
    expect(switchedUpstreamName("http://127.0.0.1:8080")).toBeUndefined();
    expect(upstreamConf("demo_app", "172.18.0.5:8080", "app v2")).toBe(
      "# written by bosun (playbooks/deploy.ts): app v2. A site proxies to it with proxy_pass http://demo_app;\nupstream demo_app {\n    server 172.18.0.5:8080 max_fails=0;\n}\n",
    );
  });

  test("the plan says how each fronted service is replaced, and stop-start without nginx; a fixed host port is found", () => {
    const s = deploySettings({
      app_dir: "/srv/demo",
      registry_image: "registry.lab.test:5000/demo",
      tag: "v2",
      upstreams: [{ service: "app", port: 8080, upstream: "demo_app" }],
      drain_seconds: "7",
    });
    expect(frontedPlan(s, undefined, true)).toEqual([
      "start app beside the running one, gate it, switch nginx upstream demo_app, drain 7s, stop the old one",
    ]);
    expect(frontedPlan(s, undefined, false)).toEqual(["stop-start app (nginx is not installed: nothing fronts them)"]);
    expect(frontedPlan(s, ["worker"], true)).toEqual([]);
    const config = { services: { app: { ports: [{ target: 8080, published: "8080" }] }, api: { ports: [{ target: 80, published: "" }] } } };
    expect(publishedPorts(JSON.stringify(config))).toEqual({ app: ["8080"] });
  });
});

describe("the team's naming", () => {
  test("image_variables give full references per variable in deploy.env; env_files are read before deploy.env", () => {
    const s = deploySettings({
      app_dir: "/srv/cfa",
      registry_image: "registry.gitlab.com/acme/cfa",
      tag: "sha-1",
      image_variables: { APP_IMAGE: "registry.gitlab.com/acme/app", MIGRATOR_IMAGE: "registry.gitlab.com/acme/migrator" },
      env_files: [".env", ".env.production", "infra/.env.prod"],
    });
    expect(deployEnvContent(s.registryImage, "sha-1", s.imageVariables)).toBe(
      "# Written by bosun (playbooks/deploy.ts) at every release: do not edit. Settings and secrets live in .env.\nREGISTRY_IMAGE=registry.gitlab.com/acme/cfa\nTAG=sha-1\nAPP_IMAGE=registry.gitlab.com/acme/app:sha-1\nMIGRATOR_IMAGE=registry.gitlab.com/acme/migrator:sha-1\n",
    );
    expect(composeProject(s).envFiles).toEqual([".env", ".env.production", "infra/.env.prod", "deploy.env"]);
    expect(composeProject(s, true).files).toEqual(["compose.yaml", "deploy.images.yaml"]);
    expect(() =>
      deploySettings({ app_dir: "/srv/cfa", registry_image: "r/x", tag: "v1", image_variables: { "app-image": "r/app" } }),
    ).toThrow(/image_variables/);
  });
});
