// The drachtio wire codec: framing by UTF-8 byte length, the leader's tokens, and the message
// shapes drachtio-srf 5 reads and writes (its own framing checked against ours).
import { describe, expect, it } from 'vitest';
import { readCdr } from '../../src/drachtio-wire/cdr-message.js';
import { encodeFrame, FrameDecoder, FrameError } from '../../src/drachtio-wire/frame-decoder.js';
import { formatHostPorts, parseHostPorts } from '../../src/drachtio-wire/hostports.js';
import { proxyInstructionArgs, readProxyInstruction } from '../../src/drachtio-wire/proxy-instruction.js';
import { readSentValues, readSipMeta, sentValues, sipMetaArgs } from '../../src/drachtio-wire/sip-meta.js';
import { formatWireMessage, isPlainToken, parseWireMessage } from '../../src/drachtio-wire/wire-message.js';
import { wireTime } from '../../src/drachtio-wire/wire-time.js';

describe('framing', () => {
  it('counts UTF-8 bytes, not characters (drachtio-server >= 0.9)', () => {
    expect(encodeFrame('a|b')).toBe('3#a|b');
    expect(encodeFrame('id|sip|é😀')).toBe('13#id|sip|é😀');
  });

  it('cuts frames however the bytes arrive: split anywhere, several in one chunk', () => {
    const stream = Buffer.from(
      encodeFrame('1|ping') + encodeFrame('2|sip||\r\nINFO sip:x SIP/2.0 é') + encodeFrame('3|ping'),
    );
    for (let cut = 1; cut < stream.length; cut++) {
      const decoder = new FrameDecoder(1000);
      const got = [...decoder.push(stream.subarray(0, cut)), ...decoder.push(stream.subarray(cut))];
      expect(got).toEqual(['1|ping', '2|sip||\r\nINFO sip:x SIP/2.0 é', '3|ping']);
      expect(decoder.pending).toBe(0);
    }
  });

  it('refuses a length that is not a positive decimal number', () => {
    for (const bad of ['abc#x', '#x', '0#', '-1#x', ' 5#hello', '1a#x']) {
      const error = (() => {
        try {
          new FrameDecoder(1000).push(Buffer.from(bad));
        } catch (err) {
          return err;
        }
      })();
      expect(error, bad).toBeInstanceOf(FrameError);
      expect((error as FrameError).kind, bad).toBe('malformed');
    }
  });

  it('refuses a frame over the limit as soon as its length is read, before its bytes come', () => {
    const decoder = new FrameDecoder(99_999);
    expect(() => decoder.push(Buffer.from('100000#'))).toThrow(FrameError);
    expect(() => new FrameDecoder(99_999).push(Buffer.from('123456'))).toThrow(/more than 5 digits/);
    expect(() => new FrameDecoder(10).push(Buffer.from('11#'))).toThrow(/11 bytes is over the limit of 10/);
    expect(new FrameDecoder(10).push(Buffer.from('10#0123456789'))).toEqual(['0123456789']);
  });
});

describe('messages', () => {
  it('splits the leader on every | up to the first CR; the rest is the SIP message', () => {
    const payload =
      'abc|sip|network|12|udp|192.0.2.1|5060|10:00:00.000000|t1|d1|\r\nBYE sip:a SIP/2.0\r\nX: a|b\r\n\r\n';
    const message = parseWireMessage(payload);
    expect(message).toEqual({
      id: 'abc',
      type: 'sip',
      args: ['network', '12', 'udp', '192.0.2.1', '5060', '10:00:00.000000', 't1', 'd1', ''],
      sip: 'BYE sip:a SIP/2.0\r\nX: a|b\r\n\r\n',
    });
    expect(formatWireMessage(message)).toBe(payload);
    expect(parseWireMessage('x|ping')).toEqual({ id: 'x', type: 'ping', args: [] });
    expect(() => parseWireMessage('|ping')).toThrow(/without an id/);
    expect(() => parseWireMessage('hello')).toThrow(/without a type/);
    expect(isPlainToken('cymru')).toBe(true);
    expect(isPlainToken('a|b')).toBe(false);
  });

  it('the meta of sip messages and of sent replies, where drachtio-srf reads them', () => {
    const args = sipMetaArgs({
      source: 'network',
      bytes: 300,
      protocol: 'udp',
      address: '192.0.2.1',
      port: 5062,
      time: '10:00:00.000001',
      txnId: 't',
      dialogId: '',
      destAddress: '192.0.2.2',
      destPort: 5060,
    });
    // drachtio-agent.js: token[8] txnId, token[9] dialogId, token[10]:token[11] receivedOn.
    const tokens = ['id', 'sip', ...args];
    expect([tokens[8], tokens[9], `${tokens[10]}:${tokens[11]}`]).toEqual(['t', '', '192.0.2.2:5060']);
    expect(readSipMeta(args)).toMatchObject({ source: 'network', port: 5062, destPort: 5060 });
    const values = sentValues({
      bytes: 1,
      protocol: 'tcp',
      address: 'a',
      port: 2,
      time: 'x',
      txnId: 't',
      dialogId: 'd',
    });
    const reply = ['id', 'response', 'rid', 'OK', ...values];
    // drachtio-agent.js: slice(3)[7] is the transaction, meta's token[11] the dialog, token[12] not `continue`.
    expect(reply.slice(3)[7]).toBe('t');
    expect([reply[10], reply[11], reply[12]]).toEqual(['t', 'd', '']);
    expect(readSentValues(values)).toEqual({
      bytes: 1,
      protocol: 'tcp',
      address: 'a',
      port: 2,
      time: 'x',
      txnId: 't',
      dialogId: 'd',
    });
  });

  it('proxy instructions as drachtio-srf writes them, CDRs, listening points, times', () => {
    // drachtio-agent.js proxy(): remainInDialog, fullResponse, followRedirects, forking, timeouts, destinations.
    const args = 'txn|remainInDialog|fullResponse||simultaneous|2s||sip:a|sip:b'.split('|');
    const instruction = readProxyInstruction(args);
    expect(instruction).toEqual({
      txnId: 'txn',
      remainInDialog: true,
      fullResponse: true,
      followRedirects: false,
      simultaneous: true,
      provisionalTimeout: '2s',
      finalTimeout: '',
      destinations: ['sip:a', 'sip:b'],
    });
    expect(proxyInstructionArgs(instruction)).toEqual(args);
    expect(readCdr('cdr:stop', ['network', 't', 'normal-release'])).toEqual({
      type: 'stop',
      source: 'network',
      time: 't',
      reason: 'normal-release',
    });
    expect(readCdr('cdr:other', [])).toBeUndefined();
    const points = parseHostPorts('udp/192.0.2.1:5060,tcp/[2001:db8::1]:5061,junk');
    expect(points).toEqual([
      { protocol: 'udp', host: '192.0.2.1', port: 5060 },
      { protocol: 'tcp', host: '2001:db8::1', port: 5061 },
    ]);
    expect(formatHostPorts(points)).toBe('udp/192.0.2.1:5060,tcp/[2001:db8::1]:5061');
    expect(wireTime(new Date(Date.UTC(2024, 0, 1, 3, 4, 5, 67)))).toBe('03:04:05.067000');
  });
});
