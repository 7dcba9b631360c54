/**
 * `tsx playbooks/bootstrap.ts --inventory cfa2 ...`. The bootstrap playbook, defined in ./bootstrap/playbook.ts (what it does,
 * its options and variables), started compiled (lib/cli/launch.ts): tsx loads a few small modules,
 * not bosun's sources one by one.
 */
import { launchPlaybook } from "../lib/cli/launch.js";

await launchPlaybook(import.meta, "./bootstrap/playbook.ts");
