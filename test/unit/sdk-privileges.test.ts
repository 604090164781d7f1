// The SDK carries the privilege names itself (the web UI and scripts list them from it); they must
// be the zone's own, in the same order.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as sdk from '../../src/client/index.js';
import * as browser from '../../src/client/browser.js';
import * as zone from '../../src/domain/privileges.js';

it("the SDK's space and group privileges are the zone's, in the swagger's order, in both entries", () => {
  assert.deepEqual([...sdk.SPACE_PRIVILEGES], [...zone.SPACE_PRIVILEGES]);
  assert.deepEqual([...sdk.GROUP_PRIVILEGES], [...zone.GROUP_PRIVILEGES]);
  assert.equal(browser.SPACE_PRIVILEGES, sdk.SPACE_PRIVILEGES);
  assert.equal(browser.GROUP_PRIVILEGES, sdk.GROUP_PRIVILEGES);
});
