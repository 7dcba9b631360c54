/**
 * `tsx playbooks/deploy.ts --inventory cfa2 ...`. The deploy playbook, defined in ./deploy/playbook.ts (what it does,
 * its options and variables), started compiled (lib/cli/launch.ts): tsx loads a few small modules,
 * not bosun's sources one by one.
 */
import { launchPlaybook } from "../lib/cli/launch.js";

await launchPlaybook(import.meta, "./deploy/playbook.ts");
