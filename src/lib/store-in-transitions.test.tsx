import { act, render, screen } from '@testing-library/react'
import { useLayoutEffect, type ReactNode } from 'react'
import { describe, expect, it } from 'vitest'
import { useSyncExternalStoreWithSelector } from './store-in-transitions'

type State = { count: number; label: string }

/** A store as recharts' is to the hook: a state replaced on each change, and listeners told of it. */
function createStore(initial: State) {
  let state = initial
  const listeners = new Set<() => void>()
  return {
    getState: () => state,
    subscribe: (listener: () => void) => {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    set(next: Partial<State>) {
      state = { ...state, ...next }
      for (const listener of listeners) listener()
    },
    listeners,
  }
}

type Store = ReturnType<typeof createStore>
const selectCount = (state: State) => state.count
const selectPair = (state: State) => ({ count: state.count })
const samePair = (a: { count: number }, b: { count: number }) => a.count === b.count

function Count({ store, children }: { store: Store; children?: ReactNode }) {
  const count = useSyncExternalStoreWithSelector(store.subscribe, store.getState, undefined, selectCount)
  return (
    <p>
      count {count}
      {children}
    </p>
  )
}

describe('useSyncExternalStoreWithSelector, store changes rendered as transitions', () => {
  it('shows the selection of the store as it is, and draws again when the store changes', () => {
    const store = createStore({ count: 1, label: 'a' })
    render(<Count store={store} />)
    expect(screen.getByText('count 1')).toBeTruthy()
    act(() => store.set({ count: 2 }))
    expect(screen.getByText('count 2')).toBeTruthy()
  })

  it('draws again only when its selection changes, keeping the same object while isEqual says it is the same', () => {
    const store = createStore({ count: 1, label: 'a' })
    const seen: { count: number }[] = []
    function Pair(_: { drawnBy: number }) {
      seen.push(useSyncExternalStoreWithSelector(store.subscribe, store.getState, undefined, selectPair, samePair))
      return null
    }
    const { rerender } = render(<Pair drawnBy={0} />)
    // The label is not selected: nothing to draw.
    act(() => store.set({ label: 'b' }))
    expect(seen).toHaveLength(1)
    // Drawn by its parent after that change: a new object from the selector, the same by isEqual, so the last one.
    rerender(<Pair drawnBy={1} />)
    expect(seen).toHaveLength(2)
    expect(seen[1]).toBe(seen[0])
    act(() => store.set({ count: 5 }))
    expect(seen).toHaveLength(3)
    expect(seen[2]).toEqual({ count: 5 })
  })

  it('sees a change made after it rendered but before it subscribed (by an effect below it)', () => {
    const store = createStore({ count: 1, label: 'a' })
    function Bump() {
      useLayoutEffect(() => store.set({ count: 7 }), [])
      return null
    }
    act(() => {
      render(
        <Count store={store}>
          <Bump />
        </Count>,
      )
    })
    expect(screen.getByText('count 7')).toBeTruthy()
  })

  it('stops listening once unmounted', () => {
    const store = createStore({ count: 1, label: 'a' })
    const { unmount } = render(<Count store={store} />)
    expect(store.listeners.size).toBe(1)
    unmount()
    expect(store.listeners.size).toBe(0)
  })
})
