import { renderTemplate, warmTemplates } from "../../lib/template/index.js";
import { warmWhileWaiting } from "../../lib/run/warm-while-waiting.js";

test("the template engine warms once, on the next turn of the event loop; templates render as before", async () => {
  warmWhileWaiting();
  warmWhileWaiting(); // once per process
  await new Promise((resolve) => setImmediate(resolve));
  expect(renderTemplate("port={{port}}{{#if tls}} tls{{/if}}\n", { port: 443, tls: true })).toBe("port=443 tls\n");
  expect(() => renderTemplate("{{missing}}", {})).toThrow(/missing/);
});

test("warming leaves strict mode and the helpers as they are", () => {
  warmTemplates();
  expect(renderTemplate('{{default name "none"}}', {})).toBe("none");
});
