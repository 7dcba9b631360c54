/** The files of a bundle directory on the controller, as relative paths. */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** One file to sync: its path relative to the bundle and whether it is executable. */
export interface BundleFile {
  /** Path relative to the bundle directory, with `/`. */
  readonly rel: string;
  /** Absolute path on the controller. */
  readonly abs: string;
  /** Whether any execute bit is set (synced as 0755, else 0644). */
  readonly executable: boolean;
}

/** Every regular file under `dir`, sorted, minus `exclude` (relative paths or names of directories). */
export function bundleFiles(dir: string, exclude: readonly string[] = []): BundleFile[] {
  const out: BundleFile[] = [];
  const skip = new Set(exclude.map((e) => e.replace(/^\.\//, "").replace(/\/+$/, "")));
  const walk = (sub: string): void => {
    for (const name of readdirSync(path.join(dir, sub)).sort()) {
      const rel = sub ? `${sub}/${name}` : name;
      if (skip.has(rel)) continue;
      const abs = path.join(dir, rel);
      const st = statSync(abs);
      if (st.isDirectory()) walk(rel);
      else if (st.isFile()) out.push({ rel, abs, executable: (st.mode & 0o111) !== 0 });
    }
  };
  walk("");
  return out;
}

/** The directories the files live in (relative, parents first), without the bundle root. */
export function bundleDirs(files: readonly BundleFile[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.rel.split("/").slice(0, -1);
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join("/"));
  }
  return [...dirs].sort();
}
