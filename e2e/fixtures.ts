import { test as base, expect, type Page } from '@playwright/test'
import { startServer, type RunningServer } from '../server/testing/run-server'

type WorkerFixtures = {
  /** A fresh server with a test config that trusts `server.key`. */
  server: RunningServer
}

type TestFixtures = {
  /** Posts documents with the ingest token; returns the parsed answer. */
  ingest: (body: string, contentType?: string) => Promise<{ status: number; body: unknown }>
  /** Fails the test if the page runs any script we did not ship (an alert, a console error from a payload). */
  guardedPage: Page
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
    async ({}, use) => {
      const server = await startServer()
      await use(server)
      await server.stop()
    },
    { scope: 'worker', timeout: 90_000 },
  ],
  ingest: async ({ server, request }, use) => {
    await use(async (body, contentType = 'application/json') => {
      const response = await request.post(`${server.url}/api/v1/attestations`, {
        headers: { authorization: `Bearer ${server.ingestToken}`, 'content-type': contentType },
        data: body,
      })
      return { status: response.status(), body: await response.json() }
    })
  },
  guardedPage: async ({ page }, use) => {
    const dialogs: string[] = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
    await use(page)
    expect(dialogs, 'no dialog may open: a dialog means a payload ran').toEqual([])
  },
})

export { expect }
