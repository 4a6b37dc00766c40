import { Component, createContext, createElement, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react'
import { Router, useRoutes, type RouteObject } from 'react-router'
import { AppLoading } from './layout/app-loading'
import { outcome, type AppNavigator, type ScreenRoute, type Visit } from './navigation'

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
export function AppRouter({
  navigator,
  routes,
  layout,
  routeError,
}: {
  navigator: AppNavigator
  routes: readonly ScreenRoute[]
  layout: ReactNode
  routeError: (error: unknown) => ReactNode
}) {
  const { visit, busy } = useSyncExternalStore(navigator.subscribe, navigator.getSnapshot)
  const navigation = useMemo(() => ({ busy, revalidate: navigator.revalidate }), [busy, navigator])
  if (visit === null) return <AppLoading />
  return (
    <NavigationContext value={navigation}>
      <VisitContext value={visit}>
        <Router location={visit.location} navigationType={visit.action} navigator={navigator.history}>
          <Routes routes={routes} layout={layout} routeError={routeError} resetKey={visit.id} />
        </Router>
      </VisitContext>
    </NavigationContext>
  )
}

/** The route tree for React Router's hooks (`useParams`, `<Outlet />`): the layout, and every screen inside it. */
function Routes({ routes, layout, routeError, resetKey }: { routes: readonly ScreenRoute[]; layout: ReactNode; routeError: (error: unknown) => ReactNode; resetKey: number }) {
  const tree = useMemo<RouteObject[]>(() => {
    const screen = (
      <ErrorBoundary resetKey={resetKey} fallback={routeError}>
        <Screen routeError={routeError} />
      </ErrorBoundary>
    )
    return [{ path: '/', element: layout, children: routes.map((route): RouteObject => (route.path === '/' ? { index: true, element: screen } : { path: route.path, element: screen })) }]
  }, [routes, layout, routeError, resetKey])
  return useRoutes(tree)
}
