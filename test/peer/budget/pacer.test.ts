import { expect } from 'chai';
import fc from 'fast-check';
import { Pacer } from '../../../src/peer/budget/Pacer.js';
import { TokenBucket } from '../../../src/peer/budget/TokenBucket.js';
import { validateBudget } from '../../../src/peer/budget/uplinkBudget.js';
import { ValidationError } from '../../../src/crdt/index.js';
import { FakeClock } from './fakeClock.js';

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);

describe('TokenBucket', () => {
  it('starts full, refills at its rate and never beyond its size', () => {
    const bucket = new TokenBucket(1000, 500, 0);
    expect(bucket.available(0)).to.equal(500);
    bucket.take(500, 0);
    expect(bucket.available(100)).to.equal(100);
    expect(bucket.msUntil(300, 100)).to.equal(200);
    expect(bucket.available(10_000)).to.equal(500);
  });

  it('lets a message larger than the bucket leave only when it is full', () => {
    const bucket = new TokenBucket(100, 200, 0);
    expect(bucket.allows(1000, 0)).to.equal(true);
    bucket.take(1000, 0);
    expect(bucket.allows(1000, 5000)).to.equal(false);
    // at 5 s: -800 + 500 = -300 tokens; 200 (the size) are needed: 5 s more
    expect(bucket.msUntil(1000, 5000)).to.equal(5000);
  });
});

describe('validateBudget', () => {
  it('defaults the burst to one second of budget, at least 1,024 bytes', () => {
    expect(validateBudget({ bytesPerSecond: 8000 })).to.deep.equal({ bytesPerSecond: 8000, burstBytes: 8000 });
    expect(validateBudget({ bytesPerSecond: 100 })).to.deep.equal({ bytesPerSecond: 100, burstBytes: 1024 });
    expect(validateBudget({ bytesPerSecond: 0, burstBytes: 5 })).to.deep.equal({ bytesPerSecond: 0, burstBytes: 0 });
  });

  for (const [label, input] of [
    ['a negative rate', { bytesPerSecond: -1 }],
    ['a fractional rate', { bytesPerSecond: 1.5 }],
    ['a rate given as text', { bytesPerSecond: '1000' }],
    ['a burst below 256 bytes', { bytesPerSecond: 1000, burstBytes: 100 }],
    ['an unknown field', { bytesPerSecond: 1000, rate: 3 }],
    ['no object', 1000],
  ] as const) {
    it(`refuses ${label}`, () => {
      expect(() => validateBudget(input)).to.throw(ValidationError);
    });
  }
});

describe('Pacer', () => {
  it('sends at once without a budget', () => {
    const pacer = new Pacer(new FakeClock());
    const sent: number[] = [];
    pacer.submit('position', [bytes(70_000)], (p) => sent.push(p.byteLength));
    expect(sent).to.deep.equal([70_000]);
    expect(pacer.totalBytes().position).to.equal(70_000);
  });

  it('keeps the parts of one message together and in order, and the relay lane after its own', () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock);
    pacer.setBudget({ bytesPerSecond: 1000, burstBytes: 300 });
    const log: string[] = [];
    pacer.submit('relay', [bytes(200), bytes(200)], (p) => log.push(`r${p.byteLength}`));
    pacer.submit('sync', [bytes(100), bytes(100), bytes(100)], () => log.push('s'));
    pacer.submit('priority', [bytes(50)], () => log.push('p'));
    clock.advance(5000);
    // The relay message had started (its first part left with the full bucket), so it finishes first.
    expect(log).to.deep.equal(['r200', 'r200', 's', 's', 's', 'p']);
  });

  it('never sends more than the burst plus the budget over any span (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 20_000 }),
        fc.integer({ min: 256, max: 8000 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 10_000 }), size: fc.integer({ min: 1, max: 3000 }), relay: fc.boolean() }), { maxLength: 60 }),
        (rate, burst, messages) => {
          const clock = new FakeClock();
          const pacer = new Pacer(clock);
          pacer.setBudget({ bytesPerSecond: rate, burstBytes: burst });
          const sent: Array<{ at: number; n: number }> = [];
          const sorted = [...messages].sort((a, b) => a.at - b.at);
          for (const m of sorted) {
            clock.advance(m.at - clock.now());
            const parts: Uint8Array[] = [];
            for (let left = m.size; left > 0; left -= pacer.partBytes) parts.push(bytes(Math.min(left, pacer.partBytes)));
            pacer.submit(m.relay ? 'relay' : 'position', parts, (p) => sent.push({ at: clock.now(), n: p.byteLength }));
          }
          clock.advance(10_000_000);
          // Everything left, nothing twice.
          expect(sent.reduce((s, x) => s + x.n, 0)).to.equal(messages.reduce((s, m) => s + m.size, 0));
          for (let i = 0; i < sent.length; i++) {
            let total = 0;
            for (let j = i; j < sent.length; j++) {
              total += sent[j]!.n;
              const span = sent[j]!.at - sent[i]!.at;
              expect(total, `${total} bytes in ${span} ms`).to.be.at.most(burst + (rate * span) / 1000 + 1e-6);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('counts bytes per class over its window', () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock);
    pacer.submit('presence', [bytes(500)], () => {});
    pacer.submit('position', [bytes(1000)], () => {});
    expect(pacer.rates().position).to.equal(200);
    expect(pacer.rates().presence).to.equal(100);
    clock.advance(6000);
    expect(pacer.rates().position).to.equal(0);
    expect(pacer.totalBytes().position).to.equal(1000);
  });

  it('forgets what waits when cleared', () => {
    const clock = new FakeClock();
    const pacer = new Pacer(clock);
    pacer.setBudget({ bytesPerSecond: 100, burstBytes: 256 });
    let sent = 0;
    pacer.submit('sync', [bytes(256), bytes(256)], () => sent++);
    expect(pacer.pendingBytes).to.equal(256);
    pacer.clear();
    clock.advance(10_000);
    expect(sent).to.equal(1);
    expect(pacer.pendingBytes).to.equal(0);
  });
});
