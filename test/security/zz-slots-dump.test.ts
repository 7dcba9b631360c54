import { exportedTasks, stringSlots } from "./injection-slots.js";
test("dump", async () => {
  const tasks = await exportedTasks();
  const lines: string[] = [];
  let n = 0;
  for (const [id, t] of tasks) {
    const s = stringSlots(t.definition.schema as never);
    n += s.length;
    lines.push(`${id}: ${s.join(" ")}`);
  }
  console.log(lines.join("\n") + `\n${tasks.size} tasks, ${n} slots`);
});
