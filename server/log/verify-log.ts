import { createHash } from 'node:crypto'
import type { Store } from '../store/types'
import { openCheckpoint, type LogKey } from './checkpoint'
import { appendLeaf, emptyRange, leafHash, rootOf } from './merkle'

export type LogProblem = {
  kind: 'changed' | 'removed' | 'inserted' | 'checkpoint-forged' | 'checkpoint-mismatch' | 'truncated'
  message: string
}

export type LogReport = {
  size: number
  rootHash: string
  checkpointsChecked: number
  problems: LogProblem[]
}

/**
 * Recomputes the log from the stored documents and checks it against every signed checkpoint. Each entry's
 * leaf is computed from its bytes, not from its stored id, so a changed document cannot hide behind an
 * unchanged id, and a consistently rewritten one still breaks every checkpoint after it.
 */
export async function verifyLog(store: Store, key: Pick<LogKey, 'name' | 'publicKey' | 'keyHash'>): Promise<LogReport> {
  const problems: LogProblem[] = []
  const checkpoints: { size: number; rootHash: string }[] = []
  for (const stored of await store.log.checkpoints()) {
    const opened = openCheckpoint(stored.note, key)
    if (!opened) {
      problems.push({ kind: 'checkpoint-forged', message: `the checkpoint at size ${stored.size} is not signed by the log key ${key.name}` })
    } else if (opened.size !== stored.size || opened.rootHash.toString('hex') !== stored.rootHash) {
      problems.push({ kind: 'checkpoint-forged', message: `the checkpoint row at size ${stored.size} does not match its own signed note` })
    } else {
      checkpoints.push({ size: opened.size, rootHash: opened.rootHash.toString('hex') })
    }
  }

  let range = emptyRange()
  let next = 0
  let checkpointAt = 0
  let lastGood = 0
  let mismatches = 0
  const checkRoot = () => {
    while (checkpoints[checkpointAt] && checkpoints[checkpointAt]!.size < range.size) checkpointAt++
    const checkpoint = checkpoints[checkpointAt]
    if (!checkpoint || checkpoint.size !== range.size) return
    checkpointAt++
    if (rootOf(range).toString('hex') === checkpoint.rootHash) {
      lastGood = range.size
      return
    }
    if (mismatches++ === 0) {
      problems.push({
        kind: 'checkpoint-mismatch',
        message: `the first ${range.size} entries do not hash to the root signed at size ${range.size}: an entry at index ${lastGood} to ${range.size - 1} was changed, inserted or removed`,
      })
    }
  }

  for (;;) {
    const page = await store.log.entries(next, 2000)
    if (page.length === 0) break
    for (const entry of page) {
      if (entry.index > next) {
        problems.push({ kind: 'removed', message: `entries ${next}${entry.index - 1 > next ? ` to ${entry.index - 1}` : ''} are missing from the record` })
      }
      const digest = createHash('sha256').update(entry.raw).digest('hex')
      if (digest !== entry.id) {
        problems.push({ kind: 'changed', message: `entry ${entry.index} (document ${entry.id}) was changed: its bytes now hash to ${digest}` })
      }
      // A removed entry leaves a gap: the tree goes on from the entries that are there, and the checkpoints say the rest.
      range = appendLeaf(range, leafHash(Buffer.from(digest, 'hex')))
      next = entry.index + 1
      checkRoot()
    }
  }
  if (mismatches > 1) problems.push({ kind: 'checkpoint-mismatch', message: `${mismatches - 1} later checkpoints do not match either` })

  const latest = checkpoints.at(-1)
  if (latest && latest.size > range.size) {
    problems.push({ kind: 'truncated', message: `the log was signed at size ${latest.size}, but only ${range.size} entries are stored: entries were removed from the end` })
  }
  const unlogged = await store.log.countUnlogged()
  if (unlogged > 0) problems.push({ kind: 'inserted', message: `${unlogged} documents are stored outside the log: they were inserted behind its back` })
  return { size: range.size, rootHash: rootOf(range).toString('hex'), checkpointsChecked: checkpoints.length, problems }
}
