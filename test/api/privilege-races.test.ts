import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GROUP_PRIVILEGES, type GroupPrivilege, type OnezoneClient, OnezoneError, SPACE_PRIVILEGES } from '../../src/client/index.js';
import { registerProvider } from '../helpers/providers.js';
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
  /** 200 for any success (the SDK does not return the status), else the error's status. */
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
   * A member uses a right while the owner takes it away. The use may be ordered before the
   * demotion (it succeeds) or after (403), never after it and successful. Authorized before its
   * transaction, a use could pass on the rights it held and write after the demotion committed.
   */
  describe('a right used while it is taken away: refused, or ordered before the demotion', () => {
    it('DELETE /spaces/{id} against taking space_remove: the space stays (403), or the demotion finds it gone (404)', async () => {
      const member = await z.user('remover');
      for (let round = 0; round < 20; round++) {
        const sid = await owner.api.spaces.create(`doomed${round}`);
        await member.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
        await owner.api.spaces.setUserPrivileges(sid, member.id, ['space_view_data', 'space_remove']);
        const answers = await Promise.all([
          status(owner.api.spaces.setUserPrivileges(sid, member.id, ['space_view_data'])),
          status(member.api.spaces.remove(sid)),
        ]);
        const gone = !(await z.zone.store.spaces.exists(sid));
        assert.deepEqual(answers, gone ? [404, 200] : [200, 403], `round ${round}: ${gone ? 'deleted' : 'kept'}`);
      }
    });

    it('DELETE /groups/{id} against taking group_remove: the group stays (403), or the demotion finds it gone (404)', async () => {
      const member = await z.user('group-remover');
      for (let round = 0; round < 20; round++) {
        const gid = await owner.api.groups.create(`doomed-group${round}`, 'team');
        await member.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
        await owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data', 'group_remove']);
        const answers = await Promise.all([
          status(owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data'])),
          status(member.api.groups.remove(gid)),
        ]);
        const gone = !(await z.zone.store.groups.exists(gid));
        assert.deepEqual(answers, gone ? [404, 200] : [200, 403], `round ${round}: ${gone ? 'deleted' : 'kept'}`);
      }
    });

    /** The id of the last event of `action` on the target. */
    const lastEvent = async (targetType: string, targetId: string, action: string): Promise<number | undefined> =>
      (await z.zone.store.audit.list({ targetType, targetId, limit: 100 })).filter((e) => e.action === action).at(-1)?.id;

    /**
     * A use that succeeded must be ordered before the demotion. Both write their event after
     * taking the same row's lock, so the events' ids are in the order of the two changes.
     */
    function ordered(round: number, demoted: number, used: number | string, useEvent: number | undefined, demotion: number | undefined): void {
      assert.equal(demoted, 200, `round ${round}`);
      if (used === 403) return;
      assert.equal(typeof used, 'string', `round ${round}: ${used}`);
      assert.ok(useEvent !== undefined && demotion !== undefined && useEvent < demotion, `round ${round}: used after the demotion (events ${useEvent}, ${demotion})`);
    }

    /** The use's answer: the space its event is on, or the status it failed with. */
    const outcome = (use: Promise<string>): Promise<number | string> =>
      use.catch((err: unknown) => (err instanceof OnezoneError ? err.status : Promise.reject(err)));

    const inSpace = [
      ['PATCH /spaces/{id}', 'space_change_data', 'space.rename', (api: OnezoneClient, sid: string) => api.spaces.rename(sid, 'renamed')],
      ['DELETE /spaces/{id}/providers/{pid}', 'space_remove_provider', 'space.unsupport', (api: OnezoneClient, sid: string, pid: string) => api.providers.removeFromSpace(sid, pid)],
    ] as const;
    for (const [route, right, action, use] of inSpace) {
      it(`${route} against taking ${right}`, async () => {
        const [provider, member] = await Promise.all([registerProvider(z), z.user('space-member')]);
        for (let round = 0; round < ROUNDS; round++) {
          const sid = await owner.api.spaces.create(`s${round}`);
          await provider.api.provider.support(await owner.api.providers.supportToken(sid), 1);
          await member.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
          await owner.api.spaces.setUserPrivileges(sid, member.id, ['space_view_data', right]);
          const [demoted, used] = await Promise.all([
            status(owner.api.spaces.setUserPrivileges(sid, member.id, ['space_view_data'])),
            outcome(use(member.api, sid, provider.id).then(() => sid)),
          ]);
          ordered(round, demoted, used, await lastEvent('space', sid, action), await lastEvent('space', sid, 'space.user.privileges'));
        }
      });
    }

    /** Each use, made ready for a group and a space: it answers the space its event is on. */
    const inGroup: [string, GroupPrivilege, string, (gid: string, sid: string) => Promise<(api: OnezoneClient) => Promise<string>>][] = [
      ['POST /groups/{id}/spaces', 'group_create_space', 'space.create', async (gid) => (api) => api.groupSpaces.create(gid, 'made')],
      [
        'POST /groups/{id}/spaces/join',
        'group_join_space',
        'space.group.join',
        async (gid, sid) => {
          const token = await owner.api.spaces.groupInviteToken(sid);
          return async (api) => api.groupSpaces.join(gid, token);
        },
      ],
      [
        'DELETE /groups/{id}/spaces/{sid}',
        'group_leave_space',
        'space.group.leave',
        async (gid, sid) => {
          await owner.api.groupSpaces.join(gid, await owner.api.spaces.groupInviteToken(sid));
          return async (api) => {
            await api.groupSpaces.leave(gid, sid);
            return sid;
          };
        },
      ],
    ];
    it('PATCH /groups/{id} against taking group_change_data', async () => {
      const member = await z.user('group-renamer');
      for (let round = 0; round < ROUNDS; round++) {
        const gid = await owner.api.groups.create(`named${round}`, 'team');
        await member.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
        await owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data', 'group_change_data']);
        const [demoted, used] = await Promise.all([
          status(owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data'])),
          outcome(member.api.groups.modify(gid, { name: 'renamed' }).then(() => gid)),
        ]);
        const useEvent = typeof used === 'string' ? await lastEvent('group', gid, 'group.update') : undefined;
        ordered(round, demoted, used, useEvent, await lastEvent('group', gid, 'group.user.privileges'));
      }
    });

    for (const [route, right, action, prepare] of inGroup) {
      it(`${route} against taking ${right} in the group`, async () => {
        const member = await z.user('group-member');
        for (let round = 0; round < ROUNDS; round++) {
          const gid = await owner.api.groups.create(`g${round}`, 'team');
          const sid = await owner.api.spaces.create(`s${round}`);
          const use = await prepare(gid, sid);
          await member.api.user.joinGroup(await owner.api.groups.userInviteToken(gid));
          await owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data', right]);
          const [demoted, used] = await Promise.all([
            status(owner.api.groups.setUserPrivileges(gid, member.id, ['group_view_data'])),
            outcome(use(member.api)),
          ]);
          const useEvent = typeof used === 'string' ? await lastEvent('space', used, action) : undefined;
          ordered(round, demoted, used, useEvent, await lastEvent('group', gid, 'group.user.privileges'));
        }
      });
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
