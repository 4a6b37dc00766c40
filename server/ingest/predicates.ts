import type { DocumentExtras } from '../store/types'
import { isRebuildPredicate, readRebuildStatement } from './rebuild'
import { CYCLONEDX_PREDICATE, readSbomPredicate, SPDX_PREDICATE } from './sbom'
import type { Statement } from './statement'
import { isVsa, readVsa } from './vsa'

/**
 * Facts a Statement's predicate carries beyond SLSA provenance (which makes a build elsewhere): an SBOM, a
 * verification summary, a rebuild verdict. `base` is where the Statement sits in the submitted document, so
 * error paths point into what was sent. Undefined for predicates with nothing more to keep.
 */
export function statementExtras(statement: Statement, base: string): DocumentExtras | undefined {
  const type = statement.predicateType
  if (type === null) return undefined
  if (CYCLONEDX_PREDICATE.test(type) || SPDX_PREDICATE.test(type)) {
    return { sbom: readSbomPredicate(type, statement.predicate, `${base}.predicate`, statement.subjects) }
  }
  if (isVsa(type)) return { vsa: readVsa(statement, base) }
  if (isRebuildPredicate(type)) return { rebuilds: [readRebuildStatement(statement, base)] }
  return undefined
}
