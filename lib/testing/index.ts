/**
 * bosun's test kit (`import { startLab, assertIdempotent } from "bosun/testing"`): disposable lab
 * hosts and assertions for playbooks and tasks on them. Not part of the main entry.
 */
export { startLab, type Lab, type StartLabOptions } from "./lab.js";
export {
  assertIdempotent,
  assertCheckClean,
  assertConverges,
  changedTasks,
  KitAssertionError,
  type KitTarget,
  type KitRunOptions,
} from "./assertions.js";
export { listHostFiles, compareFileLists, WATCHED_DIRS } from "./host-files.js";
export type { LabHost, LabVariant } from "../lab/index.js";
