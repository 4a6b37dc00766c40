// How checks and errors write what they found: every Sigstore step words times, bytes and causes the same way.

export const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z')
export const hex = (bytes: Buffer) => bytes.toString('hex')
export const shortHex = (value: string) => (value.length > 16 ? `${value.slice(0, 16)}…` : value)
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))
