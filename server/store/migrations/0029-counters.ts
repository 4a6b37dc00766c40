import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreKind } from '../db'
import { allOrNothing, type Dialect } from './dialect'

/**
 * Counters kept as data arrives (issue 16), so the reproducibility summary, its history and the overview read a
 * few hundred counter rows instead of every rebuild verdict ever stored (at 100,000 builds the summary took 580 ms
 * on SQLite and 446 ms on PostgreSQL, and grew with the history).
 *
 * - `rebuild_verdict_totals`: per (project, verdict) the number of verdicts and the newest one's time.
 * - `rebuild_verdict_days`: per (project, UTC day, verdict) the number of verdicts; history buckets (UTC days,
 *   Monday weeks) are whole days, so a bucket is a sum of days. `rebuild_verdict_days_day` serves the overview,
 *   which sums the last 60 days over every project.
 *
 * Both hold raw counts of the stored `verdict` value: what a verdict means (anything but `match` is a mismatch, a
 * streak, agreement) is still decided in domain/reproducibility.ts when the counts are read. They are kept by a
 * trigger on each new rebuild row, in the inserting transaction, on both engines, whichever code path inserts
 * (ingest, a bulk copy); verdicts are never updated in the fields counted (re-verification changes `status` only)
 * nor deleted. The day is floor(time / day) written so that both engines' integer division (which truncates)
 * agree with domain/buckets.ts for times before 1970 too.
 *
 * - On PostgreSQL, `attestation_subjects_digest_prefix`: what other documents are about, by digest bytewise
 *   (`COLLATE "C"`), so an artifact's digest prefix is an index range there too, as it already was for subjects,
 *   SBOM digests and rebuilt artifacts (migration 0006); without it every prefix lookup read the whole table.
 *
 * Existing databases are backfilled with one grouped read of `rebuilds` per table (seconds at 100,000 builds).
 */
export function countersMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await allOrNothing(kind, db, () => createCounters(db, kind, t))
    },
    async down(db: Kysely<unknown>) {
      if (kind === 'sqlite') {
        await sql`drop trigger if exists rebuild_verdicts_count`.execute(db)
      } else {
        await sql`drop trigger if exists rebuild_verdicts_count on rebuilds`.execute(db)
        await sql`drop function if exists rebuild_verdicts_count()`.execute(db)
        await sql`drop index if exists attestation_subjects_digest_prefix`.execute(db)
      }
      await db.schema.dropTable('rebuild_verdict_days').ifExists().execute()
      await db.schema.dropTable('rebuild_verdict_totals').ifExists().execute()
    },
  }
}

/** floor(time / day) * day as both engines compute it: their `%` keeps the dividend's sign. */
const dayOf = (time: string) => sql.raw(`(${time} - (((${time} % 86400000) + 86400000) % 86400000))`)

async function createCounters(db: Kysely<unknown>, kind: StoreKind, t: Dialect): Promise<void> {
  await db.schema
    .createTable('rebuild_verdict_totals')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('count', t.int64, (c) => c.notNull())
    .addColumn('last', t.int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('rebuild_verdict_totals_pk', ['project', 'verdict'])
    .execute()
  await db.schema
    .createTable('rebuild_verdict_days')
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('day', t.int64, (c) => c.notNull())
    .addColumn('verdict', 'text', (c) => c.notNull())
    .addColumn('count', t.int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('rebuild_verdict_days_pk', ['project', 'day', 'verdict'])
    .execute()
  await db.schema.createIndex('rebuild_verdict_days_day').on('rebuild_verdict_days').columns(['day', 'verdict', 'count']).execute()

  if (kind === 'sqlite') {
    await sql`
      create trigger rebuild_verdicts_count after insert on rebuilds begin
        insert into rebuild_verdict_totals (project, verdict, count, last) values (new.project, new.verdict, 1, new.time)
          on conflict (project, verdict) do update set count = count + 1, last = max(last, excluded.last);
        insert into rebuild_verdict_days (project, day, verdict, count) values (new.project, ${dayOf('new.time')}, new.verdict, 1)
          on conflict (project, day, verdict) do update set count = count + 1;
      end`.execute(db)
  } else {
    await sql`create index attestation_subjects_digest_prefix on attestation_subjects (digest_value collate "C")`.execute(db)
    await sql`
      create function rebuild_verdicts_count() returns trigger language plpgsql as $$
      begin
        insert into rebuild_verdict_totals (project, verdict, count, last) values (new.project, new.verdict, 1, new.time)
          on conflict (project, verdict) do update set count = rebuild_verdict_totals.count + 1, last = greatest(rebuild_verdict_totals.last, excluded.last);
        insert into rebuild_verdict_days (project, day, verdict, count) values (new.project, ${dayOf('new.time')}, new.verdict, 1)
          on conflict (project, day, verdict) do update set count = rebuild_verdict_days.count + 1;
        return null;
      end $$`.execute(db)
    await sql`create trigger rebuild_verdicts_count after insert on rebuilds for each row execute function rebuild_verdicts_count()`.execute(db)
  }
  // The trigger counts what arrives from now on, the backfill what is there; the transaction keeps writers out between.
  await sql`
    insert into rebuild_verdict_totals (project, verdict, count, last)
    select project, verdict, count(*), max(time) from rebuilds group by project, verdict`.execute(db)
  await sql`
    insert into rebuild_verdict_days (project, day, verdict, count)
    select project, ${dayOf('time')}, verdict, count(*) from rebuilds group by project, ${dayOf('time')}, verdict`.execute(db)
}
