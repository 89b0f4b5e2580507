import type { KeySeedView } from "../tenancy/tenant-types";

/** A KeySeed in Axinom's PascalCase JSON (Axinom Key Service API help); the seed value is never part of it. */
export function keySeedJson(seed: KeySeedView) {
  return {
    Id: seed.id,
    Name: seed.name,
    Created: seed.created,
    Updated: seed.updated,
    Generated: seed.generated,
    MadeDefault: seed.madeDefault,
    IsDefault: seed.isDefault,
    ...(seed.defaultEffectiveAt !== null && { DefaultEffectiveAt: seed.defaultEffectiveAt }),
  };
}
