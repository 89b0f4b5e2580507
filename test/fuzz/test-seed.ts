import vectors from "../fixtures/vectors/playready-key-seed.json";
import { fromBase64 } from "../../src/domain/bytes";
import { keySeedFromBytes, type KeySeedValue } from "../../src/domain/content-key";

/** Microsoft's published PlayReady test key seed (test/fixtures/vectors/playready-key-seed.json): the fuzz tenant's seed. */
export const TEST_SEED_BASE64: string = vectors.test_key_seed.b64;
export const TEST_SEED: KeySeedValue = keySeedFromBytes(fromBase64(TEST_SEED_BASE64)!);
