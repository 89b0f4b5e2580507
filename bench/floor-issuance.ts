import { DurableObject } from "cloudflare:workers";

/**
 * The floor Worker's issuance commit (bench/floor-worker.ts): the least a design that records before it answers
 * (docs/storage.md §Issuance delivery) must do per acquisition. A request's record (an id, the time, the issued KIDs)
 * joins its tenant's open group in this isolate; the group's opener sends it to the tenant's Durable Object in one RPC,
 * which inserts every record in one SQLite transaction; every request of the group answers only after that commit.
 * Grouped as the service groups (src/protocols/issuance-group-commit.ts): the requests arriving in the opener's turn
 * join at once, and while the tenant's previous commit is in flight the group keeps gathering, for at most 5 ms. Each
 * waiting request also holds a deadline timer, as the service's do: without a timer of its own a request waiting on a
 * promise that another request settles has nothing pending in its context, and workerd cancels it as hung (measured
 * here: 500 "…detected that your Worker's code had hung").
 * Left out, as the floor leaves out every check: the tenant lookup in the object, log pruning and its time index, the
 * retry and KV parking a failed commit needs, and the group size limits (the bench's groups stay small).
 */

/** What the floor stores per acquisition: never a key, as the service's issuance_log. */
export interface FloorIssuanceRecord {
  readonly id: string;
  readonly time: string;
  readonly kids: readonly string[];
}

/** ISSUANCE_GROUP_WAIT_MS of src/protocols/issuance-group-commit.ts. */
const GROUP_WAIT_MS = 5;
/** ISSUANCE_COMMIT_DEADLINE_MS of src/protocols/issuance-group-commit.ts. */
const COMMIT_DEADLINE_MS = 10_000;

/** One tenant's issuance table, a SQLite-backed Durable Object with one RPC method. */
export class FloorIssuanceLog extends DurableObject<object> {
  constructor(state: DurableObjectState, env: object) {
    super(state, env);
    // The id is the primary key for what the service's unique index on id is for: a group delivered twice is stored once.
    state.storage.sql.exec("CREATE TABLE IF NOT EXISTS issuance (id TEXT PRIMARY KEY, time TEXT NOT NULL, kids TEXT NOT NULL)");
  }

  /** Stores a group in one transaction. */
  append(records: readonly FloorIssuanceRecord[]): void {
    const { sql } = this.ctx.storage;
    this.ctx.storage.transactionSync(() => {
      for (const record of records) {
        sql.exec(
          "INSERT INTO issuance (id, time, kids) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
          record.id,
          record.time,
          JSON.stringify(record.kids),
        );
      }
    });
  }

  /** How many records the table holds. */
  count(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM issuance").one().n;
  }
}

interface Group {
  readonly records: FloorIssuanceRecord[];
  readonly waiters: { resolve: () => void; reject: (error: unknown) => void }[];
}

interface TenantCommits {
  open: Group | undefined;
  inFlight: number;
}

const tenants = new Map<string, TenantCommits>();

/**
 * Adds a record to the tenant's open group; resolves once the object has committed it. As in the service, the opener
 * does all the I/O in its own request context (workerd runs a continuation in the context that resolved its promise).
 */
export function commitIssuance(
  namespace: DurableObjectNamespace<FloorIssuanceLog>,
  context: Pick<ExecutionContext, "waitUntil">,
  tenantId: string,
  record: FloorIssuanceRecord,
): Promise<void> {
  let tenant = tenants.get(tenantId);
  if (!tenant) tenants.set(tenantId, (tenant = { open: undefined, inFlight: 0 }));
  const opener = tenant.open === undefined;
  const group = (tenant.open ??= { records: [], waiters: [] });
  group.records.push(record);
  const committed = new Promise<void>((resolve, reject) => void group.waiters.push({ resolve, reject }));
  if (opener) context.waitUntil(deliver(namespace, tenantId, tenant, group));
  return withDeadline(committed);
}

async function deliver(namespace: DurableObjectNamespace<FloorIssuanceLog>, tenantId: string, tenant: TenantCommits, group: Group) {
  await sleep(0);
  for (let waited = 0; tenant.inFlight > 0 && waited < GROUP_WAIT_MS; waited++) await sleep(1);
  if (tenant.open === group) tenant.open = undefined;
  tenant.inFlight++;
  try {
    await namespace.get(namespace.idFromName(tenantId)).append(group.records);
    for (const waiter of group.waiters) waiter.resolve();
  } catch (error) {
    for (const waiter of group.waiters) waiter.reject(error);
  } finally {
    tenant.inFlight--;
  }
}

function withDeadline(committed: Promise<void>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("issuance commit timed out")), COMMIT_DEADLINE_MS);
  });
  return Promise.race([committed, deadline]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
