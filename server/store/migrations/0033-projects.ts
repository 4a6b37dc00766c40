import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreKind } from '../db'
import { allOrNothing, type Dialect } from './dialect'

/**
 * Projects counted as builds arrive (issue 16): `project_totals` holds per project the number of builds, the newest
 * build's time and the greatest repository name, so the projects list reads one row per project instead of one
 * index entry per build (29 ms on SQLite and 42 ms on PostgreSQL at 100,000 builds, growing with every build).
 *
 * Kept by a trigger on each new build row, in the inserting transaction, on both engines, whichever code path
 * inserts (ingest, a bulk copy, an older server during a rolling upgrade), as migration 0029 does for rebuild
 * verdicts. The fields counted (project, time, repository) are never updated (re-verification changes `status`
 * only), and builds are never deleted. The repository is the greatest one by the engine's own text order, as
 * max(source_repo) over the builds was; a build without one leaves it as it was.
 *
 * Existing databases are backfilled with one grouped read of `builds`, in the migration's transaction.
 */
export function projectTotalsMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await allOrNothing(kind, db, () => createProjectTotals(db, kind, t))
    },
    async down(db: Kysely<unknown>) {
      if (kind === 'sqlite') {
        await sql`drop trigger if exists project_totals_count`.execute(db)
      } else {
        await sql`drop trigger if exists project_totals_count on builds`.execute(db)
        await sql`drop function if exists project_totals_count()`.execute(db)
      }
      await db.schema.dropTable('project_totals').ifExists().execute()
    },
  }
}

async function createProjectTotals(db: Kysely<unknown>, kind: StoreKind, t: Dialect): Promise<void> {
  await db.schema
    .createTable('project_totals')
    .addColumn('project', 'text', (c) => c.primaryKey())
    .addColumn('builds', t.int64, (c) => c.notNull())
    .addColumn('last_time', t.int64, (c) => c.notNull())
    .addColumn('source_repo', 'text')
    .execute()

  if (kind === 'sqlite') {
    // SQLite's two-argument max() is null when either is; coalesce keeps whichever repository is known.
    await sql`
      create trigger project_totals_count after insert on builds begin
        insert into project_totals (project, builds, last_time, source_repo) values (new.project, 1, new.time, new.source_repo)
          on conflict (project) do update set
            builds = builds + 1,
            last_time = max(last_time, excluded.last_time),
            source_repo = coalesce(max(source_repo, excluded.source_repo), source_repo, excluded.source_repo);
      end`.execute(db)
  } else {
    // greatest() skips nulls, as max() does.
    await sql`
      create function project_totals_count() returns trigger language plpgsql as $$
      begin
        insert into project_totals (project, builds, last_time, source_repo) values (new.project, 1, new.time, new.source_repo)
          on conflict (project) do update set
            builds = project_totals.builds + 1,
            last_time = greatest(project_totals.last_time, excluded.last_time),
            source_repo = greatest(project_totals.source_repo, excluded.source_repo);
        return null;
      end $$`.execute(db)
    await sql`create trigger project_totals_count after insert on builds for each row execute function project_totals_count()`.execute(db)
  }
  // The trigger counts what arrives from now on, the backfill what is there; the transaction keeps writers out between.
  await sql`
    insert into project_totals (project, builds, last_time, source_repo)
    select project, count(*), max(time), max(source_repo) from builds group by project`.execute(db)
}
