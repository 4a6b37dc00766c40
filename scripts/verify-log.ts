/**
 * `npm run verify-log`: recomputes the tamper-evident log from the store (DATA_DIR / DATABASE_URL, as the
 * server) and checks it against every signed checkpoint. Exit 0 when intact; 1 with each problem otherwise.
 * `--public-key FILE` checks against a copy of the log's public key kept elsewhere (an auditor's), instead of
 * the key in DATA_DIR.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { logName, verifierKey } from '../server/log/checkpoint'
import { verifyLog } from '../server/log/verify-log'
import { openStore } from '../server/store/store'

const { values } = parseArgs({ options: { 'public-key': { type: 'string' } } })
const dataDir = process.env.DATA_DIR || './data'
// Servers sharing a database sign with one key file named by LOG_KEY_FILE (docs/deploy.md).
const keyPath = process.env.LOG_KEY_FILE || join(dataDir, 'log-signing-key.pem')
const publicKeyPath = values['public-key']
if (!publicKeyPath && !existsSync(keyPath)) {
  console.error(`verify-log: no log key at ${keyPath}; set DATA_DIR to the server's data folder (or LOG_KEY_FILE to its key), or pass --public-key FILE`)
  process.exit(2)
}
const publicKey = publicKeyPath ? createPublicKey(readFileSync(publicKeyPath)) : createPublicKey(createPrivateKey(readFileSync(keyPath)))
const databaseUrl = process.env.DATABASE_URL || undefined
// catchUpLog off: documents slipped in behind the log's back must be reported, not quietly appended.
// checkLogKey off: a checkpoint signed by another key is a finding to report below, not a reason to stop.
const store = await openStore({ dataDir, ...(databaseUrl ? { databaseUrl } : {}), catchUpLog: false, checkLogKey: false })
// The log's name follows from its public key, so the key file alone says which log to expect.
const report = await verifyLog(store, verifierKey(logName(publicKey), publicKey))
await store.close()

if (report.problems.length === 0) {
  console.log(`log verified: ${report.size} entries, root ${report.rootHash}, ${report.checkpointsChecked} signed checkpoints match`)
} else {
  console.log(`log NOT intact (${report.size} entries recomputed, ${report.checkpointsChecked} valid checkpoints):`)
  for (const problem of report.problems) console.log(`  ${problem.kind}: ${problem.message}`)
  process.exitCode = 1
}
