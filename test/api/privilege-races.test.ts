import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GROUP_PRIVILEGES, OnezoneError, SPACE_PRIVILEGES } from '../../src/client/index.js';
import { startZone } from '../helpers/zone.js';

/**
 * An owner takes a member's right to set privileges while the member, at the same moment, gives
 * itself every privilege. Either order is fine, the outcome of both together must be one of them:
 * the demotion first refuses the promotion (403), the promotion first is undone by the demotion.
 * Authorized outside the write's transaction, both answered 200 and the member kept everything.
 */
describe('privilege changes racing a change of the changer\'s own rights', async () => {
  const z = await startZone();
  const owner = await z.user('owner');
  const ROUNDS = 15;
  const status = (p: Promise<unknown>) =>
    p.then(
      () => 200,
      (err: unknown) => (err instanceof OnezoneError ? err.status : Promise.reject(err)),
    );

  it('in a group: the member never ends with the privileges it was being denied', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const member = await z.user(`gm${round}`);
      const gid = await owner.api.groups.create(`g${round}`, 'team');
      await member.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
      await owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data', 'group_set_privileges']);
      const answers = await Promise.all([
        status(owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data'])),
        status(member.api.groups.setUserPrivileges(gid, member.id, [...GROUP_PRIVILEGES])),
      ]);
      const final = await owner.api.groups.userPrivileges(gid, member.id);
      assert.equal(answers[0], 200, `round ${round}`);
      assert.ok(answers[1] === 200 || answers[1] === 403, `round ${round}: ${answers[1]}`);
      assert.deepEqual(final, ['group_view_data'], `round ${round}: answers ${answers.join(', ')}`);
    }
  });

  it('in a space: the same', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const member = await z.user(`sm${round}`);
      const sid = await owner.api.spaces.create(`s${round}`);
      await member.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
      await owner.api.spaces.setUserPrivileges(sid, member.id, ['space_view_data', 'space_set_privileges']);
      const answers = await Promise.all([
        status(owner.api.spaces.setUserPrivileges(sid, member.id, ['space_view_data'])),
        status(member.api.spaces.setUserPrivileges(sid, member.id, [...SPACE_PRIVILEGES])),
      ]);
      const final = await owner.api.spaces.userPrivileges(sid, member.id);
      assert.equal(answers[0], 200, `round ${round}`);
      assert.ok(answers[1] === 200 || answers[1] === 403, `round ${round}: ${answers[1]}`);
      assert.deepEqual(final, ['space_view_data'], `round ${round}: answers ${answers.join(', ')}`);
    }
  });

  /**
   * Changes that take the same locks in different orders deadlock on PostgreSQL (a 500): group
   * deletion and nesting changes (the nesting graph), and anything that may empty `admins`
   * against a change of `admins` itself (its row). Each pair must wait for each other instead.
   */
  describe('changes of one group, and of admins, racing each other: never a 500', () => {
    const allowed = new Set([200, 202, 204, 400, 401, 403, 404]);
    const check = (answers: number[], what: string) => assert.ok(answers.every((a) => allowed.has(a)), `${what}: ${answers.join(', ')}`);
    const admin = z.admin;

    it('deleting a group against changing or removing its subgroup', async () => {
      for (let round = 0; round < 10; round++) {
        const gid = await owner.api.groups.create(`doomed${round}`, 'team');
        const child = await owner.api.groups.create(`child${round}`, 'team');
        const other = await owner.api.groups.create(`other${round}`, 'team');
        await owner.api.groups.joinNested(child, await owner.api.groups.nestedInviteToken(gid));
        await owner.api.groups.joinNested(other, await owner.api.groups.nestedInviteToken(gid));
        check(
          await Promise.all([
            status(owner.api.groups.remove(gid)),
            status(owner.api.groups.setNestedPrivileges(gid, child, ['group_view_data'])),
            status(owner.api.groups.removeNested(gid, other)),
          ]),
          `round ${round}`,
        );
      }
    });

    it('a member of admins deleting the account or leaving, against an administrator changing it in admins', async () => {
      for (let round = 0; round < 10; round++) {
        const member = await z.user(`adm${round}`);
        await member.api.user.joinGroup(await admin.groups.userInviteToken('admins'));
        const change = status(admin.groups.setUserPrivileges('admins', member.id, ['group_view_data']));
        const leave = round % 2 === 0 ? status(member.api.user.remove()) : status(member.api.user.leaveGroup('admins'));
        check(await Promise.all([change, leave]), `round ${round}`);
      }
    });

    it("deleting any group against a change of admins' subgroups", async () => {
      const nested = await admin.groups.create('admins-child', 'team');
      await admin.groups.joinNested(nested, await admin.groups.nestedInviteToken('admins'));
      for (let round = 0; round < 10; round++) {
        const gid = await owner.api.groups.create(`any${round}`, 'team');
        const privileges = round % 2 === 0 ? ['group_view_data' as const] : ['group_view_data' as const, 'group_invite_user' as const];
        check(await Promise.all([status(owner.api.groups.remove(gid)), status(admin.groups.setNestedPrivileges('admins', nested, privileges))]), `round ${round}`);
      }
    });
  });
});
