import AxeBuilder from '@axe-core/playwright'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { ArtifactPage } from '../src/contract/artifacts'
import { LineageGraph } from '../src/contract/lineage'
import { ReportPage } from '../src/contract/reports'
import { documentFile } from '../server/reports/archive'
import { readTar, writeTar } from '../server/reports/tar'
import { expect, test } from './fixtures'

/*
 * Reports on the seeded demo in Chromium: a report on what runs in production, read on the page, downloaded as the
 * archive and checked offline by `npm run verify-report`, which also fails, naming the document, when one byte of
 * one document is changed; its printable page printed to PDF by Chromium, the summary alone on page one.
 */

const verifyReport = (file: string) => spawnSync('npm', ['run', '--silent', 'verify-report', '--', file], { encoding: 'utf8', timeout: 120_000 })

test('a report on production: its summary on the page, and an archive verify-report accepts and a changed byte fails', async ({ demoServer: server, demoPage: page, request }, testInfo) => {
  test.setTimeout(240_000)
  await page.goto(`${server.url}/reports`)
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible()
  const environment = page.getByRole('combobox', { name: 'Environment' })
  await expect(environment.getByRole('option', { name: 'production' })).toBeAttached()
  await environment.selectOption('production')
  await page.getByRole('button', { name: 'Make the report' }).click()

  // The summary, once made, is the one the API reports for it: plain words about what is and is not proven.
  const summary = page.getByRole('list', { name: 'What is proven and what is not' })
  await expect(summary).toBeVisible({ timeout: 120_000 })
  const reports = ReportPage.parse(await (await request.get(`${server.url}/api/v1/reports`)).json())
  const made = reports.items[0]!
  expect(made).toMatchObject({ state: 'done', scope: { kind: 'environment', environment: 'production' }, createdBy: { token: null } })
  expect(made.summary!.artifacts).toBeGreaterThan(1)
  await expect(summary.getByRole('listitem')).toHaveText(made.summary!.lines)
  await expect(summary.getByRole('listitem').first()).toHaveText(new RegExp(`^As of .*, \\d+ of ${made.summary!.artifacts} artifacts have verified provenance\\.$`))
  await expect(page.getByRole('heading', { level: 2, name: /^Environment production as of / })).toBeVisible()
  const artifacts = page.getByRole('table', { name: 'Each artifact in the report' })
  await expect(artifacts.getByRole('row')).toHaveCount(made.summary!.artifacts + 1)
  // Every column in view at a desktop width (1280 px): the last one, Alerts, was scrolled out of the card.
  expect(await artifacts.evaluate((table) => table.getBoundingClientRect().right - (table.parentElement?.getBoundingClientRect().right ?? 0))).toBeLessThanOrEqual(0)
  await expect(page.getByRole('table', { name: 'Reports made on this server, newest first' }).getByRole('cell', { name: 'Environment production', exact: true })).toHaveCount(1)
  const axe = await new AxeBuilder({ page }).analyze()
  expect(axe.violations.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([])

  // The archive as a browser downloads it.
  const downloading = page.waitForEvent('download')
  await page.getByRole('link', { name: 'Archive (signed report, documents, proofs, key)' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toBe(`report-${made.id}.tar`)
  const archivePath = testInfo.outputPath('report.tar')
  await download.saveAs(archivePath)
  const accepted = verifyReport(archivePath)
  expect(accepted.stdout).toContain('verify-report: OK')
  expect(accepted.status).toBe(0)

  // One byte of one document changed: it fails, naming that document.
  const files = readTar(readFileSync(archivePath))
  const target = files.find((file) => file.name.startsWith('documents/'))!
  const id = target.name.slice('documents/'.length, -'.json'.length)
  const changed = Uint8Array.from(target.bytes)
  const middle = Math.floor(changed.length / 2)
  changed[middle] = (changed[middle] ?? 0) ^ 0x01
  const tamperedPath = testInfo.outputPath('tampered.tar')
  writeFileSync(tamperedPath, writeTar(files.map((file) => (file === target ? { name: file.name, bytes: changed } : file)), 0))
  const refused = verifyReport(tamperedPath)
  expect(refused.stdout).toContain(`FAILED: ${documentFile(id)}: document ${id} does not match its digest`)
  expect(refused.status).toBe(1)

  // The printable page, printed to PDF by Chromium: the summary first and alone on page one, no navigation.
  const html = await (await request.get(`${server.url}/api/v1/reports/${made.id}/files/report.html`)).text()
  // A blank page first: the dashboard's own Content-Security-Policy would block the report's inline style.
  await page.goto('about:blank')
  await page.setContent(html)
  await page.emulateMedia({ media: 'print' })
  await expect(page.getByRole('navigation')).toHaveCount(0)
  await expect(page.getByRole('link')).toHaveCount(0)
  const summaryPage = page.locator('.summary-page')
  await expect(summaryPage.getByRole('heading', { level: 2, name: 'What is proven and what is not' })).toBeVisible()
  await expect(summaryPage.getByRole('listitem')).toHaveText(made.summary!.lines)
  expect(await summaryPage.evaluate((element) => getComputedStyle(element).breakAfter)).toBe('page')
  // It fits one A4 page inside the print margins (297 mm less 2 × 16 mm, at 96 px an inch).
  expect((await summaryPage.boundingBox())!.height).toBeLessThan(((297 - 32) / 25.4) * 96)
  const pdf = await page.pdf({ format: 'A4' })
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-')
  expect(pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g)?.length ?? 0).toBeGreaterThan(1)
})

test('"Report on this" from an artifact page and from the lineage view opens the Reports form pre-filled', async ({ demoServer: server, demoPage: page, request }) => {
  test.setTimeout(180_000)
  const artifacts = ArtifactPage.parse(await (await request.get(`${server.url}/api/v1/artifacts?limit=1`)).json())
  const digest = artifacts.items[0]!.digest

  // From the artifact page: one artifact, its digest filled in, and the report is made on it.
  await page.goto(`${server.url}/artifacts/${digest}`)
  await page.getByRole('main').getByRole('link', { name: 'Report on this' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible()
  await expect(page.getByRole('radio', { name: 'One artifact' })).toBeChecked()
  await expect(page.getByRole('textbox', { name: 'Artifact digest' })).toHaveValue(digest)
  await page.getByRole('button', { name: 'Make the report' }).click()
  await expect(page.getByRole('heading', { level: 2, name: new RegExp(`^Artifact ${digest.slice(0, 19)}… as of `) })).toBeVisible({ timeout: 120_000 })
  await expect(page.getByRole('list', { name: 'What is proven and what is not' })).toBeVisible({ timeout: 120_000 })

  // From the lineage view around that artifact (its build, its siblings, its deployments): every artifact it shows.
  const response = await request.get(`${server.url}/api/v1/lineage?from=${digest}&depth=3&direction=both`)
  expect(response.status()).toBe(200)
  const graph = LineageGraph.parse(await response.json())
  const shown = [...new Set(graph.nodes.flatMap((node) => (node.type === 'artifact' ? [node.facts.digest] : [])))].sort()
  expect(shown).toContain(digest)
  await page.goto(`${server.url}/lineage?from=${digest}`)
  await page.getByRole('toolbar', { name: 'Graph view' }).getByRole('link', { name: 'Report on this' }).click()
  await expect(page.getByRole('heading', { level: 1, name: 'Reports' })).toBeVisible()
  if (shown.length === 1) {
    await expect(page.getByRole('radio', { name: 'One artifact' })).toBeChecked()
    await expect(page.getByRole('textbox', { name: 'Artifact digest' })).toHaveValue(digest)
  } else {
    await expect(page.getByRole('radio', { name: 'A release (a list of digests)' })).toBeChecked()
    await expect(page.getByRole('textbox', { name: 'Digests, one a line' })).toHaveValue(shown.join('\n'))
  }
})
