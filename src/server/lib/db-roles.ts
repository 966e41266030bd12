import pg from 'pg';
import PgBoss from 'pg-boss';

/**
 * The runtime roles of row-level security (decision 012). The owner of the database (DATABASE_URL's
 * user, or the embedded server's) migrates and then hands the work to two roles that are neither
 * owner nor superuser nor BYPASSRLS:
 *
 * - `moxora_app`: everything done for one organisation. Each transaction binds it with
 *   `set_config('app.org_id', $1, true)`; the `org_isolation` policy of every org_id table shows
 *   and accepts only that organisation's rows, and nothing when unbound.
 * - `moxora_worker`: the cross-organisation machinery (event bus, send runner, automation dispatch,
 *   tracking and unsubscribe links, provider webhooks, purges, sign-in) and the job runner, whose
 *   schema (pgboss) it owns.
 */
export const APP_ROLE = 'moxora_app';
export const WORKER_ROLE = 'moxora_worker';
export type RuntimeRole = typeof APP_ROLE | typeof WORKER_ROLE;

/**
 * The runtime roles' passwords: derived from the installation's encryption key, so every process
 * of it agrees and none is stored anywhere.
 */
export function rolePasswords(keys: {
  mac(purpose: string, data: string): Buffer;
}): Record<RuntimeRole, string> {
  return {
    [APP_ROLE]: keys.mac('database-role', APP_ROLE).toString('base64url'),
    [WORKER_ROLE]: keys.mac('database-role', WORKER_ROLE).toString('base64url'),
  } as Record<RuntimeRole, string>;
}

/** The connection string of `role` on the same server and database as `ownerUrl`. */
export function roleUrl(ownerUrl: string, role: RuntimeRole, password: string): string {
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = encodeURIComponent(password);
  return url.toString();
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return true;
  } catch (err) {
    // 28P01 wrong password, 28000 no pg_hba entry / login not allowed
    const code = (err as { code?: string }).code;
    if (code === '28P01' || code === '28000') return false;
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Run as the owner after the migrations: lets the runtime roles log in with their passwords
 * (derived from the installation's encryption key, so every process of it agrees), gives the job
 * runner's schema to the worker role and covers tables the last migration added.
 * A role that can already log in with its password is left alone (concurrent start-ups).
 */
export async function prepareRuntimeRoles(
  owner: { query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> },
  ownerUrl: string,
  passwords: Record<RuntimeRole, string>,
) {
  for (const role of [APP_ROLE, WORKER_ROLE] as const) {
    // A role that cannot log in yet (first start) is not probed: the failed attempt would only
    // put a FATAL line in the server's log.
    const login = await owner.query('select rolcanlogin as ok from pg_roles where rolname = $1', [role]);
    if (login.rows[0]?.ok && (await canConnect(roleUrl(ownerUrl, role, passwords[role])))) continue;
    // ALTER ROLE takes no parameters; the password is base64url (no quote can occur) and quoted.
    if (!/^[A-Za-z0-9_-]+$/.test(passwords[role])) throw new Error('Unexpected role password format');
    await owner.query(`alter role ${role} login password '${passwords[role]}'`);
  }
  await owner.query(`do $$
  begin
    if not exists (select 1 from pg_roles where rolname = current_user and rolsuper)
       and not pg_has_role(current_user, '${WORKER_ROLE}', 'MEMBER') then
      execute format('grant ${WORKER_ROLE} to %I', current_user);
    end if;
  end $$`);
  // The job runner's schema is installed by the owner (creating a schema needs rights on the
  // database the worker role does not get), then handed to the worker role below.
  const installed = await owner.query(`select to_regclass('pgboss.version') is not null as ok`);
  if (!installed.rows[0]?.ok) await owner.query(PgBoss.getConstructionPlans('pgboss'));
  // The job runner's objects: owned by the worker role (pg-boss creates a partition per queue,
  // which needs ownership of pgboss.job); the app role enqueues jobs inside its transactions.
  await owner.query(`do $$
  declare o record;
  begin
    if (select nspowner::regrole::text from pg_namespace where nspname = 'pgboss') <> '${WORKER_ROLE}' then
      alter schema pgboss owner to ${WORKER_ROLE};
    end if;
    for o in select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'pgboss' and c.relkind in ('r','p','S','v') and c.relowner <> '${WORKER_ROLE}'::regrole
    loop
      execute format('alter %s pgboss.%I owner to ${WORKER_ROLE}',
        case o.relkind when 'S' then 'sequence' when 'v' then 'view' else 'table' end, o.relname);
    end loop;
    for o in select p.oid::regprocedure::text as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'pgboss' and p.proowner <> '${WORKER_ROLE}'::regrole
    loop
      execute format('alter function %s owner to ${WORKER_ROLE}', o.sig);
    end loop;
    for o in select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = 'pgboss' and t.typtype = 'e' and t.typowner <> '${WORKER_ROLE}'::regrole
    loop
      execute format('alter type pgboss.%I owner to ${WORKER_ROLE}', o.typname);
    end loop;
  end $$`);
  await owner.query(`grant usage on schema pgboss to ${APP_ROLE}`);
  await owner.query(
    `alter default privileges for role ${WORKER_ROLE} in schema pgboss grant select, insert, update, delete on tables to ${APP_ROLE}`,
  );
  await owner.query(
    `alter default privileges for role ${WORKER_ROLE} in schema pgboss grant usage, select on sequences to ${APP_ROLE}`,
  );
  await owner.query(`do $$
  declare o record;
  begin
    for o in select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'pgboss' and c.relkind in ('r','p')
        and not has_table_privilege('${APP_ROLE}', c.oid, 'SELECT,INSERT,UPDATE,DELETE')
    loop
      execute format('grant select, insert, update, delete on pgboss.%I to ${APP_ROLE}', o.relname);
    end loop;
  end $$`);
  await owner.query('select moxora_secure_tables()');
}
