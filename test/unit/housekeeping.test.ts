import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { everyHour } from '../../src/zone.js';

describe('housekeeping (everyHour)', () => {
  it('runs a minute after the start, then hourly, never two at once; a failure is logged and the next run goes on; stop waits for a run', async () => {
    mock.timers.enable({ apis: ['setTimeout', 'setInterval'] });
    try {
      const warnings: unknown[] = [];
      const log = { warn: (o: unknown) => warnings.push(o) } as never;
      let runs = 0;
      let release!: () => void;
      let fail = false;
      const h = everyHour(() => {
        runs++;
        if (fail) return Promise.reject(new Error('database down'));
        return new Promise<void>((r) => (release = r));
      }, log);
      mock.timers.tick(59_999);
      assert.equal(runs, 0);
      mock.timers.tick(1);
      assert.equal(runs, 1);
      mock.timers.tick(3_600_000);
      assert.equal(runs, 1, 'the first run is still under way: no second one');
      release();
      await new Promise((r) => setImmediate(r));
      fail = true;
      mock.timers.tick(3_600_000);
      assert.equal(runs, 2);
      await new Promise((r) => setImmediate(r));
      assert.equal(warnings.length, 1);
      fail = false;
      mock.timers.tick(3_600_000);
      assert.equal(runs, 3);
      let stopped = false;
      const stopping = h.stop().then(() => (stopped = true));
      await new Promise((r) => setImmediate(r));
      assert.equal(stopped, false, 'waits for the run under way');
      release();
      await stopping;
      mock.timers.tick(10 * 3_600_000);
      assert.equal(runs, 3, 'no run after stop');
    } finally {
      mock.timers.reset();
    }
  });
});
