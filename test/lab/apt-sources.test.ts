import { debianMirrors, parseDeb822Sources, parseOneLineSources } from "../../lib/lab/apt-sources.js";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const DEB822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://mirror.example/debian
Suites: bookworm bookworm-updates
Components: main

Types: deb-src
URIs: http://src.example/debian
Suites: bookworm

Types: deb
URIs: http://mirror.example/debian-security/
Suites: bookworm-security
Components: main
`;

test("parseDeb822Sources() keeps deb stanzas with their suites and skips deb-src", () => {
  expect(parseDeb822Sources(DEB822)).toEqual([
    { uri: "http://mirror.example/debian", suites: ["bookworm", "bookworm-updates"] },
    { uri: "http://mirror.example/debian-security/", suites: ["bookworm-security"] },
  ]);
});

test("parseOneLineSources() reads deb lines, ignoring options and comments", () => {
  const text = "# deb http://no/ bookworm main\ndeb [arch=amd64] http://m/debian bookworm main\ndeb-src http://m/debian bookworm main\n";
  expect(parseOneLineSources(text)).toEqual([{ uri: "http://m/debian", suites: ["bookworm"] }]);
});

test("debianMirrors() uses the machine's mirrors for the suite and Debian's when none match", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "bosun-apt-"));
  try {
    mkdirSync(path.join(dir, "sources.list.d"));
    writeFileSync(path.join(dir, "sources.list.d", "debian.sources"), DEB822);
    expect(debianMirrors("bookworm", dir)).toEqual({
      archive: "http://mirror.example/debian",
      security: "http://mirror.example/debian-security",
    });
    expect(debianMirrors("trixie", dir)).toEqual({
      archive: "http://deb.debian.org/debian",
      security: "http://deb.debian.org/debian-security",
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
