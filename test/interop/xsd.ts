/**
 * XSD validation of CPIX documents with libxml2 (xmllint-wasm), against the official DASH-IF schemas in
 * test/fixtures/cpix/xsd/<version>/ (provenance: test/fixtures/cpix/SOURCES.md). Runs in Node (interop project) only.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryPages, validateXML, type XMLFileInfo } from "xmllint-wasm";

export type CpixSchemaVersion = "2.1" | "2.2" | "2.3" | "2.4";

/** xmllint's verdict on one document: `errors` are its messages without the file name and line. */
export interface CpixXsdResult {
  readonly valid: boolean;
  readonly errors: string[];
}

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
export async function validateCpixXml(xml: string, version: CpixSchemaVersion): Promise<CpixXsdResult> {
  const { schema, preload } = filesFor(version);
  const result = await validateXML({ xml: { fileName: "cpix-document.xml", contents: xml }, schema, preload });
  return { valid: result.valid, errors: result.errors.map((error) => error.message) };
}

/**
 * Validates many documents against one CPIX version in a single xmllint run, each verdict as validateCpixXml gives
 * it. Every xmllint-wasm call starts libxml2 in a new thread and compiles its WASM (about 150 ms of one core, more
 * than the validation); a run over many documents pays that once. xmllint reports each file by name: "<file>
 * validates", or its error lines "<file>:<line>: <message>" and "<file> fails to validate".
 */
export async function validateCpixXmlBatch(xmls: readonly string[], version: CpixSchemaVersion): Promise<CpixXsdResult[]> {
  if (xmls.length === 0) return [];
  const { schema, preload } = filesFor(version);
  const files = xmls.map((contents, index) => ({ fileName: `document-${index}.xml`, contents }));
  // Every document sits in xmllint's in-memory file system at once: room for the largest batches.
  const result = await validateXML({ xml: files, schema, preload, maxMemoryPages: 256 * memoryPages.MiB });
  const lines = result.rawOutput.split("\n");
  return files.map(({ fileName }) => {
    const errors = lines.flatMap((line) => {
      const [name, lineNumber, ...rest] = line.split(":");
      return name === fileName && lineNumber && rest.length > 0 ? [rest.join(":").trim()] : [];
    });
    const valid = lines.includes(`${fileName} validates`);
    if (!valid && errors.length === 0) throw new Error(`xmllint said neither that ${fileName} validates nor why not:\n${result.rawOutput}`);
    return { valid, errors };
  });
}

/**
 * Verdicts for documents known before a test file's tests run, from one batch (validateCpixXmlBatch): `of(xml)` is the
 * verdict on exactly that text, or a single run of validateCpixXml when the batch did not hold it.
 */
export async function prevalidatedCpixXml(
  xmls: readonly string[],
  version: CpixSchemaVersion,
): Promise<(xml: string) => Promise<CpixXsdResult>> {
  const results = await validateCpixXmlBatch(xmls, version);
  const verdicts = new Map(xmls.map((xml, index) => [xml, results[index]!]));
  return async (xml) => verdicts.get(xml) ?? validateCpixXml(xml, version);
}
