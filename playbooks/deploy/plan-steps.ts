/** The steps a deploy announces before it starts (the release plan, shown under --check too). */
import { frontedPlan } from "./fronted.js";
import { plainGates, type Run } from "./rollback.js";
import { DEPLOY_ENV } from "./vars.js";

/** What the release will do on the host, in order. */
export function planSteps(r: Run, migrate: boolean): string[] {
  const { s, target } = r;
  const only = r.services ? ` (${r.services.join(", ")})` : "";
  const fronted = s.upstreams.length > 0 && r.state.nginx;
  const gated = [...new Set(plainGates(s, r.services).map((g) => g.service))];
  return [
    `write ${DEPLOY_ENV} with TAG=${target.tag}`,
    `pull the images${only}`,
    ...(s.backup ? [`dump ${s.backup.database} to ${s.appDir}/backups`] : []),
    ...(migrate ? [`run ${s.migrator!.service}`] : []),
    ...frontedPlan(s, r.services, r.state.nginx),
    `compose up${only}${fronted ? " (stop-start for the services nginx does not front)" : ""}`,
    ...(gated.length ? [`gate readiness of ${gated.join(", ")}`] : []),
    "check that every service stays up",
    "record the release",
  ];
}
