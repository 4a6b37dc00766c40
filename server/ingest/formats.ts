import { dsseFormat } from './dsse-format'
import type { FormatHandler } from './format'

/** Every accepted format, most specific first: the first whose `detect` matches reads the document. */
export const formats: readonly FormatHandler[] = [dsseFormat]
