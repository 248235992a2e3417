import { describe, expect, it } from 'vitest';
import { RtpHeader, RtpPacket } from 'werift';
import { SendHistory, WERIFT_HISTORY } from './send-history.js';

const packet = (seq: number): RtpPacket => new RtpPacket(new RtpHeader({ sequenceNumber: seq & 0xffff }), Buffer.from([seq & 0xff]));

describe('a viewer send history for NACKs', () => {
  it('answers only what werift no longer holds and we still do, across the 16-bit wrap', () => {
    const h = new SendHistory(1024);
    for (let s = 65000; s < 65000 + 1000; s++) h.add(packet(s));
    const newest = (65000 + 999) & 0xffff;
    const tooRecent = (newest - 5) & 0xffff;
    const old = (newest - WERIFT_HISTORY - 10) & 0xffff;
    const gone = (newest - 2000) & 0xffff;
    expect(h.olderThanWerift([tooRecent, old, gone]).map((p) => p.header.sequenceNumber)).toEqual([old]);
  });

  it('a slot overwritten by a newer packet is not sent for an old sequence number', () => {
    const h = new SendHistory(256);
    for (let s = 0; s < 600; s++) h.add(packet(s));
    expect(h.olderThanWerift([600 - 300])).toEqual([]);
  });
});
