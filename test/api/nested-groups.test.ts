import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnezoneError } from '../../src/client/index.js';
import type { GroupPrivilege } from '../../src/client/types.js';
import { GROUP_PRIVILEGES } from '../../src/domain/privileges.js';
import { parse } from '../../src/tokens/macaroon.js';
import { type TestUser, startZone } from '../helpers/zone.js';
import { fails } from '../helpers/assert.js';

const sorted = (list: readonly string[]) => [...list].sort();

describe('nested groups', async () => {
  const z = await startZone();

  /** `child` joins `parent`, both owned by `owner`. */
  const nest = async (owner: TestUser, child: string, parent: string) =>
    owner.api.groups.joinNested(child, await owner.api.groups.nestedInviteToken(parent));

  it('G2 joins G1 (scenario 10): 201, Location /groups/G2/nested/G1; lists, details, default privileges', async () => {
    const u1 = await z.user('u1');
    const u2 = await z.user('u2');
    const g1 = await u1.api.groups.create('g1', 'organization');
    const g2 = await u2.api.groups.create('g2', 'team');
    const token = await u1.api.groups.nestedInviteToken(g1);
    assert.ok(parse(token).caveats.some((c) => c.cid.toString() === 'tokenType = group_invite_group_token'));
    const res = await u2.api.http.raw('POST', `/groups/${g2}/nested/join`, { token });
    assert.equal(res.status, 201);
    assert.equal(res.body, undefined);
    assert.equal(res.headers.location, `/groups/${g2}/nested/${g1}`);
    assert.deepEqual(await u1.api.groups.nested(g1), [g2]);
    assert.deepEqual(await u1.api.groups.parents(g1), []);
    assert.deepEqual(await u2.api.groups.nested(g2), []);
    assert.deepEqual(await u2.api.groups.parents(g2), [g1]);
    assert.deepEqual(await u1.api.groups.nestedGroup(g1, g2), { groupId: g2, name: 'g2', type: 'team' });
    assert.deepEqual(await u2.api.groups.parent(g2, g1), { groupId: g1, name: 'g1', type: 'organization' });
    assert.deepEqual(await u1.api.groups.nestedPrivileges(g1, g2), ['group_view_data']);
    await fails(u1.api.groups.nestedGroup(g1, g1), 404, 'not_found');
    await fails(u2.api.groups.parent(g2, g2), 404, 'not_found');
    await fails(u1.api.groups.nestedPrivileges(g1, 'nope'), 404, 'not_found');
  });

  it('PUT nested privileges (scenario 14), then DELETE the subgroup (scenario 15): 202', async () => {
    const owner = await z.user('owner');
    const g1 = await owner.api.groups.create('g1', 'team');
    const g2 = await owner.api.groups.create('g2', 'team');
    await nest(owner, g2, g1);
    const put = await owner.api.http.raw('PUT', `/groups/${g1}/nested/${g2}/privileges`, { privileges: ['group_remove'] });
    assert.equal(put.status, 200);
    assert.deepEqual(await owner.api.groups.nestedPrivileges(g1, g2), ['group_remove']);
    await fails(owner.api.groups.setNestedPrivileges(g1, 'nope', ['group_view_data']), 404, 'not_found');
    const del = await owner.api.http.raw('DELETE', `/groups/${g1}/nested/${g2}`);
    assert.equal(del.status, 202);
    assert.deepEqual(await owner.api.groups.nested(g1), []);
    assert.deepEqual(await owner.api.groups.parents(g2), []);
    await fails(owner.api.groups.removeNested(g1, g2), 404, 'not_found');
  });

  it('the RC2 group-graph algebra example (grand_scenario_test)', async () => {
    const P = (i: number) => GROUP_PRIVILEGES[i - 1] as GroupPrivilege;
    const owner = await z.user('owner');
    const u1 = await z.user('u1');
    const u2 = await z.user('u2');
    const g1 = await owner.api.groups.create('g1', 'team');
    const g2 = await owner.api.groups.create('g2', 'team');
    await nest(owner, g2, g1);
    await u1.api.user.joinGroup(await owner.api.groups.userInviteToken(g1));
    await u1.api.user.joinGroup(await owner.api.groups.userInviteToken(g2));
    await u2.api.user.joinGroup(await owner.api.groups.userInviteToken(g2));
    await owner.api.groups.setUserPrivileges(g1, u1.id, [P(1), P(2)]);
    await owner.api.groups.setNestedPrivileges(g1, g2, [P(2), P(3), P(4), P(6)]);
    await owner.api.groups.setUserPrivileges(g2, u1.id, [P(1), P(3), P(10)]);
    await owner.api.groups.setUserPrivileges(g2, u2.id, [P(1), P(2)]);

    assert.deepEqual(sorted(await owner.api.groups.effectiveUserPrivileges(g1, u1.id)), sorted([P(1), P(2), P(3)]));
    assert.deepEqual(sorted(await owner.api.groups.effectiveUserPrivileges(g1, u2.id)), [P(2)]);
    // Direct privileges stay what PUT set; U2 has none directly in G1.
    assert.deepEqual(sorted(await owner.api.groups.userPrivileges(g1, u1.id)), sorted([P(1), P(2)]));
    await fails(owner.api.groups.userPrivileges(g1, u2.id), 404, 'not_found');
    // Effective privileges authorize: U2 (P2 = group_invite_user in G1 through G2) may invite to G1,
    // but may not read G1 (group_view_data was not carried through).
    assert.equal(P(2), 'group_invite_user');
    await u2.api.groups.userInviteToken(g1);
    await fails(u2.api.groups.get(g1), 403, 'forbidden');
  });

  it('effective users through a 5-deep chain, sorted; details and privileges of an indirect user', async () => {
    const owner = await z.user('owner');
    const groups: string[] = [];
    const users: TestUser[] = [];
    for (let i = 0; i < 5; i++) {
      const gid = await owner.api.groups.create(`level${i}`, 'unit');
      if (i > 0) await nest(owner, gid, groups[i - 1]!);
      const u = await z.user(`level${i}`);
      await u.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
      groups.push(gid);
      users.push(u);
    }
    const top = groups[0]!;
    const deepest = users[4]!;
    assert.deepEqual(await owner.api.groups.effectiveUsers(top), sorted([owner.id, ...users.map((u) => u.id)]));
    assert.deepEqual(await owner.api.groups.effectiveUsers(groups[2]!), sorted([owner.id, ...users.slice(2).map((u) => u.id)]));
    assert.deepEqual(await owner.api.groups.users(top), sorted([owner.id, users[0]!.id]));
    assert.deepEqual(await owner.api.groups.effectiveUser(top, deepest.id), { userId: deepest.id, login: deepest.login, name: 'level4' });
    assert.deepEqual(await owner.api.groups.effectiveUserPrivileges(top, deepest.id), ['group_view_data']);
    await fails(owner.api.groups.user(top, deepest.id), 404, 'not_found');
    // group_view_data flows through every edge (the join default), so the deepest user may read the top.
    assert.equal((await deepest.api.groups.get(top)).groupId, top);
    assert.equal((await deepest.api.user.group(top)).groupId, top);
    assert.deepEqual(await deepest.api.user.effectiveGroups(), sorted(groups));
    assert.deepEqual(await deepest.api.user.groups(), [groups[4]]);
    // Cutting the middle edge cuts everything below it off at once.
    await owner.api.groups.removeNested(groups[1]!, groups[2]!);
    assert.deepEqual(await owner.api.groups.effectiveUsers(top), sorted([owner.id, users[0]!.id, users[1]!.id]));
    await fails(deepest.api.user.group(top), 404, 'not_found');
  });

  describe('cycles are refused with 400 would_introduce_cycle and cost no token use', () => {
    const refused = async (owner: TestUser, child: string, parent: string) => {
      const token = await owner.api.groups.nestedInviteToken(parent);
      const res = await owner.api.http.raw('POST', `/groups/${child}/nested/join`, { token });
      assert.equal(res.status, 400);
      assert.equal((res.body as { error: string }).error, 'would_introduce_cycle');
      assert.ok(!JSON.stringify(res.body).includes(token));
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 0);
      return token;
    };

    it('a group joining itself', async () => {
      const owner = await z.user('owner');
      const g = await owner.api.groups.create('g', 'team');
      const token = await refused(owner, g, g);
      const other = await owner.api.groups.create('other', 'team');
      assert.equal(await owner.api.groups.joinNested(other, token), g, 'the token still works');
    });

    it('a parent joining its direct child', async () => {
      const owner = await z.user('owner');
      const g1 = await owner.api.groups.create('g1', 'team');
      const g2 = await owner.api.groups.create('g2', 'team');
      await nest(owner, g2, g1);
      await refused(owner, g1, g2);
    });

    it('a group joining a descendant three levels down (scenario 11)', async () => {
      const owner = await z.user('owner');
      const g1 = await owner.api.groups.create('g1', 'team');
      const g2 = await owner.api.groups.create('g2', 'team');
      const g3 = await owner.api.groups.create('g3', 'team');
      const g4 = await owner.api.groups.create('g4', 'team');
      await nest(owner, g2, g1);
      await nest(owner, g3, g2);
      await nest(owner, g4, g3);
      await refused(owner, g1, g4);
      await refused(owner, g1, g3);
      await refused(owner, g2, g4);
      assert.deepEqual(await owner.api.groups.parents(g1), []);
    });

    it('two reverse joins at once: exactly one succeeds', async () => {
      const owner = await z.user('owner');
      for (let round = 0; round < 10; round++) {
        const a = await owner.api.groups.create('a', 'team');
        const b = await owner.api.groups.create('b', 'team');
        const [ta, tb] = await Promise.all([owner.api.groups.nestedInviteToken(a), owner.api.groups.nestedInviteToken(b)]);
        const results = await Promise.allSettled([owner.api.groups.joinNested(b, ta), owner.api.groups.joinNested(a, tb)]);
        const ok = results.filter((r) => r.status === 'fulfilled');
        const cycles = results.filter((r) => r.status === 'rejected' && (r.reason as OnezoneError).code === 'would_introduce_cycle');
        assert.equal(ok.length, 1);
        assert.equal(cycles.length, 1);
        const edges = (await owner.api.groups.nested(a)).length + (await owner.api.groups.nested(b)).length;
        assert.equal(edges, 1);
      }
    });

    it('a three-way ring attempted at once: two edges land, the closing one is refused', async () => {
      const owner = await z.user('owner');
      const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => owner.api.groups.create(n, 'team'))) as [string, string, string];
      const [ta, tb, tc] = await Promise.all([a, b, c].map((g) => owner.api.groups.nestedInviteToken(g))) as [string, string, string];
      const results = await Promise.allSettled([owner.api.groups.joinNested(a, tb), owner.api.groups.joinNested(b, tc), owner.api.groups.joinNested(c, ta)]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 2);
      assert.equal(results.filter((r) => r.status === 'rejected' && (r.reason as OnezoneError).code === 'would_introduce_cycle').length, 1);
    });
  });

  describe('the nested join pattern', () => {
    it('already a subgroup: 201, same Location, the token keeps its use', async () => {
      const owner = await z.user('owner');
      const g1 = await owner.api.groups.create('g1', 'team');
      const g2 = await owner.api.groups.create('g2', 'team');
      await nest(owner, g2, g1);
      const token = await owner.api.groups.nestedInviteToken(g1);
      const res = await owner.api.http.raw('POST', `/groups/${g2}/nested/join`, { token });
      assert.equal(res.status, 201);
      assert.equal(res.headers.location, `/groups/${g2}/nested/${g1}`);
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 0);
    });

    it('group_join_group is checked on the child (scenario 16)', async () => {
      const owner = await z.user('owner');
      const u2 = await z.user('u2');
      const parent = await owner.api.groups.create('parent', 'team');
      const ng = await owner.api.groups.create('ng', 'team');
      await u2.api.user.joinGroup(await owner.api.groups.userInviteToken(ng));
      const token = await owner.api.groups.nestedInviteToken(parent);
      await fails(u2.api.groups.joinNested(ng, token), 403, 'forbidden');
      await owner.api.groups.setUserPrivileges(ng, u2.id, ['group_join_group']);
      assert.equal(await u2.api.groups.joinNested(ng, token), parent);
    });

    it('a subgroup invite carrying privileges grants them to the child', async () => {
      const owner = await z.user('owner');
      const parent = await owner.api.groups.create('parent', 'team');
      const child = await owner.api.groups.create('child', 'team');
      const token = await owner.api.groups.createNestedInvite(parent, { privileges: ['group_view_data', 'group_invite_user'] });
      await owner.api.groups.joinNested(child, token);
      assert.deepEqual(sorted(await owner.api.groups.nestedPrivileges(parent, child)), ['group_invite_user', 'group_view_data']);
    });

    it('wrong token type, used-up token, issuer without the right: 400 invalid_token, nothing changes', async () => {
      const owner = await z.user('owner');
      const parent = await owner.api.groups.create('parent', 'team');
      const child = await owner.api.groups.create('child', 'team');
      await fails(owner.api.groups.joinNested(child, await owner.api.groups.userInviteToken(parent)), 400, 'invalid_token');
      await fails(owner.api.groups.joinNested(child, 'garbage'), 400, 'invalid_token');

      const inviter = await z.user('inviter');
      await inviter.api.user.joinGroup(await owner.api.groups.createUserInvite(parent, { privileges: ['group_invite_group'] }));
      const token = await inviter.api.groups.nestedInviteToken(parent);
      await owner.api.groups.setUserPrivileges(parent, inviter.id, ['group_view_data']);
      const e = await fails(owner.api.groups.joinNested(child, token), 400, 'invalid_token');
      assert.match(e.description, /issuer/);
      assert.equal((await z.zone.store.tokens.byId(parse(token).identifier))?.usage_count, 0);
      assert.deepEqual(await owner.api.groups.nested(parent), []);

      const once = await owner.api.groups.nestedInviteToken(parent);
      await owner.api.groups.joinNested(child, once);
      const other = await owner.api.groups.create('other', 'team');
      const used = await fails(owner.api.groups.joinNested(other, once), 400, 'invalid_token');
      assert.match(used.description, /usage limit/);
    });

    it("a deleted parent's subgroup invites fail; the child loses the link", async () => {
      const owner = await z.user('owner');
      const parent = await owner.api.groups.create('parent', 'team');
      const child = await owner.api.groups.create('child', 'team');
      await nest(owner, child, parent);
      const token = await owner.api.groups.nestedInviteToken(parent);
      await owner.api.groups.remove(parent);
      assert.deepEqual(await owner.api.groups.parents(child), []);
      const other = await owner.api.groups.create('other', 'team');
      const e = await fails(owner.api.groups.joinNested(other, token), 400, 'invalid_token');
      assert.equal(e.description, 'Provided token could not be validated.');
    });
  });
});
