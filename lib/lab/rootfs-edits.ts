import { chmodSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

/** One change to an unpacked root filesystem: data, so a recipe can be hashed and reviewed. */
export type RootfsEdit =
  | { readonly kind: "write"; readonly path: string; readonly content: string; readonly mode?: number }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "remove"; readonly path: string }
  | { readonly kind: "clear"; readonly path: string };

/** Write a file (mode 0644 unless given). */
export const write = (p: string, content: string, mode = 0o644): RootfsEdit => ({ kind: "write", path: p, content, mode });

/** Mask a systemd unit (a link to /dev/null in /etc/systemd/system, as `systemctl mask` does). */
export const mask = (unit: string): RootfsEdit => ({ kind: "symlink", path: `/etc/systemd/system/${unit}`, target: "/dev/null" });

/** Enable a unit from /etc/systemd/system into `target` (as `systemctl enable` does for WantedBy=). */
export const enable = (unit: string, target: string): RootfsEdit => ({
  kind: "symlink",
  path: `/etc/systemd/system/${target}.wants/${unit}`,
  target: `/etc/systemd/system/${unit}`,
});

/** Remove a file or directory tree (no error when absent). */
export const remove = (p: string): RootfsEdit => ({ kind: "remove", path: p });

/** Delete the plain files directly inside a directory, keeping its subdirectories (apt's `partial/`). */
export const clear = (dir: string): RootfsEdit => ({ kind: "clear", path: dir });

function inside(root: string, p: string): string {
  if (!p.startsWith("/")) throw new Error(`Cannot edit rootfs path "${p}": it is not absolute`);
  return path.join(root, p);
}

/** Apply `edits` in order to the root filesystem unpacked at `root` (paths are absolute inside it). */
export function applyRootfsEdits(root: string, edits: readonly RootfsEdit[]): void {
  for (const edit of edits) {
    const target = inside(root, edit.path);
    if (edit.kind === "clear") {
      for (const entry of readdirSync(target, { withFileTypes: true })) {
        if (!entry.isDirectory()) rmSync(path.join(target, entry.name), { force: true });
      }
      continue;
    }
    if (edit.kind === "remove") {
      rmSync(target, { recursive: true, force: true });
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    rmSync(target, { force: true });
    if (edit.kind === "symlink") {
      symlinkSync(edit.target, target);
    } else {
      writeFileSync(target, edit.content);
      chmodSync(target, edit.mode ?? 0o644);
    }
  }
}
