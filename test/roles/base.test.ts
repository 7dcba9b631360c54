import path from "node:path";
import { renderTemplateFile } from "../../lib/template/render.js";
import { baseTemplateVars } from "../../roles/base/index.js";

const templates = path.join(process.cwd(), "roles", "base", "templates");

describe("role base templates", () => {
  test("turn unattended upgrades on by default", async () => {
    const text = await renderTemplateFile(path.join(templates, "20auto-upgrades.hbs"), baseTemplateVars({}));
    expect(text).toContain('APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n');
    const uu = await renderTemplateFile(path.join(templates, "52bosun-unattended-upgrades.hbs"), baseTemplateVars({}));
    expect(uu).toContain(
      'Unattended-Upgrade::Automatic-Reboot "false";\nUnattended-Upgrade::Automatic-Reboot-Time "03:30";\nUnattended-Upgrade::Remove-Unused-Dependencies "true";\n',
    );
  });

  test("switch them off, or reboot at a given time, as asked", async () => {
    const off = await renderTemplateFile(path.join(templates, "20auto-upgrades.hbs"), baseTemplateVars({ unattendedUpgrades: false }));
    expect(off).toContain('APT::Periodic::Unattended-Upgrade "0";');
    const reboot = await renderTemplateFile(
      path.join(templates, "52bosun-unattended-upgrades.hbs"),
      baseTemplateVars({ unattendedUpgrades: { autoReboot: true, rebootTime: "04:00" } }),
    );
    expect(reboot).toContain('Automatic-Reboot "true";\nUnattended-Upgrade::Automatic-Reboot-Time "04:00";');
  });
});
