import { Component, createContext, createElement, startTransition, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { Router, UNSAFE_RouteContext as RouteContext, type RouteMatch, type RouteObject } from 'react-router'
import { AppLoading } from './layout/app-loading'
import { outcome, type AppNavigator, type NavigationSnapshot, type Visit } from './navigation'

type NavigationState = { busy: boolean; revalidate: () => void }
const NavigationContext = createContext<NavigationState>({ busy: false, revalidate: () => undefined })
const VisitContext = createContext<Visit | null>(null)

/** Whether a navigation is under way (its code or data still loading), and how to run the current loader again. */
export function useNavigationState(): NavigationState {
  return useContext(NavigationContext)
}

type BoundaryProps = { resetKey: unknown; fallback: (error: unknown) => ReactNode; children: ReactNode }
type BoundaryState = { error: unknown; failed: boolean; resetKey: unknown }

/** Shows `fallback` for an error thrown below, until `resetKey` changes (the next navigation). */
export class ErrorBoundary extends Component<BoundaryProps, BoundaryState> {
  override state: BoundaryState = { error: null, failed: false, resetKey: this.props.resetKey }

  static getDerivedStateFromError(error: unknown): Partial<BoundaryState> {
    return { error, failed: true }
  }

  static getDerivedStateFromProps(props: BoundaryProps, state: BoundaryState): Partial<BoundaryState> | null {
    if (props.resetKey === state.resetKey) return null
    return { error: null, failed: false, resetKey: props.resetKey }
  }

  override render() {
    return this.state.failed ? this.props.fallback(this.state.error) : this.props.children
  }
}

/**
 * The committed screen: its code and its loader have settled (the navigator waits). A failed loader or import is
 * shown as the route's error without being thrown, as a data router does; an error while rendering the page goes
 * to the boundary around it.
 */
function Screen({ routeError }: { routeError: (error: unknown) => ReactNode }) {
  const visit = useContext(VisitContext)
  if (visit === null) throw new Error('a screen rendered outside the router')
  for (const settled of [visit.data.outcome, visit.code.outcome]) if (settled?.ok === false) return routeError(settled.error)
  // The page's component is a module's export, the same object on every render of this screen.
  return createElement(outcome(visit.code))
}

/**
 * The app under React Router's declarative `<Router>`, driven by the navigator (src/app/navigation.ts): the
 * location it renders is the last committed visit's, so the old screen stays until the new one is ready.
 * `layout` renders the screen at its `<Outlet />`, inside `routeError`'s boundary.
 */
export function AppRouter({ navigator, layout, routeError }: { navigator: AppNavigator; layout: ReactNode; routeError: (error: unknown) => ReactNode }) {
  const { visit, busy } = useNavigation(navigator)
  const navigation = useMemo(() => ({ busy, revalidate: navigator.revalidate }), [busy, navigator])
  if (visit === null) return <AppLoading />
  return (
    <NavigationContext value={navigation}>
      <VisitContext value={visit}>
        <Router location={visit.location} navigationType={visit.action} navigator={navigator.history}>
          <Routes visit={visit} layout={layout} routeError={routeError} />
        </Router>
      </VisitContext>
    </NavigationContext>
  )
}

/**
 * The navigator's state, each change rendered as a transition, as React Router's own data router renders its
 * navigations: the screen a navigation brings (a list under a new filter, a new page) is drawn in slices between
 * frames, so the click or key press that started it is answered at the next frame instead of after the whole
 * screen. Screens read their filters through src/lib/search-params.ts, which shows what was chosen meanwhile.
 * (A store read with `useSyncExternalStore` would be rendered at once, whole, in the input's own task.)
 */
function useNavigation(navigator: AppNavigator): NavigationSnapshot {
  const [snapshot, setSnapshot] = useState(navigator.getSnapshot)
  useEffect(() => {
    const update = () => startTransition(() => setSnapshot(navigator.getSnapshot()))
    const unsubscribe = navigator.subscribe(update)
    // What changed between the first render and this subscription (the first screen, loaded meanwhile).
    update()
    return unsubscribe
  }, [navigator])
  return snapshot
}

/** The layout's route: the root every screen renders under, at its `<Outlet />`. */
const LAYOUT_ROUTE: RouteObject = { id: 'layout', path: '/' }

/**
 * The route matches React Router's hooks read (`useParams`, `<Outlet />`, relative paths), as `useRoutes` would
 * provide them for the layout route with the screens as its children: the layout sees its own match and the screen
 * as its outlet, the screen sees both matches. The navigator has matched the screen already, so no second matching
 * runs, and `useRoutes`' rendering (data-router error boundaries and their defaults, 1.5 kB gzip) is left out.
 */
function Routes({ visit, layout, routeError }: { visit: Visit; layout: ReactNode; routeError: (error: unknown) => ReactNode }) {
  const context = useMemo(() => {
    const root: RouteMatch = { params: visit.match.params, pathname: '/', pathnameBase: '/', route: LAYOUT_ROUTE }
    const screen = (
      <RouteContext value={{ outlet: null, matches: [root, visit.match], isDataRoute: false }}>
        <ErrorBoundary resetKey={visit.id} fallback={routeError}>
          <Screen routeError={routeError} />
        </ErrorBoundary>
      </RouteContext>
    )
    return { outlet: screen, matches: [root], isDataRoute: false }
  }, [visit, routeError])
  return <RouteContext value={context}>{layout}</RouteContext>
}
