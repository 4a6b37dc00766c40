import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { demoBuilds } from './model'
import { demoBom, demoBomFile, demoSbomFacts, demoSbomProjects, demoSbomStatement } from './sboms'

const builds = demoBuilds(200)
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

describe('demo SBOMs', () => {
  it('are written by the builds of the projects that ship one, their file listed with the SHA-256 of its bytes', () => {
    const writers = builds.filter((build) => demoSbomStatement(build) !== null)
    expect(writers.length).toBeGreaterThan(10)
    for (const build of builds) {
      const settings = demoSbomProjects.find((project) => project.project === build.project)
      expect(demoSbomStatement(build) !== null).toBe(settings !== undefined)
      if (settings === undefined) continue
      expect(build.artifacts.find((artifact) => artifact.name === settings.file)?.sha256).toBe(sha256(demoBomFile(build) ?? ''))
    }
  })

  it('attest the artifact the BOM describes, with the BOM as the predicate, as actions/attest-sbom does', () => {
    const build = builds.find((candidate) => demoSbomStatement(candidate) !== null)
    if (build === undefined) throw new Error('a demo build writes an SBOM')
    const statement = demoSbomStatement(build)
    const described = build.artifacts.find((artifact) => artifact.name === 'web-dist.tar.gz')
    expect(statement).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'web-dist.tar.gz', digest: { sha256: described?.sha256 } }],
      predicateType: 'https://cyclonedx.org/bom',
      predicate: demoBom(build),
    })
    expect(demoSbomFacts(build)).toMatchObject({ componentCount: (demoBom(build)?.components as unknown[]).length, subject: { name: 'web', digest: {} } })
  })

  it('are not attested for a build that lists another digest for the BOM file', () => {
    const build = builds.find((candidate) => demoSbomStatement(candidate) !== null)
    if (build === undefined) throw new Error('a demo build writes an SBOM')
    const altered = { ...build, artifacts: build.artifacts.map((artifact) => (artifact.name === 'web-sbom.cdx.json' ? { ...artifact, sha256: '0'.repeat(64) } : artifact)) }
    expect(demoSbomStatement(altered)).toBeNull()
    expect(demoSbomFacts(altered)).toBeNull()
  })

  it('grow with the project, and depend on their build alone', () => {
    const writers = builds.filter((build) => demoSbomStatement(build) !== null)
    const first = demoSbomFacts(writers[0] ?? builds[0]!)
    const last = demoSbomFacts(writers.at(-1) ?? builds[0]!)
    expect(last?.componentCount).toBeGreaterThanOrEqual(first?.componentCount ?? Infinity)
    expect(demoBuilds(200).map((build) => demoBomFile(build))).toEqual(builds.map((build) => demoBomFile(build)))
  })
})
