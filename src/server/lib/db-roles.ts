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
/**
 * Built-in functions behind the operators our queries filter with through an index: a word
 * search (`search_vector @@ tsquery`), tags (`tag_ids && / @> uuid[]`), custom fields
 * (`custom @> jsonb`), case-insensitive look-ups and keyset pages (`lower(x)`), company search
 * (`lower(name) like`) and tracked links (`md5(url)`).
 *
 * Under row-level security PostgreSQL evaluates a condition before the policy's only when its
 * function is LEAKPROOF; otherwise the condition cannot drive an index scan, and every one of those
 * queries reads all of the organisation's rows (measured: a two-word search 5 ms → 216 ms, a
 * keyset page by last name 3 ms → 157 ms on 100k contacts). These functions return a value for
 * every input and raise no error that depends on a row, so evaluating them on rows the policy
 * then hides tells the caller nothing (decision 012). Marking them takes a superuser: the owner
 * does it at start when it is one (the embedded database, a self-hosted server); otherwise
 * `notLeakproof` names what a superuser has to run (docs/operations.md).
 */
export const LEAKPROOF_FUNCTIONS = [
  'pg_catalog.lower(text)',
  'pg_catalog.md5(text)',
  'pg_catalog.textlike(text,text)',
  'pg_catalog.ts_match_vq(tsvector,tsquery)',
  'pg_catalog.arrayoverlap(anyarray,anyarray)',
  'pg_catalog.arraycontains(anyarray,anyarray)',
  'pg_catalog.arraycontained(anyarray,anyarray)',
  'pg_catalog.jsonb_contains(jsonb,jsonb)',
] as const;

type OwnerQuery = { query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

/**
 * Marks LEAKPROOF_FUNCTIONS leakproof in this database (pg_proc is per database: nothing changes
 * for the server's other databases) when the owner is a superuser. Returns the functions that
 * are still not leakproof (empty when all are).
 */
export async function markLeakproof(owner: OwnerQuery): Promise<string[]> {
  const list = `array[${LEAKPROOF_FUNCTIONS.map((f) => `'${f}'`).join(', ')}]`;
  // One transaction under an advisory lock: processes starting together do not update the same
  // pg_proc rows at once ("tuple concurrently updated").
  await owner.query(`do $$
  declare f text;
  begin
    if not exists (select 1 from pg_roles where rolname = current_user and rolsuper) then return; end if;
    perform pg_advisory_xact_lock(hashtext('moxora_leakproof'));
    foreach f in array ${list} loop
      if not (select proleakproof from pg_proc where oid = f::regprocedure) then
        execute format('alter function %s leakproof', f);
      end if;
    end loop;
  end $$`);
  const r = await owner.query(
    `select f from unnest(${list}) f where not (select proleakproof from pg_proc where oid = f::regprocedure)`,
  );
  return r.rows.map((row) => String(row.f));
}

export async function prepareRuntimeRoles(
  owner: OwnerQuery,
  ownerUrl: string,
  passwords: Record<RuntimeRole, string>,
  warn: (message: string) => void = () => {},
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
  const notLeakproof = await markLeakproof(owner);
  if (notLeakproof.length > 0) {
    warn(
      `Searches and filters on contacts will read every row of an organisation: ${notLeakproof.length} ` +
        'functions are not LEAKPROOF and the database owner is not a superuser. A superuser can run, ' +
        `in this database: ${notLeakproof.map((f) => `ALTER FUNCTION ${f} LEAKPROOF;`).join(' ')} ` +
        '(docs/operations.md, "Row-level security and indexes").',
    );
  }
}
