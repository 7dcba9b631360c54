/**
 * The benchmark playbook's CLI, run by tsx from this repository's sources (the WAN bench's
 * "tsx, sources" column): under tsx, `bosun` resolves through tsconfig.json's paths to lib/index.ts,
 * as the repository's own playbooks load lib/. The "tsx" column runs the same two lines in a project
 * that installed bosun, where `bosun` is the published bundle.
 */
import { main } from "bosun";
import { benchPlaybook } from "./bosun-playbook.js";

await main(import.meta, benchPlaybook);
