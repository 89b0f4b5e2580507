import worker from "../src/index";
import { TenantStore } from "../src/tenancy/tenant-store";

export { SignerRegistry, TenantDirectory, TenantObject } from "../src/index";

/**
 * The production Worker with two bench-only routes, never deployed (bench/tenant-cache.mjs builds it): the isolate's
 * tenant cache statistics, and, for the comparison with an unbounded cache, a way to forget every tenant or change
 * the byte budget. Everything else goes to the production app unchanged.
 */
export default {
  fetch(request: Request, env: Env, context: ExecutionContext): Response | Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/tenant-cache") {
      if (url.searchParams.has("clear")) TenantStore.clear();
      const budget = url.searchParams.get("budget");
      if (budget !== null) TenantStore.setCacheBudget(budget === "unbounded" ? Number.POSITIVE_INFINITY : Number(budget));
      return Response.json(TenantStore.stats());
    }
    return worker.fetch(request, env, context);
  },
};
