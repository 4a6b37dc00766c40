import { useQuery, useQueryClient } from '@tanstack/react-query'
import { lazy, Suspense, useEffect, useRef, useState, useSyncExternalStore } from 'react'
import { Outlet, useLocation } from 'react-router'
import { tokenStore } from '../../api/token-store'
import { Link, NavLink } from '../../components/ui/app-link'
import { Spinner } from '../../components/ui/spinner'
import { paths } from '../../lib/paths'
import { logQueries } from '../../features/log/log-queries'
import { SearchBox } from '../../features/search/components/search-box'
import { metaQueries } from '../../api/meta-queries'
import { useNavigationState } from '../router'
import { formatCount } from '../../lib/format'

// Most servers never ask for a token; the form loads only when one does.
const TokenForm = lazy(() => import('./token-form').then((module) => ({ default: module.TokenForm })))

const navigation = [
  { to: paths.builds(), label: 'Builds' },
  { to: paths.artifacts(), label: 'Artifacts' },
  { to: paths.lineage(), label: 'Lineage' },
  { to: paths.reproducibility(), label: 'Reproducibility' },
  { to: paths.signatures(), label: 'Signatures' },
  { to: paths.alerts(), label: 'Alerts' },
  { to: paths.reports(), label: 'Reports' },
  { to: paths.sources(), label: 'Sources' },
] as const

export function AppLayout() {
  const auth = useSyncExternalStore(tokenStore.subscribe, tokenStore.getSnapshot)
  const meta = useQuery(metaQueries.server())
  // Waits for meta, so a server that wants a token is asked with one.
  const checkpoint = useQuery({ ...logQueries.checkpoint(), enabled: meta.isSuccess && (!meta.data.readRequiresToken || auth.token !== null) })
  const queryClient = useQueryClient()
  const { busy, revalidate } = useNavigationState()
  const requiresToken = meta.data?.readRequiresToken === true
  // Below the width where every link fits, the links fold behind a Menu button instead of being cut off unseen.
  // The menu is open for the page it was opened on: a link followed from it lands on a page it would cover.
  const { pathname } = useLocation()
  const [menuOpenOn, setMenuOpenOn] = useState<string | null>(null)
  const menuOpen = menuOpenOn === pathname
  const menuButton = useRef<HTMLButtonElement>(null)

  useEffect(() => {
    if (!menuOpen) return
    function closeOnEscape(event: KeyboardEvent) {
      if (event.key !== 'Escape') return
      setMenuOpenOn(null)
      menuButton.current?.focus()
    }
    document.addEventListener('keydown', closeOnEscape)
    return () => document.removeEventListener('keydown', closeOnEscape)
  }, [menuOpen])

  useEffect(() => {
    if (requiresToken) tokenStore.require()
  }, [requiresToken])

  function saveToken(token: string) {
    tokenStore.save(token)
    // Refetch what failed without the token; data already shown stays on screen meanwhile.
    void queryClient.invalidateQueries()
    revalidate()
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="app-header-inner">
          <Link className="brand" to={paths.home()}>
            <span className="brand-mark" aria-hidden="true">
              ◆
            </span>{' '}
            Provenance
          </Link>
          <nav aria-label="Main" className={menuOpen ? 'main-nav is-open' : 'main-nav'}>
            <button
              ref={menuButton}
              type="button"
              className="button button-quiet button-small nav-toggle"
              aria-expanded={menuOpen}
              aria-controls="main-nav-links"
              onClick={() => setMenuOpenOn(menuOpen ? null : pathname)}
            >
              <span aria-hidden="true">☰</span> Menu
            </button>
            <ul id="main-nav-links">
              {navigation.map((item) => (
                <li key={item.to}>
                  <NavLink to={item.to}>{item.label}</NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <SearchBox />
          {auth.token !== null ? (
            <button type="button" className="button button-quiet button-small" onClick={() => tokenStore.forget()}>
              Forget token
            </button>
          ) : null}
        </div>
        <div className={busy ? 'nav-progress is-active' : 'nav-progress'} aria-hidden="true" />
      </header>

      {auth.prompt !== null ? (
        <div className="app-banner">
          <Suspense fallback={null}>
            <TokenForm prompt={auth.prompt} onSave={saveToken} />
          </Suspense>
        </div>
      ) : null}

      <main id="main" className="app-main" aria-busy={busy}>
        <Suspense fallback={<Spinner label="Loading…" />}>
          <Outlet />
        </Suspense>
      </main>

      <footer className="app-footer">
        {meta.data ? (
          <p>
            Provenance API {meta.data.version} · {meta.data.store === 'sqlite' ? 'SQLite' : 'PostgreSQL'} store
            {meta.data.demo ? ' · demo data' : ''}
            {meta.data.readRequiresToken ? ' · reads need a token' : ''}
            {checkpoint.data ? (
              <>
                {' · '}
                <Link to={paths.log()}>
                  Record: {formatCount(checkpoint.data.size)} documents, signed root{' '}
                  <code className="mono">{checkpoint.data.rootHash.slice(0, 12)}</code>
                </Link>
              </>
            ) : null}
          </p>
        ) : meta.isError ? (
          <p>Server details unavailable.</p>
        ) : null}
      </footer>
    </div>
  )
}
