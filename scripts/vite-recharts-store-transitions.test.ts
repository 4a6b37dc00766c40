import { mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bundleForNode } from './vite-bundle-for-node'
import { rechartsStoreTransitions } from './vite-recharts-store-transitions'

const dir = mkdtempSync(join(tmpdir(), 'recharts-store-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
// By path: the entry lives in a temporary folder, where recharts cannot be resolved by name.
const hooks = JSON.stringify(createRequire(import.meta.url).resolve('recharts/es6/state/hooks.js'))

describe('rechartsStoreTransitions', () => {
  it("gives recharts' store hook our transition-rendered one in place of use-sync-external-store's", async () => {
    const lines = [`export { useAppSelector } from ${hooks}`]
    const [plain, redirected] = await Promise.all([
      bundleForNode(dir, 'plain', lines, []),
      bundleForNode(dir, 'redirected', lines, [rechartsStoreTransitions()]),
    ])
    expect(plain.code).toContain('node_modules/use-sync-external-store/')
    expect(redirected.code).not.toContain('node_modules/use-sync-external-store/')
    expect(redirected.code).toContain('src/lib/store-in-transitions.ts')
    expect(redirected.code).toMatch(/startTransition\)?\(\(\) => redraw\(\)\)/)
    expect(typeof redirected.module.useAppSelector).toBe('function')
  })
})
