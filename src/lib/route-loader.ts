import type { QueryClient } from '@tanstack/react-query'

/** What a screen's loader is given: the path parameters of its route and the address's query. */
export type LoaderArgs = { params: Readonly<Record<string, string | undefined>>; searchParams: URLSearchParams }

/** Go to another address instead of showing this one (the visited address is replaced, so Back skips it). */
export class Redirect {
  constructor(readonly to: string) {}
}

/**
 * Why an address cannot be shown, whatever the server says: a malformed id, for example. The route's error
 * boundary shows `title` as the heading and the message below it; a status under 500 offers no Retry.
 */
export class RouteProblem extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly title: string,
  ) {
    super(message)
    this.name = 'RouteProblem'
  }
}

/**
 * Starts (or awaits) the queries a screen reads, while its code downloads. A loader that returns a promise holds
 * the navigation until it settles (the screen then renders from the cache); one that returns at once only starts
 * them. Throwing shows the route's error state.
 */
export type Loader = (args: LoaderArgs) => null | Redirect | Promise<null | Redirect>

/** A loader bound to the app's query cache; each screen's lives in its own small module (`<screen>-loader.ts`). */
export type LoaderFactory = (queryClient: QueryClient) => Loader
