/** PEM (RFC 7468) ⇄ DER for certificates. Strict: only CERTIFICATE blocks, strict base64. */

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----/g;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Every CERTIFICATE block in `text`, in order, as DER. Refuses other block types and bad base64. */
export function pemToDerCertificates(text: string): Uint8Array[] {
  const blocks: Uint8Array[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, label, body = ''] = match;
    if (label !== 'CERTIFICATE') throw new TypeError(`unexpected PEM block "${label}"`);
    const base64 = body.replace(/\r?\n/g, '');
    if (base64.length === 0 || !BASE64.test(base64)) throw new TypeError('PEM body is not base64');
    blocks.push(new Uint8Array(Buffer.from(base64, 'base64')));
  }
  return blocks;
}

/** Exactly one CERTIFICATE block, as DER. */
export function pemToDerCertificate(text: string): Uint8Array {
  const blocks = pemToDerCertificates(text);
  const [only] = blocks;
  if (blocks.length !== 1 || only === undefined) throw new TypeError(`expected one PEM certificate, found ${blocks.length}`);
  return only;
}

export function derToPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
