export { TenantObject } from "./tenancy/tenant-object"; export default { fetch() { return new Response("ok"); } };
