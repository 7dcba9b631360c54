/**
 * The benchmark playbook's CLI. In this repository bench-launch.ts starts it compiled with lib/'s
 * sources (`bosun` resolves through tsconfig.json's paths to lib/index.ts), as the repository's own
 * playbooks start (the WAN bench's "tsx, sources" column). The "tsx" column runs the same two lines
 * in a project that installed bosun, where `bosun` is the published bundle.
 */
import { main } from "bosun";
import { benchPlaybook } from "./bosun-playbook.js";

await main(import.meta, benchPlaybook);
