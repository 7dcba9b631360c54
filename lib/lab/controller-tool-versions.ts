/** The versions of the controller tools, one line each, for a CI log (`npm run lab -- prerequisites --versions`). */
import { CONTROLLER_TOOLS, type ControllerTool } from "./controller-tools.js";
import { runProcess } from "./process.js";

/** First non-empty output line of `argv`, or undefined when it cannot run or fails. */
async function firstLine(argv: readonly string[]): Promise<string | undefined> {
  // controller-tools: none -- the version argv of each listed tool
  const r = await runProcess(argv, { allowFailure: true }).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  return `${r.stdout}\n${r.stderr}`
    .split("\n")
    .map((l) => l.trim())
    .find(Boolean);
}

/** `pkg version` as dpkg knows it, or undefined when the package is not installed. */
async function packageVersion(pkg: string): Promise<string | undefined> {
  return firstLine(["dpkg-query", "--showformat", "${Version}", "--show", pkg]);
}

/** One line per tool: its name, its own version output, and its Debian package's version. */
export async function controllerToolVersions(tools: readonly ControllerTool[] = CONTROLLER_TOOLS): Promise<string[]> {
  const width = Math.max(...tools.map((t) => t.program.length));
  return Promise.all(
    tools.map(async (t) => {
      const own = t.version ? await firstLine(t.version) : undefined;
      const pkg = t.debianPackage ? await packageVersion(t.debianPackage) : undefined;
      const origin = t.debianPackage ? `[${t.debianPackage} ${pkg ?? "not installed"}]` : `[${t.from}]`;
      const absent = t.from === "lab" ? "not installed yet (the lab installs it on first use)" : "MISSING (cannot run it)";
      const text = own ?? (t.version ? absent : "");
      return `${t.program.padEnd(width)}  ${text}${text ? "  " : ""}${origin}`;
    }),
  );
}
