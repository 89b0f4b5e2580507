/**
 * XSD validation of CPIX documents with libxml2 (xmllint-wasm), against the official DASH-IF schemas in
 * test/fixtures/cpix/xsd/<version>/ (provenance: test/fixtures/cpix/SOURCES.md). Runs in Node (interop project) only.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { validateXML, type XMLFileInfo } from "xmllint-wasm";

export type CpixSchemaVersion = "2.1" | "2.2" | "2.3" | "2.4";

const XSD_ROOT = join(dirname(fileURLToPath(import.meta.url)), "../fixtures/cpix/xsd");
/** cpix.xsd imports these by relative schemaLocation; xmllint finds them in its in-memory file system. */
const IMPORTED_SCHEMAS = ["pskc.xsd", "xmldsig-core-schema.xsd", "xenc-schema.xsd"];
const schemaFiles = new Map<CpixSchemaVersion, { schema: XMLFileInfo; preload: XMLFileInfo[] }>();

function filesFor(version: CpixSchemaVersion): { schema: XMLFileInfo; preload: XMLFileInfo[] } {
  let files = schemaFiles.get(version);
  if (!files) {
    const read = (fileName: string): XMLFileInfo => ({ fileName, contents: readFileSync(join(XSD_ROOT, version, fileName), "utf8") });
    files = { schema: read("cpix.xsd"), preload: IMPORTED_SCHEMAS.map(read) };
    schemaFiles.set(version, files);
  }
  return files;
}

/**
 * Validates a CPIX document (UTF-8 text) against the XSD of a CPIX version; `errors` are xmllint's messages.
 * @example expect(await validateCpixXml(writeCpix(doc), "2.3")).toEqual({ valid: true, errors: [] });
 */
export async function validateCpixXml(xml: string, version: CpixSchemaVersion): Promise<{ valid: boolean; errors: string[] }> {
  const { schema, preload } = filesFor(version);
  const result = await validateXML({ xml: { fileName: "cpix-document.xml", contents: xml }, schema, preload });
  return { valid: result.valid, errors: result.errors.map((error) => error.message) };
}
