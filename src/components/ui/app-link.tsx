import { useContext, type ComponentPropsWithRef, type MouseEvent } from 'react'
import {
  createPath,
  UNSAFE_NavigationContext as NavigationContext,
  useHref,
  useLinkClickHandler,
  useLocation,
  useResolvedPath,
  type Navigator,
  type Path,
} from 'react-router'

export type LinkProps = Omit<ComponentPropsWithRef<'a'>, 'href'> & {
  /** An address inside the app (a `paths` builder's result); external addresses are plain `<a>`s (see SafeLink). */
  to: string
  /** Replace the current history entry instead of adding one (React Router's default: only for the same address). */
  replace?: boolean
  /** History state handed to the next location. */
  state?: unknown
}

/**
 * A link inside the app: a real `<a href>` that a plain click follows through React Router's navigator, while a
 * modified or middle click, or a `target` other than `_self`, is left to the browser (a new tab, a download).
 * Built from React Router's own hooks, as its `Link` is, without the framework-mode prefetching, route discovery
 * and view-transition code `Link` brings along even when a declarative router never uses them: about 3 kB gzip
 * that every screen's first load would carry (see scripts/bundle-budget.ts).
 */
export function Link(props: LinkProps) {
  const { to } = props
  return isAbsolutePath(to) ? <PathLink {...props} to={to} /> : <RelativeLink {...props} />
}

/** An address from the app's root (`/builds`), not a relative one nor another host's (`//host/…`). */
const isAbsolutePath = (to: string) => to.startsWith('/') && !to.startsWith('//')

/**
 * A link to an absolute path (what the `paths` builders give), which depends on no location: it reads only the
 * router's navigator, which stays the same object, so a navigation does not re-render it. A list's memoised rows
 * then stay as they are when a filter changes the address; with React Router's hooks every link of every row
 * re-rendered on each change (100 rows of links: most of a filter change's main-thread time). The app's router has
 * no basename (src/app/router.tsx), so the path is the href.
 */
function PathLink({ to, replace, state, target, onClick, children, ...rest }: LinkProps & { to: string }) {
  const { navigator } = useContext(NavigationContext)
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event)
    // React Router's rule: a plain left click on a link for this window is followed in the app.
    if (event.defaultPrevented || event.button !== 0 || (target && target !== '_self') || event.metaKey || event.altKey || event.ctrlKey || event.shiftKey)
      return
    event.preventDefault()
    // As React Router does: a link to the address already shown replaces its entry rather than adding one.
    const here = (navigator as Navigator & { location?: Path }).location
    if (replace ?? (here !== undefined && createPath(here) === to)) navigator.replace(to, state)
    else navigator.push(to, state)
  }
  return (
    <a {...rest} href={to} target={target} onClick={handleClick}>
      {children}
    </a>
  )
}

/** A link relative to the current route or address: resolved against the location, so it re-renders with it. */
function RelativeLink({ to, replace, state, target, onClick, children, ...rest }: LinkProps) {
  const href = useHref(to)
  const followLink = useLinkClickHandler(to, { replace, state, target })
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event)
    if (!event.defaultPrevented) followLink(event)
  }
  return (
    <a {...rest} href={href} target={target} onClick={handleClick}>
      {children}
    </a>
  )
}

export type NavLinkProps = Omit<LinkProps, 'aria-current'> & {
  /** Only the address itself is current, not the addresses below it. */
  end?: boolean
}

/**
 * A link in the main navigation: `aria-current="page"` while the current address is its own or one below it
 * (`/builds/compare` is under Builds), compared without regard to case, as React Router's `NavLink` does.
 */
export function NavLink(props: NavLinkProps) {
  const { to } = props
  return isAbsolutePath(to) ? <PathNavLink {...props} /> : <RelativeNavLink {...props} />
}

/** A NavLink to an absolute path: its own path is `to` without query or hash, no resolving needed. */
function PathNavLink({ end = false, ...props }: NavLinkProps) {
  const { pathname } = useLocation()
  return <Link {...props} aria-current={isCurrent(pathname, props.to.replace(/[?#].*$/, ''), end) ? 'page' : undefined} />
}

function RelativeNavLink({ end = false, ...props }: NavLinkProps) {
  const { pathname } = useLocation()
  return <Link {...props} aria-current={isCurrent(pathname, useResolvedPath(props.to).pathname, end) ? 'page' : undefined} />
}

/** Whether a link to `target` is current at `pathname`: the same path, or (unless `end`) one below it, in any case. */
function isCurrent(pathname: string, target: string, end: boolean): boolean {
  const own = target.toLowerCase()
  const current = pathname.toLowerCase()
  // A trailing slash on the link's own path is not part of the prefix ('/' is all prefix).
  const length = own !== '/' && own.endsWith('/') ? own.length - 1 : own.length
  return current === own || (!end && current.startsWith(own) && current.charAt(length) === '/')
}
