import { createdKey, planPrune, repositoryImages, splitReference, type RepositoryImages } from "../../lib/facts/docker-images.js";

const R = "registry.lab.test:5000/demo/app";

function images(list: [string, string, string[]][], inUse: string[] = []): RepositoryImages {
  return { images: list.map(([id, created, tags]) => ({ id, created, tags })), inUse: new Set(inUse) };
}

describe("docker images", () => {
  test("splitReference() splits the tag after the last colon that follows the last slash", () => {
    expect(splitReference(`${R}:v1`)).toEqual({ repository: R, tag: "v1" });
    expect(splitReference("registry.lab.test:5000/demo/app")).toEqual({ repository: R, tag: "latest" });
    expect(splitReference("nginx:1.25")).toEqual({ repository: "nginx", tag: "1.25" });
  });

  test("createdKey() orders docker's creation times with any number of fraction digits", () => {
    const times = ["2026-11-22T07:31:51.9Z", "2026-11-22T07:31:51.91Z", "2026-11-22T07:31:51.646426536Z", "2026-11-22T07:31:52Z"];
    expect([...times].sort((a, b) => (createdKey(a) < createdKey(b) ? -1 : 1))).toEqual([
      "2026-11-22T07:31:51.646426536Z",
      "2026-11-22T07:31:51.9Z",
      "2026-11-22T07:31:51.91Z",
      "2026-11-22T07:31:52Z",
    ]);
  });

  test("planPrune() keeps the N newest tags and removes the older ones", () => {
    const found = images([
      ["sha256:1", "2026-01-01T00:00:01Z", [`${R}:v1`]],
      ["sha256:3", "2026-01-01T00:00:03Z", [`${R}:v3`]],
      ["sha256:2", "2026-01-01T00:00:02.5Z", [`${R}:v2`]],
    ]);
    expect(planPrune(found, [R], { keep: 2 })).toEqual({ kept: [`${R}:v3`, `${R}:v2`], removed: [`${R}:v1`] });
    expect(planPrune(found, [R], { keep: 0 })).toEqual({ kept: [], removed: [`${R}:v3`, `${R}:v2`, `${R}:v1`] });
  });

  test("planPrune() keeps images in use and keepTags beyond N, and ignores other repositories", () => {
    const found = images(
      [
        ["sha256:1", "2026-01-01T00:00:01Z", [`${R}:v1`, "other/repo:x"]],
        ["sha256:2", "2026-01-01T00:00:02Z", [`${R}:v2`]],
        ["sha256:3", "2026-01-01T00:00:03Z", [`${R}:v3`]],
        ["sha256:4", "2026-01-01T00:00:04Z", [`${R}:v4`]],
      ],
      ["sha256:1"],
    );
    expect(planPrune(found, [R], { keep: 1, keepTags: ["v2"] })).toEqual({ kept: [`${R}:v4`, `${R}:v2`, `${R}:v1`], removed: [`${R}:v3`] });
  });

  test("repositoryImages parses image lines and the ids containers use", () => {
    const stdout = [
      "@@bosun:used",
      "sha256:1",
      "@@bosun:images",
      `sha256:1 2026-01-01T00:00:01Z ["${R}:v1"]`,
      "sha256:2 2026-01-01T00:00:02Z null",
      "@@bosun:end",
      "",
    ].join("\n");
    const parsed = repositoryImages.parse({ code: 0, stdout, stderr: "", durationMs: 1 }, [R]);
    expect(parsed.images).toEqual([
      { id: "sha256:1", created: "2026-01-01T00:00:01Z", tags: [`${R}:v1`] },
      { id: "sha256:2", created: "2026-01-01T00:00:02Z", tags: [] },
    ]);
    expect([...parsed.inUse]).toEqual(["sha256:1"]);
  });

  test("repositoryImages fails when docker failed", () => {
    expect(() =>
      repositoryImages.parse({ code: 1, stdout: "@@bosun:used\n", stderr: "Cannot connect to the Docker daemon", durationMs: 1 }, [R]),
    ).toThrow(/Cannot list docker images: Cannot connect/);
  });
});
