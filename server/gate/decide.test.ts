import { describe, expect, it } from 'vitest'
import { Policy } from '../../src/contract/policy'
import { judgeArtifact, severitiesAtOrAbove } from './decide'

/* The gate's rules on their own: what blocks, and what each reason says and links to. */

const policy = Policy.parse({ name: 'release', repositories: ['**'], builders: ['https://ci.example/*'] })
const digest = `sha256:${'d'.repeat(64)}`

describe('judgeArtifact', () => {
  it('takes the severities at or above the floor, most severe first', () => {
    expect(severitiesAtOrAbove('critical')).toEqual(['critical'])
    expect(severitiesAtOrAbove('medium')).toEqual(['critical', 'high', 'medium'])
  })

  it('denies on an open alert, linking to it, and on a builder the policy does not allow', () => {
    const reasons = judgeArtifact(digest, null, policy, { minRebuildersAgree: 0, blockOnAlertsAtOrAbove: 'high' }, [{ id: 'a'.repeat(24), severity: 'critical', title: 'new host contacted' }])
    expect(reasons.map((reason) => [reason.rule, reason.ok, reason.actual, reason.evidence])).toEqual([
      ['provenance-verified', false, 'no stored provenance lists the artifact', [`/api/v1/artifacts/${digest}`]],
      ['builder-allowed', false, 'no build', []],
      ['no-blocking-alerts', false, 'critical: new host contacted', [`/api/v1/alerts/${'a'.repeat(24)}`]],
    ])
  })
})
