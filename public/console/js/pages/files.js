/** Files in and out of the console: an uploaded certificate as text for the API, an answer saved as a download. */

/** A PEM file as its text; a DER file as base64 (the API takes either, README "API"). */
export async function certificateText(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  if (text.includes("-----BEGIN CERTIFICATE-----")) return text;
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Saves `blob` as `name` through a temporary object URL (nothing leaves the browser). */
export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
