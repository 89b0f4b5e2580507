import { createApp } from "./app";

export { SignerRegistry } from "./tenancy/signer-registry";
export { TenantDirectory } from "./tenancy/tenant-directory";
export { TenantObject } from "./tenancy/tenant-object";

/** Worker entry: the Hono app and the Durable Object classes (docs/architecture.md). */
export default createApp();
