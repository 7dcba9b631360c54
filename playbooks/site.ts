/**
 * `tsx playbooks/site.ts --inventory cfa2 ...`. The whole site (bootstrap, deploy, TLS), defined in ./site/playbook.ts (what it does,
 * its options and variables), started compiled (lib/cli/launch.ts): tsx loads a few small modules,
 * not bosun's sources one by one.
 */
import { launchPlaybook } from "../lib/cli/launch.js";

await launchPlaybook(import.meta, "./site/playbook.ts");
