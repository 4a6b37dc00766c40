import { QueryClient } from '@tanstack/react-query'
import type { ComponentType } from 'react'
import { UNSAFE_createMemoryHistory as createMemoryHistory } from 'react-router'
import { describe, expect, it } from 'vitest'
import { Redirect, RouteProblem, type Loader, type LoaderArgs } from '../lib/route-loader'
import { createNavigator, outcome, type ScreenRoute } from './navigation'

/** A promise settled from outside, so a test decides when a screen's code or data arrives. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok
    reject = fail
  })
  return { promise, resolve, reject }
}

const Page = (name: string): ComponentType => Object.assign(() => null, { displayName: name })
const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

function setup(routes: ScreenRoute[], url = '/') {
  const history = createMemoryHistory({
    initialEntries: [url],
    v5Compat: true,
  })
  const navigator = createNavigator(history, routes, new QueryClient())
  const shown = () => {
    const visit = navigator.getSnapshot().visit
    return visit === null
      ? null
      : {
          path: visit.location.pathname + visit.location.search + visit.location.hash,
          page: outcome(visit.code).displayName,
        }
  }
  return {
    history,
    navigator,
    shown,
    busy: () => navigator.getSnapshot().busy,
  }
}

describe('the navigator', () => {
  it('starts a screen’s code and its loader together, and keeps the old screen (busy) until both have arrived', async () => {
    const code = deferred<ComponentType>()
    const data = deferred<null>()
    const started: string[] = []
    const routes: ScreenRoute[] = [
      { path: '/', page: () => Promise.resolve(Page('home')) },
      {
        path: '/builds/:id',
        page: () => (started.push('code'), code.promise),
        loader: () => (started.push('loader'), Promise.resolve(() => (args: LoaderArgs) => (started.push(`request ${args.params.id}`), data.promise))),
      },
      { path: '*', page: () => Promise.resolve(Page('not found')) },
    ]
    const { history, shown, busy } = setup(routes)
    await flush()
    expect(shown()).toEqual({ path: '/', page: 'home' })
    expect(busy()).toBe(false)

    history.push('/builds/b-1')
    await flush()
    // The request left before the page's code arrived.
    expect(started).toEqual(['code', 'loader', 'request b-1'])
    expect(shown()).toEqual({ path: '/', page: 'home' })
    expect(busy()).toBe(true)

    code.resolve(Page('build'))
    await flush()
    expect(shown()).toEqual({ path: '/', page: 'home' })
    data.resolve(null)
    await flush()
    expect(shown()).toEqual({ path: '/builds/b-1', page: 'build' })
    expect(busy()).toBe(false)
  })

  it('replaces the address when a loader redirects, so Back skips it', async () => {
    const routes: ScreenRoute[] = [
      { path: '/', page: () => Promise.resolve(Page('home')) },
      {
        path: '/search',
        page: () => Promise.resolve(Page('search')),
        loader: () => Promise.resolve(() => () => new Redirect('/builds/b-7')),
      },
      { path: '/builds/:id', page: () => Promise.resolve(Page('build')) },
    ]
    const { history, shown } = setup(routes)
    await flush()
    history.push('/search?q=b-7')
    await flush()
    await flush()
    expect(shown()).toEqual({ path: '/builds/b-7', page: 'build' })
    history.go(-1)
    await flush()
    expect(shown()).toEqual({ path: '/', page: 'home' })
  })

  it('shows a failed loader as the screen’s error, and runs it again on revalidate', async () => {
    let calls = 0
    const loader: Loader = () => {
      calls += 1
      if (calls === 1) throw new RouteProblem('“x” is not a build id', 400, 'Not a build')
      return null
    }
    const routes: ScreenRoute[] = [
      {
        path: '/builds/:id',
        page: () => Promise.resolve(Page('build')),
        loader: () => Promise.resolve(() => loader),
      },
    ]
    const { navigator } = setup(routes, '/builds/x')
    await flush()
    const failed = navigator.getSnapshot().visit
    expect(failed?.data.outcome).toEqual({
      ok: false,
      error: expect.objectContaining({ title: 'Not a build', status: 400 }),
    })

    navigator.revalidate()
    await flush()
    expect(calls).toBe(2)
    expect(navigator.getSnapshot().visit?.data.outcome).toEqual({
      ok: true,
      value: null,
    })
  })

  it('does not run the loader again when only the hash changes, but does when the query changes', async () => {
    const seen: string[] = []
    const routes: ScreenRoute[] = [
      {
        path: '/builds',
        page: () => Promise.resolve(Page('builds')),
        loader: () => Promise.resolve(() => (args: LoaderArgs) => (seen.push(args.searchParams.toString()), null)),
      },
    ]
    const { history, shown } = setup(routes, '/builds?status=failed')
    await flush()
    history.push('/builds?status=failed#row-3')
    await flush()
    expect(shown()).toEqual({
      path: '/builds?status=failed#row-3',
      page: 'builds',
    })
    expect(seen).toEqual(['status=failed'])
    history.push('/builds?status=passed')
    await flush()
    expect(seen).toEqual(['status=failed', 'status=passed'])
  })

  it('tries a page’s code again on the next visit after its download failed', async () => {
    let attempts = 0
    const routes: ScreenRoute[] = [
      { path: '/', page: () => Promise.resolve(Page('home')) },
      {
        path: '/log',
        page: () => (++attempts === 1 ? Promise.reject(new TypeError('Failed to fetch dynamically imported module')) : Promise.resolve(Page('log'))),
      },
    ]
    const { history, navigator, shown } = setup(routes)
    await flush()
    history.push('/log')
    await flush()
    expect(navigator.getSnapshot().visit?.code.outcome).toEqual({
      ok: false,
      error: expect.any(TypeError),
    })
    history.push('/')
    await flush()
    history.push('/log')
    await flush()
    expect(shown()).toEqual({ path: '/log', page: 'log' })
    expect(attempts).toBe(2)
  })
})
