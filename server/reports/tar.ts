/*
 * A minimal POSIX ustar writer and reader for the report archive: regular files only, names under 100 bytes,
 * every header field fixed (mode 0644, owner 0, the stated mtime), so the same files give the same bytes and
 * any `tar` can unpack it. Written here rather than taken from a library because it is this small and must be
 * deterministic; the reader refuses anything it did not write rather than guessing.
 */

export type TarFile = { name: string; bytes: Uint8Array }

const BLOCK = 512

function field(header: Buffer, offset: number, length: number, text: string): void {
  header.write(text, offset, length, 'ascii')
}

const octal = (value: number, digits: number) => `${value.toString(8).padStart(digits, '0')}\0`

/** The header block of one regular file; the file's bytes and tarPadding(size) follow it. */
export function tarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  if (Buffer.byteLength(name) > 99 || !/^[A-Za-z0-9._/-]+$/.test(name)) throw new Error(`tar: cannot name a file "${name}"`)
  const header = Buffer.alloc(BLOCK)
  field(header, 0, 100, name)
  field(header, 100, 8, octal(0o644, 7))
  field(header, 108, 8, octal(0, 7))
  field(header, 116, 8, octal(0, 7))
  field(header, 124, 12, octal(size, 11))
  field(header, 136, 12, octal(Math.max(0, Math.floor(mtimeSeconds)), 11))
  field(header, 148, 8, '        ')
  field(header, 156, 1, '0')
  field(header, 257, 6, 'ustar\0')
  field(header, 263, 2, '00')
  let sum = 0
  for (const byte of header) sum += byte
  field(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `)
  return header
}

/** Zeros that fill a file's last block. */
export const tarPadding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2)

/** One whole entry: header, bytes, padding. */
export const tarEntry = (file: TarFile, mtimeSeconds: number) => Buffer.concat([tarHeader(file.name, file.bytes.byteLength, mtimeSeconds), Buffer.from(file.bytes), tarPadding(file.bytes.byteLength)])

export function writeTar(files: readonly TarFile[], mtimeSeconds: number): Buffer {
  return Buffer.concat([...files.map((file) => tarEntry(file, mtimeSeconds)), TAR_END])
}

export class TarError extends Error {}

const text = (block: Buffer, offset: number, length: number) => {
  const raw = block.subarray(offset, offset + length)
  const end = raw.indexOf(0)
  return raw.subarray(0, end < 0 ? length : end).toString('ascii')
}

/** Reads the regular files of a ustar archive; throws TarError saying what is wrong and at which byte. */
export function readTar(archive: Uint8Array): TarFile[] {
  const data = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength)
  const files: TarFile[] = []
  let offset = 0
  while (offset + BLOCK <= data.length) {
    const header = data.subarray(offset, offset + BLOCK)
    if (header.every((byte) => byte === 0)) return files
    let sum = 0
    for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 32 : header[index]!
    const stored = Number.parseInt(text(header, 148, 8).trim(), 8)
    if (stored !== sum) throw new TarError(`tar header at byte ${offset} has a wrong checksum`)
    const name = text(header, 0, 100)
    const size = Number.parseInt(text(header, 124, 12).trim(), 8)
    const type = text(header, 156, 1)
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError(`tar entry ${name} has no valid size`)
    if (type !== '0' && type !== '') throw new TarError(`tar entry ${name} is not a regular file`)
    const start = offset + BLOCK
    if (start + size > data.length) throw new TarError(`tar entry ${name} is cut short`)
    files.push({ name, bytes: Uint8Array.from(data.subarray(start, start + size)) })
    offset = start + Math.ceil(size / BLOCK) * BLOCK
  }
  throw new TarError('the archive ends without its end-of-archive blocks')
}
