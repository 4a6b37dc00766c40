import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { IngestResponse } from '../src/contract/attestations'
import { ApiErrorBody } from '../src/contract/common'
import { createApp } from './app'
import { buildConfig } from './config'
import { corpusDir, corpusFiles, describeWithCorpus } from './testing/corpus'
import { tempStore } from './testing/documents'
import type { Store } from './store/types'

/**
 * Every file of ../shared/corpus, posted to POST /api/v1/attestations of a server whose config holds the trust
 * material the corpus ships (its trusted roots, the npm registry key and the published signer keys). What each
 * must give: a status per document, and for failures the first failing check. Files that are not documents
 * (keys, READMEs, CI payloads for other endpoints) must be refused with a 4xx that says what was wrong.
 */
type Expected = { documents: [status: string, failedCheck?: string][] } | { refused: number; code: string }

const expected: Record<string, Expected> = {
  '1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel': { refused: 400, code: 'invalid-json' },
  '1-slsa-provenance/slsa-verifier/bcr/MODULE.bazel.intoto.jsonl': { documents: [['verified']] },
  '1-slsa-provenance/slsa-verifier/gha_bundle/mismatch-tlog.intoto.sigstore': { documents: [['failed', 'transparency-log']] },
  '1-slsa-provenance/slsa-verifier/gha_bundle/valid-v0.3.intoto.sigstore': { documents: [['verified']] },
  // A bare envelope whose Rekor entry a verifier must fetch online; offline, the missing evidence is named.
  '1-slsa-provenance/slsa-verifier/gha_generic/v1.10.0/binary-linux-amd64-workflow_dispatch.intoto.jsonl': { documents: [['unverifiable']] },
  '2-dsse-sigstore-bundles/sigstore-conformance/a.txt': { refused: 400, code: 'invalid-json' },
  '2-dsse-sigstore-bundles/sigstore-conformance/dsse-invalid-sig_fail/README': { refused: 400, code: 'invalid-json' },
  '2-dsse-sigstore-bundles/sigstore-conformance/dsse-invalid-sig_fail/bundle.sigstore.json': { documents: [['failed', 'bundle-signature']] },
  '2-dsse-sigstore-bundles/sigstore-conformance/happy-path-v0.3/README': { refused: 400, code: 'invalid-json' },
  '2-dsse-sigstore-bundles/sigstore-conformance/happy-path-v0.3/bundle.sigstore.json': { documents: [['verified']] },
  '2-dsse-sigstore-bundles/sigstore-conformance/statement.json': { documents: [['unsigned']] },
  '2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json': { refused: 422, code: 'unsupported-format' },
  '2-dsse-sigstore-bundles/sigstore-js/bundleV01-dsse-with-proof.sigstore': { documents: [['verified']] },
  '2-dsse-sigstore-bundles/sigstore-js/bundleV02-dsse.sigstore': { documents: [['verified']] },
  '2-dsse-sigstore-bundles/sigstore-js/bundleV03-dsse.sigstore': { documents: [['verified']] },
  '2-dsse-sigstore-bundles/sigstore-js/statement.json': { documents: [['unsigned']] },
  '3-npm-github-attestations/github-gh-cli/sigstore-js-2.1.0_with_2_bundles.jsonl': { documents: [['verified'], ['verified']] },
  '3-npm-github-attestations/github-gh-cli/trusted_root.json': { refused: 422, code: 'unsupported-format' },
  '3-npm-github-attestations/npm-registry/npm-attestations.intoto.sigstore': { documents: [['verified']] },
  '3-npm-github-attestations/npm-registry/npm-sigstore-tuf-keys.json': { refused: 422, code: 'unsupported-format' },
  '3-npm-github-attestations/npm-registry/provenance-npm-test-cli-v1-prega-invalidsigprov.tgz.json': { documents: [['failed', 'provenance: bundle-signature']] },
  '3-npm-github-attestations/npm-registry/provenance-npm-test-cli-v1-prega.tgz.json': { documents: [['verified']] },
  // Rekor proposed entries are requests to a log, not attestations.
  '4-rekor/rekor-proposed-entries/dsse.json': { refused: 422, code: 'unsupported-format' },
  '4-rekor/rekor-proposed-entries/hashedrekord.json': { refused: 422, code: 'unsupported-format' },
  '4-rekor/rekor-proposed-entries/intoto.json': { refused: 422, code: 'unsupported-format' },
  '4-rekor/sigstore-java/checkpoints/valid.txt': { refused: 400, code: 'invalid-json' },
  '4-rekor/sigstore-java/rekor-response/valid/entry.json': { refused: 422, code: 'unsupported-format' },
  '4-rekor/sigstore-java/rekor-response/valid/rekor.pub': { refused: 400, code: 'invalid-json' },
  // CI payloads belong to the webhook and telemetry endpoints.
  '5-github-actions/octokit-webhooks/workflow_job/completed.success.with-organization.payload.json': { refused: 422, code: 'unsupported-format' },
  '5-github-actions/octokit-webhooks/workflow_run/completed.payload.json': { refused: 422, code: 'unsupported-format' },
  '5-github-actions/pygithub-replay/extracted/WorkflowRun.setUp__repos_PyGithub_PyGithub_actions_runs_3881497935.json': { refused: 422, code: 'unsupported-format' },
  '5-github-actions/pygithub-replay/extracted/WorkflowRun.test_jobs__repos_PyGithub_PyGithub_actions_runs_3881497935_jobs.json': { refused: 422, code: 'unsupported-format' },
  '5-github-actions/pygithub-replay/extracted/WorkflowRun.test_timing__repos_PyGithub_PyGithub_actions_runs_3881497935_timing.json': { refused: 422, code: 'unsupported-format' },
  '6-reproducible-builds/diffoscope/output.json': { documents: [['unsigned']] },
  // rebuilderd publishes its signing key elsewhere; the corpus does not carry it.
  '6-reproducible-builds/rebuilderd/rebuild-spytrap-adb_0.3.5-1_amd64.link.json': { documents: [['untrusted']] },
  '6-reproducible-builds/rebuilderd/rebuilderd-v1.yml': { refused: 400, code: 'invalid-json' },
  '7-intoto-vsa-witness-tekton/in-toto-demo/bob.pub': { refused: 400, code: 'invalid-json' },
  '7-intoto-vsa-witness-tekton/in-toto-demo/carl.pub': { refused: 400, code: 'invalid-json' },
  '7-intoto-vsa-witness-tekton/in-toto-demo/demo.layout.template': { refused: 422, code: 'unsupported-format' },
  '7-intoto-vsa-witness-tekton/in-toto-demo/package.2f89b927.link': { documents: [['verified']] },
  '7-intoto-vsa-witness-tekton/in-toto-demo/write-code.776a00e2.link': { documents: [['verified']] },
  '7-intoto-vsa-witness-tekton/tekton-chains/tekton-chains-signer.pub': { refused: 400, code: 'invalid-json' },
  '7-intoto-vsa-witness-tekton/tekton-chains/tekton-chains-taskrun.dsse.json': { documents: [['verified']] },
  '7-intoto-vsa-witness-tekton/vsa/gke-gce-pre.bcid-vsa.jsonl': { documents: [['verified']] },
  '7-intoto-vsa-witness-tekton/vsa/vsa_signing_public_key.pem': { refused: 400, code: 'invalid-json' },
  '8-otel-cicd/semconv/registry.yaml': { refused: 400, code: 'invalid-json' },
  '8-otel-cicd/workflow-job-expected.yaml': { refused: 400, code: 'invalid-json' },
  '8-otel-cicd/workflow-run-expected.yaml': { refused: 400, code: 'invalid-json' },
  '9-sbom/cyclonedx-bom-examples/bom.json': { documents: [['unsigned']] },
  '9-sbom/syft-real/alpine.cyclonedx.json': { documents: [['unsigned']] },
  '9-sbom/syft-real/alpine.spdx-2-3.json': { documents: [['unsigned']] },
}

/** SOURCES.md's EXPECT PASS / EXPECT FAIL, by file: the upstream projects' own verdicts. */
function upstreamVerdicts(): Map<string, 'PASS' | 'FAIL'> {
  const verdicts = new Map<string, 'PASS' | 'FAIL'>()
  let section = ''
  for (const line of readFileSync(join(corpusDir, 'SOURCES.md'), 'utf8').split('\n')) {
    const heading = /^## (\S+)/.exec(line)
    if (heading?.[1]) section = heading[1]
    const row = /^\| `([^`]+)` \|.*EXPECT (PASS|FAIL)/.exec(line)
    if (row?.[1] && row[2]) verdicts.set(`${section}/${row[1]}`, row[2] as 'PASS' | 'FAIL')
  }
  return verdicts
}

const read = (path: string) => readFileSync(join(corpusDir, path), 'utf8')

describeWithCorpus('conformance: every corpus file through POST /api/v1/attestations', () => {
  let store: Store
  let dispose: () => Promise<void>
  let app: ReturnType<typeof createApp>
  beforeAll(async () => {
    ;({ store, dispose } = await tempStore())
    const key = (id: string, path: string) => ({ id, publicKeyPem: read(path) })
    const config = buildConfig(
      {
        trust: {
          keys: [
            key('tekton-chains', '7-intoto-vsa-witness-tekton/tekton-chains/tekton-chains-signer.pub'),
            key('bcid-vsa', '7-intoto-vsa-witness-tekton/vsa/vsa_signing_public_key.pem'),
            key('bob', '7-intoto-vsa-witness-tekton/in-toto-demo/bob.pub'),
            key('carl', '7-intoto-vsa-witness-tekton/in-toto-demo/carl.pub'),
          ],
          trustedRoots: ['2-dsse-sigstore-bundles/sigstore-go/trusted-root-public-good.json', '3-npm-github-attestations/github-gh-cli/trusted_root.json'],
          npmRegistryKeys: '3-npm-github-attestations/npm-registry/npm-sigstore-tuf-keys.json',
        },
        tokens: [{ name: 'ci', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08', scopes: ['ingest'] }],
      },
      'conformance config',
      corpusDir,
    )
    app = createApp({ store, config, version: 't', demo: false })
  })
  afterAll(async () => dispose())

  it('has an expectation for every corpus file, agreeing with SOURCES.md', () => {
    const files = corpusFiles().map((file) => file.name).filter((name) => name !== 'SOURCES.md')
    expect(files.filter((name) => !(name in expected))).toEqual([])
    for (const [file, verdict] of upstreamVerdicts()) {
      const mine = expected[file]
      expect(mine, file).toBeDefined()
      if (mine && 'documents' in mine) {
        const statuses = mine.documents.map(([status]) => status)
        // PASS: verified, or, where the evidence is online only, unverifiable naming what is missing.
        if (verdict === 'PASS') expect(statuses.every((status) => status === 'verified' || status === 'unverifiable'), file).toBe(true)
        else expect(statuses, file).toContain('failed')
      }
    }
  })

  for (const [file, outcome] of Object.entries(expected)) {
    it(`${file}`, async () => {
      const body = readFileSync(join(corpusDir, file))
      const response = await app.request('/api/v1/attestations', {
        method: 'POST',
        body,
        headers: { authorization: 'Bearer test', 'content-type': /\.jsonl$/.test(file) ? 'application/x-ndjson' : 'application/json' },
      })
      if ('refused' in outcome) {
        expect(response.status).toBe(outcome.refused)
        const error = ApiErrorBody.parse(await response.json()).error
        expect(error.code).toBe(outcome.code)
        expect(error.message.length).toBeGreaterThan(10)
        return
      }
      expect([200, 201]).toContain(response.status)
      const result = IngestResponse.parse(await response.json())
      expect(result.errors).toEqual([])
      expect(result.documents.map((document) => [document.verification.status, ...(document.verification.failedCheck ? [document.verification.failedCheck] : [])])).toEqual(outcome.documents)
    })
  }
})
