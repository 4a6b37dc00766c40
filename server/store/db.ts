import type { Kysely } from 'kysely'
import type { Database } from './schema'

/** The engines the store runs on; a few queries are written per engine (locks, collation). */
export type StoreKind = 'sqlite' | 'postgres'

/** The Kysely handle every resource's store module queries through. */
export type Db = Kysely<Database>

/** Milliseconds since the epoch as the API writes instants: ISO-8601 in UTC. */
export const instant = (ms: number): string => new Date(ms).toISOString()

/** JSON columns are text in both engines, so they round-trip exactly as written. */
export const parseJson = (text: string): unknown => JSON.parse(text)
