import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreKind } from '../db'
import { allOrNothing, type Dialect } from './dialect'

/**
 * Deployments counted as they arrive (issue 16): `deployment_counts` holds, per environment, service, way of
 * recording and signature status, how many deployments there are. The environments list (deployments per service)
 * and the lineage of an environment (its deployments counted per kind of record and signature) read a few rows per
 * environment instead of one index entry per deployment, which grew with every deployment ever recorded.
 *
 * `signature` is the status of the deployment attestation's document for a deployment recorded by one, and '' for
 * any other (a primary key column cannot be null on PostgreSQL); what a status means for the graph is still judged
 * in domain/lineage-edges.ts, not here.
 *
 * Kept by triggers in the writing transaction on both engines, whichever code path writes (ingest, the deployments
 * API, a bulk copy, an older server during a rolling upgrade), as migrations 0029 and 0033 do:
 * - a new deployment adds one to its row (deployments are never updated nor deleted);
 * - a re-verified document whose status changes moves the deployments it recorded from the old status to the new.
 *
 * Existing databases are backfilled with one grouped read of `deployments` joined to their documents, in the
 * migration's transaction (6,300 deployments per 100,000 builds in the demo's proportions).
 */
export function deploymentCountsMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await allOrNothing(kind, db, () => createDeploymentCounts(db, kind, t))
    },
    async down(db: Kysely<unknown>) {
      if (kind === 'sqlite') {
        await sql`drop trigger if exists deployment_counts_insert`.execute(db)
        await sql`drop trigger if exists deployment_counts_signature`.execute(db)
      } else {
        await sql`drop trigger if exists deployment_counts_insert on deployments`.execute(db)
        await sql`drop trigger if exists deployment_counts_signature on documents`.execute(db)
        await sql`drop function if exists deployment_counts_insert()`.execute(db)
        await sql`drop function if exists deployment_counts_signature()`.execute(db)
      }
      await db.schema.dropTable('deployment_counts').ifExists().execute()
    },
  }
}

async function createDeploymentCounts(db: Kysely<unknown>, kind: StoreKind, t: Dialect): Promise<void> {
  await db.schema
    .createTable('deployment_counts')
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('service', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('deployments', t.int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_counts_pk', ['environment', 'service', 'recorded_by', 'signature'])
    .execute()

  // The same expression in the triggers and the backfill: an attestation's document status, '' otherwise.
  const signatureOfNew = sql.raw(`case when new.recorded_by = 'attestation' then coalesce((select status from documents where id = new.document_id), '') else '' end`)
  // The deployments a re-verified document recorded, per (environment, service); one at most, its id the document's.
  const recordedBy = (document: string) => sql.raw(`from deployments where document_id = ${document} and recorded_by = 'attestation'`)

  if (kind === 'sqlite') {
    await sql`
      create trigger deployment_counts_insert after insert on deployments begin
        insert into deployment_counts (environment, service, recorded_by, signature, deployments)
          values (new.environment, new.service, new.recorded_by, ${signatureOfNew}, 1)
          on conflict (environment, service, recorded_by, signature) do update set deployments = deployments + 1;
      end`.execute(db)
    // The SELECT has its WHERE, which SQLite's upsert after INSERT … SELECT needs to tell ON CONFLICT from a join's ON.
    await sql`
      create trigger deployment_counts_signature after update of status on documents when old.status is not new.status begin
        update deployment_counts set deployments = deployments - (
            select count(*) ${recordedBy('new.id')} and environment = deployment_counts.environment and service = deployment_counts.service)
          where recorded_by = 'attestation' and signature = coalesce(old.status, '')
            and exists (select 1 ${recordedBy('new.id')} and environment = deployment_counts.environment and service = deployment_counts.service);
        insert into deployment_counts (environment, service, recorded_by, signature, deployments)
          select environment, service, 'attestation', coalesce(new.status, ''), count(*) ${recordedBy('new.id')} group by environment, service
          on conflict (environment, service, recorded_by, signature) do update set deployments = deployments + excluded.deployments;
      end`.execute(db)
  } else {
    await sql`
      create function deployment_counts_insert() returns trigger language plpgsql as $$
      begin
        insert into deployment_counts (environment, service, recorded_by, signature, deployments)
          values (new.environment, new.service, new.recorded_by, ${signatureOfNew}, 1)
          on conflict (environment, service, recorded_by, signature) do update set deployments = deployment_counts.deployments + 1;
        return null;
      end $$`.execute(db)
    await sql`create trigger deployment_counts_insert after insert on deployments for each row execute function deployment_counts_insert()`.execute(db)
    await sql`
      create function deployment_counts_signature() returns trigger language plpgsql as $$
      begin
        update deployment_counts as c set deployments = c.deployments - moved.count
          from (select environment, service, count(*) as count ${recordedBy('new.id')} group by environment, service) as moved
          where c.environment = moved.environment and c.service = moved.service and c.recorded_by = 'attestation' and c.signature = coalesce(old.status, '');
        insert into deployment_counts (environment, service, recorded_by, signature, deployments)
          select environment, service, 'attestation', coalesce(new.status, ''), count(*) ${recordedBy('new.id')} group by environment, service
          on conflict (environment, service, recorded_by, signature) do update set deployments = deployment_counts.deployments + excluded.deployments;
        return null;
      end $$`.execute(db)
    await sql`
      create trigger deployment_counts_signature after update of status on documents
        for each row when (old.status is distinct from new.status) execute function deployment_counts_signature()`.execute(db)
  }
  // The triggers count what arrives from now on, the backfill what is there; the transaction keeps writers out between.
  await sql`
    insert into deployment_counts (environment, service, recorded_by, signature, deployments)
    select d.environment, d.service, d.recorded_by, case when d.recorded_by = 'attestation' then coalesce(documents.status, '') else '' end, count(*)
    from deployments d left join documents on documents.id = d.document_id
    group by d.environment, d.service, d.recorded_by, case when d.recorded_by = 'attestation' then coalesce(documents.status, '') else '' end`.execute(db)
}
