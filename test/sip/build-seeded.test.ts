import { describe, expect, it } from 'vitest';
import { createRequest, type RequestInit, SipParseError } from '../../src/sip.js';

const outcome = (read: () => unknown) => {
  try {
    return { value: read() };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
};

describe('createRequest: what it built is read as built (issue 14)', () => {
  const base = { method: 'INVITE', uri: 'sip:bob@biloxi.com;transport=tcp', from: '<sip:alice@atlanta.com>' };
  const inits: Array<[string, RequestInit]> = [
    ['the defaults', base],
    [
      'a display name and parameters',
      { ...base, from: '"Alice \\"A\\"" <sip:alice@atlanta.com;user=phone>;x=1' },
    ],
    [
      'From and To as structures',
      {
        ...base,
        from: { name: 'Alice', uri: 'sip:a@b.c', params: { p: null } },
        to: { uri: 'tel:+15551234', params: {} },
      },
    ],
    ['a To other than the Request-URI', { ...base, to: 'Bob <sip:bob@example.com>;tag=9', cseq: 7 }],
    ['an addr-spec From with a tag', { ...base, from: 'sip:alice@atlanta.com;tag=abc' }],
    ['a From among the headers as well', { ...base, headers: { From: '<sip:mallory@example.com>;tag=2' } }],
  ];

  it.each(inits)('%s: From, To, CSeq and tags read as the lines they wrote parse', (_, init) => {
    const request = createRequest(init);
    const parsed = request.clone(); // the same lines, nothing seeded
    for (const read of [
      (r: typeof request) => r.from,
      (r: typeof request) => r.to,
      (r: typeof request) => r.cseq,
      (r: typeof request) => r.fromTag,
      (r: typeof request) => r.toTag,
    ])
      expect(outcome(() => read(request))).toEqual(outcome(() => read(parsed)));
  });

  it('a From given as structure is copied: changing it later does not change the request', () => {
    const from = { uri: 'sip:alice@atlanta.com', params: { tag: 'abc' } as Record<string, string | null> };
    const request = createRequest({ ...base, from });
    from.params.tag = 'changed';
    expect(request.fromTag).toBe('abc');
    expect(request.get('from')).toBe('<sip:alice@atlanta.com>;tag=abc');
  });

  it('a Request-URI that does not parse fails as the default To it makes, and a given To the same', () => {
    for (const init of [
      { ...base, uri: 'sip:bob@biloxi.com:99999' },
      { ...base, to: '<sip:bob@[2001:db8::1>' },
    ]) {
      expect(() => createRequest(init)).toThrow(SipParseError);
      expect(() => createRequest(init)).toThrow(/^name-addr: URI: /);
    }
    // The Request-URI itself is not checked when To is another URI, as before.
    expect(createRequest({ ...base, uri: 'sip:bob@biloxi.com:99999', to: '<sip:bob@biloxi.com>' }).uri).toBe(
      'sip:bob@biloxi.com:99999',
    );
  });
});
