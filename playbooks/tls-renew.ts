/**
 * `tsx playbooks/tls-renew.ts --inventory cfa2 ...`. The TLS playbook, defined in ./tls-renew/playbook.ts (what it does,
 * its options and variables), started compiled (lib/cli/launch.ts): tsx loads a few small modules,
 * not bosun's sources one by one.
 */
import { launchPlaybook } from "../lib/cli/launch.js";

await launchPlaybook(import.meta, "./tls-renew/playbook.ts");
