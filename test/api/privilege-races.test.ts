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
});
