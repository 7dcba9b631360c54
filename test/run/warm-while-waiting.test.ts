import { renderTemplate, warmTemplates } from "../../lib/template/index.js";
import { afterNextTurn, warmWhileWaiting } from "../../lib/run/warm-while-waiting.js";

test("the warm-up runs after what the next turn of the event loop starts (a new shell session's request)", async () => {
  const order: string[] = [];
  const done = new Promise<void>((resolve) => afterNextTurn(() => (order.push("warm-up"), resolve())));
  await Promise.resolve(); // the batch goes through a few awaits before its session schedules the launch
  setImmediate(() => order.push("session request"));
  await done;
  expect(order).toEqual(["session request", "warm-up"]);
});

test("the template engine warms once, two turns of the event loop later; templates render as before", async () => {
  warmWhileWaiting();
  warmWhileWaiting(); // once per process
  await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
  expect(renderTemplate("port={{port}}{{#if tls}} tls{{/if}}\n", { port: 443, tls: true })).toBe("port=443 tls\n");
  expect(() => renderTemplate("{{missing}}", {})).toThrow(/missing/);
});

test("warming leaves strict mode and the helpers as they are", () => {
  warmTemplates();
  expect(renderTemplate('{{default name "none"}}', {})).toBe("none");
});
