import { screen, waitFor, within } from '@testing-library/react'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { demoDb } from '../../../../mocks/data/demo-db'
import { server } from '../../../../mocks/node'
import { HOSTILE_NAME, hostileBuildDetail, scenarios } from '../../../../mocks/scenarios'
import { renderApp } from '../../../test/render-app'
import { orderChecks } from '../../../lib/checks'

function firstBuild(status: 'verified' | 'failed' | 'untrusted') {
  // A failed build here is one whose signature failed (the demo also has builds failed by policy, e.g. a builder change).
  const build = demoDb().summaries.find((summary) => summary.status === status && (status !== 'failed' || summary.failedCheck === 'envelope-signature'))
  if (!build) throw new Error(`the demo has no ${status} build`)
  return build
}

describe('BuildPage', () => {
  it('links to the alerts the build showed that are not resolved, in the alert queue', async () => {
    const build = firstBuild('verified')
    renderApp(`/builds/${build.id}`)
    const link = await screen.findByRole('link', { name: 'Alerts of this build' })
    const target = new URL(link.getAttribute('href') ?? '', 'http://dashboard')
    expect(target.pathname).toBe('/alerts')
    expect(Object.fromEntries(target.searchParams)).toEqual({ build: build.id, state: 'unresolved' })
  })

  it('shows everything recorded about a verified build', async () => {
    const build = firstBuild('verified')
    const detail = demoDb().getBuild(build.id)
    if (!detail) throw new Error('no detail')
    renderApp(`/builds/${build.id}`)

    expect(await screen.findByRole('heading', { level: 1, name: new RegExp(build.project) })).toBeTruthy()
    expect(screen.getByText(detail.sourceCommit ?? '')).toBeTruthy()
    // An http(s) source repository is a link that opens elsewhere, safely.
    const repo = screen.getByRole('link', { name: detail.sourceRepo ?? '' })
    expect(repo.getAttribute('href')).toBe(detail.sourceRepo)
    expect(repo.getAttribute('rel')).toBe('noopener noreferrer')
    // Every subject with its full digest.
    for (const subject of detail.subjects) {
      expect(screen.getByText(`sha256:${subject.digest.sha256}`)).toBeTruthy()
      expect(screen.getByRole('button', { name: `Copy sha256 digest of ${subject.name}` })).toBeTruthy()
    }
    expect(screen.getByText(detail.invocationId ?? '')).toBeTruthy()
    expect(screen.getByText(/^Signed by demo-release-[a-z0-9]+, which this server trusts; the signature verifies, and all \d+ checks passed\.$/)).toBeTruthy()
    const raw = screen.getByLabelText('Raw statement text')
    expect(raw.tagName).toBe('PRE')
    expect(raw.textContent).toBe(detail.statement)
  })

  it('lists every check, failing first, with expected and actual values', async () => {
    const build = firstBuild('failed')
    const detail = demoDb().getBuild(build.id)
    if (!detail) throw new Error('no detail')
    renderApp(`/builds/${build.id}`)

    const table = await screen.findByRole('table', { name: /^Checks/ })
    const rows = within(table).getAllByRole('row').slice(1)
    expect(rows).toHaveLength(detail.verification.checks.length)
    const [first, ...rest] = rows
    if (!first) throw new Error('no checks')
    expect(within(first).getByRole('rowheader').textContent).toBe('envelope-signature')
    expect(within(first).getByText('Failed')).toBeTruthy()
    expect(within(first).getByText(/^a valid .* signature by /, { selector: 'dd' })).toBeTruthy()
    expect(within(first).getByText(/the signature (for keyid .+ )?does not verify/, { selector: 'dd' })).toBeTruthy()
    // The raw record is one click away, not in the way.
    const disclosure = within(first).getByText('Technical detail').closest('details')
    expect(disclosure?.open).toBe(false)
    expect(disclosure?.textContent).toContain('"name": "envelope-signature"')
    // The first failure is on top, in words.
    expect(screen.getByText(/^First failure:/)).toBeTruthy()
    // After the cause: other failures, then what could not be judged because of it (never "Failed"), then passes.
    const results = rest.map((row) => within(row).getByText(/^(Passed|Failed|Not judged)$/, { selector: 'span' }).textContent)
    expect(results).toEqual([...results].sort((a, b) => ['Failed', 'Not judged', 'Passed'].indexOf(a ?? '') - ['Failed', 'Not judged', 'Passed'].indexOf(b ?? '')))
    const identity = rest.find((row) => within(row).getByRole('rowheader').textContent === 'signer-identity')
    if (identity) expect(within(identity).getByText('Not judged', { selector: 'span' })).toBeTruthy()
    // The page orders the checks itself, whatever order the server reported them in.
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual(orderChecks(detail.verification.checks).map((check) => check.name))
    expect(screen.getByText(/^(The envelope-signature check failed|\d+ checks failed, first envelope-signature): the signature does not verify/)).toBeTruthy()
    expect(screen.getByText(/^Cause:/).closest('p')?.textContent).toMatch(/^Cause: The signature does not verify over the signed content/)
  })

  it('focuses and highlights the check a #check- link points at', async () => {
    const build = firstBuild('failed')
    renderApp(`/builds/${build.id}#check-envelope-signature`)
    const table = await screen.findByRole('table', { name: /^Checks/ })
    const row = table.querySelector('#check-envelope-signature')
    expect(row?.className).toContain('check-targeted')
    await waitFor(() => expect(document.activeElement).toBe(row))
  })

  it('shows how it was built: tools, environment, CI steps with durations, hosts, and a link to compare', async () => {
    const build = firstBuild('verified')
    const detail = demoDb().getBuild(build.id)
    if (!detail?.pipeline) throw new Error('no pipeline in the demo detail')
    renderApp(`/builds/${build.id}`)

    const tools = await screen.findByRole('table', { name: 'Tool versions' })
    const tool = detail.resolvedDependencies.find((dependency) => dependency.uri?.startsWith('pkg:'))
    expect(within(tools).getByRole('rowheader', { name: tool?.name ?? '' })).toBeTruthy()
    expect(within(tools).getAllByText('CI telemetry, provenance (pkg: dependency)').length).toBeGreaterThan(0)

    expect(within(screen.getByRole('table', { name: 'Internal parameters' })).getAllByText(/^toolchain\./, { selector: 'code' }).length).toBe(2)

    const timeline = screen.getByRole('table', { name: 'CI steps with their start and duration' })
    for (const step of ['checkout', 'setup toolchain', 'build', 'test', 'attest']) expect(within(timeline).getAllByRole('rowheader', { name: step }).length).toBeGreaterThan(0)
    expect(within(screen.getByRole('list', { name: 'Hosts contacted' })).getByText('github.com')).toBeTruthy()

    const compare = await screen.findByRole('link', { name: 'Compare with previous' })
    expect(compare.getAttribute('href')).toMatch(new RegExp(`^/builds/compare\\?a=[0-9a-f]{64}&b=${build.id}$`))
  })

  it('shows a long list of artifacts, tools or dependencies by its first rows, and all of it when asked', async () => {
    const build = firstBuild('verified')
    const detail = demoDb().getBuild(build.id)
    if (!detail) throw new Error('no detail')
    const many = Array.from({ length: 80 }, (_, index) => index)
    server.use(
      http.get(`/api/v1/builds/${build.id}`, () =>
        HttpResponse.json({
          ...detail,
          subjects: many.map((index) => ({ name: `dist/file-${index}.js`, digest: { sha256: index.toString(16).padStart(64, '0') } })),
          resolvedDependencies: many.map((index) => ({ uri: `pkg:npm/dependency-${index}@1.0.${index}`, name: `dependency-${index}`, digest: {} })),
        }),
      ),
    )
    const { user } = renderApp(`/builds/${build.id}`)
    const artifacts = await screen.findByRole('table', { name: 'Artifacts this build produced, with their digests' })
    const rows = () => within(artifacts).getAllByRole('row').length - 1
    expect(rows()).toBe(25)
    expect(screen.getByText('The first 25 of 80 artifacts.')).toBeTruthy()
    // Each list its own: the dependencies and the tools read from them are cut short too.
    expect(within(screen.getByRole('table', { name: 'Dependencies the builder resolved' })).getAllByRole('row')).toHaveLength(26)
    expect(screen.getByText('The first 25 of 80 dependencies.')).toBeTruthy()
    expect(screen.getByText(/^The first 25 of \d+ tools\.$/)).toBeTruthy()
    await user.click(within(artifacts.closest('section') ?? document.body).getByRole('button', { name: 'Show all 80' }))
    expect(rows()).toBe(80)
    expect(screen.queryByText('The first 25 of 80 artifacts.')).toBeNull()
    expect(within(screen.getByRole('table', { name: 'Dependencies the builder resolved' })).getAllByRole('row')).toHaveLength(26)
  })

  it('shows an untrusted signer as unknown, never as a valid signature', async () => {
    const build = firstBuild('untrusted')
    renderApp(`/builds/${build.id}`)
    expect(await screen.findByText(/^Signed by rogue-release-key, which this server does not know; the signature could not be checked\./)).toBeTruthy()
    expect(screen.getByText('No trusted key verified this signature')).toBeTruthy()
  })

  it('renders hostile document strings as inert text', async () => {
    server.use(...scenarios.hostileDocument)
    const detail = hostileBuildDetail()
    const { container } = renderApp(`/builds/${detail.id}`)

    await screen.findByRole('heading', { level: 1, name: new RegExp(detail.project) })
    // The subject name appears literally, in the artifacts table and inside the raw statement.
    expect(screen.getByText(HOSTILE_NAME)).toBeTruthy()
    expect(screen.getByLabelText('Raw statement text').textContent).toContain(JSON.stringify(HOSTILE_NAME))
    expect(container.querySelector('img')).toBeNull()
    // A javascript: URL is shown, never linked.
    expect(screen.getByText('javascript:alert(document.cookie)').closest('a')).toBeNull()
    for (const link of screen.getAllByRole('link')) {
      expect(link.getAttribute('href') ?? '').not.toMatch(/^\s*javascript:/i)
    }
  })

  it('says a build does not exist, with a retry', async () => {
    renderApp(`/builds/${'0'.repeat(64)}`)
    expect(await screen.findByRole('heading', { level: 1, name: 'Not found' })).toBeTruthy()
    expect(screen.getByText(new RegExp(`no build with id ${'0'.repeat(64)}`, 'i'))).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy()
  })

  it('says an address is not a build id', async () => {
    renderApp('/builds/not-a-build')
    expect(await screen.findByText(/does not name a build/)).toBeTruthy()
  })

  it('retries a failed load from the error page', async () => {
    const build = firstBuild('verified')
    server.use(http.get('/api/v1/builds/:id', () => new HttpResponse(null, { status: 503 }), { once: true }))
    const { user } = renderApp(`/builds/${build.id}`)
    expect(await screen.findByText(/^The server answered 503 Service Unavailable\.$/)).toBeTruthy()
    await user.click(screen.getByRole('button', { name: 'Retry' }))
    expect(await screen.findByRole('heading', { level: 1, name: new RegExp(build.project) })).toBeTruthy()
  })
})
