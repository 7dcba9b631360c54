import { jsonDocument } from "../../lib/cli/json-reporter.js";
import { junitXml, xmlEscape } from "../../lib/cli/junit-reporter.js";
import { result, sampleReport, stats } from "./fixtures.js";

/** The testcases of a JUnit text, as `classname | name | failure type or "-"`. */
function cases(xml: string): string[] {
  const found: string[] = [];
  for (const m of xml.matchAll(/<testcase classname="([^"]*)" name="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const failure = /<failure type="(\w+)"/.exec(m[4] ?? "")?.[1] ?? (/<skipped/.test(m[4] ?? "") ? "skipped" : "-");
    found.push(`${m[1]} | ${m[2]} | ${failure}`);
  }
  return found;
}

describe("junitXml()", () => {
  test("writes one testcase per host and task; a failed task is a failure naming host, task and place", () => {
    const xml = junitXml(jsonDocument(sampleReport()));
    expect(cases(xml)).toEqual(["web1 | directory /srv/app | -", "web2 | directory /srv/app | failed", "web1 | config /etc/app.conf | -"]);
    expect(xml).toContain(
      '<failure type="failed" message="[web2] files.ensureDir (playbooks/site.ts:10): Cannot ensure directory &quot;/srv/app&quot;: path is a file">',
    );
    expect(xml).toMatch(/<testsuites name="bosun" tests="3" failures="1" errors="0" skipped="0"/);
    expect(xml).toMatch(/<testcase classname="web1" name="directory \/srv\/app" file="playbooks\/site.ts:10" time="0.012">/);
  });

  test("an unreachable host is a failure of its own testcase", () => {
    const report = sampleReport({
      plays: [{ name: "site", hosts: ["web1", "gone"], results: [result("web1", "directory /srv/app")] }],
      stats: { web1: stats({ ok: 1 }), gone: stats({ unreachable: 1 }) },
      hostErrors: { gone: "[gone] Cannot connect to root@10.0.0.9:22: connection refused" },
      exitCode: 4,
    });
    const xml = junitXml(jsonDocument(report));
    expect(cases(xml)).toEqual(["web1 | directory /srv/app | -", "gone | reach host | unreachable"]);
    expect(xml).toContain('message="[gone] Cannot connect to root@10.0.0.9:22: connection refused"');
  });

  const drift = () =>
    jsonDocument(
      sampleReport({
        check: true,
        plays: [
          {
            name: "bootstrap",
            hosts: ["web1"],
            results: [
              result("web1", "sshd config", {
                task: "access.sshdConfig",
                status: "changed",
                location: "playbooks/bootstrap.ts:30",
                diff: "-PermitRootLogin no\n+PermitRootLogin yes\n",
              }),
              result("web1", "package curl", { task: "packages.apt", status: "skipped", message: "tag" }),
            ],
          },
        ],
        stats: { web1: stats({ ok: 1, changed: 1, skipped: 1 }) },
        hostErrors: {},
        exitCode: 0,
      }),
    );

  test("a change under --check fails only with --fail-on-change, and names host and task with the diff", () => {
    expect(cases(junitXml(drift()))).toEqual(["web1 | sshd config | -", "web1 | package curl | skipped"]);
    const xml = junitXml(drift(), { failOnChange: true });
    expect(cases(xml)).toEqual(["web1 | sshd config | changed", "web1 | package curl | skipped"]);
    expect(xml).toContain(
      'message="[web1] access.sshdConfig (playbooks/bootstrap.ts:30): would change (--check --fail-on-change)">-PermitRootLogin no\n+PermitRootLogin yes\n</failure>',
    );
  });

  test("reads --fail-on-change from the document", () => {
    expect(cases(junitXml({ ...drift(), fail_on_change: true }))[0]).toBe("web1 | sshd config | changed");
  });

  test("a change outside --check is never a failure", () => {
    const doc = { ...drift(), check_mode: false };
    expect(cases(junitXml(doc, { failOnChange: true }))[0]).toBe("web1 | sshd config | -");
  });
});

describe("xmlEscape()", () => {
  test("escapes markup and drops colours and characters XML cannot hold", () => {
    expect(xmlEscape(`a<b>&"c'\u001b[31mred\u001b[0m\u0000\u0007\ttab`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;red\ttab");
  });
});
