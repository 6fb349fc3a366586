import {
  isStreamVerdict,
  PublishRequest,
  PublishVerdict,
  PublishVerdicts,
  StreamRequest,
  StreamVerdicts,
} from './stream-request';

describe('isStreamVerdict', () => {
  it.each([
    ['StreamVerdicts.accept()', StreamVerdicts.accept()],
    ['{ accepted: true }', { accepted: true }],
    ["StreamVerdicts.accept({ name: 'alice' })", StreamVerdicts.accept({ name: 'alice' })],
    ['StreamVerdicts.reject(reason)', StreamVerdicts.reject('Unknown key')],
    ['a rejection without a code', { accepted: false, reason: 'Unknown key' }],
    ['a rejection with code BadName', StreamVerdicts.reject('no', 'BadName')],
    ['a rejection with code Unauthorized', StreamVerdicts.reject('no', 'Unauthorized')],
    ['a rejection with code Denied', StreamVerdicts.reject('no', 'Denied')],
    ['a rejection with code Rejected', StreamVerdicts.reject('no', 'Rejected')],
    ['a rejection with an empty reason', { accepted: false, reason: '' }],
  ])('accepts %s', (_, value) => {
    expect(isStreamVerdict(value)).toBe(true);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ["'yes'", 'yes'],
    ['true', true],
    ['1', 1],
    ['{}', {}],
    ['[]', []],
    ["{ accepted: 'true' }", { accepted: 'true' }],
    ['{ accepted: 1 }', { accepted: 1 }],
    ['a rejection without a reason', { accepted: false }],
    ['a rejection with a non-string reason', { accepted: false, reason: 42 }],
    ['a rejection with an unknown code', { accepted: false, reason: 'no', code: 'Nope' }],
    ['a rejection with a non-string code', { accepted: false, reason: 'no', code: 1 }],
    ['a promise', Promise.resolve({ accepted: true })],
  ])('refuses %s', (_, value) => {
    expect(isStreamVerdict(value)).toBe(false);
  });
});

describe('StreamVerdicts', () => {
  it('builds an acceptance', () => {
    expect(StreamVerdicts.accept()).toEqual({ accepted: true });
    expect(StreamVerdicts.accept({})).toEqual({ accepted: true });
  });

  it('builds an acceptance that gives a publish its public name', () => {
    expect(StreamVerdicts.accept({ name: 'channel-42' })).toEqual({
      accepted: true,
      name: 'channel-42',
    });
    expect(PublishVerdicts.accept({ name: 'channel-42' })).toEqual({
      accepted: true,
      name: 'channel-42',
    });
  });

  it('keeps a name given as undefined, so that the server refuses it rather than keep the key', () => {
    expect(StreamVerdicts.accept({ name: undefined })).toEqual({
      accepted: true,
      name: undefined,
    });
    expect('name' in StreamVerdicts.accept({ name: undefined })).toBe(true);
  });

  it('builds a rejection, BadName unless told otherwise', () => {
    expect(StreamVerdicts.reject('Unknown key')).toEqual({
      accepted: false,
      reason: 'Unknown key',
      code: 'BadName',
    });
    expect(StreamVerdicts.reject('Banned', 'Denied')).toEqual({
      accepted: false,
      reason: 'Banned',
      code: 'Denied',
    });
  });
});

describe('the names before plays were verified too (deprecated aliases)', () => {
  it('still work: PublishVerdicts builds the same verdicts, PublishRequest is a StreamRequest', () => {
    expect(PublishVerdicts).toBe(StreamVerdicts);
    const verdict: PublishVerdict = PublishVerdicts.reject('no');
    expect(isStreamVerdict(verdict)).toBe(true);
    const request: StreamRequest = { action: 'play' } as PublishRequest;
    expect(request.action).toBe('play');
  });
});
