import { sql, type RawBuilder, type SqlBool } from 'kysely'
import type { StoreKind } from './db'

/*
 * Prefix matching as index ranges. A `LIKE 'abc%'` cannot use a B-tree index on PostgreSQL under most
 * collations, so "starts with" is written as `column >= prefix and column < upper bound`, compared bytewise.
 */

/** The column compared bytewise: SQLite does already; PostgreSQL is told to, so ranges mean "starts with". */
export function textKey(kind: StoreKind, column: string): RawBuilder<string> {
  return kind === 'postgres' ? sql<string>`${sql.ref(column)} collate "C"` : sql<string>`${sql.ref(column)}`
}

/** The smallest string greater than every string starting with `prefix`; null when there is none. */
export function prefixUpperBound(prefix: string): string | null {
  const points = Array.from(prefix, (char) => char.codePointAt(0) ?? 0)
  while (points.length > 0) {
    const last = points.pop() ?? 0
    if (last < 0x10ffff) {
      const next = last + 1 >= 0xd800 && last + 1 <= 0xdfff ? 0xe000 : last + 1
      return String.fromCodePoint(...points, next)
    }
  }
  return null
}

/** `column` starts with `prefix`, as an index range. */
export function startsWith(kind: StoreKind, column: string, prefix: string): RawBuilder<SqlBool> {
  const key = textKey(kind, column)
  const upper = prefixUpperBound(prefix)
  return upper === null ? sql<SqlBool>`${key} >= ${prefix}` : sql<SqlBool>`${key} >= ${prefix} and ${key} < ${upper}`
}

/** `column` sorts after `value` (bytewise) and still starts with `prefix`. */
export function between(kind: StoreKind, column: string, value: string, prefix: string): RawBuilder<SqlBool> {
  const key = textKey(kind, column)
  const upper = prefixUpperBound(prefix)
  return upper === null ? sql<SqlBool>`${key} > ${value}` : sql<SqlBool>`${key} > ${value} and ${key} < ${upper}`
}
