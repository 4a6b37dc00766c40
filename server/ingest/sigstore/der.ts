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

/**
 * The DER the library would produce for `node` (its toDER()), leaving out the one child `without` wherever it occurs.
 * `exact`: the caller has shown (encodesAs) that the tree re-encodes to the bytes it was read from; a subtree that
 * does not hold `without` is then its header and value as read, with no need to walk it.
 */
export function derOf(node: ASN1Obj, without?: ASN1Obj, exact = false): Buffer {
  if (exact && (!without || !holds(node, without))) return Buffer.concat([Buffer.from([node.tag.toDER()]), encodeLength(node.value.length), node.value])
  const subs = without ? node.subs.filter((sub) => sub !== without) : node.subs
  // As the library encodes its tree with the child spliced out: a node left with no children is encoded from its
  // value (which still holds the child), just as verifySCTs re-encodes a certificate whose only extension is the SCT.
  const content = subs.length > 0 ? Buffer.concat(subs.map((sub) => derOf(sub, without, exact))) : node.value
  return Buffer.concat([Buffer.from([node.tag.toDER()]), encodeLength(content.length), content])
}

/**
 * Whether `inner`, a node of the same parsed tree, lies within `node`. The parser's values are views of the one
 * buffer it read, and the values of a tree's nodes are nested or apart: a node's value spans a later node only
 * when that node is among its descendants.
 */
function holds(node: ASN1Obj, inner: ASN1Obj): boolean {
  if (node === inner) return true
  if (node.value.buffer !== inner.value.buffer) return false
  const start = node.value.byteOffset
  return inner.value.byteOffset >= start && inner.value.byteOffset + inner.value.length <= start + node.value.length && node.subs.length > 0
}

/** Bytes the library's length encoding takes for `length` (encodeLength(length).length), without building it. */
function lengthSize(length: number): number {
  let size = 1
  if (length >= 128) for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) size++
  return size
}

/**
 * True when derOf(root) (the library's toDER()) gives back exactly `der`, the bytes `root` was parsed from, without
 * encoding anything. The parser reads every child from within its parent's value, end to end, and a tag is one byte
 * that the library writes back as read; so the re-encoding differs from the input only where a length was not
 * written in its shortest form (or bytes follow the root). Each node's header as read (the distance from where it
 * starts to where its value starts) is compared with the size of the library's encoding of its length: a header of
 * the same size holding the same length is the same bytes.
 */
export function encodesAs(root: ASN1Obj, der: Buffer): boolean {
  if (der[0] !== root.tag.toDER()) return false
  // Bytes after the root, or a long root header, both make what was read longer than the shortest form.
  if (der.length - root.value.length !== 1 + lengthSize(root.value.length)) return false
  return childrenExact(root)
}

function childrenExact(node: ASN1Obj): boolean {
  if (node.subs.length === 0) return true
  const buffer = node.value.buffer
  let at = node.value.byteOffset
  for (const sub of node.subs) {
    if (sub.value.buffer !== buffer) return false
    if (sub.value.byteOffset - at !== 1 + lengthSize(sub.value.length)) return false
    if (!childrenExact(sub)) return false
    at = sub.value.byteOffset + sub.value.length
  }
  return at === node.value.byteOffset + node.value.length
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
