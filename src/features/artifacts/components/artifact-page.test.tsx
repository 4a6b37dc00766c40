import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { demoArtifact } from '../../../../mocks/data/artifacts'
import { demoIndex } from '../../../../mocks/data/demo-index'
import { server } from '../../../../mocks/node'
import { scenarios } from '../../../../mocks/scenarios'
import { renderApp } from '../../../test/render-app'

function digestOf(status: 'failed' | 'verified', project?: string): string {
  // A failed build here is one whose signature failed (the demo also has builds failed by policy, e.g. a builder change).
  const build = demoDb().summaries.find((summary) => summary.status === status && (status !== 'failed' || summary.failedCheck === 'envelope-signature') && (project === undefined || summary.project === project))
  const sha256 = build?.subjects[0]?.digest.sha256
  if (!sha256) throw new Error(`no ${status} demo build`)
  return `sha256:${sha256}`
}

function mismatchingRebuild() {
  // The newest such verdict; the demo makes a verdict's API shape (its ids) only when asked.
  const rebuild = demoIndex().rebuilds.find((candidate) => candidate.facts.verdict === 'mismatch' && candidate.facts.diffoscope !== null)
  if (!rebuild) throw new Error('the demo has no mismatching rebuild')
  return rebuild.rebuild()
}

describe('ArtifactPage', () => {
  it('shows names, digests, the producing build, and explains a failed signature with the first failure on top', async () => {
    const digest = digestOf('failed')
    const artifact = demoArtifact(demoIndex(), digest)
    if (!artifact?.producedBy) throw new Error('no artifact')
    renderApp(`/artifacts/${digest}`)

    expect(await screen.findByRole('heading', { level: 1, name: artifact.names[0] })).toBeTruthy()
    expect(screen.getByText(digest)).toBeTruthy()
    expect(screen.getByRole('button', { name: `Copy sha256 digest of ${artifact.names[0]}` })).toBeTruthy()
    const build = within(screen.getByRole('region', { name: 'Produced by' })).getByRole('link', { name: new RegExp(artifact.producedBy.project) })
    expect(build.getAttribute('href')).toBe(`/builds/${artifact.producedBy.id}`)

    const attestations = screen.getByRole('region', { name: /^Attestations and signatures/ })
    const [first] = within(attestations).getAllByRole('article')
    if (!first) throw new Error('no attestation')
    // A failed card opens with the page; its explainer's code loads then.
    expect(await within(first).findByText(/^First failure:/)).toBeTruthy()
    const checks = within(first).getByRole('table', { name: /^Checks of/ })
    const failing = within(checks).getAllByRole('row')[1]
    if (!failing) throw new Error('no check rows')
    expect(within(failing).getByText('Failed')).toBeTruthy()
    expect(within(failing).getByText('Expected')).toBeTruthy()
    expect(within(failing).getByText(/the signature for keyid .+ does not verify/, { selector: 'dd' })).toBeTruthy()
    expect(screen.getByText(/^No deployment of this artifact is recorded\.$/)).toBeTruthy()
  })

  it('sums up every verdict at the top, and keeps verified attestation cards collapsed under their verdict', async () => {
    const digest = digestOf('verified')
    renderApp(`/artifacts/${digest}`)
    const summary = await screen.findByRole('region', { name: 'Every verdict about this artifact' })
    for (const topic of ['Attestations', 'Rebuilds', 'SBOM', 'Deployments']) expect(within(summary).getByRole('link', { name: topic })).toBeTruthy()
    const attestations = screen.getByRole('region', { name: /^Attestations and signatures/ })
    for (const card of within(attestations).getAllByRole('article')) {
      const disclosure = within(card).getByText(/^Checks \(\d+\), signers and log entries$/).closest('details')
      const failed = within(card).queryByText(/^Failed/) !== null
      expect(disclosure?.open).toBe(failed)
      // The verdict stays readable with the card closed.
      expect(within(card).getAllByText(/^(Signed|The |\d+ checks|No check)/, { selector: 'p' }).length).toBeGreaterThan(0)
    }
  })

  it('shows a signing certificate and its transparency-log entry', async () => {
    const { user } = renderApp(`/artifacts/${digestOf('verified', 'acme/cli')}`)
    // Verified cards are closed: their checks, signers and log entries are drawn when one is opened.
    const [summary] = await screen.findAllByText(/^Checks \(\d+\), signers and log entries$/)
    if (!summary) throw new Error('no attestation card')
    expect(screen.queryByText('Identity (subject alternative name)')).toBeNull()
    await user.click(summary)
    expect((await screen.findAllByText('Identity (subject alternative name)')).length).toBeGreaterThan(0)
    const log = screen.getAllByRole('table', { name: /^Transparency-log entries/ })[0]
    if (!log) throw new Error('no log table')
    expect(within(log).getByText('Verified')).toBeTruthy()
    expect(within(log).getByText(/^\d+$/)).toBeTruthy()
  })

  it('says which rebuilder disagreed, with expected versus rebuilt digest and what differs, and focuses a linked rebuild', async () => {
    const rebuild = mismatchingRebuild()
    const sha256 = rebuild.artifact.digest.sha256 ?? ''
    renderApp(`/artifacts/sha256:${sha256}#rebuild-${rebuild.id}`)

    const detail = await screen.findByRole('article', { name: `Mismatch: ${rebuild.rebuilderId ?? ''} disagrees` })
    expect(within(detail).getByText(`sha256:${sha256}`)).toBeTruthy()
    expect(within(detail).getByText(`sha256:${rebuild.rebuiltDigest.sha256 ?? ''}`)).toBeTruthy()
    const differences = within(detail).getByRole('list', { name: /^Differences found by diffoscope/ })
    expect(within(differences).getAllByRole('listitem')).toHaveLength(rebuild.diffoscope?.differences.length ?? 0)
    await waitFor(() => expect(document.activeElement).toBe(detail))
    const table = screen.getByRole('table', { name: 'Rebuilds and their verdicts' })
    expect(within(table).getAllByText('Disagrees (different digest)').length).toBeGreaterThan(0)
  })

  it('shows the SBOM describing an artifact, with a link to its document and its attestation card', async () => {
    const entry = [...demoIndex().sbomsByArtifact.entries()][0]
    if (entry === undefined) throw new Error('the demo has SBOMs')
    const [sha256, [first]] = entry
    const sbom = first?.sbom()
    if (sbom === undefined) throw new Error('the demo has SBOMs')
    const { user } = renderApp(`/artifacts/sha256:${sha256}`)
    const section = await screen.findByRole('region', { name: 'Software bill of materials' })
    expect(within(section).getByText(String(sbom.componentCount))).toBeTruthy()
    expect(within(section).getByText('@cyclonedx/cyclonedx-npm')).toBeTruthy()
    expect(within(section).getByText('The SBOM names this artifact itself.', { exact: false })).toBeTruthy()
    expect(within(section).getByRole('link', { name: /^Download the SBOM document as stored/ }).getAttribute('href')).toBe(`/api/v1/documents/${sbom.documentId}`)
    await user.click(within(section).getByRole('link', { name: `SBOM document ${sbom.documentId.slice(0, 12)}…` }))
    const card = screen.getByRole('article', { name: 'CycloneDX SBOM in a DSSE envelope' })
    // The link names the document in the address: its card is the one targeted, its checks open.
    await waitFor(() => expect(card.className).toContain('is-targeted'))
    expect(card.querySelector('details')?.open).toBe(true)
  })

  it('says plainly when there is no SBOM and no rebuild', async () => {
    const bare = demoDb().summaries.find((summary) => {
      const sha256 = summary.subjects[0]?.digest.sha256
      const artifact = sha256 ? demoArtifact(demoIndex(), sha256) : null
      return artifact !== null && artifact.rebuilds.length === 0 && artifact.sbom === null
    })
    if (!bare) throw new Error('every demo artifact has rebuilds or an SBOM')
    renderApp(`/artifacts/sha256:${bare.subjects[0]?.digest.sha256 ?? ''}`)
    expect(await screen.findByText(/No independent rebuild of this artifact is recorded/)).toBeTruthy()
    expect(screen.getByText('No SBOM describing this artifact was ingested.')).toBeTruthy()
  })

  it('says an unknown digest is not found, and a malformed one is not a digest', async () => {
    renderApp(`/artifacts/sha256:${'0'.repeat(64)}`)
    expect(await screen.findByRole('heading', { level: 1, name: 'Not found' })).toBeTruthy()
    expect(screen.getByText(/no build subject, SBOM or rebuild names an artifact with digest/i)).toBeTruthy()
  })

  it('shows what failed when the API is down, and retries', async () => {
    server.use(...scenarios.apiDown)
    const digest = digestOf('verified')
    const { user } = renderApp(`/artifacts/${digest}`)
    expect(await screen.findByText(/^The server answered 503 Service Unavailable\.$/)).toBeTruthy()
    server.resetHandlers()
    await user.click(screen.getByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('region', { name: 'Produced by' })).toBeTruthy()
  })
})
