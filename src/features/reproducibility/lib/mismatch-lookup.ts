import type { RebuilderMatrix } from '../../../contract/reproducibility'
import type { Rebuild } from '../../../contract/rebuilds'

export type MismatchTarget = { digest: string; rebuildId: string; time: string }

/**
 * A mismatching rebuild finished in [start, end), newest first: from the matrix's cells, else the project's last
 * mismatch. Null when neither knows one (the matrix holds only the latest verdicts of recent artifacts).
 */
export function findMismatch(matrix: RebuilderMatrix | undefined, lastMismatch: Rebuild | null, start: number, end: number): MismatchTarget | null {
  let best: MismatchTarget | null = null
  for (const artifact of matrix?.artifacts ?? []) {
    for (const cell of artifact.cells) {
      if (cell?.verdict !== 'mismatch') continue
      const time = Date.parse(cell.time)
      if (time < start || time >= end) continue
      if (best === null || cell.time > best.time) best = { digest: artifact.digest, rebuildId: cell.rebuildId, time: cell.time }
    }
  }
  if (best) return best
  if (lastMismatch) {
    const time = Date.parse(lastMismatch.time)
    const sha256 = lastMismatch.artifact.digest.sha256
    if (time >= start && time < end && sha256 !== undefined) return { digest: `sha256:${sha256}`, rebuildId: lastMismatch.id, time: lastMismatch.time }
  }
  return null
}
