import fc from 'fast-check'

/**
 * Documents like a given one with a single value changed anywhere in it: replaced by arbitrary JSON, removed,
 * or, for strings, one character altered. What the property tests of every reader feed it.
 */
export function jsonMutation(document: unknown): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = []
  const walk = (value: unknown, path: (string | number)[]) => {
    paths.push(path)
    if (Array.isArray(value)) value.forEach((item: unknown, index) => walk(item, [...path, index]))
    else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) walk(item, [...path, key])
  }
  walk(document, [])
  const replace = (value: unknown, path: (string | number)[], make: (old: unknown) => unknown): unknown => {
    const [head, ...rest] = path
    if (head === undefined) return make(value)
    if (Array.isArray(value)) return value.map((item: unknown, index) => (index === head ? replace(item, rest, make) : item))
    if (typeof value === 'object' && value !== null) return { ...value, [head]: replace((value as Record<string, unknown>)[head], rest, make) }
    return value
  }
  return fc
    .tuple(fc.nat({ max: paths.length - 1 }), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)), fc.nat(), fc.boolean())
    .map(([index, replacement, position, flip]) =>
      replace(document, paths[index] ?? [], (old) => {
        if (flip && typeof old === 'string' && old.length > 0) {
          const at = position % old.length
          const char = old[at] === 'A' ? 'B' : 'A'
          return old.slice(0, at) + char + old.slice(at + 1)
        }
        return replacement
      }),
    )
}
