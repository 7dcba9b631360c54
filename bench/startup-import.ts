/** What bosun-child.ts loads before it runs, and nothing else: startup.ts times loading it. */
export * from "../lib/index.js";
export * from "./bosun-playbook.js";
