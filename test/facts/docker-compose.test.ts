import {
  anyContainerChange,
  changedImages,
  compareContainers,
  describeContainerChanges,
  parseComposePs,
  parseDryRun,
  parseImageIds,
  type ComposeContainer,
} from "../../lib/facts/docker-compose.js";

const c = (id: string, name: string, state = "running", service = name.split("-")[1] ?? name): ComposeContainer => ({
  id,
  name,
  service,
  state,
  image: "img",
});

describe("parseComposePs", () => {
  test("parseComposePs() reads compose 2.21+ output: one JSON object per line", () => {
    const lines = [
      '{"ID":"d6e6810d668d","Name":"demo-web-1","Service":"web","State":"running","Image":"registry.lab.test:5000/demo/app:v1","Labels":"a=b"}',
      '{"ID":"aa11","Name":"demo-db-1","Service":"db","State":"exited","Image":"pg"}',
    ];
    expect(parseComposePs(lines)).toEqual([
      { id: "d6e6810d668d", name: "demo-web-1", service: "web", state: "running", image: "registry.lab.test:5000/demo/app:v1" },
      { id: "aa11", name: "demo-db-1", service: "db", state: "exited", image: "pg" },
    ]);
  });

  test("parseComposePs() reads the JSON array older compose releases print", () => {
    expect(parseComposePs(['[{"ID":"x1","Name":"p-a-1","Service":"a","State":"running","Image":"i"}]'])).toEqual([
      { id: "x1", name: "p-a-1", service: "a", state: "running", image: "i" },
    ]);
  });

  test("parseComposePs() reads no output and an empty array as no containers", () => {
    expect(parseComposePs([])).toEqual([]);
    expect(parseComposePs([""])).toEqual([]);
    expect(parseComposePs(["[]"])).toEqual([]);
  });
});

describe("compareContainers", () => {
  test("compareContainers() finds nothing when the same containers run", () => {
    const snap = [c("1", "p-web-1"), c("2", "p-db-1")];
    const changes = compareContainers(snap, snap);
    expect(anyContainerChange(changes)).toBe(false);
  });

  test("compareContainers() tells created, recreated, removed, started and stopped containers apart", () => {
    const before = [c("1", "p-web-1"), c("2", "p-db-1", "exited"), c("3", "p-old-1"), c("4", "p-worker-1")];
    const after = [c("9", "p-web-1"), c("2", "p-db-1", "running"), c("5", "p-cache-1"), c("4", "p-worker-1", "exited")];
    const changes = compareContainers(before, after);
    expect(changes).toEqual({
      created: ["p-cache-1"],
      recreated: ["p-web-1"],
      removed: ["p-old-1"],
      started: ["p-db-1"],
      stopped: ["p-worker-1"],
    });
    expect(anyContainerChange(changes)).toBe(true);
    expect(describeContainerChanges(changes)).toBe(
      "created p-cache-1; recreated p-web-1; removed p-old-1; started p-db-1; stopped p-worker-1",
    );
  });
});

describe("parseDryRun", () => {
  test("parseDryRun() reads what compose 2.26 prints for a new project", () => {
    const out = [
      " DRY-RUN MODE -  Network demo_default  Creating",
      " DRY-RUN MODE -  Network demo_default  Created",
      " DRY-RUN MODE -  Container demo-web-1  Creating",
      " DRY-RUN MODE -  Container demo-web-1  Created",
      " DRY-RUN MODE -  Container demo-web-1  Starting",
      " DRY-RUN MODE -  Container demo-web-1  Started",
    ].join("\n");
    expect(parseDryRun(out)).toEqual([
      { action: "Create", target: "Network demo_default" },
      { action: "Create", target: "Container demo-web-1" },
      { action: "Start", target: "Container demo-web-1" },
    ]);
  });

  test("parseDryRun() reads a recreate, and a running project as no action", () => {
    expect(parseDryRun(" DRY-RUN MODE -  Container demo-web-1  Recreate\n DRY-RUN MODE -  Container demo-web-1  Recreated\n")).toEqual([
      { action: "Recreate", target: "Container demo-web-1" },
    ]);
    expect(parseDryRun(" DRY-RUN MODE -  Container demo-web-1  Running\n DRY-RUN MODE -  Container demo-db-1  Healthy\n")).toEqual([]);
  });

  test("parseDryRun() reads orphans being stopped and removed", () => {
    const out =
      " DRY-RUN MODE -  Container demo-old-1  Stopping\n DRY-RUN MODE -  Container demo-old-1  Stopped\n DRY-RUN MODE -  Container demo-old-1  Removing\n DRY-RUN MODE -  Container demo-old-1  Removed\n";
    expect(parseDryRun(out).map((a) => a.action)).toEqual(["Stop", "Remove"]);
  });
});

describe("image ids", () => {
  test("parseImageIds() maps images to local ids, empty for images not pulled", () => {
    const m = parseImageIds(["r/app:v1\tsha256:aaa", "r/db:15\t", ""]);
    expect([...m]).toEqual([
      ["r/app:v1", "sha256:aaa"],
      ["r/db:15", ""],
    ]);
  });

  test("changedImages() lists images pulled or updated, not the unchanged or still missing ones", () => {
    const before = new Map([
      ["a", "sha256:1"],
      ["b", ""],
      ["c", "sha256:3"],
      ["d", ""],
    ]);
    const after = new Map([
      ["a", "sha256:1"],
      ["b", "sha256:2"],
      ["c", "sha256:4"],
      ["d", ""],
    ]);
    expect(changedImages(before, after)).toEqual(["b", "c"]);
  });
});
