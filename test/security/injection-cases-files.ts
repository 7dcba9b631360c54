/** Injection cases: file tasks and the command task: paths, contents, lines and blocks, links, argv, stdin, environment. */
import { type SlotFuzz, type TaskCase, component, noDotSegments } from "./injection-harness.js";
import {
  type CaseContext,
  ROOT,
  SHELL_BY_DESIGN,
  NOT_A_STRING,
  FUNCTION,
  localFile,
  fileTree,
  line,
  CREATE_FILES,
  CREATE_DIRS,
  nulList,
  shortComponents,
  BLOCK_BEGIN,
  BLOCK_END,
} from "./injection-kit.js";

/** The injection cases of these tasks, by task id. */
export function filesCases(ctx: CaseContext): Record<string, TaskCase> {
  const template = localFile(ctx, "template.hbs", "[{{v}}]\n{{{v}}}\n");
  return {
    "files.ensureDir": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/dir/${i}/${v}` }),
          shape: noDotSegments,
          apply: true,
          observe: { kind: "tree", root: `${ROOT}/dir`, entry: (a) => ({ path: `${a.index}/${a.value}`, type: "d" }) },
        },
        mode: { params: (v, i) => ({ path: `${ROOT}/dir-mode/${i}`, mode: v }), apply: true },
        owner: { params: (v, i) => ({ path: `${ROOT}/dir-owner/${i}`, owner: v }), apply: true },
        group: { params: (v, i) => ({ path: `${ROOT}/dir-group/${i}`, group: v }), apply: true },
      },
    },
    "files.ensureFile": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/file/${i}/${v}`, content: `c${i}\n`, createParents: true }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/file`,
            (a) => `${a.index}/${a.value}`,
            (a) => `c${a.index}\n`,
          ),
        },
        content: {
          params: (v, i) => ({ path: `${ROOT}/content/${i}`, content: v, createParents: true }),
          nul: true,
          apply: true,
          observe: fileTree(
            `${ROOT}/content`,
            (a) => `${a.index}`,
            (a) => a.value,
          ),
        },
        src: {
          params: (v, i) => ({ path: `${ROOT}/src/${i}`, src: localFile(ctx, `src/${i}/${v}`, `s${i}\n`), createParents: true }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/src`,
            (a) => `${a.index}`,
            (a) => `s${a.index}\n`,
          ),
        },
        owner: { params: (v, i) => ({ path: `${ROOT}/file-attr/${i}`, content: "x", owner: v }), apply: true },
        group: { params: (v, i) => ({ path: `${ROOT}/file-attr/${i}`, content: "x", group: v }), apply: true },
        mode: { params: (v, i) => ({ path: `${ROOT}/file-attr/${i}`, content: "x", mode: v }), apply: true },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.templateFile": {
      fuzz: {
        src: {
          params: (v, i) => ({
            src: localFile(ctx, `tsrc/${i}/${v}`, "[{{v}}]\n"),
            dest: `${ROOT}/tsrc/${i}`,
            vars: { v: "ok" },
            createParents: true,
          }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/tsrc`,
            (a) => `${a.index}`,
            () => "[ok]\n",
          ),
        },
        dest: {
          params: (v, i) => ({ src: template, dest: `${ROOT}/tdest/${i}/${v}`, vars: { v: "ok" }, createParents: true }),
          shape: noDotSegments,
          apply: true,
          observe: fileTree(
            `${ROOT}/tdest`,
            (a) => `${a.index}/${a.value}`,
            () => "[ok]\nok\n",
          ),
        },
        "vars.*": {
          params: (v, i) => ({ src: template, dest: `${ROOT}/tvars/${i}`, vars: { v }, createParents: true }),
          nul: true,
          apply: true,
          observe: fileTree(
            `${ROOT}/tvars`,
            (a) => `${a.index}`,
            (a) => `[${a.value}]\n${a.value}\n`,
          ),
        },
        "vars{}": {
          params: (v, i) => ({ src: template, dest: `${ROOT}/tkeys/${i}`, vars: { v: "ok", [v]: "x" }, createParents: true }),
          apply: true,
          observe: fileTree(
            `${ROOT}/tkeys`,
            (a) => `${a.index}`,
            () => "[ok]\nok\n",
          ),
        },
        owner: { params: (v, i) => ({ src: template, dest: `${ROOT}/tattr/${i}`, vars: { v: "x" }, owner: v }) },
        group: { params: (v, i) => ({ src: template, dest: `${ROOT}/tattr/${i}`, vars: { v: "x" }, group: v }) },
        mode: { params: (v, i) => ({ src: template, dest: `${ROOT}/tattr/${i}`, vars: { v: "x" }, mode: v }) },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.lineInFile": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/lpath/${i}-${v}`, line: "x", create: true }),
          shape: component,
          prepare: () => ({ script: `mkdir -p ${ROOT}/lpath` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/lpath`,
            (a) => `${a.index}-${a.value}`,
            () => "x\n",
          ),
        },
        line: {
          params: (v, i) => ({ path: `${ROOT}/lline/${i}`, line: v, create: true }),
          nul: true,
          prepare: () => ({ script: `mkdir -p ${ROOT}/lline` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/lline`,
            (a) => `${a.index}`,
            (a) => `${line(a.value)}\n`,
          ),
        },
        ...Object.fromEntries(
          (["regexp", "insertAfter", "insertBefore"] as const).map((k) => [
            k,
            {
              params: (v: string, i: number) => ({ path: `${ROOT}/l${k}/${i}`, line: "x", [k]: v, create: true }),
              prepare: () => ({ script: `mkdir -p ${ROOT}/l${k}` }),
              apply: true,
              observe: fileTree(
                `${ROOT}/l${k}`,
                (a) => `${a.index}`,
                () => "x\n",
              ),
            } satisfies SlotFuzz,
          ]),
        ),
        state: { params: (v, i) => ({ path: `${ROOT}/lstate/${i}`, line: "x", state: v }) },
        owner: { params: (v, i) => ({ path: `${ROOT}/lattr/${i}`, line: "x", owner: v }) },
        group: { params: (v, i) => ({ path: `${ROOT}/lattr/${i}`, line: "x", group: v }) },
        mode: { params: (v, i) => ({ path: `${ROOT}/lattr/${i}`, line: "x", mode: v }) },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.blockInFile": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/bpath/${i}-${v}`, block: "x", create: true }),
          shape: component,
          prepare: () => ({ script: `mkdir -p ${ROOT}/bpath` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bpath`,
            (a) => `${a.index}-${a.value}`,
            () => `${BLOCK_BEGIN}\nx\n${BLOCK_END}\n`,
          ),
        },
        block: {
          params: (v, i) => ({ path: `${ROOT}/bblock/${i}`, block: v, create: true }),
          nul: true,
          prepare: () => ({ script: `mkdir -p ${ROOT}/bblock` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bblock`,
            (a) => `${a.index}`,
            (a) => `${BLOCK_BEGIN}\n${a.value.endsWith("\n") ? a.value.slice(0, -1) : a.value}\n${BLOCK_END}\n`,
          ),
        },
        marker: {
          params: (v, i) => ({ path: `${ROOT}/bmarker/${i}`, block: "x", marker: `${v} {mark}`, create: true }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/bmarker` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bmarker`,
            (a) => `${a.index}`,
            (a) => `${line(a.value)} BEGIN\nx\n${line(a.value)} END\n`,
          ),
        },
        markerBegin: {
          params: (v, i) => ({ path: `${ROOT}/bmbegin/${i}`, block: "x", markerBegin: v, create: true }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/bmbegin` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bmbegin`,
            (a) => `${a.index}`,
            (a) => `# ${line(a.value)} BOSUN MANAGED BLOCK\nx\n${BLOCK_END}\n`,
          ),
        },
        markerEnd: {
          params: (v, i) => ({ path: `${ROOT}/bmend/${i}`, block: "x", markerEnd: v, create: true }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/bmend` }),
          apply: true,
          observe: fileTree(
            `${ROOT}/bmend`,
            (a) => `${a.index}`,
            (a) => `${BLOCK_BEGIN}\nx\n# ${line(a.value)} BOSUN MANAGED BLOCK\n`,
          ),
        },
        ...Object.fromEntries(
          (["insertAfter", "insertBefore"] as const).map((k) => [
            k,
            {
              params: (v: string, i: number) => ({ path: `${ROOT}/b${k}/${i}`, block: "x", [k]: v, create: true }),
              prepare: () => ({ script: `mkdir -p ${ROOT}/b${k}` }),
              apply: true,
              observe: fileTree(
                `${ROOT}/b${k}`,
                (a) => `${a.index}`,
                () => `${BLOCK_BEGIN}\nx\n${BLOCK_END}\n`,
              ),
            } satisfies SlotFuzz,
          ]),
        ),
        state: { params: (v, i) => ({ path: `${ROOT}/bstate/${i}`, block: "x", state: v }) },
        owner: { params: (v, i) => ({ path: `${ROOT}/battr/${i}`, block: "x", owner: v }) },
        group: { params: (v, i) => ({ path: `${ROOT}/battr/${i}`, block: "x", group: v }) },
        mode: { params: (v, i) => ({ path: `${ROOT}/battr/${i}`, block: "x", mode: v }) },
      },
      excused: { validate: SHELL_BY_DESIGN },
    },
    "files.ensureAbsent": {
      fuzz: {
        path: {
          params: (v, i) => ({ path: `${ROOT}/absent/${i}/${v}` }),
          shape: shortComponents,
          prepare: (as) => ({
            script: CREATE_FILES,
            stdin: nulList(as.flatMap((a) => [`${ROOT}/absent/${a.index}/${a.value}`, `${ROOT}/absent/${a.index}/keep`])),
          }),
          apply: true,
          observe: {
            kind: "tree",
            root: `${ROOT}/absent`,
            entry: (a) => [
              { path: `${a.index}/${a.value}`, type: "absent" },
              { path: `${a.index}/keep`, type: "f", content: "" },
            ],
          },
        },
      },
    },
    "files.symlink": {
      fuzz: {
        src: {
          params: (v, i) => ({ src: v, dest: `${ROOT}/link/${i}` }),
          prepare: () => ({ script: `mkdir -p ${ROOT}/link` }),
          apply: true,
          observe: { kind: "tree", root: `${ROOT}/link`, entry: (a) => ({ path: `${a.index}`, type: "l", target: a.value }) },
        },
        dest: {
          params: (v, i) => ({ src: "/srv/inj/target", dest: `${ROOT}/linkd/${i}-${v}` }),
          shape: component,
          prepare: () => ({ script: `mkdir -p ${ROOT}/linkd` }),
          apply: true,
          observe: {
            kind: "tree",
            root: `${ROOT}/linkd`,
            entry: (a) => ({ path: `${a.index}-${a.value}`, type: "l", target: "/srv/inj/target" }),
          },
        },
        owner: { params: (v, i) => ({ src: "/x", dest: `${ROOT}/link-attr/${i}`, owner: v }) },
        group: { params: (v, i) => ({ src: "/x", dest: `${ROOT}/link-attr/${i}`, group: v }) },
      },
    },
    "command.run": {
      fuzz: {
        "cmd?": {
          params: (v) => ({ cmd: ["printf", "%s", v] }),
          nul: true,
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) =>
              (r.output as { stdout?: string }).stdout === a.value
                ? undefined
                : `stdout ${JSON.stringify((r.output as { stdout?: string }).stdout)}`,
          },
        },
        cwd: {
          params: (v, i) => ({ cmd: ["pwd"], cwd: `${ROOT}/cwd/${i}-${v}` }),
          shape: (v) => component(v).slice(0, 100),
          prepare: (as) => ({ script: CREATE_DIRS, stdin: nulList(as.map((a) => `${ROOT}/cwd/${a.index}-${a.value}`)) }),
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) => {
              const out = (r.output as { stdout?: string }).stdout;
              return out === `${ROOT}/cwd/${a.index}-${a.value}\n` ? undefined : `pwd printed ${JSON.stringify(out)}`;
            },
          },
        },
        stdin: {
          params: (v) => ({ cmd: ["cat"], stdin: v }),
          nul: true,
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) =>
              (r.output as { stdout?: string }).stdout === a.value
                ? undefined
                : `cat printed ${JSON.stringify((r.output as { stdout?: string }).stdout)}`,
          },
        },
        "env.*": {
          params: (v) => ({ cmd: ["printenv", "INJ"], env: { INJ: v } }),
          nul: true,
          apply: true,
          observe: {
            kind: "result",
            check: (r, a) =>
              (r.output as { stdout?: string }).stdout === `${a.value}\n`
                ? undefined
                : `printenv printed ${JSON.stringify((r.output as { stdout?: string }).stdout)}`,
          },
        },
        "env{}": { params: (v) => ({ cmd: ["true"], env: { [v]: "x" } }), apply: true },
        creates: {
          params: (v, i) => ({ cmd: ["echo", "ran"], creates: `${ROOT}/creates/${i}/${v}` }),
          shape: shortComponents,
          prepare: (as) => ({ script: CREATE_FILES, stdin: nulList(as.map((a) => `${ROOT}/creates/${a.index}/${a.value}`)) }),
          apply: true,
          observe: {
            kind: "result",
            check: (r) =>
              r.status === "ok" && /exists/.test(r.message ?? "") ? undefined : `the guard missed the file: ${r.status} ${r.message}`,
          },
        },
        removes: {
          params: (v, i) => ({ cmd: ["echo", "ran"], removes: `${ROOT}/removes/${i}/${v}` }),
          shape: shortComponents,
          prepare: (as) => ({ script: CREATE_FILES, stdin: nulList(as.map((a) => `${ROOT}/removes/${a.index}/${a.value}`)) }),
          apply: true,
          observe: {
            kind: "result",
            check: (r) =>
              r.status === "changed" && (r.output as { stdout?: string }).stdout === "ran\n"
                ? undefined
                : `the guard missed the file: ${r.status} ${r.message}`,
          },
        },
      },
      excused: { "unless?": NOT_A_STRING, "changedWhen?": FUNCTION, "failedWhen?": FUNCTION },
    },
  };
}
