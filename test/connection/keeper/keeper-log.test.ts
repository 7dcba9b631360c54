import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readKeeperLog, writeKeeperLog } from "../../../lib/connection/keeper/keeper-log.js";

test("the log says which keeper processes listened and how many hosts are kept now", () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "keeper-log-")), "keeper.log");
  expect(readKeeperLog(file)).toEqual({ pids: [], kept: 0 });
  writeKeeperLog(file, "listening on /run/user/0/bosun/keeper.sock");
  writeKeeperLog(file, "kept 0123456789abcdef01234567");
  writeKeeperLog(file, "kept 89abcdef0123456789abcdef");
  writeKeeperLog(file, "ending 0123456789abcdef01234567: idle");
  expect(readKeeperLog(file)).toEqual({ pids: [process.pid], kept: 1 });
});
