import type pg from 'pg';

/**
 * Named statements for the precompiled queries (`prepared` in db.ts) on PostgreSQL.
 *
 * Kysely's pg driver sends every query as an unnamed statement, so PostgreSQL parses, analyses
 * and plans its text on every call. The queries every request runs (a token's row, a join's
 * statements) have one text each; a connection that has seen one keeps it as a named statement
 * and later sends only its arguments (pg's `{ name, text, values }`, prepared once per
 * connection). Other queries are sent as before.
 *
 * A named statement's result columns are fixed when it is prepared: a migration that changes them
 * (a column added to a table read with `select *`) while this process runs makes PostgreSQL refuse
 * it ("cached plan must not change result type"). Refused so, the statement did nothing: the names
 * move to a new generation, prepared afresh on every connection, and a statement sent outside a
 * transaction runs once more under its new name. Inside one the transaction is aborted; the store
 * runs it again from the start (`isStalePlan`, store/index.ts).
 */
const names = new Map<string, string>();
let generation = 0;

/** Registers the text of a precompiled query under its tag (unique per query). */
export function nameStatement(text: string, tag: string): void {
  names.set(text, tag);
}

/** PostgreSQL refused a named statement prepared before a change of its result columns. */
export function isStalePlan(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type');
}

/** pg's Client, sending the registered texts as named statements. */
export function namedStatementClient(Client: typeof pg.Client): typeof pg.Client {
  class NamedStatementClient extends Client {}
  const query = Client.prototype.query as (this: pg.Client, ...args: unknown[]) => unknown;
  // One override for pg's many `query` overloads: a registered text with an argument array is
  // named, everything else (a query object, a callback, a cursor) passes through as it was.
  NamedStatementClient.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [text, values] = args;
    const tag = typeof text === 'string' && Array.isArray(values) && args.length === 2 ? names.get(text) : undefined;
    if (tag === undefined) return query.apply(this, args);
    const outsideTransaction = this.getTransactionStatus() === 'I';
    const run = (): Promise<unknown> => {
      const current = generation;
      return (query.call(this, { name: `oz_${tag}_${current}`, text, values }) as Promise<unknown>).catch((err: unknown) => {
        // Once per change, however many connections hit it.
        if (isStalePlan(err) && current === generation) generation++;
        throw err;
      });
    };
    return run().catch((err: unknown) => {
      if (outsideTransaction && isStalePlan(err)) return run();
      throw err;
    });
  } as typeof Client.prototype.query;
  return NamedStatementClient;
}
