/**
 * Reads the keys out of a CPIX answer for display: each ContentKey's kid, its PlainValue (PSKC
 * `Data/Secret/PlainValue`, base64; CPIX 2.3 §5.3.3) and explicitIV, and the track type its usage rule names.
 */
const CPIX = "urn:dashif:org:cpix";
const PSKC = "urn:ietf:params:xml:ns:keyprov:pskc";

export function answerKeys(xml) {
  const document = new DOMParser().parseFromString(xml, "application/xml");
  if (document.getElementsByTagName("parsererror").length > 0) return [];
  const trackType = new Map(
    [...document.getElementsByTagNameNS(CPIX, "ContentKeyUsageRule")].map((rule) => [
      rule.getAttribute("kid"),
      rule.getAttribute("intendedTrackType"),
    ]),
  );
  return [...document.getElementsByTagNameNS(CPIX, "ContentKey")].map((key) => {
    const plain = key.getElementsByTagNameNS(PSKC, "PlainValue")[0]?.textContent?.trim();
    const kid = key.getAttribute("kid");
    return {
      kid,
      trackType: trackType.get(kid) ?? "",
      keyHex: plain ? base64ToHex(plain) : "(encrypted)",
      ivHex: key.getAttribute("explicitIV") ? base64ToHex(key.getAttribute("explicitIV")) : "",
    };
  });
}

function base64ToHex(text) {
  try {
    return [...atob(text)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  } catch {
    return "(not base64)";
  }
}
