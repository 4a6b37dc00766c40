import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusDir, describeWithCorpus } from '../testing/corpus'
import { IngestError } from './errors'
import { prepareDocument } from './ingest'
import { checkPublisher } from './pypi-attestations'
import type { BundleCertificate } from './sigstore/certificate'
import { loadSigstoreTrust } from './sigstore/trust-material'

const DIR = '3-npm-github-attestations/pypi-attestations'
const read = (path: string) => readFileSync(join(corpusDir, path))
const json = (path: string): Record<string, unknown> => JSON.parse(read(path).toString('utf8')) as Record<string, unknown>
const sigstore = () => loadSigstoreTrust([json('2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json')], [])
const ingest = (document: unknown) => {
  const prepared = prepareDocument(Buffer.from(JSON.stringify(document)), { keys: [], now: () => Date.UTC(2026, 0, 1), sigstore: sigstore() })
  return { ...prepared.item.document, subjects: prepared.subjects, build: prepared.item.build }
}

const GITLAB = `${DIR}/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation`
const PROVENANCE = `${DIR}/pypi_attestations-0.0.19.tar.gz.provenance`
const SLSA = `${DIR}/pypi_attestations-0.0.19.tar.gz.slsa.attestation`
const DIST_SHA256 = '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3'

type ProvenanceJson = { attestation_bundles: { publisher: Record<string, unknown>; attestations: unknown[] }[] }

describeWithCorpus('PyPI attestations (PEP 740) from pypi-attestations', () => {
  it('verifies the Integrity API provenance object: every attestation, the publisher as signer, the file as subject', () => {
    const document = ingest(json(PROVENANCE))
    expect(document.format).toBe('pypi-provenance')
    expect(document.verification).toMatchObject({ status: 'verified', failedCheck: null })
    const names = document.verification.checks.map((check) => check.name)
    expect(names).toEqual(expect.arrayContaining(['publish: bundle-signature', 'publish: transparency-log', 'publish: certificate-chain', 'publish: publisher-identity']))
    expect(document.verification.checks.find((check) => check.name === 'publish: publisher-identity')?.expected).toBe('a certificate issued to the GitHub publisher trailofbits/pypi-attestations release.yml')
    expect(document.subjects).toEqual([{ name: 'pypi_attestations-0.0.19.tar.gz', digest: { sha256: DIST_SHA256 } }])
    expect(document.verification.certificate?.repository).toBe('https://github.com/trailofbits/pypi-attestations')
  })

  it('fails publisher-identity when the publisher is another workflow, as pypi-attestations refuses it', () => {
    const provenance = json(PROVENANCE) as ProvenanceJson
    const [bundle] = provenance.attestation_bundles
    if (!bundle) throw new Error('no bundle')
    bundle.publisher = { ...bundle.publisher, workflow: 'wrong.yml' }
    expect(ingest(provenance).verification).toMatchObject({ status: 'failed', failedCheck: 'publish: publisher-identity' })
  })

  it('holds a GitLab attestation to its GitLab publisher: the right CI file verifies, wrong.yml fails', () => {
    const wrap = (workflow_filepath: string) => ({
      version: 1,
      attestation_bundles: [{ publisher: { kind: 'GitLab', repository: 'facutuesca/gitlab-oidc-project', workflow_filepath, environment: null }, attestations: [json(GITLAB)] }],
    })
    expect(ingest(wrap('.gitlab-ci.yml')).verification.status).toBe('verified')
    expect(ingest(wrap('wrong.yml')).verification).toMatchObject({ status: 'failed', failedCheck: 'publish: publisher-identity' })
  })

  it('verifies single attestation objects, and the SLSA one makes a build of the distribution file', () => {
    const gitlab = ingest(json(GITLAB))
    expect(gitlab).toMatchObject({ format: 'pypi-attestation', verification: { status: 'verified' } })
    expect(gitlab.subjects).toEqual([{ name: 'gitlab_oidc_project-0.0.3.tar.gz', digest: { sha256: 'c1ca9b0d85df1606451098233018534497bf584362e10e4a8c21dfaea92c02a8' } }])
    const slsa = ingest(json(SLSA))
    expect(slsa.verification.status).toBe('verified')
    expect(slsa.build?.subjects).toEqual([{ name: 'pypi_attestations-0.0.19.tar.gz', digest: { sha256: DIST_SHA256 } }])
  })

  it('fails bundle-signature when the statement was altered after signing', () => {
    const attestation = json(GITLAB) as { envelope: { statement: string } }
    const statement = Buffer.from(attestation.envelope.statement, 'base64').toString('utf8').replace('c1ca9b0d', 'c1ca9b0e')
    attestation.envelope.statement = Buffer.from(statement).toString('base64')
    expect(ingest(attestation).verification).toMatchObject({ status: 'failed', failedCheck: 'bundle-signature' })
  })
})

describe('PyPI attestation reading', () => {
  it('names the field of a malformed attestation', () => {
    const error = (() => {
      try {
        ingest({ version: 1, verification_material: { certificate: 'AAAA', transparency_entries: [] }, envelope: { statement: 7, signature: 'AAAA' } })
      } catch (caught) {
        return caught
      }
      return null
    })()
    expect(error).toBeInstanceOf(IngestError)
    expect(error).toMatchObject({ code: 'invalid-base64', path: '$.envelope.statement', message: 'read as a PyPI attestation (PEP 740): expected a base64 string, found a number' })
  })

  const certificate = (repository: string, workflowRef: string): BundleCertificate => ({
    subjectAlternativeName: workflowRef,
    issuer: 'https://token.actions.githubusercontent.com',
    repository,
    workflowRef,
    buildConfig: workflowRef,
    ref: null,
    sha: null,
    buildTrigger: null,
    runnerEnvironment: null,
    runInvocation: null,
    repositoryVisibility: null,
    notBefore: '',
    notAfter: '',
    serial: '',
    issuerCN: null,
    issuerDN: '',
  })

  it('matches a GitHub publisher on repository and workflow file, never on a workflow that only ends alike', () => {
    const cert = certificate('https://github.com/o/r', 'https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1')
    expect(checkPublisher({ kind: 'GitHub', repository: 'o/r', workflow: 'release.yml' }, cert).ok).toBe(true)
    expect(checkPublisher({ kind: 'GitHub', repository: 'o/r', workflow: 'lease.yml' }, cert).ok).toBe(false)
    expect(checkPublisher({ kind: 'GitHub', repository: 'o/other', workflow: 'release.yml' }, cert).ok).toBe(false)
    expect(checkPublisher({ kind: 'ActiveState' }, cert)).toMatchObject({ ok: false, notJudged: 'publishers of kind ActiveState are not checked' })
  })
})
