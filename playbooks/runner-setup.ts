/**
 * `tsx playbooks/runner-setup.ts --inventory cfa2 ...`. The GitLab runner playbook, defined in ./runner-setup/playbook.ts (what it does,
 * its options and variables), started compiled (lib/cli/launch.ts): tsx loads a few small modules,
 * not bosun's sources one by one.
 */
import { launchPlaybook } from "../lib/cli/launch.js";

await launchPlaybook(import.meta, "./runner-setup/playbook.ts");
