/**
 * `tsx playbooks/ci-secrets.ts --inventory cfa2 ...`. The CI secrets playbook, defined in ./ci-secrets/playbook.ts (what it does,
 * its options and variables), started compiled (lib/cli/launch.ts): tsx loads a few small modules,
 * not bosun's sources one by one.
 */
import { launchPlaybook } from "../lib/cli/launch.js";

await launchPlaybook(import.meta, "./ci-secrets/playbook.ts");
