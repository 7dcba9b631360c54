import { labUp } from "../../lib/lab/index.js";
test("leaks a lab", async () => {
  const info = await labUp({ name: "t-leak", owner: process.env.BOSUN_LAB_RUN_ID });
  expect(process.env.BOSUN_LAB_RUN_ID).toMatch(/^jest-/);
  expect(info.hosts.length).toBe(1);
}, 60000);
