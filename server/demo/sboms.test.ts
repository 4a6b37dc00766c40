import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { demoBuilds } from '../../demo/model'
import { demoBomFile, demoSbomFacts, demoSbomProjects, demoSbomStatement } from '../../demo/sboms'
import { SignatureQuery } from '../../src/contract/signatures'
import type { Store } from '../store/types'
import { tempStore } from '../testing/documents'
import { demoConfig, seedDemo } from './seed'

/*
 * The demo's SBOMs as the seed signs and ingests them, against the demo's facts (which the mocks answer with;
 * e2e/mock-parity.spec.ts compares the two APIs whole).
 */

const iso = (ms: number) => new Date(ms).toISOString()

const COUNT = 60
const builds = demoBuilds(COUNT)
const writers = builds.filter((build) => demoSbomStatement(build) !== null)

let store: Store
let dispose: () => Promise<void>

beforeAll(async () => {
  ;({ store, dispose } = await tempStore())
  await seedDemo(store, demoConfig(), COUNT)
}, 60_000)

afterAll(async () => dispose())

describe('the demo’s SBOMs', () => {
  it('are written by the builds of the projects that ship one, their file listed with the digest of its bytes', () => {
    expect(writers.length).toBeGreaterThan(0)
    expect(new Set(writers.map((build) => build.project))).toEqual(new Set(demoSbomProjects.map((project) => project.project)))
    for (const build of writers) {
      const settings = demoSbomProjects.find((project) => project.project === build.project)
      const file = build.artifacts.find((artifact) => artifact.name === settings?.file)
      expect(file?.sha256).toBe(createHash('sha256').update(demoBomFile(build) ?? '').digest('hex'))
    }
  })

  it('show on the page of the artifact each describes, signed by the release key, as the mocks show them', async () => {
    for (const build of writers) {
      const described = build.artifacts.find((artifact) => artifact.name === demoSbomProjects.find((project) => project.project === build.project)?.describes)
      const found = await store.artifacts.get(`sha256:${described?.sha256 ?? ''}`)
      if (found.kind !== 'found') throw new Error(`build ${build.index}'s artifact is not found`)
      const { sbom } = found.artifact
      const facts = demoSbomFacts(build)
      if (facts === null) throw new Error(`build ${build.index} wrote an SBOM`)
      const { createdAt, ...rest } = facts
      // What the server read from the signed Statement is what the demo (and so the mocks) says it wrote.
      expect(sbom).toMatchObject({ ...rest, createdAt: iso(createdAt), format: 'dsse', status: 'verified', viaBuild: null })
      expect(sbom?.statementSubjects).toEqual([{ name: described?.name, digest: { sha256: described?.sha256 } }])
      expect(sbom?.componentCount).toBeGreaterThan(20)
      expect(found.artifact.attestations.map((attestation) => attestation.documentId)).toContain(sbom?.documentId)
    }
  })

  it('are listed among the signatures, filed under their project and timed when the SBOM was made', async () => {
    const project = writers[0]?.project ?? ''
    const page = await store.signatures.list(SignatureQuery.parse({ project, limit: 500 }))
    for (const build of writers) {
      const found = await store.artifacts.get(`sha256:${demoSbomFacts(build)?.statementSubjects[0]?.digest.sha256 ?? ''}`)
      const documentId = found.kind === 'found' ? found.artifact.sbom?.documentId : undefined
      const row = page.items.find((item) => item.documentId === documentId)
      expect(row).toMatchObject({
        project,
        signer: 'demo-release-ed25519',
        status: 'verified',
        buildId: null,
        subjects: demoSbomFacts(build)?.statementSubjects,
        signedAt: iso(demoSbomFacts(build)?.createdAt ?? 0),
      })
    }
  })
})
