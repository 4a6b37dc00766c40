import { matchRoutes } from 'react-router'
import { describe, expect, it } from 'vitest'
import { matchScreen } from './navigation'
import { routes } from './routes'

/** An address the pattern matches: each parameter a word, the catch-all two segments. */
const addressOf = (pattern: string) => pattern.replace(/:[\w-]+/g, 'sample').replace(/^\*$|\/\*$/, '/any/where')

const addresses = [
  ...routes.map((route) => addressOf(route.path)),
  '/',
  '/builds/',
  '/builds/compare/',
  '/BUILDS/Compare',
  '/builds/abc',
  '/builds/abc/more',
  '/artifacts/sha256%3Aabc',
  '/alerts/42',
  '/buildsx',
  '/no/such/page',
]

describe('the route table', () => {
  it('hides no route behind an earlier one', () => {
    for (const route of routes) expect(matchScreen(routes, addressOf(route.path))?.route.path).toBe(route.path)
  })

  it("picks, for every address, the screen React Router's ranking (matchRoutes) picks", () => {
    const ranked = routes.map((route) => ({ path: route.path }))
    for (const address of addresses) {
      const [expected] = matchRoutes(ranked, address) ?? []
      const screen = matchScreen(routes, address)
      expect(screen?.route.path, address).toBe(expected?.route.path)
      expect(screen?.match.params, address).toEqual(expected?.params)
      expect(screen?.match.pathname, address).toBe(expected?.pathname)
      expect(screen?.match.pathnameBase, address).toBe(expected?.pathnameBase)
    }
  })

  it('reads parameters decoded, an encoded slash included', () => {
    expect(matchScreen(routes, '/artifacts/sha256%3Aabc')?.match.params).toEqual({ digest: 'sha256:abc' })
    expect(matchScreen(routes, '/builds/a%2Fb')?.match.params).toEqual({ id: 'a/b' })
    expect(matchScreen(routes, '/builds/%E2%9C%93')?.match.params).toEqual({ id: '✓' })
  })

  it('leaves a malformed escape as it came, for the page to refuse', () => {
    expect(matchScreen(routes, '/builds/%E0%A4%A')).toMatchObject({ route: { path: '/builds/:id' }, match: { params: { id: '%E0%A4%A' } } })
  })
})
