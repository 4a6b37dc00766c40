import { execFile } from 'node:child_process'
import {
  accessSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
} from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

export type PgCluster = {
  /** URL of an empty database created for the caller. */
  url: string
  /** Creates another empty database on the same cluster, so tests can be isolated cheaply. */
  createDatabase(name: string): Promise<string>
  /** Stops the server and deletes its files. */
  stop(): Promise<void>
  /** Shuts the server down (as an operator's restart does), keeping its files, until `resume`. */
  halt(): Promise<void>
  /** Starts the halted server again on the same port and files. */
  resume(): Promise<void>
  /** The directory of the server binaries, where psql and pg_dump are too. */
  bin: string
}

export type PgClusterOptions = {
  /**
   * Keep the cluster in this directory (it must be reachable by the `postgres` user when running as root): created
   * on first use, started again with its data on the next, and `stop` leaves the files. Benches fill it once.
   */
  dir?: string
}

export const installHint =
  'PostgreSQL server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin. ' +
  'Install them with: apt-get install -y postgresql'

/**
 * Starts a throwaway PostgreSQL cluster in a temp directory, so the store's tests run against the real
 * engine without any shared server. fsync is off: the data is deleted at the end anyway.
 */
export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = findServerBin()
  if (bin === null) throw new Error(installHint)

  const kept = options.dir !== undefined
  const root = options.dir ?? mkdtempSync(join(tmpdir(), 'provenance-pg-'))
  const dataDir = join(root, 'data')
  const socketDir = join(root, 'sock')
  const logFile = join(root, 'server.log')
  const existing = kept && existsSync(join(dataDir, 'PG_VERSION'))
  mkdirSync(socketDir, { recursive: true })
  // initdb refuses to run as root; as root, hand the directory to the Debian `postgres` user and run as it.
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const { uid, gid } = await postgresUser()
    for (const path of [root, socketDir]) chownSync(path, uid, gid)
  }
  const exec = async (tool: string, args: string[]) => {
    const file = join(bin, tool)
    const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args]
    try {
      // cwd must be readable by the postgres user, which the caller's cwd may not be.
      return await run(command, argv, { cwd: root, timeout: 60_000 })
    } catch (error) {
      throw new Error(`${tool} ${args.join(' ')} failed: ${errorText(error)} (log: ${logFile})`, { cause: error })
    }
  }

  try {
    if (!existing) await exec('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'])
    // A kept cluster left running by a killed run is stopped first, so it starts on this run's port.
    if (existing && existsSync(join(dataDir, 'postmaster.pid'))) await exec('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w']).catch(() => undefined)
    const port = await freePort()
    const start = () =>
      exec('pg_ctl', [
        'start', '-w', '-t', '30', '-D', dataDir, '-l', logFile,
        '-o', `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      ])
    await start()
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`
    const createDatabase = async (name: string): Promise<string> => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name "${name}" must be a plain identifier`)
      const client = new pg.Client({ connectionString: adminUrl })
      // Without a listener a dropped connection would be an uncaught 'error' event.
      client.on('error', () => undefined)
      await client.connect()
      try {
        const found = await client.query('select 1 from pg_database where datname = $1', [name])
        if (!kept || found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`)
      } finally {
        await client.end()
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`
    }
    const url = await createDatabase('provenance_test')
    return {
      url,
      bin,
      createDatabase,
      // Fast shutdown: sessions are ended, as when PostgreSQL is restarted under running servers.
      halt: async () => void (await exec('pg_ctl', ['stop', '-D', dataDir, '-m', 'fast', '-w'])),
      resume: async () => void (await start()),
      async stop() {
        try {
          // A halted cluster has nothing to stop.
          if (existsSync(join(dataDir, 'postmaster.pid'))) await exec('pg_ctl', ['stop', '-D', dataDir, '-m', kept ? 'fast' : 'immediate', '-w'])
        } finally {
          if (!kept) rmSync(root, { recursive: true, force: true })
        }
      },
    }
  } catch (error) {
    // Leave nothing running and nothing behind when start-up fails half way.
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      await exec('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate']).catch(() => undefined)
    }
    if (!kept) rmSync(root, { recursive: true, force: true })
    throw error
  }
}

/** The directory holding initdb and pg_ctl: PATH first, else the newest Debian-packaged version. */
function findServerBin(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue
    const initdb = join(dir, 'initdb')
    if (!isExecutable(initdb)) continue
    // Debian puts symlinks on PATH; pg_ctl must come from the same installation as initdb.
    const real = dirname(realpathSync(initdb))
    if (isExecutable(join(real, 'pg_ctl'))) return real
  }
  const debian = '/usr/lib/postgresql'
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+(\.\d+)?$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : []
  for (const version of versions) {
    const dir = join(debian, version, 'bin')
    if (isExecutable(join(dir, 'initdb')) && isExecutable(join(dir, 'pg_ctl'))) return dir
  }
  return null
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])])
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
  } catch (error) {
    throw new Error(
      `running as root, so PostgreSQL must run as the "postgres" user, which does not exist (${errorText(error)}). ` +
        'Install the server package, which creates it: apt-get install -y postgresql',
      { cause: error },
    )
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port)
        else reject(new Error('could not determine a free port'))
      })
    })
  })
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const stderr = 'stderr' in error && typeof error.stderr === 'string' ? error.stderr.trim() : ''
    return stderr === '' ? error.message : `${error.message}\n${stderr}`
  }
  return String(error)
}
