import { describe, expect, it } from 'vitest'
import { describedDigests, purlName, sameBuildTargets, type SbomDescription } from './sbom-links'

const FILE = 'f'.repeat(64)
const sha = (character: string) => ({ sha256: character.repeat(64) })

/** An SBOM that names its component but no digest, as cyclonedx-npm writes one. */
const npmSbom = (name: string | null, purl: string | null = null): SbomDescription => ({ subject: { name, purl, digest: {} }, statementSubjects: [] })

describe('describedDigests', () => {
  it('takes the described component’s digests and the Statement’s subjects, each once', () => {
    const sbom: SbomDescription = {
      subject: { name: 'web', purl: null, digest: { sha256: 'a'.repeat(64), sha512: 'b'.repeat(128) } },
      statementSubjects: [
        { name: 'web.tar.gz', digest: { sha256: 'a'.repeat(64) } },
        { name: 'other', digest: { sha256: 'c'.repeat(64) } },
      ],
    }
    expect(describedDigests(sbom)).toEqual([
      { algorithm: 'sha256', value: 'a'.repeat(64) },
      { algorithm: 'sha512', value: 'b'.repeat(128) },
      { algorithm: 'sha256', value: 'c'.repeat(64) },
    ])
  })
})

describe('purlName', () => {
  it('reads the package name, namespace and version left out, percent-decoded', () => {
    expect(purlName('pkg:npm/%40acme/web@1.2.3')).toBe('web')
    expect(purlName('pkg:golang/github.com/acme/api@v1.0.0?type=module')).toBe('api')
    expect(purlName('pkg:pypi/etl-wheel')).toBe('etl-wheel')
    expect(purlName('pkg:maven/com.acme/ledger@2.0#sub')).toBe('ledger')
    expect(purlName('not a purl')).toBeNull()
  })
})

describe('sameBuildTargets', () => {
  const web = [
    { name: 'web-dist.tar.gz', digest: sha('1') },
    { name: 'web-sbom.cdx.json', digest: { sha256: FILE } },
  ]

  it('links an SBOM written by a build to the artifact carrying its component’s name', () => {
    expect(sameBuildTargets(npmSbom('web', 'pkg:npm/%40acme/web@1.0.0'), FILE, web)).toEqual([web[0]])
  })

  it('matches the package URL’s name when the component’s name does not match', () => {
    const cli = [
      { name: 'cli-linux-amd64', digest: sha('1') },
      { name: 'cli-darwin-arm64', digest: sha('2') },
      { name: 'checksums.txt', digest: sha('3') },
      { name: 'cli.spdx.json', digest: { sha256: FILE } },
    ]
    expect(sameBuildTargets(npmSbom('acme command line', 'pkg:cargo/cli@1.0.0'), FILE, cli)).toEqual([cli[0], cli[1]])
  })

  it('a name matches whole or before a separator, never inside another word', () => {
    const subjects = [
      { name: 'dist/ledger.jar', digest: sha('1') },
      { name: 'ledgerx.jar', digest: sha('2') },
      { name: 'sbom.spdx.json', digest: { sha256: FILE } },
    ]
    expect(sameBuildTargets(npmSbom('ledger'), FILE, subjects)).toEqual([subjects[0]])
  })

  it('links the only other artifact when the name says nothing', () => {
    expect(sameBuildTargets(npmSbom('.'), FILE, web)).toEqual([web[0]])
    expect(sameBuildTargets(npmSbom(null), FILE, web)).toEqual([web[0]])
  })

  it('links nothing when several artifacts could be meant and none carries the name', () => {
    const api = [
      { name: 'api-linux-amd64', digest: sha('1') },
      { name: 'api-linux-arm64', digest: sha('2') },
      { name: 'sbom.cdx.json', digest: { sha256: FILE } },
    ]
    expect(sameBuildTargets(npmSbom('server'), FILE, api)).toEqual([])
  })

  it('never counts another SBOM file, or a subject without a digest, as described', () => {
    const subjects = [
      { name: 'web-dist.tar.gz', digest: sha('1') },
      { name: 'web.spdx.json', digest: sha('2') },
      { name: 'notes', digest: {} },
      { name: 'web-sbom.cdx.json', digest: { sha256: FILE } },
    ]
    expect(sameBuildTargets(npmSbom(null), FILE, subjects)).toEqual([subjects[0]])
  })

  it('links nothing when the SBOM file is not among the build’s subjects', () => {
    expect(sameBuildTargets(npmSbom('web'), 'e'.repeat(64), web)).toEqual([])
  })

  it('takes an SBOM that names a digest at its word, never linking it through its build', () => {
    const described: SbomDescription = { subject: { name: 'web', purl: null, digest: sha('9') }, statementSubjects: [] }
    expect(sameBuildTargets(described, FILE, web)).toEqual([])
    const attested: SbomDescription = { subject: { name: 'web', purl: null, digest: {} }, statementSubjects: [{ name: 'web-dist.tar.gz', digest: sha('1') }] }
    expect(sameBuildTargets(attested, FILE, web)).toEqual([])
  })
})
