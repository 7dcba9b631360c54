/**
 * `.j2` templates render to the same bytes as Ansible's `template` module: every case of
 * test/fixtures/templates/cases.json (templates from geerlingguy's nginx, mysql and ntp roles and bosun's own
 * semantics templates) is rendered by real Ansible (`ansible localhost -c local -m template`,
 * Debian's ansible package, a controller prerequisite) and by bosun, and the files compared.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { renderTemplateFile } from "../../lib/template/render.js";

const run = promisify(execFile);
const FIXTURES = fileURLToPath(new URL("../fixtures/templates/", import.meta.url));

interface Case {
  readonly template: string;
  readonly vars: Record<string, unknown>;
}

let dir: string;
let cases: [string, Case][];
const rendered = new Map<string, Buffer>();

async function renderWithAnsible(name: string, c: Case): Promise<void> {
  const varsFile = join(dir, `${name}.json`);
  const dest = join(dir, `${name}.out`);
  await writeFile(varsFile, JSON.stringify(c.vars));
  const env = { ...process.env, ANSIBLE_PYTHON_INTERPRETER: "/usr/bin/python3", ANSIBLE_LOCALHOST_WARNING: "false", ANSIBLE_NOCOLOR: "1" };
  // controller-tools: ansible
  await run(
    "ansible",
    [
      "localhost",
      "-i",
      "localhost,",
      "-c",
      "local",
      "-m",
      "template",
      "-a",
      `src=${join(FIXTURES, c.template)} dest=${dest}`,
      "-e",
      `@${varsFile}`,
    ],
    {
      env,
    },
  );
  rendered.set(name, await readFile(dest));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bosun-j2-"));
  cases = Object.entries(JSON.parse(await readFile(join(FIXTURES, "cases.json"), "utf8")) as Record<string, Case>);
  // Two at a time: each ansible run starts a Python interpreter twice.
  for (let i = 0; i < cases.length; i += 2) await Promise.all(cases.slice(i, i + 2).map(([name, c]) => renderWithAnsible(name, c)));
}, 240_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

test("the fixture has the real roles' templates and bosun's semantics cases", () => {
  expect(cases.map(([name]) => name)).toEqual(
    expect.arrayContaining([
      "nginx-conf-upstreams",
      "nginx-conf-defaults",
      "vhost-full",
      "vhost-minimal",
      "semantics-edges",
      "semantics-filters",
    ]),
  );
});

test.each([
  "nginx-conf-upstreams",
  "nginx-conf-defaults",
  "vhost-full",
  "vhost-minimal",
  "ntp-chrony",
  "mysql-defaults",
  "mysql-replication-master",
  "semantics-edges",
  "semantics-edges-false",
  "semantics-filters",
  "semantics-include",
])("%s renders to the bytes Ansible's template module writes", async (name) => {
  const c = Object.fromEntries(cases)[name] as Case;
  const ours = await renderTemplateFile(join(FIXTURES, c.template), c.vars);
  expect(ours).toBe(rendered.get(name)?.toString("utf8"));
});
