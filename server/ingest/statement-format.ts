import type { FormatHandler } from './format'
import { readStatementExtras } from './predicates'
import { readStatement, STATEMENT_TYPE_PREFIX } from './statement'
import { FIELDS_IGNORED, unsignedVerification, withTolerated } from './verify'

/**
 * A bare in-toto Statement, outside any envelope: what `slsa-github-generator` writes before signing, or
 * what a tool that does not sign uploads. Its facts are kept (SLSA provenance still makes a build) and it is
 * marked unsigned.
 */
export const statementFormat: FormatHandler = {
  name: 'in-toto-statement',
  label: 'an in-toto Statement',
  detect: (value) => typeof value._type === 'string' && value._type.startsWith(STATEMENT_TYPE_PREFIX),
  read(value) {
    const statement = readStatement(value, '$')
    const { extras, tolerated } = readStatementExtras(statement, '$')
    return {
      format: 'in-toto-statement',
      payloadType: null,
      statement,
      verification: withTolerated(unsignedVerification('a bare in-toto Statement'), FIELDS_IGNORED, tolerated),
      ...(extras ? { extras } : {}),
    }
  },
}
