import { describe, expect, it } from 'vitest'
import { evidenceLink } from './gate-evidence'

const digest = `sha256:${'d'.repeat(64)}`
const id = '0123456789abcdef'.repeat(4)

describe('evidenceLink', () => {
  it('opens builds, artifacts and alerts on their pages and downloads a stored document', () => {
    expect(evidenceLink(`/api/v1/builds/${id}`, digest)).toEqual({ href: `/builds/${id}`, label: 'build 0123456789ab', download: false })
    expect(evidenceLink(`/api/v1/artifacts/${digest}`, digest)).toEqual({ href: `/artifacts/${digest}`, label: 'this artifact', download: false })
    expect(evidenceLink(`/api/v1/alerts/${id}`, digest)).toMatchObject({ href: `/alerts/${id}`, label: 'alert 0123456789ab' })
    expect(evidenceLink(`/api/v1/documents/${id}`, digest)).toEqual({ href: `/api/v1/documents/${id}`, label: 'document 0123456789ab', download: true })
  })

  it('points rebuilds of the page’s artifact at its Rebuilds section, and anything else at the API answer', () => {
    expect(evidenceLink(`/api/v1/rebuilds?artifactDigest=${digest}`, digest)).toEqual({ href: '#rebuilds', label: 'rebuilds of this artifact', download: false })
    const other = `/api/v1/rebuilds?artifactDigest=sha256:${'e'.repeat(64)}`
    expect(evidenceLink(other, digest)).toEqual({ href: other, label: other, download: false })
    expect(evidenceLink(`/api/v1/deployments?digest=${digest}`, digest).href).toBe(`/api/v1/deployments?digest=${digest}`)
  })
})
