/**
 * The conformance suite's backend-failure hook, made of a trigger: once a uuid is listed, the database
 * itself refuses every insert or update of that row, as a constraint or a full disk would.
 */
export const REFUSED_WRITES_SETUP = [
  "CREATE TABLE IF NOT EXISTS vcon_refused_writes (id uuid PRIMARY KEY)",
  `CREATE OR REPLACE FUNCTION vcon_refuse_writes() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF EXISTS (SELECT 1 FROM vcon_refused_writes WHERE id = NEW.id) THEN
       RAISE EXCEPTION 'write of % refused (conformance failure hook)', NEW.id;
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE OR REPLACE TRIGGER vcon_refuse_writes BEFORE INSERT OR UPDATE ON vcons
   FOR EACH ROW EXECUTE FUNCTION vcon_refuse_writes()`,
];
export const REFUSE_WRITES = "INSERT INTO vcon_refused_writes (id) VALUES ($1) ON CONFLICT DO NOTHING";
export const RESTORE_WRITES = "DELETE FROM vcon_refused_writes";
