import path from "node:path";
import { CACHE_DIR, LAB_DIR, REPO_ROOT } from "../paths.js";

/** Directory of the lab services' state and secrets (git-ignored): `.lab/services/`. */
export const SERVICES_DIR = path.join(LAB_DIR, "services");

/** Directory of the services' download and build caches: `.lab/cache/services/`. */
export const SERVICES_CACHE_DIR = path.join(CACHE_DIR, "services");

/** Directory served by `files.lab.test` (the compose plugin .deb, the ACME roots): `.lab/cache/files/`. */
export const FILES_DIR = path.join(CACHE_DIR, "files");

/** Directory of the shell scripts baked into the service images. */
export const SCRIPTS_DIR = path.join(REPO_ROOT, "lib", "lab", "services", "scripts");
