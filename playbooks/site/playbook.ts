/**
 * The whole host in one run: bootstrap → deploy → tls-renew, each play on the hosts the previous
 * one left standing (a host that fails bootstrap is not deployed to).
 *
 *   tsx playbooks/site.ts --inventory cfa2 --tag sha-abc123        # as the deploy user, after the first bootstrap
 *
 * A fresh VPS takes its first bootstrap as root on its own (`tsx playbooks/bootstrap.ts --inventory
 * cfa2 -e ansible_user=root`): site runs every play as one user, and the release and the
 * certificates belong to the deploy user's runs. The options are those of the plays (deploy's
 * `--tag`, `--rollback`, `--services`, ...).
 */
import { playbook } from "../../lib/run/playbook.js";
import { main } from "../../lib/cli/entry.js";
import { bootstrap } from "../bootstrap/playbook.js";
import { deploy } from "../deploy/playbook.js";
import { tlsRenew } from "../tls-renew/playbook.js";

/** The site playbook: runnable (`tsx playbooks/site.ts --inventory cfa2 --tag sha-abc123`) and importable. */
export const site = playbook({ name: "site", include: [bootstrap, deploy, tlsRenew] });

main(import.meta, site);
