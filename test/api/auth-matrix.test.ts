import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OnezoneClient, OnezoneError } from '../../src/client/index.js';
import { ADMINS_GROUP } from '../../src/domain/authorize.js';
import { groupPrivileges, onezonePrivileges, spacePrivileges } from '../../src/domain/privileges.js';
import { generateOpenApi } from '../helpers/openapi.js';
import { type Requirement, USER_OPERATIONS, grant, makeFixture } from '../helpers/operations.js';
import { startZone } from '../helpers/zone.js';

/** Operations that no user-side row covers: open ones and those only providers may call. */
const NOT_FOR_USERS = new Set([
  'authenticate_user',
  'register_provider',
  'check_my_ip',
  'check_my_ports',
  'get_provider',
  'modify_provider',
  'delete_provider',
  'get_supported_spaces',
  'create_provider_space',
  'provider_space_support',
  'get_supported_space',
  'remove_space_support',
  'get_provider_token',
]);

async function status(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof OnezoneError) return err.status;
    throw err;
  }
}

function bitOf(needs: Exclude<Requirement, 'self' | 'admin'>): { all: number; bit: number } {
  if ('space' in needs) return { all: spacePrivileges.all, bit: spacePrivileges.bit(needs.space) };
  if ('group' in needs) return { all: groupPrivileges.all, bit: groupPrivileges.bit(needs.group) };
  return { all: onezonePrivileges.all, bit: onezonePrivileges.bit(needs.zone) };
}

describe('auth matrix: every user operation × {no credentials, bad credentials, non-member, member without the privilege, member with it}', async () => {
  const z = await startZone();
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => z.user(n)));
  const anonymous = z.client();
  const forged = z.client({ token: `${bob!.token.slice(0, -4)}AAAA` });
  const wrongPassword = z.client({ basic: { login: bob!.login, password: 'wrong-password' } });

  it('covers every operation the zone serves', async () => {
    const doc = JSON.parse(await generateOpenApi()) as { paths: Record<string, Record<string, { operationId?: string }>> };
    const served = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId!));
    const listed = new Set(USER_OPERATIONS.map((o) => o.id));
    const missing = served.filter((id) => !listed.has(id) && !NOT_FOR_USERS.has(id) && !/provider/.test(id));
    assert.deepEqual(missing, []);
  });

  for (const op of USER_OPERATIONS) {
    it(`${op.id} (${typeof op.needs === 'string' ? op.needs : JSON.stringify(op.needs)})`, async () => {
      const f = await makeFixture(z, alice!.id, bob!.id, carol!.id);
      const expect = async (who: string, api: OnezoneClient, expected: (s: number) => boolean) => {
        const s = await status(op.call(api, f));
        assert.ok(expected(s), `${op.id} as ${who}: got ${s}`);
      };
      await expect('nobody', anonymous, (s) => s === 401);
      await expect('a forged token', forged, (s) => s === 401);
      await expect('a wrong password', wrongPassword, (s) => s === 401);
      if (op.needs === 'self') {
        const caller = op.throwaway ? (await z.user('throwaway')).api : bob!.api;
        await expect('the user', caller, (s) => s < 300);
        return;
      }
      await expect('a non-member', dave!.api, (s) => s === 403);
      if (op.needs === 'admin') {
        await expect('a non-admin member', bob!.api, (s) => s === 403);
        await z.zone.store.groups.addUser(ADMINS_GROUP, bob!.id, 0);
        try {
          await expect('an admin', bob!.api, (s) => s < 300);
        } finally {
          await z.zone.store.groups.removeUser(ADMINS_GROUP, bob!.id);
        }
        return;
      }
      const { all, bit } = bitOf(op.needs);
      await grant(z, f, bob!.id, op.needs, all & ~bit);
      await expect('a member without the privilege', bob!.api, (s) => s === 403);
      await grant(z, f, bob!.id, op.needs, bit);
      try {
        await expect('a member with only the privilege', bob!.api, (s) => s < 300);
      } finally {
        await z.zone.store.onezone.remove('user', bob!.id);
      }
    });
  }
});
