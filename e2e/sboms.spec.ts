import { createHash } from 'node:crypto'
import { demoBuilds } from '../demo/model'
import { demoBomFile, demoSbomProjects } from '../demo/sboms'
import { signEnvelope } from '../server/demo/seed'
import { slsaV1Statement } from '../server/testing/documents'
import { ArtifactDetail, ArtifactPage } from '../src/contract/artifacts'
import { IngestResponse } from '../src/contract/attestations'
import { expect, test } from './fixtures'

// SBOMs linked to the artifacts they describe: on the seeded demo (acme/web attests the CycloneDX BOM its build
// writes beside web-dist.tar.gz), and at ingest (a build's bare SBOM file, linked through the build that lists it).

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex')

test('web-dist.tar.gz’s page lists its SBOM, with a link to the SBOM document and its download', async ({ demoServer: server, demoPage: page, request }) => {
  // The newest web-dist.tar.gz whose build attested its SBOM (the builds the alert scenarios add after the history
  // have none), as the Artifacts list shows them.
  const list = ArtifactPage.parse(await (await request.get(`${server.url}/api/v1/artifacts?project=acme%2Fweb&name=web-dist.tar.gz&limit=20`)).json())
  let artifact: ArtifactDetail | undefined
  for (const item of list.items) {
    artifact = ArtifactDetail.parse(await (await request.get(`${server.url}/api/v1/artifacts/${item.digest}`)).json())
    if (artifact.sbom !== null) break
  }
  const sbom = artifact?.sbom ?? null
  if (artifact === undefined || sbom === null) throw new Error('a recent web-dist.tar.gz has an SBOM')

  await page.goto(`${server.url}/artifacts?project=acme%2Fweb&name=web-dist.tar.gz`)
  const hex = artifact.digest.replace(/^sha256:/, '')
  await page.getByRole('table', { name: /Artifacts/ }).getByRole('link', { name: `Artifact sha256:${hex.slice(0, 12)}… (web-dist.tar.gz)` }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'web-dist.tar.gz' })).toBeVisible()
  await expect(page).toHaveURL(new RegExp(hex))

  // At the top, among every verdict about the artifact.
  const summary = page.getByRole('region', { name: 'Every verdict about this artifact' })
  await expect(summary).toContainText(`A CycloneDX SBOM of ${sbom.componentCount} components describes it; its signature is verified.`)

  const section = page.getByRole('region', { name: 'Software bill of materials' })
  await expect(section.getByRole('definition').filter({ hasText: /^\d+$/ })).toHaveText(String(sbom.componentCount))
  await expect(section).toContainText('@cyclonedx/cyclonedx-npm 1.19.3')
  await expect(section).toContainText(`web ${sbom.subject.version ?? ''} ${sbom.subject.purl ?? ''}`)
  await expect(section).toContainText('CycloneDX 1.6')
  await expect(section).toContainText('The SBOM names this artifact itself.')

  // The download is the document exactly as stored: its SHA-256 is its id.
  const download = section.getByRole('link', { name: /^Download the SBOM document as stored/ })
  const bytes = await (await request.get(`${server.url}${(await download.getAttribute('href')) ?? ''}`)).body()
  expect(sha256(bytes)).toBe(sbom.documentId)

  // The link opens the SBOM's own attestation on the page, with its signature checks.
  await section.getByRole('link', { name: `SBOM document ${sbom.documentId.slice(0, 12)}…` }).click()
  await expect(page).toHaveURL(new RegExp(`[?&]document=${sbom.documentId}`))
  const card = page.getByRole('article', { name: 'CycloneDX SBOM in a DSSE envelope' })
  await expect(card).toBeVisible()
  // Targeted by the link, its checks are open.
  await expect(card.locator('details.attestation-detail')).toHaveAttribute('open', '')
  await expect(card).toContainText('envelope-signature')
})

test('a build’s bare SBOM file, posted before its provenance, is linked to the artifact the build made beside it once the provenance arrives', async ({ server, ingest, guardedPage: page, request }) => {
  // A real BOM (the one the demo's acme/web writes), and a build listing it beside the archive it describes.
  const build = demoBuilds(40).find((candidate) => candidate.project === 'acme/web')
  const bom = build === undefined ? null : demoBomFile(build)
  if (bom === null) throw new Error('the demo has an acme/web build with an SBOM')
  const archive = sha256('e2e sbom archive')
  const statement = slsaV1Statement({ repo: 'https://github.com/e2e/sbom-linking' })
  statement.subject = [
    { name: 'web-dist.tar.gz', digest: { sha256: archive } },
    { name: demoSbomProjects[0]?.file ?? 'web-sbom.cdx.json', digest: { sha256: sha256(bom) } },
  ]

  // The SBOM first: it names no artifact by digest, so nothing links it yet.
  const posted = await ingest(bom)
  expect(posted.status).toBe(201)
  expect((await request.get(`${server.url}/api/v1/artifacts/sha256:${archive}`)).status()).toBe(404)

  const provenance = await ingest(JSON.stringify(signEnvelope(statement, server.key)))
  expect(provenance.status).toBe(201)
  const buildId = IngestResponse.parse(provenance.body).documents[0]?.buildId ?? null
  expect(buildId).toMatch(/^[0-9a-f]{64}$/)

  const artifact = ArtifactDetail.parse(await (await request.get(`${server.url}/api/v1/artifacts/sha256:${archive}`)).json())
  expect(artifact.sbom).toMatchObject({ documentId: sha256(bom), format: 'cyclonedx-json', status: 'unsigned', viaBuild: buildId, subject: { name: 'web', digest: {} } })
  expect(artifact.attestations.map((attestation) => attestation.documentId)).toContain(sha256(bom))

  await page.goto(`${server.url}/artifacts/sha256:${archive}`)
  const section = page.getByRole('region', { name: 'Software bill of materials' })
  await expect(section).toContainText('The SBOM names no artifact by digest: the build that wrote its file also produced this artifact, which it describes.')
  await expect(section.getByRole('link', { name: 'the build' })).toHaveAttribute('href', `/builds/${buildId ?? ''}`)
})
