import type { Locator, Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { expectPrintable } from './print'

// Layout and access on the seeded demo, in Chromium: the document ends at its footer, focus is visible on every
// background, narrow screens and 200% zoom keep status and time on screen, and print makes a clean document.

/** The WCAG contrast ratio of two opaque sRGB colours. */
function contrast(a: readonly number[], b: readonly number[]): number {
  const luminance = (rgb: readonly number[]) => {
    const [r = 0, g = 0, bl = 0] = rgb.map((channel) => {
      const c = channel / 255
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
    })
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl
  }
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05)
}

/** The focused element's outline colour, and the opaque colour behind it: its ancestors' backgrounds, blended. */
async function focusRing(page: Page) {
  return page.evaluate(() => {
    const parse = (css: string): number[] => (css.match(/[\d.]+/g) ?? []).map(Number)
    const element = document.activeElement
    if (!(element instanceof HTMLElement)) throw new Error('nothing is focused')
    const style = getComputedStyle(element)
    // The outline sits outside the element, so what it is seen against is its ancestors' background.
    const layers: number[][] = []
    for (let node = element.parentElement; node; node = node.parentElement) {
      const [r = 0, g = 0, b = 0, alpha = 1] = parse(getComputedStyle(node).backgroundColor)
      if (alpha > 0) layers.push([r, g, b, alpha])
      if (alpha >= 1) break
    }
    let behind = [255, 255, 255]
    for (const [r = 0, g = 0, b = 0, alpha = 1] of layers.reverse()) {
      behind = [r * alpha + (behind[0] ?? 0) * (1 - alpha), g * alpha + (behind[1] ?? 0) * (1 - alpha), b * alpha + (behind[2] ?? 0) * (1 - alpha)]
    }
    return {
      name: element.textContent?.trim() ?? '',
      inHeader: element.closest('header.app-header') !== null,
      style: style.outlineStyle,
      width: Number.parseFloat(style.outlineWidth),
      colour: parse(style.outlineColor).slice(0, 3),
      behind,
    }
  })
}

async function expectVisibleRing(page: Page) {
  const ring = await focusRing(page)
  expect(ring.style, `${ring.name}: a solid outline`).toBe('solid')
  expect(ring.width, `${ring.name}: outline width`).toBeGreaterThanOrEqual(2)
  expect(contrast(ring.colour, ring.behind), `${ring.name}: ring against its background`).toBeGreaterThanOrEqual(3)
  return ring
}

/** The document's scroll height against the footer's bottom edge, in document coordinates. */
async function documentEnd(page: Page) {
  return page.evaluate(() => {
    const footer = document.querySelector('footer')
    if (!footer) throw new Error('no footer')
    const scroller = document.scrollingElement ?? document.documentElement
    return {
      scrollHeight: scroller.scrollHeight,
      footerBottom: footer.getBoundingClientRect().bottom + scroller.scrollTop,
    }
  })
}

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => {
    const scroller = document.scrollingElement ?? document.documentElement
    return {
      scrollWidth: scroller.scrollWidth,
      clientWidth: scroller.clientWidth,
    }
  })
  expect(scrollWidth, 'the document does not scroll sideways').toBeLessThanOrEqual(clientWidth)
}

/** Status and time of the first rows are on screen: visible and inside the viewport's width. */
async function expectStatusAndTimeOnScreen(page: Page, table: Locator, status: RegExp) {
  const width = page.viewportSize()?.width ?? 0
  for (const index of [1, 2, 3]) {
    const row = table.getByRole('row').nth(index)
    for (const cell of [row.getByText(status).first(), row.getByText(/ ago$|^just now$/).first()]) {
      await expect(cell).toBeVisible()
      const box = await cell.boundingBox()
      expect(box, 'laid out').not.toBeNull()
      if (box) expect(box.x + box.width, 'inside the viewport').toBeLessThanOrEqual(width + 1)
    }
  }
}

const STATUS = /^(Verified|Failed|Untrusted key|Unsigned|Unverifiable)/

test('Builds and Signatures end at the footer, however far their lists scroll', async ({ demoServer: server, demoPage: page }) => {
  for (const [path, name] of [
    ['/builds', 'Builds'],
    ['/signatures', 'Signatures'],
  ] as const) {
    await page.goto(`${server.url}${path}`)
    const table = page.getByRole('table', { name })
    await expect(table.getByRole('row').nth(5)).toBeVisible()
    await page
      .getByRole('contentinfo')
      .getByRole('link', { name: /^Record:/ })
      .waitFor()
    const end = await documentEnd(page)
    expect(end.scrollHeight, `${name}: the document ends at its footer`).toBeLessThanOrEqual(Math.ceil(end.footerBottom) + 1)
  }
})

test('focus is a visible ring in the header and in the main area, unlike the current page’s highlight', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/builds`)
  await expect(page.getByRole('table', { name: 'Builds' }).getByRole('row').nth(1)).toBeVisible()

  // The skip link, then the brand, then the current page's own link in the dark header.
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused()
  await expectVisibleRing(page)
  await page.keyboard.press('Tab')
  expect((await expectVisibleRing(page)).inHeader).toBe(true)
  await page.keyboard.press('Tab')
  const current = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Builds' })
  await expect(current).toBeFocused()
  await expect(current).toHaveAttribute('aria-current', 'page')
  const ring = await expectVisibleRing(page)
  expect(ring.inHeader).toBe(true)
  await page.screenshot({
    path: test.info().outputPath('focus-header.png'),
    clip: { x: 0, y: 0, width: 1280, height: 80 },
  })

  // Into the main area by the skip link: the first control there is on the light page.
  await page.getByRole('link', { name: 'Skip to content' }).focus()
  await page.keyboard.press('Enter')
  await page.keyboard.press('Tab')
  const main = await expectVisibleRing(page)
  expect(main.inHeader).toBe(false)
  await page.screenshot({ path: test.info().outputPath('focus-main.png') })
})

test('at 1024 px every section is in a menu behind a disclosure button, and the list keeps status and time in view', async ({
  demoServer: server,
  demoPage: page,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 })
  await page.goto(`${server.url}/builds`)
  await expectStatusAndTimeOnScreen(page, page.getByRole('table', { name: 'Builds' }), STATUS)
  const nav = page.getByRole('navigation', { name: 'Main' })
  const menu = nav.getByRole('button', { name: 'Menu' })
  await expect(menu).toHaveAttribute('aria-expanded', 'false')
  await expect(nav.getByRole('link', { name: 'Reports' })).toBeHidden()

  await menu.click()
  await expect(menu).toHaveAttribute('aria-expanded', 'true')
  for (const name of ['Builds', 'Artifacts', 'Lineage', 'Reproducibility', 'Signatures', 'Alerts', 'Reports']) {
    await expect(nav.getByRole('link', { name })).toBeVisible()
  }
  await page.screenshot({ path: test.info().outputPath('menu-1024.png') })
  await page.keyboard.press('Escape')
  await expect(menu).toHaveAttribute('aria-expanded', 'false')
  await expect(menu).toBeFocused()

  await menu.click()
  await nav.getByRole('link', { name: 'Alerts' }).click()
  await expect(page).toHaveURL(/\/alerts$/)
  await expect(menu).toHaveAttribute('aria-expanded', 'false')
})

for (const screen of [
  {
    name: 'a 390 × 844 phone',
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 3,
  },
  {
    name: '200% zoom of a 1280 × 720 window',
    viewport: { width: 640, height: 360 },
    deviceScaleFactor: 2,
  },
]) {
  test.describe(`on ${screen.name}`, () => {
    test.use({
      viewport: screen.viewport,
      deviceScaleFactor: screen.deviceScaleFactor,
    })

    test('the lists keep status and time on screen, with no sideways scrolling', async ({ demoServer: server, demoPage: page }) => {
      for (const [path, name] of [
        ['/builds', 'Builds'],
        ['/signatures', 'Signatures'],
      ] as const) {
        await page.goto(`${server.url}${path}`)
        const table = page.getByRole('table', { name })
        await expect(table.getByRole('row').nth(3)).toBeVisible()
        await table.scrollIntoViewIfNeeded()
        await page.screenshot({
          path: test.info().outputPath(`${name.toLowerCase()}-${screen.viewport.width}.png`),
        })
        await expectNoSidewaysScroll(page)
        await expectStatusAndTimeOnScreen(page, table, STATUS)
        const end = await documentEnd(page)
        expect(end.scrollHeight).toBeLessThanOrEqual(Math.ceil(end.footerBottom) + 1)
      }
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Menu' })).toBeVisible()
    })

    test('the other screens fit the width too, with no sideways scrolling', async ({ demoServer: server, demoPage: page }) => {
      // Each screen with what shows it has its data (the alert queue's rows ran off a phone's screen).
      for (const [path, ready] of [
        ['/', page.getByRole('heading', { level: 2 }).first()],
        ['/artifacts', page.getByRole('table').getByRole('row').nth(3)],
        ['/reproducibility', page.getByRole('heading', { level: 2 }).first()],
        ['/alerts', page.getByRole('checkbox', { name: /^Select / }).nth(3)],
        ['/reports', page.getByRole('button', { name: 'Make the report' })],
        ['/sources', page.getByText('No sources are configured')],
        ['/log', page.getByRole('region', { name: 'Latest checkpoint' })],
        ['/search?q=acme', page.getByRole('list', { name: 'Search results' })],
      ] as const) {
        await page.goto(`${server.url}${path}`)
        await expect(ready, path).toBeVisible()
        await expectNoSidewaysScroll(page)
      }
      // An alert's own page, whose builds each show the digest expected and the one found: the table scrolls, the page not.
      await page.goto(`${server.url}/alerts?rule=rebuild-mismatch`)
      await page.locator('.alert-row a').first().click()
      await expect(page.getByRole('table', { name: 'The most recent builds that showed this cause' }).getByRole('columnheader', { name: 'Expected' })).toBeAttached()
      await expectNoSidewaysScroll(page)
    })
  })
}

test('a printed Build page has no navigation or search, and absolute UTC times', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/builds`)
  const first = page.getByRole('table', { name: 'Builds' }).getByRole('row').nth(1)
  await first.getByRole('link').first().click()
  await expect(page).toHaveURL(/\/builds\/[^/]+$/)
  await expectPrintable(page, 'print-build.png')
})

test('the Record page pairs each label with its value, without overlap', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/log`)
  const card = page.getByRole('region', { name: 'Latest checkpoint' })
  const terms = card.getByRole('term')
  const definitions = card.getByRole('definition')
  await expect(terms).toHaveCount(3)
  for (const index of [0, 1, 2]) {
    const term = await terms.nth(index).boundingBox()
    const definition = await definitions.nth(index).boundingBox()
    if (!term || !definition) throw new Error('a checkpoint fact is not laid out')
    // The value sits below its label, in the same column.
    expect(definition.y, `fact ${index + 1}: value below its label`).toBeGreaterThanOrEqual(term.y + term.height - 1)
    expect(Math.abs(definition.x - term.x), `fact ${index + 1}: same column`).toBeLessThanOrEqual(1)
  }
})

test('a failed badge shows its whole check name, and builder ids show the end where they differ', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/builds?status=failed`)
  const table = page.getByRole('table', { name: 'Builds' })
  const badge = table.getByText(/^Failed: \S+$/).first()
  await expect(badge).toBeVisible()
  const cut = await badge.evaluate((element) => element.scrollWidth > element.clientWidth + 1)
  expect(cut, 'the check name is not cut off').toBe(false)

  await page.goto(`${server.url}/builds`)
  const builder = table
    .getByRole('row')
    .nth(1)
    .getByTitle(/^https?:\/\//)
  const endInView = await builder.evaluate((element) => {
    const text = element.firstChild
    if (!(text instanceof Text) || text.length < 3) return false
    const range = document.createRange()
    range.setStart(text, text.length - 3)
    range.setEnd(text, text.length)
    const end = range.getBoundingClientRect()
    const box = element.getBoundingClientRect()
    return end.left >= box.left - 1 && end.right <= box.right + 1
  })
  expect(endInView, 'the end of the builder id is on screen').toBe(true)
})

test('a report’s scope radios sit on their labels’ line, and Compare’s Find button beside its box', async ({ demoServer: server, demoPage: page }) => {
  await page.goto(`${server.url}/reports`)
  const scope = page.getByRole('group', { name: 'Report on' })
  const radios = scope.getByRole('radio')
  await expect(radios).toHaveCount(4)
  for (const index of [0, 1, 2, 3]) {
    const radio = await radios.nth(index).boundingBox()
    const label = await scope.locator('label').nth(index).boundingBox()
    if (!radio || !label) throw new Error('a scope choice is not laid out')
    // A radio's own size, not a text field's box, centred on its label's line.
    expect(radio.height, `choice ${index + 1}: radio height`).toBeLessThanOrEqual(20)
    expect(Math.abs(radio.y + radio.height / 2 - (label.y + label.height / 2)), `choice ${index + 1}: on the label's line`).toBeLessThanOrEqual(2)
  }

  await page.goto(`${server.url}/builds/compare`)
  const picker = page.getByRole('search', { name: 'Find Build A (older)' })
  const box = await picker.getByRole('textbox').boundingBox()
  const find = await picker.getByRole('button', { name: 'Find' }).boundingBox()
  if (!box || !find) throw new Error('the build picker is not laid out')
  expect(find.x, 'Find to the right of the box').toBeGreaterThanOrEqual(box.x + box.width)
  expect(Math.abs(find.y + find.height - (box.y + box.height)), 'level with the box').toBeLessThanOrEqual(1)
})

test('at 1280 px each Signatures cell holds its content: times and their notes, subject names, digests and copy buttons', async ({ demoServer: server, demoPage: page }) => {
  await page.setViewportSize({ width: 1280, height: 900 })
  await page.goto(`${server.url}/signatures`)
  const table = page.getByRole('table', { name: 'Signatures' })
  await expect(table.getByRole('row').nth(10)).toBeVisible()
  const spills = await table.evaluate((element) => {
    const found: string[] = []
    for (const [index, row] of [...element.querySelectorAll('tbody tr')].slice(0, 10).entries()) {
      for (const cell of row.querySelectorAll('td')) {
        const box = cell.getBoundingClientRect()
        // Anything drawn past the cell's right edge spills into the next column (or is cut at the table's edge).
        for (const part of cell.querySelectorAll('*')) {
          const right = part.getBoundingClientRect().right
          if (right > box.right + 1) found.push(`row ${index + 1}, ${cell.className || 'cell'}: "${part.textContent?.trim().slice(0, 30) ?? ''}" ends ${Math.round(right - box.right)} px past it`)
        }
      }
    }
    return found
  })
  expect(spills).toEqual([])
})
