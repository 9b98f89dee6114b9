import { describe, expect, it } from 'vitest';
import { hasHeader, mergeHeaders } from '../../src/sip/header-init.js';
import { hasOptionTag } from '../../src/sip/option-tags.js';
import { parseMessage } from '../../src/sip/parser.js';

describe('mergeHeaders', () => {
  it('lets a later header replace an earlier one whatever its case or compact form', () => {
    expect(
      mergeHeaders({ Contact: '<sip:a@h>', Allow: 'INVITE' }, { contact: '<sip:b@h>' }, { m: '<sip:c@h>' }),
    ).toEqual({
      Allow: 'INVITE',
      m: '<sip:c@h>',
    });
  });

  it('drops a header set to undefined and skips missing objects', () => {
    expect(mergeHeaders({ 'X-A': '1', 'X-B': '2' }, undefined, { 'x-a': undefined })).toEqual({ 'X-B': '2' });
  });

  it('writes headers in the order given, a header given again taking its later place', () => {
    const merged = mergeHeaders(
      { 'X-A': '1', 'X-B': '2', 'X-C': '3' },
      { 'x-a': '4', 'X-D': '5' },
      { 'X-B': undefined },
    );
    expect(Object.entries(merged)).toEqual([
      ['X-C', '3'],
      ['x-a', '4'],
      ['X-D', '5'],
    ]);
    // Two spellings in one object: the later one.
    expect(Object.entries(mergeHeaders({ Contact: '<sip:a@h>', Allow: 'INVITE', m: '<sip:b@h>' }))).toEqual([
      ['Allow', 'INVITE'],
      ['m', '<sip:b@h>'],
    ]);
  });

  it('finds a header by any spelling', () => {
    expect(hasHeader({ 'content-TYPE': 'a/b' }, 'Content-Type')).toBe(true);
    expect(hasHeader({ c: 'a/b' }, 'content-type')).toBe(true);
    expect(hasHeader({ 'Content-Type': undefined }, 'content-type')).toBe(false);
  });
});

describe('hasOptionTag', () => {
  const msg = parseMessage(
    'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nSupported: timer , 100REL\r\nk: path\r\nAllow: INVITE, UPDATE\r\nContent-Length: 0\r\n\r\n',
  );
  it('finds a tag in any line of the header, ignoring case and spaces', () => {
    expect(hasOptionTag(msg, 'supported', '100rel')).toBe(true);
    expect(hasOptionTag(msg, 'Supported', 'path')).toBe(true);
    expect(hasOptionTag(msg, 'allow', 'update')).toBe(true);
  });
  it('does not match a part of a tag or another header', () => {
    expect(hasOptionTag(msg, 'supported', 'time')).toBe(false);
    expect(hasOptionTag(msg, 'require', 'timer')).toBe(false);
  });
});
