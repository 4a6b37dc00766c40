import { X509Certificate, type ASN1Obj } from '@sigstore/core'
// Not in the package's index: the length encoder ASN1Obj.toDER itself uses, so the bytes are the library's.
import { encodeLength } from '@sigstore/core/dist/asn1/length.js'

/*
 * @sigstore/core's ASN1Obj.toDER, producing the same bytes with a tenth of the work. The library's version gives
 * every node of the tree two growable streams of at least a kilobyte, zero-filled and copied as they grow: for a
 * Fulcio certificate (about 150 nodes) re-encoding took longer than the ECDSA checks, and a bundle with a new
 * certificate re-encoded it four times. This one concatenates the same parts: the tag byte (tag.toDER()), the
 * library's length encoding, then the children's encodings, or the value when there are none.
 */

/** The DER the library would produce for `node` (its toDER()), leaving out the one child `without` wherever it occurs. */
export function derOf(node: ASN1Obj, without?: ASN1Obj): Buffer {
  const subs = without ? node.subs.filter((sub) => sub !== without) : node.subs
  // As the library encodes its tree with the child spliced out: a node left with no children is encoded from its
  // value (which still holds the child), just as verifySCTs re-encodes a certificate whose only extension is the SCT.
  const content = subs.length > 0 ? Buffer.concat(subs.map((sub) => derOf(sub, without))) : node.value
  return Buffer.concat([Buffer.from([node.tag.toDER()]), encodeLength(content.length), content])
}

/**
 * X509Certificate.parse, without the stack traces of the errors it throws and catches inside. The parser tries to
 * read every OCTET STRING as nested DER and catches the error when it is not; capturing those errors' stacks was
 * a third of reading a certificate. An error that escapes is the same error without a stack (only its message is
 * used: it names what is wrong with the document).
 */
export function parseX509(der: Buffer): X509Certificate {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return X509Certificate.parse(Buffer.from(der))
  } finally {
    Error.stackTraceLimit = limit
  }
}
