/**
 * The benchmark playbook started as this repository's own playbooks start (playbooks/deploy.ts and
 * the others): bench-cli.ts compiled with lib/'s sources, through lib/cli/launch.ts. The WAN bench's
 * "tsx, sources" column runs it.
 */
import { launchPlaybook } from "../lib/cli/launch.js";

await launchPlaybook(import.meta, "./bench-cli.ts");
