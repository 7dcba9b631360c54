/**
 * Promotion: the release live on another inventory (staging), read from its hosts' release
 * history over SSH, so that production gets exactly that tag.
 */
import { defineTask, unchanged } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import { params, nonEmpty } from "../../lib/core/params.js";
import { describeError } from "../../lib/core/errors.js";
import { createConnection } from "../../lib/connection/connect.js";
import { loadInventory } from "../../lib/inventory/index.js";
import { HISTORY_FILE, liveRelease, parseHistory, type ReleaseRecord } from "./history.js";

/** Parameters for {@link readPromotionSource}. */
export interface ReadPromotionSourceParams {
  /** Inventory name (`staging` → `inventory/staging.yml`) or path. */
  readonly inventory: string;
  /** Directory inventory names start from (the current directory). */
  readonly cwd?: string;
}

/** Output of {@link readPromotionSource}: the release to promote. */
export interface PromotionSource {
  /** The live tag on every host of the source inventory. */
  readonly tag: string;
  /** Its git sha, when the source recorded one. */
  readonly sha?: string;
  /** Its digests, when the source pinned them (production then runs exactly staging's images). */
  readonly images?: Readonly<Record<string, string>>;
  /** The source hosts that were read. */
  readonly hosts: readonly string[];
}

/** The live release of each source host: all must agree (pure). */
export function agreedRelease(
  inventory: string,
  live: ReadonlyMap<string, ReleaseRecord | undefined>,
): { release?: ReleaseRecord; problem?: string } {
  const none = [...live].filter(([, r]) => !r).map(([h]) => h);
  if (!live.size) return { problem: `inventory ${inventory} has no hosts` };
  if (none.length)
    return { problem: `${none.join(", ")} of ${inventory} ha${none.length > 1 ? "ve" : "s"} no successful release in ${HISTORY_FILE}` };
  const tags = new Set([...live.values()].map((r) => r!.tag));
  if (tags.size > 1) {
    return { problem: `the hosts of ${inventory} run different releases: ${[...live].map(([h, r]) => `${h} ${r!.tag}`).join(", ")}` };
  }
  return { release: [...live.values()][0]! };
}

/**
 * Read the live release (the newest successful record of `.bosun/releases.jsonl` under each
 * host's `app_dir`) on every host of another inventory, over SSH with that inventory's
 * connection settings. Read-only (also in check mode); no command runs on the target host.
 * Fails when a source host has no live release or the hosts disagree.
 * @example const { tag } = (await host.run(readPromotionSource({ inventory: "staging" }))).output!
 */
export const readPromotionSource = defineTask<ReadPromotionSourceParams, PromotionSource>({
  id: "deploy.readPromotionSource",
  description: "Read the live release tag from another inventory's hosts (release history over SSH).",
  title: (p) => `live release of ${p.inventory}`,
  schema: params({ inventory: nonEmpty }, { cwd: nonEmpty }),
  async check(host, p) {
    let inventory;
    try {
      inventory = await loadInventory(p.inventory, { cwd: p.cwd ?? process.cwd() });
    } catch (error) {
      throw host.fail(`Cannot promote from ${p.inventory}: ${describeError(error)}`);
    }
    const live = new Map<string, ReleaseRecord | undefined>();
    for (const [name, source] of inventory.hosts) {
      const appDir = source.vars.app_dir;
      if (typeof appDir !== "string" || !appDir.startsWith("/"))
        throw host.fail(`Cannot promote from ${p.inventory}: host ${name} has no app_dir`);
      const connection = createConnection(source.connection);
      try {
        await connection.open();
        const r = await connection.exec(sh`tail -n 500 -- ${`${appDir.replace(/\/+$/, "")}/${HISTORY_FILE}`} 2>/dev/null; true`);
        live.set(name, liveRelease(parseHistory(r.stdout.split("\n"))));
      } catch (error) {
        throw host.fail(`Cannot promote from ${p.inventory}: cannot read the release history of ${name}: ${describeError(error)}`);
      } finally {
        await connection.close().catch(() => undefined);
      }
    }
    const { release, problem } = agreedRelease(p.inventory, live);
    if (!release)
      throw host.fail(`Cannot promote from ${p.inventory}: ${problem}`, "deploy the release there first (or pick it with --tag)");
    const hosts = [...live.keys()];
    return unchanged(`${p.inventory} runs ${release.tag} (${hosts.join(", ")})`, {
      tag: release.tag,
      ...(release.sha ? { sha: release.sha } : {}),
      ...(release.images ? { images: release.images } : {}),
      hosts,
    });
  },
});
