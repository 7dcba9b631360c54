/** Injection cases: tasks that drive programs the lab host lacks (docker, git, certbot, gitlab-runner, ufw, nginx): their recording stand-ins show the argv, environment and stdin they got. */
import { type SlotFuzz, type TaskCase, noDotSegments } from "./injection-harness.js";
import { type CaseContext, ROOT, localFile, fileTree, line, script, argv, envEntry, urlTail } from "./injection-kit.js";

/** The injection cases of these tasks, by task id. */
export function toolsCases(ctx: CaseContext): Record<string, TaskCase> {
  const siteTemplate = localFile(ctx, "site.hbs", "# {{x}}\n");
  const gitBase = { repo: "https://git.lab.test/inj.git" };
  const certBase = { domains: ["inj.lab.test"], authenticator: "webroot", webroot: `${ROOT}/www`, registerUnsafelyWithoutEmail: true };
  const runnerBase = { url: "https://gitlab.lab.test", token: "glrt-inject", image: "alpine:3" };
  const gitlabKeyUrl = "http://127.0.0.1:9/gpgkey"; // a closed loopback port: never packages.gitlab.com
  const ufwSlots = (): TaskCase => ({
    fuzz: {
      comment: {
        params: (v) => ({ port: 2222, proto: "tcp", comment: v }),
        apply: true,
        observe: argv("ufw", (a) => ["comment", a.value]),
      },
      port: { params: (v) => ({ port: v }), apply: true },
      from: { params: (v) => ({ port: 2222, from: v }), apply: true },
      to: { params: (v) => ({ port: 2222, to: v }), apply: true },
      proto: { params: (v) => ({ port: 2222, proto: v }) },
      direction: { params: (v) => ({ port: 2222, direction: v }) },
      state: { params: (v) => ({ port: 2222, state: v }) },
    },
  });

  return {
    "ci.gitlabRunner": {
      fuzz: {
        version: { params: (v) => ({ version: v, keyUrl: gitlabKeyUrl }) },
        keyUrl: { params: (v) => ({ keyUrl: `http://127.0.0.1:9/${urlTail(v)}` }) },
        repoUrl: { params: (v) => ({ repoUrl: `http://127.0.0.1:9/${urlTail(v)}`, keyUrl: gitlabKeyUrl }) },
        suite: { params: (v) => ({ suite: v, keyUrl: gitlabKeyUrl }) },
        "key?": { params: (v) => ({ key: v }) },
      },
    },
    "ci.gitlabRunnerRegister": {
      fuzz: {
        url: {
          params: (v, i) => ({ ...runnerBase, name: `injru${i}`, url: `https://gitlab.lab.test/${v}` }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--url", `https://gitlab.lab.test/${a.value}`]),
        },
        token: {
          params: (v, i) => ({ ...runnerBase, tokenType: "registration", name: `injrt${i}`, token: v }),
          apply: true,
          observe: envEntry(
            "gitlab-runner",
            (a) => ["--name", `injrt${a.index}`],
            (a) => `REGISTRATION_TOKEN=${a.value}`,
          ),
        },
        image: {
          params: (v, i) => ({ ...runnerBase, name: `injri${i}`, image: v }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--docker-image", a.value]),
        },
        name: { params: (v) => ({ ...runnerBase, name: v }), apply: true, observe: argv("gitlab-runner", (a) => ["--name", a.value]) },
        "volumes[]": {
          params: (v, i) => ({ ...runnerBase, name: `injrv${i}`, volumes: [v] }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--docker-volumes", a.value]),
        },
        "tagList[]": {
          params: (v, i) => ({ ...runnerBase, token: "inject-registration", name: `injrg${i}`, tagList: [v] }),
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--tag-list", a.value]),
        },
        configFile: {
          params: (v, i) => ({ ...runnerBase, name: `injrc${i}`, configFile: `${ROOT}/runner/${i}/${v}` }),
          shape: noDotSegments,
          apply: true,
          observe: argv("gitlab-runner", (a) => ["--config", `${ROOT}/runner/${a.index}/${a.value}`]),
        },
        tokenType: { params: (v) => ({ ...runnerBase, tokenType: v }) },
      },
    },
    "source.gitCheckout": {
      fuzz: {
        repo: {
          params: (v, i) => ({ repo: v, dest: `${ROOT}/git-repo/${i}` }),
          apply: true,
          observe: argv("git", (a) => ["--", a.value, `${ROOT}/git-repo/${a.index}`]),
        },
        dest: {
          params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-dest/${i}/${v}` }),
          shape: noDotSegments,
          apply: true,
          observe: argv("git", (a) => ["--", gitBase.repo, `${ROOT}/git-dest/${a.index}/${a.value}`]),
        },
        ref: {
          params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-ref/${i}`, ref: v }),
          apply: true,
          observe: argv("git", (a) => ["--branch", a.value]),
        },
        deployKey: {
          params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-key/${i}`, deployKey: `${ROOT}/keys/${v}` }),
          apply: true,
          observe: {
            kind: "fake",
            tool: "git",
            check: (runs, a) =>
              runs.some((r) => r.ssh && r.ssh[0] === "ssh" && r.ssh[1] === "-i" && r.ssh[2] === `${ROOT}/keys/${a.value}`)
                ? undefined
                : `GIT_SSH_COMMAND never split into ssh -i ${JSON.stringify(`${ROOT}/keys/${a.value}`)}: ${JSON.stringify(
                    runs
                      .map((r) => r.ssh)
                      .filter(Boolean)
                      .slice(0, 2),
                  )}`,
          },
        },
        owner: { params: (v, i) => ({ ...gitBase, dest: `${ROOT}/git-owner/${i}`, owner: v }) },
      },
    },
    "tls.certbotIssue": {
      fuzz: {
        "domains[]": { params: (v) => ({ ...certBase, domains: [v] }) },
        authenticator: { params: (v) => ({ ...certBase, authenticator: v }) },
        certName: { params: (v) => ({ ...certBase, certName: v }) },
        webroot: {
          params: (v, i) => ({ ...certBase, certName: `injw${i}`, webroot: `${ROOT}/wr/${v}` }),
          apply: true,
          observe: argv("certbot", (a) => ["--webroot-path", `${ROOT}/wr/${a.value}`]),
        },
        cloudflareToken: {
          params: (v, i) => ({
            ...certBase,
            webroot: undefined,
            authenticator: "dns-cloudflare",
            certName: `injt${i}`,
            cloudflareToken: v,
            cloudflareCredentials: `${ROOT}/cf/${i}.ini`,
          }),
          nul: true,
          apply: true,
          observe: fileTree(
            `${ROOT}/cf`,
            (a) => `${a.index}.ini`,
            (a) => `# Cloudflare API token for certbot (written by bosun)\ndns_cloudflare_api_token = ${line(a.value)}\n`,
          ),
        },
        cloudflareCredentials: {
          params: (v, i) => ({
            ...certBase,
            webroot: undefined,
            authenticator: "dns-cloudflare",
            certName: `injc${i}`,
            cloudflareToken: "tok",
            cloudflareCredentials: `${ROOT}/cfc/${i}/${v}`,
          }),
          shape: noDotSegments,
          apply: true,
          observe: argv("certbot", (a) => ["--dns-cloudflare-credentials", `${ROOT}/cfc/${a.index}/${a.value}`]),
        },
        authHook: {
          params: (v, i) => ({ ...certBase, webroot: undefined, authenticator: "manual", certName: `injah${i}`, authHook: v }),
          apply: true,
          observe: argv("certbot", (a) => ["--manual-auth-hook", a.value]),
        },
        cleanupHook: {
          params: (v, i) => ({
            ...certBase,
            webroot: undefined,
            authenticator: "manual",
            certName: `injch${i}`,
            authHook: "true",
            cleanupHook: v,
          }),
          apply: true,
          observe: argv("certbot", (a) => ["--manual-cleanup-hook", a.value]),
        },
        challenge: { params: (v) => ({ ...certBase, webroot: undefined, authenticator: "manual", authHook: "true", challenge: v }) },
        server: {
          params: (v, i) => ({ ...certBase, certName: `injsv${i}`, server: `https://acme.lab.test/${v}` }),
          apply: true,
          observe: argv("certbot", (a) => ["--server", `https://acme.lab.test/${a.value}`]),
        },
        email: {
          params: (v, i) => ({ ...certBase, registerUnsafelyWithoutEmail: undefined, certName: `injm${i}`, email: `${v}@lab.test` }),
          apply: true,
          observe: argv("certbot", (a) => ["--email", `${a.value}@lab.test`]),
        },
        keyType: { params: (v) => ({ ...certBase, keyType: v }) },
        "env.*": {
          params: (v, i) => ({ ...certBase, certName: `inje${i}`, env: { INJ: v } }),
          apply: true,
          observe: envEntry(
            "certbot",
            (a) => ["--cert-name", `inje${a.index}`],
            (a) => `INJ=${a.value}`,
          ),
        },
        "env{}": { params: (v) => ({ ...certBase, env: { [v]: "x" } }) },
        ...Object.fromEntries(
          (["preHook", "postHook", "deployHook"] as const).map((k) => [
            k,
            {
              params: (v: string, i: number) => ({ ...certBase, certName: `inj${k}${i}`, [k]: v }),
              apply: true,
              observe: argv("certbot", (a) => [`--${k.replace("Hook", "")}-hook`, a.value]),
            } satisfies SlotFuzz,
          ]),
        ),
      },
    },
    "tls.certbotRenew": {
      fuzz: {
        certName: { params: (v) => ({ certName: v, force: true }) },
        ...Object.fromEntries(
          (["preHook", "postHook", "deployHook"] as const).map((k) => [
            k,
            {
              params: (v: string) => ({ force: true, [k]: v }),
              apply: true,
              observe: argv("certbot", (a) => [`--${k.replace("Hook", "")}-hook`, a.value]),
            } satisfies SlotFuzz,
          ]),
        ),
        server: {
          params: (v) => ({ force: true, server: `https://acme.lab.test/${v}` }),
          apply: true,
          observe: argv("certbot", (a) => ["--server", `https://acme.lab.test/${a.value}`]),
        },
        "env.*": {
          params: (v) => ({ force: true, env: { INJ: v } }),
          apply: true,
          observe: {
            kind: "fake",
            tool: "certbot",
            check: (runs, a) =>
              runs.some((r) => r.env.includes(`INJ=${a.value}`)) ? undefined : `no certbot run had INJ=${JSON.stringify(a.value)}`,
          },
        },
        "env{}": { params: (v) => ({ force: true, env: { [v]: "x" } }) },
      },
    },
    "tls.nginxUpstreamPlaceholder": {
      fuzz: { name: { params: (v) => ({ name: v }) } },
    },
    "deploy.switchUpstream": {
      fuzz: {
        name: { params: (v) => ({ name: v, address: "127.0.0.1:9", note: "x" }) },
        address: { params: (v) => ({ name: "inj_up", address: v, note: "x" }) },
        note: { params: (v) => ({ name: "inj_up", address: "127.0.0.1:9", note: v }) },
        backup: { params: (v) => ({ name: "inj_up", address: "127.0.0.1:9", note: "x", backup: v }) },
      },
    },
    "tls.nginxSite": {
      fuzz: {
        name: { params: (v) => ({ name: v, content: "x" }) },
        template: {
          params: (v, i) => ({ name: `injnt${i}`, template: localFile(ctx, `nt/${i}/${v}`, "# {{x}}\n"), vars: { x: "ok" } }),
          shape: noDotSegments,
          apply: true,
          observe: script(
            (a) => `cat /etc/nginx/sites-available/injnt${a.index}`,
            () => "# ok\n",
          ),
        },
        content: {
          params: (v, i) => ({ name: `injnc${i}`, content: v }),
          nul: true,
          apply: true,
          observe: script(
            (a) => `cat /etc/nginx/sites-available/injnc${a.index}`,
            (a) => a.value,
          ),
        },
        "vars.*": {
          params: (v, i) => ({ name: `injnv${i}`, template: siteTemplate, vars: { x: v } }),
          apply: true,
          observe: script(
            (a) => `cat /etc/nginx/sites-available/injnv${a.index}`,
            (a) => `# ${a.value}\n`,
          ),
        },
        "vars{}": { params: (v, i) => ({ name: `injnk${i}`, template: siteTemplate, vars: { x: "ok", [v]: "y" } }) },
        state: { params: (v) => ({ name: "injns", state: v }) },
      },
    },
    "ufw.allow": ufwSlots(),
    "ufw.deny": ufwSlots(),
    "ufw.limit": ufwSlots(),
    "ufw.default": {
      fuzz: Object.fromEntries(
        (["incoming", "outgoing", "routed"] as const).map((k) => [k, { params: (v: string) => ({ [k]: v }) } satisfies SlotFuzz]),
      ),
    },
    "ufw.enable": { fuzz: { state: { params: (v) => ({ state: v }) } } },
    "ufw.dockerFilter": { fuzz: { state: { params: (v) => ({ state: v }) } } },
  };
}
