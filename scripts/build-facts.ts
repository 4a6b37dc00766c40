import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

/*
 * What the SBOM and the provenance say about a build, read from the checkout: the files in dist/, the commit they
 * came from, the lockfile. Nothing here reads the clock, the host name or an absolute path, so two builds of one
 * commit describe themselves in the same bytes.
 */

export type SourceFacts = {
  /** Full commit id of HEAD, or null outside a git checkout. */
  commit: string | null
  /** SOURCE_DATE_EPOCH: from the environment when set, else HEAD's commit time; null when neither exists. */
  epoch: number | null
  /** Paths of tracked files changed since HEAD: a build from a modified tree is not a build of the commit. */
  modified: string[]
}

/** git's output as written (porcelain status lines start with a space, so nothing is trimmed), or null without git. */
function git(root: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
  } catch {
    return null
  }
}

const Epoch = z
  .string()
  .regex(/^\d{1,12}$/, 'SOURCE_DATE_EPOCH must be whole seconds since 1970 (e.g. git log -1 --format=%ct)')
  .transform(Number)

export function readSource(root: string, env: NodeJS.ProcessEnv = process.env): SourceFacts {
  const commit = git(root, ['rev-parse', '--verify', 'HEAD'])?.trim() ?? null
  const fromEnv = env.SOURCE_DATE_EPOCH ? Epoch.parse(env.SOURCE_DATE_EPOCH) : null
  const fromGit = commit ? Number(git(root, ['log', '-1', '--format=%ct', 'HEAD'])) : null
  // -z: one NUL-ended entry a path, never quoted; a rename's old path follows as an entry of its own.
  const status = commit ? (git(root, ['status', '--porcelain', '-z', '--untracked-files=no']) ?? '') : ''
  const modified = status
    .split('\0')
    .filter((entry) => /^[ MADRCUT?!]{2} /.test(entry))
    .map((entry) => entry.slice(3))
    .sort()
  return { commit, epoch: fromEnv ?? (fromGit !== null && Number.isFinite(fromGit) ? fromGit : null), modified }
}

/** The fields of package-lock.json (v2/v3) the SBOM and provenance use. */
const LockPackage = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  resolved: z.string().optional(),
  integrity: z.string().optional(),
  license: z.string().optional(),
  dev: z.boolean().optional(),
  optional: z.boolean().optional(),
  devOptional: z.boolean().optional(),
  link: z.boolean().optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  optionalDependencies: z.record(z.string(), z.string()).optional(),
  peerDependencies: z.record(z.string(), z.string()).optional(),
})
export type LockPackage = z.infer<typeof LockPackage>

const Lockfile = z.object({
  name: z.string(),
  version: z.string(),
  lockfileVersion: z.union([z.literal(2), z.literal(3)], { message: 'package-lock.json must be lockfileVersion 2 or 3 (npm 7 or newer)' }),
  packages: z.record(z.string(), LockPackage),
})
export type Lockfile = z.infer<typeof Lockfile>

export function readLockfile(root: string): Lockfile {
  const result = Lockfile.safeParse(JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')))
  if (!result.success) throw new Error(`package-lock.json: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`)
  return result.data
}

/** One installed package of the lockfile: where it sits in node_modules and what it is. */
export type LockedPackage = { path: string; name: string; version: string; entry: LockPackage }

/** The lockfile's packages (not the root, not links), sorted by path. `node_modules/a/node_modules/@s/b` is `@s/b`. */
export function lockedPackages(lock: Lockfile): LockedPackage[] {
  return Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.link !== true && entry.version !== undefined)
    .map(([path, entry]) => ({ path, name: entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: entry.version ?? '', entry }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** A package URL (purl) for an npm package: the scope is the namespace, its `@` percent-encoded. */
export function npmPurl(name: string, version: string): string {
  const [scope, bare] = name.startsWith('@') ? [name.slice(0, name.indexOf('/')), name.slice(name.indexOf('/') + 1)] : [null, name]
  const namespace = scope ? `${encodeURIComponent(scope)}/` : ''
  return `pkg:npm/${namespace}${encodeURIComponent(bare)}@${encodeURIComponent(version)}`
}

/** npm's integrity string (`sha512-<base64>`, several separated by spaces) as an in-toto digest set in hex. */
export function integrityDigest(integrity: string | undefined): Record<string, string> {
  const digest: Record<string, string> = {}
  for (const part of (integrity ?? '').split(/\s+/)) {
    const match = /^(sha1|sha256|sha384|sha512)-([A-Za-z0-9+/=]+)$/.exec(part)
    if (match?.[1] && match[2]) digest[match[1]] = Buffer.from(match[2], 'base64').toString('hex')
  }
  return digest
}

/** The package.json fields the attestations name the program by. */
export function readPackageJson(root: string): { name: string; version: string; dependencies: Record<string, string> } {
  return z
    .object({ name: z.string(), version: z.string(), dependencies: z.record(z.string(), z.string()).default({}) })
    .parse(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')))
}
