import type { QueryClient } from '@tanstack/react-query'
import type { ComponentType } from 'react'
import { matchPath, type Location, type NavigationType, type Navigator, type Params, type RouteMatch } from 'react-router'
import { Redirect, type Loader, type LoaderFactory } from '../lib/route-loader'

/**
 * A screen of the app: where it lives, its code and (optionally) its loader, each a lazy module. Both imports
 * start when a navigation to the screen starts, side by side, so its data is requested while its code downloads.
 */
export type ScreenRoute = {
  path: string
  page: () => Promise<ComponentType>
  loader?: () => Promise<LoaderFactory>
}

/** A promise whose outcome can be read synchronously once it has settled. */
export type Tracked<T> = { promise: Promise<unknown>; outcome: { ok: true; value: T } | { ok: false; error: unknown } | null }

function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: Tracked<T> = { promise, outcome: null }
  tracked.promise = promise.then(
    (value) => void (tracked.outcome = { ok: true, value }),
    (error: unknown) => void (tracked.outcome = { ok: false, error }),
  )
  return tracked
}

const fulfilled = <T>(value: T): Tracked<T> => ({ promise: Promise.resolve(), outcome: { ok: true, value } })
const settled = (tracked: Tracked<unknown>) => tracked.outcome !== null

/** The value of a settled promise; throws what it was rejected with. */
export function outcome<T>(tracked: Tracked<T>): T {
  if (tracked.outcome === null) throw new Error('read before it settled')
  if (!tracked.outcome.ok) throw tracked.outcome.error
  return tracked.outcome.value
}

/** One navigation: the address, the matched screen, and its code and data on their way. */
export type Visit = {
  id: number
  location: Location
  action: NavigationType
  route: ScreenRoute
  /** Where the screen's pattern matched (what React Router's `useParams` and relative links read). */
  match: RouteMatch
  params: Params
  code: Tracked<ComponentType>
  data: Tracked<null | Redirect>
}

/** The part of a history object the navigator needs (react-router's browser and memory histories have it). */
export type AppHistory = Navigator & {
  readonly action: NavigationType
  readonly location: Location
  listen(listener: (update: { action: NavigationType; location: Location }) => void): () => void
}

export type NavigationSnapshot = { visit: Visit | null; busy: boolean }

/**
 * The address's path with each segment percent-decoded (an encoded `/` stays `%2F` until the parameter is read), as
 * React Router's `matchRoutes` decodes it before matching: `/artifacts/sha256%3Aab` gives `digest` `sha256:ab`.
 * A malformed escape leaves the path as it came, so it matches nothing more specific than it names.
 */
function decodePathname(pathname: string): string {
  try {
    return pathname
      .split('/')
      .map((segment) => decodeURIComponent(segment).replaceAll('/', '%2F'))
      .join('/')
  } catch {
    return pathname
  }
}

/**
 * The screen for an address: the first route, in the table's order, whose pattern matches the whole path (React
 * Router's `matchPath`: case-insensitive, a trailing slash allowed, `*` matching the rest). The table lists a
 * specific pattern before a general one that would also match it (src/app/routes.test.ts checks that no route is
 * hidden by an earlier one), so the first match is the one React Router's ranking in `matchRoutes` would pick,
 * without the ranking code (about 1 kB gzip on every first load).
 */
export function matchScreen(routes: readonly ScreenRoute[], pathname: string): { route: ScreenRoute; match: RouteMatch } | null {
  const decoded = decodePathname(pathname)
  for (const route of routes) {
    const found = matchPath(route.path, decoded)
    if (found !== null) return { route, match: { params: found.params, pathname: found.pathname, pathnameBase: found.pathnameBase, route: { path: route.path } } }
  }
  return null
}

/**
 * The app's navigation, the part of a data router this app used: on every history change it matches the screen,
 * starts its code and its loader together, and shows the screen only once both have settled, keeping the old
 * screen (and a busy flag for the progress bar) until then. A loader's `Redirect` replaces the address; a failed
 * loader or import is shown by the route's error boundary. Built on React Router's declarative mode, whose
 * components (`Link`, `useSearchParams`, `useParams`…) the screens use, at less than half the data router's size.
 */
export function createNavigator(history: AppHistory, routes: readonly ScreenRoute[], queryClient: QueryClient) {
  const code = new Map<ScreenRoute, Tracked<ComponentType>>()
  const loaders = new Map<ScreenRoute, Tracked<Loader>>()
  const listeners = new Set<() => void>()
  let snapshot: NavigationSnapshot = { visit: null, busy: true }
  let committed: Visit | null = null
  let pending: Visit | null = null
  let nextId = 0

  const publish = () => {
    snapshot = { visit: committed, busy: pending !== null }
    for (const listener of listeners) listener()
  }

  /** The module's promise, kept once it loaded; a failed import is tried again by the next visit. */
  function cached<T>(cache: Map<ScreenRoute, Tracked<T>>, route: ScreenRoute, load: () => Promise<T>): Tracked<T> {
    const known = cache.get(route)
    if (known !== undefined && known.outcome?.ok !== false) return known
    const loading = track(load())
    cache.set(route, loading)
    return loading
  }

  function runLoader(route: ScreenRoute, params: Params, location: Location): Tracked<null | Redirect> {
    const importLoader = route.loader
    if (importLoader === undefined) return fulfilled(null)
    const loader = cached(loaders, route, () => importLoader().then((factory) => factory(queryClient)))
    const args = { params, searchParams: new URLSearchParams(location.search) }
    if (loader.outcome?.ok === true) {
      // Loaded before: start the requests now, and commit at once when the loader does not wait for them.
      try {
        const result = loader.outcome.value(args)
        return result instanceof Promise ? track(result) : fulfilled(result)
      } catch (error) {
        return { promise: Promise.resolve(), outcome: { ok: false, error } }
      }
    }
    return track(loader.promise.then(() => outcome(loader)(args)))
  }

  function navigate(location: Location, action: NavigationType, reload = false) {
    const screen = matchScreen(routes, location.pathname)
    if (screen === null) throw new Error(`no screen matches ${location.pathname}; the route table needs a catch-all`)
    const { route, match } = screen
    const current = pending ?? committed
    // A change of the hash alone (a section link) neither reloads the screen's data nor waits.
    const sameDocument = !reload && current !== null && current.route === route && current.location.pathname === location.pathname && current.location.search === location.search
    const visit: Visit = {
      id: nextId++,
      location,
      action,
      route,
      match,
      params: match.params,
      code: cached(code, route, route.page),
      data: sameDocument ? current.data : runLoader(route, match.params, location),
    }
    if (settled(visit.code) && settled(visit.data)) return commit(visit)
    pending = visit
    publish()
    void Promise.all([visit.code.promise, visit.data.promise]).then(() => {
      if (pending === visit) commit(visit)
    })
  }

  function commit(visit: Visit) {
    pending = null
    const result = visit.data.outcome
    if (result?.ok === true && result.value instanceof Redirect) {
      // The listener starts the next navigation; until it commits, the old screen stays.
      history.replace(result.value.to)
      return
    }
    committed = visit
    publish()
  }

  history.listen(({ action, location }) => navigate(location, action))
  navigate(history.location, history.action)

  return {
    history,
    subscribe: (listener: () => void) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    getSnapshot: () => snapshot,
    /** Runs the current screen's loader again (after a token is given, or on Retry); the screen stays meanwhile. */
    revalidate: () => {
      const current = pending ?? committed
      if (current !== null) navigate(current.location, current.action, true)
    },
  }
}

export type AppNavigator = ReturnType<typeof createNavigator>
