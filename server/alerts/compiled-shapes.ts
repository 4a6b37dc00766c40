import type { Compilable, CompiledQuery, QueryExecutor } from 'kysely'

/*
 * Evaluation runs the same two dozen statements after every ingest request, and Kysely builds and compiles each one
 * afresh: the operation tree, a parse of every inserted row's columns, the SQL text. That was about a fifth of what
 * the rules added to ingest. A shape is such a statement built and compiled once, with numbered slots where its values
 * go; running it again binds new values into the same places of the same text (and so reuses the prepared statement).
 * The text is Kysely's own, from the store's dialect, so SQLite and PostgreSQL get exactly what a fresh build would.
 */

/** A slot's value while the shape is compiled: text no caller's value can equal (it starts with a NUL). */
const SLOT = '\u0000slot:'

export type Shape = {
  /** The compiled statement with `values[i]` in slot i (a value the statement fixed at build time stays). */
  bind(values: readonly unknown[]): CompiledQuery
}

/**
 * Compiles `build`'s statement once. `slot(i)` stands for the i-th value; every slot from 0 to the highest used must
 * reach the statement as a parameter, or this throws (a slot Kysely wrote into the text itself cannot be bound later).
 */
export function compileShape(build: (slot: <T>(index: number) => T) => Compilable): Shape {
  let count = 0
  const compiled = build(<T>(index: number): T => {
    count = Math.max(count, index + 1)
    // The marker is text; the statement only carries it to the parameters, whatever the column's type.
    return `${SLOT}${index}` as unknown as T
  }).compile()
  const positions = compiled.parameters.map((parameter) => (typeof parameter === 'string' && parameter.startsWith(SLOT) ? Number(parameter.slice(SLOT.length)) : -1))
  const bound = new Set(positions)
  for (let index = 0; index < count; index++) if (!bound.has(index)) throw new Error(`slot ${index} is not a parameter of: ${compiled.sql}`)
  return {
    bind: (values) => {
      if (values.length !== count) throw new RangeError(`the statement has ${count} slots, given ${values.length} values: ${compiled.sql}`)
      return { ...compiled, parameters: positions.map((position, index) => (position < 0 ? compiled.parameters[index] : values[position])) }
    },
  }
}

/** Shapes kept by a name that says everything their text depends on (a list's length, say); one cache per store. */
export function shapeCache(): (name: string, build: (slot: <T>(index: number) => T) => Compilable) => Shape {
  const shapes = new Map<string, Shape>()
  return (name, build) => {
    let shape = shapes.get(name)
    if (shape === undefined) {
      shape = compileShape(build)
      shapes.set(name, shape)
    }
    return shape
  }
}

export type ShapeCache = ReturnType<typeof shapeCache>

/*
 * The shapes of one kind of store. A shape's text and parameters depend only on how the dialect compiles (its adapter
 * and query compiler, which come together) and on the plugins that rewrite queries; the stores this server opens have
 * none. So stores of one dialect without plugins share their shapes: a process that opens a store again (tests, the
 * bench's fresh store each round, a restart of the store in place) does not compile the same statements again. A
 * handle with plugins keeps a cache of its own.
 */
const stores = new WeakMap<object, ShapeCache>()
export function shapesOf(db: { getExecutor(): QueryExecutor }): ShapeCache {
  const executor = db.getExecutor()
  const key: object = executor.plugins.length === 0 ? executor.adapter.constructor : db
  let cache = stores.get(key)
  if (cache === undefined) {
    cache = shapeCache()
    stores.set(key, cache)
  }
  return cache
}
