import { existsSync } from "node:fs";
import path from "node:path";
import { forgetKeptConnections } from "../../../lib/connection/keeper/forget.js";
import { KeptConnection } from "../../../lib/connection/keeper/kept-connection.js";
import { keeperWith, order, target } from "./keeper-fixture.js";

test("forget-connections ends every kept connection and the keeper, even with a run attached; the next attach finds none", async () => {
  const { socket, keeper, logins } = await keeperWith([order("a"), order("b")]);
  const dir = path.dirname(socket);
  const attached = await KeptConnection.attach(socket, "a", target);
  expect(attached).toBeDefined();
  expect(await forgetKeptConnections(dir)).toBe(2);
  await keeper.ended;
  expect([...logins.values()].map((l) => l.closed)).toEqual([true, true]);
  expect(existsSync(socket)).toBe(false);
  await expect(attached!.exec({ text: "true" })).rejects.toThrow(/kept connection ended/);
  expect(await forgetKeptConnections(dir)).toBeUndefined();
});
