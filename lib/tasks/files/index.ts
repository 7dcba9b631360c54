/** File tasks: directories, files, templates, line and block edits, links, removal. */
export { ensureDir, type EnsureDirParams } from "./ensure-dir.js";
export { ensureFile, type EnsureFileParams } from "./ensure-file.js";
export { templateFile, type TemplateFileParams } from "./template-file.js";
export { lineInFile, applyLineInFile, type LineInFileParams, type LineEdit } from "./line-in-file.js";
export { blockInFile, applyBlockInFile, DEFAULT_BLOCK_MARKER, type BlockInFileParams, type BlockEdit } from "./block-in-file.js";
export { ensureAbsent, type EnsureAbsentParams } from "./ensure-absent.js";
export { symlink, type SymlinkParams } from "./symlink.js";
export { atomicWrite, IN_PLACE_MARKER, type AtomicWriteOptions } from "./atomic-write.js";
export type { FileContent, FileAttributes } from "./file-plan.js";
export type { EditResult } from "./edit-plan.js";
