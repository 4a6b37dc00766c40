import { expect, test } from './fixtures'

// Filters, time and history on the seeded demo, as `npm start` serves it, in a page whose clock stands at the
// demo's "now" (so "the last 7 days" are the demo's last days).

test('a date typed into From applies once whole, never the partial years typing passes through', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/builds`)
  await expect(page.getByText(/^Showing 25 builds/)).toBeVisible()
  const from = page.getByLabel('From (UTC)')
  await from.focus()
  // Chromium's date field in en-US: month, day, then the year digit by digit (0002, 0020, 0202, 2026).
  await page.keyboard.type('11012026', { delay: 50 })
  await expect(page).toHaveURL(/[?&]from=2026-11-01(&|$)/)
  await expect(from).toHaveValue('2026-11-01')
  await expect(page).not.toHaveURL(/from=0/)
})

test('quick ranges set From and filter the list; Back undoes the last filter', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/builds`)
  await expect(page.getByText(/^Showing 25 builds/)).toBeVisible()
  await page.getByRole('button', { name: 'Only the last 7 days' }).click()
  await expect(page).toHaveURL(/[?&]from=\d{4}-\d{2}-\d{2}T\d{2}(:|%3A)\d{2}Z/)
  await expect(page.getByLabel('From (UTC)')).not.toHaveValue('')
  await page.getByLabel('Status').selectOption('failed')
  await expect(page).toHaveURL(/status=failed/)
  await page.goBack()
  await expect(page).not.toHaveURL(/status=failed/)
  await expect(page).toHaveURL(/from=/)
  await expect(page.getByLabel('Status')).toHaveValue('')
  await page.goBack()
  await expect(page).not.toHaveURL(/from=/)
  await expect(page.getByLabel('From (UTC)')).toHaveValue('')
})

test('Back from a build to a long list shows the rows loaded before, where the reader left them', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/builds`)
  // Pages of 25 (src/features/builds/lib/builds-search.ts): seven more make a list of 200.
  for (let shown = 50; shown <= 200; shown += 25) {
    await page.getByRole('button', { name: 'Load more builds' }).click()
    await expect(page.getByText(new RegExp(`^Showing ${shown} builds`))).toBeVisible()
  }
  const table = page.getByRole('table', { name: 'Builds' })
  const box = page.locator('.table-scroll')
  await box.evaluate((element) => element.scrollTo(0, 4000))
  await expect.poll(() => box.evaluate((element) => element.scrollTop)).toBeGreaterThan(3000)
  const row = table.getByRole('row').filter({ has: page.getByRole('link') }).nth(5)
  const link = row.getByRole('link').first()
  const name = (await link.textContent()) ?? ''
  await link.click()
  await expect(page).toHaveURL(/\/builds\/[0-9a-f]{64}/)
  await page.goBack()
  await expect(page.getByText(/^Showing 200 builds/)).toBeVisible()
  await expect.poll(() => box.evaluate((element) => element.scrollTop)).toBeGreaterThan(3000)
  await expect(table.getByRole('link', { name }).first()).toBeVisible()
})

test('filter values that name nothing are said on the page', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/builds?project=nope&status=bogus`)
  await expect(page.getByText('There is no project named nope, so no build matches it.')).toBeVisible()
  await expect(page.getByText('There is no status named bogus; showing every status.')).toBeVisible()
  await page.goto(`${server.url}/signatures?status=bogus`)
  await expect(page.getByText('There is no status named bogus; showing every status.')).toBeVisible()
  await page.goto(`${server.url}/builds/compare?a=xyz`)
  await expect(page.getByText('xyz is not a build id: a build id is 64 hexadecimal characters. Choose build A below.')).toBeVisible()
})

test('a malformed address says what is wrong, in a sentence, without offering Retry', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/artifacts/sha256:zzz`)
  const alert = page.getByRole('alert')
  await expect(alert).toContainText('does not name an artifact')
  await expect(alert).not.toContainText('`')
  await expect(alert).not.toContainText('/api/')
  await expect(page.getByRole('button', { name: 'Retry' })).toHaveCount(0)
})

test('signatures show when each document was signed, and when it was ingested where that differs', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/signatures`)
  const table = page.getByRole('table', { name: 'Signatures' })
  await expect(table.getByRole('columnheader', { name: 'Signed' })).toBeVisible()
  // The demo is seeded at start, long after its builds ran: each row says both times.
  await expect(table.getByText(/^ingested/).first()).toBeVisible()
  const first = table.getByRole('row').nth(1)
  const times = await first.locator('time').evaluateAll((elements) => elements.map((element) => element.getAttribute('datetime') ?? ''))
  expect(times).toHaveLength(2)
  expect(Date.parse(times[0] ?? '')).toBeLessThan(Date.parse(times[1] ?? ''))
  // The quick range filters by the signing time: the demo's last week has signatures in it.
  await page.getByRole('button', { name: 'Only the last 7 days' }).click()
  await expect(page.getByText(/^Showing \d+ results?/)).toBeVisible()
})

for (const screen of [
  { path: '/builds', table: 'Builds', count: /^Showing 25 builds/ },
  { path: '/signatures', table: 'Signatures', count: /^Showing \d+ results/ },
]) {
  test(`on ${screen.path}, choosing a filter leaves the list where it stood, and Clear filters beside the count undoes it`, async ({ demoServer: server, demoPage: page }) => {
    // A common laptop width, where the filters fill one row (the bench's too: bench/browser.ts).
    await page.setViewportSize({ width: 1366, height: 900 })
    await page.goto(`${server.url}${screen.path}`)
    await expect(page.getByText(screen.count)).toBeVisible()
    const table = page.getByRole('table', { name: screen.table })
    const top = async () => (await table.boundingBox())?.y
    const before = await top()
    expect(before).toBeGreaterThan(0)
    await expect(page.getByRole('button', { name: 'Clear filters' })).toHaveCount(0)
    await page.getByLabel('Status', { exact: true }).selectOption('verified')
    await expect(page).toHaveURL(/status=verified/)
    const clear = page.getByRole('button', { name: 'Clear filters' })
    await expect(clear).toBeVisible()
    // Neither the choice nor the button that came with it moved the rows.
    expect(await top()).toBe(before)
    await clear.click()
    await expect(page).not.toHaveURL(/status=/)
    await expect(page.getByLabel('Status', { exact: true })).toHaveValue('')
    await expect(clear).toHaveCount(0)
    expect(await top()).toBe(before)
  })
}

test('on /artifacts, the columns keep their widths when a filter brings other rows', async ({ demoServer: server, demoPage: page }) => {
  await page.setViewportSize({ width: 1366, height: 900 })
  await page.goto(`${server.url}/artifacts`)
  await expect(page.getByText(/^Showing 25 artifacts/)).toBeVisible()
  const table = page.getByRole('table', { name: 'Artifacts' })
  const widths = () => table.locator('thead th').evaluateAll((cells) => cells.map((cell) => Math.round(cell.getBoundingClientRect().width)))
  const before = await widths()
  await page.getByLabel('Project').selectOption('platform/base-image')
  await expect(page).toHaveURL(/project=platform%2Fbase-image/)
  await expect(table.getByRole('cell', { name: 'acme/api', exact: true })).toHaveCount(0)
  expect(await widths()).toEqual(before)
})
