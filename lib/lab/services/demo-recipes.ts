import { scriptFile, type ImageRecipe } from "./image-recipe.js";

const PG_BIN = "/usr/lib/postgresql/15/bin";
const PG_PATH = `${PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;

/** Packages postgres images never need: maintainer-script helpers, the JIT's LLVM, PAM modules. */
const PG_EXCLUDE = [
  "postgresql-common",
  "postgresql-client-common",
  "libllvm14",
  "libz3-4",
  "libpam-modules",
  "libpam-modules-bin",
  "libsemanage-common",
  "libsemanage2",
  "libsepol2",
  "netbase",
];

/** The demo app: busybox `nc` and a shell handler serving /health, /api/ready and /version on :8080. */
export const APP_RECIPE: ImageRecipe = {
  name: "bosun-lab/demo-app",
  packages: [],
  files: [scriptFile("app-handle.sh", "/app/handle"), scriptFile("app-run.sh", "/usr/local/bin/app-run")],
  changes: [
    'ENTRYPOINT ["/usr/local/bin/app-run"]',
    "EXPOSE 8080",
    "HEALTHCHECK --interval=2s --timeout=3s --retries=15 CMD wget -q -O /dev/null http://127.0.0.1:8080/health",
  ],
};

/** The demo database: Debian's postgresql-15, initdb on first start, pg_dump and psql inside. */
export const POSTGRES_RECIPE: ImageRecipe = {
  name: "bosun-lab/demo-postgres",
  packages: ["postgresql-15"],
  exclude: PG_EXCLUDE,
  prune: [
    `/usr/lib/postgresql/15/lib/llvmjit.so`,
    `/usr/lib/postgresql/15/lib/llvmjit_types.bc`,
    `/usr/lib/postgresql/15/lib/bitcode`,
    "/usr/share/postgresql/15/man",
  ],
  users: ["postgres:999"],
  files: [scriptFile("postgres-run.sh", "/usr/local/bin/postgres-run")],
  changes: [
    `ENV PATH=${PG_PATH}`,
    "ENV PGDATA=/var/lib/postgresql/data",
    "ENV LANG=C.UTF-8",
    'ENTRYPOINT ["/usr/local/bin/postgres-run"]',
    "EXPOSE 5432",
    "HEALTHCHECK --interval=2s --timeout=5s --retries=30 CMD pg_isready -q -h 127.0.0.1",
  ],
};

/** The demo migrator: Debian's postgresql-client-15 and a script applying one trivial migration. */
export const MIGRATOR_RECIPE: ImageRecipe = {
  name: "bosun-lab/demo-migrator",
  packages: ["postgresql-client-15"],
  exclude: PG_EXCLUDE,
  prune: ["/usr/share/postgresql/15/man"],
  files: [scriptFile("migrate.sh", "/usr/local/bin/migrate")],
  changes: [`ENV PATH=${PG_PATH}`, 'ENTRYPOINT ["/usr/local/bin/migrate"]'],
};
