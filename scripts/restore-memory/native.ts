// workerd's native base64 (TC39 Uint8Array.fromBase64 / toBase64), which src/domain/bytes.ts uses where present and Node 20 lacks.
(Uint8Array as unknown as { fromBase64: (s: string) => Uint8Array }).fromBase64 = (s) => {
  const b = Buffer.from(s, "base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
};
(Uint8Array.prototype as unknown as { toBase64: () => string }).toBase64 = function (this: Uint8Array) {
  return Buffer.from(this.buffer, this.byteOffset, this.length).toString("base64");
};
