// A join counts its invite's use with its last statement (src/domain/invites.ts `countUse`), which
// checks the token again: what other transactions did to the token after the join read it (on
// PostgreSQL, other connections, committed meanwhile; on SQLite's single writer, the same
// transaction stands in for them) decides.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { newId } from '../../src/domain/deps.js';
import { InviteType, inviteService } from '../../src/domain/invites.js';
import { ApiError } from '../../src/errors.js';
import type { Store } from '../../src/store/index.js';
import { forEachDialect } from '../helpers/db.js';
import { makeSpace, makeUser } from './fixtures.js';

forEachDialect('invite use counted last', (it) => {
  const NOW = 1_800_000_000;
  async function setUp(store: Store, usageLimit: number) {
    const invites = inviteService({
      store,
      clock: () => NOW,
      ids: newId,
      masterKey: randomBytes(32),
      config: { zoneName: 'zone', inviteTtl: 3600, accessTokenTtl: 3600, passwordCost: 12 },
    });
    const [owner, space, joiner] = await Promise.all([makeUser(store), makeSpace(store), makeUser(store)]);
    const text = await invites.mint(store, { type: InviteType.spaceInviteUser, issuer: { type: 'user', id: owner }, target: { type: 'space', id: space }, usageLimit });
    return { invites, space, joiner, text };
  }
  /** Another transaction's write: on PostgreSQL committed on another connection, on SQLite in the same one. */
  const meanwhile = (store: Store, tx: Store, write: (s: Store) => Promise<unknown>) => write(store.dialect === 'postgres' ? store : tx);
  const refused = (reason: RegExp) => (e: unknown) => e instanceof ApiError && e.code === 'invalid_token' && reason.test(e.message);

  it('revoked after the join read it: nothing counted, the membership rolled back', async ({ store }) => {
    const { invites, space, joiner, text } = await setUp(store, 1);
    await assert.rejects(
      store.transaction(async (tx) => {
        const invite = await invites.open(tx, text, InviteType.spaceInviteUser);
        await tx.spaces.addUser(space, joiner, 0);
        await meanwhile(store, tx, (s) => s.tokens.setRevoked(invite.id, true));
        await invites.countUse(tx, invite);
      }),
      refused(/revoked/),
    );
    assert.equal(await store.spaces.effectivePrivileges(space, joiner), undefined);
  });

  it('used up by another join after this one read it: refused, the other use the only one', async ({ store }) => {
    const { invites, space, joiner, text } = await setUp(store, 1);
    await assert.rejects(
      store.transaction(async (tx) => {
        const invite = await invites.open(tx, text, InviteType.spaceInviteUser);
        assert.equal(invite.usage_count, 0);
        await tx.spaces.addUser(space, joiner, 0);
        await meanwhile(store, tx, (s) => s.tokens.countUse(invite.id, NOW));
        await invites.countUse(tx, invite);
      }),
      refused(/usage limit/),
    );
    assert.equal(await store.spaces.effectivePrivileges(space, joiner), undefined);
  });

  it('nothing happened meanwhile: counted once', async ({ store }) => {
    const { invites, space, joiner, text } = await setUp(store, 2);
    const id = await store.transaction(async (tx) => {
      const invite = await invites.open(tx, text, InviteType.spaceInviteUser);
      await tx.spaces.addUser(space, joiner, 0);
      await invites.countUse(tx, invite);
      return invite.id;
    });
    assert.equal((await store.tokens.byId(id))?.usage_count, 1);
    assert.equal(await store.spaces.effectivePrivileges(space, joiner), 0);
  });
});
