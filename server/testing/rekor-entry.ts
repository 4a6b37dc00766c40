import { createHash } from 'node:crypto'

/** A bundle's transparency-log entry, as Sigstore bundles carry it (protobuf JSON: base64 bytes, string integers). */
export type BundleTlogEntry = {
  logIndex: string
  logId: { keyId: string }
  integratedTime: string
  inclusionPromise: { signedEntryTimestamp: string }
  inclusionProof: { logIndex: string; treeSize: string; rootHash: string; hashes: string[]; checkpoint: { envelope: string } }
  canonicalizedBody: string
}

const hexOf = (base64: string) => Buffer.from(base64, 'base64').toString('hex')

/**
 * A bundle's log entry as Rekor's API answers for it (GET /api/v1/log/entries/{uuid}): the same entry bytes, signed
 * entry timestamp and inclusion proof, only reshaped (hex ids and hashes, numbers, the uuid as key). Tests use it to
 * hand over an entry apart from its bundle; `signedEntryTimestamp` replaces the entry's own (a tampered one).
 */
export function rekorEntryResponse(entry: BundleTlogEntry, signedEntryTimestamp = entry.inclusionPromise.signedEntryTimestamp): { raw: Buffer; uuid: string; logIndex: string } {
  const body = Buffer.from(entry.canonicalizedBody, 'base64')
  const uuid = createHash('sha256').update(Buffer.concat([Buffer.from([0]), body])).digest('hex')
  const response = {
    [uuid]: {
      body: entry.canonicalizedBody,
      integratedTime: Number(entry.integratedTime),
      logID: hexOf(entry.logId.keyId),
      logIndex: Number(entry.logIndex),
      verification: {
        signedEntryTimestamp,
        inclusionProof: {
          logIndex: Number(entry.inclusionProof.logIndex),
          treeSize: Number(entry.inclusionProof.treeSize),
          rootHash: hexOf(entry.inclusionProof.rootHash),
          hashes: entry.inclusionProof.hashes.map(hexOf),
          checkpoint: entry.inclusionProof.checkpoint.envelope,
        },
      },
    },
  }
  return { raw: Buffer.from(JSON.stringify(response)), uuid, logIndex: entry.logIndex }
}
