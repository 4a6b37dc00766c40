import { test as base, expect, type Page } from '@playwright/test'
import { DEMO_END } from '../demo/model'
import { startServer, type RunningServer } from '../server/testing/run-server'

type WorkerFixtures = {
  /** Whether `server` refuses reads without a token (auth.readRequiresToken); set per file with `test.use`. */
  readRequiresToken: boolean
  /** A fresh server with an empty store and a test config that trusts `server.key`. */
  server: RunningServer
  /** The server as `npm start` runs it: no config, so it seeds the demo (builds, CI telemetry, rebuilds). Read only. Its clock moves with `moveClock`. */
  demoServer: RunningServer
}

type TestFixtures = {
  /** Posts documents with the ingest token; returns the parsed answer. */
  ingest: (body: string, contentType?: string) => Promise<{ status: number; body: unknown }>
  /** Fails the test if the page runs any script we did not ship (an alert, a console error from a payload). */
  guardedPage: Page
  /** A page whose clock stands just after the demo's fixed "now", so "the last 30 days" are the demo's days. */
  demoPage: Page
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  // A worker option: files that set it get workers of their own, so no server is shared across settings.
  readRequiresToken: [false, { scope: 'worker', option: true }],
  server: [
    async ({ readRequiresToken }, use) => {
      const server = await startServer({ readRequiresToken })
      await use(server)
      await server.stop()
    },
    { scope: 'worker', timeout: 200_000 },
  ],
  demoServer: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the fixtures argument to be destructured
    async ({}, use) => {
      // A clock the tests can move (server.moveClock), so a waiver runs out without waiting for it.
      const server = await startServer({ demo: true, clock: true })
      await use(server)
      await server.stop()
    },
    // Seeding the demo (1,600 builds, their traces, rebuilds, SBOMs, deployments and alerts) takes a while on a
    // loaded 2-core machine; startServer itself gives up after 180 s with the server's output.
    { scope: 'worker', timeout: 200_000 },
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
  demoPage: async ({ page }, use) => {
    await page.clock.setFixedTime(new Date(DEMO_END + 3_600_000))
    await use(page)
  },
})

export { expect }
