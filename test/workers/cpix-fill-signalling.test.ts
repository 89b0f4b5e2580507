/**
 * fillCpixDrmSystem: the signalling text an answer carries (already base64, `Base64Value`) is the UTF-8 of the
 * signalling's text, whether the signalling knows it is ASCII or a tenant's key URI template makes it not.
 */
import { describe, expect, it } from "vitest";
import { readCpix } from "../../src/cpix/reader";
import { writeCpix } from "../../src/cpix/writer";
import type { CpixDocument } from "../../src/cpix/model";
import { utf8 } from "../../src/domain/bytes";
import { contentKeyFromBytes, ivFromBytes } from "../../src/domain/content-key";
import { KeyId } from "../../src/domain/key-id";
import { isDrmSignallingFailure, signalDrmSystem, type DrmSignallingSettings } from "../../src/drm/signalling";
import { SYSTEM_IDS } from "../../src/drm/system-ids";
import { fillCpixDrmSystem } from "../../src/protocols/cpix/fill-drm-system";

const kid = KeyId.require("8ba94ade-6eb9-449d-b44f-a5beefaf43b0");

describe("signalling text in a filled DRMSystem", () => {
  it.each([
    ["Widevine, ASCII", SYSTEM_IDS.widevine, {}],
    [
      "PlayReady with a non-ASCII LA_URL (inside the base64)",
      SYSTEM_IDS.playReady,
      { playReadyLaUrl: "https://licence.example/caf\u00e9" },
    ],
    ["FairPlay with an ASCII template", SYSTEM_IDS.fairPlay, {}],
    ["FairPlay with a non-ASCII template", SYSTEM_IDS.fairPlay, { fairPlayUriTemplate: "skd://caf\u00e9-\u{1d11e}/{kid}" }],
  ] as const)("%s: reads back as the UTF-8 of the signalling text", async (_name, systemId, settings: DrmSignallingSettings) => {
    const signalling = await signalDrmSystem({
      systemId,
      kid,
      key: contentKeyFromBytes(new Uint8Array(16).fill(3)),
      iv: ivFromBytes(new Uint8Array(16).fill(5)),
      scheme: "cbcs",
      settings,
    });
    if (isDrmSignallingFailure(signalling)) throw new Error(signalling.reason);
    const request: CpixDocument = { version: "2.3", drmSystemList: { items: [{ systemId, kid, hlsSignalingData: [], extensions: [] }] } };
    const filled = fillCpixDrmSystem(request.drmSystemList!.items[0]!, signalling, request);
    const read = readCpix(utf8(writeCpix({ ...request, drmSystemList: { items: [filled] } })));
    if (!read.ok) throw new Error(JSON.stringify(read.failure));
    const system = read.document.drmSystemList!.items[0]!;
    expect(system.hlsSignalingData.map((data) => data.data)).toEqual([utf8(signalling.hlsMediaLine!), utf8(signalling.hlsMasterLine!)]);
    if (signalling.contentProtectionData !== undefined && systemId !== SYSTEM_IDS.fairPlay) {
      expect(system.contentProtectionData).toEqual(utf8(signalling.contentProtectionData));
    }
  });
});
