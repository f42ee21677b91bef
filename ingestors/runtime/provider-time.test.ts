import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertTimeZone, epochMillis, epochSeconds, isoTime, zoneOffsetMs } from './provider-time.js';

const utc = (s: string) => new Date(s).getTime();

describe('isoTime', () => {
  test('reads times with Z, with an offset, and with up to 9 fractional digits', () => {
    assert.equal(isoTime('2024-07-10T14:31:24Z'), utc('2024-07-10T14:31:24Z'));
    assert.equal(isoTime('2024-07-10T14:31:24.1234567Z'), utc('2024-07-10T14:31:24.123Z'));
    assert.equal(isoTime('2024-07-10T16:31:24+02:00'), utc('2024-07-10T14:31:24Z'));
    assert.equal(isoTime('2024-07-10T09:01:24-0530'), utc('2024-07-10T14:31:24Z'));
  });

  test('reads a time without a zone as UTC, or in the instance time zone when given', () => {
    assert.equal(isoTime('2024-07-10T14:31:24'), utc('2024-07-10T14:31:24Z'));
    assert.equal(isoTime('2024-07-10 14:31:24'), utc('2024-07-10T14:31:24Z'));
    // Summer in Paris is UTC+2, winter UTC+1; New York is UTC-4 in summer.
    assert.equal(isoTime('2024-07-10 14:31:24', { zone: 'Europe/Paris' }), utc('2024-07-10T12:31:24Z'));
    assert.equal(isoTime('2024-01-10 14:31:24', { zone: 'Europe/Paris' }), utc('2024-01-10T13:31:24Z'));
    assert.equal(isoTime('2024-07-10T10:31:24', { zone: 'America/New_York' }), utc('2024-07-10T14:31:24Z'));
    // A written zone wins over the instance's.
    assert.equal(isoTime('2024-07-10T14:31:24Z', { zone: 'Europe/Paris' }), utc('2024-07-10T14:31:24Z'));
  });

  test('a wall time across a daylight-saving change reads as one defined instant', () => {
    // 2024-03-31 02:30 does not exist in Paris (clocks go 02:00 → 03:00); 2024-10-27 02:30 happens twice.
    const skipped = isoTime('2024-03-31 02:30:00', { zone: 'Europe/Paris' });
    assert.equal(skipped, utc('2024-03-31T01:30:00Z'));
    assert.equal(isoTime('2024-10-27 02:30:00', { zone: 'Europe/Paris' }), utc('2024-10-27T00:30:00Z'));
  });

  test('refuses what is not a valid date-time', () => {
    for (const bad of ['', 'yesterday', '2024-02-30T00:00:00Z', '2024-13-01T00:00:00Z', '2024-07-10', '2024-07-10T25:00:00Z', 12, null]) {
      assert.equal(isoTime(bad), null, String(bad));
    }
  });
});

describe('isoTime of the common form YYYY-MM-DDThh:mm:ss.sssZ (read without Date.UTC)', () => {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  const form = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T`
    + `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}Z`;

  test('gives the instant Date gives, over every day of four centuries and the edges of each day', () => {
    // Years 0100-9999 in ~50,000 uneven steps; every day of 1899-2101 (leap days, century years) at its edges.
    const times: number[] = [];
    for (let t = new Date('0100-01-01T00:00:00Z').getTime(); t < Date.UTC(9999, 11, 31); t += 6_217_123_457) times.push(t);
    for (let t = Date.UTC(1899, 0, 1); t < Date.UTC(2101, 0, 1); t += 86_400_000) times.push(t, t + 86_399_999, t + 43_200_001);
    for (const t of times) {
      const text = form(new Date(t));
      assert.equal(isoTime(text), t, text);
    }
  });

  test('refuses a non-digit or an impossible field in any position', () => {
    const good = '2024-02-29T23:59:59.999Z';
    assert.equal(isoTime(good), Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    for (let i = 0; i < good.length; i++) {
      for (const c of ['x', '/', ':', 'é']) {
        const bad = good.slice(0, i) + c + good.slice(i + 1);
        if (bad !== good) assert.equal(isoTime(bad), null, bad);
      }
    }
    for (const bad of ['2023-02-29T00:00:00.000Z', '2100-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-00-10T00:00:00.000Z', '2024-07-00T00:00:00.000Z',
      '2024-07-10T24:00:00.000Z', '2024-07-10T00:60:00.000Z', '2024-07-10T00:00:60.000Z']) assert.equal(isoTime(bad), null, bad);
    assert.equal(isoTime('2000-02-29T00:00:00.000Z'), Date.UTC(2000, 1, 29));
  });
});

describe('epoch times', () => {
  test('seconds and milliseconds, as numbers or decimal strings', () => {
    assert.equal(epochSeconds(1_720_621_884), 1_720_621_884_000);
    assert.equal(epochSeconds('1720621884.5'), 1_720_621_884_500);
    assert.equal(epochMillis('1720621884123'), 1_720_621_884_123);
    assert.equal(epochMillis(1_720_621_884_123), 1_720_621_884_123);
    assert.equal(epochSeconds('soon'), null);
    assert.equal(epochMillis(NaN), null);
  });
});

describe('time zones', () => {
  test('the offset of a zone at an instant, and a clear error for an unknown zone', () => {
    assert.equal(zoneOffsetMs(utc('2024-07-10T12:00:00Z'), 'Europe/Paris'), 2 * 3_600_000);
    assert.equal(zoneOffsetMs(utc('2024-07-10T12:00:00Z'), 'UTC'), 0);
    assert.throws(() => assertTimeZone('Mars/Olympus'), RangeError);
  });
});
