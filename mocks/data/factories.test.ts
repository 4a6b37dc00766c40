import { describe, expect, it } from 'vitest'
import { BuildDetail } from '../../src/contract/builds'
import { createDemoDb } from './demo-db'
import { DEMO_END, demoBuilds } from '../../demo/model'
import { demoBuildDocument } from './documents'
import { demoBuildDetail } from './factories'

describe('demo factories', () => {
  const builds = demoBuilds(200)

  it('derive status from how the demo signed each build', () => {
    for (const build of builds) {
      const detail = demoBuildDetail(build)
      const expected = { trusted: 'verified', 'unknown-key': 'untrusted', 'broken-signature': 'failed' }[build.signing]
      expect(detail.status).toBe(expected)
      expect(detail.verification.status).toBe(expected)
      if (build.signing === 'broken-signature') {
        expect(detail.failedCheck).toBe('envelope-signature')
        const check = detail.verification.checks.find((candidate) => candidate.name === 'envelope-signature')
        expect(check).toMatchObject({ ok: false })
        expect(check?.expected).toBeTruthy()
        expect(check?.actual).toBeTruthy()
      } else {
        expect(detail.failedCheck).toBeNull()
      }
      if (build.signing === 'unknown-key') {
        // A key nobody trusts: its signature is never checked, and both the signature and the trust check say so.
        expect(detail.verification.checks.find((check) => check.name === 'envelope-signature')).toMatchObject({ ok: false, notJudged: expect.stringContaining('could not be checked') })
        expect(detail.verification.checks.find((check) => check.name === 'signer-trusted')?.ok).toBe(false)
        expect(detail.verification.signers[0]?.trustedKeyId).toBeNull()
      }
    }
  })

  it('produce responses the contract accepts, with the demo facts in them', () => {
    const [build] = builds
    if (!build) throw new Error('no demo build')
    const detail = BuildDetail.parse(demoBuildDetail(build))
    expect(detail.subjects.map((subject) => subject.digest.sha256)).toEqual(build.artifacts.map((artifact) => artifact.sha256))
    expect(detail.sourceCommit).toBe(build.commit)
    const statement: unknown = JSON.parse(detail.statement)
    expect(statement).toHaveProperty(['subject', 0, 'name'], build.artifacts[0]?.name)
  })

  it('give every build a distinct, stable id: the SHA-256 of its signed document', () => {
    const ids = new Set(builds.map((build) => demoBuildDetail(build).id))
    expect(ids.size).toBe(builds.length)
    const [build] = builds
    if (!build) throw new Error('no demo build')
    expect(demoBuildDocument(build).id).toBe(demoBuildDocument(build).id)
    expect(demoBuildDetail(build).document.sha256).toBe(demoBuildDetail(build).id)
  })

  it('page through builds newest first without gaps or repeats', () => {
    const db = createDemoDb(builds)
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = db.listBuilds({ project: undefined, repo: undefined, limit: 30, cursor })
      if ('error' in page) throw new Error(page.error)
      seen.push(...page.items.map((item) => item.time))
      cursor = page.nextCursor ?? undefined
    } while (cursor)
    expect(seen).toHaveLength(builds.length)
    expect([...seen].sort().reverse()).toEqual(seen)
  })
})

describe('artifact, signature, reproducibility and search factories', () => {
  it('answer every artifact, signature, reproducibility and search query with responses the contract accepts', async () => {
    const { demoIndex } = await import('./demo-index')
    const { demoReproducibilitySummary, demoHistory, demoMatrix } = await import('./reproducibility')
    const { demoArtifact } = await import('./artifacts')
    const { demoSearch } = await import('./search')
    const { demoSignatures } = await import('./signatures')
    const index = demoIndex()
    const summary = demoReproducibilitySummary(index)
    expect(summary.items.length).toBeGreaterThanOrEqual(5)
    const project = summary.items[0]!.project
    const history = demoHistory(index, { project, bucket: 'auto' }, DEMO_END)
    expect('buckets' in history && history.buckets.length).toBeGreaterThanOrEqual(30)
    const twoYears = demoHistory(index, { project, bucket: 'auto', from: '2024-11-27T00:00:00Z', to: '2026-11-28T00:00:00Z' }, DEMO_END)
    expect('bucket' in twoYears && twoYears.bucket).toBe('week')
    const matrix = demoMatrix(index, { project, limit: 30 })
    for (const row of matrix.artifacts) expect(row.cells).toHaveLength(matrix.rebuilders.length)
    const mismatch = index.rebuilds.find((entry) => entry.facts.verdict === 'mismatch')!.rebuild()
    const artifact = demoArtifact(index, mismatch.artifact.digest.sha256!)
    expect(artifact?.rebuilds.some((rebuild) => rebuild.id === mismatch.id)).toBe(true)
    expect(demoSearch(index, mismatch.artifact.digest.sha256!.slice(0, 12)).results[0]?.target).toEqual({ type: 'artifact', digest: `sha256:${mismatch.artifact.digest.sha256}` })
    const page = demoSignatures(index, { project: undefined, signer: undefined, limit: 10 })
    expect('items' in page && page.items).toHaveLength(10)
  })
})
