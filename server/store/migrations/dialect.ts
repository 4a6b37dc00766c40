/** The column types that differ between the engines; every migration is written once against these. */
export type Dialect = {
  blob: 'blob' | 'bytea'
  /** SQLite's INTEGER is already 64-bit; PostgreSQL needs bigint for milliseconds since the epoch. */
  int64: 'integer' | 'bigint'
}
