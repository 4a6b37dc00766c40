import { sql, type Kysely, type Migration } from 'kysely'
import type { StoreKind } from '../db'
import type { Dialect } from './dialect'

/**
 * Lineage (issue 9): what the graph's walk asks that no index answered.
 *
 * - `build_dependencies`: one row for each sha256 digest a build's provenance lists among its resolved
 *   dependencies, so an artifact's dependants (depends-on, walked downstream) are one index range instead of a
 *   scan of every build's JSON. It is an index kept by the database: a trigger fills it from each new build row,
 *   and a build's rows go with it. It only extracts values; which of them are edges (a well-formed digest) is
 *   still decided in domain/lineage-edges.ts when the rows are read.
 * - `deployments_environment_record`: an environment's deployments counted per way of recording from the index
 *   alone, and the signed ones found there to join to their attestations; an environment with thousands of
 *   deployments read each row of the table before.
 */
export function lineageMigration(kind: StoreKind, t: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('build_dependencies')
        .addColumn('build_id', 'text', (c) => c.notNull().references('builds.id').onDelete('cascade'))
        .addColumn('digest_value', 'text', (c) => c.notNull())
        .addColumn('time', t.int64, (c) => c.notNull())
        .addPrimaryKeyConstraint('build_dependencies_pk', ['build_id', 'digest_value'])
        .execute()
      // Dependants newest first, like every list of builds.
      await db.schema.createIndex('build_dependencies_digest_time').on('build_dependencies').columns(['digest_value', 'time', 'build_id']).execute()
      await db.schema.createIndex('deployments_environment_record').on('deployments').columns(['environment', 'recorded_by', 'document_id']).execute()

      if (kind === 'sqlite') {
        // A value that is not a JSON array (never written by ingest, but the column is text) indexes nothing
        // rather than failing the build's insert.
        await sql`
          create trigger build_dependencies_insert after insert on builds begin
            insert or ignore into build_dependencies (build_id, digest_value, time)
            select new.id, lower(json_extract(value, '$.digest.sha256')), new.time
            from json_each(case when json_valid(new.resolved_dependencies) and json_type(new.resolved_dependencies) = 'array' then new.resolved_dependencies else '[]' end)
            where type = 'object' and json_type(value, '$.digest.sha256') = 'text';
          end`.execute(db)
        await sql`
          insert or ignore into build_dependencies (build_id, digest_value, time)
          select builds.id, lower(json_extract(dependency.value, '$.digest.sha256')), builds.time
          from builds, json_each(case when json_valid(builds.resolved_dependencies) and json_type(builds.resolved_dependencies) = 'array' then builds.resolved_dependencies else '[]' end) as dependency
          where dependency.type = 'object' and json_type(dependency.value, '$.digest.sha256') = 'text'`.execute(db)
      } else {
        await sql`
          create function build_dependencies_of(dependencies text) returns table (digest_value text) language plpgsql immutable as $$
          declare parsed jsonb;
          begin
            begin
              parsed := dependencies::jsonb;
            exception when others then
              return;
            end;
            if jsonb_typeof(parsed) <> 'array' then
              return;
            end if;
            return query
              select distinct lower(element -> 'digest' ->> 'sha256')
              from jsonb_array_elements(parsed) as element
              where jsonb_typeof(element) = 'object' and jsonb_typeof(element -> 'digest' -> 'sha256') = 'string';
          end $$`.execute(db)
        await sql`
          create function build_dependencies_insert() returns trigger language plpgsql as $$
          begin
            insert into build_dependencies (build_id, digest_value, time)
            select new.id, found.digest_value, new.time from build_dependencies_of(new.resolved_dependencies) as found
            on conflict do nothing;
            return new;
          end $$`.execute(db)
        await sql`create trigger build_dependencies_insert after insert on builds for each row execute function build_dependencies_insert()`.execute(db)
        await sql`
          insert into build_dependencies (build_id, digest_value, time)
          select builds.id, found.digest_value, builds.time from builds cross join lateral build_dependencies_of(builds.resolved_dependencies) as found
          on conflict do nothing`.execute(db)
      }
    },
    async down(db: Kysely<unknown>) {
      if (kind === 'sqlite') {
        await sql`drop trigger if exists build_dependencies_insert`.execute(db)
      } else {
        await sql`drop trigger if exists build_dependencies_insert on builds`.execute(db)
        await sql`drop function if exists build_dependencies_insert()`.execute(db)
        await sql`drop function if exists build_dependencies_of(text)`.execute(db)
      }
      await db.schema.dropIndex('deployments_environment_record').execute()
      await db.schema.dropTable('build_dependencies').execute()
    },
  }
}
