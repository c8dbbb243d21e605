import forge from 'node-forge';

const OID_COMMON_NAME = '2.5.4.3';

/**
 * @types/node-forge declares `valueTagClass` as an `asn1.Class`, but forge keeps the universal tag
 * number (an `asn1.Type`) there; these two helpers are the only places that bridge the mislabel.
 */
export const UTF8_STRING_TAG = forge.asn1.Type.UTF8 as number as forge.asn1.Class;

export function isUtf8StringField(field: forge.pki.CertificateField): boolean {
  return (field.valueTagClass as number | undefined) === forge.asn1.Type.UTF8;
}

/**
 * The single subject CN of a name parsed by forge, decoded. Throws `TypeError` (callers map it to
 * their own code): two CNs would let one certificate name two members, and only UTF8String,
 * PrintableString and IA5String are accepted.
 */
export function readCommonName(attributes: readonly forge.pki.CertificateField[]): string | undefined {
  const names = attributes.filter((a) => a.type === OID_COMMON_NAME);
  if (names.length > 1) throw new TypeError('more than one subject CN');
  const [cn] = names;
  return cn === undefined ? undefined : decodeDirectoryString(cn);
}

function decodeDirectoryString(field: forge.pki.CertificateField): string {
  const raw = typeof field.value === 'string' ? field.value : '';
  switch (field.valueTagClass as number | undefined) {
    case forge.asn1.Type.UTF8:
      // forge leaves the value as raw bytes; fatal decoding refuses invalid UTF-8.
      return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(raw, 'binary'));
    case forge.asn1.Type.PRINTABLESTRING:
    case forge.asn1.Type.IA5STRING:
      return assertAscii(raw);
    default:
      throw new TypeError('unsupported string type in subject CN');
  }
}

/** Printable ASCII only: IA5 names (DNS SANs) and PrintableString never carry control bytes here. */
export function assertAscii(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new TypeError('non-printable or non-ASCII characters');
  return value;
}
