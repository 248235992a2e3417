import { describe, expect, it } from 'vitest';
import { ConcurrencyGate } from './concurrency-gate.js';

describe('concurrency gate', () => {
  it('never lets more than the limit through and serves waiters in order', async () => {
    const gate = new ConcurrencyGate(2);
    const signal = new AbortController().signal;
    const r1 = await gate.acquire(signal);
    const r2 = await gate.acquire(signal);
    const order: number[] = [];
    const w3 = gate.acquire(signal).then((r) => (order.push(3), r));
    const w4 = gate.acquire(signal).then((r) => (order.push(4), r));
    await Promise.resolve();
    expect(gate.inFlight).toBe(2);
    expect(order).toEqual([]);
    r1();
    r1(); // a second release of the same slot is ignored
    const r3 = await w3;
    expect(order).toEqual([3]);
    expect(gate.inFlight).toBe(2);
    r2();
    const r4 = await w4;
    expect(order).toEqual([3, 4]);
    r3();
    r4();
    expect(gate.inFlight).toBe(0);
  });

  it('a waiter whose signal aborts leaves the line and is rejected', async () => {
    const gate = new ConcurrencyGate(1);
    const release = await gate.acquire(new AbortController().signal);
    const stop = new AbortController();
    const waiting = gate.acquire(stop.signal);
    stop.abort(new Error('closing'));
    await expect(waiting).rejects.toThrow('closing');
    release();
    expect(gate.inFlight).toBe(0);
    await expect(gate.acquire(stop.signal)).rejects.toThrow('closing');
  });
});
