/**
 * `--list-hosts`, `--list-tasks` and `--list-tags`, printed in ansible-playbook's layout.
 * Hosts come from the inventory alone; tasks exist only when a play runs, so they are the tasks a
 * read-only `--check` pass ran on each host (a task that a result decides on may differ on apply).
 */
import type { Inventory } from "../inventory/types.js";
import { selectHosts } from "../inventory/index.js";
import type { Playbook } from "../run/playbook.js";
import type { GatedTask } from "../run/task-gate.js";

/** `--list-hosts`: each play's pattern and hosts. */
export function formatHostList(book: Playbook, inventory: Inventory, keep: (host: string, play: number) => boolean): string {
  const lines = [`playbook: ${book.name}`, ""];
  book.plays.forEach((play, i) => {
    const hosts = selectHosts(inventory, play.hosts).filter((h) => keep(h, i));
    lines.push(
      `  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: []`,
      `    pattern: ['${play.hosts}']`,
      `    hosts (${hosts.length}):`,
    );
    for (const h of hosts) lines.push(`      ${h}`);
    lines.push("");
  });
  return `${lines.join("\n")}\n`;
}

/** One play's recorded tasks, by play name. */
export type RecordedPlays = ReadonlyMap<string, readonly GatedTask[]>;

/** `--list-tasks` (or `--list-tags` with `tagsOnly`): per play and host, the tasks a `--check` pass ran. */
export function formatTaskList(book: Playbook, recorded: RecordedPlays, tagsOnly = false): string {
  const lines = [`playbook: ${book.name}`, "", "  (tasks as a read-only --check pass ran them on each host)", ""];
  book.plays.forEach((play, i) => {
    const tasks = recorded.get(play.name) ?? [];
    lines.push(`  play #${i + 1} (${play.hosts}): ${play.name}\tTAGS: []`);
    const hosts = [...new Set(tasks.map((t) => t.host))];
    for (const host of hosts) {
      const mine = tasks.filter((t) => t.host === host);
      if (tagsOnly) {
        const tags = [...new Set(mine.flatMap((t) => t.tags))].sort();
        lines.push(`    ${host}: TASK TAGS: [${tags.join(", ")}]`);
        continue;
      }
      lines.push(`    ${host}: tasks:`);
      for (const t of mine) lines.push(`      ${t.title} (${t.task}${t.location ? `, ${t.location}` : ""})\tTAGS: [${t.tags.join(", ")}]`);
    }
    if (hosts.length === 0) lines.push("    (no host ran a task)");
    lines.push("");
  });
  return `${lines.join("\n")}\n`;
}
