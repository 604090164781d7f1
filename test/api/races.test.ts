import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { OnezoneError, tokenId } from '../../src/client/index.js';
import { isMissingReference } from '../../src/store/dialect.js';
import { registerProvider } from '../helpers/providers.js';
import { type TestUser, type TestZone, startZone } from '../helpers/zone.js';

/**
 * Writes racing the deletion of what they refer to. Whoever wins, each side gets an answer from
 * the catalog: never a 500 (a PostgreSQL deadlock, or a foreign key whose row went meanwhile).
 */

/** One request: its status and, for an error, its code. */
async function call(z: TestZone, user: TestUser, method: 'POST' | 'DELETE' | 'PATCH' | 'PUT', path: string, body?: object): Promise<string> {
  const res = await request(`${z.baseUrl}${path}`, {
    method,
    headers: { 'x-auth-token': user.token, ...(body && { 'content-type': 'application/json' }) },
    body: body && JSON.stringify(body),
  });
  const text = await res.body.text();
  const error = res.statusCode >= 400 && text ? (JSON.parse(text) as { error?: string }).error : undefined;
  return error ? `${res.statusCode} ${error}` : String(res.statusCode);
}

/**
 * From now on in the zone: a check that fails naming every answer outside `allowed`, with how
 * often it came, and the causes the zone logged for its 500s meanwhile.
 */
function watch(z: TestZone) {
  const from = z.logs().length;
  return (answers: string[], allowed: readonly string[]): void => {
    const unexpected = answers.filter((a) => !allowed.includes(a));
    const causes = z
      .logs()
      .slice(from)
      .split('\n')
      .filter((line) => line.includes('"request failed"'))
      .map((line) => {
        const { err } = JSON.parse(line) as { err?: { code?: string; message?: string } };
        return `${err?.code}: ${err?.message}`;
      });
    assert.deepEqual(unexpected, [], `unexpected answers: ${JSON.stringify(count(unexpected))}; causes: ${JSON.stringify(count(causes))}`);
  };
}

/** A GET: its status and, for an error, its code. */
async function get(z: TestZone, user: TestUser, path: string): Promise<string> {
  const res = await request(`${z.baseUrl}${path}`, { headers: { 'x-auth-token': user.token } });
  const text = await res.body.text();
  return res.statusCode >= 400 && text ? `${res.statusCode} ${(JSON.parse(text) as { error?: string }).error}` : String(res.statusCode);
}

const count = (answers: string[]) => Object.fromEntries([...new Set(answers)].map((a) => [a, answers.filter((b) => b === a).length]));

describe('writes racing the deletion of what they refer to', async () => {
  const z = await startZone();
  const owner = await z.user('owner');
  const joiners = await Promise.all(Array.from({ length: 8 }, () => z.user('joiner')));
  const groups = await Promise.all(joiners.map((u) => u.api.groups.create('joining', 'team')));
  const JOINED = ['201', '400 invalid_token'];

  /** Each kind of join, with what it joins and how that is deleted. */
  const joinRaces = [
    {
      name: 'users joining a space racing DELETE /spaces/{id}',
      target: (round: number) => owner.api.user.createSpace(`race-${round}`),
      invite: (id: string) => owner.api.spaces.createUserInvite(id, { usageLimit: 'infinity' }),
      joinPath: () => '/user/spaces/join',
      remove: (id: string) => [`/spaces/${id}`, '200'] as const,
    },
    {
      name: 'users joining a group racing DELETE /groups/{id}',
      target: (round: number) => owner.api.groups.create(`race-${round}`, 'team'),
      invite: (id: string) => owner.api.groups.createUserInvite(id, { usageLimit: 'infinity' }),
      joinPath: () => '/user/groups/join',
      remove: (id: string) => [`/groups/${id}`, '202'] as const,
    },
    {
      name: 'groups joining a space racing DELETE /spaces/{id}',
      target: (round: number) => owner.api.user.createSpace(`race-${round}`),
      invite: (id: string) => owner.api.spaces.createGroupInvite(id, { usageLimit: 'infinity' }),
      joinPath: (i: number) => `/groups/${groups[i]}/spaces/join`,
      remove: (id: string) => [`/spaces/${id}`, '200'] as const,
    },
    {
      name: 'groups joining a parent racing DELETE /groups/{id} of the parent',
      target: (round: number) => owner.api.groups.create(`race-${round}`, 'team'),
      invite: (id: string) => owner.api.groups.createNestedInvite(id, { usageLimit: 'infinity' }),
      joinPath: (i: number) => `/groups/${groups[i]}/nested/join`,
      remove: (id: string) => [`/groups/${id}`, '202'] as const,
    },
  ];
  for (const race of joinRaces) {
    it(`${race.name}: 201 or invalid_token, the deletion its success`, async () => {
      const onlyAnswers = watch(z);
      for (let round = 0; round < 10; round++) {
        const id = await race.target(round);
        const token = await race.invite(id);
        const [path, success] = race.remove(id);
        const joins = joiners.map((u, i) => call(z, u, 'POST', race.joinPath(i), { token }));
        const [removed, ...joined] = await Promise.all([call(z, owner, 'DELETE', path), ...joins]);
        onlyAnswers([removed], [success]);
        onlyAnswers(joined, JOINED);
      }
    });
  }

  describe('providers using a token racing the deletion of its target: 201 or invalid_token, as joins', async () => {
    const providers = await Promise.all(Array.from({ length: 6 }, () => registerProvider(z)));
    /** A provider's answer, as `call` gives it. */
    const answer = (use: Promise<unknown>): Promise<string> =>
      use.then(
        () => '201',
        (err: unknown) => (err instanceof OnezoneError ? `${err.status} ${err.code}` : Promise.reject(err)),
      );

    it('POST /provider/spaces/support racing DELETE /spaces/{id}', async () => {
      const onlyAnswers = watch(z);
      for (let round = 0; round < 10; round++) {
        const sid = await owner.api.user.createSpace(`supported-${round}`);
        const tokens = await Promise.all(providers.map(() => owner.api.providers.supportToken(sid)));
        const supports = providers.map((p, i) => answer(p.api.provider.support(tokens[i]!, 1)));
        const [removed, ...supported] = await Promise.all([call(z, owner, 'DELETE', `/spaces/${sid}`), ...supports]);
        onlyAnswers([removed], ['200']);
        onlyAnswers(supported, JOINED);
      }
    });

    it("POST /provider/spaces with a group's space-creation token racing DELETE /groups/{id}", async () => {
      const onlyAnswers = watch(z);
      for (let round = 0; round < 10; round++) {
        const gid = await owner.api.groups.create(`creating-${round}`, 'team');
        const tokens = await Promise.all(providers.map(() => owner.api.groupSpaces.createToken(gid)));
        const creates = providers.map((p, i) => answer(p.api.provider.createSpace('theirs', tokens[i]!, 1)));
        const [removed, ...created] = await Promise.all([call(z, owner, 'DELETE', `/groups/${gid}`), ...creates]);
        onlyAnswers([removed], ['202']);
        onlyAnswers(created, JOINED);
      }
    });
  });

  it("a user's creations, joins and new access tokens racing DELETE /user: success, 401, 404 or invalid_token, no token left", async () => {
    const sid = await owner.api.user.createSpace('open');
    const token = await owner.api.spaces.createUserInvite(sid, { usageLimit: 'infinity' });
    const onlyAnswers = watch(z);
    const answers: string[] = [];
    const gone: string[] = [];
    for (let round = 0; round < 15; round++) {
      const user = await z.user('leaving');
      // An invite of the user's own, to a space they also reach through a group: the deletion
      // removes it while the user joins with it (on PostgreSQL, locks taken in opposite orders
      // would deadlock).
      const own = await user.api.user.createSpace('own');
      const gid = await user.api.groups.create('own', 'team');
      assert.equal(await call(z, user, 'POST', `/groups/${gid}/spaces/join`, { token: await user.api.spaces.createGroupInvite(own) }), '201');
      await user.api.spaces.setGroupPrivileges(own, gid, ['space_view_data', 'space_invite_user']);
      const ownInvite = await user.api.spaces.createUserInvite(own, { usageLimit: 'infinity' });
      await user.api.user.leaveSpace(own);
      const [removed, ...rest] = await Promise.all([
        call(z, user, 'DELETE', '/user'),
        call(z, user, 'POST', '/spaces', { name: 'mine' }),
        call(z, user, 'POST', '/groups', { name: 'mine', type: 'team' }),
        call(z, user, 'POST', '/user/spaces/join', { token }),
        call(z, user, 'POST', '/user/spaces/join', { token: ownInvite }),
        get(z, user, '/user/client_token'),
        get(z, user, '/user/client_token'),
      ]);
      onlyAnswers([removed], ['200']);
      answers.push(...rest);
      gone.push(user.id);
    }
    onlyAnswers(answers, ['200', '201', '401 unauthorized', '401 invalid_token', '404 not_found', '400 invalid_token']);
    // Nothing of theirs outlives the accounts: no token row issued by or naming them.
    for (const id of gone) {
      assert.deepEqual(await z.zone.store.tokens.ofIssuer('user', id), [], `tokens of deleted user ${id}`);
    }
    // Each such 404 leaves a warning in the log: a foreign key failing for another reason would be a bug.
    const warned = z.logs().split('\n').filter((line) => line.includes('a write raced the deletion of a row it refers to')).length;
    assert.ok(warned >= answers.filter((a) => a === '404 not_found').length, `${warned} warnings`);
  });

  it('account edits racing DELETE /user: success or 401, and never an event after the deletion', async () => {
    const onlyAnswers = watch(z);
    const answers: string[] = [];
    for (let round = 0; round < 12; round++) {
      const user = await z.user('editing');
      const sid = await user.api.user.createSpace('home');
      const [removed, ...rest] = await Promise.all([
        call(z, user, 'DELETE', '/user'),
        call(z, user, 'PATCH', '/user', { name: 'renamed' }),
        call(z, user, 'PUT', '/user/spaces/default', { spaceId: sid }),
        call(z, user, 'PATCH', '/user', { alias: 'again' }),
      ]);
      onlyAnswers([removed], ['200']);
      answers.push(...rest);
      const actions = (await z.zone.store.audit.list({ targetType: 'user', targetId: user.id, limit: 100 })).map((e) => e.action);
      assert.equal(actions.at(-1), 'user.delete', `round ${round}: ${actions.join(', ')}`);
    }
    onlyAnswers(answers, ['200', '204', '401 unauthorized', '401 invalid_token']);
  });

  it('leaving or being removed from the default space racing DELETE /user: never a 500', async () => {
    const onlyAnswers = watch(z);
    const answers: string[] = [];
    for (let round = 0; round < 16; round++) {
      const sid = await owner.api.user.createSpace('home of the leaving');
      const user = await z.user('leaving-home');
      await user.api.user.joinSpace(await owner.api.spaces.userInviteToken(sid));
      await user.api.user.setDefaultSpace(sid);
      const away = round % 2 === 0 ? call(z, user, 'DELETE', `/user/spaces/${sid}`) : call(z, owner, 'DELETE', `/spaces/${sid}/users/${user.id}`);
      const [left, removed] = await Promise.all([away, call(z, user, 'DELETE', '/user')]);
      onlyAnswers([removed], ['200']);
      answers.push(left);
    }
    onlyAnswers(answers, ['200', '401 unauthorized', '401 invalid_token', '404 not_found']);
  });

  it('Onezone privileges set while the account or the group is deleted: no row outlives them', async () => {
    const onlyAnswers = watch(z);
    const answers: string[] = [];
    const admin = z.admin;
    for (let round = 0; round < 16; round++) {
      const user = await z.user('privileged');
      const gid = await owner.api.groups.create(`privileged${round}`, 'team');
      const [set, removed, setGroup, removedGroup] = await Promise.all([
        admin.privileges.setUser(user.id, ['list_spaces']).then(() => '200', (err: { status: number }) => String(err.status)),
        call(z, user, 'DELETE', '/user'),
        admin.privileges.setGroup(gid, ['list_spaces']).then(() => '200', (err: { status: number }) => String(err.status)),
        call(z, owner, 'DELETE', `/groups/${gid}`),
      ]);
      onlyAnswers([removed, removedGroup], ['200', '202']);
      answers.push(set, setGroup);
      assert.equal(await z.zone.store.onezone.get('user', user.id), 0, `round ${round}: a row for the deleted user`);
      assert.equal(await z.zone.store.onezone.get('group', gid), 0, `round ${round}: a row for the deleted group`);
    }
    onlyAnswers(answers, ['200', '404']);
  });

  it('a token deleted twice, and revoked, at once: one deletion, 404 for the rest, no event after it', async () => {
    const onlyAnswers = watch(z);
    const answers: string[] = [];
    const sid = await owner.api.user.createSpace('tokens');
    for (let round = 0; round < 12; round++) {
      const id = tokenId(await owner.api.spaces.createUserInvite(sid, { usageLimit: 2 }));
      const outcome = await Promise.all([
        call(z, owner, 'DELETE', `/user/tokens/${id}`),
        call(z, owner, 'DELETE', `/user/tokens/${id}`),
        call(z, owner, 'PATCH', `/user/tokens/${id}`, { revoked: true }),
      ]);
      answers.push(...outcome);
      assert.equal(outcome.slice(0, 2).filter((a) => a === '204').length, 1, `round ${round}: ${outcome.join(', ')}`);
      const events = (await z.zone.store.audit.list({ targetType: 'space', targetId: sid, limit: 1000 }))
        .filter((e) => e.details?.includes(id) && e.action !== 'token.mint')
        .map((e) => e.action);
      assert.equal(events.at(-1), 'token.delete', `round ${round}: ${events.join(', ')}`);
      assert.equal(events.filter((a) => a === 'token.delete').length, 1);
      assert.equal(events.length, outcome[2] === '204' ? 2 : 1, `round ${round}: ${events.join(', ')} after ${outcome.join(', ')}`);
    }
    onlyAnswers(answers, ['204', '404 not_found']);
  });

  it('POST /groups/{id}/spaces racing DELETE /groups/{id}: 201 or 404', async () => {
    const onlyAnswers = watch(z);
    const answers: string[] = [];
    for (let round = 0; round < 10; round++) {
      const gid = await owner.api.groups.create(`race-${round}`, 'team');
      const creates = Array.from({ length: 4 }, () => call(z, owner, 'POST', `/groups/${gid}/spaces`, { name: 'theirs' }));
      const [removed, ...created] = await Promise.all([call(z, owner, 'DELETE', `/groups/${gid}`), ...creates]);
      onlyAnswers([removed], ['202']);
      answers.push(...created);
    }
    // Not 403 either: the authorization that finds the group, then no privileges in it, looks again.
    onlyAnswers(answers, ['201', '404 not_found']);
  });
});

describe('isMissingReference', () => {
  it("is SQLite's foreign key failure and PostgreSQL's 23503, no other constraint", () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = on');
    db.exec('create table parent (id text primary key); create table child (parent_id text references parent (id))');
    const errorOf = (statement: string): unknown => {
      try {
        db.exec(statement);
      } catch (err) {
        return err;
      }
      assert.fail(`succeeded: ${statement}`);
    };
    assert.equal(isMissingReference(errorOf("insert into child values ('gone')")), true);
    db.exec("insert into parent values ('here')");
    assert.equal(isMissingReference(errorOf("insert into parent values ('here')")), false);
    db.close();
    assert.equal(isMissingReference({ code: '23503', constraint: 'space_groups_group_id_fkey' }), true);
    assert.equal(isMissingReference({ code: '23505', constraint: 'users_login_unique' }), false);
    assert.equal(isMissingReference(new Error('23503')), false);
  });
});
