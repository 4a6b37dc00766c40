import { startTransition, useCallback, useContext, useMemo, useOptimistic } from 'react'
import { UNSAFE_NavigationContext as NavigationContext, useLocation } from 'react-router'

/** Sets a screen's search parameters: a new history entry, or (`replace`) the current one changed. */
export type SetSearchParams = (next: URLSearchParams | string | Record<string, string>, options?: { replace?: boolean }) => void

/**
 * A screen's search parameters and their setter, handed to the parts of the screen that show or change them: each
 * call of `useSearchParams` holds its own optimistic value, so a screen calls it once.
 */
export type SearchParamsState = { searchParams: URLSearchParams; setSearchParams: SetSearchParams }

/**
 * Resolves once the browser has drawn the next frame (a task after its animation frame), or after 100 ms in any
 * case: a hidden tab draws no frames, and its navigation must not wait for the tab to be shown.
 */
function afterNextPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, 100)
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback)
        resolve()
      }, 0),
    )
  })
}

/**
 * React Router's `useSearchParams`, for a screen whose filters live in the address: what a control sets is shown at
 * once, and the navigation it makes follows as a transition (the app's router renders navigations that way,
 * src/app/router.tsx), so the input is answered at the next frame while the screen under the new address is drawn
 * in slices. Until that navigation commits, the parameters returned are the ones just set (React's optimistic
 * state): a select shows the option picked rather than springing back to the address's, and a second control
 * changed meanwhile builds on the first instead of on the address not yet updated.
 *
 * Each call holds its own optimistic value: a screen calls it once and hands the result to its parts
 * (`SearchParamsState`). The setter is one function for the screen's life, so a part of the screen that is handed
 * it (a "Clear filters" button in the results) need not render again when a filter changes. As React Router's own,
 * it navigates to the same path with the new query, and no hash.
 */
export function useSearchParams(): [URLSearchParams, SetSearchParams] {
  const { pathname, search } = useLocation()
  const { navigator } = useContext(NavigationContext)
  const address = useMemo(() => new URLSearchParams(search), [search])
  const [shown, show] = useOptimistic(address)
  const set = useCallback<SetSearchParams>(
    (init, options) => {
      const next = new URLSearchParams(init)
      startTransition(async () => {
        show(next)
        // The frame showing the choice is drawn before the navigation starts (the address, the screen's loader,
        // the router): the input is answered by it, and the rest follows. The optimistic parameters hold until the
        // navigation, a transition of its own made meanwhile, has committed: React entangles it with this one.
        await afterNextPaint()
        const query = next.toString()
        const to = { pathname, search: query === '' ? '' : `?${query}` }
        if (options?.replace === true) navigator.replace(to)
        else navigator.push(to)
      })
    },
    [show, navigator, pathname],
  )
  return [shown, set]
}
