/**
 * `npm run verify-report <archive.tar> [--public-key FILE]`: checks a report archive offline: the DSSE
 * envelope's signature over report.json, the log checkpoint's signature, and that every document the report
 * cites is present, hashes to its id and is proved in the checkpoint's tree. Without --public-key the key in
 * the archive is used, which proves the archive is consistent, not who made it: pass the server's published key
 * (GET /api/v1/log/checkpoint) to prove that too.
 * Exit 0: everything checked; 1: something failed (each problem printed, naming its file and document);
 * 2: the command was used wrongly or the file could not be read.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { verifyArchive } from '../server/reports/verify'

let archivePath: string | undefined
let publicKeyPath: string | undefined
try {
  const { values, positionals } = parseArgs({ options: { 'public-key': { type: 'string' } }, allowPositionals: true })
  archivePath = positionals[0]
  publicKeyPath = values['public-key']
  if (positionals.length !== 1) throw new Error('give exactly one archive')
} catch (error) {
  console.error(`verify-report: ${error instanceof Error ? error.message : String(error)}\nusage: npm run verify-report <report.tar> [--public-key server-key.pem]`)
  process.exit(2)
}

let archive: Buffer
let publicKeyPem: string | undefined
try {
  archive = readFileSync(archivePath!)
  publicKeyPem = publicKeyPath === undefined ? undefined : readFileSync(publicKeyPath, 'utf8')
} catch (error) {
  console.error(`verify-report: cannot read ${error instanceof Error ? error.message : String(error)}`)
  process.exit(2)
}

const verdict = verifyArchive(archive, publicKeyPem === undefined ? {} : { publicKeyPem })
for (const problem of verdict.problems) console.log(`${verdict.ok ? 'note' : 'FAILED'}: ${problem.file}: ${problem.message}`)
if (verdict.ok) {
  console.log(`verify-report: OK: the envelope, the checkpoint and ${verdict.documents} cited documents with their inclusion proofs check out`)
  if (verdict.keyFrom === 'archive') console.log("verify-report: checked with the archive's own public key; pass --public-key with the server's published key to prove who signed")
}
process.exit(verdict.ok ? 0 : 1)
