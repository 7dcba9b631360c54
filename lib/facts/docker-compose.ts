/**
 * Compose project state: the containers `docker compose ps -a --format json` lists, the images a
 * project uses with their local ids, and what a change did (pure comparisons of two snapshots).
 */
import { defineFact } from "../core/fact.js";
import { sh, type Command } from "../core/command.js";
import { parseSections, script, section, sectionLines } from "./docker-sections.js";

/** One container of a compose project. */
export interface ComposeContainer {
  /** Container id. */
  readonly id: string;
  /** Container name. */
  readonly name: string;
  /** Compose service. */
  readonly service: string;
  /** `running`, `exited`, `created`, ... */
  readonly state: string;
  /** Image reference. */
  readonly image: string;
  /** `healthy`, `unhealthy`, `starting`, or "" without a healthcheck. */
  readonly health?: string;
}

/**
 * Parse `docker compose ps --format json`: one JSON object per line (compose >= 2.21) or one
 * JSON array (older releases). Blank output is an empty project.
 */
export function parseComposePs(lines: readonly string[]): ComposeContainer[] {
  const text = lines.join("\n").trim();
  if (!text) return [];
  const rows: unknown[] = text.startsWith("[")
    ? (JSON.parse(text) as unknown[])
    : text
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as unknown);
  return rows.map((row) => {
    const r = row as Record<string, unknown>;
    return {
      id: String(r.ID ?? ""),
      name: String(r.Name ?? ""),
      service: String(r.Service ?? ""),
      state: String(r.State ?? ""),
      image: String(r.Image ?? ""),
      ...(r.Health ? { health: String(r.Health) } : {}),
    };
  });
}

/** What happened to a project's containers between two snapshots. */
export interface ContainerChanges {
  /** Names of containers of services that had none before. */
  readonly created: readonly string[];
  /** Names of containers that replaced another one of the same name. */
  readonly recreated: readonly string[];
  /** Names of containers that are gone (orphans, scaled down). */
  readonly removed: readonly string[];
  /** Names of existing containers that were not running and now run. */
  readonly started: readonly string[];
  /** Names of existing containers that ran and now do not. */
  readonly stopped: readonly string[];
}

/** Compare two snapshots of a project (pure). */
export function compareContainers(before: readonly ComposeContainer[], after: readonly ComposeContainer[]): ContainerChanges {
  const byId = new Map(before.map((c) => [c.id, c]));
  const beforeNames = new Set(before.map((c) => c.name));
  const afterIds = new Set(after.map((c) => c.id));
  const afterNames = new Set(after.map((c) => c.name));
  const created: string[] = [];
  const recreated: string[] = [];
  const started: string[] = [];
  const stopped: string[] = [];
  for (const c of after) {
    const old = byId.get(c.id);
    if (!old) (beforeNames.has(c.name) ? recreated : created).push(c.name);
    else if (old.state !== "running" && c.state === "running") started.push(c.name);
    else if (old.state === "running" && c.state !== "running") stopped.push(c.name);
  }
  const removed = before.filter((c) => !afterIds.has(c.id) && !afterNames.has(c.name)).map((c) => c.name);
  return { created, recreated, removed, started, stopped };
}

/** True when any container was created, recreated, removed, started or stopped. */
export function anyContainerChange(c: ContainerChanges): boolean {
  return c.created.length + c.recreated.length + c.removed.length + c.started.length + c.stopped.length > 0;
}

/** One line per change, e.g. `recreated app-web-1`. */
export function describeContainerChanges(c: ContainerChanges): string {
  const parts = (["created", "recreated", "removed", "started", "stopped"] as const)
    .filter((k) => c[k].length)
    .map((k) => `${k} ${c[k].join(", ")}`);
  return parts.join("; ");
}

/**
 * Shell text printing `image<TAB>local image id` for every image of a compose project (the id is
 * empty when the image is not on the host). `compose` is the `cd -- DIR && docker compose ...` prefix.
 */
export function imageIdsScript(compose: Command, services: readonly string[]): Command {
  return sh`imgs=$(${compose} config --images ${[...services]}) || exit 1; for i in $imgs; do printf '%s\\t%s\\n' "$i" "$(docker image inspect --format '{{.Id}}' "$i" 2>/dev/null)"; done`;
}

/** Parse `image<TAB>id` lines into a map (pure). */
export function parseImageIds(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    if (!line.trim()) continue;
    const [image = "", id = ""] = line.split("\t");
    out.set(image, id);
  }
  return out;
}

/** Argument of {@link composeImages}. */
export interface ComposeImagesQuery {
  /** The compose command prefix (`cd -- DIR && docker compose -p ... -f ...`). */
  readonly compose: Command;
  /** Only these services' images (all when empty). */
  readonly services?: readonly string[];
}

/** The images of a compose project and their local ids (empty when not pulled). */
export const composeImages = defineFact<ComposeImagesQuery, Map<string, string>>({
  id: "docker.composeImages",
  command: (q) => script(sh`${section("images")}`, imageIdsScript(q.compose, q.services ?? [])),
  parse: (r) => {
    if (r.code !== 0) throw new Error(`Cannot list the images of the compose project: ${r.stderr.trim() || `exit ${r.code}`}`);
    return parseImageIds(sectionLines(parseSections(r.stdout), "images"));
  },
});

/** Images whose local id differs between two maps (pulled or updated), in order. */
export function changedImages(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...after].filter(([image, id]) => id !== "" && before.get(image) !== id).map(([image]) => image);
}

/** A container action compose announces in `--dry-run` mode. */
export interface DryRunAction {
  /** `Create`, `Recreate`, `Start`, `Remove`, `Stop`, `Pull`... as compose words it. */
  readonly action: string;
  /** What it acts on, e.g. `Container app-web-1`. */
  readonly target: string;
}

const DRY_RUN_LINE = /DRY-RUN MODE -\s+(.+?)\s+(Recreat\w*|Creat\w*|Start\w*|Remov\w*|Stop\w*|Pull\w*|Running|Healthy|Waiting|Exited)\s*$/;

const VERBS: readonly (readonly [string, string])[] = [
  ["Recreat", "Recreate"],
  ["Creat", "Create"],
  ["Start", "Start"],
  ["Remov", "Remove"],
  ["Stop", "Stop"],
  ["Pull", "Pull"],
];

/**
 * Parse what `docker compose --dry-run up` printed: the actions that would change containers,
 * networks or volumes, once each (Running/Healthy/Waiting lines are no change). Pure.
 */
export function parseDryRun(output: string): DryRunAction[] {
  const actions: DryRunAction[] = [];
  const seen = new Set<string>();
  for (const line of output.split(/[\r\n]+/)) {
    const m = DRY_RUN_LINE.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    const verb = VERBS.find(([prefix]) => m[2]!.startsWith(prefix))?.[1];
    if (!verb) continue;
    const key = `${verb} ${m[1]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    actions.push({ action: verb, target: m[1] });
  }
  return actions;
}
