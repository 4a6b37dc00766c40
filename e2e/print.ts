import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'

/**
 * What a printed page must be: no navigation or search, and times absolute in UTC instead of "4 days ago". Checks the
 * open page in print media (keeping a screenshot under `name`), then puts it back on screen, navigation shown again.
 */
export async function expectPrintable(page: Page, name: string): Promise<void> {
  const relative = page.getByRole('main').getByText(/ ago$/).first()
  await expect(relative).toBeVisible()

  await page.emulateMedia({ media: 'print' })
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
  await expect(page.getByRole('searchbox')).toBeHidden()
  await expect(relative).toBeHidden()
  await expect(page.getByRole('main').getByText(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/).first()).toBeVisible()
  await page.screenshot({ path: test.info().outputPath(name), fullPage: true })

  await page.emulateMedia({ media: 'screen' })
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
}
